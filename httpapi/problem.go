package httpapi

import (
	"log/slog"
	"math"
	"net/http"
	"runtime/debug"
	"strconv"

	"examiner"
)

// statusOf maps every application error code to its HTTP status: the only such table.
var statusOf = map[examiner.Code]int{
	examiner.Malformed:       http.StatusBadRequest,
	examiner.Invalid:         http.StatusUnprocessableEntity,
	examiner.TooLarge:        http.StatusRequestEntityTooLarge,
	examiner.UnsupportedType: http.StatusUnsupportedMediaType,
	examiner.Unauthenticated: http.StatusUnauthorized,
	examiner.NotFound:        http.StatusNotFound,
	examiner.Conflict:        http.StatusConflict,
	examiner.RateLimited:     http.StatusTooManyRequests,
	examiner.Unavailable:     http.StatusServiceUnavailable,
	examiner.Internal:        http.StatusInternalServerError,
}

// problem is an RFC 9457 problem details object.
type problem struct {
	Type      string                `json:"type"`
	Title     string                `json:"title"`
	Status    int                   `json:"status"`
	Detail    string                `json:"detail"`
	RequestID string                `json:"request_id,omitempty"`
	Errors    []examiner.FieldError `json:"errors,omitempty"`
}

const problemTypePrefix = "urn:examiner:problem:"

// fail writes err as a problem response. Internal causes go to the log, never to the client.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := examiner.ErrorOf(err)
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	detail := e.Message
	if status >= 500 {
		s.Logger.LogAttrs(r.Context(), slog.LevelError, "request failed",
			slog.String("request_id", requestID(r)), slog.String("code", string(e.Code)),
			slog.String("error", e.Error()))
		if e.Code == examiner.Internal {
			detail = "Something went wrong on our side. Quote the request id if you report it."
		}
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(e.RetryAfter.Seconds()))))
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="examiner"`)
		if r.Header.Get("Authorization") != "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="examiner", error="invalid_token"`)
		}
	}
	writeProblem(w, r, problem{
		Type:   problemTypePrefix + string(e.Code),
		Title:  http.StatusText(status),
		Status: status,
		Detail: detail,
		Errors: e.Fields,
	})
}

func writeProblem(w http.ResponseWriter, r *http.Request, p problem) {
	p.RequestID = requestID(r)
	w.Header().Set("Content-Type", "application/problem+json; charset=utf-8")
	writeJSON(w, p.Status, p)
}

func (s *server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, examiner.New(examiner.NotFound, "There is no such resource."))
}

// handleMethodNotAllowed answers a known path with the wrong method; httprouter has already set
// the Allow header.
func (s *server) handleMethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	writeProblem(w, r, problem{
		Type:   problemTypePrefix + "method_not_allowed",
		Title:  http.StatusText(http.StatusMethodNotAllowed),
		Status: http.StatusMethodNotAllowed,
		Detail: "This resource does not support " + r.Method + "; see the Allow header.",
	})
}

func (s *server) handlePanic(w http.ResponseWriter, r *http.Request, v any) {
	s.Logger.LogAttrs(r.Context(), slog.LevelError, "panic",
		slog.String("request_id", requestID(r)), slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
	s.fail(w, r, examiner.New(examiner.Internal, "Internal error."))
}
