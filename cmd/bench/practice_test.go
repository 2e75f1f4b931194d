package main

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestAPracticeExamIsNamedByItsStudentsNumber(t *testing.T) {
	t.Parallel()
	if got, want := practiceExamUUID(7).String(), "00000000-0000-4000-9000-000000000007"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if practiceExamUUID(7) == studentUUID(7) {
		t.Error("student 7 and their practice exam have the same id")
	}
	if got, want := practiceExamUUIDSQL(":n"), "('00000000-0000-4000-9000-' || lpad(:n, 12, '0'))::uuid"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestThePracticeScriptsBindEveryParameterOfTheServersStatements(t *testing.T) {
	t.Parallel()
	questions, autosave, err := practiceScripts(1000)
	if err != nil {
		t.Fatal(err)
	}
	for name, script := range map[string]string{"questions": questions, "autosave": autosave} {
		if p := bindParam.FindString(script); p != "" {
			t.Errorf("%s: %s left unbound:\n%s", name, p, script)
		}
		for _, want := range []string{`\set n random(1, 1000)`, `\startpipeline`, claimLookupSQL(":n"), practiceExamUUIDSQL(":n"), studentUUIDSQL(":n"), `\endpipeline`} {
			if !strings.Contains(script, want) {
				t.Errorf("%s: no %s in\n%s", name, want, script)
			}
		}
	}
	for _, want := range []string{`\set q random(1, 30)`, `\set c random(1, 4)`, "(:q)::smallint", "pg_catalog.chr(64 + :c)::text", "NULL::text"} {
		if !strings.Contains(autosave, want) {
			t.Errorf("autosave: no %s in\n%s", want, autosave)
		}
	}
}

func TestBindingByNameRefusesAFieldLeftOutAndANameThatIsNoField(t *testing.T) {
	t.Parallel()
	type params struct{ A, B string }
	got, err := paramsByName(params{}, map[string]string{"A": "1", "B": "2"})
	if err != nil || got[1] != "1" || got[2] != "2" || len(got) != 2 {
		t.Errorf("got %v, %v; want $1 = 1, $2 = 2", got, err)
	}
	if _, err := paramsByName(params{}, map[string]string{"A": "1"}); err == nil {
		t.Error("B left out: no error")
	}
	if _, err := paramsByName(params{}, map[string]string{"A": "1", "B": "2", "C": "3"}); err == nil {
		t.Error("C is no field: no error")
	}
}

func TestTheAutosaveLoadSendsEveryOptionToEveryQuestionOfTheStudentsOwnExam(t *testing.T) {
	t.Parallel()
	w := &world{practice: []uuid.UUID{practiceExamUUID(1), practiceExamUUID(2)}}
	rng := rand.New(rand.NewPCG(1, 2))
	paths, choices := map[string]bool{}, map[string]bool{}
	for range 10000 {
		p := putAnswer.path(w, 1, rng)
		prefix := "/api/exams/" + practiceExamUUID(2).String() + "/answers/"
		if !strings.HasPrefix(p, prefix) {
			t.Fatalf("%s: not an answer of student 2's practice exam", p)
		}
		paths[strings.TrimPrefix(p, prefix)] = true
		var body struct{ Choice string }
		if err := json.Unmarshal(putAnswer.body(rng), &body); err != nil {
			t.Fatal(err)
		}
		choices[body.Choice] = true
	}
	if len(paths) != practiceQuestions || !paths["1"] || !paths["30"] {
		t.Errorf("questions answered: %v, want 1 to %d", paths, practiceQuestions)
	}
	if len(choices) != 4 || !choices["A"] || !choices["D"] {
		t.Errorf("choices: %v, want A to D", choices)
	}
}
