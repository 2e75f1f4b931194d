package seed_test

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"examiner/internal/seed"
	"examiner/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

func economics(t *testing.T) (seed.Subject, []seed.Point) {
	t.Helper()
	for _, s := range seed.Subjects {
		if s.Code == "9708" {
			points, err := s.Syllabus()
			if err != nil {
				t.Fatal(err)
			}
			return s, points
		}
	}
	t.Fatal("9708 is not in the catalogue")
	return seed.Subject{}, nil
}

// The syllabus is the whole 9708 outline: AS topics 1–6 and A Level topics 7–11, each followed by
// its sub-topics numbered from 1 without gaps, every point with content a student can use.
func TestThe9708SyllabusIsTheWholeOutlineInCodeOrder(t *testing.T) {
	_, points := economics(t)
	code := regexp.MustCompile(`^9708\.([0-9]+)(?:\.([0-9]+))?$`)
	topic, sub := 0, 0
	var topicPoint seed.Point
	var subTitles []string
	checkTopicLists := func() {
		if topic > 0 && !slices.Equal(topicPoint.Topics, subTitles) {
			t.Errorf("%s lists %q, but its sub-topics are %q", topicPoint.Code, topicPoint.Topics, subTitles)
		}
	}
	for _, p := range points {
		m := code.FindStringSubmatch(p.Code)
		if m == nil {
			t.Fatalf("code %q is not 9708.<topic> or 9708.<topic>.<sub-topic>", p.Code)
		}
		n, _ := strconv.Atoi(m[1])
		if m[2] == "" {
			checkTopicLists()
			if n != topic+1 {
				t.Fatalf("%s follows topic %d", p.Code, topic)
			}
			topic, sub, topicPoint, subTitles = n, 0, p, nil
		} else {
			s, _ := strconv.Atoi(m[2])
			if n != topic || s != sub+1 {
				t.Fatalf("%s follows 9708.%d.%d", p.Code, topic, sub)
			}
			sub = s
			title, _, ok := strings.Cut(p.Description, ": ")
			if !ok {
				t.Errorf("%s: description %q does not start with the sub-topic title", p.Code, p.Description)
			}
			subTitles = append(subTitles, title)
		}
		if strings.TrimSpace(p.Description) == "" || len(p.Topics) == 0 || len(p.LearningOutcomes) == 0 {
			t.Errorf("%s has no description, topics or learning outcomes", p.Code)
		}
		for _, s := range append(slices.Clone(p.Topics), p.LearningOutcomes...) {
			if s == "" || strings.TrimSpace(s) != s {
				t.Errorf("%s: empty or padded entry %q", p.Code, s)
			}
		}
	}
	checkTopicLists()
	if topic != 11 {
		t.Fatalf("the syllabus ends at topic %d, want 11", topic)
	}
}

func TestThe9708PapersAreTheCatalogueOf2023To2025(t *testing.T) {
	s, _ := economics(t)
	want := []seed.Paper{
		{Number: 1, Name: "Multiple Choice", Level: "AS Level", DurationMinutes: 60, TotalMarks: 30},
		{Number: 2, Name: "Data Response and Essays", Level: "AS Level", DurationMinutes: 90, TotalMarks: 60},
		{Number: 3, Name: "Multiple Choice", Level: "A Level", DurationMinutes: 75, TotalMarks: 30},
		{Number: 4, Name: "Data Response and Essays", Level: "A Level", DurationMinutes: 120, TotalMarks: 60},
	}
	if !slices.Equal(s.Papers, want) {
		t.Fatalf("papers: got %+v, want %+v", s.Papers, want)
	}
}

