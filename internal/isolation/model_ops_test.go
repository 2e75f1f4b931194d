package isolation_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Operations are data, so that a sequence can be printed, replayed and shrunk. They name
// students by index and exams by slot ("the k-th live exam of student i", k taken modulo the
// length of the list when the step runs), so a step keeps its meaning when earlier steps are
// removed. A step that needs its actor signed in registers and signs them in first.

// modelStudents is how many students act in a run: each has more than one neighbour to attack.
const modelStudents = 3

// modelSlots bounds an operation's slot; see above.
const modelSlots = 8

type modelKind int

const (
	modelRegister       modelKind = iota // register the target's email; a taken one must be refused
	modelLogin                           // sign in again (JSON or form, the email in some case)
	modelLoginWrong                      // sign in as the target with a wrong password
	modelLogout                          // every token so far must stop working
	modelChangePassword                  // the old password and tokens must stop working
	modelCreateExam                      // valid, invalid and smuggling bodies
	modelListExams                       // with filters, page by page
	modelForeignCursor                   // list with the target's next_cursor
	modelGetExam                         // the target's exam, a deleted one, a missing one
	modelPatchExam                       // the same, moving its status
	modelDeleteExam                      // the same, deleting it
	modelGetMe                           // the profile
	modelPatchMe                         // valid, invalid and smuggling bodies
	modelListEvents                      // the sign-in trail, page by page
	modelStaleToken                      // a revoked token (or none) must get 401 and change nothing
	modelSmuggleQuery                    // query parameters naming the target must be refused
	// Practice (model_practice_test.go): the target's exam, preferably in the status the
	// operation is about.
	modelMoveExam      // start or submit it
	modelReadQuestions // GET its questions
	modelSaveAnswer    // PUT an answer: of the right kind, the wrong one, to a question it lacks
	modelListAnswers   // GET its answers
	modelReview        // GET its review
	modelSelfMark      // PUT a self-mark: within the marks, above them, on an MCQ
	modelProgress      // GET the actor's progress by syllabus point
)

// modelKindInfos says how often each kind is generated and how many payload choices it has.
var modelKindInfos = [...]struct{ weight, choices int }{
	modelRegister:       {3, len(modelSpellings)},
	modelLogin:          {4, 2 * len(modelSpellings)},
	modelLoginWrong:     {3, 2},
	modelLogout:         {3, 1},
	modelChangePassword: {2, 3},
	modelCreateExam:     {24, len(modelExamBodies)},
	modelListExams:      {7, len(modelExamFilters) * len(modelExamPageSizes)},
	modelForeignCursor:  {3, 1},
	modelGetExam:        {10, len(modelExamRefs)},
	modelPatchExam:      {12, len(modelExamRefs) * len(modelStatuses)},
	modelDeleteExam:     {8, len(modelExamRefs)},
	modelGetMe:          {2, 1},
	modelPatchMe:        {4, len(modelProfileBodies)},
	modelListEvents:     {3, len(modelEventKinds) * len(modelEventPageSizes)},
	modelStaleToken:     {3, len(modelStaleRequests)},
	modelSmuggleQuery:   {2, len(modelSmuggledQueries)},
	modelMoveExam:       {24, len(modelPracticeRefs) * len(modelMoves)},
	modelReadQuestions:  {4, len(modelPracticeRefs)},
	modelSaveAnswer:     {36, len(modelPracticeRefs) * len(modelAnswerVariants) * modelPicks},
	modelListAnswers:    {3, len(modelPracticeRefs)},
	modelReview:         {4, len(modelPracticeRefs)},
	modelSelfMark:       {12, len(modelPracticeRefs) * len(modelSelfMarks) * modelPicks},
	modelProgress:       {3, len(modelProgressQueries)},
}

// modelOp is one step: who acts, on whom, which exam slot and which payload choice.
type modelOp struct {
	Kind   modelKind
	Actor  int
	Target int
	Slot   int
	Choice int
}

