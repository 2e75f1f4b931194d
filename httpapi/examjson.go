package httpapi

import (
	"bytes"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"examiner"
)

// Exams are what the busiest routes answer, so they are written by hand rather than through
// encoding/json's reflection, which (with time.Time's MarshalJSON re-validated by the encoder)
// took most of the handler's CPU. The bytes are exactly encoding/json's, which
// TestExamJSONIsExactlyWhatEncodingJSONWrites checks.

// writeExam writes e as the response body with status.
func writeExam(w http.ResponseWriter, status int, e examiner.Exam) {
	b := appendExam(make([]byte, 0, 512), e)
	writeRaw(w, status, append(b, '\n'))
}

// writeExamPage writes p as the response body with status.
func writeExamPage(w http.ResponseWriter, status int, p page[examiner.Exam]) {
	b := make([]byte, 0, 64+400*len(p.Items))
	b = append(b, `{"items":[`...)
	for i, e := range p.Items {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendExam(b, e)
	}
	b = append(b, `],"next_cursor":`...)
	if p.NextCursor == nil {
		b = append(b, "null"...)
	} else {
		b = appendString(b, *p.NextCursor)
	}
	writeRaw(w, status, append(b, "}\n"...))
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func appendExam(b []byte, e examiner.Exam) []byte {
	b = append(b, `{"id":"`...)
	b = appendUUID(b, e.ID)
	b = append(b, `","subject_code":`...)
	b = appendString(b, e.SubjectCode)
	b = append(b, `,"exam_type":`...)
	b = appendString(b, e.ExamType)
	b = append(b, `,"status":`...)
	b = appendString(b, e.Status)
	b = append(b, `,"paper_number":`...)
	b = appendInt(b, e.PaperNumber)
	b = append(b, `,"duration_minutes":`...)
	b = appendInt(b, e.DurationMinutes)
	b = append(b, `,"total_marks":`...)
	b = appendInt(b, e.TotalMarks)
	b = append(b, `,"created_at":`...)
	b = appendTime(b, &e.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = appendTime(b, &e.UpdatedAt)
	b = append(b, `,"started_at":`...)
	b = appendTime(b, e.StartedAt)
	b = append(b, `,"completed_at":`...)
	b = appendTime(b, e.CompletedAt)
	b = append(b, `,"question_count":`...)
	b = strconv.AppendInt(b, int64(e.QuestionCount), 10)
	b = append(b, `,"score":`...)
	b = appendInt(b, e.Score)
	b = append(b, `,"max_score":`...)
	b = appendInt(b, e.MaxScore)
	b = append(b, `,"marked_at":`...)
	b = appendTime(b, e.MarkedAt)
	return append(b, '}')
}

// appendUUID writes id in its canonical form, as its MarshalText does.
func appendUUID(b []byte, id uuid.UUID) []byte {
	var buf [36]byte
	hex.Encode(buf[0:8], id[0:4])
	buf[8] = '-'
	hex.Encode(buf[9:13], id[4:6])
	buf[13] = '-'
	hex.Encode(buf[14:18], id[6:8])
	buf[18] = '-'
	hex.Encode(buf[19:23], id[8:10])
	buf[23] = '-'
	hex.Encode(buf[24:], id[10:])
	return append(b, buf[:]...)
}

func appendInt(b []byte, n *int) []byte {
	if n == nil {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, int64(*n), 10)
}

// appendTime writes t as time.Time's MarshalJSON does (RFC 3339 with nanoseconds, quoted), for
// the years 0–9999 it accepts; the server's timestamps are the database clock's.
func appendTime(b []byte, t *time.Time) []byte {
	if t == nil {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendString writes s as a JSON string; plain printable ASCII (codes, enum values, cursors)
// directly, anything else through encoding/json, without HTML escaping like writeJSON.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			return appendJSONString(b, s)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendJSONString(b []byte, s string) []byte {
	var buf bytes.Buffer
	_ = newEncoder(&buf).Encode(s)
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}
