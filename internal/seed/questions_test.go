package seed_test

import (
	"strings"
	"testing"

	"examiner/internal/seed"
)

// economicsBank is the shipped 9708 subject, its syllabus and its question bank.
func economicsBank(t *testing.T) (seed.Subject, []seed.Point, seed.QuestionBank) {
	t.Helper()
	s := seed.Subjects[0]
	if s.Code != "9708" {
		t.Fatalf("the first subject is %s, want 9708", s.Code)
	}
	points, err := s.Syllabus()
	if err != nil {
		t.Fatal(err)
	}
	bank, err := s.Questions()
	if err != nil {
		t.Fatal(err)
	}
	return s, points, bank
}

// topLevel is the top-level topic of a syllabus point: 9708.2 for 9708.2.3.
func topLevel(code string) string {
	parts := strings.SplitN(code, ".", 3)
	return parts[0] + "." + parts[1]
}

// Every question shipped has one key among four distinct options (or a mark scheme that covers
// its marks), real syllabus tags of its paper's level, and a code of its own.
func TestEveryShippedQuestionIsWellFormed(t *testing.T) {
	t.Parallel()
	s, points, bank := economicsBank(t)
	for _, p := range bank.Check(s, points) {
		t.Error(p)
	}
}

// A full Paper 1 and a full Paper 3 (30 multiple-choice questions each) can be assembled without
// repeating a question, every top-level topic of the paper's level is asked, and Papers 2 and 4
// each have data-response and essay questions, at least 8 written questions in all.
func TestTheBankCanAssembleEveryPaper(t *testing.T) {
	t.Parallel()
	_, points, bank := economicsBank(t)
	mcqs := map[int]map[string]bool{}    // paper → question codes
	topics := map[int]map[string]bool{}  // paper → top-level topics asked
	sections := map[int]map[string]int{} // paper → section → written questions
	written := 0
	for _, q := range bank.Questions {
		if topics[q.Paper] == nil {
			mcqs[q.Paper], topics[q.Paper], sections[q.Paper] = map[string]bool{}, map[string]bool{}, map[string]int{}
		}
		for _, code := range q.SyllabusPoints {
			topics[q.Paper][topLevel(code)] = true
		}
		if q.Kind == "MCQ" {
			mcqs[q.Paper][q.Code] = true
		} else {
			sections[q.Paper][q.Section]++
			written++
		}
	}
	for _, paper := range []int{1, 3} {
		if n := len(mcqs[paper]); n < 30 {
			t.Errorf("paper %d: got %d distinct multiple-choice questions, want at least 30 for a full paper", paper, n)
		}
	}
	for _, p := range points {
		if strings.Count(p.Code, ".") != 1 {
			continue // a sub-topic
		}
		paper := 3
		if asTopics[p.Code] {
			paper = 1
		}
		if !topics[paper][p.Code] {
			t.Errorf("paper %d asks nothing on topic %s", paper, p.Code)
		}
	}
	for _, paper := range []int{2, 4} {
		if sections[paper]["data_response"] == 0 || sections[paper]["essay"] == 0 {
			t.Errorf("paper %d: got %v written questions by section, want data response and essays", paper, sections[paper])
		}
	}
	if written < 8 {
		t.Errorf("got %d written questions, want at least 8", written)
	}
}

var asTopics = map[string]bool{"9708.1": true, "9708.2": true, "9708.3": true, "9708.4": true, "9708.5": true, "9708.6": true}

// The check finds each kind of mistake a question file can make.
func TestTheQuestionCheckFindsEachMistake(t *testing.T) {
	t.Parallel()
	s, points, _ := economicsBank(t)
	mcq := func() seed.Question {
		return seed.Question{Code: "T-1", Kind: "MCQ", Paper: 1, SyllabusPoints: []string{"9708.2.1"}, Stem: "Which?",
			Options: []seed.Option{{Key: "A", Text: "one"}, {Key: "B", Text: "two"}, {Key: "C", Text: "three"}, {Key: "D", Text: "four"}}, Answer: "B", Explanation: "Because.", Marks: 1}
	}
	written := func() seed.Question {
		return seed.Question{Code: "T-2", Kind: "WRITTEN", Paper: 4, SyllabusPoints: []string{"9708.9.1"}, Stem: "Data.", Section: "essay",
			Parts: []seed.Part{{Label: "a", Prompt: "Explain.", Marks: 8, MarkScheme: seed.MarkScheme{
				Levels:            []seed.Level{{Level: 1, Min: 1, Max: 3, Descriptor: "Some."}, {Level: 2, Min: 4, Max: 8, Descriptor: "More."}},
				IndicativeContent: []string{"A point."}}}}}
	}
	bank := func(qs ...seed.Question) seed.QuestionBank { return seed.QuestionBank{Subject: "9708", Questions: qs} }
	if p := bank(mcq(), written()).Check(s, points); len(p) > 0 {
		t.Fatalf("the valid questions: got problems %q, want none", p)
	}
	for _, tt := range []struct {
		name  string
		spoil func(q *seed.Question)
		base  func() seed.Question
		want  string
	}{
		{"two options alike", func(q *seed.Question) { q.Options[2].Text = " TWO " }, mcq, "repeats another"},
		{"an answer that is no option", func(q *seed.Question) { q.Answer = "E" }, mcq, "is not one of the options"},
		{"no answer", func(q *seed.Question) { q.Answer = "" }, mcq, "is not one of the options"},
		{"three options", func(q *seed.Question) { q.Options = q.Options[:3] }, mcq, "want A, B, C and D"},
		{"no explanation", func(q *seed.Question) { q.Explanation = " " }, mcq, "no explanation"},
		{"two marks", func(q *seed.Question) { q.Marks = 2 }, mcq, "worth 1 mark"},
		{"an unknown syllabus point", func(q *seed.Question) { q.SyllabusPoints = []string{"9708.2.99"} }, mcq, "is not a syllabus point"},
		{"an A Level point on Paper 1", func(q *seed.Question) { q.SyllabusPoints = []string{"9708.7.1"} }, mcq, "not a topic of paper 1"},
		{"an MCQ on Paper 2", func(q *seed.Question) { q.Paper = 2 }, mcq, "paper 1 or 3"},
		{"a paper that does not exist", func(q *seed.Question) { q.Paper = 5 }, mcq, "is not a paper"},
		{"a gap between levels", func(q *seed.Question) { q.Parts[0].MarkScheme.Levels[1].Min = 5 }, written, "want level 2 from 4"},
		{"levels short of the marks", func(q *seed.Question) { q.Parts[0].MarkScheme.Levels[1].Max = 7 }, written, "want 8"},
		{"no indicative content", func(q *seed.Question) { q.Parts[0].MarkScheme.IndicativeContent = nil }, written, "no indicative content"},
		{"an unknown section", func(q *seed.Question) { q.Section = "short_answer" }, written, "neither data_response nor essay"},
		{"an unknown kind", func(q *seed.Question) { q.Kind = "TRUE_FALSE" }, mcq, "neither MCQ nor WRITTEN"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.base()
			tt.spoil(&q)
			got := strings.Join(bank(q).Check(s, points), "\n")
			if !strings.Contains(got, tt.want) {
				t.Errorf("got problems %q, want one saying %q", got, tt.want)
			}
		})
	}
	if got := strings.Join(bank(mcq(), mcq()).Check(s, points), "\n"); !strings.Contains(got, "used twice") {
		t.Errorf("two questions with one code: got problems %q, want one saying the code is used twice", got)
	}
}
