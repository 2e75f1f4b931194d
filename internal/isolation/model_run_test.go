package isolation_test

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"examiner/httpapi"
	"examiner/internal/password"
	"examiner/internal/ratelimit"
	"examiner/internal/seed"
	"examiner/internal/store"
	"examiner/internal/testdb"
	"examiner/internal/token"
	"examiner/tenant"
)

// The kinds of violation. A run stops at its first one.
const (
	modelServerError  = "server error"
	modelForeignRow   = "foreign row visible"
	modelForeignWrite = "foreign write succeeded"
	modelBadSignIn    = "revoked token or wrong password accepted"
	modelMismatch     = "differs from the model"
	modelKeyLeak      = "key visible before completion"
)

// modelFullCheckEvery is how often (in steps) every student's view and the database are checked,
// besides the acting student's view after every step.
const modelFullCheckEvery = 10

// modelViolation is the first thing a run found wrong.
type modelViolation struct {
	Step   int // index in the sequence
	Op     modelOp
	Kind   string
	Detail string
}

// modelOutcome is what running a sequence gave.
type modelOutcome struct {
	Steps     int // steps run, the failing one included
	Requests  int
	Practice  modelTally
	Violation *modelViolation
}

// modelWrap builds a middleware around one fresh server: nil for the real API, a deliberately
// broken one to prove that the checker can fail.
type modelWrap func(http.Handler) http.Handler

// modelRun runs one sequence on a fresh database and server and checks it against the model.
type modelRun struct {
	t        testing.TB
	ctx      context.Context
	base     string
	client   *http.Client
	pool     *pgxpool.Pool
	requests int
	step     int
	op       modelOp
	students []*modelStudent
	// owners maps every id a run has learnt (students, exams deleted or not, events) to the
	// student it belongs to: any of them in a response to someone else is a leak.
	owners   map[string]int
	notFound *modelProblem // the first 404 for an exam: every other must read the same
	found    *modelViolation
	practice modelPractice
}

// modelStudent is what the model knows of one student.
type modelStudent struct {
	index        int
	email        string
	password     string
	oldPasswords []string
	name         string
	grades       map[string]string
	renames      int
	registered   bool
	id           string
	tokens       []string // valid, the newest last
	revoked      []string
	exams        []modelExam // live, oldest first
	deleted      []modelExam
	events       map[string]int // kind/succeeded/reason → how many the trail must hold
	cursor       *modelCursor   // the last next_cursor it was given, for others to try
}

type modelExam struct {
	ID, Status, Subject, Type string
	QuestionCount             int
	Work                      *modelWork // shared by the copies: what was asked, answered and marked
}

type modelCursor struct{ query, value string }

func (s *modelStudent) String() string { return fmt.Sprintf("student%d", s.index) }

func (s *modelStudent) token() string {
	if len(s.tokens) == 0 {
		return ""
	}
	return s.tokens[len(s.tokens)-1]
}

func modelEventKey(kind string, succeeded bool, reason string) string {
	return fmt.Sprintf("%s/%t/%s", kind, succeeded, reason)
}

// modelAbort unwinds a step at its first violation; modelRun.do recovers it.
type modelAbort struct{}

const modelSecret = "isolation-model-secret-of-at-least-thirty-two-bytes"

// modelLimits are sign-in, password-change and registration limits that a run never meets.
var modelLimits = httpapi.Limits{
	LoginFailuresPerAccount:          ratelimit.Limit{Burst: 1000, Per: time.Millisecond},
	LoginFailuresPerAddress:          ratelimit.Limit{Burst: 1000, Per: time.Millisecond},
	RegistrationsPerAddress:          ratelimit.Limit{Burst: 1000, Per: time.Millisecond},
	PasswordChangeFailuresPerAccount: ratelimit.Limit{Burst: 1000, Per: time.Millisecond},
	PasswordChangeFailuresPerAddress: ratelimit.Limit{Burst: 1000, Per: time.Millisecond},
}

