package localserver

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type modelEvent struct {
	ts     int64
	seq    int // insertion order
	msg    string
	stream string
}

// fillRandom puts nBatches random batches (overlapping in time, some bigger than a chunk)
// into streams of group g and returns the model of what was stored, in service order.
func fillRandom(t *testing.T, s *Server, g string, streams []string, nBatches int, rng *rand.Rand) []modelEvent {
	t.Helper()
	var model []modelEvent
	seq := 0
	base := nowMs() - 3_600_000
	for b := 0; b < nBatches; b++ {
		st := streams[rng.IntN(len(streams))]
		n := 1 + rng.IntN(40)
		if b%7 == 3 {
			n = chunkMaxEvents + 1 + rng.IntN(500) // spans chunks
		}
		start := base + rng.Int64N(600_000)
		ts := start
		evs := make([]m, n)
		for i := range evs {
			ts += rng.Int64N(3) * rng.Int64N(50)
			msg := fmt.Sprintf("b%d-e%d %s", b, i, []string{"INFO", "WARN", "ERROR"}[rng.IntN(3)])
			evs[i] = m{"timestamp": ts, "message": msg}
			model = append(model, modelEvent{ts: ts, seq: seq, msg: msg, stream: st})
			seq++
		}
		mustOK(t, s, "PutLogEvents", m{"logGroupName": g, "logStreamName": st, "logEvents": evs})
	}
	slices.SortStableFunc(model, func(a, b modelEvent) int {
		if a.ts != b.ts {
			return int(a.ts - b.ts)
		}
		return a.seq - b.seq
	})
	return model
}

func filterModel(model []modelEvent, keep func(modelEvent) bool) []string {
	var out []string
	for _, e := range model {
		if keep(e) {
			out = append(out, e.msg)
		}
	}
	return out
}