// catalogue is every row of the catalogue and the question bank, ids included, as one text; with
// versions, each row's xmin too (a new one whenever the row is written) and the questions'
// updated_at, which a row put back to what it was does not get back.
func catalogue(t *testing.T, pool *pgxpool.Pool, versions bool) string {
	t.Helper()
	var out string
	err := pool.QueryRow(t.Context(), `
		WITH r (tbl, key, j) AS (
		  SELECT 1, s.code, to_jsonb(s) || CASE WHEN $1 THEN jsonb_build_object('xmin', s.xmin::text) ELSE '{}' END FROM subjects s
		  UNION ALL
		  SELECT 2, p.subject_id || '/' || p.number, to_jsonb(p) || CASE WHEN $1 THEN jsonb_build_object('xmin', p.xmin::text) ELSE '{}' END FROM papers p
		  UNION ALL
		  SELECT 3, sp.subject_id || '/' || sp.code, to_jsonb(sp) || CASE WHEN $1 THEN jsonb_build_object('xmin', sp.xmin::text) ELSE '{}' END FROM syllabus_points sp
		  UNION ALL
		  SELECT 4, q.code, CASE WHEN $1 THEN to_jsonb(q) || jsonb_build_object('xmin', q.xmin::text) ELSE to_jsonb(q) - 'updated_at' END FROM questions q
		  UNION ALL
		  SELECT 5, k.question_id::text, to_jsonb(k) || CASE WHEN $1 THEN jsonb_build_object('xmin', k.xmin::text) ELSE '{}' END FROM question_keys k
		  UNION ALL
		  SELECT 6, qsp.question_id || '/' || qsp.syllabus_point_id, to_jsonb(qsp) || CASE WHEN $1 THEN jsonb_build_object('xmin', qsp.xmin::text) ELSE '{}' END FROM question_syllabus_points qsp
		)
		SELECT string_agg(j::text, E'\n' ORDER BY tbl, key COLLATE "C") FROM r`, versions).Scan(&out)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSeedingTwiceChangesNothing(t *testing.T) {
	t.Parallel()
	pool := testdb.Pool(t)
	s, points := economics(t)
	bank, err := s.Questions()
	if err != nil {
		t.Fatal(err)
	}
	res, err := seed.Run(t.Context(), pool)
	if err != nil {
		t.Fatal(err)
	}
	questions := int64(len(bank.Questions))
	if want := (seed.Result{Added: int64(1 + 4 + len(points)), Questions: seed.QuestionResult{Added: questions}}); res != want {
		t.Fatalf("first run: got %v, want %v", res, want)
	}
	before := catalogue(t, pool, true)
	res, err = seed.Run(t.Context(), pool)
	if err != nil {
		t.Fatal(err)
	}
	if want := (seed.Result{Questions: seed.QuestionResult{Unchanged: questions}}); res != want {
		t.Fatalf("second run: got %v, want no changes", res)
	}
	if after := catalogue(t, pool, true); after != before {
		t.Fatalf("the second run wrote to the catalogue:\nbefore %s\nafter  %s", before, after)
	}
}

func TestSeedingPutsBackWhatWasEdited(t *testing.T) {
	t.Parallel()
	pool := testdb.Pool(t)
	if _, err := seed.Run(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	want := catalogue(t, pool, false)
	// Three catalogue rows; of the questions, a stem, a key and a tag.
	if _, err := pool.Exec(t.Context(), `
		UPDATE papers SET duration_minutes = 1 WHERE number = 2;
		UPDATE syllabus_points SET topics = '{}' WHERE code = '9708.7.6';
		UPDATE subjects SET name = 'Home Economics' WHERE code = '9708';
		UPDATE questions SET stem = 'Edited.' WHERE code = '9708-P1-001';
		UPDATE question_keys SET answer = 'A' WHERE question_id = (SELECT id FROM questions WHERE code = '9708-P1-002');
		DELETE FROM question_syllabus_points WHERE question_id = (SELECT id FROM questions WHERE code = '9708-P3-001')`); err != nil {
		t.Fatal(err)
	}
	res, err := seed.Run(t.Context(), pool)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := economics(t)
	bank, err := s.Questions()
	if err != nil {
		t.Fatal(err)
	}
	if want := (seed.Result{Updated: 3, Questions: seed.QuestionResult{Updated: 3, Unchanged: int64(len(bank.Questions)) - 3}}); res != want {
		t.Fatalf("got %v, want %v", res, want)
	}
	if got := catalogue(t, pool, false); got != want {
		t.Fatalf("the catalogue was not put back:\ngot  %s\nwant %s", got, want)
	}
}