// modelExecute runs ops on a fresh migrated and seeded database behind a fresh server (wrapped
// by wrap unless nil) until the first violation.
func modelExecute(t testing.TB, ops []modelOp, wrap modelWrap) modelOutcome {
	t.Helper()
	ctx := t.Context()
	url := testdb.URL(t)
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatalf("isolation: %v", err)
	}
	defer pool.Close()
	if _, err := seed.Run(ctx, pool); err != nil {
		t.Fatalf("isolation: seed: %v", err)
	}
	// The server logs in as examiner_authenticator, as serve does, with private statements.
	cfg, err := pgxpool.ParseConfig(testdb.LoginURL(url))
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.DefaultQueryExecMode, cfg.AfterConnect = pgx.QueryExecModeCacheDescribe, tenant.UsePrivateStatements
	server, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	tokens, err := token.NewIssuer([]byte(modelSecret), 24*time.Hour, "examiner", "examiner-api")
	if err != nil {
		t.Fatal(err)
	}
	hasher, err := password.NewHasher(4, 4)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = httpapi.NewServer(httpapi.Deps{
		DB: server, Store: store.New(server), Tokens: tokens, Claims: testdb.Claims, Passwords: hasher, Limits: modelLimits,
	})
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	r := &modelRun{t: t, ctx: ctx, base: srv.URL, client: srv.Client(), pool: pool, owners: map[string]int{}}
	r.practice = modelCatalogue(t, ctx, pool)
	for i := range modelStudents {
		r.students = append(r.students, &modelStudent{
			index: i, email: fmt.Sprintf("student%d@example.com", i), password: fmt.Sprintf("first password of student%d", i),
			name: fmt.Sprintf("Student %d", i), grades: map[string]string{}, events: map[string]int{},
		})
	}
	out := modelOutcome{}
	for i, op := range ops {
		out.Steps = i + 1
		if !r.do(i, op, i == len(ops)-1) {
			break
		}
	}
	out.Requests, out.Practice, out.Violation = r.requests, r.practice.tally, r.found
	return out
}

// do runs one step and its checks; false means it found a violation.
func (r *modelRun) do(i int, op modelOp, last bool) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			if _, abort := v.(modelAbort); !abort {
				panic(v)
			}
			ok = false
		}
	}()
	r.step, r.op = i, op
	r.apply(op)
	r.checkView(r.students[op.Actor], false)
	if (i+1)%modelFullCheckEvery == 0 || last {
		for _, s := range r.students {
			r.checkView(s, true)
		}
		r.checkDatabase()
	}
	return true
}

// violate records the run's first violation and abandons the step.
func (r *modelRun) violate(kind, format string, args ...any) {
	r.found = &modelViolation{Step: r.step, Op: r.op, Kind: kind, Detail: fmt.Sprintf(format, args...)}
	panic(modelAbort{})
}