func TestGetLogEventsPagingMatchesModel(t *testing.T) {
	s := newTestServer(t, Config{})
	setupStream(t, s, "g", "a")
	mustOK(t, s, "CreateLogStream", m{"logGroupName": "g", "logStreamName": "b"})
	rng := rand.New(rand.NewPCG(1, 2))
	model := fillRandom(t, s, "g", []string{"a", "b"}, 40, rng)
	want := filterModel(model, func(e modelEvent) bool { return e.stream == "a" })
	if len(want) < 2*chunkMaxEvents {
		t.Fatalf("model too small: %d", len(want))
	}
	mid := model[len(model)/2].ts
	for _, tc := range []struct {
		name       string
		limit      int
		start, end int64 // 0: absent
	}{
		{"default limit", 0, 0, 0},
		{"limit 1", 1, 0, 0},
		{"limit 333", 333, 0, 0},
		{"start inclusive end exclusive", 250, mid - 20_000, mid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.limit == 1 {
				want := want[:20]
				_ = want
			}
			exp := filterModel(model, func(e modelEvent) bool {
				return e.stream == "a" && (tc.start == 0 || e.ts >= tc.start) && (tc.end == 0 || e.ts < tc.end)
			})
			maxPages := len(exp) + 5
			if tc.limit == 1 {
				maxPages = 60
			}
			in := m{"logGroupName": "g", "logStreamName": "a", "startFromHead": true}
			if tc.limit > 0 {
				in["limit"] = tc.limit
			}
			if tc.start > 0 {
				in["startTime"] = tc.start
			}
			if tc.end > 0 {
				in["endTime"] = tc.end
			}
			// Forward from the head.
			var fwd []string
			for pages := 0; ; pages++ {
				r := mustOK(t, s, "GetLogEvents", in)
				for _, e := range list(r.body["events"]) {
					fwd = append(fwd, e.(map[string]any)["message"].(string))
				}
				tok := r.body["nextForwardToken"].(string)
				if tok == in["nextToken"] || pages > maxPages {
					break
				}
				if !strings.HasPrefix(tok, "f/") || len(tok) != 60 || !strings.HasSuffix(tok, "/s") {
					t.Fatalf("forward token %q", tok)
				}
				in["nextToken"] = tok
			}
			if tc.limit == 1 {
				exp = exp[:min(len(exp), len(fwd))]
			}
			if !slices.Equal(fwd, exp) {
				t.Fatalf("forward: %d events, want %d; first diff at %d", len(fwd), len(exp), firstDiff(fwd, exp))
			}
			if tc.limit == 1 {
				return
			}
			// Backward from the tail (the default direction), pages ascending inside.
			delete(in, "nextToken")
			delete(in, "startFromHead")
			var pages [][]string
			for n := 0; n <= maxPages; n++ {
				r := mustOK(t, s, "GetLogEvents", in)
				var page []string
				for _, e := range list(r.body["events"]) {
					page = append(page, e.(map[string]any)["message"].(string))
				}
				pages = append(pages, page)
				tok := r.body["nextBackwardToken"].(string)
				if tok == in["nextToken"] {
					break
				}
				in["nextToken"] = tok
			}
			var bwd []string
			for i := len(pages) - 1; i >= 0; i-- {
				bwd = append(bwd, pages[i]...)
			}
			if !slices.Equal(bwd, exp) {
				t.Fatalf("backward: %d events, want %d; first diff at %d", len(bwd), len(exp), firstDiff(bwd, exp))
			}
		})
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestGetLogEventsTokens(t *testing.T) {
	s := newTestServer(t, Config{})
	setupStream(t, s, "g", "s")
	mustOK(t, s, "CreateLogStream", m{"logGroupName": "g", "logStreamName": "other"})
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": events(nowMs()-3, nowMs()-2, nowMs()-1)})
	r := mustOK(t, s, "GetLogEvents", m{"logGroupName": "g", "logStreamName": "s", "limit": 2})
	// The default reads the tail: the last two events, ascending.
	if got := messages(r); got != "[event 1 event 2]" {
		t.Fatalf("tail page = %s", got)
	}
	back := r.body["nextBackwardToken"].(string)
	fwd := r.body["nextForwardToken"].(string)
	r = mustOK(t, s, "GetLogEvents", m{"logGroupName": "g", "logStreamName": "s", "nextToken": back})
	if got := messages(r); got != "[event 0]" {
		t.Fatalf("backward page = %s", got)
	}
	// At the start, the backward token comes back unchanged.
	b2 := r.body["nextBackwardToken"].(string)
	r = mustOK(t, s, "GetLogEvents", m{"logGroupName": "g", "logStreamName": "s", "nextToken": b2})
	if messages(r) != "[]" || r.body["nextBackwardToken"] != b2 {
		t.Fatalf("start of stream: %s", r.raw)
	}
	// At the end, the forward token comes back unchanged, until new events arrive.
	r = mustOK(t, s, "GetLogEvents", m{"logGroupName": "g", "logStreamName": "s", "nextToken": fwd})
	if messages(r) != "[]" || r.body["nextForwardToken"] != fwd {
		t.Fatalf("end of stream: %s", r.raw)
	}
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{{"timestamp": nowMs(), "message": "late"}}})
	r = mustOK(t, s, "GetLogEvents", m{"logGroupName": "g", "logStreamName": "s", "nextToken": fwd})
	if messages(r) != "[late]" || r.body["nextForwardToken"] == fwd {
		t.Fatalf("after new event: %s", r.raw)
	}
	// Empty stream: tokens are still returned; following the forward one sees later events.
	r = mustOK(t, s, "GetLogEvents", m{"logGroupName": "g", "logStreamName": "other"})
	if messages(r) != "[]" || r.body["nextForwardToken"] == nil || r.body["nextBackwardToken"] == nil {
		t.Fatalf("empty stream: %s", r.raw)
	}
	emptyFwd := r.body["nextForwardToken"].(string)
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "other", "logEvents": events(nowMs())})
	if r := mustOK(t, s, "GetLogEvents", m{"logGroupName": "g", "logStreamName": "other", "nextToken": emptyFwd}); messages(r) != "[event 0]" {
		t.Fatalf("follow from empty: %s", r.raw)
	}

	bad := []string{
		"garbage",
		"f/123/s",
		strings.Replace(fwd, "f/", "x/", 1),
		fwd[:len(fwd)-2],
		fwd[:10] + flipDigit(fwd[10]) + fwd[11:], // checksum mismatch
	}
	for _, tok := range bad {
		r := call(t, s, "GetLogEvents", m{"logGroupName": "g", "logStreamName": "s", "nextToken": tok})
		if r.status != 400 || r.errType() != codeInvalidParameter || r.message() != msgInvalidNextToken {
			t.Errorf("token %q: %s", tok, r.raw)
		}
	}
	// A token of another stream is foreign.
	if r := call(t, s, "GetLogEvents", m{"logGroupName": "g", "logStreamName": "other", "nextToken": fwd}); r.message() != msgInvalidNextToken {
		t.Errorf("foreign token: %s", r.raw)
	}
	errs := []struct {
		name, typ, msg string
		in             m
	}{
		{"limit", codeInvalidParameter, "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000", m{"logGroupName": "g", "logStreamName": "s", "limit": 10001}},
		{"no stream name", codeInvalidParameter, "1 validation error detected: Value null at 'logStreamName' failed to satisfy constraint: Member must not be null", m{"logGroupName": "g"}},
		{"both ids", codeValidation, msgNameIdentifierExclusive, m{"logGroupName": "g", "logGroupIdentifier": "g", "logStreamName": "s"}},
		{"no stream", codeResourceNotFound, msgStreamNotFound, m{"logGroupName": "g", "logStreamName": "nope"}},
		{"no group", codeResourceNotFound, msgGroupNotFound, m{"logGroupName": "nope", "logStreamName": "s"}},
	}
	for _, tc := range errs {
		r := call(t, s, "GetLogEvents", tc.in)
		if r.status != 400 || r.errType() != tc.typ || r.message() != tc.msg {
			t.Errorf("%s: %d %s", tc.name, r.status, r.raw)
		}
	}
}

