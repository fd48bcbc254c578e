package insights

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestProgress feeds records one at a time and checks Progress after each against the
// answer of the same query over the records so far (a fresh run): rows and counts. For
// queries without stats and sort, those rows must also be the first rows of the final
// answer; and showing intermediate answers must not change the final one.
func TestProgress(t *testing.T) {
	msgs := []string{"GET /a 200", "POST /b 500", "GET /c 404", "GET /a 200", "PUT /d 201", "GET /e 500"}
	recs := make([]Record, len(msgs))
	for i, msg := range msgs {
		recs[i] = Record{Timestamp: int64(10_000 - 1000*i), Message: msg, Ptr: fmt.Sprint(i)}
	}
	answer := func(q *Query, recs []Record, progress func(int, Result)) *Result {
		run := q.NewRun(Options{})
		for i := range recs {
			run.Add(&recs[i])
			if progress != nil {
				run.Publish()
				progress(i, run.Progress())
			}
		}
		return run.Result()
	}
	for _, c := range []struct {
		q      string
		prefix bool // rows are the first rows of the final answer
	}{
		{"fields @message", true},
		{`filter @message like "GET" | display @message`, true},
		{`parse @message "* * *" as verb, path, status | filter status >= 400`, true},
		{"limit 2", true},
		{"dedup @message", true},
		{"stats count(*) by bin(1s)", false},
		{`parse @message "* * *" as verb, path, status | stats count(*) as n, pct(status, 50) as p by verb | sort n desc`, false},
		{"stats count(*) as n", false},
		{"sort @message asc", false},
		{"fields @message | sort @message | limit 2", false},
		// The commands after the sort change the rows they are given: intermediate
		// answers must give them copies.
		{"fields @message as a, @timestamp as b | sort a | fields b as a, a as b | limit 3", false},
		{`parse @message "* * *" as verb, path, status | fields concat(path, "?") as a | sort a | fields concat(a, "!") as a`, false},
		{"sort @timestamp asc | stats count(*) as n by @message | sort n desc", false},
		{"pattern @message", false},
		{"sort @timestamp asc | pattern @message | sort @sampleCount asc | limit 2", false},
	} {
		t.Run(c.q, func(t *testing.T) {
			q, err := Parse(c.q)
			if err != nil {
				t.Fatal(err)
			}
			if p := q.NewRun(Options{}).Progress(); len(p.Rows) != 0 || p.RecordsScanned != 0 {
				t.Fatalf("before any record: %+v", p)
			}
			var progress []Result
			res := answer(q, recs, func(_ int, p Result) { progress = append(progress, p) })
			if plain := answer(q, recs, nil); fmt.Sprint(plain) != fmt.Sprint(res) {
				t.Errorf("final answer with progress shown:\n%v\nwithout:\n%v", res, plain)
			}
			for i, p := range progress {
				want := answer(q, recs[:i+1], nil)
				if fmt.Sprint(p.Rows) != fmt.Sprint(want.Rows) || p.RecordsScanned != want.RecordsScanned ||
					p.RecordsMatched != want.RecordsMatched || p.BytesScanned != want.BytesScanned {
					t.Errorf("after %d records: %v\nwant the answer over them: %v", i+1, p, *want)
				}
				if c.prefix && (len(p.Rows) > len(res.Rows) || !slices.EqualFunc(p.Rows, res.Rows[:len(p.Rows)], slices.Equal)) {
					t.Errorf("after %d records: rows %v are not the first rows of %v", i+1, p.Rows, res.Rows)
				}
			}
		})
	}
}

