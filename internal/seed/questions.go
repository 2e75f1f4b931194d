package seed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// The question bank (data/<subject>_questions.json), checked here so that every question
// shipped has one key among distinct options, real syllabus tags and a mark scheme that covers
// its marks. Issue 13 loads it into the database; until then only its test reads it.

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

// Option is one choice of an MCQ.
type Option struct {
	Key  string `json:"key"`
	Text string `json:"text"`
}

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

// Questions reads s's question bank.
func (s Subject) Questions() (QuestionBank, error) {
	var b QuestionBank
	raw, err := data.ReadFile("data/" + s.Code + "_questions.json")
	if err != nil {
		return b, fmt.Errorf("seed: questions of %s: %w", s.Code, err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return b, fmt.Errorf("seed: questions of %s: %w", s.Code, err)
	}
	return b, nil
}

// mcqKeys are an MCQ's option keys, in order.
var mcqKeys = []string{"A", "B", "C", "D"}

// Check lists what is wrong with the bank, each problem naming the question: against s's
// syllabus points (papers 1 and 2 tag AS topics 1–6, papers 3 and 4 A Level topics 7 on), and
// s's papers.
func (b QuestionBank) Check(s Subject, points []Point) []string {
	var problems []string
	bad := func(q Question, format string, args ...any) {
		problems = append(problems, q.Code+": "+fmt.Sprintf(format, args...))
	}
	known := map[string]bool{}
	for _, p := range points {
		known[p.Code] = true
	}
	papers := map[int]bool{}
	for _, p := range s.Papers {
		papers[p.Number] = true
	}
	if b.Subject != s.Code {
		problems = append(problems, fmt.Sprintf("the bank is for subject %q, not %s", b.Subject, s.Code))
	}
	seen := map[string]bool{}
	for _, q := range b.Questions {
		if q.Code == "" || seen[q.Code] {
			bad(q, "the code is empty or used twice")
		}
		seen[q.Code] = true
		if !papers[q.Paper] {
			bad(q, "paper %d is not a paper of %s", q.Paper, s.Code)
		}
		if strings.TrimSpace(q.Stem) == "" {
			bad(q, "no stem")
		}
		if len(q.SyllabusPoints) == 0 {
			bad(q, "no syllabus points")
		}
		for _, code := range q.SyllabusPoints {
			switch {
			case !known[code]:
				bad(q, "%s is not a syllabus point of %s", code, s.Code)
			case (q.Paper <= 2) != asTopic(code):
				bad(q, "%s is not a topic of paper %d's level", code, q.Paper)
			}
		}
		switch q.Kind {
		case "MCQ":
			problems = append(problems, checkMCQ(q)...)
		case "WRITTEN":
			problems = append(problems, checkWritten(q)...)
		default:
			bad(q, "kind %q is neither MCQ nor WRITTEN", q.Kind)
		}
	}
	return problems
}

func checkMCQ(q Question) []string {
	var problems []string
	bad := func(format string, args ...any) {
		problems = append(problems, q.Code+": "+fmt.Sprintf(format, args...))
	}
	if q.Paper != 1 && q.Paper != 3 {
		bad("an MCQ belongs to paper 1 or 3, not %d", q.Paper)
	}
	var keys []string
	texts := map[string]bool{}
	for _, o := range q.Options {
		keys = append(keys, o.Key)
		text := strings.ToLower(strings.Join(strings.Fields(o.Text), " "))
		if text == "" || texts[text] {
			bad("option %s is empty or repeats another", o.Key)
		}
		texts[text] = true
	}
	if !slices.Equal(keys, mcqKeys) {
		bad("the options are %v, want A, B, C and D in order", keys)
	}
	if !slices.Contains(mcqKeys, q.Answer) || !slices.Contains(keys, q.Answer) {
		bad("the answer %q is not one of the options", q.Answer)
	}
	if q.Marks != 1 {
		bad("an MCQ is worth 1 mark, not %d", q.Marks)
	}
	if strings.TrimSpace(q.Explanation) == "" {
		bad("no explanation")
	}
	if q.Section != "" || q.Parts != nil {
		bad("an MCQ has no section or parts")
	}
	return problems
}

func checkWritten(q Question) []string {
	var problems []string
	bad := func(format string, args ...any) {
		problems = append(problems, q.Code+": "+fmt.Sprintf(format, args...))
	}
	if q.Paper != 2 && q.Paper != 4 {
		bad("a written question belongs to paper 2 or 4, not %d", q.Paper)
	}
	if q.Section != "data_response" && q.Section != "essay" {
		bad("section %q is neither data_response nor essay", q.Section)
	}
	if len(q.Parts) == 0 {
		bad("no parts")
	}
	if q.Options != nil || q.Answer != "" || q.Marks != 0 {
		bad("a written question has no options, answer or marks of its own (its parts have marks)")
	}
	labels := map[string]bool{}
	for _, p := range q.Parts {
		if p.Label == "" || labels[p.Label] {
			bad("part %q: the label is empty or used twice", p.Label)
		}
		labels[p.Label] = true
		if strings.TrimSpace(p.Prompt) == "" || p.Marks < 1 {
			bad("part %s: no prompt, or no marks", p.Label)
		}
		// The levels cover 1..marks, in order, without gaps or overlaps.
		next := 1
		for i, l := range p.MarkScheme.Levels {
			if l.Level != i+1 || l.Min != next || l.Max < l.Min || strings.TrimSpace(l.Descriptor) == "" {
				bad("part %s: level %d covers %d–%d, want level %d from %d, with a descriptor", p.Label, l.Level, l.Min, l.Max, i+1, next)
			}
			next = l.Max + 1
		}
		if next != p.Marks+1 {
			bad("part %s: the levels end at %d, want %d (the part's marks)", p.Label, next-1, p.Marks)
		}
		if len(p.MarkScheme.IndicativeContent) == 0 {
			bad("part %s: no indicative content", p.Label)
		}
	}
	return problems
}

// asTopic reports whether syllabus point code is of an AS topic (9708.1 to 9708.6).
func asTopic(code string) bool {
	parts := strings.Split(code, ".")
	return len(parts) > 1 && slices.Contains([]string{"1", "2", "3", "4", "5", "6"}, parts[1])
}
