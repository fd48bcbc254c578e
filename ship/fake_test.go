package ship

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cwlogs/cwlogs"
)

// fakeAPI is an in-memory PutLogEvents endpoint that checks every batch rule
// and stores the events of accepted batches.
type fakeAPI struct {
	mu       sync.Mutex
	t        testing.TB
	streams  map[string][]cwlogs.InputLogEvent // "group/stream" → events in storage order
	groups   map[string]bool
	calls    int // PutLogEvents calls
	batches  [][]cwlogs.InputLogEvent
	inflight int
	maxInfl  int
	creates  int
	// hook, when set, runs before a call is processed (outside the lock); a
	// non-nil error is returned instead.
	hook func(ctx context.Context, call int, in *cwlogs.PutLogEventsInput) error
	// result, when set, decides the output of an accepted batch.
	result func(in *cwlogs.PutLogEventsInput) *cwlogs.PutLogEventsOutput
	// createHook, when set, runs before a CreateLogStream or CreateLogGroup
	// call (outside the lock); a non-nil error is returned instead.
	createHook func(op string, group, stream string) error
	// requireStream makes PutLogEvents fail with ResourceNotFound for
	// streams not created.
	requireStream bool
	violations    []string
}

func newFake(t testing.TB) *fakeAPI {
	return &fakeAPI{t: t, streams: map[string][]cwlogs.InputLogEvent{}, groups: map[string]bool{}}
}

func apiErr(code string, status int) error {
	return &cwlogs.APIError{Operation: "PutLogEvents", Code: code, StatusCode: status, Message: "injected"}
}

// checkBatch returns the rules the batch breaks.
func checkBatch(ev []cwlogs.InputLogEvent) []string {
	var bad []string
	if len(ev) == 0 || len(ev) > cwlogs.MaxBatchEvents {
		bad = append(bad, fmt.Sprintf("batch of %d events", len(ev)))
	}
	total := 0
	for i, e := range ev {
		if e.Message == "" {
			bad = append(bad, fmt.Sprintf("event %d empty", i))
		}
		if !utf8.ValidString(e.Message) {
			bad = append(bad, fmt.Sprintf("event %d invalid UTF-8", i))
		}
		if len(e.Message)+cwlogs.EventOverheadBytes > cwlogs.MaxEventBytes {
			bad = append(bad, fmt.Sprintf("event %d: %d bytes", i, len(e.Message)))
		}
		total += len(e.Message) + cwlogs.EventOverheadBytes
		if i > 0 && e.Timestamp < ev[i-1].Timestamp {
			bad = append(bad, fmt.Sprintf("event %d out of order", i))
		}
		if e.Timestamp-ev[0].Timestamp >= spanMillis {
			bad = append(bad, fmt.Sprintf("event %d: span %d ms", i, e.Timestamp-ev[0].Timestamp))
		}
	}
	if total > cwlogs.MaxBatchBytes {
		bad = append(bad, fmt.Sprintf("batch of %d bytes", total))
	}
	return bad
}

func (f *fakeAPI) PutLogEvents(ctx context.Context, in *cwlogs.PutLogEventsInput) (*cwlogs.PutLogEventsOutput, error) {
	f.mu.Lock()
	f.calls++
	call := f.calls
	f.inflight++
	if f.inflight > f.maxInfl {
		f.maxInfl = f.inflight
	}
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inflight--
		f.mu.Unlock()
	}()
	if f.hook != nil {
		if err := f.hook(ctx, call, in); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	key := in.LogGroupName + "/" + in.LogStreamName
	f.mu.Lock()
	defer f.mu.Unlock()
	if bad := checkBatch(in.LogEvents); len(bad) > 0 {
		f.violations = append(f.violations, bad...)
		return nil, apiErr(cwlogs.CodeInvalidParameter, 400)
	}
	if _, ok := f.streams[key]; !ok && f.requireStream {
		return nil, apiErr(cwlogs.CodeResourceNotFound, 400)
	}
	out := &cwlogs.PutLogEventsOutput{}
	if f.result != nil {
		out = f.result(in)
	}
	lo, hi := 0, len(in.LogEvents)
	if ri := out.RejectedLogEventsInfo; ri != nil {
		if ri.TooOldLogEventEndIndex != nil {
			lo = max(lo, *ri.TooOldLogEventEndIndex)
		}
		if ri.ExpiredLogEventEndIndex != nil {
			lo = max(lo, *ri.ExpiredLogEventEndIndex)
		}
		if ri.TooNewLogEventStartIndex != nil {
			hi = *ri.TooNewLogEventStartIndex
		}
	}
	cp := append([]cwlogs.InputLogEvent(nil), in.LogEvents...)
	f.batches = append(f.batches, cp)
	if lo < hi {
		f.streams[key] = append(f.streams[key], cp[lo:hi]...)
	} else if _, ok := f.streams[key]; !ok {
		f.streams[key] = nil
	}
	return out, nil
}