// modelGenerate is the seeded sequence of n operations; half of them aim at another student, but
// only a quarter of the moves, answers and self-marks, which need a student's own exams to get
// anywhere (started, answered, submitted, marked).
func modelGenerate(seed uint64, n int) []modelOp {
	rng := rand.New(rand.NewPCG(seed, 0x15014710))
	total := 0
	for _, k := range modelKindInfos {
		total += k.weight
	}
	ops := make([]modelOp, 0, n)
	for range n {
		pick, kind := rng.IntN(total), modelKind(0)
		for pick >= modelKindInfos[kind].weight {
			pick -= modelKindInfos[kind].weight
			kind++
		}
		actor := rng.IntN(modelStudents)
		target, others := actor, 2
		if kind == modelMoveExam || kind == modelSaveAnswer || kind == modelSelfMark {
			others = 4
		}
		if rng.IntN(others) == 0 {
			target = (actor + 1 + rng.IntN(modelStudents-1)) % modelStudents
		}
		ops = append(ops, modelOp{Kind: kind, Actor: actor, Target: target,
			Slot: rng.IntN(modelSlots), Choice: rng.IntN(modelKindInfos[kind].choices)})
	}
	return ops
}

// Payload choices. Each table is indexed by a modelOp's Choice (or a part of it).

var modelSpellings = []string{"as registered", "in upper case", "capitalised"}

func modelSpell(email string, choice int) string {
	switch choice {
	case 1:
		return strings.ToUpper(email)
	case 2:
		return strings.ToUpper(email[:1]) + email[1:]
	}
	return email
}

// modelExamBodies are the bodies of POST /api/exams; only the valid ones create an exam, which
// has as many questions as questions says, each of kind (any when "") and tagged point (if any).
var modelExamBodies = []struct {
	label           string
	subject, typ    string
	paper, duration int
	count           int    // question_count to ask for (0: not given)
	point           string // the one syllabus point to ask for ("": none)
	smuggle, valid  bool
	questions       int
	kind            string
}{
	{label: "PRACTICE", subject: "9708", typ: "PRACTICE", valid: true, questions: 10},
	{label: "TIMED paper 1", subject: "9708", typ: "TIMED", paper: 1, valid: true, questions: 10, kind: "MCQ"},
	{label: "TIMED 45 minutes", subject: "9708", typ: "TIMED", duration: 45, valid: true, questions: 10},
	{label: "FULL_PAPER paper 1", subject: "9708", typ: "FULL_PAPER", paper: 1, valid: true, questions: 30, kind: "MCQ"},
	{label: "FULL_PAPER paper 2", subject: "9708", typ: "FULL_PAPER", paper: 2, valid: true, questions: 2, kind: "WRITTEN"},
	{label: "FULL_PAPER paper 4 in 30 minutes", subject: "9708", typ: "FULL_PAPER", paper: 4, duration: 30, valid: true, questions: 3, kind: "WRITTEN"},
	{label: "PRACTICE of 4 questions", subject: "9708", typ: "PRACTICE", count: 4, valid: true, questions: 4},
	{label: "PRACTICE of 3 questions on paper 2", subject: "9708", typ: "PRACTICE", paper: 2, count: 3, valid: true, questions: 3, kind: "WRITTEN"},
	{label: "PRACTICE of 3 questions on 9708.10.3", subject: "9708", typ: "PRACTICE", count: 3, point: "9708.10.3", valid: true, questions: 3},
	{label: "PRACTICE of 51 questions (invalid)", subject: "9708", typ: "PRACTICE", count: 51},
	{label: "PRACTICE of 5 questions on paper 2, which has 4 (invalid)", subject: "9708", typ: "PRACTICE", paper: 2, count: 5},
	{label: "FULL_PAPER without a paper (invalid)", subject: "9708", typ: "FULL_PAPER"},
	{label: "PRACTICE of subject 9999 (invalid)", subject: "9999", typ: "PRACTICE"},
	{label: "PRACTICE on paper 7 (invalid)", subject: "9708", typ: "PRACTICE", paper: 7},
	{label: "PRACTICE smuggling student_id of the target", subject: "9708", typ: "PRACTICE", smuggle: true},
}

// modelExamFilter is a query string of GET /api/exams and which exams it keeps.
type modelExamFilter struct {
	query string
	keep  func(modelExam) bool
}

