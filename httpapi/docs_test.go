package httpapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

func TestTheDocsPageAndItsAssetsComeFromThisServer(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	page := a.do("GET", "/docs", "", nil).want(t, http.StatusOK)
	html := string(page.body)
	if !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") || !strings.Contains(html, "/openapi.json") {
		t.Fatalf("/docs: %s %.200s", page.header.Get("Content-Type"), html)
	}
	external := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//`)
	if m := external.FindString(html); m != "" {
		t.Fatalf("/docs loads something from elsewhere: %s", m)
	}
	assets := regexp.MustCompile(`(?:src|href)="(/docs/[^"]+)"`).FindAllStringSubmatch(html, -1)
	if len(assets) < 3 {
		t.Fatalf("/docs names %d assets: %s", len(assets), html)
	}
	for _, m := range assets {
		res := a.do("GET", m[1], "", nil).want(t, http.StatusOK)
		if len(res.body) == 0 {
			t.Errorf("%s is empty", m[1])
		}
	}
	a.do("GET", "/docs/no-such-file.js", "", nil).want(t, http.StatusNotFound)

	policy := map[string]string{}
	for _, d := range strings.Split(page.header.Get("Content-Security-Policy"), ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		policy[name] = value
	}
	if policy["default-src"] != "'none'" || policy["frame-ancestors"] != "'none'" ||
		!strings.HasPrefix(policy["script-src"], "'self'") || strings.Contains(policy["script-src"], "unsafe") {
		t.Fatalf("/docs Content-Security-Policy: got %q, want default-src 'none', frame-ancestors 'none' and scripts from 'self' and hashes only",
			page.header.Get("Content-Security-Policy"))
	}
	for _, m := range regexp.MustCompile(`(?s)<(script|style)>(.*?)</(?:script|style)>`).FindAllStringSubmatch(html, -1) {
		sum := sha256.Sum256([]byte(m[2]))
		if hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(policy[m[1]+"-src"], hash) {
			t.Errorf("the page's inline %s %.60q…: its hash %s is not in %s-src %q", m[1], m[2], hash, m[1], policy[m[1]+"-src"])
		}
	}

	var doc map[string]any
	a.do("GET", "/openapi.json", "", nil).want(t, http.StatusOK).decode(t, &doc)
	if doc["openapi"] != "3.1.0" {
		t.Fatalf("/openapi.json: openapi %v", doc["openapi"])
	}
}

