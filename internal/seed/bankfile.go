package seed

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A question file, as `examiner questions import` reads it and `export` writes it: JSON held to
// data/questions.schema.json before anything reaches the database. No JSON Schema library ships
// with this module, so the schema is restated here as Go values (bankRule and the rules below);
// TestTheQuestionSchemaFileIsTheOneEnforced keeps the two in step. Each problem gives its position: the
// line and column of a syntax error, and otherwise the value's path, with the question's code:
// "questions[12] (9708-P1-013).options[2].key: want one of A, B, C, D, got "E"".

// BankError is a question file or bank refused, with the problems found (at most maxProblems
// listed).
type BankError struct {
	Problems []string
	// More counts the problems found beyond those listed.
	More int
}

// maxProblems is how many problems a BankError lists: enough to fix a file in a few rounds, few
// enough to read.
const maxProblems = 50

func (e *BankError) Error() string {
	var b strings.Builder
	n := len(e.Problems) + e.More
	if n == 1 {
		b.WriteString("1 problem:")
	} else {
		fmt.Fprintf(&b, "%d problems:", n)
	}
	for _, p := range e.Problems {
		b.WriteString("\n  " + p)
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\n  … and %d more", e.More)
	}
	return b.String()
}

// bankError is problems as a BankError, or nil when there are none.
func bankError(problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	if len(problems) > maxProblems {
		return &BankError{Problems: problems[:maxProblems], More: len(problems) - maxProblems}
	}
	return &BankError{Problems: problems}
}

// ParseQuestionBank reads a question file: valid JSON (else a *BankError with the line and column
// of the mistake), one object of the shape data/questions.schema.json describes (else a
// *BankError with every value that breaks it, by path). It does not check the bank against a
// syllabus: that is Check.
func ParseQuestionBank(raw []byte) (QuestionBank, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	var whole json.RawMessage
	if err := dec.Decode(&whole); err != nil {
		return QuestionBank{}, bankError([]string{syntaxProblem(raw, err)})
	}
	if end := dec.InputOffset(); len(bytes.TrimSpace(raw[end:])) > 0 {
		at := end + int64(len(raw[end:])-len(bytes.TrimLeft(raw[end:], " \t\r\n")))
		return QuestionBank{}, bankError([]string{position(raw, at) + ": more after the end of the question bank's object"})
	}
	tree, err := readTree(json.NewDecoder(bytes.NewReader(whole)))
	if err != nil { // Decode has read it already: not expected
		return QuestionBank{}, bankError([]string{err.Error()})
	}
	v := &validator{}
	v.check("", tree, bankRule)
	if err := bankError(v.problems); err != nil {
		return QuestionBank{}, err
	}
	// The file fits the schema, so it fits the types; DisallowUnknownFields stands behind the
	// rules above should a field of the types ever be missing from them.
	var b QuestionBank
	strict := json.NewDecoder(bytes.NewReader(whole))
	strict.DisallowUnknownFields()
	if err := strict.Decode(&b); err != nil {
		return QuestionBank{}, bankError([]string{err.Error()})
	}
	return b, nil
}

// EncodeQuestionBank writes b as `examiner questions export` does: indented JSON, its fields in
// the order of the types, characters such as < and & as themselves.
func EncodeQuestionBank(w io.Writer, b QuestionBank) error {
	if b.Questions == nil {
		b.Questions = []Question{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(b)
}

// syntaxProblem says where raw stops being JSON.
func syntaxProblem(raw []byte, err error) string {
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax):
		// Offset counts the bytes read up to and including the one that is wrong.
		return position(raw, max(syntax.Offset-1, 0)) + ": " + strings.TrimPrefix(syntax.Error(), "json: ")
	case errors.Is(err, io.EOF) && len(bytes.TrimSpace(raw)) == 0:
		return "line 1, column 1: the file is empty, want a JSON object"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return position(raw, int64(len(raw))) + ": the file ends inside a value (a missing } or ] or \")"
	}
	return err.Error()
}

// position is "line L, column C" of byte offset off of raw, both from 1, columns in characters.
func position(raw []byte, off int64) string {
	before := raw[:min(off, int64(len(raw)))]
	line := bytes.Count(before, []byte("\n")) + 1
	column := utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return fmt.Sprintf("line %d, column %d", line, column)
}

