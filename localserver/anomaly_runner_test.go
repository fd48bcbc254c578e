package localserver

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// adEnv drives a detector on a clock the test moves: events are put at the clock's time,
// and evaluate moves it one evaluation period on and waits for the runner's evaluation.
type adEnv struct {
	t      *testing.T
	s      *Server
	clk    *sqClock
	arn    string
	id     string
	runs   int64
	period time.Duration
}

// newADEnv makes a server (in memory, or on dataDir) with group g, stream s and a
// detector on g evaluated every minute (extra members override).
func newADEnv(t *testing.T, dataDir string, extra m) *adEnv {
	t.Helper()
	return newADEnvConfig(t, Config{DataDir: dataDir}, extra)
}

// newADEnvConfig is newADEnv with the server's Config (its Now is the test's clock).
func newADEnvConfig(t *testing.T, cfg Config, extra m) *adEnv {
	t.Helper()
	e := &adEnv{t: t, clk: &sqClock{t: testNow}, period: time.Minute}
	cfg.Now = e.clk.Now
	e.s = newTestServer(t, cfg)
	setupStream(t, e.s, "g", "s")
	in := adInput("g", m{"evaluationFrequency": "ONE_MIN", "anomalyVisibilityTime": 7})
	for k, v := range extra {
		in[k] = v
	}
	e.arn = createAD(t, e.s, in)
	e.id = e.arn[strings.LastIndexByte(e.arn, ':')+1:]
	return e
}

// put stores msgs at the clock's time.
func (e *adEnv) put(msgs ...string) {
	e.t.Helper()
	evs := make([]m, len(msgs))
	for i, msg := range msgs {
		evs[i] = m{"timestamp": e.clk.Now().UnixMilli(), "message": msg}
	}
	for len(evs) > 0 {
		n := min(len(evs), 5000)
		mustOK(e.t, e.s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": evs[:n]})
		evs = evs[n:]
	}
}

// advance moves the clock on by d and wakes the detectors' runner.
func (e *adEnv) advance(d time.Duration) {
	e.clk.shift(d)
	e.s.anom.kick()
}

// evaluate moves the clock one period on and waits for the evaluation it makes due.
func (e *adEnv) evaluate() {
	e.t.Helper()
	e.advance(e.period)
	e.runs++
	e.waitRuns(e.runs)
}

// waitRuns waits until the detector has made n evaluations.
func (e *adEnv) waitRuns(n int64) {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var runs int64
		if err := e.s.st.r.QueryRow(`SELECT runs FROM anomaly_detectors WHERE id = ?`, e.id).Scan(&runs); err != nil {
			e.t.Fatal(err)
		}
		if runs >= n {
			if runs > n {
				e.t.Fatalf("%d evaluations made, want %d", runs, n)
			}
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("the runner made %d evaluations in 10 s, want %d", runs, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// anomalies lists the detector's anomalies (extra request members added).
func (e *adEnv) anomalies(extra m) []map[string]any {
	e.t.Helper()
	in := m{"anomalyDetectorArn": e.arn}
	for k, v := range extra {
		in[k] = v
	}
	items, _ := pageItems(e.t, e.s, "ListAnomalies", in, "anomalies", 20)
	return items
}

// status is the detector's anomalyDetectorStatus.
func (e *adEnv) status() string {
	e.t.Helper()
	st, _ := mustOK(e.t, e.s, "GetLogAnomalyDetector", m{"anomalyDetectorArn": e.arn}).body["anomalyDetectorStatus"].(string)
	return st
}

// steady is run's share of the steady traffic: 20 request lines and 5 cache lines whose
// numbers vary.
func steady(run int) []string {
	var out []string
	for i := range 20 {
		out = append(out, fmt.Sprintf("INFO request handled path=/api/items/%d status=200 in %dms", run*100+i, 10+i%7))
	}
	for i := range 5 {
		out = append(out, fmt.Sprintf("DEBUG cache hit key=user:%d", run*10+i))
	}
	return out
}

// errorLines are n lines of an error the detector never saw while training.
func errorLines(run, n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("ERROR payment failed for order %d: upstream timeout after %dms", run*1000+i, 3000+i))
	}
	return out
}

// cacheSpike is n cache lines (5 a run while training).
func cacheSpike(run, n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("DEBUG cache hit key=user:%d", run*1000+i))
	}
	return out
}

