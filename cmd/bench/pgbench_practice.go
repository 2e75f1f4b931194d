package main

import (
	"context"
	"fmt"
	"reflect"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"examiner"
	"examiner/internal/dbsqlc"
	"examiner/tenant"
)

// The practice ceilings: the server's own statements for the two practice endpoints, as sqlc
// generated them from sql/queries/answers.sql (SaveAnswer, ExamQuestions, from dbsqlc.Statements),
// each after the opening statement in one pipeline, as tenant.Query sends them. Each bind
// parameter is replaced, by name (the sqlc Params struct's fields are the parameters in order,
// so a reordering in sql/queries cannot bind the wrong one):
//
//   - the claim and the timeouts as in the list's scripts (openingParams);
//   - the student, studentUUIDSQL of the script's random :n, and their practice exam,
//     practiceExamUUIDSQL of the same :n (the seed made both ids from the number);
//   - the question number, a pgbench variable :q, random in 1..practiceQuestions;
//   - the choice: pgbench variables are numbers, so chr(64 + :c) of :c random in 1..4 (A to D);
//   - the text, which the server binds as NULL for a choice: the literal NULL (pgbench has no
//     NULL variable), which lets the planner drop the statement's written-answer branch that the
//     server's bound NULL keeps until execution: a few comparisons, in the ceiling's favour.

// pgChoice is the choice for a pgbench integer expression c in 1..4: A to D.
func pgChoice(c string) string { return "pg_catalog.chr(64 + " + c + ")" }

// examQuestionsParams binds ExamQuestions for student n's practice exam.
func examQuestionsParams(n string) (map[int]string, error) {
	return paramsByName(dbsqlc.ExamQuestionsParams{}, map[string]string{
		"ExamID": practiceExamUUIDSQL(n), "StudentID": studentUUIDSQL(n)})
}

// saveAnswerParams binds SaveAnswer for choice c to question q of student n's practice exam.
func saveAnswerParams(n, q, c string) (map[int]string, error) {
	return paramsByName(dbsqlc.SaveAnswerParams{}, map[string]string{
		"Number": "(" + q + ")", "ExamID": practiceExamUUIDSQL(n), "StudentID": studentUUIDSQL(n),
		"Choice": pgChoice(c), "Text": "NULL"})
}

// paramsByName numbers byName's expressions as params' fields are numbered ($1 for the first),
// and refuses a field it does not bind or a name that is no field.
func paramsByName(params any, byName map[string]string) (map[int]string, error) {
	t := reflect.TypeOf(params)
	out := make(map[int]string, t.NumField())
	for i := range t.NumField() {
		e, ok := byName[t.Field(i).Name]
		if !ok {
			return nil, fmt.Errorf("%s.%s is not bound by cmd/bench/pgbench_practice.go: update it", t.Name(), t.Field(i).Name)
		}
		out[i+1] = e
	}
	if len(out) != len(byName) {
		return nil, fmt.Errorf("cmd/bench/pgbench_practice.go binds fields that %s does not have: update it", t.Name())
	}
	return out, nil
}

// practiceStatements are the opening, ExamQuestions and SaveAnswer statements bound with the
// expressions n (student), q (question number) and c (choice, 1 to 4).
func practiceStatements(n, q, c string) (set, questions, save string, err error) {
	if set, err = bindPgbench(dbsqlc.Statements["OpenStudentTransaction"], openingParams(n)); err != nil {
		return "", "", "", err
	}
	eqParams, err := examQuestionsParams(n)
	if err != nil {
		return "", "", "", err
	}
	if questions, err = bindPgbench(dbsqlc.Statements["ExamQuestions"], eqParams); err != nil {
		return "", "", "", err
	}
	saveParams, err := saveAnswerParams(n, q, c)
	if err != nil {
		return "", "", "", err
	}
	if save, err = bindPgbench(dbsqlc.Statements["SaveAnswer"], saveParams); err != nil {
		return "", "", "", err
	}
	return set, questions, save, nil
}

// practiceScripts are the two practice transactions for students 1..students, pipelined:
// questions (GET /api/exams/{id}/questions) and autosave (PUT /api/exams/{id}/answers/{n}, a
// random option to a random question).
func practiceScripts(students int) (questions, autosave string, err error) {
	set, eq, save, err := practiceStatements(":n", ":q", ":c")
	if err != nil {
		return "", "", err
	}
	head := fmt.Sprintf("\\set n random(1, %d)\n", students)
	questions = head + "\\startpipeline\n" + set + ";\n" + eq + ";\n\\endpipeline\n"
	autosave = head + fmt.Sprintf("\\set q random(1, %d)\n\\set c random(1, 4)\n", practiceQuestions) +
		"\\startpipeline\n" + set + ";\n" + save + ";\n\\endpipeline\n"
	return questions, autosave, nil
}

// checkPracticeSQL runs the practice scripts' statements through pgx for one student, as the
// login role, with the pgbench variables as text literals (as pgbench sends them, untyped), and
// rolls back: the database verifies the claim as that student's, the statements run as
// examiner_student, the questions are the exam's practiceQuestions, and the answer is saved to
// the question and with the option the variables name (a binding that saved nothing, or a
// refused write, would flatter pgbench).
func checkPracticeSQL(ctx context.Context, loginURL string, student int) error {
	const q, c = 7, 3 // question 7, choice C
	set, questions, save, err := practiceStatements(fmt.Sprintf("'%d'", student), fmt.Sprintf("'%d'", q), fmt.Sprintf("'%d'", c))
	if err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, loginURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	if _, err := tx.Exec(ctx, set); err != nil {
		return fmt.Errorf("the practice scripts' opening statement fails: %w", err)
	}
	var role string
	var verified *uuid.UUID
	var rows, mcqs int
	if err := tx.QueryRow(ctx, `SELECT pg_catalog.current_user(), app.current_student_id(),
		(SELECT pg_catalog.count(*) FROM (`+questions+`) AS q), (SELECT pg_catalog.count(*) FROM (`+questions+`) AS q WHERE q.kind = 'MCQ')`).
		Scan(&role, &verified, &rows, &mcqs); err != nil {
		return fmt.Errorf("the questions script's statement fails: %w", err)
	}
	if want := studentUUID(student); role != tenant.Role || verified == nil || *verified != want || rows != practiceQuestions || mcqs != rows {
		return fmt.Errorf("the questions script ran as %s for %v and found %d questions (%d MCQs), want %s for %s and %d MCQs",
			role, verified, rows, mcqs, tenant.Role, want, practiceQuestions)
	}
	var status, kind string
	var open, found bool
	var number int
	var choice *string
	if err := tx.QueryRow(ctx, save).Scan(&status, &open, &found, &kind, &number, &choice, new(*string), new(any), new(*int), new(*bool)); err != nil {
		return fmt.Errorf("the autosave script's statement fails: %w", err)
	}
	if status != examiner.InProgress || !open || !found || kind != examiner.MCQ || number != q || choice == nil || *choice != "C" {
		saved := "nothing"
		if choice != nil {
			saved = *choice
		}
		return fmt.Errorf("the autosave script's statement found an exam %s (open %v), question found %v (%s), saved question %d with %s; want IN_PROGRESS, open, MCQ, question %d with C",
			status, open, found, kind, number, saved, q)
	}
	return nil
}
