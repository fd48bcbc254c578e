package localserver

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/localserver/patterns"
)

// writerChanges is the number of rows the store's writer connection has changed so far.
func writerChanges(t *testing.T, s *Server) int64 {
	t.Helper()
	var n int64
	if aerr := s.write(func(tx *sql.Tx) *apiError {
		if err := tx.QueryRow(`SELECT total_changes()`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return nil
	}); aerr != nil {
		t.Fatal(aerr)
	}
	return n
}

// TestAnomalyEvaluationWrites: an evaluation writes the detector's row and what it saw
// (the patterns it counted, the anomalies it changed), not every pattern the detector
// knows: an evaluation over a quiet window of a trained detector changed one row per known
// pattern (their unchanged counts) and set inactive an anomaly already inactive.
func TestAnomalyEvaluationWrites(t *testing.T) {
	e := newADEnv(t, "", nil)
	e.train()
	e.put(errorLines(5, 3)...)
	e.evaluate()
	if list := e.anomalies(nil); len(list) != 1 {
		t.Fatalf("%d anomalies after the error, want 1", len(list))
	}
	var patterns int
	if err := e.s.st.r.QueryRow(`SELECT count(*) FROM anomaly_patterns WHERE detector_id = ?`, e.id).Scan(&patterns); err != nil {
		t.Fatal(err)
	}
	if patterns < 3 {
		t.Fatalf("%d known patterns, want at least 3 (two steady ones and the error)", patterns)
	}
	for _, c := range []struct {
		what string
		want int64
	}{
		{"the first quiet evaluation (the detector, the anomaly made inactive)", 2},
		{"the second quiet evaluation (the detector only)", 1},
	} {
		before := writerChanges(t, e.s)
		e.evaluate()
		if got := writerChanges(t, e.s) - before; got != c.want {
			t.Errorf("%s changed %d rows, want %d (%d patterns known)", c.what, got, c.want, patterns)
		}
	}
	if a := e.anomalies(nil)[0]; a["active"] != false {
		t.Errorf("the anomaly after quiet evaluations: active %v, want false", a["active"])
	}
}

// TestAnomalyWindowBounds: an evaluation reads at most maxEvaluationEvents events and
// maxEvaluationBytes of their text, the first ones ingested, over events spread over many
// chunks and within one.
func TestAnomalyWindowBounds(t *testing.T) {
	e := newADEnv(t, "", nil)
	var msgs []string
	for i := range 20 {
		msgs = append(msgs, fmt.Sprintf("event %03d", i)) // 9 bytes each
	}
	for _, msg := range msgs[:10] {
		e.put(msg) // a chunk each
	}
	e.put(msgs[10:]...) // one chunk
	d, aerr := e.s.findAnomalyDetector(context.Background(), e.s.st.r, e.arn)
	if aerr != nil {
		t.Fatal(aerr)
	}
	cases := []struct {
		name          string
		events, bytes int
		want          int
	}{
		{"unbounded", 1000, 1 << 20, 20},
		{"events, across chunks", 7, 1 << 20, 7},
		{"events, within a chunk", 13, 1 << 20, 13},
		{"bytes, across chunks", 1000, 5*9 + 4, 5},
		{"bytes, within a chunk", 1000, 15 * 9, 15},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func(ev, by int) { maxEvaluationEvents, maxEvaluationBytes = ev, by }(maxEvaluationEvents, maxEvaluationBytes)
			maxEvaluationEvents, maxEvaluationBytes = c.events, c.bytes
			var got []string
			n, err := e.s.detectorWindow(context.Background(), d, d.lastRun, e.clk.Now().UnixMilli()+1, e.clk.Now().UnixMilli(),
				func(_ int64, msg string) { got = append(got, strings.Clone(msg)) })
			if err != nil {
				t.Fatal(err)
			}
			if n != c.want || !slices.Equal(got, msgs[:c.want]) {
				t.Errorf("read %d events %q, want the first %d", n, got, c.want)
			}
		})
	}
}