// train makes the detector's training evaluations over steady traffic.
func (e *adEnv) train() {
	e.t.Helper()
	for run := range anomalyTrainingRuns {
		if st := e.status(); st != adTraining {
			e.t.Fatalf("status %s during training evaluation %d", st, run)
		}
		e.put(steady(run)...)
		e.evaluate()
	}
	if st := e.status(); st != adAnalyzing {
		e.t.Fatalf("status %s after %d evaluations, want ANALYZING", st, anomalyTrainingRuns)
	}
}

// byPattern finds the anomaly whose patternString contains sub.
func byPattern(t *testing.T, list []map[string]any, sub string) map[string]any {
	t.Helper()
	var found map[string]any
	for _, a := range list {
		if strings.Contains(a["patternString"].(string), sub) {
			if found != nil {
				t.Fatalf("two anomalies of a pattern with %q", sub)
			}
			found = a
		}
	}
	return found
}

// anomalyRequired are the Anomaly shape's required members.
var anomalyRequired = []string{"anomalyId", "patternId", "anomalyDetectorArn", "patternString", "firstSeen", "lastSeen",
	"description", "active", "state", "histogram", "logSamples", "patternTokens", "logGroupArnList"}

// TestAnomalyDetection: a detector trained on steady traffic reports nothing while the
// traffic stays steady, then reports a pattern it never saw (an error, HIGH) and a spike
// of a known pattern, each with every member of the Anomaly shape; an anomaly is active
// while it recurs and inactive when it does not, and a recurrence updates the same
// anomaly (histogram keyed by the evaluation's time).
func TestAnomalyDetection(t *testing.T) {
	e := newADEnv(t, "", nil)
	e.train()
	for run := anomalyTrainingRuns; run < anomalyTrainingRuns+2; run++ {
		e.put(steady(run)...)
		e.evaluate()
	}
	if got := e.anomalies(nil); len(got) != 0 {
		t.Fatalf("steady traffic gave %d anomalies: %v", len(got), got)
	}

	run := anomalyTrainingRuns + 2
	e.put(steady(run)...)
	e.put(errorLines(run, 3)...)
	e.put(cacheSpike(run, 100)...)
	e.evaluate()
	at := e.clk.Now().UnixMilli()
	found := e.anomalies(nil)
	if len(found) != 2 {
		t.Fatalf("%d anomalies, want the new error pattern and the cache spike: %v", len(found), found)
	}
	errA, spike := byPattern(t, found, "payment failed"), byPattern(t, found, "cache hit")
	if errA == nil || spike == nil {
		t.Fatalf("anomalies %v lack the error or the spike", found)
	}
	for _, a := range found {
		for _, k := range anomalyRequired {
			if _, ok := a[k]; !ok {
				t.Errorf("anomaly %v lacks required member %s", a["patternString"], k)
			}
		}
		if id := a["patternId"].(string); len(id) != 32 {
			t.Errorf("patternId %q is not 32 characters", id)
		}
		if id := a["anomalyId"].(string); len(id) != 36 {
			t.Errorf("anomalyId %q is not 36 characters", id)
		}
		if a["anomalyDetectorArn"] != e.arn || fmt.Sprint(a["logGroupArnList"]) != fmt.Sprint([]any{groupArnOf("g")}) {
			t.Errorf("anomaly of %v, groups %v", a["anomalyDetectorArn"], a["logGroupArnList"])
		}
		if a["state"] != "Active" || a["active"] != true || a["suppressed"] != false || num(t, a["firstSeen"]) != at ||
			num(t, a["lastSeen"]) != at {
			t.Errorf("anomaly %v: state %v active %v suppressed %v first %v last %v (evaluation at %d)",
				a["patternString"], a["state"], a["active"], a["suppressed"], a["firstSeen"], a["lastSeen"], at)
		}
	}
	if errA["priority"] != "HIGH" {
		t.Errorf("the error pattern's priority %v, want HIGH", errA["priority"])
	}
	hist := errA["histogram"].(map[string]any)
	if len(hist) != 1 || num(t, hist[itoa(at)]) != 3 {
		t.Errorf("error histogram %v, want {%d: 3}", hist, at)
	}
	if h := spike["histogram"].(map[string]any); num(t, h[itoa(at)]) != 105 {
		t.Errorf("spike histogram %v, want 105 (5 steady, 100 more) at %d", h, at)
	}
	samples := list(errA["logSamples"])
	if len(samples) == 0 || !strings.Contains(samples[0].(map[string]any)["message"].(string), "payment failed for order") {
		t.Errorf("error samples %v", samples)
	}
	var dynamic int
	for _, tok := range list(errA["patternTokens"]) {
		tk := tok.(map[string]any)
		if tk["isDynamic"] == true {
			dynamic++
			if tk["tokenString"] != "<*>" || num(t, tk["dynamicTokenPosition"]) != int64(dynamic) || len(tk["enumerations"].(map[string]any)) == 0 {
				t.Errorf("dynamic token %v", tk)
			}
		}
	}
	if dynamic == 0 {
		t.Errorf("the error pattern %q has no dynamic token: %v", errA["patternString"], errA["patternTokens"])
	}
	if re := errA["patternRegex"].(string); re == "" {
		t.Error("no patternRegex")
	}

	// Steady again: both stay listed, inactive.
	e.put(steady(run + 1)...)
	e.evaluate()
	for _, a := range e.anomalies(nil) {
		if a["active"] != false {
			t.Errorf("anomaly %v still active after an evaluation without it", a["patternString"])
		}
	}
	// The error recurs: the same anomaly, active again, two histogram entries.
	e.put(steady(run + 2)...)
	e.put(errorLines(run+2, 5)...)
	e.evaluate()
	found = e.anomalies(nil)
	again := byPattern(t, found, "payment failed")
	if again == nil || again["anomalyId"] != errA["anomalyId"] || again["active"] != true ||
		len(again["histogram"].(map[string]any)) != 2 || num(t, again["lastSeen"]) != e.clk.Now().UnixMilli() {
		t.Errorf("after the error recurred: %v (first: %v)", again, errA["anomalyId"])
	}
	if len(found) != 2 {
		t.Errorf("%d anomalies after the recurrence, want 2", len(found))
	}
}

