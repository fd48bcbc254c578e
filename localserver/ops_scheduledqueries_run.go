package localserver

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"github.com/cwlogs/cwlogs/localserver/insights"
)

// The runner of scheduled queries (see ops_scheduledqueries.go): one goroutine, started by
// New, that runs each ENABLED query when its next trigger (next_run) comes, by
// Config.Now, one run at a time, in the order of their triggers. It sleeps until the
// earliest trigger, at most schedMaxWait (so that a Config.Now that jumps is noticed),
// and wakes at once when a query is created, updated or deleted.
//
// A trigger missed while the server was stopped runs once when it starts (triggered at
// the missed time); the next trigger is then the first after the current time, so a
// server stopped for a day does not run a rate(1 minute) query 1,440 times.
//
// Shutdown stops the runner; a run in flight ends Failed ("The run was interrupted: the
// server shut down.") and delivers nothing, as a running export task ends FAILED
// (ops_export_run.go). A run left Running by a killed server is marked Failed ("…: the
// server stopped while it ran.") when the server starts again, before any request is
// served. DeleteScheduledQuery stops the query's run in flight and waits for it;
// UpdateScheduledQuery and a state change to DISABLED let it finish (its results are those
// of the query as it was triggered).

// schedMaxWait bounds the runner's sleep (a variable for tests).
var schedMaxWait = time.Minute

// schedRetryWait is how long the runner waits after failing to record a trigger before it
// looks at the schedules again (a variable for tests). Shutdown ends the wait.
var schedRetryWait = time.Second

// schedRunner is the state of a runner (the scheduled queries', the anomaly detectors')
// shared with the operations. Its zero value is ready to use but for kickCh, which New
// makes.
type schedRunner struct {
	kickCh chan struct{} // capacity 1: a pending wake-up

	mu   sync.Mutex
	runs map[string]*bgRun // the run in flight, by scheduled query or detector id

	// beforeRun, when set (tests), runs in the runner's goroutine before a run reads
	// events: a scheduled query's once its run is recorded Running (runID its id), a
	// detector's evaluation once it is due (runID "").
	beforeRun func(ctx context.Context, id, runID string)
}

// kick wakes the runner to look at the schedules again.
func (r *schedRunner) kick() {
	select {
	case r.kickCh <- struct{}{}:
	default:
	}
}

// stopRun stops the run in flight of id (a scheduled query or detector, deleted), if
// any, and waits for it to end (or for ctx).
func (r *schedRunner) stopRun(ctx context.Context, id string) error {
	r.mu.Lock()
	run := r.runs[id]
	r.mu.Unlock()
	if run == nil {
		return nil
	}
	return run.stop(ctx, errSQDeleted)
}

