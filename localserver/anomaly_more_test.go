package localserver

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cwlogs/cwlogs/localserver/patterns"
)

// TestAnomalyListPaging: ListAnomalies pages by limit, every anomaly once (of every
// detector when none is named), and refuses a token of another listing.
func TestAnomalyListPaging(t *testing.T) {
	e := newADEnv(t, "", nil)
	e.train()
	run := anomalyTrainingRuns
	e.put(steady(run)...)
	for j := range 3 {
		e.put(fmt.Sprintf("ERROR disk full on /dev/sda%d", j),
			fmt.Sprintf("FATAL: certificate for host%d.example.org expired", j),
			fmt.Sprintf("WARN queue=orders backlog=%d limit=1000 consumers=[a, b]", 1500+j))
	}
	e.evaluate()
	all := e.anomalies(nil)
	if len(all) != 3 {
		t.Fatalf("%d anomalies, want 3: %v", len(all), all)
	}
	items, pages := pageItems(t, e.s, "ListAnomalies", m{"limit": 1}, "anomalies", 10)
	if pages != 3 || len(items) != 3 {
		t.Fatalf("%d anomalies in %d pages of 1, want 3 in 3", len(items), pages)
	}
	var ids, want []string
	for i := range items {
		ids = append(ids, items[i]["anomalyId"].(string))
		want = append(want, all[i]["anomalyId"].(string))
	}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("paged %v, want each anomaly once by id %v", ids, want)
	}
	r := mustOK(t, e.s, "ListAnomalies", m{"limit": 1, "suppressionState": "UNSUPPRESSED"})
	tok, _ := r.body["nextToken"].(string)
	if tok == "" {
		t.Fatal("no nextToken")
	}
	if r := call(t, e.s, "ListAnomalies", m{"nextToken": tok}); r.errType() != codeInvalidParameter {
		t.Errorf("a token of another listing: %s", r.raw)
	}
}

// TestAnomalyRunnerRaces: detectors evaluated while others are created, updated, paused
// and deleted and the clock jumps; then Shutdown. Every detector left is consistent (no
// pattern or anomaly of a deleted detector remains) and no goroutine of the runner
// outlives Shutdown. Checked, found right; kept as a regression test (with -race). The
// clock jumps between requests, never within one (sqClock.steadily).
func TestAnomalyRunnerRaces(t *testing.T) {
	dir := t.TempDir()
	e := newADEnv(t, dir, nil)
	const detectors = 12
	var arns []string
	for range detectors {
		arns = append(arns, createAD(t, e.s, adInput("g", m{"evaluationFrequency": "ONE_MIN"})))
	}
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Go(func() {
			for i := w; i < detectors; i += 3 {
				e.clk.steadily(func() {
					switch i % 3 {
					case 0:
						mustOK(t, e.s, "DeleteLogAnomalyDetector", m{"anomalyDetectorArn": arns[i]})
					case 1:
						mustOK(t, e.s, "UpdateLogAnomalyDetector", m{"anomalyDetectorArn": arns[i], "enabled": i%2 == 0,
							"evaluationFrequency": "FIVE_MIN", "filterPattern": "INFO"})
					default:
						createAD(t, e.s, adInput("g", nil))
					}
				})
			}
		})
	}
	wg.Go(func() {
		for run := range 20 {
			e.put(steady(run)...)
			e.put(errorLines(run, run%4)...)
			e.advance(time.Minute)
			time.Sleep(time.Millisecond)
		}
		e.advance(time.Hour)
	})
	wg.Wait()
	time.Sleep(20 * time.Millisecond) // let evaluations start, so that Shutdown may interrupt some
	if err := e.s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, DatabaseFile)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var runs int
	if err := db.QueryRow(`SELECT coalesce(sum(runs), 0) FROM anomaly_detectors`).Scan(&runs); err != nil || runs == 0 {
		t.Fatalf("no evaluation made (%v): the checks prove nothing", err)
	}
	t.Logf("%d evaluations made", runs)
	for _, c := range []struct{ table, col string }{{"anomaly_patterns", "detector_id"}, {"anomalies", "detector_id"},
		{"anomaly_detector_groups", "detector_id"}, {"anomaly_detector_tags", "id"}} {
		var orphans int
		if err := db.QueryRow(`SELECT count(*) FROM ` + c.table + ` WHERE ` + c.col + ` NOT IN (SELECT id FROM anomaly_detectors)`).Scan(&orphans); err != nil {
			t.Fatal(err)
		}
		if orphans != 0 {
			t.Errorf("%s: %d rows of deleted detectors", c.table, orphans)
		}
	}
	checkAnomalyRunnerGone(t)
}

