package httpapi

import (
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/julienschmidt/httprouter"

	"examiner"
	"examiner/internal/store"
	"examiner/tenant"
)

// list is the shape of a collection response that comes whole.
type list[T any] struct {
	Items []T `json:"items"`
}

// page is the shape of a paginated collection response: some items, and the cursor that fetches
// the next page (null on the last page).
type page[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

func (s *server) handleListSubjects() studentHandle {
	return func(w http.ResponseWriter, r *http.Request, _ httprouter.Params, st tenant.Student) {
		subjects, err := s.Store.Subjects(r.Context(), st)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, list[examiner.Subject]{Items: subjects})
	}
}

func (s *server) handleGetSubject() studentHandle {
	return func(w http.ResponseWriter, r *http.Request, ps httprouter.Params, st tenant.Student) {
		code, err := subjectCodeOf(ps)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		subject, err := s.Store.SubjectByCode(r.Context(), st, code)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, subject)
	}
}

// subjectCodeOf reads the subject code from the path. One that cannot be a code (which might
// not even be UTF-8, and so not a value PostgreSQL can compare) is the same 404 as a missing one.
func subjectCodeOf(ps httprouter.Params) (string, error) {
	code := ps.ByName("code")
	if !examiner.SubjectCode.MatchString(code) {
		return "", store.ErrNoSubject
	}
	return code, nil
}

// MaxSearchLength bounds the syllabus search text.
const MaxSearchLength = 200

func (s *server) handleGetSyllabus() studentHandle {
	return func(w http.ResponseWriter, r *http.Request, ps httprouter.Params, st tenant.Student) {
		words, problem := searchWords(r.URL.Query().Get("q"))
		if problem != "" {
			s.fail(w, r, examiner.Fields(examiner.Field("q", problem)))
			return
		}
		code, err := subjectCodeOf(ps)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		points, err := s.Store.Syllabus(r.Context(), st, code, words)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, list[examiner.SyllabusPoint]{Items: points})
	}
}

// searchWords splits a search into the words every match must contain.
func searchWords(q string) ([]string, string) {
	switch {
	case !utf8.ValidString(q) || strings.IndexFunc(q, unicode.IsControl) >= 0:
		return nil, "must be text without control characters"
	case utf8.RuneCountInString(q) > MaxSearchLength:
		return nil, "must be at most 200 characters"
	}
	return strings.Fields(q), ""
}
