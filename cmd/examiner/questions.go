package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"examiner/internal/seed"
)

// questionsCommand loads and dumps the question bank as the database's owner (docs/dba.md, "The
// question bank"): import FILE reads a question file ("-" for stdin), holds it to
// internal/seed/data/questions.schema.json and the subject's syllabus, and writes it in one
// transaction, or nothing; export [SUBJECT_CODE] writes the subject's questions (default 9708) to
// stdout in the same format, so that export | import - changes nothing.
func questionsCommand(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	switch {
	case len(args) == 2 && args[0] == "import":
		name := args[1]
		var raw []byte
		var err error
		if name == "-" {
			name = "stdin"
			raw, err = io.ReadAll(stdin)
		} else {
			raw, err = os.ReadFile(name)
		}
		if err != nil {
			return fmt.Errorf("questions import: %w", err)
		}
		// The file's shape is checked before the database is opened (a file that does not fit
		// the schema needs no database to be refused); the syllabus it tags is the database's.
		bank, err := seed.ParseQuestionBank(raw)
		if err != nil {
			return fmt.Errorf("questions import: %s: nothing imported, %w", name, err)
		}
		conn, err := connect(ctx, getenv)
		if err != nil {
			return err
		}
		defer conn.Close(context.Background())
		res, err := seed.ImportQuestions(ctx, conn, bank)
		if err != nil {
			return fmt.Errorf("questions import: %s: nothing imported, %w", name, err)
		}
		fmt.Fprintf(stdout, "questions import: %s\n", res)
		return nil
	case (len(args) == 1 || len(args) == 2) && args[0] == "export":
		subject := "9708"
		if len(args) == 2 {
			subject = args[1]
		}
		conn, err := connect(ctx, getenv)
		if err != nil {
			return err
		}
		defer conn.Close(context.Background())
		bank, err := seed.ExportQuestions(ctx, conn, subject)
		if err != nil {
			return fmt.Errorf("questions export: %w", err)
		}
		return seed.EncodeQuestionBank(stdout, bank)
	}
	return fmt.Errorf("questions: want import FILE.json or export [SUBJECT_CODE]: %w", errUsage)
}