var modelExamFilters = []modelExamFilter{
	{"", func(modelExam) bool { return true }},
	{"status=PENDING", func(e modelExam) bool { return e.Status == "PENDING" }},
	{"status=IN_PROGRESS", func(e modelExam) bool { return e.Status == "IN_PROGRESS" }},
	{"status=COMPLETED", func(e modelExam) bool { return e.Status == "COMPLETED" }},
	{"subject_code=9708", func(e modelExam) bool { return e.Subject == "9708" }},
	{"exam_type=TIMED", func(e modelExam) bool { return e.Type == "TIMED" }},
	{"exam_type=FULL_PAPER&status=PENDING", func(e modelExam) bool { return e.Type == "FULL_PAPER" && e.Status == "PENDING" }},
	{"subject_code=0000", func(modelExam) bool { return false }},
}

var modelExamPageSizes = []int{1, 2, 3, 5, 100}

// modelExamRefs are the ways an operation names an exam of its target.
var modelExamRefs = []string{"live", "live", "live", "deleted", "missing", "malformed"}

// modelStatuses are the statuses a PATCH asks for; "next" is the one the exam may move to in the
// model (COMPLETED for a completed exam, which must be refused).
var modelStatuses = []string{"next", "next", "IN_PROGRESS", "COMPLETED", "PENDING"}

// modelNext is the one status each status may move to.
var modelNext = map[string]string{"PENDING": "IN_PROGRESS", "IN_PROGRESS": "COMPLETED"}

// modelProfileBodies are the bodies of PATCH /api/students/me.
var modelProfileBodies = []struct {
	label string
	valid bool
}{
	{"full_name", true},
	{"target_grades 9708=A*", true},
	{"target_grades cleared", true},
	{"full_name and target_grades 9708=B", true},
	{"target_grades 9708=Z (invalid)", false},
	{"smuggling the target's id", false},
	{"smuggling the target's email", false},
	{"a blank full_name (invalid)", false},
}

var modelEventKinds = []string{"", "register", "login", "logout", "password_change"}

var modelEventPageSizes = []int{2, 7, 100}

// modelStaleRequests are what a revoked token (or none) is sent with.
var modelStaleRequests = []string{"GET /api/exams", "POST /api/exams", "GET /api/students/me",
	"DELETE an own exam", "PATCH /api/students/me", "PUT an answer to an own exam", "GET the review of an own exam"}

// modelSmuggledQueries are query strings that name the target and must be refused with 422.
var modelSmuggledQueries = []string{"GET /api/exams?student_id=", "GET /api/students/me/events?student_id=",
	"GET /api/exams?status=PENDING&status=COMPLETED", "GET /api/exams/{target's exam}?student_id=",
	"GET /api/students/me/progress?student_id=", "GET /api/exams/{target's exam}/review?student_id=",
	"GET /api/students/me/progress?subject_code=9708&subject_code=9708"}

// Practice payloads. A practice operation's Choice holds a reference (modelPracticeRefs), then
// a variant of the kind, then a pick (see modelOp.practice).

// modelPracticeRefs are the ways a practice operation names an exam of its target: mostly a live
// one, preferably in the status the operation is about.
var modelPracticeRefs = []string{"live", "live", "live", "live", "live", "live", "deleted", "missing"}

// modelMoves are the statuses modelMoveExam asks for: start, submit.
var modelMoves = []string{"IN_PROGRESS", "COMPLETED"}

// modelPicks is how many ways an operation picks among an exam's questions (taken modulo their
// number, so a pick keeps its meaning when the questions are learnt in another step).
const modelPicks = 8

// modelAnswerKinds are what an answer is to, and of what kind.
var modelAnswerKinds = []string{"an MCQ", "a written question", "any question", "any question, of the wrong kind",
	"a number past the last question", "an MCQ, with the bank's key"}

const (
	modelAnswerMCQ = iota
	modelAnswerWritten
	modelAnswerAny
	modelAnswerWrongKind
	modelAnswerPastLast
	modelAnswerKey // so that some scores are above 0; the model still learns the key from the review
)

