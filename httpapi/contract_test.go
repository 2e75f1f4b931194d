package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"examiner/httpapi"
)

// The contract: openapi.json. Every response any test in this package receives is checked
// against it (status documented for the operation, media type, body schema, documented headers),
// so the whole suite doubles as a contract test.

const docURL = "https://examiner.invalid/openapi.json"

type contract struct {
	doc   map[string]any
	paths []pathTemplate

	mu       sync.Mutex
	compiler *jsonschema.Compiler
	schemas  map[string]*jsonschema.Schema
}

// reporter is the part of testing.TB the checks use, so that a test can catch what they report.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

type pathTemplate struct {
	template string
	match    *regexp.Regexp
}

var theContract = sync.OnceValues(func() (*contract, error) {
	var doc map[string]any
	if err := json.Unmarshal(httpapi.OpenAPI(), &doc); err != nil {
		return nil, fmt.Errorf("openapi.json is not JSON: %w", err)
	}
	raw, err := jsonschema.UnmarshalJSON(bytes.NewReader(httpapi.OpenAPI()))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(docURL, raw); err != nil {
		return nil, err
	}
	k := &contract{doc: doc, compiler: c, schemas: map[string]*jsonschema.Schema{}}
	// A template's parameters match one path segment each; regexp.QuoteMeta has escaped the
	// braces around them.
	param := regexp.MustCompile(`\\\{[^/]*?\\\}`)
	for tpl := range doc["paths"].(map[string]any) {
		re := param.ReplaceAllString(regexp.QuoteMeta(tpl), `[^/]+`)
		k.paths = append(k.paths, pathTemplate{tpl, regexp.MustCompile("^" + re + "$")})
	}
	// Literal paths before templated ones, so /docs never matches /docs/{asset}.
	sort.Slice(k.paths, func(i, j int) bool {
		return strings.Count(k.paths[i].template, "{") < strings.Count(k.paths[j].template, "{")
	})
	return k, nil
})

// raw is the document as served.
func (k *contract) raw() []byte { return httpapi.OpenAPI() }

