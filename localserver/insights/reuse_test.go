package insights

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"
)

// TestReusedRecordText feeds queries that do not keep their Records (KeepsRecords false)
// the way a scanner reusing its buffers would: one Record, whose text (message, stream,
// group) is a view of one byte buffer overwritten for every record and scrambled after
// each Add. Whatever the query keeps across records (stats groups and aggregates, dedup
// keys, result rows) and whatever Progress returned must be unchanged by that: the
// final answer and every intermediate answer, checked again at the end, must equal those
// of the same records given as ordinary strings.
func TestReusedRecordText(t *testing.T) {
	var recs []Record
	streams := []string{"alpha", "beta", "gamma"}
	for i := range 40 {
		msg := fmt.Sprintf(`{"u":"user-%d","v":%d,"g":"g%d","t":"%s"}`, i%7, (i*37)%11, i%3, strings.Repeat("x", i%5))
		if i%4 == 3 {
			msg = fmt.Sprintf("u=user-%d v=%d plain", i%5, i)
		}
		recs = append(recs, Record{Timestamp: 1_700_000_000_000 - 1700*int64(i), IngestionTime: 1_700_000_000_000 - 1700*int64(i) + 3,
			Message: msg, LogGroup: "1:grp-" + streams[i%2], LogStream: streams[i%3], Ptr: fmt.Sprint("p", i)})
	}
	for _, src := range []string{
		`stats count(*) as n, count_distinct(u) as d, min(u) as lo, max(u) as hi, earliest(u) as e, latest(u) as l, pct(v, 50) as p, sum(v) as s by g`,
		`stats earliest(@message) as first, latest(@message) as last, max(@logStream) as ms, min(@log) as ml, count_distinct(@message) as dm`,
		`stats count(*) as n by @logStream, @log, bin(5s) | sort n desc`,
		`parse @message "u=* v=* " as pu, pv | filter ispresent(pu) | stats count(*) as n, max(pv) as m by pu`,
		`parse @message /"u":"(?<name>[^"]+)"/ | stats count(*) as n, latest(t) as lt by name | sort name asc`,
		`fields concat(u, "/", @logStream) as k, t | dedup k`,
		`dedup @logStream, g`,
		`filter v > 3 | fields u, @logStream, @log, toupper(g) as G | limit 12`,
		`fields @message, @logStream`,
		`display @ptr, u`,
		`stats count(*) as n by u | stats count(*) as groups, max(u) as top`,
		`pattern @message`,
		`parse @message "u=* v=* " as pu, pv | pattern concat(pu, " ", @logStream) | sort @ratio asc`,
	} {
		t.Run(src, func(t *testing.T) {
			q, err := Parse(src)
			if err != nil {
				t.Fatal(err)
			}
			if q.NewRun(Options{}).KeepsRecords() {
				t.Fatal("the query keeps its records")
			}
			// The reference: ordinary strings, one Record each.
			ref := q.NewRun(Options{})
			var refProgress []string
			for i := range recs {
				ref.Add(&recs[i])
				ref.Publish()
				refProgress = append(refProgress, fmt.Sprint(ref.Progress()))
			}
			want := fmt.Sprint(*ref.Result())

			buf := make([]byte, 512)
			view := func(off int, s string) string {
				copy(buf[off:], s)
				return unsafe.String(&buf[off], len(s))
			}
			scramble := func() {
				for i := range buf {
					buf[i] = "#@{}\"0123456789"[i%15]
				}
			}
			run := q.NewRun(Options{})
			var rec Record
			var kept []Result
			for i, r := range recs {
				// The text moves within the buffer: what a retained view shows then differs
				// from what it showed, even where records have the same text.
				rec = Record{Timestamp: r.Timestamp, IngestionTime: r.IngestionTime, Message: view(i%5, r.Message),
					LogGroup: view(300, r.LogGroup), LogStream: view(400, r.LogStream), Ptr: view(450, r.Ptr)}
				run.Add(&rec)
				scramble()
				run.Publish()
				p := run.Progress()
				if got := fmt.Sprint(p); got != refProgress[i] {
					t.Fatalf("after %d records: %s\nwant %s", i+1, got, refProgress[i])
				}
				kept = append(kept, p)
				scramble()
			}
			if got := fmt.Sprint(*run.Result()); got != want {
				t.Errorf("result:\n%s\nwant:\n%s", got, want)
			}
			scramble()
			for i, p := range kept {
				if got := fmt.Sprint(p); got != refProgress[i] {
					t.Errorf("what Progress answered after %d records has changed since: %s\nwant %s", i+1, got, refProgress[i])
				}
			}
		})
	}
}
