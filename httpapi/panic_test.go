package httpapi

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/julienschmidt/httprouter"
)

// A handler that panics gets the client a generic problem+json 500 with its request id, and the
// log the panic and its stack; the panic's text never reaches the client.
func TestAPanicIsAGeneric500AndALoggedStack(t *testing.T) {
	var logs bytes.Buffer
	s := &server{Deps: Deps{Logger: slog.New(slog.NewJSONHandler(&logs, nil)), RequestTimeout: DefaultRequestTimeout}}
	r := httprouter.New()
	r.PanicHandler = s.handlePanic
	r.GET("/boom", func(http.ResponseWriter, *http.Request, httprouter.Params) {
		panic("secret internal state: password=hunter2")
	})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/boom", nil)
	req.Header.Set("X-Request-Id", "boom-1")
	s.withRequestContext(r).ServeHTTP(rec, req)

	if rec.Code != http.StatusInternalServerError || rec.Header().Get("Content-Type") != "application/problem+json; charset=utf-8" {
		t.Fatalf("got %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	var p problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if p.RequestID != "boom-1" || p.Type != "urn:examiner:problem:internal" || strings.Contains(rec.Body.String(), "hunter2") ||
		!strings.Contains(p.Detail, "request id") {
		t.Fatalf("problem: %s", rec.Body.String())
	}
	if l := logs.String(); !strings.Contains(l, `"msg":"panic"`) || !strings.Contains(l, "goroutine") || !strings.Contains(l, `"request_id":"boom-1"`) {
		t.Fatalf("logs lack the panic, its stack or its request id:\n%s", l)
	}
}