// TestAnomalySettledNow: the runner reads the time an evaluation is due at under the
// store's writer lock, which a PutLogEvents holds from stamping its commit's ingestion
// time to committing it, so that the window it then reads holds every event ingested
// before its end. Read without the lock, an evaluation read its window while a commit
// stamped before the window's end was in flight, and that commit's events were in no
// window.
func TestAnomalySettledNow(t *testing.T) {
	e := newADEnv(t, "", nil)
	started := make(chan struct{}, 1)
	e.s.anom.mu.Lock()
	e.s.anom.beforeRun = func(context.Context, string, string) { started <- struct{}{} }
	e.s.anom.mu.Unlock()

	e.s.st.wmu.Lock() // a commit in flight
	e.advance(e.period)
	select {
	case <-started:
		e.s.st.wmu.Unlock()
		t.Fatal("an evaluation started while a commit was in flight")
	case <-time.After(300 * time.Millisecond):
	}
	e.s.st.wmu.Unlock()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("no evaluation within 10 s once the commit ended")
	}
	e.waitRuns(1)
}

// evaluatedLog counts the "anomaly detector evaluated" records logged.
type evaluatedLog struct{ n *atomic.Int64 }

func (h evaluatedLog) Enabled(context.Context, slog.Level) bool { return true }
func (h evaluatedLog) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h evaluatedLog) WithGroup(string) slog.Handler            { return h }
func (h evaluatedLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "anomaly detector evaluated" {
		h.n.Add(1)
	}
	return nil
}

// TestAnomalyEvaluatedLog: "anomaly detector evaluated" (Debug; what a test in another
// module waits on) is logged for an evaluation recorded, not for one an update made
// meanwhile discards (it was logged as evaluated though nothing was recorded).
func TestAnomalyEvaluatedLog(t *testing.T) {
	var logged atomic.Int64
	e := newADEnvConfig(t, Config{Logger: slog.New(evaluatedLog{&logged})}, nil)
	// The line follows the evaluation's commit: wait for it.
	waitLogged := func(n int64) int64 {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); logged.Load() < n && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		return logged.Load()
	}
	e.put(steady(0)...)
	e.evaluate()
	if n := waitLogged(1); n != 1 {
		t.Fatalf("%d evaluations logged after one, want 1", n)
	}

	done := make(chan struct{})
	e.s.anom.mu.Lock()
	e.s.anom.beforeRun = func(context.Context, string, string) {
		// The evaluation in flight is discarded: its next_run is no longer the one it read.
		mustOK(t, e.s, "UpdateLogAnomalyDetector", m{"anomalyDetectorArn": e.arn, "enabled": true, "evaluationFrequency": "FIVE_MIN"})
		e.s.anom.mu.Lock()
		e.s.anom.beforeRun = nil
		e.s.anom.mu.Unlock()
		close(done)
	}
	e.s.anom.mu.Unlock()
	e.put(steady(1)...)
	e.advance(e.period)
	<-done
	e.advance(5 * time.Minute) // the next evaluation, over the same window
	e.waitRuns(2)
	// A discarded evaluation's line, if any, came before the second evaluation's.
	if n := waitLogged(2); n != 2 {
		t.Errorf("%d evaluations logged after two recorded and one discarded, want 2", n)
	}
}

