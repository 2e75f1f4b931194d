package isolation_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// checkView compares what s sees with the model: profile and exams, and with full its sign-in
// trail. A student without a valid token must be refused with the last revoked one.
func (r *modelRun) checkView(s *modelStudent, full bool) {
	if !s.registered {
		return
	}
	if s.token() == "" {
		if len(s.revoked) > 0 {
			r.wantRefused(s, s.revoked[len(s.revoked)-1], "the last revoked token of "+s.String())
		}
		return
	}
	r.checkProfile(s)
	got, _ := r.listExams(s, "", "", 100)
	r.compareExams(s, got, s.exams, s.String()+"'s list of exams")
	if full {
		r.checkEvents(s, "", 100)
		r.checkProgress(s, "", true)
	}
}

func (r *modelRun) checkProfile(s *modelStudent) {
	res := r.send(s.index, "GET", "/api/students/me", s.token(), "", nil)
	r.want(res, http.StatusOK, "%s GET /api/students/me", s)
	var p modelWireProfile
	r.decode(res, &p, "the profile")
	r.compareProfile(s, p, s.String()+"'s profile")
}

func (r *modelRun) compareProfile(s *modelStudent, p modelWireProfile, what string) {
	if owner, ok := r.owners[p.ID]; ok && owner != s.index {
		r.violate(modelForeignRow, "%s is %s's: %+v", what, r.students[owner], p)
	}
	if p.ID != s.id || p.Email != s.email || p.FullName != s.name || !maps.Equal(p.TargetGrades, s.grades) {
		r.violate(modelMismatch, "%s: got %+v, want id %s, %q, %q, grades %v", what, p, s.id, s.email, s.name, s.grades)
	}
}

// listExams walks every page of s's exams under query from cursor (the start when empty), each at
// most limit long, and returns them with the first next_cursor it was given.
func (r *modelRun) listExams(s *modelStudent, query, cursor string, limit int) (items []modelWireExam, first string) {
	for page := 0; ; page++ {
		if page > len(r.owners)+2 {
			r.violate(modelMismatch, "%s GET /api/exams?%s: pagination did not end after %d pages", s, query, page)
		}
		q, _ := url.ParseQuery(query)
		q.Set("limit", fmt.Sprint(limit))
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		path := "/api/exams?" + q.Encode()
		res := r.send(s.index, "GET", path, s.token(), "", nil)
		r.want(res, http.StatusOK, "%s GET %s", s, path)
		var p modelWirePage[modelWireExam]
		r.decode(res, &p, "a page of exams")
		// Foreign rows first: they are the worse finding.
		r.checkForeign(s, p.Items, "GET "+path)
		if len(p.Items) > limit || (p.NextCursor != nil && len(p.Items) == 0) {
			r.violate(modelMismatch, "%s GET %s: %d items and next_cursor %v", s, path, len(p.Items), p.NextCursor)
		}
		items = append(items, p.Items...)
		if p.NextCursor == nil {
			return items, first
		}
		if first == "" {
			first = *p.NextCursor
		}
		cursor = *p.NextCursor
	}
}

// checkForeign fails on any exam in got that belongs to another student.
func (r *modelRun) checkForeign(s *modelStudent, got []modelWireExam, what string) {
	for _, e := range got {
		if owner, ok := r.owners[e.ID]; ok && owner != s.index {
			r.violate(modelForeignRow, "%s: %s sees exam %s of %s", what, s, e.ID, r.students[owner])
		}
	}
}

