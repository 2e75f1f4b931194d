package seed

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// The schema a teacher reads (data/questions.schema.json) is the one ParseQuestionBank enforces:
// with its words taken out and its references followed, each of its definitions is the Go rule's,
// keyword for keyword.
func TestTheQuestionSchemaFileIsTheOneEnforced(t *testing.T) {
	t.Parallel()
	schema := schemaFile(t)
	defs := schema["$defs"].(map[string]any)
	for name, r := range map[string]*rule{"mcq": mcqRule, "written": writtenRule} {
		got, want := canonical(t, resolve(t, defs, defs[name])), canonical(t, render(r))
		if got != want {
			t.Errorf("$defs/%s:\nthe file says %s\nthe Go rule   %s", name, got, want)
		}
	}
	top := map[string]any{}
	for k, v := range schema {
		if k != "$defs" {
			top[k] = v
		}
	}
	if got, want := canonical(t, resolve(t, defs, top)), canonical(t, render(bankRule)); got != want {
		t.Errorf("the top level:\nthe file says %s\nthe Go rule   %s", got, want)
	}
	// A question is of one kind or the other, the kind deciding which.
	question := canonical(t, resolve(t, defs, defs["question"]))
	want := canonical(t, map[string]any{
		"type": "object", "required": []any{"kind"},
		"properties": map[string]any{"kind": map[string]any{"enum": []any{"MCQ", "WRITTEN"}}},
		"if":         map[string]any{"properties": map[string]any{"kind": map[string]any{"const": "MCQ"}}},
		"then":       render(mcqRule), "else": render(writtenRule),
	})
	if question != want {
		t.Errorf("$defs/question:\nthe file says %s\nwant          %s", question, want)
	}
}

// Every member the schema allows says what it is for.
func TestTheQuestionSchemaFileDocumentsEveryField(t *testing.T) {
	t.Parallel()
	schema := schemaFile(t)
	defs := schema["$defs"].(map[string]any)
	described := func(node map[string]any) bool {
		if d, ok := node["description"].(string); ok && strings.TrimSpace(d) != "" {
			return true
		}
		ref, ok := node["$ref"].(string)
		if !ok {
			return false
		}
		target, _ := defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		d, _ := target["description"].(string)
		return strings.TrimSpace(d) != ""
	}
	var walk func(path string, node map[string]any)
	walk = func(path string, node map[string]any) {
		props, _ := node["properties"].(map[string]any)
		for name, p := range props {
			if path == "$defs/question" {
				continue // the kind that chooses mcq or written, each of which describes it
			}
			if !described(p.(map[string]any)) {
				t.Errorf("%s.%s has no description", path, name)
			}
		}
	}
	walk("(top)", schema)
	for name, d := range defs {
		walk("$defs/"+name, d.(map[string]any))
		if !described(d.(map[string]any)) {
			t.Errorf("$defs/%s has no description", name)
		}
	}
}

// The rules cover exactly the members of the Go types a file decodes into, so that
// DisallowUnknownFields never refuses what the rules allowed, nor the types drop what they allow.
func TestTheQuestionRulesCoverTheTypes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		typ   any
		rules []*rule
	}{
		{QuestionBank{}, []*rule{bankRule}},
		{Question{}, []*rule{mcqRule, writtenRule}},
		{Option{}, []*rule{optionRule}},
		{Part{}, []*rule{partRule}},
		{MarkScheme{}, []*rule{markSchemeRule}},
		{Level{}, []*rule{levelRule}},
	} {
		typ := reflect.TypeOf(tt.typ)
		var members, allowed []string
		for i := range typ.NumField() {
			name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			members = append(members, name)
		}
		for _, r := range tt.rules {
			for _, f := range r.fields {
				if !slices.Contains(allowed, f.name) {
					allowed = append(allowed, f.name)
				}
			}
		}
		slices.Sort(members)
		slices.Sort(allowed)
		if !slices.Equal(members, allowed) {
			t.Errorf("%s: the type has members %v, the rules allow %v", typ.Name(), members, allowed)
		}
	}
}

func schemaFile(t *testing.T) map[string]any {
	t.Helper()
	raw, err := data.ReadFile("data/questions.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	if schema["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema: got %v, want draft 2020-12", schema["$schema"])
	}
	return schema
}

// resolve is node without its annotations, each $ref (but to a question) replaced by what it
// refers to.
func resolve(t *testing.T, defs map[string]any, node any) any {
	t.Helper()
	switch n := node.(type) {
	case map[string]any:
		out := map[string]any{}
		if ref, ok := n["$ref"].(string); ok && ref != "#/$defs/question" {
			target, ok := defs[strings.TrimPrefix(ref, "#/$defs/")]
			if !ok {
				t.Fatalf("$ref %s refers to nothing", ref)
			}
			for k, v := range resolve(t, defs, target).(map[string]any) {
				out[k] = v
			}
		}
		for k, v := range n {
			switch k {
			case "description", "title", "$comment", "$schema", "$id":
			case "$ref":
				if v == "#/$defs/question" {
					out[k] = v
				}
			default:
				out[k] = resolve(t, defs, v)
			}
		}
		return out
	case []any:
		out := make([]any, len(n))
		for i, v := range n {
			out[i] = resolve(t, defs, v)
		}
		return out
	}
	return node
}

// render is r in JSON Schema's words, as the file says it.
func render(r *rule) map[string]any {
	switch r.kind {
	case "question":
		return map[string]any{"$ref": "#/$defs/question"}
	case "object":
		props := map[string]any{}
		var required []any
		for _, f := range r.fields {
			props[f.name] = render(f.rule)
			if f.required {
				required = append(required, f.name)
			}
		}
		slices.SortFunc(required, func(a, b any) int { return strings.Compare(a.(string), b.(string)) })
		return map[string]any{"type": "object", "additionalProperties": false, "required": required, "properties": props}
	case "array":
		out := map[string]any{"type": "array", "items": render(r.items)}
		if r.minItems > 0 {
			out["minItems"] = r.minItems
		}
		if r.maxItems > 0 {
			out["maxItems"] = r.maxItems
		}
		if r.uniqueItems {
			out["uniqueItems"] = true
		}
		return out
	case "string":
		if len(r.enum) == 1 {
			return map[string]any{"const": r.enum[0]}
		}
		out := map[string]any{"type": "string"}
		if r.enum != nil {
			out["enum"] = r.enum
		}
		if r.pattern != nil {
			out["pattern"] = r.pattern.String()
		}
		if r.nonBlank {
			out["minLength"], out["pattern"] = 1, `\S`
		}
		if r.maxLength > 0 {
			out["maxLength"] = r.maxLength
		}
		return out
	case "integer":
		if r.minimum == r.maximum {
			return map[string]any{"const": r.minimum}
		}
		return map[string]any{"type": "integer", "minimum": r.minimum, "maximum": r.maximum}
	}
	panic("render: a rule of kind " + r.kind)
}

// canonical is v as JSON with sorted members (required lists sorted too, their order is no
// matter).
func canonical(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var generic any
	if err := json.Unmarshal(raw, &generic); err != nil {
		t.Fatal(err)
	}
	var sortRequired func(any)
	sortRequired = func(v any) {
		switch n := v.(type) {
		case map[string]any:
			if req, ok := n["required"].([]any); ok {
				slices.SortFunc(req, func(a, b any) int { return strings.Compare(a.(string), b.(string)) })
			}
			for _, c := range n {
				sortRequired(c)
			}
		case []any:
			for _, c := range n {
				sortRequired(c)
			}
		}
	}
	sortRequired(generic)
	out, err := json.Marshal(generic)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