func (r *modelRun) apply(op modelOp) {
	switch op.Kind {
	case modelRegister:
		r.opRegister(op)
	case modelLogin:
		s := r.students[op.Actor]
		if !s.registered {
			r.register(s)
		}
		r.login(s, modelSpell(s.email, op.Choice/2), op.Choice%2 == 1)
	case modelLoginWrong:
		r.opLoginWrong(op)
	case modelLogout:
		s := r.session(op.Actor)
		r.want(r.send(s.index, "POST", "/api/auth/logout", s.token(), "", nil), http.StatusNoContent, "%s logs out", s)
		s.events[modelEventKey("logout", true, "")]++
		r.revokeAll(s, "logged out")
	case modelChangePassword:
		r.opChangePassword(op)
	case modelCreateExam:
		r.opCreateExam(op)
	case modelListExams:
		s := r.session(op.Actor)
		f, size := modelExamFilters[op.Choice/len(modelExamPageSizes)], modelExamPageSizes[op.Choice%len(modelExamPageSizes)]
		got, first := r.listExams(s, f.query, "", size)
		r.compareExams(s, got, modelKeep(s.exams, f.keep), "GET /api/exams?"+f.query)
		if first != "" {
			s.cursor = &modelCursor{query: f.query, value: first}
		}
	case modelForeignCursor:
		r.opForeignCursor(op)
	case modelGetExam, modelPatchExam, modelDeleteExam:
		r.opExam(op)
	case modelGetMe:
		r.checkProfile(r.session(op.Actor))
	case modelPatchMe:
		r.opPatchMe(op)
	case modelListEvents:
		s := r.session(op.Actor)
		kind, size := modelEventKinds[op.Choice/len(modelEventPageSizes)], modelEventPageSizes[op.Choice%len(modelEventPageSizes)]
		r.checkEvents(s, kind, size)
	case modelStaleToken:
		r.opStaleToken(op)
	case modelSmuggleQuery:
		r.opSmuggleQuery(op)
	case modelMoveExam:
		r.opMoveExam(op)
	case modelReadQuestions:
		r.opReadQuestions(op)
	case modelSaveAnswer:
		r.opSaveAnswer(op)
	case modelListAnswers:
		r.opListAnswers(op)
	case modelReview:
		r.opReview(op)
	case modelSelfMark:
		r.opSelfMark(op)
	case modelProgress:
		r.opProgress(op)
	default:
		r.t.Fatalf("isolation: unknown operation kind %d", op.Kind)
	}
}

// session is student i, registered and signed in first if need be.
func (r *modelRun) session(i int) *modelStudent {
	s := r.students[i]
	if !s.registered {
		r.register(s)
	}
	if s.token() == "" {
		r.login(s, s.email, false)
	}
	return s
}

func (r *modelRun) register(s *modelStudent) {
	res := r.send(s.index, "POST", "/api/auth/register", "", "application/json",
		modelJSON(map[string]string{"email": s.email, "password": s.password, "full_name": s.name}))
	r.want(res, http.StatusCreated, "%s registers", s)
	var p modelWireProfile
	r.decode(res, &p, "the new profile")
	if owner, ok := r.owners[p.ID]; ok {
		r.violate(modelForeignRow, "%s registered and got the profile id of %s", s, r.students[owner])
	}
	if p.Email != s.email || p.FullName != s.name || len(p.TargetGrades) != 0 {
		r.violate(modelMismatch, "%s registered as %q, %q and got %s", s, s.email, s.name, res.body)
	}
	s.registered, s.id = true, p.ID
	r.owners[p.ID] = s.index
	s.events[modelEventKey("register", true, "")]++
}

func (r *modelRun) login(s *modelStudent, email string, form bool) {
	res := r.signIn(s.index, email, s.password, form)
	r.want(res, http.StatusOK, "%s signs in", s)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	r.decode(res, &tok, "the sign-in answer")
	if tok.AccessToken == "" {
		r.violate(modelMismatch, "%s signed in and got no token: %s", s, res.body)
	}
	s.tokens = append(s.tokens, tok.AccessToken)
	s.events[modelEventKey("login", true, "")]++
}

func (r *modelRun) signIn(viewer int, email, pw string, form bool) modelResp {
	if form {
		body := url.Values{"grant_type": {"password"}, "username": {email}, "password": {pw}}.Encode()
		return r.send(viewer, "POST", "/api/auth/login", "", "application/x-www-form-urlencoded", []byte(body))
	}
	return r.send(viewer, "POST", "/api/auth/login", "", "application/json",
		modelJSON(map[string]string{"email": email, "password": pw}))
}

