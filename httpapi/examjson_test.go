package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"

	"examiner"
)

func TestExamJSONIsExactlyWhatEncodingJSONWrites(t *testing.T) {
	one, ninety, big := 1, 90, 1000
	started := time.Date(2026, 11, 25, 21, 0, 0, 123456000, time.UTC)
	done := time.Date(2026, 11, 25, 22, 30, 5, 0, time.FixedZone("x", 5*3600+1800))
	exams := []examiner.Exam{
		{ID: uuid.New(), SubjectCode: "9708", ExamType: "PRACTICE", Status: "PENDING",
			CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), UpdatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.Local)},
		{ID: uuid.New(), SubjectCode: "9708", ExamType: "FULL_PAPER", Status: "COMPLETED", PaperNumber: &one,
			DurationMinutes: &ninety, TotalMarks: &big, CreatedAt: started, UpdatedAt: done, StartedAt: &started, CompletedAt: &done},
		{ID: uuid.Nil, SubjectCode: "A&B <\"x\"> \\ é \u2028 \x01\n\t", ExamType: "", Status: "\xff"},
	}
	cursor := "eyJ2IjoxfQ"
	for _, e := range exams {
		got := httptest.NewRecorder()
		writeExam(got, 200, e)
		expected := httptest.NewRecorder()
		writeJSON(expected, 200, e)
		if !bytes.Equal(got.Body.Bytes(), expected.Body.Bytes()) {
			t.Errorf("exam:\n got %s\nwant %s", got.Body, expected.Body)
		}
	}
	for _, p := range []page[examiner.Exam]{{Items: exams, NextCursor: &cursor}, {Items: []examiner.Exam{}}, {Items: exams[:1]}} {
		got := httptest.NewRecorder()
		writeExamPage(got, 200, p)
		expected := httptest.NewRecorder()
		writeJSON(expected, 200, p)
		if !bytes.Equal(got.Body.Bytes(), expected.Body.Bytes()) {
			t.Errorf("page:\n got %s\nwant %s", got.Body, expected.Body)
		}
		if !json.Valid(got.Body.Bytes()) {
			t.Errorf("page: not valid JSON: %s", got.Body)
		}
	}
}
