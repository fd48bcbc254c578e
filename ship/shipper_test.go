package ship

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cwlogs/cwlogs"
)

// noLeak fails the test if goroutines started during it are still running
// shortly after it ends.
func noLeak(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(3 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<16)
			buf = buf[:runtime.Stack(buf, true)]
			t.Errorf("goroutine leak: %d before, %d after\n%s", before, n, buf)
		}
	})
}

func TestBatchRules(t *testing.T) {
	now := time.Now()
	day := 24 * time.Hour
	type ev struct {
		t   time.Time
		msg string
	}
	gen := func(n int, f func(i int) ev) []ev {
		out := make([]ev, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	cases := []struct {
		name       string
		events     []ev
		minBatches int
	}{
		{"count limit", gen(25000, func(i int) ev { return ev{now, fmt.Sprint("e", i)} }), 3},
		{"byte limit", gen(300, func(i int) ev { return ev{now, strings.Repeat("x", 10000) + fmt.Sprint(i)} }), 3},
		{"multibyte byte limit", gen(200, func(i int) ev { return ev{now, strings.Repeat("é", 5000) + fmt.Sprint(i)} }), 2},
		// 5,000 × (200 + 26) bytes is over a batch, 5,000 × 200 is not: the 26-byte
		// overhead decides the cut (a review's mutation leaving it out went unnoticed).
		{"overhead counted", gen(5000, func(i int) ev { return ev{now, fmt.Sprintf("%0200d", i)} }), 2},
		{"out of order", gen(5000, func(i int) ev { return ev{now.Add(-time.Duration(rand.IntN(3600)) * time.Second), fmt.Sprint("e", i)} }), 1},
		{"24h span", gen(40, func(i int) ev {
			return ev{now.Add(-13 * day).Add(time.Duration(i) * 8 * time.Hour), fmt.Sprint("e", i)}
		}), 13},
		{"span boundary exact", []ev{{now.Add(-2 * day), "a"}, {now.Add(-day), "b"}, {now.Add(-day + time.Millisecond), "c"}}, 2},
		{"max size events", gen(3, func(i int) ev { return ev{now, strings.Repeat("y", MaxMessageBytes)} }), 3},
		{"equal timestamps keep order", gen(3000, func(i int) ev { return ev{now.Add(time.Duration(i%3) * time.Millisecond), fmt.Sprint("e", i)} }), 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			noLeak(t)
			f := newFake(t)
			// One batch in flight: equal timestamps keep their order across batches
			// only then (see the package doc, "Order"); with two, the check below
			// failed now and then.
			o := fastOpts()
			o.Concurrency = 1
			s := mustNew(t, f, o)
			for _, e := range tc.events {
				if err := s.Log(e.t, e.msg); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Close(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			f.checkNoViolations(t)
			got := f.stored("g", "s")
			if len(got) != len(tc.events) {
				t.Fatalf("stored %d events, want %d", len(got), len(tc.events))
			}
			if len(f.batches) < tc.minBatches {
				t.Errorf("%d batches, want at least %d", len(f.batches), tc.minBatches)
			}
			// Every event exactly once; equal timestamps in arrival order.
			want := map[string]int64{}
			for _, e := range tc.events {
				want[e.msg] = e.t.UnixMilli()
			}
			seen := map[string]bool{}
			lastIdx := map[int64]int{}
			idx := map[string]int{}
			for i, e := range tc.events {
				idx[e.msg] = i
			}
			for _, e := range got {
				if seen[e.Message] && len(want) == len(tc.events) {
					t.Fatalf("duplicate %q", e.Message[:min(10, len(e.Message))])
				}
				seen[e.Message] = true
				if want[e.Message] != e.Timestamp {
					t.Fatalf("timestamp of %q changed", e.Message)
				}
				if i, ok := lastIdx[e.Timestamp]; ok && idx[e.Message] < i {
					t.Fatalf("equal timestamps reordered")
				}
				lastIdx[e.Timestamp] = idx[e.Message]
			}
			st := s.Stats()
			checkInvariant(t, st)
			if st.Sent != int64(len(tc.events)) || st.Batches != int64(len(f.batches)) {
				t.Errorf("stats: sent %d batches %d; want %d, %d", st.Sent, st.Batches, len(tc.events), len(f.batches))
			}
		})
	}
}

func TestOversize(t *testing.T) {
	long := strings.Repeat("aé€😀", 100) // 1+2+3+4 bytes per group
	cases := []struct {
		name      string
		policy    OversizePolicy
		max       int
		wantErr   error
		check     func(t *testing.T, got []cwlogs.InputLogEvent, st Stats)
		wantStore int
	}{
		{"split", Split, 97, nil, func(t *testing.T, got []cwlogs.InputLogEvent, st Stats) {
			var sb strings.Builder
			for _, e := range got {
				if len(e.Message) > 97 || !utf8.ValidString(e.Message) {
					t.Errorf("bad part %q", e.Message)
				}
				sb.WriteString(e.Message)
			}
			if sb.String() != long {
				t.Error("parts do not join to the message")
			}
			if st.Split != int64(len(got)-1) {
				t.Errorf("Split = %d, want %d", st.Split, len(got)-1)
			}
		}, -1},
		{"truncate", Truncate, 97, nil, func(t *testing.T, got []cwlogs.InputLogEvent, st Stats) {
			m := got[0].Message
			if len(m) > 97 || !strings.HasSuffix(m, "[truncated]") || !strings.HasPrefix(long, strings.TrimSuffix(m, "[truncated]")) || !utf8.ValidString(m) {
				t.Errorf("bad truncation %q", m)
			}
			if st.Truncated != 1 {
				t.Errorf("Truncated = %d", st.Truncated)
			}
		}, 1},
		{"drop", Drop, 97, ErrTooLarge, func(t *testing.T, got []cwlogs.InputLogEvent, st Stats) {
			if st.Dropped.TooLarge != 1 {
				t.Errorf("Dropped.TooLarge = %d", st.Dropped.TooLarge)
			}
		}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			o := fastOpts()
			o.Oversize, o.MaxMessageBytes = tc.policy, tc.max
			s := mustNew(t, f, o)
			if err := s.Log(time.Now(), long); !errors.Is(err, tc.wantErr) {
				t.Fatalf("Log: %v, want %v", err, tc.wantErr)
			}
			err := s.Close(ctxT(t))
			if (err != nil) != (tc.wantErr != nil) {
				t.Fatalf("Close: %v", err)
			}
			got := f.stored("g", "s")
			if tc.wantStore >= 0 && len(got) != tc.wantStore {
				t.Fatalf("stored %d events, want %d", len(got), tc.wantStore)
			}
			st := s.Stats()
			checkInvariant(t, st)
			tc.check(t, got, st)
			f.checkNoViolations(t)
		})
	}
}

// TestSplitRefusedParts: when a part of a split message is refused, the
// remaining parts are refused and counted too.
func TestSplitRefusedParts(t *testing.T) {
	msg := strings.Repeat("x", 50) // 5 parts of 10 bytes
	t.Run("buffer full", func(t *testing.T) {
		o := fastOpts()
		o.MaxMessageBytes, o.MaxBufferEvents, o.OnFull = 10, 2, DropNewest
		s := mustNew(t, newFake(t), o)
		if err := s.Log(time.Now(), msg); !errors.Is(err, ErrBufferFull) {
			t.Fatalf("Log: %v, want ErrBufferFull", err)
		}
		st := s.Stats()
		checkInvariant(t, st)
		if st.Events != 5 || st.Split != 4 || st.Queued != 2 || st.Dropped.BufferFull != 3 || st.Dropped.Total() != 3 {
			t.Errorf("events %d split %d queued %d dropped %+v; want 5, 4, 2, 3 buffer full", st.Events, st.Split, st.Queued, st.Dropped)
		}
		_ = s.Close(ctxT(t))
	})
	t.Run("closed", func(t *testing.T) {
		o := fastOpts()
		o.MaxMessageBytes = 10
		s := mustNew(t, newFake(t), o)
		if err := s.Close(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		if err := s.Log(time.Now(), msg); !errors.Is(err, ErrClosed) {
			t.Fatalf("Log: %v, want ErrClosed", err)
		}
		st := s.Stats()
		checkInvariant(t, st)
		if st.Events != 5 || st.Split != 4 || st.Dropped.Closed != 5 || st.Dropped.Total() != 5 {
			t.Errorf("events %d split %d dropped %+v; want 5, 4, 5 closed", st.Events, st.Split, st.Dropped)
		}
	})
}

func TestInvalidUTF8Counted(t *testing.T) {
	f := newFake(t)
	o := fastOpts()
	o.MaxMessageBytes = 30
	s := mustNew(t, f, o)
	msg := strings.Repeat("\xff", 20) // becomes 60 bytes of U+FFFD
	if err := s.Log(time.Now(), msg); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	got := f.stored("g", "s")
	if len(got) != 2 || got[0].Message+got[1].Message != strings.Repeat("\uFFFD", 20) {
		t.Fatalf("got %v", got)
	}
}

func TestOutOfRange(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	old := now.Add(-15 * 24 * time.Hour)
	future := now.Add(3 * time.Hour)
	cases := []struct {
		policy  RangePolicy
		wantErr error
		check   func(t *testing.T, got []cwlogs.InputLogEvent, st Stats)
	}{
		{DropOutOfRange, ErrOutOfRange, func(t *testing.T, got []cwlogs.InputLogEvent, st Stats) {
			if len(got) != 1 || st.Dropped.TooOld != 1 || st.Dropped.TooNew != 1 {
				t.Errorf("got %d events, dropped %+v", len(got), st.Dropped)
			}
		}},
		{SendOutOfRange, nil, func(t *testing.T, got []cwlogs.InputLogEvent, st Stats) {
			// The fake service rejects nothing by itself: all 3 sent.
			if len(got) != 3 {
				t.Errorf("got %d events", len(got))
			}
		}},
		{ClampOutOfRange, nil, func(t *testing.T, got []cwlogs.InputLogEvent, st Stats) {
			if len(got) != 3 || st.Clamped != 2 {
				t.Fatalf("got %d, clamped %d", len(got), st.Clamped)
			}
			for _, e := range got {
				if e.Timestamp < now.Add(-14*24*time.Hour).UnixMilli() || e.Timestamp > now.Add(2*time.Hour).UnixMilli() {
					t.Errorf("timestamp %d not clamped", e.Timestamp)
				}
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.policy.String(), func(t *testing.T) {
			f := newFake(t)
			o := fastOpts()
			o.OutOfRange, o.Now = tc.policy, clock
			s := mustNew(t, f, o)
			for _, tm := range []time.Time{old, now, future} {
				if err := s.Log(tm, "m"+tm.String()); err != nil && !errors.Is(err, tc.wantErr) {
					t.Fatalf("Log: %v", err)
				}
			}
			_ = s.Close(ctxT(t))
			st := s.Stats()
			checkInvariant(t, st)
			tc.check(t, f.stored("g", "s"), st)
			f.checkNoViolations(t)
		})
	}
}

func TestRejectedCounted(t *testing.T) {
	f := newFake(t)
	ip := func(i int) *int { return &i }
	f.result = func(in *cwlogs.PutLogEventsInput) *cwlogs.PutLogEventsOutput {
		n := len(in.LogEvents)
		return &cwlogs.PutLogEventsOutput{RejectedLogEventsInfo: &cwlogs.RejectedLogEventsInfo{
			TooOldLogEventEndIndex: ip(2), ExpiredLogEventEndIndex: ip(3), TooNewLogEventStartIndex: ip(n - 1)}}
	}
	var mu sync.Mutex
	var got []error
	o := fastOpts()
	o.OnError = func(err error) { mu.Lock(); got = append(got, err); mu.Unlock() }
	s := mustNew(t, f, o)
	for i := range 10 {
		_ = s.Log(time.Now().Add(time.Duration(i)*time.Millisecond), fmt.Sprint(i))
	}
	err := s.Close(ctxT(t))
	var ce *CloseError
	if !errors.As(err, &ce) {
		t.Fatalf("Close: %v, want *CloseError", err)
	}
	st := s.Stats()
	checkInvariant(t, st)
	want := Rejected{TooOld: 2, Expired: 1, TooNew: 1}
	if st.Rejected != want || st.Sent != 6 || ce.Stats.Lost() != 4 {
		t.Errorf("rejected %+v sent %d lost %d", st.Rejected, st.Sent, ce.Stats.Lost())
	}
	// Bytes counts the stored events only, 26 bytes of overhead each (a review's
	// mutations of either went unnoticed).
	if want := int64(6 * (1 + cwlogs.EventOverheadBytes)); st.Bytes != want {
		t.Errorf("bytes %d, want %d (6 stored one-byte events)", st.Bytes, want)
	}
	var re *RejectedError
	if len(got) != 1 || !errors.As(got[0], &re) || re.Rejected != want {
		t.Errorf("OnError got %v", got)
	}
}

func TestRetries(t *testing.T) {
	cases := []struct {
		name      string
		err       error
		fails     int
		throttled bool
	}{
		{"5xx", apiErr(cwlogs.CodeServiceUnavailable, 500), 3, false},
		{"throttling", apiErr(cwlogs.CodeThrottling, 400), 3, true},
		{"transport", &cwlogs.OpError{Operation: "PutLogEvents", Attempts: 1, Err: errors.New("connection reset by peer")}, 2, false},
		{"timeout", context.DeadlineExceeded, 2, false},
		// Credentials that could not be had (an STS refusal, an SSO answer):
		// retried, never taken for a permanent Logs error or a missing stream.
		{"credentials: STS refusal", &cwlogs.CredentialsError{Provider: "*cwlogs.AssumeRoleProvider",
			Err: &cwlogs.APIError{Operation: "sts:AssumeRole", Code: "AccessDenied", StatusCode: 403}}, 2, false},
		{"credentials: SSO not found", &cwlogs.CredentialsError{Provider: "*cwlogs.SSOCredentialsProvider",
			Err: &cwlogs.APIError{Operation: "sso:GetRoleCredentials", Code: cwlogs.CodeResourceNotFound, StatusCode: 404}}, 2, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			noLeak(t)
			f := newFake(t)
			var failed atomic.Int64
			f.hook = func(ctx context.Context, call int, in *cwlogs.PutLogEventsInput) error {
				// Fail the first attempts of the batch holding "e0" only.
				if in.LogEvents[0].Message == "e0" && failed.Add(1) <= int64(tc.fails) {
					return tc.err
				}
				return nil
			}
			o := fastOpts()
			o.MaxBatchEvents = 100
			s := mustNew(t, f, o)
			for i := range 1000 {
				_ = s.Log(time.Now(), fmt.Sprint("e", i))
			}
			if err := s.Close(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			got := f.stored("g", "s")
			if len(got) != 1000 {
				t.Fatalf("stored %d, want 1000 (batches re-sent or lost)", len(got))
			}
			st := s.Stats()
			checkInvariant(t, st)
			if st.Retries != int64(tc.fails) || st.Requests != 10+int64(tc.fails) {
				t.Errorf("retries %d requests %d", st.Retries, st.Requests)
			}
			if tc.throttled != (st.Throttled == int64(tc.fails)) {
				t.Errorf("throttled %d", st.Throttled)
			}
		})
	}
}

func TestPermanentAndExhausted(t *testing.T) {
	cases := []struct {
		name   string
		err    error
		reason Reason
	}{
		{"invalid parameter", apiErr(cwlogs.CodeInvalidParameter, 400), ReasonPermanent},
		{"access denied", apiErr(cwlogs.CodeAccessDenied, 400), ReasonPermanent},
		{"validation", &cwlogs.ValidationError{Operation: "PutLogEvents", Field: "x"}, ReasonPermanent},
		{"exhausted", apiErr(cwlogs.CodeServiceUnavailable, 503), ReasonRetryExhausted},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.hook = func(context.Context, int, *cwlogs.PutLogEventsInput) error { return tc.err }
			var got []error
			var mu sync.Mutex
			o := fastOpts()
			o.MaxElapsedTime = 30 * time.Millisecond
			o.OnError = func(err error) { mu.Lock(); got = append(got, err); mu.Unlock() }
			s := mustNew(t, f, o)
			for i := range 5 {
				_ = s.Log(time.Now(), fmt.Sprint(i))
			}
			ferr := s.Flush(ctxT(t))
			var fe *FlushError
			if !errors.As(ferr, &fe) || fe.Events != 5 {
				t.Fatalf("Flush: %v", ferr)
			}
			err := s.Close(ctxT(t))
			var ce *CloseError
			if !errors.As(err, &ce) || ce.Stats.Lost() != 5 {
				t.Fatalf("Close: %v", err)
			}
			st := s.Stats()
			checkInvariant(t, st)
			n := st.Dropped.PermanentError
			if tc.reason == ReasonRetryExhausted {
				n = st.Dropped.RetryExhausted
			}
			if n != 5 {
				t.Errorf("dropped %+v", st.Dropped)
			}
			var be *BatchError
			if len(got) != 1 || !errors.As(got[0], &be) || be.Reason != tc.reason || be.Events != 5 || !errors.Is(got[0], tc.err) {
				t.Errorf("OnError: %v", got)
			}
			if st.LastError == nil {
				t.Error("LastError not set")
			}
		})
	}
}

func TestCreateOnNotFound(t *testing.T) {
	cases := []struct {
		name        string
		group       bool // group exists
		createGroup bool
		disable     bool
		wantSent    bool
	}{
		{"stream", true, false, false, true},
		{"group and stream", false, true, false, true},
		{"group missing", false, false, false, false},
		{"disabled", true, false, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.requireStream = true
			f.groups["g"] = tc.group
			o := fastOpts()
			o.CreateGroup, o.DisableCreateStream = tc.createGroup, tc.disable
			o.MaxBatchEvents = 10
			o.Concurrency = 4
			s := mustNew(t, f, o)
			for i := range 100 {
				_ = s.Log(time.Now(), fmt.Sprint(i))
			}
			err := s.Close(ctxT(t))
			st := s.Stats()
			checkInvariant(t, st)
			if tc.wantSent {
				if err != nil || st.Sent != 100 || st.StreamsCreated != 1 {
					t.Fatalf("err %v sent %d created %d", err, st.Sent, st.StreamsCreated)
				}
				if tc.createGroup && st.GroupsCreated != 1 {
					t.Errorf("groups created %d", st.GroupsCreated)
				}
			} else if err == nil || st.Dropped.PermanentError != 100 {
				t.Fatalf("err %v dropped %+v", err, st.Dropped)
			}
		})
	}
}

func TestConcurrencyBound(t *testing.T) {
	for _, c := range []int{1, 3} {
		t.Run(fmt.Sprint(c), func(t *testing.T) {
			f := newFake(t)
			f.hook = func(context.Context, int, *cwlogs.PutLogEventsInput) error {
				time.Sleep(2 * time.Millisecond)
				return nil
			}
			o := fastOpts()
			o.Concurrency, o.MaxBatchEvents = c, 10
			s := mustNew(t, f, o)
			for i := range 500 {
				_ = s.Log(time.Now(), fmt.Sprint(i))
			}
			if err := s.Close(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			if f.maxInfl != c {
				t.Errorf("max in flight %d, want %d", f.maxInfl, c)
			}
			if c == 1 { // strict order with one sender
				got := f.stored("g", "s")
				for i, e := range got {
					if e.Message != fmt.Sprint(i) {
						t.Fatalf("event %d is %q", i, e.Message)
					}
				}
			}
		})
	}
}

func TestBackpressure(t *testing.T) {
	cases := []struct {
		policy  FullPolicy
		wantErr error
	}{
		{Block, context.DeadlineExceeded},
		{DropNewest, ErrBufferFull},
		{DropOldest, nil},
	}
	for _, tc := range cases {
		t.Run(tc.policy.String(), func(t *testing.T) {
			noLeak(t)
			f := newFake(t)
			release := make(chan struct{})
			f.hook = func(ctx context.Context, _ int, _ *cwlogs.PutLogEventsInput) error {
				select {
				case <-release:
				case <-ctx.Done():
				}
				return nil
			}
			o := fastOpts()
			o.OnFull = tc.policy
			o.MaxBufferEvents, o.MaxBatchEvents, o.Concurrency = 50, 10, 1
			o.MaxMessageBytes = 100
			o.MaxBufferBytes = 50 * (100 + 26)
			s := mustNew(t, f, o)
			var peak int64
			var lastErr error
			for i := range 200 {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
				if err := s.LogContext(ctx, time.Now(), fmt.Sprintf("%03d", i)); err != nil {
					lastErr = err
				}
				cancel()
				if i == 9 { // wait until the first batch is in flight
					for s.Stats().InFlight == 0 {
						time.Sleep(time.Millisecond)
					}
				}
				st := s.Stats()
				peak = max(peak, st.Queued)
				if st.QueuedBytes > o.MaxBufferBytes {
					t.Fatalf("buffer %d bytes > bound %d", st.QueuedBytes, o.MaxBufferBytes)
				}
			}
			if !errors.Is(lastErr, tc.wantErr) {
				t.Errorf("last error %v, want %v", lastErr, tc.wantErr)
			}
			if peak > 50 {
				t.Errorf("peak %d events > 50", peak)
			}
			close(release)
			err := s.Close(ctxT(t))
			st := s.Stats()
			checkInvariant(t, st)
			if st.Dropped.BufferFull != 150 || st.Sent != 50 {
				t.Errorf("dropped %d sent %d; want 150, 50", st.Dropped.BufferFull, st.Sent)
			}
			var ce *CloseError
			if !errors.As(err, &ce) || ce.Stats.Dropped.BufferFull != 150 {
				t.Errorf("Close: %v", err)
			}
			got := f.stored("g", "s")
			if tc.policy == DropOldest {
				// The first batch was in flight; the newest events survive.
				if got[len(got)-1].Message != "199" || got[0].Message != "000" {
					t.Errorf("DropOldest kept %q … %q", got[0].Message, got[len(got)-1].Message)
				}
			} else if got[len(got)-1].Message != "049" {
				t.Errorf("%v kept %q last", tc.policy, got[len(got)-1].Message)
			}
		})
	}
}

func TestBlockWakesOnClose(t *testing.T) {
	noLeak(t)
	f := newFake(t)
	f.hook = hang
	o := fastOpts()
	o.MaxBufferEvents, o.MaxBatchEvents = 2, 1
	s := mustNew(t, f, o)
	_ = s.Log(time.Now(), "a")
	_ = s.Log(time.Now(), "b")
	done := make(chan error)
	go func() { done <- s.Log(time.Now(), "c") }()
	time.Sleep(20 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := s.Close(ctx)
	if e := <-done; !errors.Is(e, ErrClosed) {
		t.Errorf("blocked Log returned %v", e)
	}
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Unconfirmed != 2 || ce.Unsent != 0 || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close: %v", err)
	}
	checkInvariant(t, s.Stats())
	if err := s.Log(time.Now(), "d"); !errors.Is(err, ErrClosed) {
		t.Errorf("Log after Close: %v", err)
	}
	if _, err := s.Write([]byte("x\n")); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close: %v", err)
	}
	if err2 := s.Close(context.Background()); err2 != err {
		t.Errorf("second Close: %v", err2)
	}
}

func TestCloseDeadlineCounts(t *testing.T) {
	noLeak(t)
	f := newFake(t)
	f.hook = hang
	o := fastOpts()
	o.MaxBatchEvents, o.Concurrency = 10, 2
	s := mustNew(t, f, o)
	for i := range 55 {
		_ = s.Log(time.Now(), fmt.Sprint(i))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	err := s.Close(ctx)
	var ce *CloseError
	if !errors.As(err, &ce) {
		t.Fatalf("Close: %v", err)
	}
	// 2 batches of 10 in flight, 3 batches (10+10+5... sealed at close) never sent.
	if ce.Unconfirmed != 20 || ce.Unsent != 35 || ce.Stats.Dropped.Closed != 55 || ce.Stats.Queued != 0 {
		t.Errorf("unconfirmed %d unsent %d closed %d queued %d", ce.Unconfirmed, ce.Unsent, ce.Stats.Dropped.Closed, ce.Stats.Queued)
	}
	checkInvariant(t, ce.Stats)
}

func TestFlushInterval(t *testing.T) {
	noLeak(t)
	f := newFake(t)
	o := fastOpts()
	o.FlushInterval = 20 * time.Millisecond
	s := mustNew(t, f, o)
	_ = s.Log(time.Now(), "a")
	deadline := time.Now().Add(5 * time.Second)
	for len(f.stored("g", "s")) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("event not sent by the flush interval")
		}
		time.Sleep(5 * time.Millisecond)
	}
	_ = s.Log(time.Now(), "b")
	time.Sleep(5 * time.Millisecond)
	if n := len(f.stored("g", "s")); n != 1 {
		t.Errorf("second event sent after 5ms (%d events)", n)
	}
	if err := s.Close(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if n := len(f.stored("g", "s")); n != 2 {
		t.Errorf("%d events", n)
	}
}

func TestWrite(t *testing.T) {
	cases := []struct {
		name   string
		writes []string
		want   []string
	}{
		{"lines", []string{"a\nb\n"}, []string{"a", "b"}},
		{"partial kept until flush", []string{"a\nb"}, []string{"a", "b"}},
		{"joined across writes", []string{"ab", "cd\ne", "f\n"}, []string{"abcd", "ef"}},
		{"crlf and empty lines", []string{"a\r\n\n\r\nb\n"}, []string{"a", "b"}},
		{"long line joined then split", []string{strings.Repeat("x", 15), strings.Repeat("y", 10) + "\n"}, []string{strings.Repeat("x", 15) + "yyyyy", "yyyyy"}},
		{"long partial spills", []string{strings.Repeat("x", 25), "y\n"}, []string{strings.Repeat("x", 20), "xxxxx", "y"}},
		{"long line split", []string{strings.Repeat("z", 25) + "\n"}, []string{strings.Repeat("z", 20), strings.Repeat("z", 5)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			o := fastOpts()
			o.MaxMessageBytes = 20
			s := mustNew(t, f, o)
			for _, w := range tc.writes {
				n, err := s.Write([]byte(w))
				if n != len(w) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			if err := s.Flush(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range f.stored("g", "s") {
				got = append(got, e.Message)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			_ = s.Close(ctxT(t))
			checkInvariant(t, s.Stats())
		})
	}
}

func TestOptionsValidation(t *testing.T) {
	cases := []struct {
		field string
		o     Options
	}{
		{"FlushInterval", Options{FlushInterval: -1}},
		{"MaxBatchEvents", Options{MaxBatchEvents: 10001}},
		{"MaxBatchBytes", Options{MaxBatchBytes: 26}},
		{"MaxBatchBytes", Options{MaxBatchBytes: 1 << 21}},
		{"MaxMessageBytes", Options{MaxMessageBytes: MaxMessageBytes + 1}},
		{"MaxMessageBytes", Options{MaxBatchBytes: 100, MaxMessageBytes: 75}},
		{"Concurrency", Options{Concurrency: 65}},
		{"MaxBufferBytes", Options{MaxBufferBytes: 1000}},
		{"MaxBufferEvents", Options{MaxBufferEvents: -1}},
		{"MaxStreamBufferBytes", Options{MaxStreamBufferBytes: -1}},
		{"MaxStreamBufferBytes", Options{MaxMessageBytes: 1000, MaxStreamBufferBytes: 1025}},
		{"OnFull", Options{OnFull: 7}},
		{"Oversize", Options{Oversize: -1}},
		{"OutOfRange", Options{OutOfRange: 9}},
		{"Retention", Options{Retention: time.Minute}},
		{"TruncateMarker", Options{Oversize: Truncate, MaxMessageBytes: 5, TruncateMarker: "[cut]"}},
		{"MaxElapsedTime", Options{MaxElapsedTime: -time.Second}},
	}
	for _, tc := range cases {
		t.Run(tc.field, func(t *testing.T) {
			_, err := New(newFake(t), "g", "s", &tc.o)
			var oe *OptionError
			if !errors.As(err, &oe) || oe.Field != tc.field {
				t.Fatalf("err = %v, want OptionError on %s", err, tc.field)
			}
		})
	}
	for _, names := range [][2]string{{"", "s"}, {"g", ""}, {"bad group!", "s"}, {"g", "a:b"}, {"g", "a*"}, {strings.Repeat("g", 513), "s"}} {
		_, err := New(newFake(t), names[0], names[1], nil)
		var ve *cwlogs.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("New(%q, %q): %v", names[0], names[1], err)
		}
	}
	if _, err := New(nil, "g", "s", nil); err == nil {
		t.Error("nil api accepted")
	}
	if s, err := New(newFake(t), "g", "s", nil); err != nil || s.c.flushInterval != 5*time.Second || s.c.concurrency != 2 || s.c.maxBatchBytes != cwlogs.MaxBatchBytes {
		t.Errorf("defaults: %v %+v", err, s.c)
	}
}

func TestEmptyMessage(t *testing.T) {
	s := mustNew(t, newFake(t), fastOpts())
	if err := s.Log(time.Now(), ""); !errors.Is(err, ErrEmpty) {
		t.Fatalf("Log(\"\") = %v", err)
	}
	st := s.Stats()
	if st.Dropped.Empty != 1 {
		t.Errorf("Dropped.Empty = %d", st.Dropped.Empty)
	}
	checkInvariant(t, st)
	_ = s.Close(ctxT(t))
}

func TestMux(t *testing.T) {
	noLeak(t)
	f := newFake(t)
	o := fastOpts()
	o.MaxBatchEvents = 50
	m, err := NewMux(f, o)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 500 {
				if err := m.Log("grp", fmt.Sprint("s", g), time.Now(), fmt.Sprint(i)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := m.Flush(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Stream("grp", "bad:name"); err == nil {
		t.Error("bad stream name accepted")
	}
	if err := m.Close(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	for g := range 4 {
		if n := len(f.stored("grp", fmt.Sprint("s", g))); n != 500 {
			t.Errorf("stream %d: %d events", g, n)
		}
		if st, ok := m.StreamStats("grp", fmt.Sprint("s", g)); !ok || st.Sent != 500 {
			t.Errorf("stream %d stats %+v", g, st)
		}
	}
	st := m.Stats()
	checkInvariant(t, st)
	if st.Sent != 2000 {
		t.Errorf("sent %d", st.Sent)
	}
	if err := m.Log("grp", "s0", time.Now(), "late"); !errors.Is(err, ErrClosed) {
		t.Errorf("Log after Close: %v", err)
	}
}

func TestMuxSharedBudget(t *testing.T) {
	f := newFake(t)
	release := make(chan struct{})
	f.hook = func(ctx context.Context, _ int, _ *cwlogs.PutLogEventsInput) error {
		<-release
		return nil
	}
	o := fastOpts()
	o.OnFull, o.MaxBufferEvents, o.MaxBatchEvents = DropNewest, 30, 10
	m, _ := NewMux(f, o)
	for i := range 100 {
		_ = m.Log("g", fmt.Sprint("s", i%5), time.Now(), "x")
	}
	if st := m.Stats(); st.Queued != 30 || st.Dropped.BufferFull != 70 {
		t.Errorf("queued %d dropped %d, want 30, 70", st.Queued, st.Dropped.BufferFull)
	}
	close(release)
	_ = m.Close(ctxT(t))
	checkInvariant(t, m.Stats())
}

func TestStressInvariant(t *testing.T) {
	noLeak(t)
	f := newFake(t)
	var calls atomic.Int64
	f.hook = func(context.Context, int, *cwlogs.PutLogEventsInput) error {
		switch calls.Add(1) % 7 {
		case 1:
			return apiErr(cwlogs.CodeThrottling, 400)
		case 3:
			return apiErr("InternalFailure", 500)
		}
		return nil
	}
	o := fastOpts()
	o.MaxBatchEvents, o.MaxBufferEvents, o.Concurrency = 100, 1000, 4
	o.FlushInterval = time.Millisecond
	s := mustNew(t, f, o)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 5000 {
				if i%2 == 0 {
					_ = s.Log(time.Now(), fmt.Sprint(w, "-", i))
				} else {
					_, _ = fmt.Fprintf(s, "%d-%d\n", w, i)
				}
				if i%1000 == 0 {
					checkInvariant(t, s.Stats())
				}
			}
		})
	}
	wg.Wait()
	if err := s.Close(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	checkInvariant(t, st)
	if st.Sent != 20000 || len(f.stored("g", "s")) != 20000 {
		t.Errorf("sent %d stored %d", st.Sent, len(f.stored("g", "s")))
	}
	f.checkNoViolations(t)
}

// TestNotFoundAfterCreateBacksOff: when PutLogEvents keeps answering ResourceNotFound
// although the stream exists (the service can lag right after CreateLogStream), the shipper
// resends once at once, then backs off and gives up at MaxElapsedTime instead of hammering
// the API (a review found an unbounded loop here).
func TestNotFoundAfterCreateBacksOff(t *testing.T) {
	f := newFake(t)
	f.groups["g"] = true
	f.hook = func(context.Context, int, *cwlogs.PutLogEventsInput) error {
		return apiErr(cwlogs.CodeResourceNotFound, 400)
	}
	o := fastOpts()
	o.MaxElapsedTime = 200 * time.Millisecond
	o.MaxBackoff = 20 * time.Millisecond
	s := mustNew(t, f, o)
	for i := range 3 {
		_ = s.Log(time.Now(), fmt.Sprint(i))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.Close(ctx) // returns after MaxElapsedTime, long before the deadline
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Stats.Lost() != 3 {
		t.Fatalf("Close: %v", err)
	}
	st := s.Stats()
	checkInvariant(t, st)
	if st.Dropped.RetryExhausted != 3 {
		t.Errorf("dropped %+v, want 3 retry-exhausted", st.Dropped)
	}
	f.mu.Lock()
	calls, creates := f.calls, f.creates
	f.mu.Unlock()
	if calls > 50 || creates > 50 {
		t.Errorf("%d PutLogEvents and %d CreateLogStream calls in %v: not backing off", calls, creates, o.MaxElapsedTime)
	}
}

// TestWriteCloseRace: a Write racing with Close either returns ErrClosed or has its
// unfinished line counted; it never returns success for a line nobody sends.
func TestWriteCloseRace(t *testing.T) {
	n := 5000
	if testing.Short() {
		n = 500
	}
	for i := range n {
		f := newFake(t)
		s := mustNew(t, f, fastOpts())
		werr := make(chan error, 1)
		go func() { _, err := s.Write([]byte("unfinished line")); werr <- err }()
		if i%2 == 0 {
			runtime.Gosched()
		}
		_ = s.Close(ctxT(t))
		err := <-werr
		st := s.Stats()
		switch {
		case err == nil && (st.Events != 1 || st.Sent != 1):
			t.Fatalf("iteration %d: Write succeeded but %d events accounted, %d sent; want 1, 1", i, st.Events, st.Sent)
		case err != nil && !errors.Is(err, ErrClosed):
			t.Fatalf("iteration %d: Write: %v", i, err)
		case err != nil && (st.Events != 1 || st.Dropped.Closed != 1):
			t.Fatalf("iteration %d: Write refused but %d events accounted, %d dropped as closed; want 1, 1", i, st.Events, st.Dropped.Closed)
		}
	}
}

// TestWriteInCloseWindow puts a Write deterministically where TestWriteCloseRace rarely lands:
// past its first closed check while Close flushes the partial line. It must refuse, not leave
// an unfinished line nobody will send, and count the lines it refuses.
func TestWriteInCloseWindow(t *testing.T) {
	for _, tc := range []struct {
		input string
		lines int64
	}{{"unfinished line", 1}, {"complete line\n", 1}, {"a\nb", 2}} {
		input := tc.input
		t.Run(strings.TrimSpace(input), func(t *testing.T) {
			s := mustNew(t, newFake(t), fastOpts())
			inWindow, closed := make(chan struct{}), make(chan struct{})
			s.testHookWriteWindow = func() { close(inWindow); <-closed }
			werr := make(chan error, 1)
			go func() { _, err := s.Write([]byte(input)); werr <- err }()
			<-inWindow
			if err := s.Close(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			close(closed)
			if err := <-werr; !errors.Is(err, ErrClosed) {
				t.Fatalf("Write in Close's window: %v, want ErrClosed", err)
			}
			if st := s.Stats(); st.Events != tc.lines || st.Dropped.Closed != tc.lines || st.Sent != 0 {
				t.Fatalf("Write refused: %d events accounted, %d dropped as closed, %d sent; want %d, %d, 0", st.Events, st.Dropped.Closed, st.Sent, tc.lines, tc.lines)
			}
		})
	}
}

func TestMuxStreamAfterClose(t *testing.T) {
	m, err := NewMux(newFake(t), fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Stream("g", "s"); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Stream("g", "s"); !errors.Is(err, ErrClosed) {
		t.Fatalf("Stream after Close: %v, want ErrClosed", err)
	}
}

// TestRangeCheckAfterZeroTimeEvent: the range check of LogContext reuses the
// clock reading taken when the batch being built got its first event. A review
// found that a batch started by a zero-time event (Log(time.Time{}, …)) did not
// take that reading, so the check could use one from long ago: an event older
// than the retention then passed as in range, was neither dropped nor clamped,
// and would be rejected by the service.
func TestRangeCheckAfterZeroTimeEvent(t *testing.T) {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	later := start.Add(20 * 24 * time.Hour)
	cases := []struct {
		policy  RangePolicy
		wantErr error
		check   func(t *testing.T, got []cwlogs.InputLogEvent, st Stats)
	}{
		{DropOutOfRange, ErrOutOfRange, func(t *testing.T, got []cwlogs.InputLogEvent, st Stats) {
			if len(got) != 2 || st.Dropped.TooOld != 1 {
				t.Errorf("stored %d events, dropped %+v; want 2 stored, 1 too old", len(got), st.Dropped)
			}
		}},
		{ClampOutOfRange, nil, func(t *testing.T, got []cwlogs.InputLogEvent, st Stats) {
			if len(got) != 3 || st.Clamped != 1 {
				t.Fatalf("stored %d events, clamped %d; want 3, 1", len(got), st.Clamped)
			}
			if lo := later.Add(-DefaultRetention).UnixMilli(); got[2].Timestamp < lo {
				t.Errorf("timestamp %d not clamped to >= %d", got[2].Timestamp, lo)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.policy.String(), func(t *testing.T) {
			var mu sync.Mutex
			now := start
			o := fastOpts()
			o.OutOfRange = tc.policy
			o.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			f := newFake(t)
			s := mustNew(t, f, o)
			// A batch whose first event has a timestamp: the clock is read at start.
			if err := s.Log(start, "first"); err != nil {
				t.Fatal(err)
			}
			if err := s.Flush(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			now = later
			mu.Unlock()
			// A batch started by a zero-time event, then an event 20 days old.
			if err := s.Log(time.Time{}, "now"); err != nil {
				t.Fatal(err)
			}
			if err := s.Log(start, "old"); !errors.Is(err, tc.wantErr) {
				t.Errorf("Log of an event 20 days old: %v, want %v", err, tc.wantErr)
			}
			if err := s.Close(ctxT(t)); err != nil && tc.wantErr == nil {
				t.Fatal(err)
			}
			st := s.Stats()
			checkInvariant(t, st)
			tc.check(t, f.stored("g", "s"), st)
		})
	}
}

// waitForBlockedWriter waits until a writer of s waits for room in the buffer.
func waitForBlockedWriter(t *testing.T, s *Shipper) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		s.budget.mu.Lock()
		waiting := s.budget.wake != nil
		s.budget.mu.Unlock()
		if waiting {
			return
		}
	}
	t.Fatal("no writer came to wait for room in 10s")
}

// returnsSoon runs f and returns its error, failing the test if f is still
// running long after it should have returned (it would block for the
// attempt timeout of the test, far longer).
func returnsSoon(t *testing.T, what string, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not return after its ctx ended", what)
		return nil
	}
}

// TestCloseFullBufferDeadEndpoint: with OnFull Block, a full buffer and an
// endpoint that does not answer, Close must return when its ctx ends. A
// review found it blocked until the requests in flight timed out (up to
// AttemptTimeout, MaxElapsedTime: minutes) when Write had an unfinished line
// (Close waited for room to send it, ignoring ctx) or a Write was waiting for
// room (it held the lock Close takes to send the unfinished line, and was only
// woken after that).
func TestCloseFullBufferDeadEndpoint(t *testing.T) {
	cases := []struct {
		name   string
		write  func(s *Shipper) <-chan error // leaves an unfinished line or a blocked Write
		events int64                         // events offered, all refused
	}{
		{"unfinished line", func(s *Shipper) <-chan error {
			errc := make(chan error, 1)
			_, err := s.Write([]byte("partial"))
			errc <- err
			return errc
		}, 3},
		{"Write waiting for room", func(s *Shipper) <-chan error {
			errc := make(chan error, 1)
			go func() { _, err := s.Write([]byte("line\n")); errc <- err }()
			waitForBlockedWriter(t, s)
			return errc
		}, 3},
		{"Write of a long unfinished line waiting for room", func(s *Shipper) <-chan error {
			errc := make(chan error, 1)
			go func() { _, err := s.Write([]byte("0123456789")); errc <- err }() // spilled: over MaxMessageBytes
			waitForBlockedWriter(t, s)
			return errc
		}, 4}, // the spilled line is split in 2 events
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.hook = hang
			s := fullShipperWith(t, f, 8)
			writeErr := tc.write(s)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			err := returnsSoon(t, "Close", func() error { return s.Close(ctx) })
			var ce *CloseError
			if !errors.As(err, &ce) || !errors.Is(err, context.Canceled) {
				t.Fatalf("Close: %v, want a *CloseError with context.Canceled", err)
			}
			// A Write whose line was refused must say so.
			if err := <-writeErr; err != nil && !errors.Is(err, ErrClosed) || err == nil && tc.name != "unfinished line" {
				t.Errorf("Write: %v, want ErrClosed", err)
			}
			st := s.Stats()
			checkInvariant(t, st)
			if st.Events != tc.events || st.Dropped.Closed != tc.events || st.Queued != 0 {
				t.Errorf("events %d, dropped %+v, queued %d; want %d events, all closed, 0 queued", st.Events, st.Dropped, st.Queued, tc.events)
			}
		})
	}
}

// TestFlushFullBufferDeadEndpoint: with OnFull Block, a full buffer and an
// endpoint that does not answer, Flush must return ctx.Err() when its ctx
// ends. A review found it blocked until the requests in flight timed out when
// Write had an unfinished line (Flush waited for room to buffer it with
// context.Background()) or a Write was waiting for room (Flush waited for the
// lock that Write held). The unfinished line must not be lost: it is sent once
// the endpoint answers again.
func TestFlushFullBufferDeadEndpoint(t *testing.T) {
	cases := []struct {
		name  string
		write func(s *Shipper) <-chan error // leaves an unfinished line or a blocked Write
		line  string                        // the event the Write makes
	}{
		{"unfinished line", func(s *Shipper) <-chan error {
			errc := make(chan error, 1)
			_, err := s.Write([]byte("unfinished"))
			errc <- err
			return errc
		}, "unfinished"},
		{"Write waiting for room", func(s *Shipper) <-chan error {
			errc := make(chan error, 1)
			go func() { _, err := s.Write([]byte("line\n")); errc <- err }()
			waitForBlockedWriter(t, s)
			return errc
		}, "line"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			release := make(chan struct{})
			f.hook = holdUntil(release)
			s := fullShipper(t, f)
			writeErr := tc.write(s)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			err := returnsSoon(t, "Flush", func() error { return s.Flush(ctx) })
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Flush: %v, want context.Canceled", err)
			}
			close(release) // the endpoint answers again
			if err := <-writeErr; err != nil {
				t.Fatalf("Write: %v", err)
			}
			if err := s.Close(ctxT(t)); err != nil {
				t.Fatalf("Close: %v", err)
			}
			st := s.Stats()
			checkInvariant(t, st)
			var got []string
			for _, e := range f.stored("g", "s") {
				got = append(got, e.Message)
			}
			slices.Sort(got) // two requests in flight: any order
			want := []string{"a", "b", tc.line}
			slices.Sort(want)
			if st.Events != 3 || st.Sent != 3 || !slices.Equal(got, want) {
				t.Errorf("events %d, sent %d, stored %q; want %q", st.Events, st.Sent, got, want)
			}
		})
	}
}

// TestDropPolicySealsFullBuffer: under DropNewest and DropOldest, a full
// buffer must be sent, not kept until FlushInterval. A review found that only
// Block sealed the batch being built when the buffer was full: with a buffer
// smaller than a batch (or a Mux whose streams' unsealed batches fill the
// shared buffer), every event after the buffer filled was refused (DropNewest)
// or discarded an older one (DropOldest) until the flush timer fired, although
// the endpoint was idle: at most MaxBufferEvents per FlushInterval got through.
func TestDropPolicySealsFullBuffer(t *testing.T) {
	cases := []struct {
		policy    FullPolicy
		wantErr   error
		wantFirst int // events of the first batch sent
	}{
		{DropNewest, ErrBufferFull, 10},
		{DropOldest, nil, 9}, // the oldest event of the sealed batch made room
	}
	for _, tc := range cases {
		t.Run(tc.policy.String(), func(t *testing.T) {
			f := newFake(t)
			called := make(chan struct{}, 1)
			f.hook = func(context.Context, int, *cwlogs.PutLogEventsInput) error {
				select {
				case called <- struct{}{}:
				default:
				}
				return nil
			}
			o := fastOpts() // FlushInterval: 1 h
			o.OnFull = tc.policy
			o.MaxBufferEvents = 10
			s := mustNew(t, f, o)
			for i := range 10 {
				if err := s.Log(time.Now(), fmt.Sprint(i)); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Log(time.Now(), "10"); !errors.Is(err, tc.wantErr) {
				t.Fatalf("Log into a full buffer: %v, want %v", err, tc.wantErr)
			}
			// Without the seal the batch waits for the 1-hour flush timer.
			select {
			case <-called:
			case <-time.After(10 * time.Second):
				t.Fatal("the full buffer was not sent")
			}
			var ce *CloseError // one event was dropped
			if err := s.Close(ctxT(t)); !errors.As(err, &ce) {
				t.Fatalf("Close: %v, want a *CloseError", err)
			}
			st := s.Stats()
			checkInvariant(t, st)
			f.mu.Lock()
			first := len(f.batches[0])
			f.mu.Unlock()
			if first != tc.wantFirst || st.Dropped.BufferFull != 1 || st.Sent != 10 {
				t.Errorf("first batch %d events, dropped %d, sent %d; want %d, 1, 10", first, st.Dropped.BufferFull, st.Sent, tc.wantFirst)
			}
		})
	}
}

// TestFlushClosedWhileWaitingForRoom: a Flush waiting for room for Write's
// unfinished line when Close starts returns ErrClosed (Close sends the
// line), not nil. A review found it returned nil, as if it had sent the line.
func TestFlushClosedWhileWaitingForRoom(t *testing.T) {
	f := newFake(t)
	release := make(chan struct{})
	f.hook = holdUntil(release)
	s := fullShipper(t, f)
	if _, err := s.Write([]byte("unfinished")); err != nil {
		t.Fatal(err)
	}
	flushed := make(chan error, 1)
	go func() { flushed <- s.Flush(context.Background()) }()
	waitForBlockedWriter(t, s)
	closed := make(chan error, 1)
	go func() { closed <- s.Close(ctxT(t)) }()
	if err := returnsSoon(t, "Flush", func() error { return <-flushed }); !errors.Is(err, ErrClosed) {
		t.Errorf("Flush when Close started: %v, want ErrClosed", err)
	}
	close(release)
	if err := <-closed; err != nil {
		t.Errorf("Close: %v (the line is Close's to send)", err)
	}
	if st := s.Stats(); st.Events != 3 || st.Sent != 3 {
		t.Errorf("events %d, sent %d; want 3, 3", st.Events, st.Sent)
	}
}

// TestRangeCheckReadingRenewedWhenBatchFillsByBytes: an event that does not fit the batch
// being built starts the next one, and the range check's clock reading must be renewed
// then too (Options.Now: "at most FlushInterval old"). A review found it was renewed only
// when a batch got its first event otherwise: with batches filling by bytes, the reading
// fell up to 2 h behind, and an event older than the retention by less than that was
// sent unclamped, for the service to reject.
func TestRangeCheckReadingRenewedWhenBatchFillsByBytes(t *testing.T) {
	var mu sync.Mutex
	clock := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	f := newFake(t)
	o := fastOpts()
	o.Now = now
	o.OutOfRange = ClampOutOfRange
	o.MaxBatchBytes = 1000 // two events of 374 bytes (+26) per batch: batches fill by bytes
	o.MaxMessageBytes = 400
	s := mustNew(t, f, o)
	msg := strings.Repeat("m", 374)
	for range 48 * 60 { // 48 hours, an event a minute, each stamped with the clock
		mu.Lock()
		clock = clock.Add(time.Minute)
		mu.Unlock()
		if err := s.Log(now(), msg); err != nil {
			t.Fatal(err)
		}
	}
	old := now().Add(-DefaultRetention - time.Hour) // replayed: an hour past the bound
	if err := s.Log(old, "replayed"); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Clamped != 1 {
		t.Fatalf("Clamped = %d, want 1 (the replayed event)", st.Clamped)
	}
	for _, e := range f.stored("g", "s") {
		if e.Message == "replayed" && e.Timestamp < now().Add(-DefaultRetention).UnixMilli() {
			t.Errorf("sent at %v, older than the retention", time.UnixMilli(e.Timestamp).UTC())
		}
	}
}

// TestCloseUnconfirmedOnlyWhenMaybeStored: a batch whose attempts all failed before
// reaching the service (no connection, no address) or were refused by it (4xx) is Unsent
// when Close gives up; only one that may have been stored (in flight, a 5xx, a timeout)
// is Unconfirmed. A review found every attempted batch counted Unconfirmed: 20,000
// offline events were reported as possibly stored though no request had left.
func TestCloseUnconfirmedOnlyWhenMaybeStored(t *testing.T) {
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	for _, tc := range []struct {
		name        string
		err         error
		unconfirmed bool
	}{
		{"connection refused", &cwlogs.OpError{Operation: "PutLogEvents", Attempts: 1, Err: dial}, false},
		{"no such host", &cwlogs.OpError{Operation: "PutLogEvents", Attempts: 1, Err: &net.OpError{Op: "dial", Net: "tcp",
			Err: &net.DNSError{Err: "no such host", Name: "logs.invalid", IsNotFound: true}}}, false},
		{"throttled", &cwlogs.APIError{Code: "ThrottlingException", StatusCode: 400}, false},
		{"503", &cwlogs.APIError{Code: "ServiceUnavailableException", StatusCode: 503}, true},
		// Throttled, but the client's earlier attempt was sent and cut off: it may have stored.
		{"throttled after a cut-off attempt", &cwlogs.APIError{Code: "ThrottlingException", StatusCode: 400,
			EarlierAttemptUnconfirmed: true}, true},
		{"timeout", &cwlogs.OpError{Operation: "PutLogEvents", Attempts: 1, Err: cwlogs.ErrAttemptTimeout}, true},
		// The client retried on its own: an earlier attempt may have reached the service.
		{"client retried, then refused", &cwlogs.OpError{Operation: "PutLogEvents", Attempts: 2, Err: dial}, true},
		// The client saw that no attempt sent the request, whatever the last error says.
		{"client retried, none sent", &cwlogs.OpError{Operation: "PutLogEvents", Attempts: 3, Err: cwlogs.ErrAttemptTimeout,
			NotSent: true}, false},
		{"deadline during the dial", &cwlogs.OpError{Operation: "PutLogEvents", Attempts: 1, Err: context.DeadlineExceeded,
			NotSent: true}, false},
		{"proxy refused CONNECT", &cwlogs.OpError{Operation: "PutLogEvents", Attempts: 1, Err: errors.New("Forbidden"),
			NotSent: true}, false},
		// The client retried, and an attempt after one cut off could not get credentials:
		// it returns an *OpError (NotSent false) rather than a *cwlogs.CredentialsError.
		{"credentials after a cut-off attempt", &cwlogs.OpError{Operation: "PutLogEvents", Attempts: 2,
			Err: fmt.Errorf("retrieving credentials: %w", cwlogs.ErrNoCredentials)}, true},
		// The Logs request never left: the STS call behind its credentials failed.
		{"credentials: STS 503", fmt.Errorf("cwlogs: PutLogEvents: %w", &cwlogs.CredentialsError{Provider: "sts",
			Err: &cwlogs.APIError{Operation: "sts:AssumeRole", Code: "ServiceUnavailable", StatusCode: 503}}), false},
		{"certificate refused", &cwlogs.OpError{Operation: "PutLogEvents", Attempts: 1,
			Err: &tls.CertificateVerificationError{Err: errors.New("x509: certificate signed by unknown authority")}}, false},
		{"proxy unreachable", &cwlogs.OpError{Operation: "PutLogEvents", Attempts: 1,
			Err: &net.OpError{Op: "proxyconnect", Net: "tcp", Err: dial}}, false},
		{"proxy TLS handshake failed", &cwlogs.OpError{Operation: "PutLogEvents", Attempts: 1,
			Err: &net.OpError{Op: "proxyconnect", Net: "tcp", Err: errors.New("remote error: tls: handshake failure")}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.hook = func(ctx context.Context, call int, in *cwlogs.PutLogEventsInput) error { return tc.err }
			o := fastOpts()
			o.MaxBatchEvents = 5
			o.InitialBackoff, o.ThrottleBackoff, o.MaxBackoff = time.Hour, time.Hour, time.Hour // waiting to retry at Close
			o.MaxElapsedTime = 2 * time.Hour
			s := mustNew(t, f, o)
			for i := range 5 {
				_ = s.Log(time.Now(), fmt.Sprint(i))
			}
			for f.callCount() == 0 {
				time.Sleep(time.Millisecond)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
			defer cancel()
			var ce *CloseError
			if err := s.Close(ctx); !errors.As(err, &ce) {
				t.Fatalf("Close: %v", err)
			}
			want := CloseError{Unsent: 5}
			if tc.unconfirmed {
				want = CloseError{Unconfirmed: 5}
			}
			if ce.Unsent != want.Unsent || ce.Unconfirmed != want.Unconfirmed {
				t.Errorf("unsent %d unconfirmed %d, want %d %d", ce.Unsent, ce.Unconfirmed, want.Unsent, want.Unconfirmed)
			}
			checkInvariant(t, ce.Stats)
		})
	}
}

// TestRangeReadingRenewedAfterBlockWait: a batch sealed because the buffer was full (the
// Block wait in enqueue) gets its first event from the waiter; the range check's reading
// must be renewed then too. A review found it as old as the wait was long, so that an
// event an hour past the retention went out unclamped after a 3-hour wait.
func TestRangeReadingRenewedAfterBlockWait(t *testing.T) {
	var mu sync.Mutex
	clock := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	f := newFake(t)
	release := make(chan struct{})
	f.hook = func(ctx context.Context, call int, in *cwlogs.PutLogEventsInput) error {
		if call == 1 {
			return holdUntil(release)(ctx, call, in)
		}
		return nil
	}
	o := fastOpts()
	o.Now = now
	o.OutOfRange = ClampOutOfRange
	o.MaxBufferEvents = 2
	o.AttemptTimeout, o.MaxElapsedTime = time.Minute, time.Minute
	s := mustNew(t, f, o)
	_ = s.Log(now(), "e1")
	_ = s.Log(now(), "e2")
	done := make(chan error)
	go func() { done <- s.Log(now(), "e3") }() // waits: the buffer is full
	for f.callCount() == 0 {
		time.Sleep(time.Millisecond)
	}
	mu.Lock()
	clock = clock.Add(3 * time.Hour) // the wait lasts 3 hours
	mu.Unlock()
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	old := now().Add(-DefaultRetention - time.Hour)
	if err := s.Log(old, "replayed"); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Clamped != 1 {
		t.Errorf("Clamped = %d, want 1: the event an hour past the retention was sent as is", st.Clamped)
	}
}
