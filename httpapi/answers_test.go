package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

type examQuestion struct {
	Number  int    `json:"number"`
	Kind    string `json:"kind"`
	Options []struct {
		Key string `json:"key"`
	} `json:"options"`
	Marks int `json:"marks"`
}

type reviewItem struct {
	Number       int     `json:"number"`
	Choice       *string `json:"choice"`
	Key          *string `json:"key"`
	Explanation  string  `json:"explanation"`
	MarksAwarded *int    `json:"marks_awarded"`
}

// The practice a newcomer does with the README's curl session: a Paper 1 exam, started, its 30
// questions read and answered, submitted; the score matches the review's keys, and progress by
// syllabus point follows. Every answer here is checked against openapi.json.
func TestAPaperOneExamFromStartToReview(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("ada@example.com")
	e := a.createExam(tok, map[string]any{"subject_code": "9708", "exam_type": "FULL_PAPER", "paper_number": 1})
	path := "/api/exams/" + e.ID
	a.do("GET", path+"/questions", tok, nil).want(t, http.StatusConflict) // PENDING
	a.do("PATCH", path, tok, map[string]string{"status": "IN_PROGRESS"}).want(t, http.StatusOK)

	var questions struct{ Items []examQuestion }
	res := a.do("GET", path+"/questions", tok, nil).want(t, http.StatusOK)
	res.decode(t, &questions)
	if len(questions.Items) != 30 {
		t.Fatalf("questions: got %d, want 30", len(questions.Items))
	}
	if body := string(res.body); strings.Contains(body, `"answer"`) || strings.Contains(body, "explanation") || strings.Contains(body, "mark_scheme") {
		t.Fatalf("the questions of a running exam give away keys: %.300s", body)
	}
	a.do("GET", path+"/review", tok, nil).want(t, http.StatusConflict)
	for _, q := range questions.Items {
		a.do("PUT", fmt.Sprintf("%s/answers/%d", path, q.Number), tok, map[string]string{"choice": "C"}).want(t, http.StatusOK)
	}
	a.do("PUT", path+"/answers/1", tok, map[string]string{"choice": "E"}).want(t, http.StatusUnprocessableEntity)
	a.do("PUT", path+"/answers/1", tok, map[string]string{"text": "words"}).want(t, http.StatusUnprocessableEntity)
	a.do("PUT", path+"/answers/31", tok, map[string]string{"choice": "A"}).want(t, http.StatusNotFound)
	a.do("PUT", path+"/answers/1", tok, map[string]string{"text": strings.Repeat("x", 20001)}).want(t, http.StatusUnprocessableEntity)

	var submitted exam
	a.do("PATCH", path, tok, map[string]string{"status": "COMPLETED"}).want(t, http.StatusOK).decode(t, &submitted)
	a.do("PUT", path+"/answers/1", tok, map[string]string{"choice": "A"}).want(t, http.StatusConflict)

	var review struct{ Items []reviewItem }
	a.do("GET", path+"/review", tok, nil).want(t, http.StatusOK).decode(t, &review)
	right := 0
	for _, item := range review.Items {
		if item.Key == nil || item.Explanation == "" {
			t.Fatalf("review item %d has no key or explanation", item.Number)
		}
		if *item.Choice == *item.Key {
			right++
		}
	}
	if submitted.Score == nil || *submitted.Score != right || *submitted.MaxScore != 30 {
		t.Fatalf("score %v of %v, want %d of 30 (the review's keys)", submitted.Score, submitted.MaxScore, right)
	}
	var progress struct {
		Items []struct {
			SyllabusPoint string `json:"syllabus_point"`
			Answered      int    `json:"questions_answered"`
		}
	}
	a.do("GET", "/api/students/me/progress?subject_code=9708", tok, nil).want(t, http.StatusOK).decode(t, &progress)
	answered := 0
	for _, p := range progress.Items {
		answered += p.Answered
	}
	if answered < 30 {
		t.Fatalf("progress counts %d answers over its points, want at least the 30 given", answered)
	}

	// Another student sees none of it.
	_, other := a.student("bob@example.com")
	for _, p := range []string{"/questions", "/answers", "/review"} {
		a.do("GET", path+p, other, nil).want(t, http.StatusNotFound)
	}
	a.do("PUT", path+"/answers/1/self-mark", other, map[string]int{"marks": 1}).want(t, http.StatusConflict)
}

// Written answers are marked by their student against the mark scheme, within the question's marks.
func TestAWrittenAnswerIsSelfMarkedWithinItsMarks(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("ada@example.com")
	e := a.createExam(tok, map[string]any{"subject_code": "9708", "exam_type": "FULL_PAPER", "paper_number": 4})
	path := "/api/exams/" + e.ID
	a.do("PATCH", path, tok, map[string]string{"status": "IN_PROGRESS"}).want(t, http.StatusOK)
	a.do("PUT", path+"/answers/1", tok, map[string]string{"choice": "A"}).want(t, http.StatusUnprocessableEntity)
	a.do("PUT", path+"/answers/1", tok, map[string]string{"text": "Market failure occurs when…"}).want(t, http.StatusOK)
	a.do("PUT", path+"/answers/1/self-mark", tok, map[string]int{"marks": 5}).want(t, http.StatusConflict) // not submitted
	a.do("PATCH", path, tok, map[string]string{"status": "COMPLETED"}).want(t, http.StatusOK)
	a.do("PUT", path+"/answers/1/self-mark", tok, map[string]int{"marks": 21}).want(t, http.StatusUnprocessableEntity)
	a.do("PUT", path+"/answers/2/self-mark", tok, map[string]int{"marks": 3}).want(t, http.StatusConflict) // not answered
	var marked struct {
		Score int `json:"score"`
	}
	a.do("PUT", path+"/answers/1/self-mark", tok, map[string]int{"marks": 14}).want(t, http.StatusOK).decode(t, &marked)
	if marked.Score != 14 {
		t.Fatalf("score after self-marking 14: got %d", marked.Score)
	}
}

// Asking for more questions than the bank has is a 422 that says how many fit.
func TestAPracticeExamTheBankCannotFillIs422(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("ada@example.com")
	p := a.do("POST", "/api/exams", tok, map[string]any{"subject_code": "9708", "exam_type": "PRACTICE", "paper_number": 2, "question_count": 5}).
		want(t, http.StatusUnprocessableEntity).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "question_count" || !strings.Contains(p.Errors[0].Message, "has 4") {
		t.Fatalf("errors: %+v, want question_count saying the bank has 4", p.Errors)
	}
	a.do("POST", "/api/exams", tok, map[string]any{"subject_code": "9708", "exam_type": "FULL_PAPER", "paper_number": 1, "question_count": 5}).
		want(t, http.StatusUnprocessableEntity)
}