func (r *modelRun) opRegister(op modelOp) {
	tgt := r.students[op.Target]
	if !tgt.registered {
		r.register(tgt)
		return
	}
	email := modelSpell(tgt.email, op.Choice)
	// Anonymous: the answer must tell nobody anything but that the email is taken.
	res := r.send(-1, "POST", "/api/auth/register", "", "application/json", modelJSON(map[string]string{
		"email": email, "password": fmt.Sprintf("intruder password of student%d", op.Actor), "full_name": "Intruder"}))
	if res.status < 300 {
		r.violate(modelForeignWrite, "registering the taken email %q of %s again: %d %s", email, tgt, res.status, res.body)
	}
	r.want(res, http.StatusConflict, "registering the taken email %q of %s", email, tgt)
	tgt.events[modelEventKey("register", false, "duplicate_email")]++
	r.checkDatabase() // the account is untouched
}

func (r *modelRun) opLoginWrong(op modelOp) {
	tgt := r.students[op.Target]
	pw := "a made-up password nobody has"
	if op.Choice == 1 && len(tgt.oldPasswords) > 0 {
		pw = tgt.oldPasswords[op.Slot%len(tgt.oldPasswords)]
	}
	res := r.signIn(-1, tgt.email, pw, false)
	if res.status < 300 {
		r.violate(modelBadSignIn, "student%d signed in as %s with a wrong password", op.Actor, tgt)
	}
	r.want(res, http.StatusUnauthorized, "signing in as %s with a wrong password", tgt)
	if tgt.registered { // a failure on an email is filed under its account
		tgt.events[modelEventKey("login", false, "wrong_password")]++
	}
}

// revokeAll moves s's tokens to the revoked ones and checks that they are refused.
func (r *modelRun) revokeAll(s *modelStudent, why string) {
	just := s.tokens
	s.revoked, s.tokens = append(s.revoked, just...), nil
	for _, tok := range just[max(0, len(just)-3):] {
		r.wantRefused(s, tok, "a token of "+s.String()+" after it "+why)
	}
}

func (r *modelRun) wantRefused(s *modelStudent, tok, what string) {
	res := r.send(s.index, "GET", "/api/students/me", tok, "", nil)
	if res.status < 300 {
		r.violate(modelBadSignIn, "%s was accepted: %d %s", what, res.status, res.body)
	}
	r.want(res, http.StatusUnauthorized, "%s", what)
	if !strings.HasPrefix(res.header.Get("WWW-Authenticate"), "Bearer") {
		r.violate(modelMismatch, "%s: a 401 without WWW-Authenticate: Bearer", what)
	}
}

func (r *modelRun) opChangePassword(op modelOp) {
	s := r.session(op.Actor)
	current, next := s.password, fmt.Sprintf("password %d of student%d", len(s.oldPasswords)+2, s.index)
	switch op.Choice {
	case 1:
		current = "not the current password"
	case 2:
		next = "short"
	}
	res := r.send(s.index, "PUT", "/api/students/me/password", s.token(), "application/json",
		modelJSON(map[string]string{"current_password": current, "new_password": next}))
	if op.Choice != 0 {
		r.want(res, http.StatusUnprocessableEntity, "%s changes the password with a bad request", s)
		if op.Choice == 1 { // a checked guess; a new password too short is refused before any check
			s.events[modelEventKey("password_change_failed", false, "wrong_password")]++
		}
		return
	}
	r.want(res, http.StatusNoContent, "%s changes the password", s)
	s.oldPasswords, s.password = append(s.oldPasswords, current), next
	s.events[modelEventKey("password_change", true, "")]++
	r.revokeAll(s, "changed the password")
	if res := r.signIn(s.index, s.email, current, false); res.status < 300 {
		r.violate(modelBadSignIn, "%s signed in with the password it just changed", s)
	} else {
		r.want(res, http.StatusUnauthorized, "%s signs in with its old password", s)
	}
	s.events[modelEventKey("login", false, "wrong_password")]++
	r.login(s, s.email, false)
}