// compareExams checks that got is exactly want (in any order of the model, newest first as the
// server orders them), with the fields the model tracks.
func (r *modelRun) compareExams(s *modelStudent, got []modelWireExam, want []modelExam, what string) {
	r.checkForeign(s, got, what)
	seen := map[string]bool{}
	for i, e := range got {
		if seen[e.ID] {
			r.violate(modelMismatch, "%s: exam %s listed twice", what, e.ID)
		}
		seen[e.ID] = true
		if i > 0 {
			prev := got[i-1]
			if prev.CreatedAt.Before(e.CreatedAt) || (prev.CreatedAt.Equal(e.CreatedAt) && prev.ID < e.ID) {
				r.violate(modelMismatch, "%s: exam %s listed before the newer %s", what, prev.ID, e.ID)
			}
		}
		j := slices.IndexFunc(want, func(m modelExam) bool { return m.ID == e.ID })
		if j < 0 {
			state := "unknown"
			if slices.ContainsFunc(s.deleted, func(m modelExam) bool { return m.ID == e.ID }) {
				state = "deleted"
			} else if slices.ContainsFunc(s.exams, func(m modelExam) bool { return m.ID == e.ID }) {
				state = "filtered out"
			}
			r.violate(modelMismatch, "%s: exam %s (%s) should not be there", what, e.ID, state)
		}
		r.compareExam(s, e, want[j], what)
	}
	for _, m := range want {
		if !seen[m.ID] {
			r.violate(modelMismatch, "%s: exam %s (%s %s) is missing; got %d of %d", what, m.ID, m.Type, m.Status, len(got), len(want))
		}
	}
}

func (r *modelRun) compareExam(s *modelStudent, got modelWireExam, want modelExam, what string) {
	if owner, ok := r.owners[got.ID]; ok && owner != s.index {
		r.violate(modelForeignRow, "%s: %s sees exam %s of %s", what, s, got.ID, r.students[owner])
	}
	if got.ID != want.ID || got.Status != want.Status || got.SubjectCode != want.Subject || got.ExamType != want.Type {
		r.violate(modelMismatch, "%s: got exam %s %s %s %s, want %s %s %s %s", what,
			got.ID, got.SubjectCode, got.ExamType, got.Status, want.ID, want.Subject, want.Type, want.Status)
	}
	score, maxScore := want.scores()
	if got.QuestionCount != want.QuestionCount || !modelSameInt(got.Score, score) || !modelSameInt(got.MaxScore, maxScore) {
		r.violate(modelMismatch, "%s: exam %s (%s) has %d questions, score %s of %s; want %d, %s of %s", what, got.ID, got.Status,
			got.QuestionCount, modelInt(got.Score), modelInt(got.MaxScore), want.QuestionCount, modelInt(score), modelInt(maxScore))
	}
}

func modelKeep(exams []modelExam, keep func(modelExam) bool) []modelExam {
	var out []modelExam
	for _, e := range exams {
		if keep(e) {
			out = append(out, e)
		}
	}
	return out
}

// checkEvents walks s's sign-in trail (of kind, all when empty) and compares it with the model:
// how many events of each kind, succeeded and reason, none another student has seen, none
// naming another email.
func (r *modelRun) checkEvents(s *modelStudent, kind string, limit int) {
	counts, seen := map[string]int{}, map[string]bool{}
	total := 0
	for _, n := range s.events {
		total += n
	}
	cursor := ""
	for page := 0; ; page++ {
		if page > total+2 {
			r.violate(modelMismatch, "%s's events: pagination did not end after %d pages", s, page)
		}
		q := url.Values{"limit": {fmt.Sprint(limit)}}
		if kind != "" {
			q.Set("kind", kind)
		}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		path := "/api/students/me/events?" + q.Encode()
		res := r.send(s.index, "GET", path, s.token(), "", nil)
		r.want(res, http.StatusOK, "%s GET %s", s, path)
		var p modelWirePage[modelWireEvent]
		r.decode(res, &p, "a page of events")
		for _, ev := range p.Items {
			if owner, ok := r.owners[ev.ID]; ok && owner != s.index {
				r.violate(modelForeignRow, "%s GET %s: %s sees event %s of %s", s, path, s, ev.ID, r.students[owner])
			}
			if ev.Email != nil && !strings.EqualFold(*ev.Email, s.email) {
				r.violate(modelForeignRow, "%s GET %s: %s sees an event about %q", s, path, s, *ev.Email)
			}
			if seen[ev.ID] {
				r.violate(modelMismatch, "%s GET %s: event %s listed twice", s, path, ev.ID)
			}
			seen[ev.ID] = true
			r.owners[ev.ID] = s.index
			reason := ""
			if ev.Reason != nil {
				reason = *ev.Reason
			}
			counts[modelEventKey(ev.Kind, ev.Succeeded, reason)]++
		}
		if len(p.Items) > limit || (p.NextCursor != nil && len(p.Items) == 0) {
			r.violate(modelMismatch, "%s GET %s: %d items and next_cursor %v", s, path, len(p.Items), p.NextCursor)
		}
		if p.NextCursor == nil {
			break
		}
		cursor = *p.NextCursor
	}
	want := map[string]int{}
	for k, n := range s.events {
		if kind == "" || strings.HasPrefix(k, kind+"/") {
			want[k] = n
		}
	}
	if !maps.Equal(counts, want) {
		r.violate(modelMismatch, "%s's events (kind %q): got %v, want %v", s, kind, counts, want)
	}
}

