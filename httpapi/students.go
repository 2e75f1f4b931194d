package httpapi

import (
	"fmt"
	"net/http"
	"net/mail"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/julienschmidt/httprouter"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"examiner"
	"examiner/internal/apperr"
	"examiner/internal/store"
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
			s.fail(w, r, apperr.Fields(apperr.Field("", "give full_name, target_grades or both")))
			return
		}
		var change store.ProfileChange
		var fields []apperr.FieldError
		if req.FullName != nil {
			name, problem := checkFullName(*req.FullName)
			if problem != "" {
				fields = append(fields, apperr.Field("full_name", problem))
			}
			change.FullName = &name
		}
		if req.TargetGrades != nil { // absent or null leaves the grades; {} clears them
			change.TargetGrades = *req.TargetGrades
			fields = append(fields, checkTargetGrades(change.TargetGrades)...)
		}
		if len(fields) > 0 {
			s.fail(w, r, apperr.Fields(fields...))
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

// checkEmail returns the email as stored (surrounding spaces removed) and the key it is compared
// by, or what is wrong with it.
func checkEmail(raw string) (email, key, problem string) {
	email = strings.TrimSpace(raw)
	switch {
	case email == "":
		return "", "", "is required"
	case len(email) > examiner.MaxEmailLength:
		return "", "", fmt.Sprintf("must be at most %d characters", examiner.MaxEmailLength)
	case strings.IndexFunc(email, unicode.IsControl) >= 0 || !utf8.ValidString(email):
		return "", "", "must not contain control characters"
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" || !strings.Contains(email[strings.LastIndex(email, "@"):], ".") {
		return "", "", "must be an email address such as name@example.com"
	}
	return email, emailKey(email), ""
}

// emailKey is what makes two emails the same account: Unicode case folding (so "ſ" is "s" and
// "ς" is "σ", which lower-casing misses) and NFC normalisation. The database compares keys, not
// emails, because its lower() depends on its locale.
func emailKey(email string) string {
	return norm.NFC.String(cases.Fold().String(norm.NFC.String(email)))
}

// checkFullName returns the name as stored (surrounding spaces removed), or what is wrong with it.
func checkFullName(raw string) (string, string) {
	name := strings.TrimSpace(raw)
	switch {
	case name == "":
		return "", "is required"
	case utf8.RuneCountInString(name) > examiner.MaxFullNameLength:
		return "", fmt.Sprintf("must be at most %d characters", examiner.MaxFullNameLength)
	case strings.IndexFunc(name, unicode.IsControl) >= 0 || !utf8.ValidString(name):
		return "", "must not contain control characters"
	}
	return name, ""
}

func checkTargetGrades(tg map[string]string) []apperr.FieldError {
	if len(tg) > examiner.MaxTargetGrades {
		return []apperr.FieldError{apperr.Field("target_grades", fmt.Sprintf("must have at most %d subjects", examiner.MaxTargetGrades))}
	}
	codes := make([]string, 0, len(tg))
	for code := range tg {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	var fields []apperr.FieldError
	for _, code := range codes {
		grade := tg[code]
		switch {
		case !examiner.SubjectCode.MatchString(code):
			fields = append(fields, apperr.Field("target_grades", "subject codes "+examiner.SubjectCodeRule))
		case !slices.Contains(examiner.Grades, grade):
			fields = append(fields, apperr.Field("target_grades."+code, "must be one of "+strings.Join(examiner.Grades, ", ")))
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
		var fields []apperr.FieldError
		if q.Has("kind") {
			fields = oneOf("kind", kind, examiner.EventKinds)
		}
		digest := filterDigest("events", kind)
		limit, after, bad := pageOf(q, digest)
		if fields = append(fields, bad...); len(fields) > 0 {
			s.fail(w, r, apperr.Fields(fields...))
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
