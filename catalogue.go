package examiner

import "github.com/google/uuid"

// Subject is one subject of the catalogue.
type Subject struct {
	ID           uuid.UUID `json:"id"`
	Code         string    `json:"code"`
	Name         string    `json:"name"`
	Level        string    `json:"level"`
	ExamBoard    string    `json:"exam_board"`
	SyllabusYear string    `json:"syllabus_year"`
}

// Paper is one paper of a subject's exam.
type Paper struct {
	Number          int    `json:"number"`
	Name            string `json:"name"`
	Level           string `json:"level"`
	DurationMinutes int    `json:"duration_minutes"`
	TotalMarks      int    `json:"total_marks"`
}

// SubjectWithPapers is a subject and its paper catalogue.
type SubjectWithPapers struct {
	Subject
	Papers []Paper `json:"papers"`
}

// SyllabusPoint is one topic or sub-topic of a subject's syllabus.
type SyllabusPoint struct {
	Code             string   `json:"code"`
	Description      string   `json:"description"`
	Topics           []string `json:"topics"`
	LearningOutcomes []string `json:"learning_outcomes"`
}
