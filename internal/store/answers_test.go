package store_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"examiner"
	"examiner/internal/store"
)

func intp(n int) *int              { return &n }
func strp(s string) *string        { return &s }
func code(err error) examiner.Code { return examiner.ErrorOf(err).Code }

// A full Paper 1: 30 questions from the bank, answered, submitted and marked; the score is the
// number of answers that match the keys the review shows, and the keys show only after submitting.
func TestAFullPaperIsAnsweredSubmittedMarkedAndReviewed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, pgx.QueryExecModeCacheDescribe, true)
	s := store.New(w.pool)
	exam, err := s.CreateExam(ctx, w.student, examiner.NewExam{SubjectCode: "9708", ExamType: examiner.FullPaper, PaperNumber: intp(1)})
	if err != nil {
		t.Fatal(err)
	}
	if exam.QuestionCount != 30 || exam.Score != nil {
		t.Fatalf("created: %d questions, score %v; want 30 and none", exam.QuestionCount, exam.Score)
	}
	if _, err := s.ExamQuestions(ctx, w.student, exam.ID); code(err) != examiner.Conflict {
		t.Fatalf("questions of a PENDING exam: got %v, want a conflict", err)
	}
	if _, err := s.SetExamStatus(ctx, w.student, exam.ID, examiner.InProgress); err != nil {
		t.Fatal(err)
	}
	questions, err := s.ExamQuestions(ctx, w.student, exam.ID)
	if err != nil || len(questions) != 30 {
		t.Fatalf("questions: got %d (%v), want 30", len(questions), err)
	}
	if _, err := s.Review(ctx, w.student, exam.ID); code(err) != examiner.Conflict {
		t.Fatalf("review before submitting: got %v, want a conflict", err)
	}
	for _, q := range questions {
		if q.Kind != examiner.MCQ || len(q.Options) != 4 || q.Marks != 1 || len(q.SyllabusPoints) == 0 {
			t.Fatalf("question %d: %+v, want an MCQ of 1 mark with 4 options and its syllabus points", q.Number, q)
		}
		if _, err := s.SaveAnswer(ctx, w.student, exam.ID, q.Number, strp("A"), nil); err != nil {
			t.Fatalf("answer %d: %v", q.Number, err)
		}
	}
	// Saving again replaces (autosave); a written answer to an MCQ and a choice that is no
	// option are refused.
	if a, err := s.SaveAnswer(ctx, w.student, exam.ID, 1, strp("B"), nil); err != nil || *a.Choice != "B" {
		t.Fatalf("answer 1 again: got %+v, %v", a, err)
	}
	if _, err := s.SaveAnswer(ctx, w.student, exam.ID, 2, nil, strp("an essay")); code(err) != examiner.Invalid {
		t.Fatalf("text for an MCQ: got %v, want invalid", err)
	}
	if _, err := s.SaveAnswer(ctx, w.student, exam.ID, 31, strp("A"), nil); code(err) != examiner.NotFound {
		t.Fatalf("question 31 of 30: got %v, want not found", err)
	}
	answers, err := s.Answers(ctx, w.student, exam.ID)
	if err != nil || len(answers) != 30 {
		t.Fatalf("answers: got %d (%v), want 30", len(answers), err)
	}

	done, err := s.SetExamStatus(ctx, w.student, exam.ID, examiner.Completed)
	if err != nil {
		t.Fatal(err)
	}
	review, err := s.Review(ctx, w.student, exam.ID)
	if err != nil || len(review) != 30 {
		t.Fatalf("review: got %d (%v), want 30", len(review), err)
	}
	right := 0
	for _, item := range review {
		if item.Key == nil || item.Explanation == "" || item.MarksAwarded == nil {
			t.Fatalf("review item %d: %+v, want its key, explanation and marks", item.Number, item)
		}
		if *item.Choice == *item.Key {
			right++
			if *item.MarksAwarded != 1 {
				t.Fatalf("item %d answered right: %d marks, want 1", item.Number, *item.MarksAwarded)
			}
		}
	}
	if done.Score == nil || *done.Score != right || done.MaxScore == nil || *done.MaxScore != 30 || done.MarkedAt == nil {
		t.Fatalf("submitted: score %v of %v (marked %v), want %d of 30 as the review's keys say", done.Score, done.MaxScore, done.MarkedAt, right)
	}
	// Completed: no more answers; the progress by syllabus point counts all 30.
	if _, err := s.SaveAnswer(ctx, w.student, exam.ID, 1, strp("C"), nil); code(err) != examiner.Conflict {
		t.Fatalf("answer after submitting: got %v, want a conflict", err)
	}
	points, err := s.Progress(ctx, w.student, "9708")
	if err != nil || len(points) == 0 {
		t.Fatalf("progress: %d points (%v)", len(points), err)
	}
	for i := 1; i < len(points); i++ {
		if float64(points[i-1].Marks)/float64(points[i-1].MaxMarks) > float64(points[i].Marks)/float64(points[i].MaxMarks) {
			t.Fatalf("progress is not weakest first: %+v before %+v", points[i-1], points[i])
		}
	}
}

