package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/julienschmidt/httprouter"

	"examiner"
	"examiner/internal/dbsqlc"
	"examiner/migrations"
	"examiner/tenant"
)

// handleHealthz says the process is up; it touches nothing else.
func (s *server) handleHealthz() httprouter.Handle {
	return func(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}
}

// handleReadyz says whether requests can be served: the server is not shutting down, the
// database answers and its schema is at the version this binary expects.
func (s *server) handleReadyz() httprouter.Handle {
	type response struct {
		Status        string `json:"status"`
		SchemaVersion int32  `json:"schema_version"`
	}
	return func(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
		if s.Draining != nil && s.Draining() {
			s.fail(w, r, examiner.New(examiner.Unavailable, "The server is shutting down."))
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		version, err := dbsqlc.New(tenant.Anonymous(s.DB)).SchemaVersion(ctx)
		if err != nil {
			s.fail(w, r, examiner.Wrap(examiner.Unavailable, "The database is unavailable.", err))
			return
		}
		if want := migrations.Head(); int32(version) != want {
			s.fail(w, r, examiner.New(examiner.Unavailable,
				fmt.Sprintf("The database schema is at version %d; this server needs %d. Run: examiner migrate up", version, want)))
			return
		}
		writeJSON(w, http.StatusOK, response{Status: "ready", SchemaVersion: int32(version)})
	}
}
