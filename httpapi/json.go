package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"examiner"
)

// MaxBodyBytes bounds every request body.
const MaxBodyBytes = 1 << 20

// MaxDepth bounds how deeply a JSON body nests arrays and objects. No request needs more than a
// few levels, and each level costs memory in checkKeys and stack in encoding/json's recursion,
// which a body of a million "[" would otherwise spend before anything refused it.
const MaxDepth = 32

// decode reads r's JSON body into a T: only application/json, at most MaxBodyBytes, nested at
// most MaxDepth deep, every string valid UTF-8, no unknown fields, no trailing data. Every failure
// is a client error that names what is wrong.
func decode[T any](w http.ResponseWriter, r *http.Request) (T, error) {
	var v T
	if err := requireContentType(r, "application/json"); err != nil {
		return v, err
	}
	raw, err := io.ReadAll(&depthReader{r: http.MaxBytesReader(w, r.Body, MaxBodyBytes)})
	if err != nil {
		return v, decodeError(err)
	}
	if err := checkKeys(raw, fieldNames(reflect.TypeFor[T]())); err != nil {
		return v, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return v, decodeError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return v, decodeError(err)
		}
		return v, examiner.New(examiner.Malformed, "The body must hold exactly one JSON value; there is more after it.")
	}
	return v, nil
}

// errTooDeep is depthReader's refusal.
var errTooDeep = examiner.New(examiner.Malformed, fmt.Sprintf("The body nests arrays and objects too deep (more than %d levels).", MaxDepth))

// depthReader passes JSON through, failing with errTooDeep as soon as it nests deeper than
// MaxDepth: before the body is even all read, and in constant memory, so that nothing after it
// (checkKeys, encoding/json) ever spends anything per level on more than MaxDepth levels. It
// only follows brackets and strings; whether the rest is valid JSON is decoding's concern.
type depthReader struct {
	r                 io.Reader
	depth             int
	inString, escaped bool
}

func (d *depthReader) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	for _, c := range p[:n] {
		switch {
		case d.escaped:
			d.escaped = false
		case d.inString:
			d.escaped = c == '\\'
			d.inString = c != '"'
		case c == '"':
			d.inString = true
		case c == '[' || c == '{':
			if d.depth++; d.depth > MaxDepth {
				return n, errTooDeep
			}
		case c == ']' || c == '}':
			d.depth--
		}
	}
	return n, err
}

// checkKeys refuses what encoding/json would quietly accept: a key given twice in any object
// (where the last would win, so {"status":"A","status":"B"} could mean either to a proxy or log
// reader); in the top-level object, a key that is not exactly one of fields (encoding/json
// matches keys ignoring case, so "Student_ID" would fill a student_id field); and a string, key
// or value, that is not valid UTF-8 or escapes half a surrogate pair (encoding/json would store
// U+FFFD in its place, so the client's text would silently change). A body that is not valid JSON
// passes: decoding then says what is wrong with it. raw must nest at most MaxDepth deep.
func checkKeys(raw []byte, fields []string) error {
	type frame struct {
		object, expectKey bool
		key               string // in an object, the key of the value being read
		seen              map[string]bool
	}
	var stack []*frame
	// path names the value being read, as encoding/json names fields ("target_grades.9708").
	path := func() string {
		var names []string
		for _, f := range stack {
			if f.object {
				names = append(names, f.key)
			}
		}
		return strings.Join(names, ".")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil // the end, or invalid JSON that decoding reports
		}
		isKey := false
		if s, isString := tok.(string); isString {
			isKey = len(stack) > 0 && stack[len(stack)-1].object && stack[len(stack)-1].expectKey
			// The literal as sent: the token with the separators before it (",", ":", spaces).
			literal := raw[start:dec.InputOffset()]
			if q := bytes.IndexByte(literal, '"'); q >= 0 && !validText(literal[q:]) {
				if isKey {
					stack[len(stack)-1].key = s // as decoded, U+FFFD in place of what is wrong
				}
				if path() == "" {
					return examiner.New(examiner.Malformed, "The body holds a string that is not valid UTF-8 text.")
				}
				return examiner.Fields(examiner.Field(path(), "must be valid UTF-8 text (no invalid bytes, no half of a surrogate pair)"))
			}
		}
		if key, _ := tok.(string); isKey {
			n, top := len(stack), stack[len(stack)-1]
			top.key = key
			if top.seen[key] {
				return examiner.Fields(examiner.Field(key, "is given more than once"))
			}
			top.seen[key] = true
			top.expectKey = false
			if n == 1 && fields != nil && !slices.Contains(fields, key) {
				for _, f := range fields {
					if strings.EqualFold(f, key) {
						return examiner.Fields(examiner.Field(key, fmt.Sprintf("is not a known field (names are case-sensitive: %q)", f)))
					}
				}
				return examiner.Fields(examiner.Field(key, "is not a known field"))
			}
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, expectKey: true, seen: map[string]bool{}})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].expectKey = true // a value ended: a key or the end comes next
		}
	}
}

