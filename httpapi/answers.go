package httpapi

import (
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/julienschmidt/httprouter"

	"examiner"
	"examiner/tenant"
)

// Working through an exam: its questions, the answers, the review, self-marks and progress. The
// handlers decode, call the store and encode; the rules are the store's and the database's.

// questionNumber is the route's question number, or NotFound.
func questionNumber(ps httprouter.Params) (int, error) {
	n, err := strconv.Atoi(ps.ByName("number"))
	if err != nil || n < 1 || n > examiner.MaxQuestionCount {
		return 0, examiner.New(examiner.NotFound, "The exam has no such question.")
	}
	return n, nil
}

func (s *server) handleExamQuestions() studentHandle {
	return func(w http.ResponseWriter, r *http.Request, ps httprouter.Params, st tenant.Student) {
		id, err := examID(ps)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		questions, err := s.Store.ExamQuestions(r.Context(), st, id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"items": questions})
	}
}

func (s *server) handlePutAnswer() studentHandle {
	type request struct {
		Choice *string `json:"choice"`
		Text   *string `json:"text"`
	}
	return func(w http.ResponseWriter, r *http.Request, ps httprouter.Params, st tenant.Student) {
		id, err := examID(ps)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		number, err := questionNumber(ps)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		req, err := decode[request](w, r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var fields []examiner.FieldError
		switch {
		case (req.Choice == nil) == (req.Text == nil):
			fields = append(fields, examiner.Field("choice", "give either choice (a multiple-choice question) or text (a written one)"))
		case req.Choice != nil:
			fields = append(fields, oneOf("choice", *req.Choice, []string{"A", "B", "C", "D"})...)
		case utf8.RuneCountInString(*req.Text) > examiner.MaxAnswerLength:
			fields = append(fields, examiner.Field("text", "must be at most "+strconv.Itoa(examiner.MaxAnswerLength)+" characters"))
		}
		if len(fields) > 0 {
			s.fail(w, r, examiner.Fields(fields...))
			return
		}
		answer, err := s.Store.SaveAnswer(r.Context(), st, id, number, req.Choice, req.Text)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, answer)
	}
}

func (s *server) handleListAnswers() studentHandle {
	return func(w http.ResponseWriter, r *http.Request, ps httprouter.Params, st tenant.Student) {
		id, err := examID(ps)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		answers, err := s.Store.Answers(r.Context(), st, id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"items": answers})
	}
}

func (s *server) handleReview() studentHandle {
	return func(w http.ResponseWriter, r *http.Request, ps httprouter.Params, st tenant.Student) {
		id, err := examID(ps)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		items, err := s.Store.Review(r.Context(), st, id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"items": items})
	}
}

func (s *server) handleSelfMark() studentHandle {
	type request struct {
		Marks *int `json:"marks"`
	}
	return func(w http.ResponseWriter, r *http.Request, ps httprouter.Params, st tenant.Student) {
		id, err := examID(ps)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		number, err := questionNumber(ps)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		req, err := decode[request](w, r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if req.Marks == nil || *req.Marks < 0 {
			s.fail(w, r, examiner.Fields(examiner.Field("marks", "is required: a whole number from 0 to the question's marks")))
			return
		}
		score, err := s.Store.SelfMark(r.Context(), st, id, number, *req.Marks)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"number": number, "marks_awarded": *req.Marks, "self_marked": true, "score": score})
	}
}

func (s *server) handleProgress() studentHandle {
	return func(w http.ResponseWriter, r *http.Request, _ httprouter.Params, st tenant.Student) {
		code := r.URL.Query().Get("subject_code")
		if r.URL.Query().Has("subject_code") && !examiner.SubjectCode.MatchString(code) {
			s.fail(w, r, examiner.Fields(examiner.Field("subject_code", examiner.SubjectCodeRule)))
			return
		}
		points, err := s.Store.Progress(r.Context(), st, code)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"items": points})
	}
}
