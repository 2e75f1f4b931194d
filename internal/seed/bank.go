package seed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"examiner/internal/dbsqlc"
)

// The question bank in the database (migration 016): questions (what a student answers),
// question_keys (keys, explanations and mark schemes, which only a completed exam shows) and
// question_syllabus_points (the tags), written by the owner from a question file and read back
// into one. The statements are in sql/queries/bank.sql.

// QuestionResult counts the questions of an import: new, changed (in any of their rows) and
// already as the file has them.
type QuestionResult struct {
	Added, Updated, Unchanged int64
}

func (r QuestionResult) String() string {
	return fmt.Sprintf("%d questions added, %d updated, %d unchanged", r.Added, r.Updated, r.Unchanged)
}

// ImportQuestions brings the database's questions in line with bank, in one transaction and only
// if all of bank is good: its subject must be in the database, and the bank must pass Check
// against that subject's papers and syllabus points there (else a *BankError). A question is
// known by its code; one the file no longer lists is left alone (exams refer to it). Run as the
// owner: no request role may write the bank.
func ImportQuestions(ctx context.Context, db Executor, bank QuestionBank) (QuestionResult, error) {
	var res QuestionResult
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		var err error
		res, err = importQuestions(ctx, dbsqlc.New(tx), bank)
		return err
	})
	if err != nil {
		return QuestionResult{}, err
	}
	return res, nil
}

// importQuestions is ImportQuestions in a transaction of the caller's: on an error, the caller
// rolls it back.
func importQuestions(ctx context.Context, q *dbsqlc.Queries, bank QuestionBank) (QuestionResult, error) {
	var res QuestionResult
	subject, err := q.BankSubject(ctx, bank.Subject)
	if errors.Is(err, pgx.ErrNoRows) {
		return res, bankError([]string{fmt.Sprintf("subject: no subject %q in the database (examiner seed loads the catalogue)", bank.Subject)})
	}
	if err != nil {
		return res, fmt.Errorf("questions of %s: %w", bank.Subject, err)
	}
	s := Subject{Code: bank.Subject}
	for _, n := range subject.Papers {
		s.Papers = append(s.Papers, Paper{Number: n})
	}
	points := make([]Point, len(subject.SyllabusPoints))
	for i, code := range subject.SyllabusPoints {
		points[i] = Point{Code: code}
	}
	if err := bankError(bank.Check(s, points)); err != nil {
		return res, err
	}

	for i, question := range bank.Questions {
		changed, err := upsertQuestion(ctx, q, subject.ID, question)
		if errors.Is(err, errOtherSubject) {
			return QuestionResult{}, bankError([]string{fmt.Sprintf("%s.code: %s is a question of another subject", questionPath(i, question.Code), question.Code)})
		}
		if err != nil {
			return QuestionResult{}, fmt.Errorf("%s: %w", questionPath(i, question.Code), err)
		}
		switch changed {
		case "added":
			res.Added++
		case "updated":
			res.Updated++
		default:
			res.Unchanged++
		}
	}
	return res, nil
}

// The JSON columns: questions.parts holds a written question's parts without their mark
// schemes, which question_keys.mark_schemes holds by part label.
type (
	partColumn struct {
		Label  string `json:"label"`
		Prompt string `json:"prompt"`
		Marks  int    `json:"marks"`
	}
	markSchemeColumn struct {
		Label             string   `json:"label"`
		Levels            []Level  `json:"levels"`
		IndicativeContent []string `json:"indicative_content"`
	}
)

// errOtherSubject is a question code that another subject's question has (codes are unique across
// subjects).
var errOtherSubject = errors.New("the code is another subject's question's")