// TestAnomalyFilterPattern: a detector with a filter pattern evaluates only the events it
// matches: a new pattern of other events is not reported.
func TestAnomalyFilterPattern(t *testing.T) {
	e := newADEnv(t, "", m{"filterPattern": "?INFO ?DEBUG"})
	e.train()
	run := anomalyTrainingRuns
	e.put(steady(run)...)
	e.put(errorLines(run, 5)...)
	e.evaluate()
	if got := e.anomalies(nil); len(got) != 0 {
		t.Fatalf("events the filter pattern leaves out gave anomalies: %v", got)
	}
}

// trainedWithError is a trained detector with one anomaly, of a new error pattern.
func trainedWithError(t *testing.T, dataDir string) (*adEnv, map[string]any) {
	t.Helper()
	e := newADEnv(t, dataDir, nil)
	e.train()
	e.put(steady(anomalyTrainingRuns)...)
	e.put(errorLines(anomalyTrainingRuns, 3)...)
	e.evaluate()
	list := e.anomalies(nil)
	if len(list) != 1 {
		t.Fatalf("%d anomalies, want the error's: %v", len(list), list)
	}
	return e, list[0]
}

// TestAnomalySuppression: LIMITED and INFINITE suppression of an anomaly and of a
// pattern (listed by suppressionState, not updated while suppressed, ended by its period
// or by UpdateAnomaly without suppressionType), and baseline (state Baseline, the
// behaviour normal from then on but for more severe occurrences).
func TestAnomalySuppression(t *testing.T) {
	e, a := trainedWithError(t, "")
	id, pattern := a["anomalyId"].(string), a["patternId"].(string)
	run := anomalyTrainingRuns + 1
	recur := func(n int) {
		e.put(steady(run)...)
		e.put(errorLines(run, n)...)
		e.evaluate()
		run++
	}
	get := func() map[string]any {
		t.Helper()
		for _, x := range e.anomalies(nil) {
			if x["anomalyId"] == id {
				return x
			}
		}
		t.Fatalf("anomaly %s no longer listed", id)
		return nil
	}
	states := func() (sup, unsup int) {
		return len(e.anomalies(m{"suppressionState": "SUPPRESSED"})), len(e.anomalies(m{"suppressionState": "UNSUPPRESSED"}))
	}

	// LIMITED, two minutes, on the anomaly.
	now := e.clk.Now().UnixMilli()
	mustOK(t, e.s, "UpdateAnomaly", m{"anomalyDetectorArn": e.arn, "anomalyId": id, "suppressionType": "LIMITED",
		"suppressionPeriod": m{"value": 2, "suppressionUnit": "MINUTES"}})
	x := get()
	if x["state"] != "Suppressed" || x["suppressed"] != true || num(t, x["suppressedUntil"]) != now+120_000 ||
		num(t, x["suppressedDate"]) != now || x["isPatternLevelSuppression"] != false {
		t.Errorf("after a LIMITED suppression: %v", x)
	}
	if sup, unsup := states(); sup != 1 || unsup != 0 {
		t.Errorf("suppressionState: %d SUPPRESSED, %d UNSUPPRESSED; want 1, 0", sup, unsup)
	}
	recur(4) // one minute on: still suppressed, not updated
	if x := get(); len(x["histogram"].(map[string]any)) != 1 || num(t, x["lastSeen"]) != num(t, a["lastSeen"]) {
		t.Errorf("a suppressed anomaly was updated: %v", x)
	}
	recur(4) // two minutes on: the suppression has ended; this evaluation updates it
	x = get()
	if x["state"] != "Active" || x["suppressed"] != false || num(t, x["suppressedUntil"]) != 0 || len(x["histogram"].(map[string]any)) != 2 {
		t.Errorf("after the LIMITED suppression ended: %v", x)
	}
	if sup, unsup := states(); sup != 0 || unsup != 1 {
		t.Errorf("suppressionState after the end: %d SUPPRESSED, %d UNSUPPRESSED; want 0, 1", sup, unsup)
	}

	// INFINITE, on the pattern; then ended by UpdateAnomaly without suppressionType.
	mustOK(t, e.s, "UpdateAnomaly", m{"anomalyDetectorArn": e.arn, "patternId": pattern, "suppressionType": "INFINITE",
		"suppressionPeriod": m{"value": 1, "suppressionUnit": "SECONDS"}})
	recur(4)
	e.advance(3 * 24 * time.Hour) // INFINITE does not end; one (catch-up) evaluation
	e.runs++
	e.waitRuns(e.runs)
	x = get()
	if x["state"] != "Suppressed" || x["isPatternLevelSuppression"] != true || num(t, x["suppressedUntil"]) != 0 ||
		len(x["histogram"].(map[string]any)) != 2 {
		t.Errorf("under an INFINITE pattern suppression: %v", x)
	}
	mustOK(t, e.s, "UpdateAnomaly", m{"anomalyDetectorArn": e.arn, "patternId": pattern})
	if x := get(); x["state"] != "Active" || x["suppressed"] != false {
		t.Errorf("after ending the pattern's suppression: %v", x)
	}

	// Baseline: state Baseline, no longer updated; counts up to the anomaly's largest are
	// normal from then on, even above the spike threshold of the pattern's history; more
	// is reported as a new anomaly.
	recur(60)
	mustOK(t, e.s, "UpdateAnomaly", m{"anomalyDetectorArn": e.arn, "anomalyId": id, "baseline": true})
	if x := get(); x["state"] != "Baseline" || x["active"] != false || num(t, x["histogram"].(map[string]any)[itoa(e.clk.Now().UnixMilli())]) != 60 {
		t.Errorf("after baseline: %v", x)
	}
	for range 100 { // quiet evaluations: the pattern's mean count falls under 1
		e.evaluate()
	}
	errorsOnly := func(n int) {
		e.put(errorLines(run, n)...)
		e.evaluate()
		run++
	}
	errorsOnly(30)
	if list := e.anomalies(nil); len(list) != 1 {
		t.Errorf("a count under the baseline's largest was reported: %v", list)
	}
	errorsOnly(200)
	list := e.anomalies(nil)
	if len(list) != 2 {
		t.Fatalf("a far larger count of the baseline pattern gave %d anomalies, want a new one: %v", len(list), list)
	}
	for _, x := range list {
		if x["anomalyId"] != id && (x["patternId"] != pattern || x["state"] != "Active" || x["active"] != true) {
			t.Errorf("the new anomaly %v", x)
		}
	}
}

