package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"examiner/httpapi"
	"examiner/internal/store"
	"examiner/tenant"
)

// Every route works in every DB_QUERY_EXEC_MODE: exec and simple_protocol (for PgBouncer) do not
// ask the server for parameter types, so a parameter pgx cannot encode without one would be a
// 500 there and nowhere else.
func TestEveryRouteWorksInEveryQueryExecMode(t *testing.T) {
	t.Parallel()
	// "private" is serve's default: cache_describe, with the generated statements prepared under
	// random names (tenant.UsePrivateStatements).
	for _, mode := range []string{"private", "cache_statement", "cache_describe", "describe_exec", "exec", "simple_protocol"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			a := newAppWith(t, func(d *httpapi.Deps) {
				cfg, err := pgxpool.ParseConfig(d.DB.Config().ConnString())
				if err != nil {
					t.Fatal(err)
				}
				if mode == "private" {
					cfg.ConnConfig.DefaultQueryExecMode, cfg.AfterConnect = pgx.QueryExecModeCacheDescribe, tenant.UsePrivateStatements
				} else if cfg.ConnConfig.DefaultQueryExecMode, err = tenant.ExecMode(mode); err != nil {
					t.Fatal(err)
				}
				pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(pool.Close)
				d.DB, d.Store = pool, store.New(pool)
			})
			_, tok := a.student("ada@example.com")
			a.do("GET", "/api/students/me", tok, nil).want(t, http.StatusOK)
			a.do("PATCH", "/api/students/me", tok, map[string]any{"full_name": "Ada L", "target_grades": map[string]string{"9708": "A*"}}).want(t, http.StatusOK)
			a.do("PATCH", "/api/students/me", tok, map[string]any{"target_grades": map[string]string{}}).want(t, http.StatusOK)
			a.do("GET", "/api/students/me/events?kind=login", tok, nil).want(t, http.StatusOK)
			a.do("GET", "/api/subjects", tok, nil).want(t, http.StatusOK)
			a.do("GET", "/api/subjects/9708", tok, nil).want(t, http.StatusOK)
			a.do("GET", "/api/subjects/9708/syllabus?q=elasticity", tok, nil).want(t, http.StatusOK)
			exam := a.createExam(tok, map[string]any{"subject_code": "9708", "exam_type": "TIMED", "paper_number": 3})
			a.practice(tok)
			page := a.examPage(tok, "?limit=1&status=PENDING&subject_code=9708")
			if page.NextCursor == nil {
				t.Fatal("first page of two: no next_cursor")
			}
			a.do("GET", "/api/exams?limit=1&status=PENDING&subject_code=9708&cursor="+*page.NextCursor, tok, nil).want(t, http.StatusOK)
			a.do("GET", "/api/exams/"+exam.ID, tok, nil).want(t, http.StatusOK)
			a.do("PATCH", "/api/exams/"+exam.ID, tok, map[string]any{"status": "IN_PROGRESS"}).want(t, http.StatusOK)
			a.do("PATCH", "/api/exams/"+exam.ID, tok, map[string]any{"status": "PENDING"}).want(t, http.StatusConflict)
			// Practice: questions, answers of both kinds, submitting, the review, a self-mark, progress.
			picked := a.createExam(tok, map[string]any{"subject_code": "9708", "exam_type": "PRACTICE", "paper_number": 1, "question_count": 2,
				"syllabus_points": []string{"9708.2.2", "9708.1.1"}})
			p := "/api/exams/" + picked.ID
			a.do("PATCH", p, tok, map[string]any{"status": "IN_PROGRESS"}).want(t, http.StatusOK)
			a.do("GET", p+"/questions", tok, nil).want(t, http.StatusOK)
			a.do("PUT", p+"/answers/1", tok, map[string]any{"choice": "A"}).want(t, http.StatusOK)
			written := a.createExam(tok, map[string]any{"subject_code": "9708", "exam_type": "FULL_PAPER", "paper_number": 2})
			wp := "/api/exams/" + written.ID
			a.do("PATCH", wp, tok, map[string]any{"status": "IN_PROGRESS"}).want(t, http.StatusOK)
			a.do("PUT", wp+"/answers/1", tok, map[string]any{"text": "Demand is inelastic."}).want(t, http.StatusOK)
			a.do("GET", wp+"/answers", tok, nil).want(t, http.StatusOK)
			a.do("PATCH", wp, tok, map[string]any{"status": "COMPLETED"}).want(t, http.StatusOK)
			a.do("PUT", wp+"/answers/1/self-mark", tok, map[string]any{"marks": 3}).want(t, http.StatusOK)
			a.do("GET", wp+"/review", tok, nil).want(t, http.StatusOK)
			a.do("GET", "/api/students/me/progress?subject_code=9708", tok, nil).want(t, http.StatusOK)
			a.do("DELETE", "/api/exams/"+exam.ID, tok, nil).want(t, http.StatusNoContent)
			a.do("GET", "/api/exams/"+exam.ID, tok, nil).want(t, http.StatusNotFound)
			a.do("PUT", "/api/students/me/password", tok, map[string]string{"current_password": "a good password", "new_password": "a newer password"}).want(t, http.StatusNoContent)
			tok = a.login("ada@example.com", "a newer password")
			a.do("POST", "/api/auth/logout", tok, nil).want(t, http.StatusNoContent)
			a.do("GET", "/api/exams", tok, nil).want(t, http.StatusUnauthorized)
		})
	}
}
