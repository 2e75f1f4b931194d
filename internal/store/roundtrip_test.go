package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"examiner"
	"examiner/internal/dbsqlc"
	"examiner/internal/password"
	"examiner/internal/store"
)

// Every statement in sql/queries is either one that a request sends alone, as a student, in one
// round trip (tenant.As or tenant.Anonymous: the opening statement and the query in one
// pipeline), or one of these, each with why it is not.
var notOneRoundTrip = map[string]string{
	"RecordOwnEvent":            "in the transactions of logout and password change",
	"ChangePassword":            "PUT /api/students/me/password's transaction, with its event",
	"RevokeTokens":              "POST /api/auth/logout's transaction, with its event",
	"OpenStudentTransaction":    "the opening statement itself, in the pipeline of every other",
	"OpenAnonymousTransaction":  "the opening statement itself, in the pipeline of every other",
	"VerifyStudent":             "the second half of tenant.Run's opening, pipelined with it",
	"SchemaVersion":             "/readyz, as the login role, outside any student's transaction",
	"SubjectID":                 "examiner seed, as the owner",
	"BankSubject":               "examiner seed and questions import|export, as the owner",
	"UpsertQuestion":            "examiner seed and questions import, as the owner",
	"UpsertQuestionKey":         "examiner seed and questions import, as the owner",
	"SetQuestionSyllabusPoints": "examiner seed and questions import, as the owner",
	"TouchQuestion":             "examiner seed and questions import, as the owner",
	"ExportQuestions":           "examiner questions export, as the owner",
	"MoveExam":                  "in SetExamStatus's pipeline (tenant.Pipeline), with MarkExam and GetExam: one round trip",
	"MarkExam":                  "in SetExamStatus's pipeline (tenant.Pipeline)",
	"InstallClaimKey":           "examiner keys install, as the owner",
	"ListClaimKeys":             "examiner keys list, as the owner",
	"RetireClaimKey":            "examiner keys retire, as the owner",
	"CheckClaimKey":             "serve's start-up check of its key",
	"LoginRole":                 "serve's start-up check of its login role, before any transaction",
	"LoginRoleDefaults":         "each new connection's check of its login role (tenant.RefuseRoleDefaults)",
	"UpsertSubject":             "examiner seed, as the owner",
	"UpsertPaper":               "examiner seed, as the owner",
	"UpsertSyllabusPoint":       "examiner seed, as the owner",
}