// modelAnswerVariants are how often each of modelAnswerKinds comes: mostly answers that are
// saved, since they are what there is to mark.
var modelAnswerVariants = []int{modelAnswerMCQ, modelAnswerWritten, modelAnswerAny, modelAnswerKey,
	modelAnswerWritten, modelAnswerAny, modelAnswerKey, modelAnswerWritten, modelAnswerWrongKind, modelAnswerPastLast}

// modelSelfMarks are the self-marks a student gives.
var modelSelfMarks = []string{"within its marks", "within its marks", "within its marks", "above its marks", "on an MCQ"}

const (
	modelSelfMarkAbove = 3
	modelSelfMarkMCQ   = 4
)

// modelProgressQueries are the query strings of GET /api/students/me/progress; the last is
// refused with 422.
var modelProgressQueries = []string{"", "?subject_code=9708", "?subject_code=0000", "?subject_code=not%20a%20code"}

// practice decodes a practice operation's Choice: the reference, one of variants, and the pick.
func (op modelOp) practice(variants int) (ref string, variant, pick int) {
	c := op.Choice
	ref, c = modelPracticeRefs[c%len(modelPracticeRefs)], c/len(modelPracticeRefs)
	if variants > 1 {
		variant, c = c%variants, c/variants
	}
	return ref, variant, c
}

// modelPreference is which exams of its target a practice operation prefers: the slot picks
// among those the first of keeps keeps (among all when it keeps none, and so on).
type modelPreference struct {
	label string
	keeps []func(modelExam) bool
}

func modelIn(status string) func(modelExam) bool {
	return func(e modelExam) bool { return e.Status == status }
}

// prefers is op's preference: exams in the status it is about and, for a submit or a self-mark,
// ones with something to mark.
func (op modelOp) prefers() modelPreference {
	switch op.Kind {
	case modelMoveExam:
		if _, v, _ := op.practice(len(modelMoves)); modelMoves[v] == "IN_PROGRESS" {
			return modelPreference{"PENDING", []func(modelExam) bool{modelIn("PENDING")}}
		}
		return modelPreference{"IN_PROGRESS with answers", []func(modelExam) bool{
			func(e modelExam) bool { return e.Status == "IN_PROGRESS" && len(e.Work.answers) > 0 }, modelIn("IN_PROGRESS")}}
	case modelReview:
		return modelPreference{"COMPLETED", []func(modelExam) bool{modelIn("COMPLETED")}}
	case modelSelfMark:
		written := func(e modelExam) bool {
			for _, a := range e.Work.answers {
				if a.Text != "" {
					return e.Status == "COMPLETED"
				}
			}
			return false
		}
		return modelPreference{"COMPLETED with a written answer", []func(modelExam) bool{written, modelIn("COMPLETED")}}
	}
	return modelPreference{"IN_PROGRESS", []func(modelExam) bool{modelIn("IN_PROGRESS")}}
}

