package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
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
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	dec := json.NewDecoder(r.Body)
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
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // "AS & A Level", not "AS \u0026 A Level": no response is HTML
	_ = enc.Encode(v)
}
