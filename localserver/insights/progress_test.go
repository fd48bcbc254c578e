package insights

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

// TestProgress feeds records one at a time and checks Progress after each: the counts so
// far and, for queries without stats or sort, the rows found so far, which must be the
// first rows of the final answer; queries with stats or sort show no rows.
func TestProgress(t *testing.T) {
	msgs := []string{"GET /a 200", "POST /b 500", "GET /c 404", "GET /a 200", "PUT /d 201", "GET /e 500"}
	for _, c := range []struct {
		q       string
		partial bool // rows show while running
	}{
		{"fields @message", true},
		{`filter @message like "GET" | display @message`, true},
		{`parse @message "* * *" as verb, path, status | filter status >= 400`, true},
		{"limit 2", true},
		{"dedup @message", true},
		{"stats count(*) by bin(1s)", false},
		{"sort @message asc", false},
		{"fields @message | sort @message | limit 2", false},
	} {
		t.Run(c.q, func(t *testing.T) {
			q, err := Parse(c.q)
			if err != nil {
				t.Fatal(err)
			}
			run := q.NewRun(Options{})
			if p := run.Progress(); len(p.Rows) != 0 || p.RecordsScanned != 0 {
				t.Fatalf("before any record: %+v", p)
			}
			var progress []Result
			for i, msg := range msgs {
				run.Add(&Record{Timestamp: int64(10_000 - 1000*i), Message: msg, Ptr: fmt.Sprint(i)})
				run.Publish()
				progress = append(progress, run.Progress())
			}
			res := run.Result()
			if len(res.Rows) == 0 {
				t.Fatal("no result rows")
			}
			for i, p := range progress {
				if p.RecordsScanned != int64(i+1) || p.RecordsMatched > p.RecordsScanned {
					t.Errorf("after %d records: scanned %d, matched %d", i+1, p.RecordsScanned, p.RecordsMatched)
				}
				if !c.partial {
					if len(p.Rows) != 0 {
						t.Errorf("after %d records: rows %v; want none until the end", i+1, p.Rows)
					}
					continue
				}
				if len(p.Rows) > len(res.Rows) || !slices.EqualFunc(p.Rows, res.Rows[:len(p.Rows)], slices.Equal) {
					t.Errorf("after %d records: rows %v are not the first rows of %v", i+1, p.Rows, res.Rows)
				}
				if i > 0 && len(p.Rows) < len(progress[i-1].Rows) {
					t.Errorf("after %d records: rows went from %d to %d", i+1, len(progress[i-1].Rows), len(p.Rows))
				}
			}
			if last := progress[len(progress)-1]; c.partial && len(last.Rows) != len(res.Rows) {
				t.Errorf("after the last record: %d rows; the result has %d", len(last.Rows), len(res.Rows))
			}
			if last := progress[len(progress)-1]; last.RecordsMatched != res.RecordsMatched {
				t.Errorf("matched: %d while running, %d at the end", last.RecordsMatched, res.RecordsMatched)
			}
		})
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