func mustContract(t testing.TB) *contract {
	t.Helper()
	k, err := theContract()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// pointer escapes a JSON pointer token.
func pointer(tokens ...string) string {
	var b strings.Builder
	for _, tok := range tokens {
		b.WriteString("/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(tok))
	}
	return b.String()
}

func (k *contract) schema(t reporter, ptr string) *jsonschema.Schema {
	k.mu.Lock()
	defer k.mu.Unlock()
	if s, ok := k.schemas[ptr]; ok {
		return s
	}
	s, err := k.compiler.Compile(docURL + "#" + ptr)
	if err != nil {
		t.Fatalf("openapi.json: schema at %s does not compile: %v", ptr, err)
	}
	k.schemas[ptr] = s
	return s
}

// resolve follows a local $ref, returning the object and its pointer.
func (k *contract) resolve(v map[string]any, ptr string) (map[string]any, string) {
	ref, ok := v["$ref"].(string)
	if !ok {
		return v, ptr
	}
	ptr = strings.TrimPrefix(ref, "#")
	var cur any = k.doc
	for _, tok := range strings.Split(ptr, "/")[1:] {
		cur = cur.(map[string]any)[strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)]
	}
	return cur.(map[string]any), ptr
}

// sent is a request as the test sent it.
type sent struct {
	method, path, contentType string
	query                     url.Values
	body                      []byte
}

// check fails t unless the response to req is one the contract describes, and, when the server
// accepted req (2xx), unless req itself is one the contract allows: a server that accepts what
// its contract forbids is as wrong as one that answers what it does not promise.
func (k *contract) check(t reporter, req sent, r response) {
	t.Helper()
	method, path := req.method, req.path
	what := fmt.Sprintf("%s %s → %d", method, path, r.status)
	if r.header.Get("X-Request-Id") == "" {
		t.Errorf("contract: %s has no X-Request-Id", what)
	}
	var tpl string
	for _, p := range k.paths {
		if p.match.MatchString(path) {
			tpl = p.template
			break
		}
	}
	var op map[string]any
	if tpl != "" {
		op, _ = k.doc["paths"].(map[string]any)[tpl].(map[string]any)[strings.ToLower(method)].(map[string]any)
	}
	if op == nil && method == http.MethodOptions && r.status == http.StatusNoContent {
		// A CORS preflight: part of HTTP, not of the API.
		if r.header.Get("Access-Control-Allow-Origin") == "" || len(r.body) > 0 {
			t.Errorf("contract: %s: a 204 to OPTIONS that is no CORS preflight answer", what)
		}
		return
	}
	if op == nil {
		// A path or method the API does not have: the router's own 404 or 405, as a problem.
		if r.status != http.StatusNotFound && r.status != http.StatusMethodNotAllowed {
			t.Errorf("contract: %s: undocumented operation answered %d", what, r.status)
		}
		if method != http.MethodHead {
			k.checkBody(t, what, "/components/schemas/Problem", r.body)
		}
		return
	}
	opPtr := pointer("paths", tpl, strings.ToLower(method))
	if r.status >= 200 && r.status < 300 {
		k.checkRequest(t, what, op, opPtr, req)
	}
	res, ok := op["responses"].(map[string]any)[fmt.Sprint(r.status)].(map[string]any)
	if !ok {
		t.Errorf("contract: %s: status %d is not documented for this operation (body %s)", what, r.status, r.body)
		return
	}
	res, resPtr := k.resolve(res, opPtr+pointer("responses", fmt.Sprint(r.status)))
	if headers, ok := res["headers"].(map[string]any); ok {
		for name, h := range headers {
			// Documented headers are always sent, unless marked "required": false.
			if optional := h.(map[string]any)["required"] == false; r.header.Get(name) == "" && !optional {
				t.Errorf("contract: %s: documented header %s is missing", what, name)
			}
		}
	}
	content, ok := res["content"].(map[string]any)
	if !ok {
		if len(r.body) > 0 {
			t.Errorf("contract: %s: documented without a body, got %q", what, r.body)
		}
		return
	}
	if method == http.MethodHead {
		return
	}
	mt, _, err := mime.ParseMediaType(r.header.Get("Content-Type"))
	if err != nil {
		t.Errorf("contract: %s: Content-Type %q: %v", what, r.header.Get("Content-Type"), err)
		return
	}
	if _, ok := content[mt]; !ok {
		if _, anyType := content["*/*"]; anyType {
			return
		}
		t.Errorf("contract: %s: media type %s is not documented (want one of %v)", what, mt, keys(content))
		return
	}
	if mt == "application/json" || mt == "application/problem+json" {
		k.checkBody(t, what, resPtr+pointer("content", mt, "schema"), r.body)
	}
}

// checkRequest fails t unless req's query parameters and body are allowed by operation op.
func (k *contract) checkRequest(t reporter, what string, op map[string]any, opPtr string, req sent) {
	t.Helper()
	params, _ := op["parameters"].([]any)
	for name, values := range req.query {
		var schemaPtr string
		for i, p := range params {
			p, _ := p.(map[string]any)
			if p["in"] == "query" && p["name"] == name {
				schemaPtr = opPtr + pointer("parameters", fmt.Sprint(i), "schema")
			}
		}
		if schemaPtr == "" {
			t.Errorf("contract: %s: accepted query parameter %q, which is not documented", what, name)
			continue
		}
		for _, v := range values {
			var inst any = v
			if n, err := strconv.ParseFloat(v, 64); err == nil && k.schemaType(schemaPtr) == "integer" {
				inst = json.Number(strconv.FormatFloat(n, 'f', -1, 64))
			}
			if err := k.schema(t, schemaPtr).Validate(inst); err != nil {
				t.Errorf("contract: %s: accepted %s=%q, which the document does not allow: %v", what, name, v, err)
			}
		}
	}
	if len(req.body) == 0 {
		return
	}
	mt, _, _ := mime.ParseMediaType(req.contentType)
	content, _ := op["requestBody"].(map[string]any)["content"].(map[string]any)
	if _, ok := content[mt]; !ok {
		t.Errorf("contract: %s: accepted a %q body, which is not documented (want one of %v)", what, mt, keys(content))
		return
	}
	var inst any
	switch mt {
	case "application/json":
		var err error
		if inst, err = jsonschema.UnmarshalJSON(bytes.NewReader(req.body)); err != nil {
			t.Errorf("contract: %s: accepted a body that is not JSON: %q", what, req.body)
			return
		}
	case "application/x-www-form-urlencoded":
		form, err := url.ParseQuery(string(req.body))
		if err != nil {
			t.Errorf("contract: %s: accepted a malformed form: %q", what, req.body)
			return
		}
		obj := map[string]any{}
		for k, v := range form {
			obj[k] = v[0]
		}
		inst = obj
	default:
		return
	}
	ptr := opPtr + pointer("requestBody", "content", mt, "schema")
	if err := k.schema(t, ptr).Validate(inst); err != nil {
		t.Errorf("contract: %s: accepted a body the document does not allow: %v\nbody: %s", what, err, req.body)
	}
}

// schemaType is the "type" of the schema at ptr, when it is a single string.
func (k *contract) schemaType(ptr string) string {
	var cur any = k.doc
	for _, tok := range strings.Split(ptr, "/")[1:] {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch c := cur.(type) {
		case map[string]any:
			cur = c[tok]
		case []any:
			i, _ := strconv.Atoi(tok)
			cur = c[i]
		}
	}
	m, _ := cur.(map[string]any)
	typ, _ := m["type"].(string)
	return typ
}

func (k *contract) checkBody(t reporter, what, schemaPtr string, body []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Errorf("contract: %s: body is not JSON: %q", what, body)
		return
	}
	if err := k.schema(t, schemaPtr).Validate(inst); err != nil {
		t.Errorf("contract: %s: body does not match %s: %v\nbody: %s", what, schemaPtr, err, body)
	}
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// The document describes exactly the routes the server has: a route added without its
// description, or a description left behind by a removed route, fails here.
func TestTheOpenAPIDocumentDescribesExactlyTheRoutesServed(t *testing.T) {
	k := mustContract(t)
	param := regexp.MustCompile(`:([A-Za-z0-9_]+)`)
	served := map[string]bool{}
	for _, r := range httpapi.Routes() {
		path := param.ReplaceAllString(r.Path, "{$1}")
		served[r.Method+" "+path] = true
		// The query parameters served are the ones documented.
		op, _ := k.doc["paths"].(map[string]any)[path].(map[string]any)[strings.ToLower(r.Method)].(map[string]any)
		var documented []string
		params, _ := op["parameters"].([]any)
		for _, p := range params {
			if p := p.(map[string]any); p["in"] == "query" {
				documented = append(documented, p["name"].(string))
			}
		}
		if op != nil && !slices.Equal(slices.Sorted(slices.Values(r.Query)), slices.Sorted(slices.Values(documented))) {
			t.Errorf("%s %s takes query parameters %v, but openapi.json documents %v", r.Method, path, r.Query, documented)
		}
	}
	documented := map[string]bool{}
	for path, item := range k.doc["paths"].(map[string]any) {
		for method := range item.(map[string]any) {
			if slices.Contains([]string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}, method) {
				documented[strings.ToUpper(method)+" "+path] = true
			}
		}
	}
	for r := range served {
		if !documented[r] {
			t.Errorf("%s is served but openapi.json does not describe it", r)
		}
	}
	for r := range documented {
		if !served[r] {
			t.Errorf("openapi.json describes %s, which is not served", r)
		}
	}
	if len(served) < 20 {
		t.Fatalf("only %d routes: is httpapi.Routes complete?", len(served))
	}
}

