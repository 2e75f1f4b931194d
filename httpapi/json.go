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
	"strings"

	"examiner/internal/apperr"
)

// MaxBodyBytes bounds every request body.
const MaxBodyBytes = 1 << 20

// decode reads r's JSON body into a T: only application/json, at most MaxBodyBytes, no unknown
// fields, no trailing data. Every failure is a client error that names what is wrong.
func decode[T any](w http.ResponseWriter, r *http.Request) (T, error) {
	var v T
	if err := requireContentType(r, "application/json"); err != nil {
		return v, err
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
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
		return v, apperr.New(apperr.Malformed, "The body must hold exactly one JSON value; there is more after it.")
	}
	return v, nil
}

// checkKeys refuses what encoding/json would quietly accept: a key given twice in any object
// (where the last would win, so {"status":"A","status":"B"} could mean either to a proxy or log
// reader) and, in the top-level object, a key that is not exactly one of fields (encoding/json
// matches keys ignoring case, so "Student_ID" would fill a student_id field). A body that is not
// valid JSON passes: decoding then says what is wrong with it.
func checkKeys(raw []byte, fields []string) error {
	type frame struct {
		object, expectKey bool
		seen              map[string]bool
	}
	var stack []*frame
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // the end, or invalid JSON that decoding reports
		}
		if key, isString := tok.(string); isString && len(stack) > 0 && stack[len(stack)-1].object && stack[len(stack)-1].expectKey {
			n, top := len(stack), stack[len(stack)-1]
			if top.seen[key] {
				return apperr.Fields(apperr.Field(key, "is given more than once"))
			}
			top.seen[key] = true
			top.expectKey = false
			if n == 1 && fields != nil && !slices.Contains(fields, key) {
				for _, f := range fields {
					if strings.EqualFold(f, key) {
						return apperr.Fields(apperr.Field(key, fmt.Sprintf("is not a known field (names are case-sensitive: %q)", f)))
					}
				}
				return apperr.Fields(apperr.Field(key, "is not a known field"))
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
	case errors.As(err, &tooLarge):
		return apperr.Wrap(apperr.TooLarge, fmt.Sprintf("The body is over %d bytes.", MaxBodyBytes), err)
	case errors.Is(err, io.EOF):
		return apperr.New(apperr.Malformed, "The body is empty; a JSON object is expected.")
	case errors.As(err, &syntax):
		return apperr.New(apperr.Malformed, fmt.Sprintf("The body is not valid JSON (at byte %d).", syntax.Offset))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.Malformed, "The body is not valid JSON (it ends too early).")
	case errors.As(err, &wrongType):
		field := wrongType.Field
		if field == "" {
			return apperr.New(apperr.Malformed, "The body must be a JSON object.")
		}
		return apperr.Fields(apperr.Field(field, "must be "+jsonTypeName(wrongType.Type.Kind().String())))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.Fields(apperr.Field(field, "is not a known field"))
	}
	return apperr.Wrap(apperr.Malformed, "The body could not be read.", err)
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
		return apperr.New(apperr.UnsupportedType, "The body must be "+want+".")
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
