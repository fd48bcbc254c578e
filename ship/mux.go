package ship

import (
	"context"
	"errors"
	"github.com/cwlogs/cwlogs/internal/goid"
	"slices"
	"sync"
	"time"

	"github.com/cwlogs/cwlogs"
)

// Mux ships to many log streams over one client. Each stream gets its own
// Shipper, created on first use, with the Mux's options; the buffer bounds
// (MaxBufferBytes, MaxBufferEvents) are shared by all streams, and so is the
// throttling pause. Concurrency applies per stream. Its methods are safe for
// concurrent use.
//
// A stream short of room seals the batches other streams are building, so
// that they are sent at once rather than after their FlushInterval. The
// policies act per stream: DropOldest discards the oldest queued event of
// the stream that is short of room (when it has none, the new event is
// refused, as with DropNewest). The buffer is shared; without
// MaxStreamBufferBytes it is not divided: a stream whose batches keep failing
// holds the room they take until they succeed or MaxElapsedTime ends, and the
// other streams wait (Block) or are refused (the drop policies) meanwhile.
// MaxStreamBufferBytes bounds each stream's part, so that the others keep the
// rest. Streams live until Close; an idle one
// holds no batch memory, only its counters (a few hundred bytes).
type Mux struct {
	api    API
	c      config
	budget *budget

	mu      sync.RWMutex
	streams map[streamKey]*Shipper
	order   []*Shipper
	closed  bool
	// refused counts the events Log and LogContext refused after Close
	// without reaching a stream (Events, Dropped.Closed); guarded by mu.
	refused Stats
}

type streamKey struct{ group, stream string }

// NewMux returns a Mux sending through api. opts nil selects the defaults.
func NewMux(api API, opts *Options) (*Mux, error) {
	c, err := opts.config()
	if err != nil {
		return nil, err
	}
	if api == nil {
		return nil, &cwlogs.ValidationError{Operation: "ship.NewMux", Field: "api", Value: "nil", Reason: "is required"}
	}
	m := &Mux{api: api, c: c, budget: newBudget(c.maxBufferBytes, c.maxBufferEvents), streams: map[streamKey]*Shipper{}}
	m.budget.sealOthers = m.sealOthers
	return m, nil
}

// sealOthers seals the batch being built of every stream but except, so
// that a stream short of room does not wait (or refuse events) while other
// streams' batches hold it until their FlushInterval.
func (m *Mux) sealOthers(except *Shipper) {
	for _, s := range m.shippers() {
		if s == except {
			continue
		}
		s.mu.Lock()
		if !s.closed {
			s.sealLocked()
		}
		s.mu.Unlock()
	}
}

// Stream returns the Shipper of group/stream, creating it on first use.
// Invalid names are reported as *cwlogs.ValidationError; after Close it
// returns ErrClosed.
func (m *Mux) Stream(group, stream string) (*Shipper, error) {
	k := streamKey{group, stream}
	m.mu.RLock()
	s, ok := m.streams[k]
	closed := m.closed
	m.mu.RUnlock()
	if closed {
		return nil, ErrClosed
	}
	if ok {
		return s, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, ErrClosed
	}
	if s, ok := m.streams[k]; ok {
		return s, nil
	}
	s, err := newShipper(m.api, group, stream, m.c, m.budget)
	if err != nil {
		return nil, err
	}
	m.streams[k] = s
	m.order = append(m.order, s)
	return s, nil
}

// Log offers one event to group/stream; see Shipper.Log.
func (m *Mux) Log(group, stream string, t time.Time, msg string) error {
	return m.LogContext(context.Background(), group, stream, t, msg)
}

// LogContext offers one event to group/stream; see Shipper.LogContext. After
// Close it returns ErrClosed and counts the event in Stats (Dropped.Closed),
// as a Shipper does; an invalid group or stream name is refused with a
// *cwlogs.ValidationError and not counted (no stream exists to count it).
func (m *Mux) LogContext(ctx context.Context, group, stream string, t time.Time, msg string) error {
	s, err := m.Stream(group, stream)
	if err == ErrClosed {
		m.mu.Lock()
		m.refused.Events++
		m.refused.Dropped.Closed++
		m.mu.Unlock()
	}
	if err != nil {
		return err
	}
	return s.LogContext(ctx, t, msg)
}

func (m *Mux) shippers() []*Shipper {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return append([]*Shipper(nil), m.order...)
}

// each runs f on every shipper of ss concurrently and returns their errors,
// in the order of ss.
func each(ss []*Shipper, f func(*Shipper) error) []error {
	errs := make([]error, len(ss))
	var wg sync.WaitGroup
	for i, s := range ss {
		wg.Go(func() { errs[i] = f(s) })
	}
	wg.Wait()
	return errs
}

// Flush flushes every stream concurrently; see Shipper.Flush. It returns a
// *FlushError summing the events not delivered, or ctx.Err().
func (m *Mux) Flush(ctx context.Context) error {
	errs := each(m.shippers(), func(s *Shipper) error { return s.Flush(ctx) })
	var fe FlushError
	for _, err := range errs {
		var e *FlushError
		switch {
		case err == nil:
		case errors.As(err, &e):
			fe.Events += e.Events
			fe.Rejected = fe.Rejected.plus(e.Rejected)
			fe.Err = e.Err
		default:
			return err
		}
	}
	if fe.Events > 0 {
		return &fe
	}
	return nil
}

// Close closes every stream concurrently with ctx; see Shipper.Close (it may
// be called from OnError likewise; it then waits for no stream's OnError
// calls, whose queued reports are passed on after it returns). Stream and Log
// return ErrClosed afterwards. It returns nil when every event was stored, else a *CloseError
// summing all streams.
func (m *Mux) Close(ctx context.Context) error {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	caller := goid.ID() // each closes the streams on goroutines of its own
	ss := m.shippers()
	// Called from the OnError of one stream, Close must wait for no stream's
	// OnError calls: another stream's may be calling Close too, and waiting
	// for this one (a review found two such calls waiting for each other).
	fromOnError := slices.ContainsFunc(ss, func(s *Shipper) bool { return s.reentrant(caller) })
	errs := each(ss, func(s *Shipper) error { return s.close(ctx, fromOnError) })
	var ce CloseError
	failed := false
	for i, err := range errs {
		var e *CloseError
		if errors.As(err, &e) {
			failed = true
			ce.Unsent += e.Unsent
			ce.Unconfirmed += e.Unconfirmed
			if e.Err != nil {
				ce.Err = e.Err
			}
			ce.Stats.add(e.Stats)
		} else {
			if err != nil {
				failed = true
				ce.Err = err
			}
			ce.Stats.add(ss[i].Stats())
		}
	}
	if failed {
		return &ce
	}
	return nil
}

// Stats returns the sum of every stream's counters, and of the events the
// Mux refused itself after Close.
func (m *Mux) Stats() Stats {
	m.mu.RLock()
	st := m.refused
	m.mu.RUnlock()
	for _, s := range m.shippers() {
		st.add(s.Stats())
	}
	return st
}

// StreamStats returns the counters of group/stream, and false if the Mux
// has no such stream.
func (m *Mux) StreamStats(group, stream string) (Stats, bool) {
	m.mu.RLock()
	s, ok := m.streams[streamKey{group, stream}]
	m.mu.RUnlock()
	if !ok {
		return Stats{}, false
	}
	return s.Stats(), true
}
