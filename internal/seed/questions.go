package seed

import (
	"fmt"
	"slices"
	"strings"

	"examiner"
)

// The question bank (data/<subject>_questions.json and files for `examiner questions import`,
// described by data/questions.schema.json), checked here so that every question has one key
// among distinct options, real syllabus tags and a mark scheme that covers its marks.
// ParseQuestionBank holds a file to the schema; Check holds a bank to the syllabus and papers;
// ImportQuestions writes it (bank.go).

// QuestionBank is one subject's questions.
type QuestionBank struct {
	Subject   string     `json:"subject"`
	Questions []Question `json:"questions"`
}

// Question is a multiple-choice (MCQ) or written (WRITTEN) question of one paper.
type Question struct {
	Code           string   `json:"code"`
	Kind           string   `json:"kind"`
	Paper          int      `json:"paper"`
	SyllabusPoints []string `json:"syllabus_points"`
	Stem           string   `json:"stem"`
	// MCQ
	Options     []Option `json:"options,omitempty"`
	Answer      string   `json:"answer,omitempty"`
	Explanation string   `json:"explanation,omitempty"`
	Marks       int      `json:"marks,omitempty"`
	// WRITTEN
	Section string `json:"section,omitempty"`
	Parts   []Part `json:"parts,omitempty"`
}

// Option is one choice of an MCQ: the core's, as students see it.
type Option = examiner.Option

// Part is one part of a written question, with its level-based mark scheme.
type Part struct {
	Label      string     `json:"label"`
	Prompt     string     `json:"prompt"`
	Marks      int        `json:"marks"`
	MarkScheme MarkScheme `json:"mark_scheme"`
}

// MarkScheme gives a part's marks by level, with what a good answer would cover.
type MarkScheme struct {
	Levels            []Level  `json:"levels"`
	IndicativeContent []string `json:"indicative_content"`
}

// Level is one band of a mark scheme: min to max marks.
type Level struct {
	Level      int    `json:"level"`
	Min        int    `json:"min"`
	Max        int    `json:"max"`
	Descriptor string `json:"descriptor"`
}

// Questions reads s's question bank from data/<code>_questions.json, checked against the schema
// (ParseQuestionBank) but not yet against the syllabus (Check).
func (s Subject) Questions() (QuestionBank, error) {
	raw, err := data.ReadFile("data/" + s.Code + "_questions.json")
	if err != nil {
		return QuestionBank{}, fmt.Errorf("seed: questions of %s: %w", s.Code, err)
	}
	b, err := ParseQuestionBank(raw)
	if err != nil {
		return QuestionBank{}, fmt.Errorf("seed: questions of %s: %w", s.Code, err)
	}
	return b, nil
}

// mcqKeys are an MCQ's option keys, in order.
var mcqKeys = []string{"A", "B", "C", "D"}

// Check lists what is wrong with the bank beyond its schema, against s's syllabus points (papers
// 1 and 2 tag AS topics 1–6, papers 3 and 4 A Level topics 7 on) and s's papers. Each problem
// gives its position: "questions[12] (9708-P1-013).options[2].key: …".
func (b QuestionBank) Check(s Subject, points []Point) []string {
	var problems []string
	known := map[string]bool{}
	for _, p := range points {
		known[p.Code] = true
	}
	papers := map[int]bool{}
	for _, p := range s.Papers {
		papers[p.Number] = true
	}
	if b.Subject != s.Code {
		problems = append(problems, fmt.Sprintf("subject: the bank is for subject %q, not %s", b.Subject, s.Code))
	}
	first := map[string]int{} // code → index of the first question with it
	for i, q := range b.Questions {
		bad := func(field, format string, args ...any) {
			problems = append(problems, questionPath(i, q.Code)+"."+field+": "+fmt.Sprintf(format, args...))
		}
		if j, seen := first[q.Code]; seen {
			bad("code", "%s is used twice (questions[%d] has it too)", q.Code, j)
		} else {
			first[q.Code] = i
		}
		if strings.TrimSpace(q.Code) == "" {
			bad("code", "empty")
		}
		if !papers[q.Paper] {
			bad("paper", "%d is not a paper of %s", q.Paper, s.Code)
		}
		if strings.TrimSpace(q.Stem) == "" {
			bad("stem", "no stem")
		}
		if len(q.SyllabusPoints) == 0 {
			bad("syllabus_points", "no syllabus points")
		}
		tagged := map[string]bool{}
		for k, code := range q.SyllabusPoints {
			field := fmt.Sprintf("syllabus_points[%d]", k)
			switch {
			case tagged[code]:
				bad(field, "%s is listed twice", code)
			case !known[code]:
				bad(field, "%s is not a syllabus point of %s", code, s.Code)
			case (q.Paper <= 2) != asTopic(code):
				bad(field, "%s is not a topic of paper %d's level", code, q.Paper)
			}
			tagged[code] = true
		}
		switch q.Kind {
		case "MCQ":
			checkMCQ(q, bad)
		case "WRITTEN":
			checkWritten(q, bad)
		default:
			bad("kind", "%q is neither MCQ nor WRITTEN", q.Kind)
		}
	}
	return problems
}