// FuzzCreateLogAnomalyDetector: whatever its members, CreateLogAnomalyDetector answers a
// detector that reads back as sent, or a 400 with a message; never a 5xx.
func FuzzCreateLogAnomalyDetector(f *testing.F) {
	f.Add("d", "FIVE_MIN", "ERROR", "arn:aws:kms:us-east-1:123456789012:key/abc-1", int64(21), groupArnOf("g"))
	f.Add("", "", "{ $.a = 1 }", "", int64(7), groupArnOf("g")+":*")
	f.Add("x/y", "ONE_HOUR", "[a, b, ...]", "arn:aws-cn:kms:cn-north-1:1:key/", int64(91), "arn:aws:logs:us-east-1:123456789012:log-group:nope")
	f.Add("ü", "one_min", "%a(b)%", "key", int64(-1), "not an arn")
	s := newTestServer(f, Config{})
	setupStream(f, s, "g", "s")
	f.Fuzz(func(t *testing.T, name, freq, filter, kms string, days int64, group string) {
		for _, v := range []string{name, freq, filter, kms, group} {
			if !utf8.ValidString(v) {
				return // JSON would carry U+FFFD instead: not what the read-back compares
			}
		}
		in := m{"logGroupArnList": []string{group}, "filterPattern": filter, "anomalyVisibilityTime": days}
		for k, v := range map[string]string{"detectorName": name, "evaluationFrequency": freq, "kmsKeyId": kms} {
			if v != "" {
				in[k] = v
			}
		}
		r := call(t, s, "CreateLogAnomalyDetector", in)
		if r.status != 200 {
			if r.status != 400 || r.message() == "" {
				t.Fatalf("CreateLogAnomalyDetector: %d %s", r.status, r.raw)
			}
			return
		}
		arn := r.body["anomalyDetectorArn"].(string)
		g := mustOK(t, s, "GetLogAnomalyDetector", m{"anomalyDetectorArn": arn}).body
		if g["filterPattern"] != filter || num(t, g["anomalyVisibilityTime"]) != days || fmt.Sprint(g["logGroupArnList"]) != "["+group+"]" ||
			(name != "" && g["detectorName"] != name) || (freq != "" && g["evaluationFrequency"] != freq) || (kms != "" && g["kmsKeyId"] != kms) {
			t.Fatalf("read back %v", g)
		}
		mustOK(t, s, "DeleteLogAnomalyDetector", m{"anomalyDetectorArn": arn})
	})
}