// The point of tenant.As: a request's statement, the student's opening statement and its
// transaction reach the server in one network round trip, once prepared, for every statement a
// request sends alone, in the default mode and in the one for PgBouncer.
func TestEveryStatementARequestSendsAloneTakesOneRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	type call struct {
		statement string
		run       func(s *store.Store, w world) error
	}
	calls := []call{
		{"CreateExam", func(s *store.Store, w world) error {
			_, err := s.CreateExam(ctx, w.student, examiner.NewExam{SubjectCode: "9708", ExamType: examiner.Practice})
			return err
		}},
		{"ListExams", func(s *store.Store, w world) error {
			_, _, err := s.Exams(ctx, w.student, examiner.ExamFilter{}, examiner.Start(), 20)
			return err
		}},
		{"ListExamsFiltered", func(s *store.Store, w world) error {
			_, _, err := s.Exams(ctx, w.student, examiner.ExamFilter{Status: examiner.Pending}, examiner.Start(), 20)
			return err
		}},
		{"GetExam", func(s *store.Store, w world) error {
			exams, _, err := s.Exams(ctx, w.student, examiner.ExamFilter{}, examiner.Start(), 1)
			if err != nil || len(exams) == 0 {
				return err
			}
			w.writes.Store(0) // only the statement under test counts
			_, err = s.ExamByID(ctx, w.student, exams[0].ID)
			return err
		}},
		{"DeleteExam", func(s *store.Store, w world) error {
			e, err := s.CreateExam(ctx, w.student, examiner.NewExam{SubjectCode: "9708", ExamType: examiner.Practice})
			if err != nil {
				return err
			}
			w.writes.Store(0)
			return s.DeleteExam(ctx, w.student, e.ID)
		}},
		{"ListSubjects", func(s *store.Store, w world) error { _, err := s.Subjects(ctx, w.student); return err }},
		{"GetSubject", func(s *store.Store, w world) error { _, err := s.SubjectByCode(ctx, w.student, "9708"); return err }},
		{"GetSyllabus", func(s *store.Store, w world) error {
			_, err := s.Syllabus(ctx, w.student, "9708", []string{"elasticity"})
			return err
		}},
		{"GetProfile", func(s *store.Store, w world) error { _, err := s.Profile(ctx, w.student); return err }},
		{"UpdateProfile", func(s *store.Store, w world) error {
			name := "Ada Lovelace"
			_, err := s.UpdateProfile(ctx, w.student, examiner.ProfileChange{FullName: &name, TargetGrades: examiner.TargetGrades{"9708": "A"}})
			return err
		}},
		{"RecordOwnFailure", func(s *store.Store, w world) error {
			return s.RecordPasswordChangeFailure(ctx, w.student, examiner.ReasonWrongPassword, store.Client{})
		}},
		{"RegisterStudent", func(s *store.Store, w world) error {
			_, err := s.Register(ctx, uuid.NewString()+"@example.com", uuid.NewString()+"@example.com", "not a hash", "Bo", store.Client{})
			return err
		}},
		{"SignIn", func(s *store.Store, w world) error {
			_, _, reason, err := s.SignIn(ctx, "ada@example.com", "ada@example.com", password.Prehash("a wrong password"), 4, store.Client{})
			if err == nil && reason != examiner.ReasonWrongPassword {
				return fmt.Errorf("signing in with a wrong password: got reason %q", reason)
			}
			return err
		}},
		{"RecordAuthFailure", func(s *store.Store, w world) error {
			return s.RecordAuthFailure(ctx, examiner.EventLogin, "nobody@example.com", "nobody@example.com", examiner.ReasonUnknownEmail, store.Client{})
		}},
		{"ExamQuestions", func(s *store.Store, w world) error {
			id, err := startedExam(s, w)
			if err != nil {
				return err
			}
			w.writes.Store(0)
			_, err = s.ExamQuestions(ctx, w.student, id)
			return err
		}},
		{"SaveAnswer", func(s *store.Store, w world) error {
			id, err := startedExam(s, w)
			if err != nil {
				return err
			}
			w.writes.Store(0)
			_, err = s.SaveAnswer(ctx, w.student, id, 1, strp("A"), nil)
			return err
		}},
		{"ListAnswers", func(s *store.Store, w world) error {
			id, err := startedExam(s, w)
			if err != nil {
				return err
			}
			w.writes.Store(0)
			_, err = s.Answers(ctx, w.student, id)
			return err
		}},
		{"Review", func(s *store.Store, w world) error {
			id, err := completedExam(s, w, 1)
			if err != nil {
				return err
			}
			w.writes.Store(0)
			_, err = s.Review(ctx, w.student, id)
			return err
		}},
		{"SelfMark", func(s *store.Store, w world) error {
			id, err := completedExam(s, w, 2)
			if err != nil {
				return err
			}
			w.writes.Store(0)
			_, err = s.SelfMark(ctx, w.student, id, 1, 3)
			return err
		}},
		{"Progress", func(s *store.Store, w world) error { _, err := s.Progress(ctx, w.student, "9708"); return err }},
		{"ListAuthEvents", func(s *store.Store, w world) error {
			_, _, err := s.AuthEvents(ctx, w.student, "", examiner.Start(), 20)
			return err
		}},
	}

	t.Run("every statement is covered", func(t *testing.T) {
		covered := map[string]bool{}
		for _, c := range calls {
			covered[c.statement] = true
		}
		for name := range dbsqlc.Statements {
			if _, excused := notOneRoundTrip[name]; !covered[name] && !excused {
				t.Errorf("sql/queries statement %s: no case in this test, and not in notOneRoundTrip with a reason", name)
			}
		}
		for name := range covered {
			if _, ok := dbsqlc.Statements[name]; !ok {
				t.Errorf("case %s names no statement of sql/queries", name)
			}
		}
	})

	for _, mode := range []struct {
		name    string
		mode    pgx.QueryExecMode
		private bool
	}{
		{"private statements (serve's default)", pgx.QueryExecModeCacheDescribe, true},
		{"cache_statement", pgx.QueryExecModeCacheStatement, false},
		{"exec (for PgBouncer)", pgx.QueryExecModeExec, false},
	} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, mode.mode, mode.private)
			s := store.New(w.pool)
			for _, c := range calls {
				// The first call connects and prepares; the second is the steady state.
				if err := c.run(s, w); err != nil {
					t.Fatalf("%s: %v", c.statement, err)
				}
				w.writes.Store(0)
				if err := c.run(s, w); err != nil {
					t.Fatalf("%s: %v", c.statement, err)
				}
				if got := w.writes.Load(); got != 1 {
					t.Errorf("%s: got %d round trips (network writes), want 1", c.statement, got)
				}
			}
		})
	}
}

