package httpapi

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"examiner"
)

// queryOf returns r's query parameters, refusing any parameter not in allowed and any given
// twice (a misspelt filter must not silently return everything) and any name or value that is not
// valid UTF-8 (see textFields).
func queryOf(r *http.Request, allowed ...string) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, examiner.New(examiner.Malformed, "The query string is not valid URL encoding.")
	}
	if err := textFields(q); err != nil {
		return nil, err
	}
	known := make(map[string]bool, len(allowed))
	for _, a := range allowed {
		known[a] = true
	}
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	sort.Strings(names)
	var fields []examiner.FieldError
	for _, name := range names {
		switch {
		case !known[name]:
			fields = append(fields, examiner.Field(name, "is not a known query parameter"))
		case len(q[name]) > 1:
			fields = append(fields, examiner.Field(name, "must be given at most once"))
		}
	}
	if len(fields) > 0 {
		return nil, examiner.Fields(fields...)
	}
	return q, nil
}

// formOf returns the fields of r's application/x-www-form-urlencoded body (at most MaxBodyBytes),
// refusing any name or value that is not valid UTF-8 (see textFields).
func formOf(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		return nil, decodeError(err)
	}
	if err := textFields(r.PostForm); err != nil {
		return nil, err
	}
	return r.PostForm, nil
}

// textFields refuses a name or value of v that is not valid UTF-8: it is percent-encoded bytes
// that are no text, which a handler would compare or store as something other than what was sent.
func textFields(v url.Values) error {
	notText := func(s string) bool { return !utf8.ValidString(s) }
	var fields []examiner.FieldError
	for _, name := range slices.Sorted(maps.Keys(v)) {
		switch {
		case notText(name):
			fields = append(fields, examiner.Field(strings.ToValidUTF8(name, "\uFFFD"), "is a name that is not valid UTF-8 text"))
		case slices.ContainsFunc(v[name], notText):
			fields = append(fields, examiner.Field(name, "must be valid UTF-8 text"))
		}
	}
	if len(fields) > 0 {
		return examiner.Fields(fields...)
	}
	return nil
}

// intParam reads an optional integer parameter in [min, max], def when absent.
func intParam(q url.Values, name string, def, min, max int) (int, *examiner.FieldError) {
	if !q.Has(name) {
		return def, nil
	}
	n, err := strconv.Atoi(q.Get(name))
	if err != nil || n < min || n > max {
		f := examiner.Field(name, "must be a whole number from "+strconv.Itoa(min)+" to "+strconv.Itoa(max))
		return 0, &f
	}
	return n, nil
}
