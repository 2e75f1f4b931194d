package httpapi

import (
	"net/http"

	"github.com/julienschmidt/httprouter"
)

// route is one method and path of the API, in httprouter syntax (":name" for a parameter).
type route struct {
	method, path string
	handle       httprouter.Handle
}

// routeTable lists every route of the API. openapi.json must describe exactly these; a test
// checks both ways.
func (s *server) routeTable() []route {
	return []route{
		{"GET", "/healthz", s.handleHealthz()},
		{"HEAD", "/healthz", s.handleHealthz()},
		{"GET", "/readyz", s.handleReadyz()},
		{"HEAD", "/readyz", s.handleReadyz()},

		{"GET", "/openapi.json", s.handleOpenAPI()},
		{"GET", "/docs", s.handleDocs()},
		{"GET", "/docs/:asset", s.handleDocs()},

		{"POST", "/api/auth/register", s.handleRegister()},
		{"POST", "/api/auth/login", s.handleLogin()},
		{"POST", "/api/auth/logout", s.authenticated(s.handleLogout())},

		{"GET", "/api/students/me", s.authenticated(s.handleGetMe())},
		{"PATCH", "/api/students/me", s.authenticated(s.handlePatchMe())},
		{"PUT", "/api/students/me/password", s.authenticated(s.handleChangePassword())},

		{"GET", "/api/subjects", s.authenticated(s.handleListSubjects())},
		{"GET", "/api/subjects/:code", s.authenticated(s.handleGetSubject())},
		{"GET", "/api/subjects/:code/syllabus", s.authenticated(s.handleGetSyllabus())},

		{"POST", "/api/exams", s.authenticated(s.handleCreateExam())},
		{"GET", "/api/exams", s.authenticated(s.handleListExams())},
		{"GET", "/api/exams/:id", s.authenticated(s.handleGetExam())},
		{"PATCH", "/api/exams/:id", s.authenticated(s.handlePatchExam())},
		{"DELETE", "/api/exams/:id", s.authenticated(s.handleDeleteExam())},
	}
}

func (s *server) routes() *httprouter.Router {
	r := httprouter.New()
	for _, rt := range s.routeTable() {
		r.Handle(rt.method, rt.path, rt.handle)
	}
	r.NotFound = http.HandlerFunc(s.handleNotFound)
	r.MethodNotAllowed = http.HandlerFunc(s.handleMethodNotAllowed)
	r.PanicHandler = s.handlePanic
	return r
}

// Routes lists the method and path of every route the API serves, in httprouter syntax.
func Routes() [][2]string {
	var out [][2]string
	for _, rt := range (&server{}).routeTable() {
		out = append(out, [2]string{rt.method, rt.path})
	}
	return out
}
