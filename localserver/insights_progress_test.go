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
// three records, and the rows the same query gives over only those three (a time range
// that holds just them); for queries without stats and sort, those rows are the first
// rows of the final answer.
func TestInsightsPartialResults(t *testing.T) {
	s := newTestServer(t, Config{})
	base := insightsFixture(t, s)
	in := func(q string, fromSec int64) m {
		return m{"logGroupNames": []string{"app", "web"}, "startTime": base/1000 + fromSec, "endTime": base/1000 + 10, "queryString": q}
	}
	for _, c := range []struct {
		q      string
		prefix bool // rows are final once found
	}{
		{"fields @timestamp, @message", true},
		{`filter @message like "GET" | fields @message`, true},
		{`filter level = "ERROR"`, true}, // none of the first three matches
		{"fields @timestamp | limit 2", true},
		{"dedup @logStream", true},
		{"stats count(*) by @logStream", false},
		{"stats count(*) as n, max(latency) as worst", false},
		{"sort @timestamp asc | limit 2", false},
		{"fields @log as g | stats count(*) as n by g | sort n asc", false},
	} {
		t.Run(c.q, func(t *testing.T) {
			reg := s.queries()
			reg.mu.Lock()
			reg.afterRecord = nil
			reg.mu.Unlock()
			// The same query over the three newest records (base+3s to base+5s).
			ref := waitQuery(t, s, startQuery(t, s, in(c.q, 3)), nil)
			refSt := ref.body["statistics"].(map[string]any)
			if fnum(t, refSt["recordsScanned"]) != 3 {
				t.Fatalf("reference query: %s", ref.raw)
			}

			rel := make(chan struct{})
			paused := pauseQueries(t, s, 3, rel)
			id := startQuery(t, s, in(c.q, 0))
			waitPaused(t, paused)
			r := mustOK(t, s, "GetQueryResults", m{"queryId": id})
			if r.body["status"] != "Running" {
				t.Fatalf("paused query: %s", r.raw)
			}
			st := r.body["statistics"].(map[string]any)
			for _, k := range []string{"recordsScanned", "recordsMatched", "bytesScanned"} {
				if fnum(t, st[k]) != fnum(t, refSt[k]) {
					t.Errorf("%s while paused after 3 records: %v; over those records: %v", k, st[k], refSt[k])
				}
			}
			var desc map[string]any
			qs, _ := pageItems(t, s, "DescribeQueries", m{"status": "Running"}, "queries", 10)
			for _, q := range qs {
				if q["queryId"] == id {
					desc = q
				}
			}
			if desc == nil || fnum(t, desc["bytesScanned"]) != fnum(t, refSt["bytesScanned"]) {
				t.Errorf("DescribeQueries while paused: %v", qs)
			}
			partRows, partPtrs := rowsOf(r), ptrsOf(r)
			if want := rowsOf(ref); strings.Join(partRows, "\n") != strings.Join(want, "\n") || !slices.Equal(partPtrs, ptrsOf(ref)) {
				t.Errorf("rows while paused:\n%s\nwant those over the first three records:\n%s", strings.Join(partRows, "\n"), strings.Join(want, "\n"))
			}
			close(rel)
			final := waitQuery(t, s, id, nil)
			if final.body["status"] != "Complete" {
				t.Fatalf("final: %s", final.raw)
			}
			if fs := final.body["statistics"].(map[string]any); fnum(t, fs["recordsScanned"]) != 6 {
				t.Errorf("final statistics: %v", fs)
			}
			if fp := ptrsOf(final); c.prefix && (len(partPtrs) > len(fp) || !slices.Equal(partPtrs, fp[:len(partPtrs)])) {
				t.Errorf("partial @ptrs %v are not the first of %v", partPtrs, fp)
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
