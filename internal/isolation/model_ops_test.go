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
)

// modelKindInfos says how often each kind is generated and how many payload choices it has.
var modelKindInfos = [...]struct{ weight, choices int }{
	modelRegister:       {3, len(modelSpellings)},
	modelLogin:          {4, 2 * len(modelSpellings)},
	modelLoginWrong:     {3, 2},
	modelLogout:         {3, 1},
	modelChangePassword: {2, 3},
	modelCreateExam:     {14, len(modelExamBodies)},
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
}

// modelOp is one step: who acts, on whom, which exam slot and which payload choice.
type modelOp struct {
	Kind   modelKind
	Actor  int
	Target int
	Slot   int
	Choice int
}

// modelGenerate is the seeded sequence of n operations; half of them aim at another student.
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
		target := actor
		if rng.IntN(2) == 0 {
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

// modelExamBodies are the bodies of POST /api/exams; only the valid ones create an exam.
var modelExamBodies = []struct {
	label           string
	subject, typ    string
	paper, duration int
	smuggle, valid  bool
}{
	{label: "PRACTICE", subject: "9708", typ: "PRACTICE", valid: true},
	{label: "TIMED paper 1", subject: "9708", typ: "TIMED", paper: 1, valid: true},
	{label: "TIMED 45 minutes", subject: "9708", typ: "TIMED", duration: 45, valid: true},
	{label: "FULL_PAPER paper 2", subject: "9708", typ: "FULL_PAPER", paper: 2, valid: true},
	{label: "FULL_PAPER paper 4 in 30 minutes", subject: "9708", typ: "FULL_PAPER", paper: 4, duration: 30, valid: true},
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
	"DELETE an own exam", "PATCH /api/students/me"}

// modelSmuggledQueries are query strings that name the target and must be refused with 422.
var modelSmuggledQueries = []string{"GET /api/exams?student_id=", "GET /api/students/me/events?student_id=",
	"GET /api/exams?status=PENDING&status=COMPLETED", "GET /api/exams/{target's exam}?student_id="}

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
	}
	return fmt.Sprintf("%s op%d", actor, op.Kind)
}

// modelFormat numbers the steps of a sequence, one a line.
func modelFormat(ops []modelOp) string {
	var b strings.Builder
	for i, op := range ops {
		fmt.Fprintf(&b, "\t%d. %s\n", i+1, op)
	}
	return b.String()
}
