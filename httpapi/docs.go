package httpapi

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"io/fs"
	"net/http"
	"regexp"
	"strings"

	"github.com/julienschmidt/httprouter"
	"github.com/swaggest/swgui"
	"github.com/swaggest/swgui/v5/static"
	"github.com/swaggest/swgui/v5emb"

	"examiner"
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
	var page pageRecorder
	req, _ := http.NewRequest("GET", "/docs", nil) // a constant request: it cannot fail
	ui.ServeHTTP(&page, req)
	policy := docsPolicy(page.body.Bytes())
	return func(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
		if asset := ps.ByName("asset"); asset != "" && !docsAsset(asset) {
			s.fail(w, r, examiner.New(examiner.NotFound, "There is no such resource."))
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Security-Policy", policy)
		ui.ServeHTTP(w, r)
	}
}

// inlineCode finds the page's inline scripts and styles (those with no attributes, so no src).
var inlineCode = regexp.MustCompile(`(?s)<(script|style)>(.*?)</(?:script|style)>`)

// docsPolicy is the Content-Security-Policy of the docs page: everything from this server only,
// no plugins, never in a frame (where a click on "Authorize" could be someone else's), and of
// inline code only the scripts and styles the page holds, by their hashes, so that no other
// inline script can ever run there.
func docsPolicy(page []byte) string {
	hashes := map[string][]string{}
	for _, m := range inlineCode.FindAllSubmatch(page, -1) {
		sum := sha256.Sum256(m[2])
		hashes[string(m[1])] = append(hashes[string(m[1])], "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	return strings.Join([]string{
		"default-src 'none'",
		strings.Join(append([]string{"script-src 'self'"}, hashes["script"]...), " "),
		strings.Join(append([]string{"style-src 'self'"}, hashes["style"]...), " "),
		"img-src 'self' data:", // Swagger UI's icons are data: URLs in its stylesheet
		"connect-src 'self'",   // /openapi.json and "Try it out"
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; ")
}

// pageRecorder keeps what a handler writes, to read the docs page once when the server starts.
type pageRecorder struct {
	header http.Header
	body   bytes.Buffer
}

func (p *pageRecorder) Header() http.Header {
	if p.header == nil {
		p.header = http.Header{}
	}
	return p.header
}
func (p *pageRecorder) Write(b []byte) (int, error) { return p.body.Write(b) }
func (p *pageRecorder) WriteHeader(int)             {}

// docsAsset reports whether Swagger UI has the asset (stored compressed, served either way).
func docsAsset(name string) bool {
	for _, n := range []string{name, name + ".gz"} {
		if fi, err := fs.Stat(static.FS, n); err == nil && !fi.IsDir() {
			return true
		}
	}
	return false
}
