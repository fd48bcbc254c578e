package insights

import (
	"strings"
	"testing"
	"unsafe"
)

// TestStatsStateOwnsItsText checks that what stats keeps across records (group values,
// distinct values, min, max, earliest, latest) does not share memory with the records'
// messages: the server's messages are slices of whole decompressed chunks, which a
// high-cardinality stats would otherwise keep alive, one chunk per group.
func TestStatsStateOwnsItsText(t *testing.T) {
	msg := `{"u":"user-1"}`
	chunk := msg + strings.Repeat(" other events", 1000)
	start := uintptr(unsafe.Pointer(unsafe.StringData(chunk)))
	inChunk := func(s string) bool {
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		return s != "" && p >= start && p < start+uintptr(len(chunk))
	}
	q, err := Parse("stats count_distinct(u), min(u), max(u), earliest(u), latest(u) by u")
	if err != nil {
		t.Fatal(err)
	}
	run := q.NewRun(Options{})
	rec := Record{Timestamp: 1, Message: chunk[:len(msg)], Ptr: "p"}
	run.Add(&rec)
	st := run.head.(*counter).next.(*stats)
	var kept []string
	for _, g := range st.order {
		for _, v := range g.by {
			kept = append(kept, v.s)
		}
		for _, a := range g.accs {
			switch a := a.(type) {
			case *distinctAcc:
				for k := range a.seen {
					kept = append(kept, k)
				}
			case *extremeAcc:
				kept = append(kept, a.best.s)
			case *timeAcc:
				kept = append(kept, a.v.s)
			}
		}
	}
	if len(kept) != 6 {
		t.Fatalf("found %d kept values, want 6", len(kept))
	}
	for _, s := range kept {
		if s != "user-1" || inChunk(s) {
			t.Errorf("kept %q (in the message's memory: %v)", s, inChunk(s))
		}
	}
}

// TestResultRowsOwnTheirText: the rows a query returns do not share memory with the
// records' messages, which the server keeps only while it scans a chunk; before, the
// server copied every row after the scan, while the rows kept whole chunks alive during it.
func TestResultRowsOwnTheirText(t *testing.T) {
	msg := `{"u":"user-1"}`
	chunk := msg + strings.Repeat(" other events", 1000)
	start := uintptr(unsafe.Pointer(unsafe.StringData(chunk)))
	q, err := Parse("fields @message, u")
	if err != nil {
		t.Fatal(err)
	}
	run := q.NewRun(Options{})
	rec := Record{Timestamp: 1, Message: chunk[:len(msg)], Ptr: "p"}
	run.Add(&rec)
	res := run.Result()
	if len(res.Rows) != 1 {
		t.Fatalf("%d rows, want 1", len(res.Rows))
	}
	for _, f := range res.Rows[0] {
		p := uintptr(unsafe.Pointer(unsafe.StringData(f.Value)))
		if f.Value != "" && p >= start && p < start+uintptr(len(chunk)) {
			t.Errorf("%s = %q is in the message's memory", f.Name, f.Value)
		}
	}
}
