package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// idleConns opens n connections to addr, makes one GET /api/students/me on each (as a different
// student each, round robin) so the server holds each as an idle keep-alive connection, and
// returns them open. The caller closes them.
func idleConns(ctx context.Context, addr string, w *world, n int) ([]net.Conn, error) {
	conns := make([]net.Conn, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, "tcp", addr)
			if err != nil {
				errs <- err
				return
			}
			conns[i] = c
			_ = c.SetDeadline(time.Now().Add(30 * time.Second))
			student := i % len(w.tokens)
			if _, err := fmt.Fprintf(c, "GET /api/students/me HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n\r\n", addr, w.tokens[student]); err != nil {
				errs <- err
				return
			}
			r, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				errs <- err
				return
			}
			_, _ = io.Copy(io.Discard, r.Body)
			r.Body.Close()
			if r.StatusCode != http.StatusOK || r.Close {
				errs <- fmt.Errorf("connection %d: status %d, close %v", i, r.StatusCode, r.Close)
			}
			_ = c.SetDeadline(time.Time{})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		closeAll(conns)
		return nil, err
	}
	return conns, nil
}

func closeAll(conns []net.Conn) {
	for _, c := range conns {
		if c != nil {
			c.Close()
		}
	}
}