// BenchmarkAnomalyEvaluation: one evaluation of a trained detector over a window of
// 10,000 events of a dozen shapes (reading, masking, clustering, matching and recording).
func BenchmarkAnomalyEvaluation(b *testing.B) {
	const n = 10_000
	s := newTestServer(b, Config{})
	setupStream(b, s, "g", "s")
	arn := createAD(b, s, adInput("g", m{"evaluationFrequency": "ONE_MIN"}))
	id := arn[strings.LastIndexByte(arn, ':')+1:]
	shapes := []string{
		"INFO request handled path=/api/items/%d status=200 in %dms",
		"DEBUG cache hit key=user:%d shard=%d",
		"WARN slow query took %dms rows=%d",
		"ERROR payment failed for order %d: upstream timeout after %dms",
		`{"level":"info","msg":"job done","job":%d,"ms":%d}`,
		"127.0.0.1 - - [01/Jun/2025:12:00:00 +0000] \"GET /static/%d.png HTTP/1.1\" 200 %d",
		"user %d logged in from 10.0.0.%d",
		"worker-%d heartbeat seq=%d",
		"retrying connection to db-%d (attempt %d)",
		"GC pause %dus heap=%dMB",
		"session %d expired after %ds",
		"uploaded file part %d of %d",
	}
	evs := make([]m, 0, n)
	for i := range n {
		evs = append(evs, m{"timestamp": nowMs(), "message": fmt.Sprintf(shapes[i%len(shapes)], i, i%977)})
	}
	for len(evs) > 0 {
		k := min(len(evs), 5000)
		mustOK(b, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": evs[:k]})
		evs = evs[k:]
	}
	// Trained: the runs count past training, so each evaluation matches known patterns.
	if aerr := s.write(func(tx *sql.Tx) *apiError {
		_, err := tx.Exec(`UPDATE anomaly_detectors SET runs = ?`, anomalyTrainingRuns)
		if err != nil {
			return s.dbErr(err)
		}
		return nil
	}); aerr != nil {
		b.Fatal(aerr)
	}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		if aerr := s.write(func(tx *sql.Tx) *apiError {
			_, err := tx.Exec(`UPDATE anomaly_detectors SET last_run = ?, next_run = ? WHERE id = ?`, nowMs(), nowMs()+60_000, id)
			if err != nil {
				return s.dbErr(err)
			}
			return nil
		}); aerr != nil {
			b.Fatal(aerr)
		}
		b.StartTimer()
		s.evaluateDetector(id, nowMs()+60_000)
	}
	b.StopTimer()
	var counted, known float64
	if err := s.st.r.QueryRow(`SELECT coalesce(sum(sum), 0), count(*) FROM anomaly_patterns`).Scan(&counted, &known); err != nil {
		b.Fatal(err)
	}
	if counted != float64(n*b.N) || known < 12 {
		b.Fatalf("the evaluations counted %v events in %v patterns, want %d in at least 12", counted, known, n*b.N)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// TestAnomalyMaskedText: a detector evaluates events as masked by the group's data
// protection policy ("Any parts of log events that are masked as sensitive data are not
// scanned for anomalies"): the anomaly's samples and token values hold the masked text.
func TestAnomalyMaskedText(t *testing.T) {
	e := newADEnv(t, "", nil)
	mustOK(t, e.s, "PutDataProtectionPolicy", m{"logGroupIdentifier": "g", "policyDocument": dpDoc("", "EmailAddress")})
	e.train()
	e.put(steady(anomalyTrainingRuns)...)
	e.put("ERROR mail to ann@example.com bounced", "ERROR mail to bob@example.org bounced")
	e.evaluate()
	list := e.anomalies(nil)
	if len(list) != 1 {
		t.Fatalf("%d anomalies, want the bounce: %v", len(list), list)
	}
	raw := fmt.Sprint(list[0])
	if strings.Contains(raw, "example.com") || strings.Contains(raw, "bob@") || !strings.Contains(raw, "***") {
		t.Errorf("the anomaly shows the clear text, or no masked text: %s", raw)
	}
}

// TestMatchKnown: a window's cluster is a known pattern when the known regex matches its
// samples (the pattern less generalised in this window) or the cluster's regex matches
// the known pattern's sample (more generalised); the overflow-like "<*>" matches only by ID.
func TestMatchKnown(t *testing.T) {
	train := patterns.New(patterns.Options{})
	for i, who := range []string{"ann", "bob", "cy", "dee", "eve"} {
		train.Add(fmt.Sprintf("user %s logged in from %s", who, []string{"home", "office"}[i%2]), 0)
	}
	tp := train.Patterns()[0]
	known := []*knownPattern{{id: tp.ID(), template: tp.String(), regex: tp.Regex(), sample: tp.Samples()[0].Message}}
	cluster := func(msgs ...string) *patterns.Pattern {
		c := patterns.New(patterns.Options{})
		for _, msg := range msgs {
			c.Add(msg, 0)
		}
		return c.Patterns()[0]
	}
	narrow := cluster("user zed logged in from lab", "user zed logged in from lab")
	if narrow.ID() == tp.ID() {
		t.Fatalf("the narrow cluster %q has the trained ID: the case proves nothing", narrow)
	}
	budget := matchBudget
	if got, _ := matchKnown(context.Background(), known, narrow, &budget); got != known[0] {
		t.Errorf("%q did not match the known %q", narrow, tp)
	}
	// Too little budget left to run the regex over the samples: spent, no match made.
	for _, left := range []int64{0, int64(len(narrow.Samples()[0].Message)) - 1} {
		budget := left
		if got, spent := matchKnown(context.Background(), known, narrow, &budget); got != nil || !spent || budget != left {
			t.Errorf("budget %d: matched %v, spent %v, budget left %d; want nil, true, %d", left, got, spent, budget, left)
		}
	}
	other := cluster("disk sda full", "disk sdb full")
	if got, _ := matchKnown(context.Background(), known, other, &budget); got != nil {
		t.Errorf("%q matched the known %q", other, tp)
	}
	// Known narrow (one value seen), window general: the window's regex matches the sample.
	knownNarrow := []*knownPattern{{id: narrow.ID(), template: narrow.String(), regex: narrow.Regex(), sample: narrow.Samples()[0].Message}}
	if got, _ := matchKnown(context.Background(), knownNarrow, tp, &budget); got != knownNarrow[0] {
		t.Errorf("the general %q did not match the known narrow %q", tp, narrow)
	}
	anything := []*knownPattern{{id: "x", template: "<*>", regex: "(?s)^(.*)$", sample: "zzz"}}
	if got, _ := matchKnown(context.Background(), anything, other, &budget); got != nil {
		t.Errorf("%q matched the catch-all pattern", other)
	}
}

// TestAnomalyBounds: an anomaly keeps at most maxHistogramEntries evaluations and
// maxAnomalySamples samples; a detector at most maxDetectorPatterns patterns.
func TestAnomalyBounds(t *testing.T) {
	e := newADEnv(t, "", m{"anomalyVisibilityTime": 90})
	e.train()
	for run := range maxHistogramEntries + 5 {
		e.put(errorLines(run, 3)...)
		e.evaluate()
	}
	found := e.anomalies(nil)
	if len(found) != 1 {
		t.Fatalf("%d anomalies, want 1", len(found))
	}
	if h, s := len(found[0]["histogram"].(map[string]any)), len(list(found[0]["logSamples"])); h != maxHistogramEntries || s != maxAnomalySamples {
		t.Errorf("%d histogram entries and %d samples, want %d and %d", h, s, maxHistogramEntries, maxAnomalySamples)
	}

	// Distinct first words make distinct patterns.
	word := func(i int) string {
		b := []byte("aaaa")
		for j := 3; j >= 0; j-- {
			b[j] = byte('a' + i%26)
			i /= 26
		}
		return string(b)
	}
	var msgs []string
	for i := range maxDetectorPatterns + 50 {
		msgs = append(msgs, word(i)+" happened")
	}
	e.put(msgs...)
	e.evaluate()
	var n int
	if err := e.s.st.r.QueryRow(`SELECT count(*) FROM anomaly_patterns WHERE detector_id = ?`, e.id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != maxDetectorPatterns {
		t.Errorf("the detector knows %d patterns, want the bound %d", n, maxDetectorPatterns)
	}
}
