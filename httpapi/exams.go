package httpapi

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/julienschmidt/httprouter"

	"examiner"
	"examiner/internal/store"
	"examiner/tenant"
)

func (s *server) handleCreateExam() studentHandle {
	type request struct {
		SubjectCode     *string  `json:"subject_code"`
		ExamType        *string  `json:"exam_type"`
		PaperNumber     *int     `json:"paper_number"`
		DurationMinutes *int     `json:"duration_minutes"`
		TotalMarks      *int     `json:"total_marks"`
		QuestionCount   *int     `json:"question_count"`
		SyllabusPoints  []string `json:"syllabus_points"`
	}
	return func(w http.ResponseWriter, r *http.Request, _ httprouter.Params, st tenant.Student) {
		req, err := decode[request](w, r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var fields []examiner.FieldError
		switch {
		case req.SubjectCode == nil:
			fields = append(fields, examiner.Field("subject_code", "is required"))
		case !examiner.SubjectCode.MatchString(*req.SubjectCode):
			fields = append(fields, examiner.Field("subject_code", examiner.NotASubject))
		}
		if req.ExamType == nil {
			fields = append(fields, examiner.Field("exam_type", "is required"))
		} else {
			fields = append(fields, oneOf("exam_type", *req.ExamType, examiner.ExamTypes)...)
		}
		fields = append(fields, inRange("paper_number", req.PaperNumber, examiner.MaxPaperNumber)...)
		fields = append(fields, inRange("duration_minutes", req.DurationMinutes, examiner.MaxDuration)...)
		fields = append(fields, inRange("total_marks", req.TotalMarks, examiner.MaxTotalMarks)...)
		fields = append(fields, inRange("question_count", req.QuestionCount, examiner.MaxQuestionCount)...)
		if req.ExamType != nil && *req.ExamType == examiner.FullPaper {
			if req.QuestionCount != nil {
				fields = append(fields, examiner.Field("question_count", "is not taken by a FULL_PAPER exam: its paper sets its questions"))
			}
			if req.SyllabusPoints != nil {
				fields = append(fields, examiner.Field("syllabus_points", "is not taken by a FULL_PAPER exam: its paper sets its questions"))
			}
		}
		if len(req.SyllabusPoints) > examiner.MaxQuestionCount {
			fields = append(fields, examiner.Field("syllabus_points", "may name at most "+strconv.Itoa(examiner.MaxQuestionCount)+" syllabus points"))
		}
		for _, code := range req.SyllabusPoints {
			if !examiner.SyllabusPointCode.MatchString(code) {
				fields = append(fields, examiner.Field("syllabus_points", "must be syllabus point codes such as 9708.2.3"))
				break
			}
		}
		if len(fields) > 0 {
			s.fail(w, r, examiner.Fields(fields...))
			return
		}
		exam, err := s.Store.CreateExam(r.Context(), st, examiner.NewExam{
			SubjectCode: *req.SubjectCode, ExamType: *req.ExamType, PaperNumber: req.PaperNumber,
			DurationMinutes: req.DurationMinutes, TotalMarks: req.TotalMarks,
			QuestionCount: req.QuestionCount, SyllabusPoints: req.SyllabusPoints,
		})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Location", "/api/exams/"+exam.ID.String())
		writeExam(w, http.StatusCreated, exam)
	}
}

func (s *server) handleListExams() studentHandle {
	return func(w http.ResponseWriter, r *http.Request, _ httprouter.Params, st tenant.Student) {
		q := r.URL.Query() // only the parameters the route table allows, each once
		f := examiner.ExamFilter{Status: q.Get("status"), SubjectCode: q.Get("subject_code"), ExamType: q.Get("exam_type")}
		var fields []examiner.FieldError
		if q.Has("status") {
			fields = append(fields, oneOf("status", f.Status, examiner.ExamStatuses)...)
		}
		if q.Has("subject_code") && !examiner.SubjectCode.MatchString(f.SubjectCode) {
			fields = append(fields, examiner.Field("subject_code", examiner.SubjectCodeRule))
		}
		if q.Has("exam_type") {
			fields = append(fields, oneOf("exam_type", f.ExamType, examiner.ExamTypes)...)
		}
		digest := filterDigest("exams", f.Status, f.SubjectCode, f.ExamType)
		limit, after, bad := pageOf(q, digest)
		if fields = append(fields, bad...); len(fields) > 0 {
			s.fail(w, r, examiner.Fields(fields...))
			return
		}
		exams, more, err := s.Store.Exams(r.Context(), st, f, after, limit)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeExamPage(w, http.StatusOK, pageFrom(exams, more, examiner.Exam.Position, digest))
	}
}

func (s *server) handleGetExam() studentHandle {
	return func(w http.ResponseWriter, r *http.Request, ps httprouter.Params, st tenant.Student) {
		id, err := examID(ps)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		exam, err := s.Store.ExamByID(r.Context(), st, id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeExam(w, http.StatusOK, exam)
	}
}

func (s *server) handlePatchExam() studentHandle {
	type request struct {
		Status *string `json:"status"`
	}
	return func(w http.ResponseWriter, r *http.Request, ps httprouter.Params, st tenant.Student) {
		id, err := examID(ps)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		req, err := decode[request](w, r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if req.Status == nil {
			s.fail(w, r, examiner.Fields(examiner.Field("status", "is required (only the status of an exam can change)")))
			return
		}
		if bad := oneOf("status", *req.Status, examiner.ExamStatuses); bad != nil {
			s.fail(w, r, examiner.Fields(bad...))
			return
		}
		exam, err := s.Store.SetExamStatus(r.Context(), st, id, *req.Status)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeExam(w, http.StatusOK, exam)
	}
}

func (s *server) handleDeleteExam() studentHandle {
	return func(w http.ResponseWriter, r *http.Request, ps httprouter.Params, st tenant.Student) {
		id, err := examID(ps)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if err := s.Store.DeleteExam(r.Context(), st, id); err != nil {
			s.fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// examID reads the exam id from the path. Anything but a UUID in its usual 36-character form is
// the same 404 as a missing exam or another student's: a response never tells them apart.
func examID(ps httprouter.Params) (uuid.UUID, error) {
	raw := ps.ByName("id")
	id, err := uuid.Parse(raw)
	if err != nil || len(raw) != 36 {
		return uuid.Nil, store.ErrNoExam
	}
	return id, nil
}

// oneOf is what is wrong with field's value when it is not one of options.
func oneOf(field, value string, options []string) []examiner.FieldError {
	if slices.Contains(options, value) {
		return nil
	}
	return []examiner.FieldError{examiner.Field(field, "must be one of "+strings.Join(options, ", "))}
}

func inRange(field string, n *int, max int) []examiner.FieldError {
	if n != nil && (*n < 1 || *n > max) {
		return []examiner.FieldError{examiner.Field(field, "must be a whole number from 1 to "+strconv.Itoa(max))}
	}
	return nil
}
