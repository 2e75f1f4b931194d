package httpapi

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/julienschmidt/httprouter"
)

// route is one method and path of the API, in httprouter syntax (":name" for a parameter), and
// the query parameters it takes: any other, or one given twice, is refused before the handler
// runs, so a misspelt filter never silently returns everything.
type route struct {
	method, path string
	query        []string
	handle       httprouter.Handle
}

// routeTable lists every route of the API. openapi.json must describe exactly these; a test
// checks both ways.
func (s *server) routeTable() []route {
	// Served for GET and HEAD alike; one handler each (the docs one holds Swagger UI's page).
	healthz, readyz, openapi, docs := s.handleHealthz(), s.handleReadyz(), s.handleOpenAPI(), s.handleDocs()
	return []route{
		{"GET", "/healthz", nil, healthz},
		{"HEAD", "/healthz", nil, healthz},
		{"GET", "/readyz", nil, readyz},
		{"HEAD", "/readyz", nil, readyz},
		{"GET", "/metrics", nil, s.handleMetrics()},

		{"GET", "/openapi.json", nil, openapi},
		{"HEAD", "/openapi.json", nil, openapi},
		{"GET", "/docs", nil, docs},
		{"HEAD", "/docs", nil, docs},
		{"GET", "/docs/:asset", nil, docs},
		{"HEAD", "/docs/:asset", nil, docs},

		{"POST", "/api/auth/register", nil, s.handleRegister()},
		{"POST", "/api/auth/login", nil, s.handleLogin()},
		{"POST", "/api/auth/logout", nil, s.authenticated(s.handleLogout())},

		{"GET", "/api/students/me", nil, s.authenticated(s.handleGetMe())},
		{"PATCH", "/api/students/me", nil, s.authenticated(s.handlePatchMe())},
		{"PUT", "/api/students/me/password", nil, s.authenticated(s.handleChangePassword())},
		{"GET", "/api/students/me/events", []string{"kind", "limit", "cursor"}, s.authenticated(s.handleListEvents())},

		{"GET", "/api/subjects", nil, s.authenticated(s.handleListSubjects())},
		{"GET", "/api/subjects/:code", nil, s.authenticated(s.handleGetSubject())},
		{"GET", "/api/subjects/:code/syllabus", []string{"q"}, s.authenticated(s.handleGetSyllabus())},

		{"POST", "/api/exams", nil, s.authenticated(s.handleCreateExam())},
		{"GET", "/api/exams", []string{"status", "subject_code", "exam_type", "limit", "cursor"}, s.authenticated(s.handleListExams())},
		{"GET", "/api/exams/:id", nil, s.authenticated(s.handleGetExam())},
		{"PATCH", "/api/exams/:id", nil, s.authenticated(s.handlePatchExam())},
		{"DELETE", "/api/exams/:id", nil, s.authenticated(s.handleDeleteExam())},
		{"GET", "/api/exams/:id/questions", nil, s.authenticated(s.handleExamQuestions())},
		{"GET", "/api/exams/:id/answers", nil, s.authenticated(s.handleListAnswers())},
		{"PUT", "/api/exams/:id/answers/:number", nil, s.authenticated(s.handlePutAnswer())},
		{"PUT", "/api/exams/:id/answers/:number/self-mark", nil, s.authenticated(s.handleSelfMark())},
		{"GET", "/api/exams/:id/review", nil, s.authenticated(s.handleReview())},
		{"GET", "/api/students/me/progress", []string{"subject_code"}, s.authenticated(s.handleProgress())},
	}
}

func (s *server) routes() *httprouter.Router {
	r := httprouter.New()
	// No redirects to a cleaned or slash-adjusted path: they would answer 301/307 with an HTML
	// body, outside the contract. A path that is not a route is a 404 problem.
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	table := s.routeTable()
	for path := range passwordRoutes {
		if !slices.ContainsFunc(table, func(rt route) bool { return rt.path == path }) {
			panic("httpapi: passwordRoutes names " + path + ", which is not in the route table")
		}
	}
	for _, rt := range table {
		timeout := s.RequestTimeout
		if passwordRoutes[rt.path] {
			timeout = s.PasswordTimeout
		}
		r.Handle(rt.method, rt.path, withRoute(rt.path, withDeadline(timeout, s.withQuery(rt.query, rt.handle))))
	}
	// OPTIONS answers CORS preflights from allowed origins only (see cors.go).
	r.GlobalOPTIONS = http.HandlerFunc(s.handleOptions)
	r.NotFound = http.HandlerFunc(s.handleNotFound)
	r.MethodNotAllowed = http.HandlerFunc(s.handleMethodNotAllowed)
	r.PanicHandler = s.handlePanic
	return r
}

// passwordRoutes are the routes that run a bcrypt check: they may wait PasswordTimeout, not
// RequestTimeout, for a password-check slot, so that a storm of logins queues rather than fails.
var passwordRoutes = map[string]bool{
	"/api/auth/register":        true,
	"/api/auth/login":           true,
	"/api/students/me/password": true,
}

// withDeadline bounds h's work, its waits included, by timeout.
func withDeadline(timeout time.Duration, h httprouter.Handle) httprouter.Handle {
	return func(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		h(w, r.WithContext(ctx), ps)
	}
}

// Route describes one route the API serves.
type Route struct {
	Method, Path string   // Path in httprouter syntax
	Query        []string // the query parameters it takes
}

// Routes lists every route the API serves.
func Routes() []Route {
	var out []Route
	for _, rt := range (&server{}).routeTable() {
		out = append(out, Route{Method: rt.method, Path: rt.path, Query: rt.query})
	}
	return out
}

// withQuery refuses a request whose query string is malformed, repeats a parameter or has one
// not in allowed.
func (s *server) withQuery(allowed []string, h httprouter.Handle) httprouter.Handle {
	return func(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
		if _, err := queryOf(r, allowed...); err != nil {
			s.fail(w, r, err)
			return
		}
		h(w, r, ps)
	}
}