func flipDigit(c byte) string {
	if c == '9' {
		return "8"
	}
	return string(c + 1)
}

func messages(r *response) string {
	var out []string
	for _, e := range list(r.body["events"]) {
		out = append(out, e.(map[string]any)["message"].(string))
	}
	return fmt.Sprint(out)
}

func TestFilterLogEventsMatchesModel(t *testing.T) {
	s := newTestServer(t, Config{})
	streams := []string{"app-1", "app-2", "web-1"}
	setupStream(t, s, "g", streams[0])
	for _, st := range streams[1:] {
		mustOK(t, s, "CreateLogStream", m{"logGroupName": "g", "logStreamName": st})
	}
	rng := rand.New(rand.NewPCG(3, 4))
	model := fillRandom(t, s, "g", streams, 30, rng)
	mid := model[len(model)/2].ts
	tests := []struct {
		name   string
		in     m
		budget int64
		keep   func(modelEvent) bool
	}{
		{"all", m{}, 0, func(modelEvent) bool { return true }},
		{"pattern paged", m{"filterPattern": "ERROR", "limit": 37}, 0, func(e modelEvent) bool { return strings.Contains(e.msg, "ERROR") }},
		{"small scan budget", m{"filterPattern": "?WARN ?ERROR"}, 2000, func(e modelEvent) bool { return !strings.Contains(e.msg, "INFO") }},
		{"prefix", m{"logStreamNamePrefix": "app-"}, 0, func(e modelEvent) bool { return strings.HasPrefix(e.stream, "app-") }},
		{"names", m{"logStreamNames": []string{"web-1", "app-2"}, "limit": 100}, 0, func(e modelEvent) bool { return e.stream == "web-1" || e.stream == "app-2" }},
		{"time range inclusive", m{"startTime": mid - 10_000, "endTime": mid}, 0, func(e modelEvent) bool { return e.ts >= mid-10_000 && e.ts <= mid }},
		{"exclusion", m{"filterPattern": "-INFO -WARN"}, 0, func(e modelEvent) bool { return strings.Contains(e.msg, "ERROR") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s.scanBudget = tc.budget
			defer func() { s.scanBudget = 0 }()
			in := m{"logGroupName": "g"}
			for k, v := range tc.in {
				in[k] = v
			}
			var got []string
			seen := map[string]bool{}
			for pages := 0; ; pages++ {
				if pages > 5000 {
					t.Fatal("paging does not end")
				}
				r := mustOK(t, s, "FilterLogEvents", in)
				if fmt.Sprint(r.body["searchedLogStreams"]) != "[]" {
					t.Fatalf("searchedLogStreams = %v", r.body["searchedLogStreams"])
				}
				for _, e := range list(r.body["events"]) {
					ev := e.(map[string]any)
					got = append(got, ev["message"].(string))
					id := ev["eventId"].(string)
					if len(id) != 56 || strings.Trim(id, "0123456789") != "" || seen[id] {
						t.Fatalf("eventId %q (dup %v)", id, seen[id])
					}
					seen[id] = true
					if ev["logStreamName"] == nil || ev["ingestionTime"] == nil {
						t.Fatalf("event %v", ev)
					}
				}
				tok, ok := r.body["nextToken"].(string)
				if !ok {
					break
				}
				in["nextToken"] = tok
			}
			want := filterModel(model, tc.keep)
			if !slices.Equal(got, want) {
				t.Fatalf("%d events, want %d; first diff at %d", len(got), len(want), firstDiff(got, want))
			}
		})
	}
}