// A written paper: answers are text, the MCQ marking leaves them unmarked, and a self-mark
// within the question's marks counts in the score; one beyond them is refused.
func TestAWrittenAnswerCountsOnceSelfMarked(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, pgx.QueryExecModeCacheDescribe, true)
	s := store.New(w.pool)
	exam, err := s.CreateExam(ctx, w.student, examiner.NewExam{SubjectCode: "9708", ExamType: examiner.FullPaper, PaperNumber: intp(2)})
	if err != nil {
		t.Fatal(err)
	}
	if exam.QuestionCount != 2 {
		t.Fatalf("paper 2: %d questions, want a data response and an essay", exam.QuestionCount)
	}
	if _, err := s.SetExamStatus(ctx, w.student, exam.ID, examiner.InProgress); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveAnswer(ctx, w.student, exam.ID, 1, strp("B"), nil); code(err) != examiner.Invalid {
		t.Fatalf("a choice for a written question: got %v, want invalid", err)
	}
	if _, err := s.SaveAnswer(ctx, w.student, exam.ID, 1, nil, strp("Demand is price inelastic because…")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SelfMark(ctx, w.student, exam.ID, 1, 5); code(err) != examiner.Conflict {
		t.Fatalf("self-mark before submitting: got %v, want a conflict", err)
	}
	done, err := s.SetExamStatus(ctx, w.student, exam.ID, examiner.Completed)
	if err != nil {
		t.Fatal(err)
	}
	if *done.Score != 0 || *done.MaxScore != 0 {
		t.Fatalf("a written paper marked: %d of %d, want 0 of 0 until self-marked", *done.Score, *done.MaxScore)
	}
	if _, err := s.SelfMark(ctx, w.student, exam.ID, 1, 21); code(err) != examiner.Invalid {
		t.Fatalf("self-mark of 21 on a question of 20: got %v, want invalid", err)
	}
	score, err := s.SelfMark(ctx, w.student, exam.ID, 1, 12)
	if err != nil || score != 12 {
		t.Fatalf("self-mark 12: got %d, %v", score, err)
	}
	review, err := s.Review(ctx, w.student, exam.ID)
	if err != nil || !review[0].SelfMarked || *review[0].MarksAwarded != 12 || len(review[0].MarkSchemes) == 0 {
		t.Fatalf("review: %+v (%v), want question 1 self-marked 12 with its mark schemes", review, err)
	}
}

// Not enough questions in the bank for what is asked: invalid, saying how many there are, and
// no exam made.
func TestAnExamTheBankCannotFillIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, pgx.QueryExecModeCacheDescribe, true)
	s := store.New(w.pool)
	_, err := s.CreateExam(ctx, w.student, examiner.NewExam{SubjectCode: "9708", ExamType: examiner.Practice,
		PaperNumber: intp(1), QuestionCount: intp(50)})
	if e := examiner.ErrorOf(err); e.Code != examiner.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != "question_count" {
		t.Fatalf("50 questions of paper 1: got %v, want question_count invalid", err)
	}
	exams, _, err := s.Exams(ctx, w.student, examiner.ExamFilter{}, examiner.Start(), 10)
	if err != nil || len(exams) != 0 {
		t.Fatalf("exams after the refusal: %d (%v), want none", len(exams), err)
	}
}

// A TIMED exam takes answers until started_at + duration + the grace, by the database's clock;
// past it the next answer is refused, and the exam is completed and marked with what it has.
func TestATimedExamWhoseTimeIsUpTakesNoMoreAnswersAndIsCompleted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, pgx.QueryExecModeCacheDescribe, true)
	s := store.New(w.pool)
	exam, err := s.CreateExam(ctx, w.student, examiner.NewExam{SubjectCode: "9708", ExamType: examiner.Timed, PaperNumber: intp(3), QuestionCount: intp(5)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetExamStatus(ctx, w.student, exam.ID, examiner.InProgress); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveAnswer(ctx, w.student, exam.ID, 1, strp("A"), nil); err != nil {
		t.Fatal(err)
	}
	// The exam started its duration and 29 s ago: the grace (30 s) still lets it take answers.
	move := func(ago string) {
		t.Helper()
		if _, err := w.owner.Exec(ctx, `UPDATE public.exams SET started_at = now() - make_interval(mins => duration_minutes) - $2::interval WHERE id = $1`,
			exam.ID, ago); err != nil {
			t.Fatal(err)
		}
	}
	move("29 seconds")
	if _, err := s.SaveAnswer(ctx, w.student, exam.ID, 2, strp("B"), nil); err != nil {
		t.Fatalf("an answer within the grace: %v", err)
	}
	move("31 seconds")
	if _, err := s.SaveAnswer(ctx, w.student, exam.ID, 3, strp("C"), nil); code(err) != examiner.Conflict {
		t.Fatalf("an answer past the deadline: got %v, want a conflict", err)
	}
	got, err := s.ExamByID(ctx, w.student, exam.ID)
	if err != nil || got.Status != examiner.Completed || got.MarkedAt == nil || *got.MaxScore != 5 {
		t.Fatalf("after the deadline: %+v (%v), want it COMPLETED and marked out of its 5 questions", got, err)
	}
	answers, err := s.Answers(ctx, w.student, exam.ID)
	if err != nil || len(answers) != 2 {
		t.Fatalf("answers kept: %d (%v), want the 2 given in time", len(answers), err)
	}
}
