package main

import (
	"context"
	"fmt"
	"slices"
)

// practicePhase is one practice endpoint and its pgbench script.
type practicePhase struct {
	ep           endpoint
	name, what   string // the pgbench run's name, and what its rows call the transaction
	script       string
	ceilingRuns  []ceilingRun
	describeStep string
}

// ceilingRun is one pgbench run of a practice script, at a number of clients.
type ceilingRun struct {
	clients int
	res     pgbenchResult
	cpu     phaseCPU
}

// best is the run with the highest throughput: the ceiling.
func (p practicePhase) best() ceilingRun {
	return slices.MaxFunc(p.ceilingRuns, func(a, b ceilingRun) int {
		switch {
		case a.res.TPS < b.res.TPS:
			return -1
		case a.res.TPS > b.res.TPS:
			return 1
		}
		return 0
	})
}

// practicePhases checks that the practice endpoints and scripts do the server's work, then for
// GET /api/exams/{id}/questions and PUT /api/exams/{id}/answers/{n} in turn runs the endpoint's
// load (measure) and right after it the pgbench ceiling of the same statements, so that the two
// are close in time: at the load's number of clients (as the list's ceiling) and, when it is
// another number, at the server's pool size (DB_MAX_CONNS). On two cores the write path does
// better with fewer backends than 64 (they contend for the same pages and for the WAL), so the
// server's 10 connections could beat a 64-client "ceiling"; the report takes the higher of the
// two. The claims pgbench reads exist only while it runs, as for the list (login.go).
func practicePhases(ctx context.Context, step func(string, ...any), measure func(endpoint) error, rep *report,
	s settings, w *world, db *database, lg login, dir, base string) ([]practicePhase, error) {
	if err := checkPractice(ctx, base, w); err != nil {
		return nil, fmt.Errorf("before the practice loads: %w", err)
	}
	questions, autosave, err := practiceScripts(s.Students)
	if err != nil {
		return nil, err
	}
	phases := []practicePhase{
		{ep: getQuestions, name: "questions", what: "questions transaction", script: questions,
			describeStep: "the questions transaction (ExamQuestions), pipelined"},
		{ep: putAnswer, name: "autosave", what: "autosave transaction", script: autosave,
			describeStep: "the autosave transaction (SaveAnswer), pipelined"},
	}
	clients := []int{s.Conns}
	if s.DBMaxConns != s.Conns {
		clients = append(clients, s.DBMaxConns)
	}
	for i := range phases {
		p := &phases[i]
		if err := measure(p.ep); err != nil {
			return nil, err
		}
		if err := installBenchClaims(ctx, db.URL, w); err != nil {
			return nil, err
		}
		if err := checkPracticeSQL(ctx, lg.URL, s.Students); err != nil {
			return nil, err
		}
		for _, c := range clients {
			step("pgbench: %s, %d clients", p.describeStep, c)
			m := startCPU(nil, db.Postmaster)
			res, err := runPgbench(ctx, lg, dir, fmt.Sprintf("%s-%d", p.name, c), p.script, c, s.Warmup, s.Duration)
			if err != nil {
				return nil, err
			}
			use := m.stop()
			step("pgbench %s, %d clients: %s", p.name, c, use.describe(res.Transactions))
			if res.Failed > 0 {
				rep.fail("pgbench: %d failed transactions (%s)", res.Failed, res.Command)
			}
			p.ceilingRuns = append(p.ceilingRuns, ceilingRun{c, res, phaseCPU{use, res.Transactions}})
		}
		if err := dropBenchClaims(ctx, db.URL); err != nil {
			return nil, err
		}
	}
	return phases, nil
}

// practiceRows reports each practice transaction's ceilings and its endpoint against the higher.
func practiceRows(rep *report, phases []practicePhase, endpoints map[string]stats, cpu map[string]phaseCPU) {
	for _, p := range phases {
		for _, c := range p.ceilingRuns {
			rep.info(fmt.Sprintf("pgbench ceiling: %s, pipelined, %d clients", p.what, c.clients), rate(c.res.Latency, "tx/s"))
		}
		best := p.best()
		rep.info(fmt.Sprintf("%s ÷ pipelined pgbench ceiling (%d clients)", p.ep.name, best.clients),
			ceilingRatio(endpoints[p.ep.name], cpu[p.ep.name], best.res, best.cpu))
	}
}