func (r *modelRun) opCreateExam(op modelOp) {
	s, b := r.session(op.Actor), modelExamBodies[op.Choice]
	body := map[string]any{"subject_code": b.subject, "exam_type": b.typ}
	if b.paper != 0 {
		body["paper_number"] = b.paper
	}
	if b.duration != 0 {
		body["duration_minutes"] = b.duration
	}
	if b.count != 0 {
		body["question_count"] = b.count
	}
	if b.point != "" {
		body["syllabus_points"] = []string{b.point}
	}
	if b.smuggle {
		body["student_id"] = r.idOf(r.students[op.Target])
	}
	res := r.send(s.index, "POST", "/api/exams", s.token(), "application/json", modelJSON(body))
	if !b.valid {
		r.want(res, http.StatusUnprocessableEntity, "%s creates an exam: %s", s, b.label)
		if b.smuggle {
			r.checkDatabase()
		}
		return
	}
	r.want(res, http.StatusCreated, "%s creates an exam: %s", s, b.label)
	var e modelWireExam
	r.decode(res, &e, "the new exam")
	if owner, ok := r.owners[e.ID]; ok {
		r.violate(modelForeignRow, "%s created an exam and got the id %s of %s's", s, e.ID, r.students[owner])
	}
	if e.Status != "PENDING" || e.SubjectCode != b.subject || e.ExamType != b.typ || e.QuestionCount != b.questions ||
		e.Score != nil || e.MaxScore != nil {
		r.violate(modelMismatch, "%s created %s (%d questions) and got %s", s, b.label, b.questions, res.body)
	}
	if loc := res.header.Get("Location"); loc != "/api/exams/"+e.ID {
		r.violate(modelMismatch, "Location: got %q, want /api/exams/%s", loc, e.ID)
	}
	r.owners[e.ID] = s.index
	s.exams = append(s.exams, modelExam{ID: e.ID, Status: e.Status, Subject: e.SubjectCode, Type: e.ExamType,
		QuestionCount: e.QuestionCount, Work: &modelWork{kind: b.kind, point: b.point, answers: map[int]modelAnswer{}, selfMarks: map[int]int{}}})
}

// idOf is s's id, or a well-formed id of nobody while s has none.
func (r *modelRun) idOf(s *modelStudent) string {
	if s.id == "" {
		return "00000000-0000-4000-8000-000000000000"
	}
	return s.id
}

func (r *modelRun) opForeignCursor(op modelOp) {
	s, tgt := r.session(op.Actor), r.students[op.Target]
	if tgt.cursor == nil {
		res := r.send(s.index, "GET", "/api/exams?cursor=bm90LWEtY3Vyc29y", s.token(), "", nil)
		r.want(res, http.StatusUnprocessableEntity, "%s lists exams with a made-up cursor", s)
		return
	}
	// A cursor only says where a page starts: with it, a student may see only their own exams.
	got, _ := r.listExams(s, tgt.cursor.query, tgt.cursor.value, 3)
	what := fmt.Sprintf("GET /api/exams?%s with %s's cursor", tgt.cursor.query, tgt)
	f := modelExamFilters[slices.IndexFunc(modelExamFilters, func(f modelExamFilter) bool { return f.query == tgt.cursor.query })]
	own := modelKeep(s.exams, f.keep)
	r.checkForeign(s, got, what)
	for _, e := range got {
		if !slices.ContainsFunc(own, func(m modelExam) bool { return m.ID == e.ID }) {
			r.violate(modelMismatch, "%s: exam %s is not one of %s's listed exams", what, e.ID, s)
		}
	}
}

