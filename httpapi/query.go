package httpapi

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"

	"examiner/internal/apperr"
)

// queryOf returns r's query parameters, refusing any parameter not in allowed and any given
// twice: a misspelt filter must not silently return everything.
func queryOf(r *http.Request, allowed ...string) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, apperr.New(apperr.Malformed, "The query string is not valid URL encoding.")
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
	var fields []apperr.FieldError
	for _, name := range names {
		switch {
		case !known[name]:
			fields = append(fields, apperr.Field(name, "is not a known query parameter"))
		case len(q[name]) > 1:
			fields = append(fields, apperr.Field(name, "must be given at most once"))
		}
	}
	if len(fields) > 0 {
		return nil, apperr.Fields(fields...)
	}
	return q, nil
}

// intParam reads an optional integer parameter in [min, max], def when absent.
func intParam(q url.Values, name string, def, min, max int) (int, *apperr.FieldError) {
	if !q.Has(name) {
		return def, nil
	}
	n, err := strconv.Atoi(q.Get(name))
	if err != nil || n < min || n > max {
		f := apperr.Field(name, "must be a whole number from "+strconv.Itoa(min)+" to "+strconv.Itoa(max))
		return 0, &f
	}
	return n, nil
}
