package gosource_test

import (
	"strings"
	"testing"

	"examiner/internal/gosource"
)

func TestConstEvaluatesStringConstantsAsTheCompilerDoes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, want string
	}{
		{"part", "b"},
		{"joined", "abc"},
		{"both", "y"},
	} {
		got, err := gosource.Const("internal/gosource/testdata/consts", tt.name)
		if err != nil || got != tt.want {
			t.Errorf("%s: got %q (%v), want %q", tt.name, got, err, tt.want)
		}
	}
	for _, name := range []string{"number", "called", "missing"} {
		if got, err := gosource.Const("internal/gosource/testdata/consts", name); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: got %q (%v), want an error naming it", name, got, err)
		}
	}
}

// The statements the harness and the leak test take from the server are found.
func TestConstFindsTheServersStatements(t *testing.T) {
	t.Parallel()
	for dir, name := range map[string]string{"tenant": "setStudent"} {
		got, err := gosource.Const(dir, name)
		if err != nil || !strings.HasPrefix(strings.TrimSpace(got), "SELECT ") || strings.Contains(got, "examColumns") {
			t.Errorf("%s.%s: got %q (%v), want its SELECT statement", dir, name, got, err)
		}
	}
}
