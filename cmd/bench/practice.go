package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"examiner"
)

// Practice (issue 13): every bench student has one running PRACTICE exam with questions, for the
// autosave path (PUT /api/exams/{id}/answers/{n}) and the questions (GET /api/exams/{id}/questions).

// practiceQuestions is how many questions a bench student's practice exam has: as many as a full
// Paper 1 (30 MCQs), the exam of the README's session.
const practiceQuestions = 30

// practiceExamUUID is bench student n's practice exam: computable from n, like studentUUID, so
// that a pgbench script can name it (pgbench_practice.go).
func practiceExamUUID(n int) uuid.UUID {
	return uuid.MustParse(fmt.Sprintf("00000000-0000-4000-9000-%012d", n))
}

// practiceExamUUIDSQL is practiceExamUUID in SQL, for an integer expression n.
func practiceExamUUIDSQL(n string) string {
	return fmt.Sprintf("('00000000-0000-4000-9000-' || lpad(%s, 12, '0'))::uuid", n)
}

// seedPractice gives each of w's students an IN_PROGRESS PRACTICE exam of practiceQuestions MCQs
// of 9708 Paper 1, started an hour ago, with no duration (so no deadline: it takes answers for
// the whole run), in bulk as the owner, and vacuums and analyses. The owner may insert a started
// exam and its questions directly: app.exam_state() and the restrictive policies bind
// examiner_student only (migration 016), while app.exam_question_marks() binds everyone, so each
// exam question carries its question's marks. Each student's questions are their own order of
// the bank (md5 of exam and question id). The exams are older than the students' other exams
// (exams per student + 1 times 5 hours: seedStudents spaces those 5 hours apart), so the first
// page of the list, which the list phases and the unverified comparison read, is what it was
// without them; the unverified server's database (migration 011's schema) has none. Only after
// seedStudents, on the main database.
func seedPractice(ctx context.Context, databaseURL string, w *world, examsPerStudent int) error {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	students := len(w.students)
	ids := make([]uuid.UUID, students)
	for i := range ids {
		ids[i] = practiceExamUUID(i + 1)
	}
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO public.exams (id, student_id, subject_id, exam_type, status, paper_number, duration_minutes,
			                   total_marks, question_count, created_at, updated_at, started_at)
			SELECT `+practiceExamUUIDSQL("n::text")+`, `+studentUUIDSQL("n::text")+`, subj.id, 'PRACTICE', 'IN_PROGRESS', 1, NULL,
			       NULL, $2::int, t, now() - interval '1 hour', now() - interval '1 hour'
			FROM generate_series(1, $1::int) AS n
			CROSS JOIN (SELECT s.id FROM public.subjects AS s WHERE s.code = '9708') AS subj
			CROSS JOIN (SELECT now() - ($3::int + 1) * interval '5 hours' - interval '1 hour') AS created(t)`,
			students, practiceQuestions, examsPerStudent); err != nil {
			return fmt.Errorf("insert the practice exams: %w", err)
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO public.exam_questions (exam_id, number, student_id, question_id, marks)
			SELECT e.id, q.number, e.student_id, q.id, q.marks
			FROM public.exams AS e
			CROSS JOIN LATERAL (
			  SELECT q.id, q.marks, pg_catalog.row_number() OVER (ORDER BY pg_catalog.md5(e.id::text || q.id::text)) AS number
			  FROM public.questions AS q
			  WHERE q.subject_id = e.subject_id AND q.paper_number = 1 AND q.kind = 'MCQ'
			  ORDER BY pg_catalog.md5(e.id::text || q.id::text)
			  LIMIT $2::int
			) AS q
			WHERE e.id = ANY ($1::uuid[])`, ids, practiceQuestions)
		if err != nil {
			return fmt.Errorf("insert the practice exams' questions: %w", err)
		}
		if want := int64(students * practiceQuestions); tag.RowsAffected() != want {
			return fmt.Errorf("the practice exams got %d questions, want %d × %d: does the bank (examiner seed) have %d MCQs of 9708 Paper 1?",
				tag.RowsAffected(), students, practiceQuestions, practiceQuestions)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, `VACUUM (ANALYZE) public.exams, public.exam_questions, public.answers, public.questions,
		public.question_syllabus_points, public.syllabus_points`); err != nil {
		return err
	}
	w.practice = ids
	return nil
}

// choiceBodies are the PUT bodies of the autosave load, one per option.
var choiceBodies = func() [][]byte {
	var b [][]byte
	for _, c := range "ABCD" {
		b = append(b, []byte(`{"choice":"`+string(c)+`"}`))
	}
	return b
}()

var (
	// putAnswer is the autosave path: a random option to a random question of the student's
	// practice exam (saving again replaces the answer).
	putAnswer = endpoint{name: "PUT /api/exams/{id}/answers/{n}", method: "PUT", want: http.StatusOK,
		path: func(w *world, i int, rng *rand.Rand) string {
			return "/api/exams/" + w.practice[i].String() + "/answers/" + strconv.Itoa(1+rng.IntN(practiceQuestions))
		},
		body: func(rng *rand.Rand) []byte { return choiceBodies[rng.IntN(len(choiceBodies))] }}
	// getQuestions is the questions of the student's practice exam.
	getQuestions = endpoint{name: "GET /api/exams/{id}/questions", method: "GET", want: http.StatusOK,
		path: func(w *world, i int, _ *rand.Rand) string {
			return "/api/exams/" + w.practice[i].String() + "/questions"
		}}
)

// checkPractice makes sure, before the loads, that the two endpoints do the work they are
// measured for, as the last bench student: the questions are the exam's 30 MCQs with their
// options (a 200 with no questions would flatter the figures), and a saved answer comes back
// as saved.
func checkPractice(ctx context.Context, base string, w *world) error {
	i := len(w.students) - 1
	call := func(method, path, body string, into any) error {
		req, err := http.NewRequestWithContext(ctx, method, base+path, strings.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+w.tokens[i])
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer r.Body.Close()
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return err
		}
		if r.StatusCode != http.StatusOK {
			return fmt.Errorf("%s %s: %d %.300s", method, path, r.StatusCode, b)
		}
		if err := json.Unmarshal(b, into); err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
		return nil
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var questions struct{ Items []examiner.ExamQuestion }
	if err := call("GET", getQuestions.path(w, i, rng), "", &questions); err != nil {
		return err
	}
	if len(questions.Items) != practiceQuestions {
		return fmt.Errorf("%s: %d questions, want %d", getQuestions.name, len(questions.Items), practiceQuestions)
	}
	for _, q := range questions.Items {
		if q.Kind != examiner.MCQ || len(q.Options) != 4 {
			return fmt.Errorf("%s: question %d is %s with %d options, want MCQ with 4", getQuestions.name, q.Number, q.Kind, len(q.Options))
		}
	}
	var saved examiner.Answer
	path := "/api/exams/" + w.practice[i].String() + "/answers/" + strconv.Itoa(practiceQuestions)
	if err := call("PUT", path, `{"choice":"C"}`, &saved); err != nil {
		return err
	}
	if saved.Number != practiceQuestions || saved.Choice == nil || *saved.Choice != "C" {
		return fmt.Errorf("PUT %s: saved %+v, want question %d with choice C", path, saved, practiceQuestions)
	}
	return nil
}
