// Package seed loads the global catalogue that every student reads: subjects, their papers and
// their syllabus points, and their question banks. Seeding brings the database in line with the
// catalogue shipped in this package and is idempotent: a second run changes nothing and reports
// no changes.
package seed

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"

	"examiner/internal/dbsqlc"
)

// Executor runs statements: a *pgxpool.Pool, *pgx.Conn or pgx.Tx.
type Executor interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// Subject is one entry of the catalogue.
type Subject struct {
	Code, Name, Level, ExamBoard, SyllabusYear string
	Papers                                     []Paper
	// SyllabusFile names the file under data/ that holds the syllabus points, in code order.
	SyllabusFile string
}

// Paper is one paper of a subject's exam.
type Paper struct {
	Number          int
	Name, Level     string
	DurationMinutes int
	TotalMarks      int
}

// Point is one topic or sub-topic of a syllabus.
type Point struct {
	Code             string   `json:"code"`
	Description      string   `json:"description"`
	Topics           []string `json:"topics"`
	LearningOutcomes []string `json:"learning_outcomes"`
}

// Subjects is the catalogue as shipped.
var Subjects = []Subject{
	{
		Code: "9708", Name: "Economics", Level: "AS & A Level", ExamBoard: "Cambridge International",
		SyllabusYear: "2023-2025",
		Papers: []Paper{
			{Number: 1, Name: "Multiple Choice", Level: "AS Level", DurationMinutes: 60, TotalMarks: 30},
			{Number: 2, Name: "Data Response and Essays", Level: "AS Level", DurationMinutes: 90, TotalMarks: 60},
			{Number: 3, Name: "Multiple Choice", Level: "A Level", DurationMinutes: 75, TotalMarks: 30},
			{Number: 4, Name: "Data Response and Essays", Level: "A Level", DurationMinutes: 120, TotalMarks: 60},
		},
		SyllabusFile: "9708_syllabus.json",
	},
}

//go:embed data/*.json
var data embed.FS

// Syllabus returns s's syllabus points, in code order.
func (s Subject) Syllabus() ([]Point, error) {
	raw, err := data.ReadFile("data/" + s.SyllabusFile)
	if err != nil {
		return nil, fmt.Errorf("seed: syllabus of %s: %w", s.Code, err)
	}
	var points []Point
	if err := json.Unmarshal(raw, &points); err != nil {
		return nil, fmt.Errorf("seed: syllabus of %s: %w", s.Code, err)
	}
	return points, nil
}

// Result counts the catalogue rows a run inserted and the rows it changed to match the catalogue,
// and the questions of the subjects' banks.
type Result struct {
	Added, Updated int64
	Questions      QuestionResult
}

func (r Result) String() string {
	return fmt.Sprintf("%d rows added, %d rows updated; %s", r.Added, r.Updated, r.Questions)
}

// Run inserts every missing subject, paper and syllabus point and updates those that differ
// from the catalogue, then imports each subject's question bank (data/<code>_questions.json,
// as ImportQuestions does), in one transaction, as the database owner (seeding is
// administration, not a student's request). Rows the catalogue no longer lists are left alone:
// exams refer to papers and questions.
func Run(ctx context.Context, db Executor) (Result, error) {
	var res Result
	count := func(inserted bool) {
		if inserted {
			res.Added++
		} else {
			res.Updated++
		}
	}
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		q := dbsqlc.New(tx)
		for _, s := range Subjects {
			points, err := s.Syllabus()
			if err != nil {
				return err
			}
			row, err := q.UpsertSubject(ctx, dbsqlc.UpsertSubjectParams{
				Code: s.Code, Name: s.Name, Level: s.Level, ExamBoard: s.ExamBoard, SyllabusYear: s.SyllabusYear,
			})
			subjectID := row.ID
			switch {
			case errors.Is(err, pgx.ErrNoRows): // already as shipped
				if subjectID, err = q.SubjectID(ctx, s.Code); err != nil {
					return fmt.Errorf("seed subject %s: %w", s.Code, err)
				}
			case err != nil:
				return fmt.Errorf("seed subject %s: %w", s.Code, err)
			default:
				count(row.Inserted)
			}

			// A row that already matches returns nothing (pgx.ErrNoRows): neither added nor updated.
			counted := func(what string, inserted bool, err error) error {
				switch {
				case errors.Is(err, pgx.ErrNoRows):
				case err != nil:
					return fmt.Errorf("seed %s: %w", what, err)
				default:
					count(inserted)
				}
				return nil
			}
			for _, p := range s.Papers {
				inserted, err := q.UpsertPaper(ctx, dbsqlc.UpsertPaperParams{
					SubjectID: subjectID, Number: p.Number, Name: p.Name, Level: p.Level,
					DurationMinutes: p.DurationMinutes, TotalMarks: p.TotalMarks,
				})
				if err := counted(fmt.Sprintf("paper %s/%d", s.Code, p.Number), inserted, err); err != nil {
					return err
				}
			}
			for _, pt := range points {
				inserted, err := q.UpsertSyllabusPoint(ctx, dbsqlc.UpsertSyllabusPointParams{
					SubjectID: subjectID, Code: pt.Code, Description: pt.Description, Topics: pt.Topics, LearningOutcomes: pt.LearningOutcomes,
				})
				if err := counted("syllabus point "+pt.Code, inserted, err); err != nil {
					return err
				}
			}
			bank, err := s.Questions()
			if errors.Is(err, fs.ErrNotExist) { // a subject without a bank
				continue
			}
			if err != nil {
				return err
			}
			questions, err := importQuestions(ctx, q, bank)
			if err != nil {
				return fmt.Errorf("seed: questions of %s: %w", s.Code, err)
			}
			res.Questions.Added += questions.Added
			res.Questions.Updated += questions.Updated
			res.Questions.Unchanged += questions.Unchanged
		}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	return res, nil
}
