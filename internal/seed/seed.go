// Package seed loads the global catalogue that every student reads: subjects, their papers and
// their syllabus points. Seeding brings the database in line with the catalogue shipped in this
// package and is idempotent: a second run changes nothing and reports no changes.
package seed

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
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

// Result counts the rows a run inserted and the rows it changed to match the catalogue.
type Result struct {
	Added, Updated int64
}

func (r Result) String() string {
	return fmt.Sprintf("%d rows added, %d rows updated", r.Added, r.Updated)
}

// Run inserts every missing subject, paper and syllabus point and updates those that differ
// from the catalogue, in one transaction, as the database owner (seeding is administration, not
// a student's request). Rows the catalogue no longer lists are left alone: exams refer to papers.
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
		for _, s := range Subjects {
			points, err := s.Syllabus()
			if err != nil {
				return err
			}
			// RETURNING (xmax = 0) tells an insert from an update; a row that already matches is
			// neither and returns nothing.
			var subjectID string
			var inserted bool
			err = tx.QueryRow(ctx, `
				INSERT INTO subjects AS s (code, name, level, exam_board, syllabus_year)
				VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (code) DO UPDATE
				  SET name = excluded.name, level = excluded.level, exam_board = excluded.exam_board,
				      syllabus_year = excluded.syllabus_year
				  WHERE (s.name, s.level, s.exam_board, s.syllabus_year)
				        IS DISTINCT FROM (excluded.name, excluded.level, excluded.exam_board, excluded.syllabus_year)
				RETURNING id, (xmax = 0)`,
				s.Code, s.Name, s.Level, s.ExamBoard, s.SyllabusYear).Scan(&subjectID, &inserted)
			switch {
			case err == pgx.ErrNoRows:
				if err := tx.QueryRow(ctx, `SELECT id FROM subjects WHERE code = $1`, s.Code).Scan(&subjectID); err != nil {
					return fmt.Errorf("seed subject %s: %w", s.Code, err)
				}
			case err != nil:
				return fmt.Errorf("seed subject %s: %w", s.Code, err)
			default:
				count(inserted)
			}

			// Papers and points go in one batch: one round trip however long the syllabus.
			b := &pgx.Batch{}
			counted := func(what string) func(pgx.Row) error {
				return func(row pgx.Row) error {
					var inserted bool
					switch err := row.Scan(&inserted); {
					case err == pgx.ErrNoRows: // already as shipped
					case err != nil:
						return fmt.Errorf("seed %s: %w", what, err)
					default:
						count(inserted)
					}
					return nil
				}
			}
			for _, p := range s.Papers {
				b.Queue(`
					INSERT INTO papers AS p (subject_id, number, name, level, duration_minutes, total_marks)
					VALUES ($1, $2, $3, $4, $5, $6)
					ON CONFLICT (subject_id, number) DO UPDATE
					  SET name = excluded.name, level = excluded.level,
					      duration_minutes = excluded.duration_minutes, total_marks = excluded.total_marks
					  WHERE (p.name, p.level, p.duration_minutes, p.total_marks)
					        IS DISTINCT FROM (excluded.name, excluded.level, excluded.duration_minutes, excluded.total_marks)
					RETURNING (xmax = 0)`,
					subjectID, p.Number, p.Name, p.Level, p.DurationMinutes, p.TotalMarks,
				).QueryRow(counted(fmt.Sprintf("paper %s/%d", s.Code, p.Number)))
			}
			for _, pt := range points {
				b.Queue(`
					INSERT INTO syllabus_points AS sp (subject_id, code, description, topics, learning_outcomes)
					VALUES ($1, $2, $3, $4, $5)
					ON CONFLICT (subject_id, code) DO UPDATE
					  SET description = excluded.description, topics = excluded.topics,
					      learning_outcomes = excluded.learning_outcomes
					  WHERE (sp.description, sp.topics, sp.learning_outcomes)
					        IS DISTINCT FROM (excluded.description, excluded.topics, excluded.learning_outcomes)
					RETURNING (xmax = 0)`,
					subjectID, pt.Code, pt.Description, pt.Topics, pt.LearningOutcomes,
				).QueryRow(counted("syllabus point " + pt.Code))
			}
			if err := tx.SendBatch(ctx, b).Close(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	return res, nil
}