// The document is OpenAPI 3.1 and every schema in it compiles as JSON Schema 2020-12; every
// operation has an id, a summary and its responses, and every student route needs a token.
func TestTheOpenAPIDocumentIsWellFormed(t *testing.T) {
	k := mustContract(t)
	if v := k.doc["openapi"]; v != "3.1.0" {
		t.Fatalf("openapi: got %v, want 3.1.0", v)
	}
	for name := range k.doc["components"].(map[string]any)["schemas"].(map[string]any) {
		k.schema(t, pointer("components", "schemas", name))
	}
	ids := map[string]string{}
	for path, item := range k.doc["paths"].(map[string]any) {
		for method, o := range item.(map[string]any) {
			op := o.(map[string]any)
			where := strings.ToUpper(method) + " " + path
			id, _ := op["operationId"].(string)
			if id == "" || ids[id] != "" {
				t.Errorf("%s: operationId %q missing or also used by %s", where, id, ids[id])
			}
			ids[id] = where
			if s, _ := op["summary"].(string); s == "" {
				t.Errorf("%s: no summary", where)
			}
			responses, _ := op["responses"].(map[string]any)
			if len(responses) == 0 {
				t.Errorf("%s: no responses", where)
			}
			security, _ := op["security"].([]any)
			needsToken := strings.HasPrefix(path, "/api/") && !strings.HasPrefix(path, "/api/auth/") || path == "/api/auth/logout"
			if needsToken != (len(security) > 0) {
				t.Errorf("%s: security %v, but needs a token: %v", where, security, needsToken)
			}
			if needsToken && responses["401"] == nil {
				t.Errorf("%s: needs a token but documents no 401", where)
			}
			for status, r := range responses {
				rr, ptr := k.resolve(r.(map[string]any), pointer("paths", path, method, "responses", status))
				content, _ := rr["content"].(map[string]any)
				for mt := range content {
					if strings.HasSuffix(mt, "json") {
						k.schema(t, ptr+pointer("content", mt, "schema"))
					}
				}
			}
		}
	}
}