// value is a JSON value as read, its object members in order (encoding/json's maps would lose a
// member given twice).
type value struct {
	kind    string // object, array, string, number, boolean, null
	text    string // a string's value; a number as written
	members []member
	items   []*value
}

type member struct {
	name  string
	value *value
}

// readTree reads one JSON value from dec.
func readTree(dec *json.Decoder) (*value, error) {
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		v := &value{kind: "array"}
		if t == '{' {
			v.kind = "object"
		}
		for dec.More() {
			if v.kind == "object" {
				name, err := dec.Token()
				if err != nil {
					return nil, err
				}
				item, err := readTree(dec)
				if err != nil {
					return nil, err
				}
				v.members = append(v.members, member{name: name.(string), value: item})
				continue
			}
			item, err := readTree(dec)
			if err != nil {
				return nil, err
			}
			v.items = append(v.items, item)
		}
		if _, err := dec.Token(); err != nil { // the closing } or ]
			return nil, err
		}
		return v, nil
	case string:
		return &value{kind: "string", text: t}, nil
	case json.Number:
		return &value{kind: "number", text: t.String()}, nil
	case bool:
		return &value{kind: "boolean", text: strconv.FormatBool(t)}, nil
	default:
		return &value{kind: "null"}, nil
	}
}

// rule is one schema of data/questions.schema.json, as the validator applies it.
type rule struct {
	kind string // object, array, string, integer; question: mcqRule or writtenRule by the kind member
	// object
	fields []field
	// array
	items              *rule
	minItems, maxItems int // maxItems 0: no limit
	uniqueItems        bool
	// string
	enum      []string
	pattern   *regexp.Regexp
	shape     string // what pattern asks for, in words
	nonBlank  bool   // at least one character that is not white space
	maxLength int    // in characters
	// integer
	minimum, maximum int
}

type field struct {
	name     string
	required bool
	rule     *rule
}

// maxText is the longest text a file may hold, in characters: the database's limit on a stem and
// an explanation (questions_stem_length, question_keys_explanation_length), for every text.
const maxText = 20000

