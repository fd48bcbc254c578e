package localserver

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/cwlogs/cwlogs/localserver/filterpattern"
	"github.com/cwlogs/cwlogs/localserver/patterns"
)

// The runner of log anomaly detectors (see ops_anomaly.go): one goroutine, started by New,
// that evaluates each enabled detector when its next evaluation (next_run) comes, by
// Config.Now, one at a time, in the order they are due. It shares the scheduled queries'
// runner's state type (schedRunner: wake-ups, the evaluation in flight) and loop
// (runTimed, runDueOf): it sleeps until the earliest evaluation, at most schedMaxWait,
// woken at once when a detector is created, updated or deleted.
//
// An evaluation due at T reads the events ingested into the detector's log groups in
// [last evaluation, T) (by ingestion time, so that every event is evaluated once, late
// timestamps included), keeps those the filter pattern matches (the masked text, as
// "any parts of log events that are masked as sensitive data are not scanned for
// anomalies", API_CreateLogAnomalyDetector), and clusters them as it reads them (package
// patterns, which copies what it keeps: an evaluation's memory does not grow with its
// window). The detection (ops_anomaly_detect.go) then matches the clusters to the
// detector's patterns outside the store's writer lock, and records its findings with
// the evaluation in one transaction. Evaluations missed while the server was stopped
// are made once, over everything ingested since the last one, at the latest due time;
// the next is one period after it.
//
// Shutdown stops the runner: an evaluation in flight is abandoned and records nothing
// (the next server makes it again). DeleteLogAnomalyDetector stops the detector's
// evaluation in flight and waits for it.

// maxEvaluationEvents and maxEvaluationBytes (of message text) bound the events one
// evaluation clusters (the first ones ingested that its filter pattern matches; ours):
// they bound the time of its clustering over a backlog. The events it reads to find them
// (the filter pattern's misses included) are bounded only by its window and by
// maxEvaluationEvents chunks. The events of a window past a bound are not evaluated.
// Variables for tests.
var (
	maxEvaluationEvents = 200_000
	maxEvaluationBytes  = 64 << 20
)

// startAnomalyRunner starts the runner (counted in sweepWG, which Shutdown waits for).
func (s *Server) startAnomalyRunner() {
	s.anom.kickCh = make(chan struct{}, 1)
	s.sweepWG.Add(1)
	go func() {
		defer s.sweepWG.Done()
		s.runTimed(s.anom.kickCh, s.evaluateDue)
	}()
}

// evaluateDue evaluates the detectors that are due (by settledNow), then tells how long
// to sleep; ok is false once the server is stopping.
func (s *Server) evaluateDue() (wait time.Duration, ok bool) {
	return s.runDueOf("anomaly_detectors", "anomaly detectors", s.settledNow, s.evaluateDetector)
}

// settledNow is Config.Now (ms) read under the store's writer lock: every event
// ingested before it (PutLogEvents stamps a commit's ingestion time under that lock) is
// then committed, so that a window [last evaluation, T ≤ now) read after it is complete.
// Read without the lock, an evaluation could miss a commit stamped just before T that
// had not committed when it read its window, and no later window holds it.
func (s *Server) settledNow() int64 {
	s.st.wmu.Lock()
	defer s.st.wmu.Unlock()
	return s.cfg.Now().UnixMilli()
}