// TestFilterLogEventsStreamNames checks every event's logStreamName when a page spans more
// streams than one name query takes (streamNamesChunk), with and without a stream selection.
func TestFilterLogEventsStreamNames(t *testing.T) {
	s := newTestServer(t, Config{})
	const n = streamNamesChunk + 37
	var selected []string
	for i := range n {
		st := fmt.Sprintf("s-%04d", i)
		setupStream(t, s, "g", st)
		mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": st,
			"logEvents": []m{{"timestamp": nowMs() - int64(n-i), "message": st}}})
		if i%7 == 0 && len(selected) < 100 {
			selected = append(selected, st)
		}
	}
	for _, tc := range []struct {
		name string
		in   m
		want int
	}{
		{"all", m{}, n},
		{"prefix", m{"logStreamNamePrefix": "s-0"}, 1000},
		{"names", m{"logStreamNames": selected}, len(selected)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := m{"logGroupName": "g"}
			maps.Copy(in, tc.in)
			got := 0
			for {
				r := mustOK(t, s, "FilterLogEvents", in)
				for _, e := range list(r.body["events"]) {
					ev := e.(map[string]any)
					if ev["logStreamName"] != ev["message"] {
						t.Fatalf("event %v: logStreamName is not its stream's", ev)
					}
					got++
				}
				tok, ok := r.body["nextToken"].(string)
				if !ok {
					break
				}
				in["nextToken"] = tok
			}
			if want := min(tc.want, n); got != want {
				t.Fatalf("%d events, want %d", got, want)
			}
		})
	}
}

// TestFilterLogEventsSkipsRunsOfOtherStreams: when only some streams are searched, more
// chunks of other streams in a row than the merger fetches at once (candidateBatch) must
// not end the scan. Before the fix the answer was no events and no nextToken.
func TestFilterLogEventsSkipsRunsOfOtherStreams(t *testing.T) {
	s := newTestServer(t, Config{})
	for _, st := range []string{"app-a", "app-b", "noise"} {
		setupStream(t, s, "g", st)
	}
	for i := range maxUnionStreams { // empty: the prefix then selects more streams than the per-stream query serves
		setupStream(t, s, "g", fmt.Sprintf("app-x%02d", i))
	}
	base := nowMs() - 3600_000
	put := func(st string, ts int64) {
		mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": st,
			"logEvents": []m{{"timestamp": ts, "message": st}}})
	}
	// noise × (2·candidateBatch+5), a, noise × same, b: runs at the start and in the middle.
	ts := base
	for range 2*candidateBatch + 5 {
		put("noise", ts)
		ts++
	}
	put("app-a", ts)
	ts++
	for range 2*candidateBatch + 5 {
		put("noise", ts)
		ts++
	}
	put("app-b", ts)
	for _, tc := range []struct {
		name string
		in   m
		want []string
	}{
		{"names", m{"logStreamNames": []string{"app-a", "app-b"}}, []string{"app-a", "app-b"}},
		{"one name", m{"logStreamNames": []string{"app-b"}}, []string{"app-b"}},
		{"prefix", m{"logStreamNamePrefix": "app-"}, []string{"app-a", "app-b"}},
		{"names and noise", m{"logStreamNames": []string{"app-b", "noise"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := m{"logGroupName": "g"}
			maps.Copy(in, tc.in)
			evs, _ := pageItems(t, s, "FilterLogEvents", in, "events", 1000)
			var got []string
			for _, e := range evs {
				got = append(got, e["message"].(string))
			}
			want := tc.want
			if want == nil { // every noise event, then app-b's
				for range 2 * (2*candidateBatch + 5) {
					want = append(want, "noise")
				}
				want = append(want, "app-b")
			}
			if !slices.Equal(got, want) {
				t.Fatalf("events from %v, want %v", got, want)
			}
		})
	}
}

