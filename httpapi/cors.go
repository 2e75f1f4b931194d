package httpapi

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Origins is the allow-list of browser origins that may call the API from their pages (CORS).
type Origins []string

// ParseOrigins reads a comma-separated list of origins ("https://app.example.com"): scheme, host
// and optional port, nothing else. An empty list allows no cross-origin caller.
func ParseOrigins(s string) (Origins, error) {
	var out Origins
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		u, err := url.Parse(part)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" || u.RawQuery != "" ||
			u.Fragment != "" || u.User != nil || part != u.Scheme+"://"+u.Host || !isASCII(u.Host) {
			return nil, fmt.Errorf("origin %q: want scheme://host[:port] in ASCII (punycode), such as https://app.example.com", part)
		}
		// As a browser sends it: lower case, and no port when it is the scheme's default.
		origin := strings.ToLower(part)
		origin = strings.TrimSuffix(origin, map[string]string{"https": ":443", "http": ":80"}[u.Scheme])
		out = append(out, origin)
	}
	return out, nil
}

// The headers a cross-origin page may send and read.
const (
	corsAllowHeaders  = "Authorization, Content-Type, X-Request-Id"
	corsExposeHeaders = "X-Request-Id, Location, Retry-After, WWW-Authenticate"
)

// cors marks w for r's origin when it is allowed: an exact echo of the origin, never "*", and
// Vary: Origin on every response so that caches keep answers for different origins apart.
// Tokens travel in the Authorization header, not cookies, so credentials are not allowed.
func (s *server) cors(w http.ResponseWriter, r *http.Request) {
	w.Header().Add("Vary", "Origin")
	if origin := r.Header.Get("Origin"); origin != "" && slices.Contains(s.AllowedOrigins, origin) {
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Set("Access-Control-Expose-Headers", corsExposeHeaders)
	}
}

// handleOptions answers a CORS preflight from an allowed origin for a route that exists (the
// router has put the route's methods in Allow); any other OPTIONS request is a 405, as OPTIONS is
// not otherwise served.
func (s *server) handleOptions(w http.ResponseWriter, r *http.Request) {
	method := r.Header.Get("Access-Control-Request-Method")
	allow := w.Header().Get("Allow")
	if w.Header().Get("Access-Control-Allow-Origin") == "" || method == "" || !slices.Contains(strings.Split(allow, ", "), method) {
		s.handleMethodNotAllowed(w, r)
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", allow)
	h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

func isASCII(s string) bool {
	for _, c := range []byte(s) {
		if c >= 0x80 {
			return false
		}
	}
	return true
}