// sameNotFound checks that every 404 for an exam reads the same, whoever owns it, so that no
// answer tells another student's exam from a missing one.
func (r *modelRun) sameNotFound(res modelResp, what string) {
	var p modelProblem
	r.decode(res, &p, "a 404 problem")
	if r.notFound == nil {
		r.notFound = &p
		return
	}
	if p != *r.notFound {
		r.violate(modelMismatch, "%s: this 404 reads %+v, an earlier one %+v", what, p, *r.notFound)
	}
}

// checkDatabase compares the database itself, read as its owner past row-level security, with
// the model: every exam with its owner, status, type and subject, and every student's profile.
// A difference on a student other than the actor is a foreign write.
func (r *modelRun) checkDatabase() {
	kind := func(owner int) string {
		if owner != r.op.Actor {
			return modelForeignWrite
		}
		return modelMismatch
	}
	want := map[string]modelExam{}
	wantOwner := map[string]int{}
	for _, s := range r.students {
		for _, e := range s.exams {
			want[e.ID], wantOwner[e.ID] = e, s.index
		}
	}
	rows, err := r.pool.Query(r.ctx, `
		SELECT e.id::text, e.student_id::text, e.status, e.exam_type, s.code, e.question_count, e.score, e.max_score
		FROM exams e JOIN subjects s ON s.id = e.subject_id`)
	if err != nil {
		r.t.Fatalf("isolation: read exams: %v", err)
	}
	type row struct {
		id, student, status, typ, subject string
		questions                         int
		score, maxScore                   *int
	}
	var got []row
	for rows.Next() {
		var x row
		if err := rows.Scan(&x.id, &x.student, &x.status, &x.typ, &x.subject, &x.questions, &x.score, &x.maxScore); err != nil {
			r.t.Fatalf("isolation: read exams: %v", err)
		}
		got = append(got, x)
	}
	if err := rows.Err(); err != nil {
		r.t.Fatalf("isolation: read exams: %v", err)
	}
	for _, x := range got {
		m, ok := want[x.id]
		owner := wantOwner[x.id]
		if !ok {
			if o, known := r.owners[x.id]; known {
				r.violate(kind(o), "database: exam %s of %s should be deleted, is %s", x.id, r.students[o], x.status)
			}
			r.violate(modelMismatch, "database: exam %s of student %s is in no model", x.id, x.student)
		}
		if x.student != r.students[owner].id {
			r.violate(modelForeignWrite, "database: exam %s of %s now belongs to student %s", x.id, r.students[owner], x.student)
		}
		if x.status != m.Status || x.typ != m.Type || x.subject != m.Subject {
			r.violate(kind(owner), "database: exam %s of %s is %s %s %s, want %s %s %s", x.id, r.students[owner],
				x.subject, x.typ, x.status, m.Subject, m.Type, m.Status)
		}
		if score, maxScore := m.scores(); x.questions != m.QuestionCount || !modelSameInt(x.score, score) || !modelSameInt(x.maxScore, maxScore) {
			r.violate(kind(owner), "database: exam %s of %s has %d questions, score %s of %s; want %d, %s of %s", x.id, r.students[owner],
				x.questions, modelInt(x.score), modelInt(x.maxScore), m.QuestionCount, modelInt(score), modelInt(maxScore))
		}
		delete(want, x.id)
	}
	for id := range want {
		r.violate(kind(wantOwner[id]), "database: exam %s of %s is gone", id, r.students[wantOwner[id]])
	}
	r.checkPracticeDatabase(kind)

	type profile struct {
		name   string
		grades map[string]string
	}
	profiles := map[string]profile{}
	rows, err = r.pool.Query(r.ctx, `SELECT id::text, full_name, target_grades FROM students`)
	if err != nil {
		r.t.Fatalf("isolation: read students: %v", err)
	}
	for rows.Next() {
		var id string
		var p profile
		if err := rows.Scan(&id, &p.name, &p.grades); err != nil {
			r.t.Fatalf("isolation: read students: %v", err)
		}
		profiles[id] = p
	}
	if err := rows.Err(); err != nil {
		r.t.Fatalf("isolation: read students: %v", err)
	}
	registered := 0
	for _, s := range r.students {
		if !s.registered {
			continue
		}
		registered++
		p, ok := profiles[s.id]
		if !ok {
			r.violate(kind(s.index), "database: %s is gone", s)
		}
		if p.name != s.name || !maps.Equal(p.grades, s.grades) {
			r.violate(kind(s.index), "database: %s is %q %v, want %q %v", s, p.name, p.grades, s.name, s.grades)
		}
	}
	if len(profiles) != registered {
		r.violate(modelMismatch, "database: %d students, want %d", len(profiles), registered)
	}
}