// opExam reads, moves or deletes an exam named by slot: the actor's own or the target's.
func (r *modelRun) opExam(op modelOp) {
	s, tgt := r.session(op.Actor), r.students[op.Target]
	refs := modelExamRefs
	ref := refs[op.Choice%len(refs)]
	status := ""
	if op.Kind == modelPatchExam {
		ref, status = refs[op.Choice/len(modelStatuses)], modelStatuses[op.Choice%len(modelStatuses)]
	}
	id, live := "", (*modelExam)(nil)
	switch {
	case ref == "malformed":
		id = "not-an-exam-id"
	case ref == "deleted" && len(tgt.deleted) > 0:
		id = tgt.deleted[op.Slot%len(tgt.deleted)].ID
	case ref == "live" && len(tgt.exams) > 0:
		live = &tgt.exams[op.Slot%len(tgt.exams)]
		id = live.ID
	default:
		id = fmt.Sprintf("00000000-0000-4000-8000-%012d", op.Slot+1)
	}
	if status == "next" {
		status = "IN_PROGRESS"
		if live != nil {
			status = cmp.Or(modelNext[live.Status], "COMPLETED")
		}
	}
	own := live != nil && tgt == s
	path := "/api/exams/" + id
	what := fmt.Sprintf("%s %s %s", s, map[modelKind]string{modelGetExam: "GET", modelPatchExam: "PATCH", modelDeleteExam: "DELETE"}[op.Kind], path)
	if own {
		what += " (its own)"
	} else if owner, ok := r.owners[id]; ok {
		what += fmt.Sprintf(" (%s's)", r.students[owner])
	}

	var res modelResp
	switch op.Kind {
	case modelGetExam:
		res = r.send(s.index, "GET", path, s.token(), "", nil)
	case modelPatchExam:
		res = r.send(s.index, "PATCH", path, s.token(), "application/json", modelJSON(map[string]string{"status": status}))
	case modelDeleteExam:
		res = r.send(s.index, "DELETE", path, s.token(), "", nil)
	}

	if !own {
		if res.status < 300 {
			owner, known := r.owners[id]
			switch {
			case known && owner != s.index && op.Kind == modelGetExam:
				r.violate(modelForeignRow, "%s: %d %s", what, res.status, res.body)
			case known && owner != s.index:
				r.violate(modelForeignWrite, "%s: %d %s", what, res.status, res.body)
			}
			r.violate(modelMismatch, "%s: got %d, want 404 (body %s)", what, res.status, res.body)
		}
		r.want(res, http.StatusNotFound, "%s", what)
		r.sameNotFound(res, what)
		if op.Kind != modelGetExam {
			r.checkDatabase() // a refused write changed nothing
		}
		return
	}
	switch op.Kind {
	case modelGetExam:
		r.want(res, http.StatusOK, "%s", what)
		var e modelWireExam
		r.decode(res, &e, what)
		r.compareExam(s, e, *live, what)
	case modelPatchExam:
		if modelNext[live.Status] != status {
			r.want(res, http.StatusConflict, "%s from %s to %s", what, live.Status, status)
			return
		}
		r.want(res, http.StatusOK, "%s from %s to %s", what, live.Status, status)
		live.Status = status
		var e modelWireExam
		r.decode(res, &e, what)
		r.afterMove(s, live, e, what)
	case modelDeleteExam:
		r.want(res, http.StatusNoContent, "%s", what)
		i := slices.IndexFunc(s.exams, func(e modelExam) bool { return e.ID == id })
		s.deleted = append(s.deleted, s.exams[i])
		s.exams = slices.Delete(s.exams, i, i+1)
		again := r.send(s.index, "GET", path, s.token(), "", nil)
		r.want(again, http.StatusNotFound, "%s GET %s after deleting it", s, path)
		r.sameNotFound(again, what)
	}
}

