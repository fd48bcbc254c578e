package localserver

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/cwlogs/cwlogs/localserver/filterpattern"
)

// The runner of log anomaly detectors (see ops_anomaly.go): one goroutine, started by New,
// that evaluates each enabled detector when its next evaluation (next_run) comes, by
// Config.Now, one at a time, in the order they are due. It shares the scheduled queries'
// runner state type (schedRunner: wake-ups, the evaluation in flight) and sleeps as that
// runner does: until the earliest evaluation, at most schedMaxWait, woken at once when a
// detector is created, updated or deleted.
//
// An evaluation due at T reads the events ingested into the detector's log groups in
// [last evaluation, T) (by ingestion time, so that every event is evaluated once, late
// timestamps included), keeps those the filter pattern matches (the masked text, as
// "any parts of log events that are masked as sensitive data are not scanned for
// anomalies", API_CreateLogAnomalyDetector), and hands them to the detection
// (ops_anomaly_detect.go): the clustering runs outside the store's writer lock, its
// findings are recorded with the evaluation in one transaction. Evaluations missed while the server was stopped are made once, over
// everything ingested since the last one, at the latest due time; the next is one
// period after it.
//
// Shutdown stops the runner: an evaluation in flight is abandoned and records nothing
// (the next server makes it again). DeleteLogAnomalyDetector stops the detector's
// evaluation in flight and waits for it.

// maxEvaluationEvents bounds the events one evaluation reads (the first ones ingested;
// ours): it bounds the memory and time of an evaluation over a backlog.
const maxEvaluationEvents = 200_000

// windowEvent is an event an evaluation reads: its timestamp and (masked) text.
type windowEvent struct {
	ts  int64
	msg string
}

// startAnomalyRunner starts the runner (counted in sweepWG, which Shutdown waits for).
func (s *Server) startAnomalyRunner() {
	s.anom.kickCh = make(chan struct{}, 1)
	s.sweepWG.Add(1)
	go func() {
		defer s.sweepWG.Done()
		s.runTimed(s.anom.kickCh, s.evaluateDue)
	}()
}

// runTimed is the loop of a runner: it calls due, then sleeps for the time it returns,
// or until kick or Shutdown, and again, until due reports the server is stopping.
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

// evaluateDue evaluates the detectors that are due, then tells how long to sleep; ok is
// false once the server is stopping.
func (s *Server) evaluateDue() (wait time.Duration, ok bool) {
	ctx := context.Background()
	for {
		if s.stopping() {
			return 0, false
		}
		var id string
		var next int64
		err := s.st.r.QueryRowContext(ctx, `SELECT id, next_run FROM anomaly_detectors WHERE next_run IS NOT NULL
			ORDER BY next_run, id LIMIT 1`).Scan(&id, &next)
		if errors.Is(err, sql.ErrNoRows) {
			return schedMaxWait, true
		}
		if err != nil {
			s.cfg.Logger.Error("anomaly detectors: reading the schedules", "err", err)
			return schedMaxWait, true
		}
		now := s.cfg.Now().UnixMilli()
		if next > now {
			return min(schedMaxWait, time.Duration(next-now)*time.Millisecond), true
		}
		s.evaluateDetector(id, now)
	}
}