type recorder struct{ errors []string }

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...) }

// The contract check itself catches what it is there to catch.
func TestTheContractCheckCatchesResponsesTheDocumentDoesNotAllow(t *testing.T) {
	k := mustContract(t)
	h := func(kv ...string) http.Header {
		out := http.Header{"X-Request-Id": {"r1"}}
		for i := 0; i < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	const exam = `{"id":"3f1c2a9e-7a51-4d43-9b1e-8b8d1c1d2e3f","subject_code":"9708","exam_type":"PRACTICE","status":"PENDING",
		"paper_number":null,"duration_minutes":null,"total_marks":null,"created_at":"2026-11-25T10:00:00Z",
		"updated_at":"2026-11-25T10:00:00Z","started_at":null,"completed_at":null,
		"question_count":10,"score":null,"max_score":null,"marked_at":null}`
	const problem = `{"type":"urn:examiner:problem:not_found","title":"Not Found","status":404,"detail":"x","request_id":"r1"}`
	cases := []struct {
		name, method, path string
		res                response
		want               string // in the report; "" for no report
	}{
		{"a valid exam", "GET", "/api/exams/3f1c2a9e-7a51-4d43-9b1e-8b8d1c1d2e3f",
			response{200, h("Content-Type", "application/json"), []byte(exam)}, ""},
		{"an exam with a status outside the enum", "GET", "/api/exams/3f1c2a9e-7a51-4d43-9b1e-8b8d1c1d2e3f",
			response{200, h("Content-Type", "application/json"), []byte(strings.Replace(exam, "PENDING", "PAUSED", 1))}, "does not match"},
		{"an exam with an extra field", "GET", "/api/exams/3f1c2a9e-7a51-4d43-9b1e-8b8d1c1d2e3f",
			response{200, h("Content-Type", "application/json"), []byte(strings.Replace(exam, `"id"`, `"student_id":"x","id"`, 1))}, "does not match"},
		{"an undocumented status", "GET", "/api/exams/3f1c2a9e-7a51-4d43-9b1e-8b8d1c1d2e3f",
			response{409, h("Content-Type", "application/problem+json"), []byte(problem)}, "not documented"},
		{"a created exam without Location", "POST", "/api/exams",
			response{201, h("Content-Type", "application/json"), []byte(exam)}, "Location"},
		{"a problem as plain JSON", "GET", "/api/exams/x",
			response{404, h("Content-Type", "application/json"), []byte(problem)}, "media type"},
		{"a response without a request id", "GET", "/healthz",
			response{200, http.Header{"Content-Type": {"application/json"}}, []byte(`{"status":"ok"}`)}, "X-Request-Id"},
		{"a body where none is documented", "DELETE", "/api/exams/3f1c2a9e-7a51-4d43-9b1e-8b8d1c1d2e3f",
			response{204, h(), []byte("{}")}, "without a body"},
		{"an unknown path answered 200", "GET", "/api/nothing",
			response{200, h("Content-Type", "application/json"), []byte("{}")}, "undocumented operation"},
	}
	for _, c := range cases {
		var r recorder
		k.check(&r, sent{method: c.method, path: c.path}, c.res)
		got := strings.Join(r.errors, "\n")
		switch {
		case c.want == "" && got != "":
			t.Errorf("%s: reported %s", c.name, got)
		case c.want != "" && !strings.Contains(got, c.want):
			t.Errorf("%s: report %q does not mention %q", c.name, got, c.want)
		}
	}
}