var (
	textRule = &rule{kind: "string", nonBlank: true, maxLength: maxText}
	// The database's questions_code_shape, subjects_code_shape and syllabus_points_code_shape.
	questionCodeRule = &rule{kind: "string", pattern: regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$`),
		shape: "1 to 64 letters, digits, '.', '_' or '-', the first a letter or digit"}
	subjectCodeRule = &rule{kind: "string", pattern: regexp.MustCompile(`^[0-9A-Za-z]{1,16}$`),
		shape: "1 to 16 letters or digits"}
	syllabusPointsRule = &rule{kind: "array", minItems: 1, uniqueItems: true, items: &rule{kind: "string",
		pattern: regexp.MustCompile(`^[0-9A-Za-z]{1,16}(\.(0|[1-9][0-9]{0,3})){1,4}$`), shape: "a syllabus point code such as 9708.2.3"}}
	paperRule = &rule{kind: "integer", minimum: 1, maximum: 9} // papers_number_range

	optionRule = &rule{kind: "object", fields: []field{
		{"key", true, &rule{kind: "string", enum: mcqKeys}},
		{"text", true, textRule},
	}}
	levelRule = &rule{kind: "object", fields: []field{
		{"level", true, &rule{kind: "integer", minimum: 1, maximum: maxQuestionMarks}},
		{"min", true, &rule{kind: "integer", minimum: 1, maximum: maxQuestionMarks}},
		{"max", true, &rule{kind: "integer", minimum: 1, maximum: maxQuestionMarks}},
		{"descriptor", true, textRule},
	}}
	markSchemeRule = &rule{kind: "object", fields: []field{
		{"levels", true, &rule{kind: "array", minItems: 1, items: levelRule}},
		{"indicative_content", true, &rule{kind: "array", minItems: 1, items: textRule}},
	}}
	partRule = &rule{kind: "object", fields: []field{
		{"label", true, &rule{kind: "string", pattern: regexp.MustCompile(`^[0-9A-Za-z()]{1,8}$`), shape: "1 to 8 letters, digits or brackets, such as a or b(ii)"}},
		{"prompt", true, textRule},
		{"marks", true, &rule{kind: "integer", minimum: 1, maximum: maxQuestionMarks}},
		{"mark_scheme", true, markSchemeRule},
	}}

	// The members every question has (kind aside), then those of each kind.
	questionFields = []field{
		{"code", true, questionCodeRule},
		{"paper", true, paperRule},
		{"syllabus_points", true, syllabusPointsRule},
		{"stem", true, textRule},
	}
	mcqRule = &rule{kind: "object", fields: append(questionFields[:len(questionFields):len(questionFields)],
		field{"kind", true, &rule{kind: "string", enum: []string{"MCQ"}}},
		field{"options", true, &rule{kind: "array", minItems: 4, maxItems: 4, items: optionRule}},
		field{"answer", true, &rule{kind: "string", enum: mcqKeys}},
		field{"explanation", true, textRule},
		field{"marks", true, &rule{kind: "integer", minimum: 1, maximum: 1}},
	)}
	writtenRule = &rule{kind: "object", fields: append(questionFields[:len(questionFields):len(questionFields)],
		field{"kind", true, &rule{kind: "string", enum: []string{"WRITTEN"}}},
		field{"section", true, &rule{kind: "string", enum: []string{"data_response", "essay"}}},
		field{"parts", true, &rule{kind: "array", minItems: 1, items: partRule}},
		field{"explanation", false, textRule},
	)}
	questionRule = &rule{kind: "question"}
	// A question of neither kind: what can be checked without knowing which it is meant to be.
	anyQuestionRule = &rule{kind: "object", fields: append(questionFields[:len(questionFields):len(questionFields)],
		field{"kind", true, &rule{kind: "string", enum: []string{"MCQ", "WRITTEN"}}},
		field{"options", false, &rule{kind: "array", items: optionRule}},
		field{"answer", false, &rule{kind: "string", enum: mcqKeys}},
		field{"explanation", false, textRule},
		field{"marks", false, &rule{kind: "integer", minimum: 1, maximum: maxQuestionMarks}},
		field{"section", false, &rule{kind: "string", enum: []string{"data_response", "essay"}}},
		field{"parts", false, &rule{kind: "array", minItems: 1, items: partRule}},
	)}

	bankRule = &rule{kind: "object", fields: []field{
		{"subject", true, subjectCodeRule},
		{"questions", true, &rule{kind: "array", items: questionRule}},
	}}
)

// validator collects the problems of a value against a rule, by path.
type validator struct {
	problems []string
}

func (v *validator) bad(path, format string, args ...any) {
	if path == "" {
		path = "the file"
	}
	v.problems = append(v.problems, path+": "+fmt.Sprintf(format, args...))
}

// check holds val (at path) to r.
func (v *validator) check(path string, val *value, r *rule) {
	switch r.kind {
	case "question":
		v.question(path, val)
	case "object":
		v.object(path, val, r, nil)
	case "array":
		if val.kind != "array" {
			v.bad(path, "want an array, got %s", describe(val))
			return
		}
		switch n := len(val.items); {
		case r.maxItems > 0 && r.minItems == r.maxItems && n != r.minItems:
			v.bad(path, "want exactly %s, got %d", items(r.minItems), n)
		case n < r.minItems:
			v.bad(path, "want at least %s, got %d", items(r.minItems), n)
		case r.maxItems > 0 && n > r.maxItems:
			v.bad(path, "want at most %s, got %d", items(r.maxItems), n)
		}
		first := map[string]int{}
		for i, item := range val.items {
			itemPath := fmt.Sprintf("%s[%d]", path, i)
			if r.items == questionRule {
				itemPath = questionPath(i, codeOf(item))
			}
			v.check(itemPath, item, r.items)
			if r.uniqueItems && item.kind == "string" {
				if j, seen := first[item.text]; seen {
					v.bad(itemPath, "%q is listed twice (at [%d] too)", item.text, j)
				} else {
					first[item.text] = i
				}
			}
		}
	case "string":
		if val.kind != "string" {
			v.bad(path, "want a string, got %s", describe(val))
			return
		}
		s := val.text
		switch {
		case strings.ContainsRune(s, 0):
			v.bad(path, "contains the character U+0000, which PostgreSQL cannot store")
		case r.enum != nil:
			if !contains(r.enum, s) {
				v.bad(path, "want one of %s, got %s", strings.Join(r.enum, ", "), quote(s))
			}
		case r.pattern != nil && !r.pattern.MatchString(s):
			v.bad(path, "want %s, got %s", r.shape, quote(s))
		case r.nonBlank && strings.TrimSpace(s) == "":
			v.bad(path, "want some text, got %s", quote(s))
		case r.maxLength > 0 && utf8.RuneCountInString(s) > r.maxLength:
			v.bad(path, "want at most %d characters, got %d", r.maxLength, utf8.RuneCountInString(s))
		}
	case "integer":
		n, err := strconv.Atoi(val.text)
		switch {
		case val.kind != "number" || err != nil && strings.ContainsAny(val.text, ".eE"):
			v.bad(path, "want an integer, got %s", describe(val))
		case err != nil || n < r.minimum || n > r.maximum:
			if r.minimum == r.maximum {
				v.bad(path, "want %d, got %s", r.minimum, val.text)
			} else {
				v.bad(path, "want an integer from %d to %d, got %s", r.minimum, r.maximum, val.text)
			}
		}
	default:
		panic("seed: a rule of unknown kind " + r.kind)
	}
}

// question holds a question to the rule of its kind; one whose kind is neither, to the members
// of both kinds, none of them required but those every question has.
func (v *validator) question(path string, val *value) {
	kind := ""
	for _, m := range val.members {
		if m.name == "kind" {
			kind = m.value.text
		}
	}
	switch kind {
	case "MCQ":
		v.object(path, val, mcqRule, writtenRule)
	case "WRITTEN":
		v.object(path, val, writtenRule, mcqRule)
	default:
		v.object(path, val, anyQuestionRule, nil)
	}
}

// object holds an object to r: each member there once and of its field's rule, the required
// fields present, no other members. A member of other (the other kind of question) is named as
// such rather than as unknown.
func (v *validator) object(path string, val *value, r, other *rule) {
	if val.kind != "object" {
		v.bad(path, "want an object, got %s", describe(val))
		return
	}
	seen := map[string]bool{}
	for _, m := range val.members {
		at := join(path, m.name)
		if seen[m.name] {
			v.bad(at, "given twice")
			continue
		}
		seen[m.name] = true
		f, ok := fieldOf(r, m.name)
		switch {
		case ok:
			v.check(at, m.value, f.rule)
		case other != nil && hasField(other, m.name):
			v.bad(at, "not a field of %s", kindName(r))
		default:
			v.bad(at, "unknown field")
		}
	}
	for _, f := range r.fields {
		if f.required && !seen[f.name] {
			v.bad(join(path, f.name), "missing")
		}
	}
}

func fieldOf(r *rule, name string) (field, bool) {
	for _, f := range r.fields {
		if f.name == name {
			return f, true
		}
	}
	return field{}, false
}

func hasField(r *rule, name string) bool {
	_, ok := fieldOf(r, name)
	return ok
}

func kindName(r *rule) string {
	if r == mcqRule {
		return "an MCQ"
	}
	return "a WRITTEN question"
}

// codeOf is the code of a question as read, when it is one ("" otherwise), for its path.
func codeOf(q *value) string {
	for _, m := range q.members {
		if m.name == "code" && m.value.kind == "string" && questionCodeRule.pattern.MatchString(m.value.text) {
			return m.value.text
		}
	}
	return ""
}

// items is "1 item" or "n items".
func items(n int) string {
	if n == 1 {
		return "1 item"
	}
	return strconv.Itoa(n) + " items"
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// describe names what val is, for "want X, got Y".
func describe(val *value) string {
	switch val.kind {
	case "object":
		return "an object"
	case "array":
		return "an array"
	case "string":
		return "the string " + quote(val.text)
	case "number":
		return "the number " + val.text
	case "boolean":
		return val.text
	}
	return "null"
}

// quote is s quoted, cut short when long: a problem names a value, it does not repeat a stem.
func quote(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return strconv.Quote(s)
}