func TestFilterLogEventsErrors(t *testing.T) {
	s := newTestServer(t, Config{})
	setupStream(t, s, "g", "s")
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "h"})
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": events(nowMs()-1, nowMs())})
	r := mustOK(t, s, "FilterLogEvents", m{"logGroupName": "g", "limit": 1})
	tok := r.body["nextToken"].(string)
	errs := []struct {
		name, typ, msg string
		in             m
	}{
		{"bad pattern", codeInvalidParameter, "Invalid filter pattern", m{"logGroupName": "g", "filterPattern": "{ $.x = "}},
		{"names and prefix", codeInvalidParameter, "mutually exclusive", m{"logGroupName": "g", "logStreamNames": []string{"s"}, "logStreamNamePrefix": "s"}},
		{"empty names", codeInvalidParameter, "Value '[]' at 'logStreamNames' failed to satisfy constraint: Member must have length greater than or equal to 1", m{"logGroupName": "g", "logStreamNames": []string{}}},
		{"bad token", codeInvalidParameter, msgInvalidNextToken, m{"logGroupName": "g", "nextToken": "nope"}},
		{"foreign token", codeInvalidParameter, msgInvalidNextToken, m{"logGroupName": "h", "nextToken": tok}},
		{"no group", codeResourceNotFound, msgGroupNotFound, m{"logGroupName": "nope"}},
		{"pattern too long", codeInvalidParameter, "Member must have length less than or equal to 1024", m{"logGroupName": "g", "filterPattern": strings.Repeat("a", 1025)}},
	}
	for _, tc := range errs {
		r := call(t, s, "FilterLogEvents", tc.in)
		if r.status != 400 || r.errType() != tc.typ || !strings.Contains(r.message(), tc.msg) {
			t.Errorf("%s: %d %s", tc.name, r.status, r.raw)
		}
	}
	// The last page carries no nextToken (and never a null).
	r = mustOK(t, s, "FilterLogEvents", m{"logGroupName": "g", "nextToken": tok})
	if _, ok := r.body["nextToken"]; ok || strings.Contains(string(r.raw), "null") {
		t.Errorf("last page: %s", r.raw)
	}
}

// TestFilterLogEventsMissingStreamName checks that a logStreamNames entry naming no stream of
// the group fails the whole request, as the service does, while a prefix matching nothing is
// an empty result.
func TestFilterLogEventsMissingStreamName(t *testing.T) {
	s := newTestServer(t, Config{})
	setupStream(t, s, "g", "a")
	setupStream(t, s, "h", "other")
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "a", "logEvents": events(nowMs())})
	for _, tc := range []struct {
		name     string
		in       m
		wantType string // "" expects 200
		wantMsg  string
		wantN    int
	}{
		{"existing name", m{"logGroupName": "g", "logStreamNames": []string{"a"}}, "", "", 1},
		{"missing name only", m{"logGroupName": "g", "logStreamNames": []string{"nope"}}, codeResourceNotFound, msgStreamNotFound, 0},
		{"missing name after existing", m{"logGroupName": "g", "logStreamNames": []string{"a", "nope"}}, codeResourceNotFound, msgStreamNotFound, 0},
		{"missing name before existing", m{"logGroupName": "g", "logStreamNames": []string{"nope", "a"}}, codeResourceNotFound, msgStreamNotFound, 0},
		{"stream of another group", m{"logGroupName": "g", "logStreamNames": []string{"other"}}, codeResourceNotFound, msgStreamNotFound, 0},
		{"missing group wins", m{"logGroupName": "nope", "logStreamNames": []string{"nope"}}, codeResourceNotFound, msgGroupNotFound, 0},
		{"prefix matching nothing", m{"logGroupName": "g", "logStreamNamePrefix": "nope"}, "", "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, s, "FilterLogEvents", tc.in)
			if tc.wantType == "" {
				if r.status != 200 || len(list(r.body["events"])) != tc.wantN {
					t.Fatalf("want 200 with %d events: %d %s", tc.wantN, r.status, r.raw)
				}
				return
			}
			if r.status != 400 || r.errType() != tc.wantType || r.message() != tc.wantMsg {
				t.Fatalf("got %d %s, want %s %q", r.status, r.raw, tc.wantType, tc.wantMsg)
			}
		})
	}
}

