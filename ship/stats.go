package ship

import "time"

// Stats are a shipper's counters since it was created. Every event offered
// is accounted for exactly once:
//
//	Events == Sent + Rejected.Total() + Dropped.Total() + Queued
type Stats struct {
	// Events counts the events offered: each Log call, each line of Write,
	// each part of a split message.
	Events int64
	// Queued is the number of events held now (waiting, sealed or in
	// flight); QueuedBytes their size (message bytes + 26 each).
	Queued      int64
	QueuedBytes int64
	// InFlight is the number of events in requests being sent or retried.
	InFlight int64
	// Sent counts the events the service stored; Bytes their size (message
	// bytes + 26 each).
	Sent  int64
	Bytes int64
	// Batches counts successful PutLogEvents calls; Requests all attempts.
	Batches  int64
	Requests int64
	// Retries counts attempts after the first one of a batch; Throttled the
	// attempts that failed with a throttling error, of PutLogEvents or of the
	// CreateLogStream or CreateLogGroup call made after
	// ResourceNotFoundException.
	Retries   int64
	Throttled int64
	// StreamsCreated and GroupsCreated count successful creations after
	// ResourceNotFoundException.
	StreamsCreated int64
	GroupsCreated  int64
	// Split counts the extra events made by splitting oversized messages,
	// Truncated the truncated messages, Clamped the events whose timestamp
	// was moved into range. They record changes made to events before
	// buffering, so they are counted even when the changed event is then
	// refused (buffer full, closed; Dropped counts that too). They are not
	// terms of the identity above.
	Split     int64
	Truncated int64
	Clamped   int64
	// Rejected counts events the service refused (rejectedLogEventsInfo).
	Rejected Rejected
	// Dropped counts events discarded by the shipper, by reason.
	Dropped Dropped
	// LastError is the last error of a request, a creation or a loss; nil
	// if none. LastErrorTime is when it happened.
	LastError     error
	LastErrorTime time.Time
}

// Rejected counts events the service refused, per rejectedLogEventsInfo reason.
type Rejected struct {
	TooNew  int64 // more than 2 h in the future
	TooOld  int64 // older than 14 days
	Expired int64 // older than the group's retention
}

// Total returns the number of rejected events.
func (r Rejected) Total() int64 { return r.TooNew + r.TooOld + r.Expired }

// plus returns the sums of r's and o's counts.
func (r Rejected) plus(o Rejected) Rejected {
	return Rejected{TooNew: r.TooNew + o.TooNew, TooOld: r.TooOld + o.TooOld, Expired: r.Expired + o.Expired}
}

// Dropped counts events the shipper discarded, by reason.
type Dropped struct {
	Empty          int64 // Log with an empty message
	TooLarge       int64 // longer than the event limit, Oversize: Drop
	TooOld         int64 // older than the retention, OutOfRange: DropOutOfRange
	TooNew         int64 // more than 2 h ahead, OutOfRange: DropOutOfRange
	BufferFull     int64 // buffer full: DropNewest, DropOldest, or a Block wait cut short by its ctx
	RetryExhausted int64 // still failing after MaxElapsedTime
	PermanentError int64 // the service answered with a non-retryable error
	Closed         int64 // offered after Close, or abandoned when Close's ctx ended
}

// Total returns the number of dropped events.
func (d Dropped) Total() int64 {
	return d.Empty + d.TooLarge + d.TooOld + d.TooNew + d.BufferFull + d.RetryExhausted + d.PermanentError + d.Closed
}

// Lost returns the number of events that were offered and will never be
// stored: Rejected.Total() + Dropped.Total().
func (s Stats) Lost() int64 { return s.Rejected.Total() + s.Dropped.Total() }

// add adds o's counters to s; LastError is kept from the most recent of both.
func (s *Stats) add(o Stats) {
	s.Events += o.Events
	s.Queued += o.Queued
	s.QueuedBytes += o.QueuedBytes
	s.InFlight += o.InFlight
	s.Sent += o.Sent
	s.Bytes += o.Bytes
	s.Batches += o.Batches
	s.Requests += o.Requests
	s.Retries += o.Retries
	s.Throttled += o.Throttled
	s.StreamsCreated += o.StreamsCreated
	s.GroupsCreated += o.GroupsCreated
	s.Split += o.Split
	s.Truncated += o.Truncated
	s.Clamped += o.Clamped
	s.Rejected = s.Rejected.plus(o.Rejected)
	d, e := &s.Dropped, o.Dropped
	d.Empty += e.Empty
	d.TooLarge += e.TooLarge
	d.TooOld += e.TooOld
	d.TooNew += e.TooNew
	d.BufferFull += e.BufferFull
	d.RetryExhausted += e.RetryExhausted
	d.PermanentError += e.PermanentError
	d.Closed += e.Closed
	if o.LastError != nil && !o.LastErrorTime.Before(s.LastErrorTime) {
		s.LastError, s.LastErrorTime = o.LastError, o.LastErrorTime
	}
}
