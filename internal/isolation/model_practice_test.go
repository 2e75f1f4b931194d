package isolation_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Practice in the model: an exam's questions, answers, marks, review and the progress they add
// up to. The model learns an exam's questions from the server's answer to GET …/questions (or, for
// an exam completed before they were read, from its review) and trusts it for their content; it
// checks their ownership against the database (checkPracticeDatabase). It learns the keys from
// the review, which must agree with the bank's, and from then on predicts every score, mark and
// progress figure itself. Throughout: another student's exam answers 404 on every practice route
// (409 for a self-mark, reading exactly as for an exam of one's own that cannot take it), no
// response but a completed exam's review carries a key, explanation or mark scheme, and no
// response to anyone else carries a student's written answer.

// modelPractice is what a run knows of the question bank, read once as its owner (the bank is
// content, not anyone's data), and of the written answers it has sent.
type modelPractice struct {
	keys         map[string]string // question id → the MCQ's key ("" for a written question)
	explanations map[string]string // question id → its explanation
	texts        map[string]int    // a written answer sent → the student who wrote it
	written      int
	refusal      *modelProblem // the first self-mark refusal, its exam id and number blanked
	tally        modelTally
}

// modelTally counts what practice a run got through, for the report: a run that never submits
// an exam with answers checks little.
type modelTally struct {
	Answers, Submitted, Scored, SelfMarks, Foreign int
}

func (t *modelTally) add(u modelTally) {
	t.Answers, t.Submitted, t.Scored = t.Answers+u.Answers, t.Submitted+u.Submitted, t.Scored+u.Scored
	t.SelfMarks, t.Foreign = t.SelfMarks+u.SelfMarks, t.Foreign+u.Foreign
}

func (t modelTally) String() string {
	return fmt.Sprintf("%d answers saved, %d exams submitted (%d with a score above 0), %d self-marks, %d practice requests on another student's exam refused",
		t.Answers, t.Submitted, t.Scored, t.SelfMarks, t.Foreign)
}

// modelWork is what the model knows of one exam's practice.
type modelWork struct {
	kind, point string          // what the exam was asked to hold ("": anything)
	questions   []modelQuestion // nil until learnt
	answers     map[int]modelAnswer
	keys        map[int]string // number → the review's key of each MCQ, once completed
	selfMarks   map[int]int
	reviewed    bool
}

type modelQuestion struct {
	Number      int
	ID, Kind    string
	Marks       int
	Parts       int // how many, and their marks
	PartMarks   int
	Options     string // the option keys, in order: "ABCD"
	EmptyOption bool   // an option without a text
	Points      string // the syllabus points, joined by spaces
	HasStem     bool
}

type modelAnswer struct{ Choice, Text string }

type modelWireQuestion struct {
	Number     int    `json:"number"`
	QuestionID string `json:"question_id"`
	Kind       string `json:"kind"`
	Stem       string `json:"stem"`
	Options    []struct {
		Key  string `json:"key"`
		Text string `json:"text"`
	} `json:"options"`
	Parts []struct {
		Label  string `json:"label"`
		Prompt string `json:"prompt"`
		Marks  int    `json:"marks"`
	} `json:"parts"`
	Marks          int      `json:"marks"`
	SyllabusPoints []string `json:"syllabus_points"`
}

type modelWireAnswer struct {
	Number       int     `json:"number"`
	Choice       *string `json:"choice"`
	Text         *string `json:"text"`
	MarksAwarded *int    `json:"marks_awarded"`
	SelfMarked   bool    `json:"self_marked"`
}

type modelWireReviewItem struct {
	modelWireQuestion
	Choice       *string           `json:"choice"`
	Text         *string           `json:"text"`
	Key          *string           `json:"key"`
	Explanation  string            `json:"explanation"`
	MarkSchemes  []json.RawMessage `json:"mark_schemes"`
	MarksAwarded *int              `json:"marks_awarded"`
	SelfMarked   bool              `json:"self_marked"`
}

type modelWireProgress struct {
	Code        string `json:"syllabus_point"`
	Description string `json:"description"`
	Answered    int    `json:"questions_answered"`
	Marks       int    `json:"marks"`
	MaxMarks    int    `json:"max_marks"`
}