func (r *modelRun) opPatchMe(op modelOp) {
	s, tgt := r.session(op.Actor), r.students[op.Target]
	name, grades := s.name, s.grades
	var body map[string]any
	switch op.Choice {
	case 0:
		s.renames++
		name = fmt.Sprintf("Student %d renamed %d", s.index, s.renames)
		body = map[string]any{"full_name": name}
	case 1:
		grades = map[string]string{"9708": "A*"}
		body = map[string]any{"target_grades": grades}
	case 2:
		grades = map[string]string{}
		body = map[string]any{"target_grades": grades}
	case 3:
		s.renames++
		name, grades = fmt.Sprintf("Student %d renamed %d", s.index, s.renames), map[string]string{"9708": "B"}
		body = map[string]any{"full_name": name, "target_grades": grades}
	case 4:
		body = map[string]any{"target_grades": map[string]string{"9708": "Z"}}
	case 5:
		body = map[string]any{"id": r.idOf(tgt), "full_name": "Hijacked"}
	case 6:
		body = map[string]any{"email": tgt.email, "full_name": "Hijacked"}
	case 7:
		body = map[string]any{"full_name": "   "}
	}
	res := r.send(s.index, "PATCH", "/api/students/me", s.token(), "application/json", modelJSON(body))
	label := modelProfileBodies[op.Choice].label
	if !modelProfileBodies[op.Choice].valid {
		r.want(res, http.StatusUnprocessableEntity, "%s PATCH /api/students/me %s", s, label)
		r.checkDatabase() // nobody's profile changed
		return
	}
	r.want(res, http.StatusOK, "%s PATCH /api/students/me %s", s, label)
	s.name, s.grades = name, grades
	var p modelWireProfile
	r.decode(res, &p, "the updated profile")
	r.compareProfile(s, p, "the answer to PATCH /api/students/me")
}

func (r *modelRun) opStaleToken(op modelOp) {
	s := r.students[op.Actor]
	tok := ""
	if len(s.revoked) > 0 {
		tok = s.revoked[op.Slot%len(s.revoked)]
	}
	examID := fmt.Sprintf("00000000-0000-4000-8000-%012d", op.Slot+1)
	if len(s.exams) > 0 {
		examID = s.exams[op.Slot%len(s.exams)].ID
	}
	var res modelResp
	switch op.Choice {
	case 0:
		res = r.send(s.index, "GET", "/api/exams", tok, "", nil)
	case 1:
		res = r.send(s.index, "POST", "/api/exams", tok, "application/json",
			modelJSON(map[string]string{"subject_code": "9708", "exam_type": "PRACTICE"}))
	case 2:
		res = r.send(s.index, "GET", "/api/students/me", tok, "", nil)
	case 3:
		res = r.send(s.index, "DELETE", "/api/exams/"+examID, tok, "", nil)
	case 4:
		res = r.send(s.index, "PATCH", "/api/students/me", tok, "application/json", modelJSON(map[string]string{"full_name": "Revenant"}))
	case 5:
		res = r.send(s.index, "PUT", "/api/exams/"+examID+"/answers/1", tok, "application/json", modelJSON(map[string]string{"choice": "A"}))
	case 6:
		res = r.send(s.index, "GET", "/api/exams/"+examID+"/review", tok, "", nil)
	}
	what := fmt.Sprintf("%s %s with a revoked token", s, modelStaleRequests[op.Choice])
	if tok == "" {
		what = fmt.Sprintf("%s %s without a token", s, modelStaleRequests[op.Choice])
	}
	if res.status < 300 {
		r.violate(modelBadSignIn, "%s: %d %s", what, res.status, res.body)
	}
	r.want(res, http.StatusUnauthorized, "%s", what)
	if op.Choice == 1 || op.Choice == 3 || op.Choice == 4 || op.Choice == 5 {
		r.checkDatabase()
	}
}

func (r *modelRun) opSmuggleQuery(op modelOp) {
	s, tgt := r.session(op.Actor), r.students[op.Target]
	path := strings.TrimPrefix(modelSmuggledQueries[op.Choice], "GET ")
	if strings.Contains(path, "{target's exam}") {
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", op.Slot+1)
		if len(tgt.exams) > 0 {
			id = tgt.exams[op.Slot%len(tgt.exams)].ID
		}
		path = strings.Replace(path, "{target's exam}", id, 1)
	}
	if strings.HasSuffix(path, "=") {
		path += r.idOf(tgt)
	}
	res := r.send(s.index, "GET", path, s.token(), "", nil)
	r.want(res, http.StatusUnprocessableEntity, "%s GET %s", s, path)
}