// questionPath is where question i is in its file: "questions[12] (9708-P1-013)".
func questionPath(i int, code string) string {
	if code == "" {
		return fmt.Sprintf("questions[%d]", i)
	}
	return fmt.Sprintf("questions[%d] (%s)", i, code)
}

// complaint records a problem with a field of the question being checked.
type complaint func(field, format string, args ...any)

func checkMCQ(q Question, bad complaint) {
	if q.Paper != 1 && q.Paper != 3 {
		bad("paper", "an MCQ belongs to paper 1 or 3, not %d", q.Paper)
	}
	if len(q.Options) != len(mcqKeys) {
		bad("options", "got %d options, want A, B, C and D in order", len(q.Options))
	}
	keyedAt := map[string]int{} // key → index of the first option with it
	textAt := map[string]int{}  // text, ignoring case and spacing → index of the first option with it
	for i, o := range q.Options {
		if j, seen := keyedAt[o.Key]; seen {
			bad(fmt.Sprintf("options[%d].key", i), "%s is the key of options[%d] too; want A, B, C and D in order", o.Key, j)
		} else if i < len(mcqKeys) && o.Key != mcqKeys[i] {
			bad(fmt.Sprintf("options[%d].key", i), "got %s, want %s (A, B, C and D in order)", o.Key, mcqKeys[i])
		}
		if _, seen := keyedAt[o.Key]; !seen {
			keyedAt[o.Key] = i
		}
		text := strings.ToLower(strings.Join(strings.Fields(o.Text), " "))
		if j, seen := textAt[text]; seen && text != "" {
			bad(fmt.Sprintf("options[%d].text", i), "repeats another option (options[%d]), ignoring case and spacing", j)
		} else {
			textAt[text] = i
		}
		if text == "" {
			bad(fmt.Sprintf("options[%d].text", i), "empty")
		}
	}
	if _, ok := keyedAt[q.Answer]; !ok || !slices.Contains(mcqKeys, q.Answer) {
		bad("answer", "%q is not one of the options", q.Answer)
	}
	if q.Marks != 1 {
		bad("marks", "an MCQ is worth 1 mark, not %d", q.Marks)
	}
	if strings.TrimSpace(q.Explanation) == "" {
		bad("explanation", "no explanation of why the key is right")
	}
	if q.Section != "" || q.Parts != nil {
		bad("section", "an MCQ has no section or parts")
	}
}

// maxQuestionMarks is the most a question is worth (the database's questions_marks_range).
const maxQuestionMarks = 100

func checkWritten(q Question, bad complaint) {
	if q.Paper != 2 && q.Paper != 4 {
		bad("paper", "a written question belongs to paper 2 or 4, not %d", q.Paper)
	}
	if q.Section != "data_response" && q.Section != "essay" {
		bad("section", "%q is neither data_response nor essay", q.Section)
	}
	if len(q.Parts) == 0 {
		bad("parts", "no parts")
	}
	if q.Options != nil || q.Answer != "" || q.Marks != 0 {
		bad("options", "a written question has no options, answer or marks of its own (its parts have marks)")
	}
	labels := map[string]bool{}
	total := 0
	for i, p := range q.Parts {
		part := fmt.Sprintf("parts[%d]", i)
		if p.Label == "" || labels[p.Label] {
			bad(part+".label", "part %q: the label is empty or used twice", p.Label)
		}
		labels[p.Label] = true
		if strings.TrimSpace(p.Prompt) == "" {
			bad(part+".prompt", "part %s: no prompt", p.Label)
		}
		if p.Marks < 1 {
			bad(part+".marks", "part %s: no marks", p.Label)
		}
		total += p.Marks
		// The levels cover 1..marks, in order, without gaps or overlaps.
		next := 1
		for k, l := range p.MarkScheme.Levels {
			if l.Level != k+1 || l.Min != next || l.Max < l.Min || strings.TrimSpace(l.Descriptor) == "" {
				bad(fmt.Sprintf("%s.mark_scheme.levels[%d]", part, k), "part %s: level %d covers %d–%d, want level %d from %d, with a descriptor",
					p.Label, l.Level, l.Min, l.Max, k+1, next)
			}
			next = l.Max + 1
		}
		if next != p.Marks+1 {
			bad(part+".mark_scheme.levels", "part %s: the levels end at %d, want %d (the part's marks)", p.Label, next-1, p.Marks)
		}
		if len(p.MarkScheme.IndicativeContent) == 0 {
			bad(part+".mark_scheme.indicative_content", "part %s: no indicative content", p.Label)
		}
	}
	if total > maxQuestionMarks {
		bad("parts", "the parts' marks add up to %d, more than %d", total, maxQuestionMarks)
	}
}

// asTopic reports whether syllabus point code is of an AS topic (9708.1 to 9708.6).
func asTopic(code string) bool {
	parts := strings.Split(code, ".")
	return len(parts) > 1 && slices.Contains([]string{"1", "2", "3", "4", "5", "6"}, parts[1])
}