// startScheduler marks Failed the runs a previous server left Running and starts the
// runner (counted in sweepWG, which Shutdown waits for).
func (s *Server) startScheduler() error {
	s.sched.kickCh = make(chan struct{}, 1)
	aerr := s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		if _, err := tx.ExecContext(ctx, `UPDATE scheduled_query_history SET status = ?, error_message = ? WHERE status = ?`,
			sqFailed, msgSQInterrupted, sqRunning); err != nil {
			return s.dbErr(err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE scheduled_queries SET last_status = ? WHERE last_status = ?`,
			sqFailed, sqRunning); err != nil {
			return s.dbErr(err)
		}
		return nil
	})
	if aerr != nil {
		return aerr
	}
	s.sweepWG.Add(1)
	go s.scheduler()
	return nil
}

// scheduler is the runner's goroutine.
func (s *Server) scheduler() {
	defer s.sweepWG.Done()
	s.runTimed(s.sched.kickCh, func() (time.Duration, bool) {
		return s.runDueOf("scheduled_queries", "scheduled queries", func() int64 { return s.cfg.Now().UnixMilli() },
			s.triggerScheduledQuery)
	})
}

// runTimed is the loop of a runner (the scheduled queries', the anomaly detectors'): it
// calls due, then sleeps for the time it returns, or until kick or Shutdown, and again,
// until due reports the server is stopping.
func (s *Server) runTimed(kick <-chan struct{}, due func() (wait time.Duration, ok bool)) {
	for {
		wait, ok := due()
		if !ok {
			return
		}
		t := time.NewTimer(wait)
		select {
		case <-s.stop:
			t.Stop()
			return
		case <-kick:
		case <-t.C:
		}
		t.Stop()
	}
}

// runDueOf calls run for each row of table (id, next_run: NULL when not scheduled) whose
// next_run has come by now (ms), earliest first, then tells how long to sleep; ok is false
// once the server is stopping. Without a row scheduled it does not read the clock. what
// names the rows in the log.
func (s *Server) runDueOf(table, what string, now func() int64, run func(id string, nowMs int64)) (wait time.Duration, ok bool) {
	ctx := context.Background()
	for {
		if s.stopping() {
			return 0, false
		}
		// The next one due, in one read (a partial index on next_run serves the order).
		var id string
		var next int64
		err := s.st.r.QueryRowContext(ctx, `SELECT id, next_run FROM `+table+` WHERE next_run IS NOT NULL
			ORDER BY next_run, id LIMIT 1`).Scan(&id, &next)
		if errors.Is(err, sql.ErrNoRows) {
			return schedMaxWait, true
		}
		if err != nil {
			s.cfg.Logger.Error(what+": reading the schedules", "err", err)
			return schedMaxWait, true
		}
		nowMs := now()
		if next > nowMs {
			return min(schedMaxWait, time.Duration(next-nowMs)*time.Millisecond), true
		}
		run(id, nowMs)
	}
}

// begin records id's run in flight (stopRun stops it): its ctx, derived from parent, the
// test hook beforeRun, and end, which the run calls when it ends.
func (r *schedRunner) begin(parent context.Context, id string) (ctx context.Context, hook func(ctx context.Context, id, runID string), end func()) {
	ctx, cancel := context.WithCancelCause(parent)
	run := &bgRun{cancel: cancel, done: make(chan struct{})}
	r.mu.Lock()
	if r.runs == nil {
		r.runs = map[string]*bgRun{}
	}
	r.runs[id] = run
	hook = r.beforeRun
	r.mu.Unlock()
	return ctx, hook, func() {
		r.mu.Lock()
		delete(r.runs, id)
		r.mu.Unlock()
		close(run.done)
		cancel(nil)
	}
}

// retryPause waits schedRetryWait, or until Shutdown, after a runner failed to record a
// run, so that a store that keeps failing is not retried in a tight loop.
func (s *Server) retryPause() {
	t := time.NewTimer(schedRetryWait)
	select {
	case <-t.C:
	case <-s.stop:
	}
	t.Stop()
}

// triggerScheduledQuery runs query id, due at nowMs: it records the run Running and the
// query's next trigger, runs the query, delivers its results and records the run's end.
func (s *Server) triggerScheduledQuery(id string, nowMs int64) {
	ctx, hook, end := s.sched.begin(s.queryCtx, id)
	defer end()

	var q *scheduledQuery
	var trigger, from, to int64
	runID := newRequestID()
	aerr := s.write(func(tx *sql.Tx) *apiError {
		wctx := context.Background()
		cur, err := scheduledQueryByID(wctx, tx, id)
		if err != nil {
			return s.dbErr(err)
		}
		if cur == nil || !cur.nextRun.Valid || cur.nextRun.Int64 > nowMs {
			return nil // deleted, disabled or rescheduled meanwhile
		}
		trigger = cur.nextRun.Int64
		switch {
		case cur.startOffset.Valid:
			from = trigger - cur.startOffset.Int64*1000
		case cur.lastTriggered.Valid:
			from = cur.lastTriggered.Int64
		default:
			from = cur.updated
		}
		to = trigger
		if cur.endOffset.Valid { // the window ends endTimeOffset before the trigger
			to -= cur.endOffset.Int64 * 1000
			if !cur.startOffset.Valid {
				from -= cur.endOffset.Int64 * 1000
			}
		}
		next := cur.nextTrigger(max(trigger, nowMs))
		if _, err := tx.ExecContext(wctx, `UPDATE scheduled_queries SET last_triggered = ?, last_status = ?, next_run = ?
			WHERE id = ?`, trigger, sqRunning, next, id); err != nil {
			return s.dbErr(err)
		}
		if _, err := tx.ExecContext(wctx, `INSERT INTO scheduled_query_history(query_id, run_id, status, triggered)
			VALUES (?,?,?,?)`, id, runID, sqRunning, trigger); err != nil {
			return s.dbErr(err)
		}
		q = cur
		return nil
	})
	if aerr != nil || q == nil {
		if aerr != nil {
			// Not to retry at once for ever; but Shutdown must not wait for the pause.
			s.cfg.Logger.Error("scheduled query: recording its trigger failed", "id", id, "err", aerr.Message)
			s.retryPause()
		}
		return
	}
	if hook != nil {
		hook(ctx, id, runID)
	}
	status, msg, res := s.execScheduledQuery(ctx, q, from, to)
	var dests []byte
	if status == sqComplete && q.dest != nil {
		dests = s.deliverScheduledQuery(ctx, q, runID, trigger, from, to, res)
	}
	aerr = s.write(func(tx *sql.Tx) *apiError {
		wctx := context.Background()
		var m, d sql.NullString
		if msg != "" {
			m = sql.NullString{String: msg, Valid: true}
		}
		if dests != nil {
			d = sql.NullString{String: string(dests), Valid: true}
		}
		if _, err := tx.ExecContext(wctx, `UPDATE scheduled_query_history SET status = ?, error_message = ?, destinations = ?
			WHERE run_id = ?`, status, m, d, runID); err != nil {
			return s.dbErr(err)
		}
		if _, err := tx.ExecContext(wctx, `UPDATE scheduled_queries SET last_status = ? WHERE id = ? AND last_triggered = ?`,
			status, id, trigger); err != nil {
			return s.dbErr(err)
		}
		return nil
	})
	if aerr != nil {
		s.cfg.Logger.Error("scheduled query: recording its run failed", "id", id, "queryId", runID)
	}
}

// execScheduledQuery runs q's query over [from, to) (ms) and returns the run's status, its
// error message (Failed) and, when Complete, its result.
func (s *Server) execScheduledQuery(ctx context.Context, q *scheduledQuery, from, to int64) (status, msg string, res *insights.Result) {
	pq, err := insights.Parse(q.queryString)
	if err != nil {
		return sqInvalidQuery, err.Error(), nil // checked when stored
	}
	// The lookup tables as they are when the run starts, as StartQuery reads them; a
	// missing one fails the run.
	pq, aerr := s.queryLookupTables(ctx, pq)
	if aerr != nil {
		return sqFailed, aerr.Message, nil
	}
	nowMs := s.cfg.Now().UnixMilli()
	refs := make([]string, 0, len(q.logGroups))
	for _, ident := range q.logGroups {
		name, aerr := s.resolveGroupRef(nil, &ident)
		if aerr != nil {
			return sqFailed, aerr.Message, nil
		}
		refs = append(refs, name)
	}
	// As StartQuery's: each group once, and no unmask over Infrequent Access groups.
	groups, _, aerr := s.queryGroups(ctx, pq, refs)
	if aerr != nil {
		if ctx.Err() != nil { // the lookup was cut short: why the run ended says more
			return s.sqEnd(ctx, ctx.Err())
		}
		return sqFailed, aerr.Message, nil
	}
	if d := s.queryTimeout(); d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, d, errQueryTimeout)
		defer cancel()
	}
	run := pq.NewRun(insights.Options{})
	if err := s.queryScan(ctx, groups, from, to, nowMs, run, nil); err != nil {
		return s.sqEnd(ctx, err)
	}
	if ctx.Err() != nil {
		return s.sqEnd(ctx, ctx.Err())
	}
	return sqComplete, "", run.Result()
}

// sqEnd is the status and message of a run that ended with err.
func (s *Server) sqEnd(ctx context.Context, err error) (string, string, *insights.Result) {
	switch cause := context.Cause(ctx); {
	case ctx.Err() != nil && cause == errQueryTimeout:
		return sqTimeout, "The query timed out.", nil
	case ctx.Err() != nil && cause == errSQDeleted:
		return sqFailed, "The scheduled query was deleted while it ran.", nil
	case ctx.Err() != nil && s.stopping():
		return sqFailed, msgSQShutdown, nil
	}
	s.cfg.Logger.Error("scheduled query failed", "err", err)
	return sqFailed, "The query failed: " + err.Error(), nil
}

// deliverScheduledQuery writes the results of run runID of q, triggered at trigger over
// [from, to), to its S3 destination and returns the record's destinations (a JSON array of ScheduledQueryDestination).
func (s *Server) deliverScheduledQuery(ctx context.Context, q *scheduledQuery, runID string, trigger, from, to int64, res *insights.Result) []byte {
	c := q.dest.S3Configuration
	bucket, prefix := s3Location(*c.DestinationIdentifier)
	key := prefix + q.id + "/" + runID + ".json"
	d := newObj(nil)
	d.str("destinationType", "S3")
	d.str("destinationIdentifier", *c.DestinationIdentifier)
	fail := func(status, msg string) []byte {
		d.str("status", status)
		d.str("errorMessage", msg)
		return append(append([]byte{'['}, d.done()...), ']')
	}
	if ctx.Err() != nil {
		return fail(sqDestFailed, "The run was stopped before its results were delivered.")
	}
	root := s.openBucket(bucket)
	if root == nil {
		return fail(sqDestClientError, msgNoSuchBucket)
	}
	defer root.Close()
	body := s.sqResultObject(q, runID, trigger, from, to, res)
	err := writeObject(root, taskTmpDir(runID), bucket, key, body)
	if rerr := root.RemoveAll(taskTmpDir(runID)); rerr != nil {
		s.cfg.Logger.Warn("scheduled query: removing temporary files", "queryId", runID, "err", rerr)
	}
	if err != nil {
		s.cfg.Logger.Error("scheduled query: delivering its results failed", "queryId", runID, "err", err)
		return fail(sqDestFailed, "The results could not be written: "+err.Error())
	}
	d.str("status", sqDestComplete)
	d.str("processedIdentifier", "s3://"+bucket+"/"+key)
	return append(append([]byte{'['}, d.done()...), ']')
}

// sqResultObject is the JSON object of a run's results (see ops_scheduledqueries.go).
func (s *Server) sqResultObject(q *scheduledQuery, runID string, trigger, from, to int64, res *insights.Result) []byte {
	o := newObj(make([]byte, 0, 512))
	o.str("scheduledQueryArn", s.sqArn(s.sqRegion(q), q.id))
	o.str("scheduledQueryName", q.name)
	o.str("queryId", runID)
	o.int("triggeredTimestamp", trigger)
	o.int("startTime", from)
	o.int("endTime", to)
	st := newObj(nil)
	st.raw("recordsMatched", fmtDouble(float64(res.RecordsMatched)))
	st.raw("recordsScanned", fmtDouble(float64(res.RecordsScanned)))
	st.raw("bytesScanned", fmtDouble(float64(res.BytesScanned)))
	o.raw("statistics", st.done())
	o.key("results")
	o.b = append(o.b, '[')
	for i, row := range res.Rows {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		r := newObj(o.b)
		for _, f := range row {
			if f.Name != "@ptr" {
				r.str(f.Name, f.Value)
			}
		}
		o.b = r.done()
	}
	o.b = append(o.b, ']')
	return o.done()
}

// sqRegion is the region of the ARNs the runner writes for q: the region of the request
// that created it, as CreateScheduledQuery's answer gave; for a query stored before that
// was kept, Config.Region, or us-east-1 when the server serves every region.
func (s *Server) sqRegion(q *scheduledQuery) string {
	if q.region.Valid {
		return q.region.String
	}
	if s.cfg.Region != "" {
		return s.cfg.Region
	}
	return "us-east-1"
}