// TestAnomalyVisibility: an anomaly first seen longer ago than anomalyVisibilityTime is
// no longer listed, and its behaviour is baseline from then on.
func TestAnomalyVisibility(t *testing.T) {
	e, _ := trainedWithError(t, "")
	// Paused: the listing alone hides what is past its visibility.
	mustOK(t, e.s, "UpdateLogAnomalyDetector", m{"anomalyDetectorArn": e.arn, "enabled": false})
	e.advance(6 * 24 * time.Hour)
	if n := len(e.anomalies(nil)); n != 1 {
		t.Fatalf("%d anomalies after 6 days (visibility 7), want 1", n)
	}
	e.advance(24*time.Hour + time.Minute)
	if n := len(e.anomalies(nil)); n != 0 {
		t.Fatalf("%d anomalies after 7 days, want none", n)
	}
	// Restarted: its next evaluation makes the expired anomaly's behaviour baseline.
	mustOK(t, e.s, "UpdateLogAnomalyDetector", m{"anomalyDetectorArn": e.arn, "enabled": true})
	e.put(steady(100)...)
	e.put(errorLines(100, 3)...)
	e.evaluate()
	if got := e.anomalies(nil); len(got) != 0 {
		t.Errorf("an expired (baseline) anomaly's behaviour was reported again: %v", got)
	}
	// More severe occurrences are reported, as a new anomaly.
	e.put(errorLines(101, 200)...)
	e.evaluate()
	if got := e.anomalies(nil); len(got) != 1 || num(t, got[0]["firstSeen"]) != e.clk.Now().UnixMilli() {
		t.Errorf("200 errors after the expiry gave %v, want one new anomaly", got)
	}
}