// TestReadPagesHoldAtMostOneMB checks that a GetLogEvents or FilterLogEvents page holds at
// most 1 MB of events whatever the limit ("Each page returned can contain up to 1 MB of log
// events or up to 10,000 log events", model), and that paging still returns every event once.
func TestReadPagesHoldAtMostOneMB(t *testing.T) {
	s := newTestServer(t, Config{})
	setupStream(t, s, "g", "big")
	const perBatch, batches, msgLen = 10, 3, 100_000
	var want []string
	for b := range batches {
		evs := make([]m, perBatch)
		for i := range evs {
			n := b*perBatch + i
			msg := fmt.Sprintf("%02d", n) + strings.Repeat("x", msgLen-2)
			evs[i] = m{"timestamp": nowMs() - 1000 + int64(n), "message": msg}
			want = append(want, msg[:2])
		}
		mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "big", "logEvents": evs})
	}
	for _, tc := range []struct {
		name     string
		op       string
		in       m
		tokenKey string
		backward bool
	}{
		{"get default limit", "GetLogEvents", m{"startFromHead": true}, "nextForwardToken", false},
		{"get limit 10000", "GetLogEvents", m{"startFromHead": true, "limit": 10_000}, "nextForwardToken", false},
		{"get backward limit 100", "GetLogEvents", m{"limit": 100}, "nextBackwardToken", true},
		{"filter default limit", "FilterLogEvents", m{}, "nextToken", false},
		{"filter limit 100", "FilterLogEvents", m{"limit": 100}, "nextToken", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := m{"logGroupName": "g"}
			if tc.op == "GetLogEvents" {
				in["logStreamName"] = "big"
			}
			maps.Copy(in, tc.in)
			var pages [][]string
			for range 2 * batches * perBatch {
				r := mustOK(t, s, tc.op, in)
				var page []string
				size := 0
				for _, e := range list(r.body["events"]) {
					msg := e.(map[string]any)["message"].(string)
					size += len(msg) + eventOverhead
					page = append(page, msg[:2])
				}
				if size > maxPageBytes {
					t.Fatalf("page of %d events holds %d bytes, more than %d", len(page), size, maxPageBytes)
				}
				pages = append(pages, page)
				tok, ok := r.body[tc.tokenKey].(string)
				if !ok || tok == in["nextToken"] {
					break
				}
				in["nextToken"] = tok
			}
			if tc.backward {
				slices.Reverse(pages)
			}
			var got []string
			for _, p := range pages {
				got = append(got, p...)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("events %v, want %v", got, want)
			}
		})
	}
}

