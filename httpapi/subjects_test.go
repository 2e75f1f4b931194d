package httpapi_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"examiner/internal/seed"
)

type subject struct {
	ID           string `json:"id"`
	Code         string `json:"code"`
	Name         string `json:"name"`
	Level        string `json:"level"`
	ExamBoard    string `json:"exam_board"`
	SyllabusYear string `json:"syllabus_year"`
	Papers       []struct {
		Number          int    `json:"number"`
		Name            string `json:"name"`
		Level           string `json:"level"`
		DurationMinutes int    `json:"duration_minutes"`
		TotalMarks      int    `json:"total_marks"`
	} `json:"papers"`
}

type syllabusPoint struct {
	Code             string   `json:"code"`
	Description      string   `json:"description"`
	Topics           []string `json:"topics"`
	LearningOutcomes []string `json:"learning_outcomes"`
}

func (a *app) syllabus(tok, query string) []syllabusPoint {
	a.t.Helper()
	var page struct{ Items []syllabusPoint }
	a.do("GET", "/api/subjects/9708/syllabus"+query, tok, nil).want(a.t, http.StatusOK).decode(a.t, &page)
	return page.Items
}

func TestTheCatalogueNeedsAToken(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	for _, path := range []string{"/api/subjects", "/api/subjects/9708", "/api/subjects/9708/syllabus", "/api/subjects/0000"} {
		a.do("GET", path, "", nil).want(t, http.StatusUnauthorized).problem(t)
		a.do("GET", path, "not-a-token", nil).want(t, http.StatusUnauthorized).problem(t)
	}
}

func TestAStudentListsSubjectsAndReadsOneWithItsPapers(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("reader@example.com")

	var list struct{ Items []subject }
	a.do("GET", "/api/subjects", tok, nil).want(t, http.StatusOK).decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].Code != "9708" || list.Items[0].Name != "Economics" ||
		list.Items[0].ExamBoard != "Cambridge International" || list.Items[0].SyllabusYear != "2023-2025" || list.Items[0].ID == "" {
		t.Fatalf("subjects: got %+v", list.Items)
	}

	var s subject
	a.do("GET", "/api/subjects/9708", tok, nil).want(t, http.StatusOK).decode(t, &s)
	if s.ID != list.Items[0].ID || len(s.Papers) != 4 {
		t.Fatalf("9708: got %+v", s)
	}
	for i, p := range s.Papers {
		want := seed.Subjects[0].Papers[i]
		if p.Number != want.Number || p.Name != want.Name || p.Level != want.Level ||
			p.DurationMinutes != want.DurationMinutes || p.TotalMarks != want.TotalMarks {
			t.Errorf("paper %d: got %+v, want %+v", i+1, p, want)
		}
	}
}

func TestAnUnknownSubjectIsA404(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("lost@example.com")
	for _, path := range []string{"/api/subjects/0000", "/api/subjects/0000/syllabus", "/api/subjects/97%2708", "/api/subjects/" + strings.Repeat("9", 17)} {
		p := a.do("GET", path, tok, nil).want(t, http.StatusNotFound).problem(t)
		if p.Detail != "There is no such subject." {
			t.Errorf("%s: detail %q", path, p.Detail)
		}
	}
}

func TestTheSyllabusComesWholeInCodeOrder(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("syllabus@example.com")
	points := a.syllabus(tok, "")
	shipped, err := seed.Subjects[0].Syllabus()
	if err != nil {
		t.Fatal(err)
	}
	if len(points) != len(shipped) || len(points) != 64 {
		t.Fatalf("got %d points, want the 64 shipped", len(points))
	}
	for i, p := range points {
		if p.Code != shipped[i].Code || p.Description != shipped[i].Description ||
			!slices.Equal(p.Topics, shipped[i].Topics) || !slices.Equal(p.LearningOutcomes, shipped[i].LearningOutcomes) {
			t.Fatalf("point %d: got %+v, want %+v", i, p, shipped[i])
		}
	}
	// Numbers, not text: 9708.9.4 comes before 9708.10.
	i9, i10 := slices.IndexFunc(points, func(p syllabusPoint) bool { return p.Code == "9708.9.4" }),
		slices.IndexFunc(points, func(p syllabusPoint) bool { return p.Code == "9708.10" })
	if i9 < 0 || i10 != i9+1 {
		t.Fatalf("9708.9.4 at %d, 9708.10 at %d: want 9708.10 right after", i9, i10)
	}
}

func TestTheSyllabusFilterKeepsPointsWithEveryWordIgnoringCase(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("search@example.com")
	all := a.syllabus(tok, "")
	text := func(p syllabusPoint) string {
		return strings.ToLower(strings.Join(append(append([]string{p.Code, p.Description}, p.Topics...), p.LearningOutcomes...), " "))
	}
	for _, q := range []string{"ELASTICITY", "price elasticity supply", "  Gini  ", "9708.11", "game theory", "%", "_", "no-such-word-anywhere"} {
		got := a.syllabus(tok, "?q="+url.QueryEscape(q))
		var want []string
		for _, p := range all {
			keep := true
			for _, w := range strings.Fields(strings.ToLower(q)) {
				keep = keep && strings.Contains(text(p), w)
			}
			if keep {
				want = append(want, p.Code)
			}
		}
		var codes []string
		for _, p := range got {
			codes = append(codes, p.Code)
		}
		if !slices.Equal(codes, want) {
			t.Errorf("q=%q: got %v, want %v", q, codes, want)
		}
	}
	if got := a.syllabus(tok, "?q=elasticity"); !slices.ContainsFunc(got, func(p syllabusPoint) bool { return p.Code == "9708.2.2" }) {
		t.Errorf("q=elasticity misses 9708.2.2")
	}
	if got := a.syllabus(tok, "?q="); len(got) != len(all) {
		t.Errorf("an empty q: got %d points, want all %d", len(got), len(all))
	}
}

func TestBadSyllabusQueriesAre422(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("badquery@example.com")
	for query, field := range map[string]string{
		"?q=" + strings.Repeat("a", 201): "q",
		"?q=a%00b":                       "q",
		"?q=a&q=b":                       "q",
		"?search=elasticity":             "search",
	} {
		p := a.do("GET", "/api/subjects/9708/syllabus"+query, tok, nil).want(t, http.StatusUnprocessableEntity).problem(t)
		if len(p.Errors) != 1 || p.Errors[0].Field != field {
			t.Errorf("%s: errors %+v, want one on %s", query, p.Errors, field)
		}
	}
	a.do("GET", "/api/subjects?page=2", tok, nil).want(t, http.StatusUnprocessableEntity).problem(t)
	a.do("GET", "/api/subjects/9708/syllabus?q=%zz", tok, nil).want(t, http.StatusBadRequest).problem(t)
}
