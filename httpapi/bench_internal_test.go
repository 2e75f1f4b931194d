package httpapi

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"

	"examiner"
)

// The body of GET /api/exams: a page of 20 exams with a next cursor, encoded as the handler does.
func BenchmarkEncodeExamPage(b *testing.B) {
	now := time.Now()
	paper, duration, marks := 2, 90, 60
	exams := make([]examiner.Exam, 20)
	for i := range exams {
		started := now.Add(-time.Hour)
		exams[i] = examiner.Exam{
			ID: uuid.New(), SubjectCode: "9708", ExamType: "FULL_PAPER", Status: "IN_PROGRESS",
			PaperNumber: &paper, DurationMinutes: &duration, TotalMarks: &marks,
			CreatedAt: now.Add(-time.Duration(i) * time.Minute), UpdatedAt: now, StartedAt: &started,
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		writeExamPage(w, 200, pageFrom(exams, true, examiner.Exam.Position, "digest"))
	}
}
