package seed_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"examiner/internal/seed"
	"examiner/internal/testdb"
	"examiner/tenant"
)

// shippedFile is data/9708_questions.json as it is on disk.
func shippedFile(t *testing.T) []byte {
	t.Helper()
	raw, err := os.ReadFile("data/9708_questions.json")
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func parse(t *testing.T, raw []byte) seed.QuestionBank {
	t.Helper()
	bank, err := seed.ParseQuestionBank(raw)
	if err != nil {
		t.Fatal(err)
	}
	return bank
}

// withoutQuestions is a database seeded with the catalogue and no question bank.
func withoutQuestions(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool := testdb.Pool(t)
	if _, err := seed.Run(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(t.Context(), `DELETE FROM questions`); err != nil { // keys and tags go with them
		t.Fatal(err)
	}
	return pool
}

// normalised is a question file re-encoded as export writes one: fields in the types' order,
// each question's tags in syllabus order (the database keeps a set of tags, not their order).
func normalised(t *testing.T, raw []byte) []byte {
	t.Helper()
	_, points := economics(t)
	order := map[string]int{}
	for i, p := range points {
		order[p.Code] = i
	}
	bank := parse(t, raw)
	for _, q := range bank.Questions {
		slices.SortFunc(q.SyllabusPoints, func(a, b string) int { return order[a] - order[b] })
	}
	var out bytes.Buffer
	if err := seed.EncodeQuestionBank(&out, bank); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func export(t *testing.T, pool *pgxpool.Pool) []byte {
	t.Helper()
	bank, err := seed.ExportQuestions(t.Context(), pool, "9708")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := seed.EncodeQuestionBank(&out, bank); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// spoilt is raw decoded, changed by spoil and encoded again.
func spoilt(t *testing.T, raw []byte, spoil func(b map[string]any)) []byte {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var b map[string]any
	if err := dec.Decode(&b); err != nil {
		t.Fatal(err)
	}
	spoil(b)
	out, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// question i of a decoded file.
func question(b map[string]any, i int) map[string]any {
	return b["questions"].([]any)[i].(map[string]any)
}

func count(t *testing.T, pool *pgxpool.Pool, sql string) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(t.Context(), sql).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The shipped bank goes into the database whole: each question with its key or mark schemes and
// its tags, a written question worth its parts' marks.
func TestImportingTheShippedBankLoadsEveryQuestion(t *testing.T) {
	t.Parallel()
	pool := withoutQuestions(t)
	bank := parse(t, shippedFile(t))
	res, err := seed.ImportQuestions(t.Context(), pool, bank)
	if err != nil {
		t.Fatal(err)
	}
	if want := (seed.QuestionResult{Added: int64(len(bank.Questions))}); res != want {
		t.Fatalf("got %v, want %v", res, want)
	}
	tags := 0
	for _, q := range bank.Questions {
		tags += len(q.SyllabusPoints)
		var kind, answer string
		var marks, schemes int
		err := pool.QueryRow(t.Context(), `
			SELECT q.kind, coalesce(k.answer, ''), q.marks, coalesce(jsonb_array_length(k.mark_schemes), 0)
			FROM questions q JOIN question_keys k ON k.question_id = q.id WHERE q.code = $1`, q.Code).Scan(&kind, &answer, &marks, &schemes)
		if err != nil {
			t.Fatalf("%s: %v", q.Code, err)
		}
		wantMarks := q.Marks
		for _, p := range q.Parts {
			wantMarks += p.Marks
		}
		if kind != q.Kind || answer != q.Answer || marks != wantMarks || schemes != len(q.Parts) {
			t.Errorf("%s: got kind %s, key %q, %d marks, %d mark schemes; want %s, %q, %d, %d",
				q.Code, kind, answer, marks, schemes, q.Kind, q.Answer, wantMarks, len(q.Parts))
		}
	}
	if got := count(t, pool, `SELECT count(*) FROM question_syllabus_points`); got != tags {
		t.Errorf("got %d tags, want the file's %d", got, tags)
	}
}

// Idempotent by code: the second import of a file reports no change and writes no row (every
// row keeps its version, every question its updated_at).
func TestImportingTheSameFileAgainChangesNothing(t *testing.T) {
	t.Parallel()
	pool := withoutQuestions(t)
	bank := parse(t, shippedFile(t))
	if _, err := seed.ImportQuestions(t.Context(), pool, bank); err != nil {
		t.Fatal(err)
	}
	before := catalogue(t, pool, true)
	res, err := seed.ImportQuestions(t.Context(), pool, bank)
	if err != nil {
		t.Fatal(err)
	}
	if want := (seed.QuestionResult{Unchanged: int64(len(bank.Questions))}); res != want {
		t.Fatalf("second import: got %v, want %v", res, want)
	}
	if after := catalogue(t, pool, true); after != before {
		t.Fatalf("the second import wrote rows:\nbefore %s\nafter  %s", before, after)
	}
}

// A question that differs from the database's in any of its rows (the question, its key, its
// tags) is updated, and counted once; the rest are not touched. Tags are a set: listing them in
// another order changes nothing.
func TestAChangedQuestionIsUpdated(t *testing.T) {
	t.Parallel()
	pool := withoutQuestions(t)
	shipped := shippedFile(t)
	bank := parse(t, shipped)
	if _, err := seed.ImportQuestions(t.Context(), pool, bank); err != nil {
		t.Fatal(err)
	}
	n := int64(len(bank.Questions))
	for _, tt := range []struct {
		name    string
		code    string
		change  func(b map[string]any)
		updated int64
	}{
		{"a new stem", "9708-P1-001", func(b map[string]any) { question(b, 0)["stem"] = "Reworded: " + question(b, 0)["stem"].(string) }, 1},
		{"an option reworded", "9708-P1-002", func(b map[string]any) {
			question(b, 1)["options"].([]any)[3].(map[string]any)["text"] = "Employment of 16- to 18-year-olds fell by 2%."
		}, 1},
		{"another key and explanation", "9708-P1-003", func(b map[string]any) {
			q := question(b, 2)
			q["answer"], q["explanation"] = "D", "Keyed D for the test."
		}, 1},
		{"a tag added", "9708-P1-004", func(b map[string]any) {
			q := question(b, 3)
			q["syllabus_points"] = append(q["syllabus_points"].([]any), "9708.1.1")
		}, 1},
		{"a tag dropped", "9708-P1-014", func(b map[string]any) { question(b, 13)["syllabus_points"] = []any{"9708.3.1"} }, 1},
		{"a level descriptor reworded", "9708-P2-001", func(b map[string]any) {
			part := question(b, 34)["parts"].([]any)[0].(map[string]any)
			level := part["mark_scheme"].(map[string]any)["levels"].([]any)[0].(map[string]any)
			level["descriptor"] = "Reworded."
		}, 1},
		{"a part's prompt reworded", "9708-P4-001", func(b map[string]any) {
			question(b, 72)["parts"].([]any)[0].(map[string]any)["prompt"] = "Reworded."
		}, 1},
		{"the tags in another order", "9708-P1-014", func(b map[string]any) {
			q := question(b, 13)
			tags := q["syllabus_points"].([]any)
			slices.Reverse(tags)
		}, 0},
	} {
		file := spoilt(t, shipped, tt.change)
		var before, after string
		stamp := `SELECT updated_at::text FROM questions WHERE code = '` + tt.code + `'`
		if err := pool.QueryRow(t.Context(), stamp).Scan(&before); err != nil {
			t.Fatal(err)
		}
		res, err := seed.ImportQuestions(t.Context(), pool, parse(t, file))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if want := (seed.QuestionResult{Updated: tt.updated, Unchanged: n - tt.updated}); res != want {
			t.Errorf("%s: got %v, want %v", tt.name, res, want)
		}
		if got, want := export(t, pool), normalised(t, file); !bytes.Equal(got, want) {
			t.Errorf("%s: the database's bank is not the file's", tt.name)
		}
		if err := pool.QueryRow(t.Context(), stamp).Scan(&after); err != nil {
			t.Fatal(err)
		}
		if (after != before) != (tt.updated == 1) {
			t.Errorf("%s: updated_at went from %s to %s", tt.name, before, after)
		}
		// And back, for the next case.
		if res, err := seed.ImportQuestions(t.Context(), pool, bank); err != nil || res.Updated != tt.updated {
			t.Fatalf("%s: putting the shipped bank back: got %v (%v), want %d updated", tt.name, res, err, tt.updated)
		}
	}
}

// export | import is a no-op: export writes the shipped file (normalised), importing what it
// wrote changes nothing, and exporting again writes the same bytes.
func TestExportThenImportRoundTrips(t *testing.T) {
	t.Parallel()
	pool := testdb.Pool(t)
	if _, err := seed.Run(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	exported := export(t, pool)
	if want := normalised(t, shippedFile(t)); !bytes.Equal(exported, want) {
		t.Fatalf("export is not the shipped file:\n%s", firstDifference(exported, want))
	}
	if !bytes.Equal(normalised(t, exported), exported) {
		t.Fatal("export's output is not what its own re-encoding gives")
	}
	res, err := seed.ImportQuestions(t.Context(), pool, parse(t, exported))
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 0 || res.Updated != 0 {
		t.Fatalf("importing the export: got %v, want no change", res)
	}
	if again := export(t, pool); !bytes.Equal(again, exported) {
		t.Fatalf("the second export differs:\n%s", firstDifference(again, exported))
	}
}

// firstDifference shows where got and want part.
func firstDifference(got, want []byte) string {
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(gl), len(wl)) {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			return fmt.Sprintf("line %d: got  %s\n         want %s", i+1, g, w)
		}
	}
	return "(no difference)"
}

// A bad file is refused with every problem's position, and nothing of it is written, not even
// its good questions.
func TestImportRefusesBadFilesWithTheirPositionAndWritesNothing(t *testing.T) {
	t.Parallel()
	pool := withoutQuestions(t)
	shipped := shippedFile(t)
	// A syntax error: a second comma after the first key of the file.
	after := []byte(`"answer": "B",`)
	at := bytes.Index(shipped, after) + len(after)
	doubleComma := slices.Concat(shipped[:at], []byte(","), shipped[at:])
	line := bytes.Count(shipped[:at], []byte("\n")) + 1
	column := at - bytes.LastIndexByte(shipped[:at], '\n')
	givenTwice := bytes.Replace(shipped, after, []byte(`"answer": "B", "answer": "C",`), 1)
	longStem := strings.Repeat("x", 20001)

	for _, tt := range []struct {
		name string
		file []byte
		want string
	}{
		{"a syntax error", doubleComma, fmt.Sprintf("line %d, column %d: invalid character ','", line, column)},
		{"a file cut short", shipped[:len(shipped)/2], "the file ends inside a value"},
		{"an empty file", nil, "line 1, column 1: the file is empty"},
		{"more after the bank", append(slices.Clone(shipped), "{}"...),
			fmt.Sprintf("line %d, column 1: more after the end", bytes.Count(shipped, []byte("\n"))+1)},
		{"an unknown field", spoilt(t, shipped, func(b map[string]any) { question(b, 3)["colour"] = "red" }),
			"questions[3] (9708-P1-004).colour: unknown field"},
		{"an array, not an object", []byte(`[]`), "the file: want an object, got an array"},
		{"an unknown field at the top", spoilt(t, shipped, func(b map[string]any) { b["version"] = 2 }), "version: unknown field"},
		{"a field given twice", givenTwice, "questions[0] (9708-P1-001).answer: given twice"},
		{"a missing answer", spoilt(t, shipped, func(b map[string]any) { delete(question(b, 2), "answer") }),
			"questions[2] (9708-P1-003).answer: missing"},
		{"an MCQ with two options keyed B", spoilt(t, shipped, func(b map[string]any) {
			question(b, 0)["options"].([]any)[2].(map[string]any)["key"] = "B"
		}), "questions[0] (9708-P1-001).options[2].key: B is the key of options[1] too"},
		{"an option keyed E", spoilt(t, shipped, func(b map[string]any) {
			question(b, 12)["options"].([]any)[2].(map[string]any)["key"] = "E"
		}), `questions[12] (9708-P1-013).options[2].key: want one of A, B, C, D, got "E"`},
		{"three options", spoilt(t, shipped, func(b map[string]any) {
			q := question(b, 5)
			q["options"] = q["options"].([]any)[:3]
		}), "questions[5] (9708-P1-006).options: want exactly 4 items, got 3"},
		{"a duplicate code", spoilt(t, shipped, func(b map[string]any) { question(b, 1)["code"] = "9708-P1-001" }),
			"questions[1] (9708-P1-001).code: 9708-P1-001 is used twice (questions[0] has it too)"},
		{"an unknown syllabus point", spoilt(t, shipped, func(b map[string]any) { question(b, 0)["syllabus_points"] = []any{"9708.1.99"} }),
			"questions[0] (9708-P1-001).syllabus_points[0]: 9708.1.99 is not a syllabus point of 9708"},
		{"an A Level point on Paper 1", spoilt(t, shipped, func(b map[string]any) { question(b, 0)["syllabus_points"] = []any{"9708.1.1", "9708.7.1"} }),
			"questions[0] (9708-P1-001).syllabus_points[1]: 9708.7.1 is not a topic of paper 1's level"},
		{"an MCQ on Paper 2", spoilt(t, shipped, func(b map[string]any) { question(b, 0)["paper"] = 2 }),
			"questions[0] (9708-P1-001).paper: an MCQ belongs to paper 1 or 3, not 2"},
		{"a paper as a string", spoilt(t, shipped, func(b map[string]any) { question(b, 0)["paper"] = "1" }),
			`questions[0] (9708-P1-001).paper: want an integer, got the string "1"`},
		{"a written question whose levels fall short of its marks", spoilt(t, shipped, func(b map[string]any) {
			question(b, 34)["parts"].([]any)[1].(map[string]any)["marks"] = 6
		}), "questions[34] (9708-P2-001).parts[1].mark_scheme.levels: part b: the levels end at 4, want 6 (the part's marks)"},
		{"a written question without levels", spoilt(t, shipped, func(b map[string]any) {
			question(b, 34)["parts"].([]any)[0].(map[string]any)["mark_scheme"].(map[string]any)["levels"] = []any{}
		}), "questions[34] (9708-P2-001).parts[0].mark_scheme.levels: want at least 1 item, got 0"},
		{"a part worth half a mark", spoilt(t, shipped, func(b map[string]any) {
			question(b, 35)["parts"].([]any)[0].(map[string]any)["marks"] = json.Number("2.5")
		}), "questions[35] (9708-P2-002).parts[0].marks: want an integer, got the number 2.5"},
		{"options on a written question", spoilt(t, shipped, func(b map[string]any) { question(b, 36)["options"] = question(b, 0)["options"] }),
			"questions[36] (9708-P2-003).options: not a field of a WRITTEN question"},
		{"a blank stem", spoilt(t, shipped, func(b map[string]any) { question(b, 40)["stem"] = " \n " }),
			`questions[40] (9708-P3-003).stem: want some text, got " \n "`},
		{"a stem longer than the database takes", spoilt(t, shipped, func(b map[string]any) { question(b, 40)["stem"] = longStem }),
			"questions[40] (9708-P3-003).stem: want at most 20000 characters, got 20001"},
		{"a code the database would refuse", spoilt(t, shipped, func(b map[string]any) { question(b, 41)["code"] = "9708 P3 004" }),
			`questions[41].code: want 1 to 64 letters, digits, '.', '_' or '-', the first a letter or digit, got "9708 P3 004"`},
		{"a subject not in the database", spoilt(t, shipped, func(b map[string]any) { b["subject"] = "0000" }),
			`subject: no subject "0000" in the database`},
		{"every problem, not the first", spoilt(t, shipped, func(b map[string]any) {
			question(b, 0)["paper"] = "1"
			question(b, 75)["kind"] = "ESSAY"
		}), "2 problems:\n  questions[0] (9708-P1-001).paper: want an integer, got the string \"1\"\n  questions[75] (9708-P4-004).kind: want one of MCQ, WRITTEN, got \"ESSAY\""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bank, err := seed.ParseQuestionBank(tt.file)
			if err == nil {
				_, err = seed.ImportQuestions(t.Context(), pool, bank)
			}
			var refused *seed.BankError
			if !errors.As(err, &refused) {
				t.Fatalf("got %v, want a *seed.BankError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %q, want it to say %q", err, tt.want)
			}
		})
	}
	for _, table := range []string{"questions", "question_keys", "question_syllabus_points"} {
		if n := count(t, pool, "SELECT count(*) FROM "+table); n != 0 {
			t.Errorf("%s: got %d rows after the refused files, want none", table, n)
		}
	}
}

// A problem found while writing (a code another subject's question has) rolls back the
// questions written before it.
func TestAnImportRefusedHalfwayWritesNothing(t *testing.T) {
	t.Parallel()
	pool := withoutQuestions(t)
	bank := parse(t, shippedFile(t))
	last := len(bank.Questions) - 1
	if _, err := pool.Exec(t.Context(), `
		WITH s AS (INSERT INTO subjects (code, name, level, exam_board, syllabus_year)
		           VALUES ('0001', 'Other', 'AS Level', 'Nobody', '2025') RETURNING id),
		     p AS (INSERT INTO papers (subject_id, number, name, level, duration_minutes, total_marks)
		           SELECT id, 1, 'One', 'AS Level', 60, 30 FROM s RETURNING subject_id)
		INSERT INTO questions (code, subject_id, paper_number, kind, stem, options, marks)
		SELECT $1, subject_id, 1, 'MCQ', 'Which?', '[{"key":"A","text":"a"},{"key":"B","text":"b"},{"key":"C","text":"c"},{"key":"D","text":"d"}]', 1 FROM p`,
		bank.Questions[last].Code); err != nil {
		t.Fatal(err)
	}
	_, err := seed.ImportQuestions(t.Context(), pool, bank)
	want := fmt.Sprintf("questions[%d] (%s).code: %[2]s is a question of another subject", last, bank.Questions[last].Code)
	var refused *seed.BankError
	if !errors.As(err, &refused) || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want a *seed.BankError saying %q", err, want)
	}
	if n := count(t, pool, `SELECT count(*) FROM questions q JOIN subjects s ON s.id = q.subject_id WHERE s.code = '9708'`); n != 0 {
		t.Errorf("got %d questions of 9708 after the refused import, want none", n)
	}
}

// A file with many problems lists the first 50 and counts the rest.
func TestImportListsTheFirstFiftyProblemsOfAFile(t *testing.T) {
	t.Parallel()
	file := spoilt(t, shippedFile(t), func(b map[string]any) {
		for i := range 60 {
			question(b, i)["colour"] = "red"
		}
	})
	_, err := seed.ParseQuestionBank(file)
	var refused *seed.BankError
	if !errors.As(err, &refused) || len(refused.Problems) != 50 || refused.More != 10 ||
		!strings.HasPrefix(err.Error(), "60 problems:") || !strings.HasSuffix(err.Error(), "… and 10 more") {
		t.Fatalf("got %v, want 60 problems, 50 listed and 10 more", err)
	}
}

// What the import writes is what marking reads (migration 016's app.mark_exam and app.self_mark,
// as examiner_marker): an exam of imported questions, answered as the file's keys say, scores
// the marks the file gives them; a written answer takes a self-mark up to its question's marks.
func TestMarkingSeesTheImportedQuestions(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := seed.Run(t.Context(), conn); err != nil {
		t.Fatal(err)
	}
	// The owner's fixture (the exam's state trigger holds only examiner_student): a completed
	// exam of two MCQs, one answered by its key and one not, and a written question answered.
	var student, exam uuid.UUID
	if err := conn.QueryRow(t.Context(), `INSERT INTO students (email, email_key, password_hash, full_name)
		VALUES ('ada@example.com', 'ada@example.com', 'not a hash', 'Ada') RETURNING id`).Scan(&student); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(t.Context(), `INSERT INTO exams (student_id, subject_id, exam_type, status, started_at, completed_at, question_count)
		SELECT $1, id, 'PRACTICE', 'COMPLETED', now(), now(), 3 FROM subjects WHERE code = '9708' RETURNING id`, student).Scan(&exam); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(t.Context(), `INSERT INTO exam_questions (exam_id, number, student_id, question_id, marks)
		SELECT $1, row_number() OVER (ORDER BY q.code COLLATE "C"), $2, q.id, q.marks
		FROM questions q WHERE q.code IN ('9708-P1-001', '9708-P1-002', '9708-P2-001')`, exam, student); err != nil {
		t.Fatal(err)
	}
	bank := parse(t, shippedFile(t))
	wrong := map[string]string{"A": "B", "B": "C", "C": "D", "D": "A"}[bank.Questions[1].Answer]
	if _, err := conn.Exec(t.Context(), `INSERT INTO answers (exam_id, number, student_id, choice, text)
		VALUES ($1, 1, $2, $3, NULL), ($1, 2, $2, $4, NULL), ($1, 3, $2, NULL, 'An essay.')`,
		exam, student, bank.Questions[0].Answer, wrong); err != nil {
		t.Fatal(err)
	}
	written := 0
	for _, p := range bank.Questions[34].Parts {
		written += p.Marks
	}
	err = tenant.Run(t.Context(), testdb.LoginPool(t, url), testdb.Student(student, 0), func(tx pgx.Tx) error {
		var score, max int
		if err := tx.QueryRow(t.Context(), `SELECT app.mark_exam($1)`, exam).Scan(&score); err != nil {
			return err
		}
		if err := tx.QueryRow(t.Context(), `SELECT score, max_score FROM exams WHERE id = $1`, exam).Scan(&score, &max); err != nil {
			return err
		}
		if score != 1 || max != 2 {
			t.Errorf("marked: got %d of %d, want 1 of 2 (one MCQ right, one wrong, the written answer unmarked)", score, max)
		}
		var self *int
		if err := tx.QueryRow(t.Context(), `SELECT app.self_mark($1, 3, $2)`, exam, written).Scan(&self); err != nil {
			return err
		}
		if self == nil || *self != 1+written {
			t.Errorf("self-marked %d of %d: got score %v, want %d", written, written, self, 1+written)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