// hang is a hook under which PutLogEvents never answers: it returns when the
// attempt's ctx ends.
func hang(ctx context.Context, _ int, _ *cwlogs.PutLogEventsInput) error {
	<-ctx.Done()
	return ctx.Err()
}

// holdUntil returns a PutLogEvents hook that answers once release is closed,
// or fails when the request's ctx ends first.
func holdUntil(release <-chan struct{}) func(context.Context, int, *cwlogs.PutLogEventsInput) error {
	return func(ctx context.Context, _ int, _ *cwlogs.PutLogEventsInput) error {
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// fullShipper returns a shipper over f whose buffer (two events, one per
// batch) holds "a" and "b", with timeouts long enough that only the test ends
// its requests.
func fullShipper(t *testing.T, f *fakeAPI) *Shipper { return fullShipperWith(t, f, 0) }

// fullShipperWith is fullShipper with Options.MaxMessageBytes set to
// maxMessage (0: the default).
func fullShipperWith(t *testing.T, f *fakeAPI, maxMessage int) *Shipper {
	t.Helper()
	o := fastOpts()
	o.MaxBufferEvents, o.MaxBatchEvents, o.MaxMessageBytes = 2, 1, maxMessage
	o.AttemptTimeout, o.MaxElapsedTime = 30*time.Second, 30*time.Second
	s := mustNew(t, f, o)
	for _, m := range []string{"a", "b"} {
		if err := s.Log(time.Now(), m); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func (f *fakeAPI) CreateLogStream(ctx context.Context, in *cwlogs.CreateLogStreamInput) error {
	if f.createHook != nil {
		if err := f.createHook("CreateLogStream", in.LogGroupName, in.LogStreamName); err != nil {
			return err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.creates++
	if f.requireStream && !f.groups[in.LogGroupName] {
		return &cwlogs.APIError{Operation: "CreateLogStream", Code: cwlogs.CodeResourceNotFound, StatusCode: 400}
	}
	key := in.LogGroupName + "/" + in.LogStreamName
	if _, ok := f.streams[key]; ok {
		return &cwlogs.APIError{Operation: "CreateLogStream", Code: cwlogs.CodeResourceAlreadyExists, StatusCode: 400}
	}
	f.streams[key] = nil
	return nil
}

func (f *fakeAPI) CreateLogGroup(ctx context.Context, in *cwlogs.CreateLogGroupInput) error {
	if f.createHook != nil {
		if err := f.createHook("CreateLogGroup", in.LogGroupName, ""); err != nil {
			return err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.groups[in.LogGroupName] {
		return &cwlogs.APIError{Operation: "CreateLogGroup", Code: cwlogs.CodeResourceAlreadyExists, StatusCode: 400}
	}
	f.groups[in.LogGroupName] = true
	return nil
}

func (f *fakeAPI) stored(group, stream string) []cwlogs.InputLogEvent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]cwlogs.InputLogEvent(nil), f.streams[group+"/"+stream]...)
}

func (f *fakeAPI) checkNoViolations(t testing.TB) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.violations) > 0 {
		t.Errorf("batch rules broken: %v", f.violations[:min(len(f.violations), 10)])
	}
}

// checkInvariant verifies that every event is accounted for exactly once.
func checkInvariant(t testing.TB, st Stats) {
	t.Helper()
	if got := st.Sent + st.Rejected.Total() + st.Dropped.Total() + st.Queued; got != st.Events {
		t.Errorf("accounting: Events %d != Sent %d + Rejected %d + Dropped %d + Queued %d", st.Events, st.Sent, st.Rejected.Total(), st.Dropped.Total(), st.Queued)
	}
}

// fastOpts are options with short delays for tests.
func fastOpts() *Options {
	return &Options{InitialBackoff: time.Millisecond, ThrottleBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, FlushInterval: time.Hour}
}

func mustNew(t testing.TB, api API, opts *Options) *Shipper {
	t.Helper()
	s, err := New(api, "g", "s", opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// callCount returns the number of PutLogEvents calls so far.
func (f *fakeAPI) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}
