package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"
)

// rawBcrypt is bcrypt's own throughput, checks per second, at cost 12 on goroutines goroutines
// (the server's PASSWORD_CONCURRENCY) for about d, in this process: what the server's login
// throughput is compared with. The input is 64 bytes, as the server's SHA-384 pre-hash.
func rawBcrypt(goroutines int, d time.Duration) (float64, error) {
	input := bytes.Repeat([]byte("b"), 64)
	hash, err := bcrypt.GenerateFromPassword(input, 12)
	if err != nil {
		return 0, err
	}
	var mu sync.Mutex
	var checks int
	var last time.Time
	start := time.Now()
	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			for time.Since(start) < d {
				if err := bcrypt.CompareHashAndPassword(hash, input); err != nil {
					panic(err)
				}
				n++
			}
			mu.Lock()
			checks += n
			if now := time.Now(); now.After(last) {
				last = now
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return float64(checks) / last.Sub(start).Seconds(), nil
}

// rawPgcrypto is pgcrypto's bcrypt throughput, checks per second, at cost 12 on conns
// connections of the owner for about d: the check app.sign_in makes inside PostgreSQL
// (crypto.crypt, migration 015) with nothing around it. Since issue 12 this, not Go's bcrypt, is
// what a login waits for; rawBcrypt stays the reference the target names.
func rawPgcrypto(ctx context.Context, ownerURL string, conns int, d time.Duration) (float64, error) {
	input := strings.Repeat("b", 64)
	hash, err := bcrypt.GenerateFromPassword([]byte(input), 12)
	if err != nil {
		return 0, err
	}
	var mu sync.Mutex
	var checks int
	var firstErr error
	var last time.Time
	start := time.Now()
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := func() (int, error) {
				conn, err := pgx.Connect(ctx, ownerURL)
				if err != nil {
					return 0, err
				}
				defer conn.Close(context.Background())
				n := 0
				for time.Since(start) < d {
					var ok bool
					if err := conn.QueryRow(ctx, `SELECT crypto.crypt($1, $2) = $2`, input, string(hash)).Scan(&ok); err != nil {
						return n, err
					}
					if !ok {
						return n, errors.New("crypto.crypt disagrees with Go's bcrypt")
					}
					n++
				}
				return n, nil
			}()
			mu.Lock()
			checks += n
			if err != nil && firstErr == nil {
				firstErr = err
			}
			if now := time.Now(); now.After(last) {
				last = now
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return 0, fmt.Errorf("pgcrypto's bcrypt: %w", firstErr)
	}
	return float64(checks) / last.Sub(start).Seconds(), nil
}

// whereBcryptRan says from a storm's CPU where its password checks ran: in the server process
// (Go's bcrypt, before issue 12) or in the PostgreSQL backends (app.sign_in's pgcrypto).
func whereBcryptRan(u cpuUse, logins int) string {
	srv, pg := perRequest(u.server, logins)/1000, perRequest(u.pg, logins)/1000
	if !u.hasPG {
		return fmt.Sprintf("server %.1f ms/login; PostgreSQL not measured (BENCH_DATABASE_URL)", srv)
	}
	where := "in the PostgreSQL backends (app.sign_in's pgcrypto)"
	if srv > pg {
		where = "in the server process"
	}
	return fmt.Sprintf("server %.1f ms/login, PostgreSQL %.1f ms/login: bcrypt ran %s", srv, pg, where)
}

// stormResult is a login storm's outcome.
type stormResult struct {
	OK       int
	Failures map[string]int // "503", "EOF", … → how many
	Took     time.Duration  // from the first login sent to the last answer
	Start    time.Time
	PerSec   float64 // successful logins per second
	Slowest  time.Duration
}

// loginStorm sends logins concurrent logins at once, as the first logins students with their
// right password, each on its own connection, and waits for every answer.
func loginStorm(ctx context.Context, base string, w *world, logins int) stormResult {
	res := stormResult{Failures: map[string]int{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	begin := make(chan struct{})
	for i := range logins {
		body, _ := json.Marshal(map[string]string{"email": w.emails[i], "password": benchPassword})
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Minute}
			req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/auth/login", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			<-begin
			start := time.Now()
			r, err := client.Do(req)
			outcome := ""
			if err != nil {
				outcome = "error: " + err.Error()
			} else {
				var tok struct {
					AccessToken string `json:"access_token"`
				}
				answer, _ := io.ReadAll(r.Body)
				r.Body.Close()
				if r.StatusCode != http.StatusOK || json.Unmarshal(answer, &tok) != nil || tok.AccessToken == "" {
					outcome = fmt.Sprintf("%d %.120s", r.StatusCode, answer)
				}
			}
			took := time.Since(start)
			mu.Lock()
			if outcome == "" {
				res.OK++
				res.Slowest = max(res.Slowest, took)
			} else {
				res.Failures[outcome]++
			}
			mu.Unlock()
		}()
	}
	res.Start = time.Now()
	close(begin)
	wg.Wait()
	res.Took = time.Since(res.Start)
	res.PerSec = float64(res.OK) / res.Took.Seconds()
	return res
}

// failures describes a storm's failed logins, most frequent first.
func (r stormResult) failures() string {
	type kv struct {
		k string
		n int
	}
	var all []kv
	for k, n := range r.Failures {
		all = append(all, kv{k, n})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].n > all[j].n })
	var b bytes.Buffer
	for _, f := range all {
		fmt.Fprintf(&b, "\n    %d× %s", f.n, f.k)
	}
	return b.String()
}