// TestProgressStatsWithoutPublish checks that Add makes an intermediate answer by itself
// once Progress has asked for one, within publishEvery records, and not before; and not
// again within snapEvery.
func TestProgressStatsWithoutPublish(t *testing.T) {
	q, _ := Parse(`stats count(*) as n`)
	run := q.NewRun(Options{})
	run.snapEvery = 0 // not to depend on the clock
	add := func(n int) {
		for range n {
			run.Add(&Record{Timestamp: 1, Message: "m"})
		}
	}
	add(3 * publishEvery)
	if p := run.Progress(); len(p.Rows) != 0 || p.RecordsScanned != 3*publishEvery {
		t.Fatalf("before any was asked for: %+v", p)
	}
	add(publishEvery)
	p := run.Progress()
	if len(p.Rows) != 1 || p.Rows[0][0].Value != fmt.Sprint(4*publishEvery) {
		t.Fatalf("after it was asked for: %+v", p)
	}
	add(publishEvery)
	if p := run.Progress(); p.Rows[0][0].Value != fmt.Sprint(5*publishEvery) {
		t.Fatalf("asked for again: %v", p.Rows)
	}
	run.snapEvery = time.Hour
	run.Progress()
	add(publishEvery)
	if p := run.Progress(); p.Rows[0][0].Value != fmt.Sprint(5*publishEvery) || p.RecordsScanned != 6*publishEvery {
		t.Fatalf("asked for within snapEvery: %v, scanned %d", p.Rows, p.RecordsScanned)
	}
	if res := run.Result(); res.Rows[0][0].Value != fmt.Sprint(6*publishEvery) {
		t.Fatalf("result: %v", res.Rows)
	}
}

// TestCountsAsksForNothing checks that Counts answers the counts so far without asking
// for an intermediate answer, as Progress does.
func TestCountsAsksForNothing(t *testing.T) {
	q, _ := Parse(`stats count(*) as n`)
	run := q.NewRun(Options{})
	run.snapEvery = 0
	for range 3 {
		for range 2 * publishEvery {
			run.Add(&Record{Timestamp: 1, Message: "m"})
		}
		if c := run.Counts(); c.RecordsScanned != run.scanned || c.RecordsMatched != run.matched || c.BytesScanned != run.bytes || c.Rows != nil {
			t.Fatalf("Counts() = %+v after %d records", c, run.scanned)
		}
	}
	if run.want.Load() || run.pub.Rows != nil {
		t.Fatalf("Counts asked for an intermediate answer: %v", run.pub.Rows)
	}
	run.Progress()
	run.Add(&Record{Timestamp: 1, Message: "m"})
	run.Publish()
	if p := run.Progress(); len(p.Rows) != 1 || p.Rows[0][0].Value != fmt.Sprint(6*publishEvery+1) {
		t.Fatalf("Progress after Counts: %+v", p.Rows)
	}
}

// TestProgressWithoutPublish checks that Add publishes by itself: each new row at once,
// and the counts at least every publishEvery records.
func TestProgressWithoutPublish(t *testing.T) {
	q, _ := Parse(`filter @message = "hit"`)
	run := q.NewRun(Options{})
	for i := range 3 * publishEvery {
		msg := "miss"
		if i == 5 {
			msg = "hit"
		}
		run.Add(&Record{Timestamp: int64(1e6 - i), Message: msg})
		p := run.Progress()
		if want := min(1, i/5); len(p.Rows) != want {
			t.Fatalf("after %d records: %d rows, want %d", i+1, len(p.Rows), want)
		}
		if lag := int64(i+1) - p.RecordsScanned; lag < 0 || lag >= publishEvery {
			t.Fatalf("after %d records: Progress counts %d", i+1, p.RecordsScanned)
		}
	}
}

// TestProgressConcurrent reads Progress while another goroutine feeds the run (run it
// with -race): what a reader holds is never changed by later Adds.
func TestProgressConcurrent(t *testing.T) {
	q, _ := Parse("fields @message")
	run := q.NewRun(Options{Limit: 5000})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			p := run.Progress()
			for i, r := range p.Rows {
				if len(r) == 0 || r[0].Value != fmt.Sprint("m", i) {
					t.Errorf("row %d = %v", i, r)
					return
				}
			}
		}
	})
	for i := range 5000 {
		run.Add(&Record{Timestamp: int64(1e6 - i), Message: fmt.Sprint("m", i), Ptr: "p"})
	}
	close(stop)
	wg.Wait()
	if res := run.Result(); len(res.Rows) != 5000 {
		t.Errorf("%d rows", len(res.Rows))
	}
}
