package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"examiner/internal/seed"
	"examiner/internal/testdb"
)

// shippedBank is the shipped 9708 question file as export writes it: the types' field order,
// each question's tags in syllabus order.
func shippedBank(t *testing.T) []byte {
	t.Helper()
	raw, err := os.ReadFile("../../internal/seed/data/9708_questions.json")
	if err != nil {
		t.Fatal(err)
	}
	bank, err := seed.ParseQuestionBank(raw)
	if err != nil {
		t.Fatal(err)
	}
	points, err := seed.Subjects[0].Syllabus()
	if err != nil {
		t.Fatal(err)
	}
	order := map[string]int{}
	for i, p := range points {
		order[p.Code] = i
	}
	for _, q := range bank.Questions {
		slices.SortFunc(q.SyllabusPoints, func(a, b string) int { return order[a] - order[b] })
	}
	var out bytes.Buffer
	if err := seed.EncodeQuestionBank(&out, bank); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// After seed, export prints the shipped bank, and importing what it printed, from a file or
// from stdin, changes nothing.
func TestQuestionsExportThenImportChangesNothing(t *testing.T) {
	t.Parallel()
	vars := env(map[string]string{"DATABASE_URL": testdb.URL(t)})
	if err := run(t.Context(), []string{"seed"}, vars, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	var exported bytes.Buffer
	if err := run(t.Context(), []string{"questions", "export"}, vars, &exported, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(exported.Bytes(), shippedBank(t)) {
		t.Fatalf("questions export: got %.300s…, want the shipped bank", exported.String())
	}
	file := filepath.Join(t.TempDir(), "9708.json")
	if err := os.WriteFile(file, exported.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	const unchanged = "questions import: 0 questions added, 0 updated, 76 unchanged\n"
	var out bytes.Buffer
	if err := run(t.Context(), []string{"questions", "import", file}, vars, &out, &out); err != nil || out.String() != unchanged {
		t.Fatalf("questions import FILE: got %q (%v), want %q", out.String(), err, unchanged)
	}
	out.Reset()
	if err := questionsCommand(t.Context(), []string{"import", "-"}, vars, bytes.NewReader(exported.Bytes()), &out); err != nil || out.String() != unchanged {
		t.Fatalf("questions import -: got %q (%v), want %q", out.String(), err, unchanged)
	}
	var again bytes.Buffer
	if err := run(t.Context(), []string{"questions", "export", "9708"}, vars, &again, &bytes.Buffer{}); err != nil || !bytes.Equal(again.Bytes(), exported.Bytes()) {
		t.Fatalf("questions export 9708 after the import: %v, or not the same bytes", err)
	}
}

// A bad file is refused with the position of each problem. One that does not fit the schema is
// refused before the database is opened (no DATABASE_URL is needed to be told); one that does
// not fit the syllabus, against the database's.
func TestQuestionsImportRefusesABadFileWithItsPosition(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := string(shippedBank(t))
	seeded := env(map[string]string{"DATABASE_URL": testdb.URL(t)})
	if err := run(t.Context(), []string{"seed"}, seeded, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, file string
		vars       func(string) string
		want       string
	}{
		{"a syntax error", strings.Replace(good, `"subject": "9708",`, `"subject": "9708"`, 1), env(nil),
			`line 3, column 3: invalid character '"' after object key:value pair`},
		{"an unknown field", strings.Replace(good, `"stem": `, `"stme": `, 1), env(nil),
			"questions[0] (9708-P1-001).stme: unknown field"},
		{"two options keyed B", strings.Replace(good, `"key": "C"`, `"key": "B"`, 1), seeded,
			"questions[0] (9708-P1-001).options[2].key: B is the key of options[1] too"},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".json")
		if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
			t.Fatal(err)
		}
		err := run(t.Context(), []string{"questions", "import", path}, tt.vars, &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path+": nothing imported") {
			t.Errorf("%s: got %v, want it to name the file, say nothing was imported and %q", tt.name, err, tt.want)
		}
	}
}

func TestQuestionsCommandUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"questions"}, {"questions", "frobnicate"}, {"questions", "import"}, {"questions", "export", "9708", "9709"}} {
		if err := run(t.Context(), args, env(nil), &bytes.Buffer{}, &bytes.Buffer{}); !errors.Is(err, errUsage) {
			t.Errorf("%v: got %v, want the usage error", args, err)
		}
	}
	vars := env(map[string]string{"DATABASE_URL": testdb.URL(t)})
	err := run(t.Context(), []string{"questions", "export", "0000"}, vars, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), `no subject "0000"`) {
		t.Errorf("questions export 0000: got %v, want no such subject", err)
	}
}