type modelResp struct {
	status int
	header http.Header
	body   []byte
}

type modelWireExam struct {
	ID            string    `json:"id"`
	SubjectCode   string    `json:"subject_code"`
	ExamType      string    `json:"exam_type"`
	Status        string    `json:"status"`
	CreatedAt     time.Time `json:"created_at"`
	QuestionCount int       `json:"question_count"`
	Score         *int      `json:"score"`
	MaxScore      *int      `json:"max_score"`
}

type modelWireProfile struct {
	ID           string            `json:"id"`
	Email        string            `json:"email"`
	FullName     string            `json:"full_name"`
	TargetGrades map[string]string `json:"target_grades"`
}

type modelWireEvent struct {
	ID        string  `json:"id"`
	Kind      string  `json:"kind"`
	Succeeded bool    `json:"succeeded"`
	Reason    *string `json:"reason"`
	Email     *string `json:"email"`
}

type modelWirePage[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// modelProblem is what a problem says, request id aside.
type modelProblem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
}

func modelJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

var modelUUID = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// send makes one request for viewer (a student's index, or -1 for nobody) and checks what every
// answer must satisfy: no 5xx, and no id, email or name of another student that the request did
// not itself carry.
func (r *modelRun) send(viewer int, method, path, bearer, contentType string, body []byte) modelResp {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(r.ctx, method, r.base+path, rd)
	if err != nil {
		r.t.Fatalf("isolation: %v", err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		r.t.Fatalf("isolation: %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		r.t.Fatalf("isolation: %s %s: %v", method, path, err)
	}
	r.requests++
	res := modelResp{status: resp.StatusCode, header: resp.Header, body: raw}
	if res.status >= 500 {
		r.violate(modelServerError, "%s %s answered %d: %s", method, path, res.status, raw)
	}
	sent := strings.ToLower(path + " " + string(body))
	for _, id := range modelUUID.FindAllString(string(raw), -1) {
		if owner, ok := r.owners[id]; ok && owner != viewer && !strings.Contains(sent, id) {
			r.violate(modelForeignRow, "%s %s for %s answered with %s's id %s: %s", method, path, r.viewerName(viewer),
				r.students[owner], id, raw)
		}
	}
	r.practice.checkResponse(r, viewer, method, path, sent, raw)
	lower := strings.ToLower(string(raw))
	for _, s := range r.students {
		if s.index == viewer || !s.registered {
			continue
		}
		for _, mark := range []string{s.email, strings.ToLower(s.name)} {
			if strings.Contains(lower, mark) && !strings.Contains(sent, mark) {
				r.violate(modelForeignRow, "%s %s for %s answered with %s's %q: %s", method, path, r.viewerName(viewer), s, mark, raw)
			}
		}
	}
	return res
}

func (r *modelRun) viewerName(viewer int) string {
	if viewer < 0 {
		return "nobody"
	}
	return r.students[viewer].String()
}

func (r *modelRun) want(res modelResp, status int, format string, args ...any) {
	if res.status != status {
		r.violate(modelMismatch, "%s: got %d, want %d (body %s)", fmt.Sprintf(format, args...), res.status, status, res.body)
	}
}

func (r *modelRun) decode(res modelResp, v any, what string) {
	if err := json.Unmarshal(res.body, v); err != nil {
		r.violate(modelMismatch, "%s is not the JSON it should be: %v: %s", what, err, res.body)
	}
}