// modelCatalogue reads the bank's keys and explanations as the database's owner.
func modelCatalogue(t testing.TB, ctx context.Context, pool *pgxpool.Pool) modelPractice {
	t.Helper()
	p := modelPractice{keys: map[string]string{}, explanations: map[string]string{}, texts: map[string]int{}}
	rows, err := pool.Query(ctx, `SELECT k.question_id::text, coalesce(k.answer, ''), k.explanation FROM public.question_keys AS k`)
	if err != nil {
		t.Fatalf("isolation: read the bank's keys: %v", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, key, explanation string
		if err := rows.Scan(&id, &key, &explanation); err != nil {
			t.Fatalf("isolation: read the bank's keys: %v", err)
		}
		p.keys[id], p.explanations[id] = key, explanation
	}
	if err := rows.Err(); err != nil || len(p.keys) == 0 {
		t.Fatalf("isolation: read the bank's keys: %v (%d keys)", err, len(p.keys))
	}
	return p
}

// checkResponse holds every response (see send) to two rules of practice: no explanation of the
// bank outside a review, and no written answer of another student that the request did not
// itself carry.
func (p *modelPractice) checkResponse(r *modelRun, viewer int, method, path, sent string, raw []byte) {
	body := string(raw)
	route, _, _ := strings.Cut(path, "?")
	if !strings.HasSuffix(route, "/review") {
		for id, explanation := range p.explanations {
			if explanation != "" && strings.Contains(body, explanation) {
				r.violate(modelKeyLeak, "%s %s for %s answered with the explanation of question %s: %.300s", method, path, r.viewerName(viewer), id, body)
			}
		}
	}
	if strings.Contains(body, "[written answer ") {
		for text, owner := range p.texts {
			if owner != viewer && strings.Contains(body, text) && !strings.Contains(sent, text) {
				r.violate(modelForeignRow, "%s %s for %s answered with %s's written answer %q: %.300s", method, path,
					r.viewerName(viewer), r.students[owner], text, body)
			}
		}
	}
}

// checkNoKeyFields fails when a response outside the review has a key, explanation or mark
// scheme anywhere: an object with one of those fields, or a "key" beside a question's number or
// id (an option's key is the letter it is listed under, not the answer).
func (r *modelRun) checkNoKeyFields(res modelResp, what string) {
	var v any
	r.decode(res, &v, what)
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, f := range []string{"explanation", "mark_schemes", "mark_scheme", "answer", "indicative_content"} {
				if _, ok := x[f]; ok {
					r.violate(modelKeyLeak, "%s has a field %q: %.300s", what, f, res.body)
				}
			}
			_, key := x["key"]
			_, number := x["number"]
			_, question := x["question_id"]
			if key && (number || question) {
				r.violate(modelKeyLeak, "%s gives a question's key: %.300s", what, res.body)
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(v)
}

// practiceTarget resolves a practice operation's exam: the target's live exam at the slot among
// those it prefers (op.prefers), one they deleted, or a missing id. own is whether it is a live
// exam of the actor.
func (r *modelRun) practiceTarget(op modelOp, ref string) (s *modelStudent, e *modelExam, id string, own bool) {
	s, tgt := r.session(op.Actor), r.students[op.Target]
	id = fmt.Sprintf("00000000-0000-4000-8000-%012d", op.Slot+1)
	switch {
	case ref == "deleted" && len(tgt.deleted) > 0:
		id = tgt.deleted[op.Slot%len(tgt.deleted)].ID
	case ref == "live" && len(tgt.exams) > 0:
		keeps := append(op.prefers().keeps, func(modelExam) bool { return true })
		for _, keep := range keeps {
			var in []int
			for i, x := range tgt.exams {
				if keep(x) {
					in = append(in, i)
				}
			}
			if len(in) > 0 {
				e = &tgt.exams[in[op.Slot%len(in)]]
				break
			}
		}
		id = e.ID
	}
	return s, e, id, e != nil && tgt == s
}

// describe is what a practice request was, for messages.
func (r *modelRun) describe(s *modelStudent, method, path, id string, own bool) string {
	what := fmt.Sprintf("%s %s %s", s, method, path)
	if own {
		return what + " (its own)"
	}
	if owner, ok := r.owners[id]; ok {
		return what + fmt.Sprintf(" (%s's)", r.students[owner])
	}
	return what
}

// wantNotFound checks the answer to a practice request for an exam that is not the actor's: a
// 404 reading like every other; after a write, nothing changed.
func (r *modelRun) wantNotFound(s *modelStudent, res modelResp, id, what string, write bool) {
	if res.status < 300 {
		if owner, known := r.owners[id]; known && owner != s.index {
			if write {
				r.violate(modelForeignWrite, "%s: %d %s", what, res.status, res.body)
			}
			r.violate(modelForeignRow, "%s: %d %s", what, res.status, res.body)
		}
		r.violate(modelMismatch, "%s: got %d, want 404 (body %s)", what, res.status, res.body)
	}
	r.want(res, http.StatusNotFound, "%s", what)
	r.sameNotFound(res, what)
	r.countForeign(s, id)
	if write {
		r.checkDatabase()
	}
}

// afterMove checks the answer to s's move of their exam e (already in its new status in the
// model): a started exam's questions are read at once; a submitted one's review is read at once,
// and the score the submit gave must be what its keys make of the answers.
func (r *modelRun) afterMove(s *modelStudent, e *modelExam, got modelWireExam, what string) {
	switch e.Status {
	case "IN_PROGRESS":
		r.compareExam(s, got, *e, what)
		r.learnQuestions(s, e)
	case "COMPLETED":
		r.readReview(s, e)
		r.practice.tally.Submitted++
		if score, _ := e.scores(); *score > 0 {
			r.practice.tally.Scored++
		}
		r.compareExam(s, got, *e, what+" (its score against the review's keys)")
	default:
		r.compareExam(s, got, *e, what)
	}
}

func (r *modelRun) opMoveExam(op modelOp) {
	ref, v, _ := op.practice(len(modelMoves))
	to := modelMoves[v]
	s, e, id, own := r.practiceTarget(op, ref)
	path := "/api/exams/" + id
	res := r.send(s.index, "PATCH", path, s.token(), "application/json", modelJSON(map[string]string{"status": to}))
	what := r.describe(s, "PATCH", path, id, own) + " status=" + to
	if !own {
		r.wantNotFound(s, res, id, what, true)
		return
	}
	if modelNext[e.Status] != to {
		r.want(res, http.StatusConflict, "%s from %s", what, e.Status)
		return
	}
	r.want(res, http.StatusOK, "%s from %s", what, e.Status)
	e.Status = to
	var got modelWireExam
	r.decode(res, &got, what)
	r.afterMove(s, e, got, what)
}

// learnQuestions reads s's started exam e's questions, and learns them or compares them with
// what the model learnt before.
func (r *modelRun) learnQuestions(s *modelStudent, e *modelExam) {
	path := "/api/exams/" + e.ID + "/questions"
	res := r.send(s.index, "GET", path, s.token(), "", nil)
	what := r.describe(s, "GET", path, e.ID, true)
	r.want(res, http.StatusOK, "%s", what)
	r.checkNoKeyFields(res, what)
	var p modelWirePage[modelWireQuestion]
	r.decode(res, &p, what)
	r.adoptQuestions(e, p.Items, what)
}

func modelQuestionOf(w modelWireQuestion) modelQuestion {
	q := modelQuestion{Number: w.Number, ID: w.QuestionID, Kind: w.Kind, Marks: w.Marks, Points: strings.Join(w.SyllabusPoints, " "),
		HasStem: w.Stem != ""}
	for _, o := range w.Options {
		q.Options += o.Key
		q.EmptyOption = q.EmptyOption || o.Text == ""
	}
	for _, part := range w.Parts {
		q.Parts, q.PartMarks = q.Parts+1, q.PartMarks+part.Marks
	}
	return q
}

// adoptQuestions learns e's questions from a response, or compares them with those learnt.
func (r *modelRun) adoptQuestions(e *modelExam, items []modelWireQuestion, what string) {
	got := make([]modelQuestion, len(items))
	for i, w := range items {
		got[i] = modelQuestionOf(w)
	}
	if e.Work.questions != nil {
		if !slices.Equal(got, e.Work.questions) {
			r.violate(modelMismatch, "%s: the questions changed: got %+v, want %+v", what, got, e.Work.questions)
		}
		return
	}
	if len(got) != e.QuestionCount {
		r.violate(modelMismatch, "%s: %d questions, want the exam's question_count %d", what, len(got), e.QuestionCount)
	}
	ids := map[string]bool{}
	for i, q := range got {
		bad := ""
		switch {
		case q.Number != i+1:
			bad = fmt.Sprintf("number %d at place %d", q.Number, i+1)
		case ids[q.ID]:
			bad = "a repeat"
		case !q.HasStem:
			bad = "no stem"
		case e.Work.kind != "" && q.Kind != e.Work.kind:
			bad = fmt.Sprintf("%s in an exam of %s questions", q.Kind, e.Work.kind)
		case e.Work.point != "" && !slices.Contains(strings.Fields(q.Points), e.Work.point):
			bad = fmt.Sprintf("not on %s (on %q)", e.Work.point, q.Points)
		case q.Kind == "MCQ" && (q.Options != "ABCD" || q.EmptyOption || q.Marks != 1 || q.Parts != 0):
			bad = fmt.Sprintf("an MCQ with options %q, marks %d", q.Options, q.Marks)
		case q.Kind == "WRITTEN" && (q.Options != "" || q.Parts == 0 || q.Marks != q.PartMarks):
			bad = fmt.Sprintf("a written question with options %q, marks %d, parts of %d", q.Options, q.Marks, q.PartMarks)
		case q.Kind != "MCQ" && q.Kind != "WRITTEN":
			bad = "kind " + q.Kind
		}
		if _, inBank := r.practice.keys[q.ID]; !inBank {
			bad = "not a question of the bank"
		}
		if bad != "" {
			r.violate(modelMismatch, "%s: question %d (%s): %s", what, i+1, q.ID, bad)
		}
		ids[q.ID] = true
	}
	e.Work.questions = got
}

func (r *modelRun) opReadQuestions(op modelOp) {
	ref, _, _ := op.practice(1)
	s, e, id, own := r.practiceTarget(op, ref)
	path := "/api/exams/" + id + "/questions"
	if !own || e.Status == "PENDING" {
		res := r.send(s.index, "GET", path, s.token(), "", nil)
		what := r.describe(s, "GET", path, id, own)
		if own {
			r.want(res, http.StatusConflict, "%s while PENDING", what)
			return
		}
		r.wantNotFound(s, res, id, what, false)
		return
	}
	r.learnQuestions(s, e)
}

// pickQuestion is the pick-th question (modulo their number) of qs that keep keeps, or of all
// of qs when none does.
func pickQuestion(qs []modelQuestion, pick int, keeps ...func(modelQuestion) bool) modelQuestion {
	for _, keep := range keeps {
		var in []modelQuestion
		for _, q := range qs {
			if keep(q) {
				in = append(in, q)
			}
		}
		if len(in) > 0 {
			return in[pick%len(in)]
		}
	}
	return qs[pick%len(qs)]
}

func (r *modelRun) opSaveAnswer(op modelOp) {
	ref, v, pick := op.practice(len(modelAnswerVariants))
	v = modelAnswerVariants[v]
	s, e, id, own := r.practiceTarget(op, ref)
	number, choice, kind := 1, "ABCD"[pick%4:pick%4+1], "MCQ"
	var q *modelQuestion
	if !own && e != nil && e.Work.questions != nil {
		// Another student's exam: an answer its owner could save, to a question it has.
		picked := pickQuestion(e.Work.questions, pick)
		number, kind = picked.Number, picked.Kind
	}
	if own {
		if e.Status != "PENDING" && e.Work.questions == nil {
			r.learnQuestions(s, e)
		}
		switch {
		case v == modelAnswerPastLast:
			number = e.QuestionCount + 1
		case e.Work.questions == nil: // PENDING: refused whatever the question
			number = 1 + pick%max(1, e.QuestionCount)
		default:
			isMCQ := func(q modelQuestion) bool { return q.Kind == "MCQ" }
			keeps := map[int][]func(modelQuestion) bool{
				modelAnswerMCQ:     {isMCQ},
				modelAnswerKey:     {isMCQ},
				modelAnswerWritten: {func(q modelQuestion) bool { return q.Kind == "WRITTEN" }},
			}[v]
			picked := pickQuestion(e.Work.questions, pick, keeps...)
			q, number = &picked, picked.Number
			kind = q.Kind
			if v == modelAnswerKey && kind == "MCQ" {
				choice = r.practice.keys[q.ID]
			}
			if v == modelAnswerWrongKind {
				kind = map[string]string{"MCQ": "WRITTEN", "WRITTEN": "MCQ"}[q.Kind]
			}
		}
	}
	body := map[string]string{"choice": choice}
	text := ""
	if kind == "WRITTEN" {
		r.practice.written++
		text = fmt.Sprintf("[written answer %d of %s]", r.practice.written, s)
		r.practice.texts[text] = s.index
		body = map[string]string{"text": text}
	}
	path := fmt.Sprintf("/api/exams/%s/answers/%d", id, number)
	res := r.send(s.index, "PUT", path, s.token(), "application/json", modelJSON(body))
	what := r.describe(s, "PUT", path, id, own) + fmt.Sprintf(" %v", body)
	switch {
	case !own:
		r.wantNotFound(s, res, id, what, true)
		return
	case number > e.QuestionCount:
		r.want(res, http.StatusNotFound, "%s: the exam has %d questions", what, e.QuestionCount)
		return
	case e.Status != "IN_PROGRESS":
		r.want(res, http.StatusConflict, "%s while %s", what, e.Status)
		if e.Status == "COMPLETED" {
			r.checkDatabase() // a completed exam's answers do not change
		}
		return
	case q.Kind != kind:
		r.want(res, http.StatusUnprocessableEntity, "%s: a %s answer to a %s question", what, kind, q.Kind)
		return
	}
	r.want(res, http.StatusOK, "%s", what)
	r.checkNoKeyFields(res, what)
	var got modelWireAnswer
	r.decode(res, &got, what)
	want := modelAnswer{Text: text}
	if kind == "MCQ" {
		want = modelAnswer{Choice: choice}
	}
	if got.Number != number || modelAnswerOf(got) != want || got.MarksAwarded != nil || got.SelfMarked {
		r.violate(modelMismatch, "%s: saved %s", what, res.body)
	}
	e.Work.answers[number] = want
	r.practice.tally.Answers++
}

func modelAnswerOf(w modelWireAnswer) modelAnswer {
	var a modelAnswer
	if w.Choice != nil {
		a.Choice = *w.Choice
	}
	if w.Text != nil {
		a.Text = *w.Text
	}
	return a
}

func (r *modelRun) opListAnswers(op modelOp) {
	ref, _, _ := op.practice(1)
	s, e, id, own := r.practiceTarget(op, ref)
	path := "/api/exams/" + id + "/answers"
	res := r.send(s.index, "GET", path, s.token(), "", nil)
	what := r.describe(s, "GET", path, id, own)
	if !own {
		r.wantNotFound(s, res, id, what, false)
		return
	}
	r.want(res, http.StatusOK, "%s", what)
	r.checkNoKeyFields(res, what)
	var p modelWirePage[modelWireAnswer]
	r.decode(res, &p, what)
	if len(p.Items) != len(e.Work.answers) {
		r.violate(modelMismatch, "%s: %d answers, want %d: %s", what, len(p.Items), len(e.Work.answers), res.body)
	}
	for i, a := range p.Items {
		want, ok := e.Work.answers[a.Number]
		marks, selfMarked := e.expectedMarks(a.Number)
		if !ok || modelAnswerOf(a) != want || !modelSameInt(a.MarksAwarded, marks) || a.SelfMarked != selfMarked ||
			(i > 0 && p.Items[i-1].Number >= a.Number) {
			r.violate(modelMismatch, "%s: answer %d is %+v (marks %s), want %+v (marks %s, self-marked %t)", what, a.Number, modelAnswerOf(a),
				modelInt(a.MarksAwarded), want, modelInt(marks), selfMarked)
		}
	}
}

// question is e's question number n (which the model knows).
func (e modelExam) question(n int) (modelQuestion, bool) {
	for _, q := range e.Work.questions {
		if q.Number == n {
			return q, true
		}
	}
	return modelQuestion{}, false
}

// expectedMarks are the marks answer n of e must have, and whether they are its student's own:
// none before completion; then an answered MCQ's against its key, a written answer's once
// self-marked.
func (e modelExam) expectedMarks(n int) (*int, bool) {
	a, answered := e.Work.answers[n]
	q, known := e.question(n)
	if e.Status != "COMPLETED" || !answered || !known {
		return nil, false
	}
	if q.Kind == "MCQ" {
		m := 0
		if a.Choice == e.Work.keys[n] {
			m = q.Marks
		}
		return &m, false
	}
	if m, ok := e.Work.selfMarks[n]; ok {
		return &m, true
	}
	return nil, false
}

// scores are e's score and maximum as the model makes them: nil before completion; then every
// MCQ counts (right answers with their marks) and every self-marked written answer.
func (e modelExam) scores() (score, maxScore *int) {
	if e.Status != "COMPLETED" || e.Work == nil {
		return nil, nil
	}
	var s, m int
	for _, q := range e.Work.questions {
		marks, _ := e.expectedMarks(q.Number)
		if q.Kind == "MCQ" || marks != nil {
			m += q.Marks
		}
		if marks != nil {
			s += *marks
		}
	}
	return &s, &m
}

// readReview reads s's completed exam e's review and compares it with the model, which learns the
// keys from it the first time (they must be the bank's).
func (r *modelRun) readReview(s *modelStudent, e *modelExam) {
	path := "/api/exams/" + e.ID + "/review"
	res := r.send(s.index, "GET", path, s.token(), "", nil)
	what := r.describe(s, "GET", path, e.ID, true)
	r.want(res, http.StatusOK, "%s", what)
	var p modelWirePage[modelWireReviewItem]
	r.decode(res, &p, what)
	questions := make([]modelWireQuestion, len(p.Items))
	for i, item := range p.Items {
		questions[i] = item.modelWireQuestion
	}
	r.adoptQuestions(e, questions, what)
	keys := map[int]string{}
	for _, item := range p.Items {
		n, qid := item.Number, item.QuestionID
		if item.Explanation != r.practice.explanations[qid] {
			r.violate(modelMismatch, "%s: question %d's explanation is not the bank's: %q", what, n, item.Explanation)
		}
		key := ""
		if item.Key != nil {
			key = *item.Key
		}
		if key != r.practice.keys[qid] || (item.Kind == "WRITTEN") != (len(item.MarkSchemes) > 0) {
			r.violate(modelMismatch, "%s: question %d (%s) has key %q and %d mark schemes; the bank's key is %q", what, n, item.Kind,
				key, len(item.MarkSchemes), r.practice.keys[qid])
		}
		if item.Kind == "MCQ" {
			keys[n] = key
		}
		answer := modelAnswerOf(modelWireAnswer{Choice: item.Choice, Text: item.Text})
		if answer != e.Work.answers[n] {
			r.violate(modelMismatch, "%s: question %d's answer is %+v, want %+v", what, n, answer, e.Work.answers[n])
		}
	}
	if e.Work.reviewed && !maps.Equal(keys, e.Work.keys) {
		r.violate(modelMismatch, "%s: the keys changed: %v, were %v", what, keys, e.Work.keys)
	}
	e.Work.keys, e.Work.reviewed = keys, true
	for _, item := range p.Items {
		marks, selfMarked := e.expectedMarks(item.Number)
		if !modelSameInt(item.MarksAwarded, marks) || item.SelfMarked != selfMarked {
			r.violate(modelMismatch, "%s: question %d has marks %s (self-marked %t), want %s (%t)", what, item.Number,
				modelInt(item.MarksAwarded), item.SelfMarked, modelInt(marks), selfMarked)
		}
	}
}

func (r *modelRun) opReview(op modelOp) {
	ref, _, _ := op.practice(1)
	s, e, id, own := r.practiceTarget(op, ref)
	if own && e.Status == "COMPLETED" {
		r.readReview(s, e)
		return
	}
	path := "/api/exams/" + id + "/review"
	res := r.send(s.index, "GET", path, s.token(), "", nil)
	what := r.describe(s, "GET", path, id, own)
	if own {
		r.want(res, http.StatusConflict, "%s while %s", what, e.Status)
		r.checkNoKeyFields(res, what)
		return
	}
	r.wantNotFound(s, res, id, what, false)
}

func (r *modelRun) opSelfMark(op modelOp) {
	ref, v, pick := op.practice(len(modelSelfMarks))
	s, e, id, own := r.practiceTarget(op, ref)
	number, marks := 1, 1
	var q *modelQuestion
	switch {
	case own && e.Work.questions != nil:
		written := func(q modelQuestion) bool { return q.Kind == "WRITTEN" }
		answered := func(q modelQuestion) bool { _, ok := e.Work.answers[q.Number]; return ok && written(q) }
		keeps := []func(modelQuestion) bool{answered, written}
		if v == modelSelfMarkMCQ {
			keeps = []func(modelQuestion) bool{func(q modelQuestion) bool { return q.Kind == "MCQ" }}
		}
		picked := pickQuestion(e.Work.questions, pick, keeps...)
		q, number = &picked, picked.Number
		switch v {
		case modelSelfMarkAbove:
			marks = q.Marks + 1
		case modelSelfMarkMCQ:
			marks = 1
		default:
			marks = pick % (q.Marks + 1)
		}
	case own:
		number = 1 + pick%max(1, e.QuestionCount)
	}
	path := fmt.Sprintf("/api/exams/%s/answers/%d/self-mark", id, number)
	res := r.send(s.index, "PUT", path, s.token(), "application/json", modelJSON(map[string]int{"marks": marks}))
	what := r.describe(s, "PUT", path, id, own) + fmt.Sprintf(" marks=%d", marks)
	answered := false
	if own {
		_, answered = e.Work.answers[number]
	}
	switch {
	case !own:
		if res.status < 300 {
			if owner, known := r.owners[id]; known && owner != s.index {
				r.violate(modelForeignWrite, "%s: %d %s", what, res.status, res.body)
			}
			r.violate(modelMismatch, "%s: got %d, want 409 (body %s)", what, res.status, res.body)
		}
		r.want(res, http.StatusConflict, "%s", what)
		r.sameSelfMarkRefusal(res, id, number, what)
		r.countForeign(s, id)
		r.checkDatabase()
		return
	case e.Status != "COMPLETED" || q == nil || q.Kind != "WRITTEN" || !answered:
		r.want(res, http.StatusConflict, "%s (%s, answered %t)", what, e.Status, answered)
		r.sameSelfMarkRefusal(res, id, number, what)
		return
	case marks > q.Marks:
		r.want(res, http.StatusUnprocessableEntity, "%s: the question has %d marks", what, q.Marks)
		return
	}
	r.want(res, http.StatusOK, "%s", what)
	e.Work.selfMarks[number] = marks
	r.practice.tally.SelfMarks++
	var got struct {
		Number       int  `json:"number"`
		MarksAwarded int  `json:"marks_awarded"`
		SelfMarked   bool `json:"self_marked"`
		Score        int  `json:"score"`
	}
	r.decode(res, &got, what)
	score, _ := e.scores()
	if got.Number != number || got.MarksAwarded != marks || !got.SelfMarked || got.Score != *score {
		r.violate(modelMismatch, "%s: %s, want the exam's score %d", what, res.body, *score)
	}
}

var modelNumbered = regexp.MustCompile(`numbered [0-9]+`)

// sameSelfMarkRefusal checks that every refused self-mark reads the same, the exam's id and the
// number aside, whether the exam is the actor's or not: none tells another student's exam, or
// its state, from a missing one.
func (r *modelRun) sameSelfMarkRefusal(res modelResp, id string, number int, what string) {
	var p modelProblem
	r.decode(res, &p, "a 409 problem")
	p.Detail = modelNumbered.ReplaceAllString(strings.ReplaceAll(p.Detail, id, "{exam}"), "numbered {n}")
	if r.practice.refusal == nil {
		r.practice.refusal = &p
		return
	}
	if p != *r.practice.refusal {
		r.violate(modelMismatch, "%s: this refusal reads %+v, an earlier one %+v", what, p, *r.practice.refusal)
	}
}

func (r *modelRun) opProgress(op modelOp) {
	s := r.session(op.Actor)
	query := modelProgressQueries[op.Choice]
	if op.Choice == len(modelProgressQueries)-1 {
		path := "/api/students/me/progress" + query
		r.want(r.send(s.index, "GET", path, s.token(), "", nil), http.StatusUnprocessableEntity, "%s GET %s", s, path)
		return
	}
	r.checkProgress(s, query, query != "?subject_code=0000")
}

// checkProgress compares s's progress (under query; empty unless any) with what the model makes
// of their completed exams: per syllabus point, the marked answers, their marks and maximum,
// weakest first.
func (r *modelRun) checkProgress(s *modelStudent, query string, any bool) {
	type tally struct{ answered, marks, max int }
	want := map[string]tally{}
	for _, e := range s.exams {
		if !any || e.Status != "COMPLETED" {
			continue
		}
		for _, q := range e.Work.questions {
			marks, _ := e.expectedMarks(q.Number)
			if marks == nil {
				continue
			}
			for _, point := range strings.Fields(q.Points) {
				t := want[point]
				want[point] = tally{t.answered + 1, t.marks + *marks, t.max + q.Marks}
			}
		}
	}
	path := "/api/students/me/progress" + query
	res := r.send(s.index, "GET", path, s.token(), "", nil)
	what := fmt.Sprintf("%s GET %s", s, path)
	r.want(res, http.StatusOK, "%s", what)
	var p modelWirePage[modelWireProgress]
	r.decode(res, &p, what)
	got := map[string]tally{}
	for i, pt := range p.Items {
		if _, twice := got[pt.Code]; twice || pt.Description == "" || pt.MaxMarks <= 0 {
			r.violate(modelMismatch, "%s: point %s listed twice, or without a description or marks: %s", what, pt.Code, res.body)
		}
		got[pt.Code] = tally{pt.Answered, pt.Marks, pt.MaxMarks}
		if i > 0 {
			prev := p.Items[i-1]
			if prev.Marks*pt.MaxMarks > pt.Marks*prev.MaxMarks {
				r.violate(modelMismatch, "%s: %s (%d/%d) listed before the weaker %s (%d/%d)", what, prev.Code, prev.Marks, prev.MaxMarks,
					pt.Code, pt.Marks, pt.MaxMarks)
			}
		}
	}
	if !maps.Equal(got, want) {
		r.violate(modelMismatch, "%s: got %v, want %v (answered, marks, maximum)", what, got, want)
	}
}

// checkPracticeDatabase compares exam_questions and answers, read as the owner past row-level
// security, with the model: every exam's questions, with its owner, as many as its
// question_count and (once learnt) the ones its student was shown; every answer with its owner,
// choice or text and marks. kind says what a difference on an owner's row is.
func (r *modelRun) checkPracticeDatabase(kind func(owner int) string) {
	exams := map[string]*modelExam{}
	owners := map[string]int{}
	for _, s := range r.students {
		for i := range s.exams {
			exams[s.exams[i].ID], owners[s.exams[i].ID] = &s.exams[i], s.index
		}
	}
	rows, err := r.pool.Query(r.ctx, `
		SELECT eq.exam_id::text, eq.number, eq.student_id::text, eq.question_id::text, eq.marks
		FROM public.exam_questions AS eq ORDER BY eq.exam_id, eq.number`)
	if err != nil {
		r.t.Fatalf("isolation: read exam_questions: %v", err)
	}
	type questionRow struct {
		exam, student, question string
		number, marks           int
	}
	var questions []questionRow
	for rows.Next() {
		var x questionRow
		if err := rows.Scan(&x.exam, &x.number, &x.student, &x.question, &x.marks); err != nil {
			r.t.Fatalf("isolation: read exam_questions: %v", err)
		}
		questions = append(questions, x)
	}
	if err := rows.Err(); err != nil {
		r.t.Fatalf("isolation: read exam_questions: %v", err)
	}
	counts := map[string]int{}
	for _, x := range questions {
		e, ok := exams[x.exam]
		if !ok {
			r.violate(modelMismatch, "database: question %d of exam %s, which no student has", x.number, x.exam)
		}
		owner := owners[x.exam]
		if x.student != r.students[owner].id {
			r.violate(modelForeignWrite, "database: question %d of exam %s of %s belongs to student %s", x.number, x.exam, r.students[owner], x.student)
		}
		counts[x.exam]++
		if e.Work.questions == nil {
			continue
		}
		if q, known := e.question(x.number); !known || q.ID != x.question || q.Marks != x.marks {
			r.violate(kind(owner), "database: question %d of exam %s of %s is %s (%d marks); %s was shown %+v", x.number, x.exam,
				r.students[owner], x.question, x.marks, r.students[owner], q)
		}
	}
	for id, e := range exams {
		if counts[id] != e.QuestionCount {
			r.violate(kind(owners[id]), "database: exam %s of %s has %d questions, want %d", id, r.students[owners[id]], counts[id], e.QuestionCount)
		}
	}

	rows, err = r.pool.Query(r.ctx, `
		SELECT a.exam_id::text, a.number, a.student_id::text, coalesce(a.choice, ''), coalesce(a.text, ''), a.marks_awarded, a.self_marked
		FROM public.answers AS a`)
	if err != nil {
		r.t.Fatalf("isolation: read answers: %v", err)
	}
	type answerRow struct {
		exam, student string
		number        int
		answer        modelAnswer
		marks         *int
		selfMarked    bool
	}
	var answers []answerRow
	for rows.Next() {
		var x answerRow
		if err := rows.Scan(&x.exam, &x.number, &x.student, &x.answer.Choice, &x.answer.Text, &x.marks, &x.selfMarked); err != nil {
			r.t.Fatalf("isolation: read answers: %v", err)
		}
		answers = append(answers, x)
	}
	if err := rows.Err(); err != nil {
		r.t.Fatalf("isolation: read answers: %v", err)
	}
	counts = map[string]int{}
	for _, x := range answers {
		e, ok := exams[x.exam]
		if !ok {
			r.violate(modelMismatch, "database: answer %d to exam %s, which no student has", x.number, x.exam)
		}
		owner := owners[x.exam]
		if x.student != r.students[owner].id {
			r.violate(modelForeignWrite, "database: answer %d to exam %s of %s belongs to student %s", x.number, x.exam, r.students[owner], x.student)
		}
		counts[x.exam]++
		want, saved := e.Work.answers[x.number]
		marks, selfMarked := e.expectedMarks(x.number)
		if !saved || x.answer != want || !modelSameInt(x.marks, marks) || x.selfMarked != selfMarked {
			r.violate(kind(owner), "database: answer %d to exam %s (%s) of %s is %+v (marks %s, self-marked %t), want %+v (saved %t, marks %s, %t)",
				x.number, x.exam, e.Status, r.students[owner], x.answer, modelInt(x.marks), x.selfMarked, want, saved, modelInt(marks), selfMarked)
		}
	}
	for id, e := range exams {
		if counts[id] != len(e.Work.answers) {
			r.violate(kind(owners[id]), "database: exam %s of %s has %d answers, want %d", id, r.students[owners[id]], counts[id], len(e.Work.answers))
		}
	}
}

func (r *modelRun) countForeign(s *modelStudent, id string) {
	if owner, ok := r.owners[id]; ok && owner != s.index {
		r.practice.tally.Foreign++
	}
}

func modelSameInt(a, b *int) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func modelInt(p *int) string {
	if p == nil {
		return "null"
	}
	return fmt.Sprint(*p)
}
