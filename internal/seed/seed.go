// Package seed loads the global catalogue (subjects, their syllabus points) that every student
// reads. Seeding is idempotent: running it again changes nothing.
package seed

import (
	"context"
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
}

// Subjects is the catalogue as shipped.
var Subjects = []Subject{
	{Code: "9708", Name: "Economics", Level: "AS & A Level", ExamBoard: "Cambridge International", SyllabusYear: "2023-2025"},
}

// Run inserts every missing subject, as the database owner (seeding is administration, not a
// student's request), and reports how many rows it added.
func Run(ctx context.Context, db Executor) (added int64, err error) {
	err = pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		for _, s := range Subjects {
			tag, err := tx.Exec(ctx, `
				INSERT INTO subjects (code, name, level, exam_board, syllabus_year)
				VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (code) DO NOTHING`,
				s.Code, s.Name, s.Level, s.ExamBoard, s.SyllabusYear)
			if err != nil {
				return fmt.Errorf("seed subject %s: %w", s.Code, err)
			}
			added += tag.RowsAffected()
		}
		return nil
	})
	return added, err
}