// browser finds a Chromium to drive: $EXAMINER_BROWSER, or chromium or google-chrome on PATH.
func browser(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("EXAMINER_BROWSER"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no headless browser found (looked for $EXAMINER_BROWSER, chromium, chromium-browser, google-chrome); " +
		"on Debian: apt-get install chromium"
	if os.Getenv("EXAMINER_REQUIRE_BROWSER") == "1" {
		t.Fatal(msg + " — EXAMINER_REQUIRE_BROWSER=1, so this fails instead of skipping")
	}
	t.Skip(msg)
	return ""
}

// A real browser opens /docs, Swagger UI renders every operation of the contract, and the page
// asks nothing of any other host. Set EXAMINER_DOCS_SCREENSHOT=file.png to keep a picture of the page.
func TestTheDocsPageListsEveryOperationInARealBrowser(t *testing.T) {
	t.Parallel()
	path := browser(t)
	a := newApp(t)

	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.WindowSize(1280, 2400),
		chromedp.Flag("headless", "new"))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTimeout()

	var (
		mu         sync.Mutex
		requested  []string
		exceptions []string
	)
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			requested = append(requested, ev.Request.URL)
		case *runtime.EventExceptionThrown:
			exceptions = append(exceptions, ev.ExceptionDetails.Text)
		}
	}); err != nil {
		t.Fatalf("browser %s: %v", path, err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("browser: %v", err)
	}
	// The page's Content-Security-Policy must not stop anything it needs; a script added this way
	// runs whatever the policy says, and keeps what the policy refused.
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.cspViolations = []; document.addEventListener('securitypolicyviolation',
			e => window.cspViolations.push(e.effectiveDirective + ' refused ' + (e.blockedURI || 'inline') + ' at ' + e.lineNumber));`,
	}); err != nil {
		t.Fatalf("browser: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(a.url+"/docs"), chromedp.WaitVisible(chromedp.CSS(".opblock-summary-path"))); err != nil {
		t.Fatalf("browser: /docs never showed an operation: %v", err)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	methods, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.opblock-summary-method')].map(e => e.textContent.trim())`))
	if err != nil {
		t.Fatal(err)
	}
	paths, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.opblock-summary-path')].map(e => e.getAttribute('data-path') || e.textContent.trim())`))
	if err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		t.Fatal(err)
	}
	for _, alarm := range []string{"Warning", "Errors", "Unable to render", "Failed to load"} {
		if strings.Contains(text, alarm) {
			t.Errorf("the page says %q:\n%s", alarm, text)
		}
	}
	// Sign in with Authorize (the OAuth2 password grant), then "Try it out" on GET
	// /api/students/me: the page calls this server, as its policy must allow.
	a.register("docs@example.com", "a good password", "Docs")
	const me = "#operations-students-getMe "
	for _, step := range []struct {
		name   string
		action chromedp.Action[chromedp.Void]
	}{
		{"open Authorize", chromedp.Click(chromedp.CSS(".auth-wrapper .authorize"))},
		{"type the email", chromedp.SendKeys(chromedp.CSS("#oauth_username"), "docs@example.com")},
		{"type the password", chromedp.SendKeys(chromedp.CSS("#oauth_password"), "a good password")},
		{"authorize", chromedp.Click(chromedp.CSS(".auth-container:has(#oauth_username) .auth-btn-wrapper .authorize"))},
		{"see it signed in", chromedp.WaitVisible(chromedp.CSS(`.auth-container button[aria-label="Remove authorization"]`))},
		{"close Authorize", chromedp.Click(chromedp.CSS(".modal-ux .close-modal"))},
		{"open GET /api/students/me", chromedp.Click(chromedp.CSS(me + ".opblock-summary"))},
		{"try it out", chromedp.Click(chromedp.CSS(me + ".try-out__btn"))},
		{"execute", chromedp.Click(chromedp.CSS(me + ".execute"))},
		{"see the answer", chromedp.WaitVisible(chromedp.CSS(me + ".live-responses-table .response .response-col_status"))},
	} {
		stepCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := chromedp.Do(stepCtx, step.action)
		cancel()
		if err != nil {
			html, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
			t.Fatalf("browser: %s: %v; the page says:\n%.3000s", step.name, err, html)
		}
	}
	if status, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(me+".live-responses-table .response .response-col_status"))); err != nil || strings.TrimSpace(status) != "200" {
		t.Errorf("trying GET /api/students/me out: got status %q (%v), want 200", status, err)
	}
	if file := os.Getenv("EXAMINER_DOCS_SCREENSHOT"); file != "" {
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, shot, 0o644); err != nil {
			t.Error(err)
		}
	}

	var shown []string
	for i := range min(len(methods), len(paths)) {
		shown = append(shown, strings.ToUpper(methods[i])+" "+strings.ReplaceAll(paths[i], "\u200b", ""))
	}
	var want []string
	var doc map[string]any
	if err := json.Unmarshal(mustContract(t).raw(), &doc); err != nil {
		t.Fatal(err)
	}
	for path, item := range doc["paths"].(map[string]any) {
		for method := range item.(map[string]any) {
			want = append(want, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(shown)
	slices.Sort(want)
	if !slices.Equal(shown, want) {
		t.Errorf("the page lists %d operations:\n%s\nwant the %d of openapi.json:\n%s",
			len(shown), strings.Join(shown, "\n"), len(want), strings.Join(want, "\n"))
	}
	if !strings.Contains(title, "examiner") {
		t.Errorf("title %q", title)
	}
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.cspViolations`))
	if err != nil {
		t.Fatal(err)
	}
	if len(violations) > 0 {
		t.Errorf("the page's Content-Security-Policy refused what it needs: %v", violations)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, u := range requested {
		if !strings.HasPrefix(u, a.url+"/") && !strings.HasPrefix(u, "data:") {
			t.Errorf("the page requested %s: it must work offline, from this server only", u)
		}
	}
	if !slices.Contains(requested, a.url+"/openapi.json") {
		t.Errorf("the page never fetched /openapi.json; it requested %v", requested)
	}
	if len(exceptions) > 0 {
		t.Errorf("script errors on the page: %v", exceptions)
	}
	t.Logf("%s: %d operations shown, %d requests, all to %s", title, len(shown), len(requested), a.url)
}