// The statements a request sends alone are all of sql/queries but notOneRoundTrip; the list
// cannot name what is not there.
func TestTheExcusedStatementsExist(t *testing.T) {
	t.Parallel()
	var names []string
	for name := range notOneRoundTrip {
		if _, ok := dbsqlc.Statements[name]; !ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	if len(names) > 0 {
		t.Errorf("notOneRoundTrip names statements sql/queries does not have: %v", names)
	}
}

// startedExam is a new PRACTICE exam of w's student, IN_PROGRESS.
func startedExam(s *store.Store, w world) (uuid.UUID, error) {
	ctx := context.Background()
	e, err := s.CreateExam(ctx, w.student, examiner.NewExam{SubjectCode: "9708", ExamType: examiner.Practice, PaperNumber: intp(1), QuestionCount: intp(3)})
	if err != nil {
		return uuid.Nil, err
	}
	_, err = s.SetExamStatus(ctx, w.student, e.ID, examiner.InProgress)
	return e.ID, err
}

// completedExam is a new FULL_PAPER exam of paper, with question 1 answered, COMPLETED.
func completedExam(s *store.Store, w world, paper int) (uuid.UUID, error) {
	ctx := context.Background()
	e, err := s.CreateExam(ctx, w.student, examiner.NewExam{SubjectCode: "9708", ExamType: examiner.FullPaper, PaperNumber: intp(paper)})
	if err != nil {
		return uuid.Nil, err
	}
	if _, err := s.SetExamStatus(ctx, w.student, e.ID, examiner.InProgress); err != nil {
		return uuid.Nil, err
	}
	choice, text := strp("A"), (*string)(nil)
	if paper == 2 || paper == 4 {
		choice, text = nil, strp("An answer.")
	}
	if _, err := s.SaveAnswer(ctx, w.student, e.ID, 1, choice, text); err != nil {
		return uuid.Nil, err
	}
	_, err = s.SetExamStatus(ctx, w.student, e.ID, examiner.Completed)
	return e.ID, err
}

// Submitting an exam, with its marking, is one pipeline: the move, the marking and the exam read
// back travel together (the issue allows three round trips).
func TestSubmittingAnExamWithItsMarkingTakesOneRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, pgx.QueryExecModeCacheDescribe, true)
	s := store.New(w.pool)
	for range 2 { // the first prepares
		id, err := startedExam(s, w)
		if err != nil {
			t.Fatal(err)
		}
		w.writes.Store(0)
		e, err := s.SetExamStatus(ctx, w.student, id, examiner.Completed)
		if err != nil || e.MarkedAt == nil {
			t.Fatalf("submit: %+v, %v", e, err)
		}
	}
	if got := w.writes.Load(); got != 1 {
		t.Fatalf("submitting with marking: %d round trips, want 1", got)
	}
}
