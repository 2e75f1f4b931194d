package httpapi

import (
	"net/http"

	"github.com/julienschmidt/httprouter"
)

// routes lists every route of the API.
func (s *server) routes() *httprouter.Router {
	r := httprouter.New()

	r.GET("/healthz", s.handleHealthz())
	r.HEAD("/healthz", s.handleHealthz())
	r.GET("/readyz", s.handleReadyz())
	r.HEAD("/readyz", s.handleReadyz())

	r.POST("/api/auth/register", s.handleRegister())
	r.POST("/api/auth/login", s.handleLogin())
	r.POST("/api/auth/logout", s.authenticated(s.handleLogout()))

	r.GET("/api/students/me", s.authenticated(s.handleGetMe()))
	r.PATCH("/api/students/me", s.authenticated(s.handlePatchMe()))
	r.PUT("/api/students/me/password", s.authenticated(s.handleChangePassword()))

	r.NotFound = http.HandlerFunc(s.handleNotFound)
	r.MethodNotAllowed = http.HandlerFunc(s.handleMethodNotAllowed)
	r.PanicHandler = s.handlePanic
	return r
}
