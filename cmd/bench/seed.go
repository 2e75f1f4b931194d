package main

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"examiner/internal/dbclaim"
	"examiner/internal/password"
	"examiner/internal/token"
	"examiner/tenant"
)

// benchPassword is every bench student's password (one bcrypt hash at the server's cost 12,
// shared by all of them: the storm logs in as many students with it).
const benchPassword = "correct horse battery staple"

// world is the seeded data the load draws from: student i (0-based) has studentUUID(i+1), the
// email benchEmail(i+1), tokens[i], claims[i] (what the server would sign for that token, for the
// harness's own pgx and pgbench loads), exams[i] and, on the main database, practice[i]: their
// running practice exam with questions (practice.go).
type world struct {
	students []uuid.UUID
	emails   []string
	tokens   []string
	claims   []string
	exams    [][]uuid.UUID
	practice []uuid.UUID
}

// studentUUID is bench student n's id: computable from n, so that pgbench, which has no string
// variables, can name a random student with the same SQL expression (see pgbench.go).
func studentUUID(n int) uuid.UUID {
	return uuid.MustParse(fmt.Sprintf("00000000-0000-4000-8000-%012d", n))
}

// studentUUIDSQL is studentUUID in SQL, for an integer expression n.
func studentUUIDSQL(n string) string {
	return fmt.Sprintf("('00000000-0000-4000-8000-' || lpad(%s, 12, '0'))::uuid", n)
}

func benchEmail(n int) string { return fmt.Sprintf("bench-%06d@bench.example.com", n) }

// seedStudents replaces any earlier bench students with students × exams new ones, in bulk as
// the database owner (a superuser, so row-level security does not apply), then vacuums and
// analyses, and reads the exams' ids back. The SQL touches only the students' and exams' own
// columns, which are the same before issue 12 and after, so it seeds the unverified server's
// database (compare.go) too.
func seedStudents(ctx context.Context, databaseURL string, students, exams int) (*world, error) {
	hasher, err := password.NewHasher(12, 1)
	if err != nil {
		return nil, err
	}
	hash, err := hasher.Hash(ctx, benchPassword)
	if err != nil {
		return nil, err
	}
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.Background())
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM public.students WHERE email LIKE 'bench-%@bench.example.com'`); err != nil {
			return err
		}
		// ASCII lower-case emails: each is its own email_key (see httpapi's emailKey).
		if _, err := tx.Exec(ctx, `
			INSERT INTO public.students (id, email, email_key, password_hash, full_name, created_at, updated_at)
			SELECT `+studentUUIDSQL("n::text")+`, e, e, $1, 'Bench Student ' || n,
			       now() - interval '30 days', now() - interval '30 days'
			FROM generate_series(1, $2::int) AS n,
			     LATERAL (SELECT format('bench-%s@bench.example.com', lpad(n::text, 6, '0'))) AS email(e)`,
			hash, students); err != nil {
			return fmt.Errorf("insert students: %w", err)
		}
		// A realistic mix: a third each of PRACTICE, TIMED and FULL_PAPER (papers 1-4), a
		// third each PENDING, IN_PROGRESS and COMPLETED, one a few hours apart over weeks.
		if _, err := tx.Exec(ctx, `
			INSERT INTO public.exams (student_id, subject_id, exam_type, status, paper_number, duration_minutes,
			                   total_marks, created_at, updated_at, started_at, completed_at)
			SELECT st.id, subj.id,
			       (ARRAY['PRACTICE', 'TIMED', 'FULL_PAPER'])[k % 3 + 1],
			       (ARRAY['PENDING', 'IN_PROGRESS', 'COMPLETED'])[(k / 3) % 3 + 1],
			       CASE WHEN k % 3 = 2 THEN (k % 4 + 1) END,
			       CASE WHEN k % 3 > 0 THEN 90 END,
			       CASE WHEN k % 3 > 0 THEN 60 END,
			       t, t,
			       CASE WHEN (k / 3) % 3 > 0 THEN t + interval '1 minute' END,
			       CASE WHEN (k / 3) % 3 = 2 THEN t + interval '91 minutes' END
			FROM public.students AS st
			CROSS JOIN generate_series(1, $1::int) AS k
			CROSS JOIN (SELECT s.id FROM public.subjects AS s WHERE s.code = '9708') AS subj
			CROSS JOIN LATERAL (SELECT now() - k * interval '5 hours' - random() * interval '1 hour') AS created(t)
			WHERE st.email LIKE 'bench-%@bench.example.com'`, exams); err != nil {
			return fmt.Errorf("insert exams: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, `VACUUM (ANALYZE) public.students, public.exams, public.subjects, public.papers`); err != nil {
		return nil, err
	}

	w := &world{
		students: make([]uuid.UUID, students),
		emails:   make([]string, students),
		tokens:   make([]string, students),
		exams:    make([][]uuid.UUID, students),
	}
	index := make(map[uuid.UUID]int, students)
	for i := range students {
		w.students[i] = studentUUID(i + 1)
		w.emails[i] = benchEmail(i + 1)
		index[w.students[i]] = i
	}
	rows, err := conn.Query(ctx, `SELECT e.student_id, e.id FROM public.exams AS e WHERE e.student_id = ANY($1)`, w.students)
	if err != nil {
		return nil, err
	}
	var student, exam uuid.UUID
	if _, err := pgx.ForEachRow(rows, []any{&student, &exam}, func() error {
		i := index[student]
		w.exams[i] = append(w.exams[i], exam)
		return nil
	}); err != nil {
		return nil, err
	}
	for i, e := range w.exams {
		if len(e) != exams {
			return nil, fmt.Errorf("student %d has %d exams after the seed, want %d", i+1, len(e), exams)
		}
	}
	return w, nil
}

// mintTokens gives every student a token from the server's secret, issuer and audience,
// issued a second ago, of the token generation the seed leaves every student at (0), and the
// claim the server signs for it (dbclaim.Signer.Student, kid as the server's DB_CLAIM_KID).
func (w *world) mintTokens(secret []byte, iss, aud, kid string) error {
	issuer, err := token.NewIssuer(secret, 24*time.Hour, iss, aud)
	if err != nil {
		return err
	}
	signer, err := dbclaim.NewSigner(secret, kid)
	if err != nil {
		return err
	}
	at := time.Now().Add(-time.Second)
	w.claims = make([]string, len(w.students))
	for i, id := range w.students {
		var claims token.Claims
		if w.tokens[i], claims, err = issuer.Issue(id, 0, at); err != nil {
			return err
		}
		w.claims[i] = signer.Student(claims).Claim
	}
	return nil
}

// student is student i as the server's request transactions see them: id, generation and claim.
func (w *world) student(i int) tenant.Student {
	return tenant.Student{ID: w.students[i], Claim: w.claims[i]} // generation 0, as seeded
}

// examCount is how many exams student i has on the main database: exams[i] and, once seeded,
// their practice exam.
func (w *world) examCount(i int) int {
	if w.practice != nil {
		return len(w.exams[i]) + 1
	}
	return len(w.exams[i])
}