// evaluateDetector makes detector id's evaluation due at or before nowMs.
func (s *Server) evaluateDetector(id string, nowMs int64) {
	ctx, cancel := context.WithCancelCause(s.queryCtx)
	run := &bgRun{cancel: cancel, done: make(chan struct{})}
	r := &s.anom
	r.mu.Lock()
	if r.runs == nil {
		r.runs = map[string]*bgRun{}
	}
	r.runs[id] = run
	hook := r.beforeRun
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.runs, id)
		r.mu.Unlock()
		close(run.done)
		cancel(nil)
	}()

	d, err := scanAnomalyDetector(s.st.r.QueryRowContext(ctx, `SELECT `+adColumns+` FROM anomaly_detectors WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return
	}
	if err != nil {
		s.anomalyRetryPause("reading the detector", id, err)
		return
	}
	if !d.nextRun.Valid || d.nextRun.Int64 > nowMs {
		return // paused or rescheduled meanwhile
	}
	// The latest due time: evaluations missed while stopped are made once.
	period := d.period().Milliseconds()
	at := d.nextRun.Int64
	if nowMs-at >= period {
		at += (nowMs - at) / period * period
	}
	if hook != nil {
		hook(ctx, id, "")
	}
	// A window whose events cannot be read (a corrupt chunk) is skipped: the evaluation
	// is recorded without counts (the patterns learn nothing from it), so that a lasting
	// failure does not stop the detector.
	var plan *detectionPlan
	evs, err := s.detectorWindow(ctx, d, d.lastRun, at, nowMs)
	if err == nil {
		plan, err = s.planDetection(ctx, d, evs)
	}
	if err != nil {
		if ctx.Err() != nil {
			return // deleted or shutting down: nothing is recorded
		}
		s.cfg.Logger.Error("anomaly detector: reading the evaluation's events failed; its window is skipped", "id", id, "err", err)
		plan = nil
	}
	aerr := s.write(func(tx *sql.Tx) *apiError {
		if ctx.Err() != nil {
			return nil
		}
		wctx := context.Background()
		res, err := tx.ExecContext(wctx, `UPDATE anomaly_detectors SET runs = runs + 1, last_run = ?, next_run = ?
			WHERE id = ? AND next_run = ?`, at, at+period, id, d.nextRun.Int64)
		if err != nil {
			return s.dbErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // updated meanwhile: the next evaluation reads the same window
		}
		if plan == nil {
			return nil
		}
		return s.detectAnomalies(wctx, tx, d, at, nowMs, plan)
	})
	if aerr != nil {
		s.anomalyRetryPause("recording the evaluation", id, aerr)
		return
	}
	if ctx.Err() == nil && plan != nil {
		s.cfg.Logger.Debug("anomaly detector evaluated", "id", id, "at", at, "events", len(evs),
			"patterns", len(plan.found), "new", len(plan.fresh))
	}
}

// anomalyRetryPause logs a failed evaluation and pauses (schedRetryWait, or until
// Shutdown) so that a store that keeps failing is not retried in a tight loop.
func (s *Server) anomalyRetryPause(what, id string, err error) {
	s.cfg.Logger.Error("anomaly detector: "+what+" failed", "id", id, "err", err)
	t := time.NewTimer(schedRetryWait)
	select {
	case <-t.C:
	case <-s.stop:
	}
	t.Stop()
}

// detectorWindow returns the events ingested into d's log groups in [from, to) whose
// masked text d's filter pattern matches, in ingestion order, at most
// maxEvaluationEvents. Events past their group's retention, and groups that no longer
// exist, are left out.
func (s *Server) detectorWindow(ctx context.Context, d *anomalyDetector, from, to, nowMs int64) ([]windowEvent, error) {
	var pat *filterpattern.Pattern
	if d.filter.Valid {
		p, aerr := eventFilter(&d.filter.String)
		if aerr != nil {
			return nil, aerr // checked when stored
		}
		pat = p
	}
	var out []windowEvent
	var buf []storedEvent
	for _, arn := range d.logGroups {
		name, ok := s.parseGroupArn(arn)
		if !ok {
			continue
		}
		g, err := groupByName(ctx, s.st.r, name)
		if err != nil {
			return nil, err
		}
		if g == nil {
			continue
		}
		cutoff := g.cutoff(nowMs)
		rm := readMasker{s: s, g: g}
		// An event ingested in [from, to) has a timestamp at most tooOldMs before its
		// ingestion and at most tooNewMs after it, and its chunk spans at most
		// maxChunkSpan: the bounds let the (group_id, min_ts) index serve the scan.
		rows, err := s.st.r.QueryContext(ctx, `SELECT `+chunkMetaCols+` FROM chunks
			WHERE group_id = ? AND min_ts >= ? AND min_ts < ? AND ingest >= ? AND ingest < ? ORDER BY ingest, id`,
			g.id, from-tooOldMs-maxChunkSpan, to+tooNewMs, from, to)
		if err != nil {
			return nil, err
		}
		var metas []chunkMeta
		for rows.Next() {
			var c chunkMeta
			if err := scanChunkMeta(rows, &c); err != nil {
				rows.Close()
				return nil, err
			}
			metas = append(metas, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for i := range metas {
			c := &metas[i]
			if c.maxTs < cutoff {
				continue
			}
			data, err := s.st.chunkData(ctx, c)
			if errors.Is(err, sql.ErrNoRows) || errors.Is(err, errSegmentGone) {
				continue // deleted since (retention, a stream or group deleted)
			}
			if err != nil {
				return nil, err
			}
			buf, err = unpackChunk(data, c.minTs, c.n, buf)
			if err != nil {
				return nil, err
			}
			for _, ev := range buf {
				if ev.ts < cutoff {
					continue
				}
				msg := rm.mask(ev.msg, c.ingest)
				if pat != nil && !pat.Match(msg) {
					continue
				}
				out = append(out, windowEvent{ts: ev.ts, msg: msg})
				if len(out) >= maxEvaluationEvents {
					return out, nil
				}
			}
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