// evaluateDetector makes detector id's evaluation due at or before nowMs.
func (s *Server) evaluateDetector(id string, nowMs int64) {
	ctx, hook, end := s.anom.begin(s.queryCtx, id)
	defer end()

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
	c := patterns.New(patterns.Options{MaxPatterns: maxDetectorPatterns, MaxEnumerations: maxTokenEnumerations})
	events, err := s.detectorWindow(ctx, d, d.lastRun, at, nowMs, func(ts int64, msg string) { c.Add(msg, ts) })
	if err == nil {
		plan, err = s.planDetection(ctx, d, c)
	}
	if err != nil {
		if ctx.Err() != nil {
			return // deleted or shutting down: nothing is recorded
		}
		s.cfg.Logger.Error("anomaly detector: reading the evaluation's events failed; its window is skipped", "id", id, "err", err)
		plan = nil
	}
	recorded := false
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
		recorded = true
		return s.detectAnomalies(wctx, tx, d, at, nowMs, plan)
	})
	if aerr != nil {
		s.anomalyRetryPause("recording the evaluation", id, aerr)
		return
	}
	if recorded {
		s.cfg.Logger.Debug("anomaly detector evaluated", "id", id, "at", at, "events", events,
			"patterns", len(plan.found), "new", len(plan.fresh), "unmatched", plan.unmatched,
			"forgotten", plan.evicted, "dropped", plan.dropped)
	}
}

// anomalyRetryPause logs a failed evaluation and pauses (retryPause).
func (s *Server) anomalyRetryPause(what, id string, err error) {
	s.cfg.Logger.Error("anomaly detector: "+what+" failed", "id", id, "err", err)
	s.retryPause()
}

// detectorWindow passes to add, in ingestion order, the events ingested into d's log
// groups in [from, to) whose masked text d's filter pattern matches, at most
// maxEvaluationEvents and maxEvaluationBytes, and returns how many it passed. Events past
// their group's retention, and groups that no longer exist or are no longer of the
// STANDARD class (made again under the name), are left out. A message
// passed to add aliases the chunk it was read from: add copies what it keeps (as
// patterns.Clusterer.Add does), so that the memory of an evaluation does not grow with
// its window.
func (s *Server) detectorWindow(ctx context.Context, d *anomalyDetector, from, to, nowMs int64, add func(ts int64, msg string)) (int, error) {
	var pat *filterpattern.Pattern
	if d.filter.Valid {
		p, aerr := eventFilter(&d.filter.String)
		if aerr != nil {
			return 0, aerr // checked when stored
		}
		pat = p
	}
	var buf []storedEvent
	n, size := 0, 0 // the events passed and the bytes of their messages
	for _, arn := range d.logGroups {
		name, ok := s.parseGroupArn(arn)
		if !ok {
			continue
		}
		g, err := groupByName(ctx, s.st.r, name)
		if err != nil {
			return 0, err
		}
		if g == nil || g.class != "STANDARD" {
			continue // deleted, or deleted and made again in another class
		}
		cutoff := g.cutoff(nowMs)
		rm := readMasker{s: s, g: g}
		// An event ingested in [from, to) has a timestamp at most tooOldMs before its
		// ingestion and at most tooNewMs after it, and its chunk spans at most
		// maxChunkSpan: the bounds let the (group_id, min_ts) index serve the scan.
		// A chunk holds at least one event: no more than maxEvaluationEvents chunks are
		// needed to pass maxEvaluationEvents events.
		rows, err := s.st.r.QueryContext(ctx, `SELECT `+chunkMetaCols+` FROM chunks
			WHERE group_id = ? AND min_ts >= ? AND min_ts < ? AND ingest >= ? AND ingest < ? ORDER BY ingest, id LIMIT ?`,
			g.id, from-tooOldMs-maxChunkSpan, to+tooNewMs, from, to, maxEvaluationEvents-n)
		if err != nil {
			return 0, err
		}
		var metas []chunkMeta
		for rows.Next() {
			var c chunkMeta
			if err := scanChunkMeta(rows, &c); err != nil {
				rows.Close()
				return 0, err
			}
			metas = append(metas, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
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
				return 0, err
			}
			buf, err = unpackChunk(data, c.minTs, c.n, buf)
			if err != nil {
				return 0, err
			}
			for _, ev := range buf {
				if ev.ts < cutoff {
					continue
				}
				msg := rm.mask(ev.msg, c.ingest)
				if pat != nil && !pat.Match(msg) {
					continue
				}
				if size += len(msg); size > maxEvaluationBytes {
					return n, nil
				}
				add(ev.ts, msg)
				if n++; n >= maxEvaluationEvents {
					return n, nil
				}
			}
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}