// TestAnomalyGroupMadeAgain: a detector whose group is deleted and made again under its
// name evaluates the new group's events when it is of the STANDARD class, and none when
// it is of another (CreateLogAnomalyDetector refuses such a group).
func TestAnomalyGroupMadeAgain(t *testing.T) {
	for _, c := range []struct {
		class string
		want  int // events evaluated
	}{
		{"STANDARD", 25},
		{"INFREQUENT_ACCESS", 0},
		{"DELIVERY", 0},
	} {
		t.Run(c.class, func(t *testing.T) {
			e := newADEnv(t, "", nil)
			mustOK(t, e.s, "DeleteLogGroup", m{"logGroupName": "g"})
			mustOK(t, e.s, "CreateLogGroup", m{"logGroupName": "g", "logGroupClass": c.class})
			mustOK(t, e.s, "CreateLogStream", m{"logGroupName": "g", "logStreamName": "s"})
			e.put(steady(0)...)
			e.evaluate()
			var counted float64
			if err := e.s.st.r.QueryRow(`SELECT coalesce(sum(sum), 0) FROM anomaly_patterns WHERE detector_id = ?`, e.id).Scan(&counted); err != nil {
				t.Fatal(err)
			}
			if counted != float64(c.want) {
				t.Errorf("%v events evaluated, want %d", counted, c.want)
			}
		})
	}
}

// checkAnomalyRunnerGone fails t if a goroutine of an anomaly detectors' runner (its loop,
// started by startAnomalyRunner, or an evaluation) is left.
func checkAnomalyRunnerGone(t *testing.T) {
	t.Helper()
	checkGoroutinesGone(t, "(*Server).evaluateDetector", "(*Server).startAnomalyRunner")
}

// TestAnomalyFrequencyChange: a detector whose evaluationFrequency changes learns its
// patterns' counts afresh, per evaluation of the new period: steady traffic is not
// reported. The counts of the old period's evaluations were the baseline of the new
// ones, so that going from ONE_MIN to FIVE_MIN made every steady pattern a spike (and
// the other way round hid real ones).
func TestAnomalyFrequencyChange(t *testing.T) {
	e := newADEnv(t, "", nil)
	e.train()
	e.put(steady(anomalyTrainingRuns)...)
	e.evaluate()
	mustOK(t, e.s, "UpdateLogAnomalyDetector", m{"anomalyDetectorArn": e.arn, "evaluationFrequency": "FIVE_MIN", "enabled": true})
	e.period = 5 * time.Minute
	for run := anomalyTrainingRuns + 1; run < anomalyTrainingRuns+4; run++ {
		for i := range 5 { // five minutes of the same traffic
			e.put(steady(run*5 + i)...)
		}
		e.evaluate()
	}
	if got := e.anomalies(nil); len(got) != 0 {
		t.Fatalf("steady traffic after the frequency changed gave %d anomalies: %v", len(got), got)
	}
	// Then a spike of the new period's counts is one.
	run := anomalyTrainingRuns + 4
	for i := range 5 {
		e.put(steady(run*5 + i)...)
	}
	e.put(cacheSpike(run, 200)...)
	e.evaluate()
	if got := e.anomalies(nil); len(got) != 1 || byPattern(t, got, "cache hit") == nil {
		t.Fatalf("after a spike of the cache lines: %d anomalies %v, want that spike", len(got), got)
	}
}

// TestMatchKnownStops: matchKnown stops at its context's end (a deletion, Shutdown): it
// runs each known pattern's regex over the cluster's messages (up to 256 KB each), which
// takes seconds to minutes when long messages share a long first word (50 clusters of
// 200 KB messages against 50 such patterns: 15 s), and DeleteLogAnomalyDetector and
// Shutdown waited for it.
func TestMatchKnownStops(t *testing.T) {
	c := patterns.New(patterns.Options{})
	c.Add("user ann logged in", 0)
	c.Add("user bob logged in", 0)
	p := c.Patterns()[0]
	known := []*knownPattern{
		{id: "a", template: "disk <*> full", regex: `(?s)^disk (\w+) full$`, sample: "disk sda full"},
		{id: "b", template: "user <*> logged in", regex: `(?s)^user (\w+) logged in$`, sample: "user cy logged in"},
	}
	budget := matchBudget
	if got, _ := matchKnown(context.Background(), known, p, &budget); got != known[1] {
		t.Fatalf("%q matched %v, want the known pattern b: the case proves nothing", p, got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got, _ := matchKnown(ctx, known, p, &budget); got != nil {
		t.Errorf("matched %q with its context done", got.id)
	}
}
