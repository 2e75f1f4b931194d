package httpapi_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"examiner/httpapi"
	"examiner/internal/testdb"
	"examiner/internal/token"
)

// A handler that panics gets the client a generic problem+json 500 with its request id, and the
// log the panic and its stack; nothing of the panic reaches the client. The panic here is real:
// a server built without a store dereferences nil on the first request that needs one.
func TestAPanicIsAGeneric500AndALoggedStack(t *testing.T) {
	var logs bytes.Buffer
	tokens, err := token.NewIssuer([]byte(testSecret), time.Hour, "examiner", "examiner-api")
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := tokens.Issue(uuid.New(), 0, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	srv := httpapi.NewServer(httpapi.Deps{Tokens: tokens, Claims: testdb.Claims, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/api/subjects", nil)
	req.Header.Set("X-Request-Id", "b00b00b00b00b00b")
	req.Header.Set("Authorization", "Bearer "+tok)
	srv.ServeHTTP(rec, req)

	if rec.Code != http.StatusInternalServerError || rec.Header().Get("Content-Type") != "application/problem+json; charset=utf-8" {
		t.Fatalf("got %d %s: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	var p problemBody
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if p.RequestID != "b00b00b00b00b00b" || p.Type != "urn:examiner:problem:internal" || !strings.Contains(p.Detail, "request id") ||
		strings.Contains(rec.Body.String(), "nil pointer") || strings.Contains(rec.Body.String(), ".go:") {
		t.Fatalf("problem: %s", rec.Body)
	}
	if l := logs.String(); !strings.Contains(l, `"msg":"panic"`) || !strings.Contains(l, "goroutine") || !strings.Contains(l, `"request_id":"b00b00b00b00b00b"`) {
		t.Fatalf("logs lack the panic, its stack or its request id:\n%s", l)
	}
}