// validText reports whether literal, a JSON string literal as sent (quotes included), holds only
// valid UTF-8 and no \u escape of a lone surrogate (a high one not followed by a low one, or a
// low one alone). The escape \ufffd itself is a character like any other, and valid.
func validText(literal []byte) bool {
	if !utf8.Valid(literal) {
		return false
	}
	pendingHigh := false // the previous escape was a high surrogate, which a low one must follow
	for i := 0; i < len(literal); i++ {
		if literal[i] != '\\' {
			if pendingHigh {
				return false
			}
			continue
		}
		i++
		if i >= len(literal) || literal[i] != 'u' || i+4 >= len(literal) {
			if pendingHigh {
				return false
			}
			continue // \" \\ \n and so on (or invalid JSON, which decoding reports)
		}
		r, err := strconv.ParseUint(string(literal[i+1:i+5]), 16, 16)
		i += 4
		switch {
		case err != nil:
			return true // invalid JSON, which decoding reports
		case pendingHigh:
			if !(0xDC00 <= r && r <= 0xDFFF) {
				return false
			}
			pendingHigh = false
		case 0xD800 <= r && r <= 0xDBFF:
			pendingHigh = true
		case 0xDC00 <= r && r <= 0xDFFF:
			return false
		}
	}
	return !pendingHigh
}

// fieldNames lists the JSON names of struct type t's fields, or nil when t is not a struct.
func fieldNames(t reflect.Type) []string {
	if t.Kind() != reflect.Struct {
		return nil
	}
	var names []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		if name != "-" {
			names = append(names, name)
		}
	}
	return names
}

func decodeError(err error) error {
	var (
		tooLarge  *http.MaxBytesError
		syntax    *json.SyntaxError
		wrongType *json.UnmarshalTypeError
	)
	switch {
	case errors.Is(err, errTooDeep):
		return errTooDeep
	case errors.As(err, &tooLarge):
		return examiner.Wrap(examiner.TooLarge, fmt.Sprintf("The body is over %d bytes.", MaxBodyBytes), err)
	case errors.Is(err, io.EOF):
		return examiner.New(examiner.Malformed, "The body is empty; a JSON object is expected.")
	case errors.As(err, &syntax):
		return examiner.New(examiner.Malformed, fmt.Sprintf("The body is not valid JSON (at byte %d).", syntax.Offset))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return examiner.New(examiner.Malformed, "The body is not valid JSON (it ends too early).")
	case errors.As(err, &wrongType):
		field := wrongType.Field
		if field == "" {
			return examiner.New(examiner.Malformed, "The body must be a JSON object.")
		}
		return examiner.Fields(examiner.Field(field, "must be "+jsonTypeName(wrongType.Type.Kind().String())))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return examiner.Fields(examiner.Field(field, "is not a known field"))
	}
	return examiner.Wrap(examiner.Malformed, "The body could not be read.", err)
}

func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "map", "struct":
		return "an object"
	case "slice", "array":
		return "an array"
	case "bool":
		return "true or false"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "a whole number"
	default:
		return "a number"
	}
}

// requireContentType fails with UnsupportedType unless r's body is of media type want.
func requireContentType(r *http.Request, want string) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != want {
		return examiner.New(examiner.UnsupportedType, "The body must be "+want+".")
	}
	return nil
}

// writeJSON writes v as the response body with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(status)
	_ = newEncoder(w).Encode(v)
}

// newEncoder is how every response body is encoded: without HTML escaping ("AS & A Level", not
// "AS \u0026 A Level"), since no response is HTML.
func newEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}
