package localserver

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

// pauseQueries makes every query of s started from now on pause after its n-th record
// until release is closed (or the query's context ends), sending on the returned channel
// when it pauses.
func pauseQueries(t *testing.T, s *Server, n int, release <-chan struct{}) <-chan struct{} {
	t.Helper()
	paused := make(chan struct{})
	reg := s.queries()
	reg.mu.Lock()
	reg.afterRecord = func(ctx context.Context, i int) {
		if i != n {
			return
		}
		paused <- struct{}{}
		select {
		case <-release:
		case <-ctx.Done():
		}
	}
	reg.mu.Unlock()
	return paused
}

// waitPaused waits for a query to pause (pauseQueries).
func waitPaused(t *testing.T, paused <-chan struct{}) {
	t.Helper()
	select {
	case <-paused:
	case <-time.After(10 * time.Second):
		t.Fatal("the query did not pause")
	}
}

// TestInsightsPartialResults pauses queries after their third record (of six, newest
// first) and checks GetQueryResults meanwhile: status Running, the statistics of the
// three records, and, for queries without stats and sort, the rows of those records that
// the final answer has, in its order (rows are final once found); none for stats or sort.
func TestInsightsPartialResults(t *testing.T) {
	s := newTestServer(t, Config{})
	base := insightsFixture(t, s)
	in := func(q string) m {
		return m{"logGroupNames": []string{"app", "web"}, "startTime": base / 1000, "endTime": base/1000 + 10, "queryString": q}
	}
	// The three newest records (where the queries pause) and their bytes, from a query
	// that is not paused.
	ref := waitQuery(t, s, startQuery(t, s, in("fields @timestamp, @message")), nil)
	refRows := list(ref.body["results"])
	if len(refRows) != 6 {
		t.Fatalf("reference query: %s", ref.raw)
	}
	var firstThree []string // their @ptr
	bytes3 := 0
	for _, r := range refRows[:3] {
		for _, f := range list(r) {
			fm := f.(map[string]any)
			switch fm["field"] {
			case "@message":
				bytes3 += len(fm["value"].(string))
			case "@ptr":
				firstThree = append(firstThree, fm["value"].(string))
			}
		}
	}

	for _, c := range []struct {
		q       string
		partial bool // rows show while running
	}{
		{"fields @timestamp, @message", true},
		{`filter @message like "GET" | fields @message`, true},
		{`filter level = "ERROR"`, true}, // none of the first three matches
		{"fields @timestamp | limit 2", true},
		{"dedup @logStream", true},
		{"stats count(*) by @logStream", false},
		{"sort @timestamp asc | limit 2", false},
	} {
		t.Run(c.q, func(t *testing.T) {
			rel := make(chan struct{})
			paused := pauseQueries(t, s, 3, rel)
			id := startQuery(t, s, in(c.q))
			waitPaused(t, paused)
			r := mustOK(t, s, "GetQueryResults", m{"queryId": id})
			if r.body["status"] != "Running" {
				t.Fatalf("paused query: %s", r.raw)
			}
			st := r.body["statistics"].(map[string]any)
			if fnum(t, st["recordsScanned"]) != 3 || fnum(t, st["bytesScanned"]) != float64(bytes3) || fnum(t, st["recordsMatched"]) > 3 {
				t.Errorf("statistics while paused after 3 records of %d bytes: %v", bytes3, st)
			}
			var desc map[string]any
			qs, _ := pageItems(t, s, "DescribeQueries", m{"status": "Running"}, "queries", 10)
			for _, q := range qs {
				if q["queryId"] == id {
					desc = q
				}
			}
			if desc == nil || fnum(t, desc["bytesScanned"]) != float64(bytes3) {
				t.Errorf("DescribeQueries while paused: %v", qs)
			}
			partRows, partPtrs := rowsOf(r), ptrsOf(r)
			close(rel)
			final := waitQuery(t, s, id, nil)
			if final.body["status"] != "Complete" {
				t.Fatalf("final: %s", final.raw)
			}
			var want []string
			if c.partial {
				// The final rows of records among the first three, in the final order.
				fr, fp := rowsOf(final), ptrsOf(final)
				if len(fr) != len(fp) {
					t.Fatalf("final rows without @ptr: %s", final.raw)
				}
				for i := range fr {
					if slices.Contains(firstThree, fp[i]) {
						want = append(want, fr[i])
					}
				}
				if !slices.Equal(partPtrs, fp[:len(partPtrs)]) {
					t.Errorf("partial @ptrs %v are not the first of %v", partPtrs, fp)
				}
			}
			if strings.Join(partRows, "\n") != strings.Join(want, "\n") {
				t.Errorf("rows while paused:\n%s\nwant:\n%s", strings.Join(partRows, "\n"), strings.Join(want, "\n"))
			}
			if fs := final.body["statistics"].(map[string]any); fnum(t, fs["recordsScanned"]) != 6 {
				t.Errorf("final statistics: %v", fs)
			}
		})
	}
}

// TestInsightsPartialResultsPaging pages through the rows of a running query.
func TestInsightsPartialResultsPaging(t *testing.T) {
	s := newTestServer(t, Config{})
	base := insightsFixture(t, s)
	release := make(chan struct{})
	defer close(release)
	paused := pauseQueries(t, s, 4, release)
	id := startQuery(t, s, m{"logGroupNames": []string{"app", "web"}, "startTime": base / 1000, "endTime": base/1000 + 10, "queryString": "fields @timestamp"})
	waitPaused(t, paused)
	items, pages := 0, 0
	in := m{"queryId": id, "maxItems": 3}
	for {
		r := mustOK(t, s, "GetQueryResults", in)
		pages++
		items += len(list(r.body["results"]))
		tok, ok := r.body["nextToken"].(string)
		if !ok {
			break
		}
		in["nextToken"] = tok
	}
	if pages != 2 || items != 4 {
		t.Errorf("%d pages of %d rows; want 2 pages of 4 rows", pages, items)
	}
}