// upsertQuestion writes one question, its key and its tags; it reports "added", "updated" (any of
// them changed) or "unchanged".
func upsertQuestion(ctx context.Context, q *dbsqlc.Queries, subjectID uuid.UUID, question Question) (string, error) {
	row := dbsqlc.UpsertQuestionParams{
		Code: question.Code, SubjectID: subjectID, PaperNumber: question.Paper, Kind: question.Kind,
		Stem: question.Stem, Marks: question.Marks,
	}
	key := dbsqlc.UpsertQuestionKeyParams{Explanation: question.Explanation}
	var err error
	switch question.Kind {
	case "MCQ":
		if row.Options, err = json.Marshal(question.Options); err != nil {
			return "", err
		}
		key.Answer = &question.Answer
	case "WRITTEN":
		row.Section = &question.Section
		parts := make([]partColumn, len(question.Parts))
		schemes := make([]markSchemeColumn, len(question.Parts))
		row.Marks = 0
		for i, p := range question.Parts {
			parts[i] = partColumn{Label: p.Label, Prompt: p.Prompt, Marks: p.Marks}
			schemes[i] = markSchemeColumn{Label: p.Label, Levels: p.MarkScheme.Levels, IndicativeContent: p.MarkScheme.IndicativeContent}
			row.Marks += p.Marks
		}
		if row.Parts, err = json.Marshal(parts); err != nil {
			return "", err
		}
		if key.MarkSchemes, err = json.Marshal(schemes); err != nil {
			return "", err
		}
	}
	written, err := q.UpsertQuestion(ctx, row)
	if err != nil {
		return "", err
	}
	if written.Change == "other subject" {
		return "", errOtherSubject
	}
	key.QuestionID = written.ID
	_, err = q.UpsertQuestionKey(ctx, key)
	keyChanged := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("key: %w", err)
	}
	tags, err := q.SetQuestionSyllabusPoints(ctx, dbsqlc.SetQuestionSyllabusPointsParams{
		Codes: question.SyllabusPoints, SubjectID: subjectID, QuestionID: written.ID,
	})
	if err != nil {
		return "", fmt.Errorf("syllabus_points: %w", err)
	}
	if len(tags.Missing) > 0 { // Check has looked them up in the same transaction: not expected
		return "", fmt.Errorf("syllabus_points: %v are not syllabus points of the subject", tags.Missing)
	}
	if written.Change != "unchanged" {
		return written.Change, nil
	}
	if !keyChanged && tags.Changed == 0 {
		return "unchanged", nil
	}
	if err := q.TouchQuestion(ctx, written.ID); err != nil {
		return "", err
	}
	return "updated", nil
}

// ExportQuestions reads every question of the subject back as a bank, in code order, each
// question's tags in syllabus order: what ImportQuestions would import as is. A *BankError when
// there is no such subject.
func ExportQuestions(ctx context.Context, db dbsqlc.DBTX, subjectCode string) (QuestionBank, error) {
	q := dbsqlc.New(db)
	if _, err := q.BankSubject(ctx, subjectCode); errors.Is(err, pgx.ErrNoRows) {
		return QuestionBank{}, bankError([]string{fmt.Sprintf("subject: no subject %q in the database", subjectCode)})
	} else if err != nil {
		return QuestionBank{}, err
	}
	rows, err := q.ExportQuestions(ctx, subjectCode)
	if err != nil {
		return QuestionBank{}, err
	}
	bank := QuestionBank{Subject: subjectCode, Questions: make([]Question, 0, len(rows))}
	for _, r := range rows {
		question, err := exported(r)
		if err != nil {
			return QuestionBank{}, fmt.Errorf("question %s: %w", r.Code, err)
		}
		bank.Questions = append(bank.Questions, question)
	}
	return bank, nil
}

// exported is a question as its rows hold it, in the shape of a question file.
func exported(r dbsqlc.ExportQuestionsRow) (Question, error) {
	q := Question{Code: r.Code, Kind: r.Kind, Paper: r.PaperNumber, SyllabusPoints: r.SyllabusPoints, Stem: r.Stem, Explanation: r.Explanation}
	switch r.Kind {
	case "MCQ":
		q.Marks = r.Marks
		if r.Answer != nil {
			q.Answer = *r.Answer
		}
		if err := json.Unmarshal(r.Options, &q.Options); err != nil {
			return q, fmt.Errorf("options: %w", err)
		}
	case "WRITTEN":
		if r.Section != nil {
			q.Section = *r.Section
		}
		var parts []partColumn
		var schemes []markSchemeColumn
		if err := json.Unmarshal(r.Parts, &parts); err != nil {
			return q, fmt.Errorf("parts: %w", err)
		}
		if r.MarkSchemes != nil {
			if err := json.Unmarshal(r.MarkSchemes, &schemes); err != nil {
				return q, fmt.Errorf("mark schemes: %w", err)
			}
		}
		byLabel := map[string]markSchemeColumn{}
		for _, s := range schemes {
			byLabel[s.Label] = s
		}
		for _, p := range parts {
			s := byLabel[p.Label]
			q.Parts = append(q.Parts, Part{Label: p.Label, Prompt: p.Prompt, Marks: p.Marks,
				MarkScheme: MarkScheme{Levels: s.Levels, IndicativeContent: s.IndicativeContent}})
		}
	}
	return q, nil
}
