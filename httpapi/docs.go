package httpapi

import (
	_ "embed"
	"io/fs"
	"net/http"

	"github.com/julienschmidt/httprouter"
	"github.com/swaggest/swgui"
	"github.com/swaggest/swgui/v5/static"
	"github.com/swaggest/swgui/v5emb"

	"examiner/internal/apperr"
)

// openAPI is the API's contract, OpenAPI 3.1. It is written by hand, next to the code it
// describes; tests check that it names exactly the routes served and that responses match it.
//
//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI document served at /openapi.json.
func OpenAPI() []byte { return append([]byte(nil), openAPI...) }

func (s *server) handleOpenAPI() httprouter.Handle {
	return func(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(openAPI)
	}
}

// handleDocs serves Swagger UI (from github.com/swaggest/swgui, whose assets are embedded in the
// binary: no CDN, works offline) on /openapi.json.
func (s *server) handleDocs() httprouter.Handle {
	ui := v5emb.NewHandlerWithConfig(swgui.Config{
		Title:       "examiner API",
		SwaggerJSON: "/openapi.json",
		BasePath:    "/docs/",
		SettingsUI: map[string]string{
			// Keep the token across reloads of the page, and show how long requests take.
			"persistAuthorization":   "true",
			"displayRequestDuration": "true",
		},
	})
	return func(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
		if asset := ps.ByName("asset"); asset != "" && !docsAsset(asset) {
			s.fail(w, r, apperr.New(apperr.NotFound, "There is no such resource."))
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		ui.ServeHTTP(w, r)
	}
}

// docsAsset reports whether Swagger UI has the asset (stored compressed, served either way).
func docsAsset(name string) bool {
	for _, n := range []string{name, name + ".gz"} {
		if fi, err := fs.Stat(static.FS, n); err == nil && !fi.IsDir() {
			return true
		}
	}
	return false
}