// String reads an operation as a line of the shortest failing sequence.
func (op modelOp) String() string {
	actor, target := fmt.Sprintf("student%d", op.Actor), fmt.Sprintf("student%d", op.Target)
	exam := func(ref string) string {
		switch ref {
		case "deleted":
			return fmt.Sprintf("deleted exam %s#%d", target, op.Slot)
		case "missing":
			return "a missing exam"
		case "malformed":
			return "a malformed exam id"
		}
		return fmt.Sprintf("exam %s#%d", target, op.Slot)
	}
	switch op.Kind {
	case modelRegister:
		return fmt.Sprintf("%s REGISTER the email of %s (%s; refused if taken)", actor, target, modelSpellings[op.Choice])
	case modelLogin:
		how := "JSON"
		if op.Choice%2 == 1 {
			how = "form grant"
		}
		return fmt.Sprintf("%s LOGIN (%s, email %s)", actor, how, modelSpellings[op.Choice/2])
	case modelLoginWrong:
		pw := "a made-up password"
		if op.Choice == 1 {
			pw = fmt.Sprintf("old password #%d", op.Slot)
		}
		return fmt.Sprintf("%s LOGIN as %s with %s", actor, target, pw)
	case modelLogout:
		return actor + " LOGOUT"
	case modelChangePassword:
		return actor + " PUT password " + [...]string{"(correct current)", "(wrong current)", "(too short new)"}[op.Choice]
	case modelCreateExam:
		body := modelExamBodies[op.Choice].label
		if modelExamBodies[op.Choice].smuggle {
			body = strings.Replace(body, "the target", target, 1)
		}
		return fmt.Sprintf("%s POST exam %s", actor, body)
	case modelListExams:
		f, size := modelExamFilters[op.Choice/len(modelExamPageSizes)], modelExamPageSizes[op.Choice%len(modelExamPageSizes)]
		return fmt.Sprintf("%s LIST exams %s limit=%d", actor, strings.TrimSpace(f.query+" "), size)
	case modelForeignCursor:
		return fmt.Sprintf("%s LIST exams with the last cursor %s was given", actor, target)
	case modelGetExam:
		return fmt.Sprintf("%s GET %s", actor, exam(modelExamRefs[op.Choice]))
	case modelPatchExam:
		ref, status := modelExamRefs[op.Choice/len(modelStatuses)], modelStatuses[op.Choice%len(modelStatuses)]
		if status == "next" {
			status = "<its next status>"
		}
		return fmt.Sprintf("%s PATCH %s status=%s", actor, exam(ref), status)
	case modelDeleteExam:
		return fmt.Sprintf("%s DELETE %s", actor, exam(modelExamRefs[op.Choice]))
	case modelGetMe:
		return actor + " GET /api/students/me"
	case modelPatchMe:
		return fmt.Sprintf("%s PATCH /api/students/me %s", actor,
			strings.Replace(modelProfileBodies[op.Choice].label, "the target", target, 1))
	case modelListEvents:
		kind, size := modelEventKinds[op.Choice/len(modelEventPageSizes)], modelEventPageSizes[op.Choice%len(modelEventPageSizes)]
		if kind != "" {
			kind = "kind=" + kind + " "
		}
		return fmt.Sprintf("%s LIST events %slimit=%d", actor, kind, size)
	case modelStaleToken:
		return fmt.Sprintf("%s %s with a revoked token #%d", actor, modelStaleRequests[op.Choice], op.Slot)
	case modelSmuggleQuery:
		q := modelSmuggledQueries[op.Choice]
		if strings.HasSuffix(q, "=") {
			q += "<id of " + target + ">"
		}
		return actor + " " + strings.Replace(q, "target", target, 1)
	case modelMoveExam:
		ref, v, _ := op.practice(len(modelMoves))
		return fmt.Sprintf("%s PATCH %s status=%s", actor, op.practiceExam(ref), modelMoves[v])
	case modelReadQuestions, modelListAnswers, modelReview:
		ref, _, _ := op.practice(1)
		what := map[modelKind]string{modelReadQuestions: "questions", modelListAnswers: "answers", modelReview: "review"}[op.Kind]
		return fmt.Sprintf("%s GET the %s of %s", actor, what, op.practiceExam(ref))
	case modelSaveAnswer:
		ref, v, pick := op.practice(len(modelAnswerVariants))
		return fmt.Sprintf("%s PUT an answer to %s (pick %d) of %s", actor, modelAnswerKinds[modelAnswerVariants[v]], pick, op.practiceExam(ref))
	case modelSelfMark:
		ref, v, pick := op.practice(len(modelSelfMarks))
		return fmt.Sprintf("%s PUT a self-mark %s (pick %d) of %s", actor, modelSelfMarks[v], pick, op.practiceExam(ref))
	case modelProgress:
		return actor + " GET /api/students/me/progress" + modelProgressQueries[op.Choice]
	}
	return fmt.Sprintf("%s op%d", actor, op.Kind)
}

// practiceExam names the exam a practice operation's reference picks.
func (op modelOp) practiceExam(ref string) string {
	switch ref {
	case "deleted":
		return fmt.Sprintf("deleted exam student%d#%d", op.Target, op.Slot)
	case "missing":
		return "a missing exam"
	}
	return fmt.Sprintf("exam student%d#%d (of those %s, if any)", op.Target, op.Slot, op.prefers().label)
}

// modelFormat numbers the steps of a sequence, one a line.
func modelFormat(ops []modelOp) string {
	var b strings.Builder
	for i, op := range ops {
		fmt.Fprintf(&b, "\t%d. %s\n", i+1, op)
	}
	return b.String()
}