// TestAnomalyRestart: a detector's training, patterns and anomalies persist across a
// restart; evaluations continue where they stopped.
func TestAnomalyRestart(t *testing.T) {
	dir := t.TempDir()
	e := newADEnv(t, dir, nil)
	for run := range 3 {
		e.put(steady(run)...)
		e.evaluate()
	}
	if err := e.s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.s = newTestServer(t, Config{DataDir: dir, Now: e.clk.Now})
	for run := 3; run < anomalyTrainingRuns; run++ {
		e.put(steady(run)...)
		e.evaluate()
	}
	if st := e.status(); st != adAnalyzing {
		t.Fatalf("status %s after %d evaluations across a restart", st, anomalyTrainingRuns)
	}
	e.put(steady(anomalyTrainingRuns)...)
	e.evaluate()
	if got := e.anomalies(nil); len(got) != 0 {
		t.Fatalf("steady traffic after a restart gave anomalies (the patterns learnt before were lost?): %v", got)
	}
	e.put(errorLines(anomalyTrainingRuns+1, 3)...)
	e.evaluate()
	before := e.anomalies(nil)
	if len(before) != 1 {
		t.Fatalf("%d anomalies, want 1", len(before))
	}
	if err := e.s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.s = newTestServer(t, Config{DataDir: dir, Now: e.clk.Now})
	after := e.anomalies(nil)
	if len(after) != 1 || fmt.Sprint(after[0]) != fmt.Sprint(before[0]) {
		t.Errorf("after a restart the anomalies are %v, were %v", after, before)
	}
}

// holdEvaluation makes the next evaluation wait, once started (started is then closed),
// until it is stopped (Shutdown, DeleteLogAnomalyDetector).
func (e *adEnv) holdEvaluation() (started <-chan struct{}) {
	ch := make(chan struct{})
	e.s.anom.mu.Lock()
	e.s.anom.beforeRun = func(ctx context.Context, _, _ string) {
		close(ch)
		<-ctx.Done()
	}
	e.s.anom.mu.Unlock()
	return ch
}

// TestAnomalyShutdown: Shutdown abandons an evaluation in flight (nothing recorded) and
// stops the runner; the next server makes the evaluation.
func TestAnomalyShutdown(t *testing.T) {
	dir := t.TempDir()
	e := newADEnv(t, dir, nil)
	started := e.holdEvaluation()
	e.put(steady(0)...)
	e.advance(time.Minute)
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the evaluation did not start")
	}
	done := make(chan error, 1)
	go func() { done <- e.s.Shutdown(context.Background()) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Shutdown did not end the evaluation in flight")
	}
	checkAnomalyRunnerGone(t)
	e.s = newTestServer(t, Config{DataDir: dir, Now: e.clk.Now})
	e.s.anom.kick()
	e.waitRuns(1)
}

// TestAnomalyDeleteDuringEvaluation: DeleteLogAnomalyDetector stops the evaluation in
// flight and waits for it; nothing of the detector remains.
func TestAnomalyDeleteDuringEvaluation(t *testing.T) {
	e := newADEnv(t, "", nil)
	started := e.holdEvaluation()
	e.put(steady(0)...)
	e.advance(time.Minute)
	<-started
	mustOK(t, e.s, "DeleteLogAnomalyDetector", m{"anomalyDetectorArn": e.arn})
	for _, table := range []string{"anomaly_detectors", "anomaly_patterns", "anomalies", "anomaly_detector_groups"} {
		var n int
		if err := e.s.st.r.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d rows (%v) after the delete", table, n, err)
		}
	}
}
