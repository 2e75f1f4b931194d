package httpapi

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/julienschmidt/httprouter"

	"examiner"
	"examiner/tenant"
)

func (s *server) handleGetMe() studentHandle {
	return func(w http.ResponseWriter, r *http.Request, _ httprouter.Params, st tenant.Student) {
		p, err := s.Store.Profile(r.Context(), st)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, p)
	}
}

func (s *server) handlePatchMe() studentHandle {
	type request struct {
		FullName     *string            `json:"full_name"`
		TargetGrades *map[string]string `json:"target_grades"`
	}
	return func(w http.ResponseWriter, r *http.Request, _ httprouter.Params, st tenant.Student) {
		req, err := decode[request](w, r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if req.FullName == nil && req.TargetGrades == nil {
			s.fail(w, r, examiner.Fields(examiner.Field("", "give full_name, target_grades or both")))
			return
		}
		var change examiner.ProfileChange
		var fields []examiner.FieldError
		if req.FullName != nil {
			name, problem := examiner.CheckFullName(*req.FullName)
			if problem != "" {
				fields = append(fields, examiner.Field("full_name", problem))
			}
			change.FullName = &name
		}
		if req.TargetGrades != nil { // absent or null leaves the grades; {} clears them
			change.TargetGrades = *req.TargetGrades
			fields = append(fields, checkTargetGrades(change.TargetGrades)...)
		}
		if len(fields) > 0 {
			s.fail(w, r, examiner.Fields(fields...))
			return
		}
		p, err := s.Store.UpdateProfile(r.Context(), st, change)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, p)
	}
}

func checkTargetGrades(tg map[string]string) []examiner.FieldError {
	if len(tg) > examiner.MaxTargetGrades {
		return []examiner.FieldError{examiner.Field("target_grades", fmt.Sprintf("must have at most %d subjects", examiner.MaxTargetGrades))}
	}
	codes := make([]string, 0, len(tg))
	for code := range tg {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	var fields []examiner.FieldError
	for _, code := range codes {
		grade := tg[code]
		switch {
		case !examiner.SubjectCode.MatchString(code):
			fields = append(fields, examiner.Field("target_grades", "subject codes "+examiner.SubjectCodeRule))
		case !slices.Contains(examiner.Grades, grade):
			fields = append(fields, examiner.Field("target_grades."+code, "must be one of "+strings.Join(examiner.Grades, ", ")))
		}
	}
	return fields
}

// handleListEvents lists the student's authentication trail, newest first: every sign-in, failed
// attempt on their email (with why it failed), logout and password change.
func (s *server) handleListEvents() studentHandle {
	return func(w http.ResponseWriter, r *http.Request, _ httprouter.Params, st tenant.Student) {
		q := r.URL.Query()
		kind := q.Get("kind")
		var fields []examiner.FieldError
		if q.Has("kind") {
			fields = oneOf("kind", kind, examiner.EventKinds)
		}
		digest := filterDigest("events", kind)
		limit, after, bad := pageOf(q, digest)
		if fields = append(fields, bad...); len(fields) > 0 {
			s.fail(w, r, examiner.Fields(fields...))
			return
		}
		events, more, err := s.Store.AuthEvents(r.Context(), st, kind, after, limit)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, pageFrom(events, more, examiner.AuthEvent.Position, digest))
	}
}
