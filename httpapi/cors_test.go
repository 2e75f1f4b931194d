package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"examiner/httpapi"
)

func TestOnlyAllowedOriginsGetCORSHeaders(t *testing.T) {
	t.Parallel()
	origins, err := httpapi.ParseOrigins("https://app.example.com, http://localhost:3000")
	if err != nil {
		t.Fatal(err)
	}
	a := newAppWith(t, func(d *httpapi.Deps) { d.AllowedOrigins = origins })
	_, tok := a.student("browser@example.com")
	get := func(origin string) response {
		h := http.Header{"Authorization": {"Bearer " + tok}}
		if origin != "" {
			h.Set("Origin", origin)
		}
		return a.requestWith("GET", "/api/subjects", "", nil, h).want(t, http.StatusOK)
	}
	for _, origin := range []string{"https://app.example.com", "http://localhost:3000"} {
		res := get(origin)
		if res.header.Get("Access-Control-Allow-Origin") != origin || !strings.Contains(res.header.Get("Access-Control-Expose-Headers"), "X-Request-Id") {
			t.Errorf("%s: CORS headers %v", origin, res.header)
		}
		if res.header.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("%s: credentials allowed; tokens are bearer headers, not cookies", origin)
		}
	}
	for _, origin := range []string{"", "https://evil.example.com", "https://app.example.com.evil.example", "null", "https://APP.example.com", "https://app.example.com:443"} {
		res := get(origin)
		if v := res.header.Get("Access-Control-Allow-Origin"); v != "" {
			t.Errorf("origin %q got Access-Control-Allow-Origin %q", origin, v)
		}
		if !strings.Contains(strings.Join(res.header.Values("Vary"), ","), "Origin") {
			t.Errorf("origin %q: no Vary: Origin", origin)
		}
	}
}

func TestCORSPreflightsAreAnsweredForAllowedOriginsOnly(t *testing.T) {
	t.Parallel()
	origins, _ := httpapi.ParseOrigins("https://app.example.com")
	a := newAppWith(t, func(d *httpapi.Deps) { d.AllowedOrigins = origins })
	preflight := func(origin, path, method string) response {
		return a.requestWith("OPTIONS", path, "", nil, http.Header{
			"Origin": {origin}, "Access-Control-Request-Method": {method},
			"Access-Control-Request-Headers": {"authorization, content-type"},
		})
	}
	res := preflight("https://app.example.com", "/api/exams", "POST").want(t, http.StatusNoContent)
	h := res.header
	if h.Get("Access-Control-Allow-Origin") != "https://app.example.com" || !strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") ||
		!strings.Contains(h.Get("Access-Control-Allow-Headers"), "Authorization") || h.Get("Access-Control-Max-Age") == "" {
		t.Fatalf("preflight headers: %v", h)
	}
	preflight("https://evil.example.com", "/api/exams", "POST").want(t, http.StatusMethodNotAllowed).problem(t)
	preflight("https://app.example.com", "/api/exams", "PUT").want(t, http.StatusMethodNotAllowed).problem(t)
	preflight("https://app.example.com", "/api/nothing", "GET").want(t, http.StatusNotFound).problem(t)
	a.do("OPTIONS", "/api/exams", "", nil).want(t, http.StatusMethodNotAllowed).problem(t)
}

func TestParseOriginsTakesOnlyBareOrigins(t *testing.T) {
	for _, bad := range []string{"app.example.com", "https://app.example.com/", "https://app.example.com/path", "ftp://x.example", "https://user@x.example", "*", "https://x.example?q"} {
		if _, err := httpapi.ParseOrigins(bad); err == nil {
			t.Errorf("ParseOrigins(%q): no error", bad)
		}
	}
	if o, err := httpapi.ParseOrigins(""); err != nil || len(o) != 0 {
		t.Errorf("empty: %v %v", o, err)
	}
	if _, err := httpapi.ParseOrigins("https://bücher.example"); err == nil {
		t.Error("a Unicode host, which browsers send as punycode, was accepted")
	}
	// Written as a browser sends it: lower case, no default port.
	o, err := httpapi.ParseOrigins("https://App.Example.com:443, http://localhost:80, http://localhost:3000")
	if err != nil || strings.Join(o, " ") != "https://app.example.com http://localhost http://localhost:3000" {
		t.Errorf("normalised: %v %v", o, err)
	}
}