// TestFilterScanStopsWhenClientGivesUp: matching a filter pattern checks
// the request's ctx every matchCheckBytes of messages, so that a client that
// gave up stops a costly scan. A review found the loop never looked at ctx:
// with a costly regex one page could hold a CPU for minutes.
func TestFilterScanStopsWhenClientGivesUp(t *testing.T) {
	s := newTestServer(t, Config{})
	setupStream(t, s, "g", "s")
	const n = 20
	msg := strings.Repeat("x", 32<<10) // n events of 32 KiB: 640 KiB, more than matchCheckBytes
	evs := make([]m, n)
	for i := range evs {
		evs[i] = m{"timestamp": nowMs() + int64(i), "message": msg}
	}
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": evs})
	g, aerr := s.findGroup(context.Background(), s.st.r, "g")
	if aerr != nil {
		t.Fatal(aerr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mg := newMerger(ctx, s.st, scanRange{groupID: g.id, forward: true, endTs: maxTokenTs + 1})
	matched := 0
	mg.match = func(string) bool {
		matched++
		cancel() // the client goes away during the first match
		return true
	}
	var err error
	for ok := true; ok && err == nil; {
		_, _, _, ok, err = mg.next()
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("next: %v, want context.Canceled", err)
	}
	if limit := matchCheckBytes / len(msg); matched > limit {
		t.Errorf("matched %d events after the ctx ended; want at most %d", matched, limit)
	}
}

// TestFilterDuringDeleteStream: FilterLogEvents racing DeleteLogStream never
// returns an event without its stream's name. A review found hundreds of
// events with logStreamName "" per run: the events were read, then their
// stream was deleted before its name was looked up.
func TestFilterDuringDeleteStream(t *testing.T) {
	s := newTestServer(t, Config{})
	const streams = 200
	for i := range streams {
		name := fmt.Sprintf("s%03d", i)
		setupStream(t, s, "g", name)
		mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": name, "logEvents": events(nowMs()-50, nowMs()-40, nowMs()-30)})
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range streams {
			mustOK(t, s, "DeleteLogStream", m{"logGroupName": "g", "logStreamName": fmt.Sprintf("s%03d", i)})
		}
	}()
	bad, seen := 0, 0
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		for _, e := range list(mustOK(t, s, "FilterLogEvents", m{"logGroupName": "g"}).body["events"]) {
			seen++
			if e.(map[string]any)["logStreamName"] == "" {
				bad++
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d events returned with logStreamName \"\"", bad, seen)
	}
}

// TestIngestionOrderMatchesReadOrder: events of equal timestamps are read in
// ingestion-time order, and lastIngestionTime never goes back. A review found
// a small PutLogEvents committed ahead of a large one that arrived first: read
// first, but with the later ingestion time, and lastIngestionTime set to the
// earlier one. Each group commit now stamps one non-decreasing ingestion time.
func TestIngestionOrderMatchesReadOrder(t *testing.T) {
	var tick atomic.Int64
	base := testNow
	s := newTestServer(t, Config{Now: func() time.Time { return base.Add(time.Duration(tick.Add(1)) * time.Millisecond) }})
	setupStream(t, s, "g", "s")
	ts := base.UnixMilli()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 1 + (i%2)*5000 // small and large batches, racing to commit
			evs := make([]m, n)
			for j := range evs {
				evs[j] = m{"timestamp": ts, "message": fmt.Sprintf("%d-%d", i, j)}
			}
			mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": evs})
		}()
	}
	wg.Wait()
	var last int64
	var token any
	for {
		in := m{"logGroupName": "g", "limit": 10000}
		if token != nil {
			in["nextToken"] = token
		}
		r := mustOK(t, s, "FilterLogEvents", in)
		for _, e := range list(r.body["events"]) {
			it := num(t, e.(map[string]any)["ingestionTime"])
			if it < last {
				t.Fatalf("ingestionTime %d read after %d for the same timestamp", it, last)
			}
			last = it
		}
		if token = r.body["nextToken"]; token == nil {
			break
		}
	}
	st := list(mustOK(t, s, "DescribeLogStreams", m{"logGroupName": "g"}).body["logStreams"])[0].(map[string]any)
	if got := num(t, st["lastIngestionTime"]); got != last {
		t.Errorf("lastIngestionTime %d, want the newest ingestion time %d", got, last)
	}
}

// TestReadsFindEventsOfWideChunks: a read's candidate scan starts the widest chunk of its
// stream or group (max_span) before its cut, no longer a whole day. A chunk spanning 23 h
// among narrow ones must still be found from a cut inside its range, forward and backward,
// through a stream, a group, and a few streams of a group.
func TestReadsFindEventsOfWideChunks(t *testing.T) {
	s := newTestServer(t, Config{})
	for _, st := range []string{"wide", "narrow"} {
		setupStream(t, s, "g", st)
	}
	h := time.Hour.Milliseconds()
	base := nowMs() - 48*h
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "wide",
		"logEvents": []m{{"timestamp": base, "message": "wide-early"}, {"timestamp": base + 23*h, "message": "wide-late"}}})
	for i := range 300 { // narrow chunks, one event each, from base+13h
		mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "narrow",
			"logEvents": []m{{"timestamp": base + 13*h + int64(i), "message": "narrow"}}})
	}
	mid := base + 12*h
	for _, tc := range []struct {
		name string
		op   string
		in   m
		want string // the event of the wide chunk that must be found
	}{
		{"get forward", "GetLogEvents", m{"logStreamName": "wide", "startTime": mid, "startFromHead": true}, "wide-late"},
		{"get backward", "GetLogEvents", m{"logStreamName": "wide", "endTime": mid}, "wide-early"},
		{"filter group", "FilterLogEvents", m{"startTime": mid}, "wide-late"},
		{"filter two streams", "FilterLogEvents", m{"startTime": mid, "logStreamNames": []string{"narrow", "wide"}}, "wide-late"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := m{"logGroupName": "g"}
			maps.Copy(in, tc.in)
			evs, _ := pageItems(t, s, tc.op, in, "events", 100)
			var got []string
			for _, e := range evs {
				got = append(got, e["message"].(string))
			}
			if !slices.Contains(got, tc.want) {
				t.Fatalf("%d events, none is %q", len(got), tc.want)
			}
			if tc.op == "FilterLogEvents" && len(got) != 301 {
				t.Errorf("%d events, want 301", len(got))
			}
		})
	}
}
