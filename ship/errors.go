package ship

import (
	"errors"
	"fmt"
)

// Errors returned by Log, LogContext and Write for an event that was not
// accepted. Each such event is counted in Stats.Dropped.
var (
	// ErrClosed: the shipper is closed (or closing).
	ErrClosed = errors.New("ship: shipper closed")
	// ErrBufferFull: the buffer is full and OnFull is DropNewest, or
	// DropOldest found nothing to discard. A *DiscardError wraps it, and so
	// does a *FlushError whose last loss was a discard.
	ErrBufferFull = errors.New("ship: buffer full, event dropped")
	// ErrTooLarge: the message is longer than the limit and Oversize is Drop.
	ErrTooLarge = errors.New("ship: message too large, event dropped")
	// ErrOutOfRange: the timestamp is outside [now-retention, now+2h] and
	// OutOfRange is DropOutOfRange.
	ErrOutOfRange = errors.New("ship: timestamp out of range, event dropped")
	// ErrEmpty: the message is empty (the service requires at least 1 byte).
	ErrEmpty = errors.New("ship: empty message, event dropped")
)

// Reason says why a batch was lost.
type Reason string

// Reasons of a BatchError.
const (
	ReasonPermanent      Reason = "permanent error"
	ReasonRetryExhausted Reason = "retries exhausted"
)

// BatchError reports a batch whose events were dropped after a permanent
// error or after retrying for MaxElapsedTime. It is given to Options.OnError.
type BatchError struct {
	Group, Stream string
	Events        int   // events dropped
	Bytes         int64 // their size, message bytes + 26 each
	Attempts      int
	Reason        Reason
	Err           error // the last error
}

// Error implements error.
func (e *BatchError) Error() string {
	return fmt.Sprintf("ship: %s/%s: %d events dropped (%s after %d attempt(s)): %v",
		e.Group, e.Stream, e.Events, e.Reason, e.Attempts, e.Err)
}

// Unwrap returns the last error.
func (e *BatchError) Unwrap() error { return e.Err }

// RejectedError reports events the service refused while storing the rest
// of their batch (rejectedLogEventsInfo). It is given to Options.OnError.
type RejectedError struct {
	Group, Stream string
	Rejected      Rejected
}

// Error implements error.
func (e *RejectedError) Error() string {
	return fmt.Sprintf("ship: %s/%s: service rejected %d events (%d too new, %d too old, %d expired)",
		e.Group, e.Stream, e.Rejected.Total(), e.Rejected.TooNew, e.Rejected.TooOld, e.Rejected.Expired)
}

// DiscardError reports events that OnFull DropOldest discarded from the
// buffer to make room for newer ones; they are counted in
// Stats.Dropped.BufferFull. It is given to Options.OnError and wraps
// ErrBufferFull. Discards made while the report waits for OnError are added
// to it, so one report may count many events; it waits at least a second
// after the previous DiscardError of its shipper was passed on.
type DiscardError struct {
	Group, Stream string
	Events        int   // events discarded
	Bytes         int64 // their size, message bytes + 26 each
}

// Error implements error.
func (e *DiscardError) Error() string {
	return fmt.Sprintf("ship: %s/%s: %d events discarded (buffer full, OnFull DropOldest)", e.Group, e.Stream, e.Events)
}

// Unwrap returns ErrBufferFull.
func (e *DiscardError) Unwrap() error { return ErrBufferFull }

// FlushError reports events not delivered (dropped after errors, discarded
// by DropOldest, or rejected by the service) that no earlier Flush reported:
// those Flush waited for, and those lost since the last Flush that returned
// after waiting (see Shipper.Flush). MultilineWriter's Flush and
// FlushComplete also return it for the events the shipper refused since the
// last of them.
type FlushError struct {
	Events int64 // events not delivered
	// Rejected counts those of Events that the service refused
	// (rejectedLogEventsInfo) while storing the rest of their batch: sending
	// them again would not store them (too old, expired), or not yet (too new).
	Rejected Rejected
	Err      error // the last error
}

// Error implements error.
func (e *FlushError) Error() string {
	return fmt.Sprintf("ship: flush: %d events not delivered: %v", e.Events, e.Err)
}

// Unwrap returns the last error.
func (e *FlushError) Unwrap() error { return e.Err }

// CloseError reports what a Shipper or Mux did not deliver. Close returns it
// when any event offered over the shipper's life was not stored.
type CloseError struct {
	// Unsent counts events not stored when Close's ctx ended: still buffered,
	// or waiting to retry after attempts that cannot have stored them.
	Unsent int64
	// Unconfirmed counts events the service may or may not have stored: their
	// request was in flight when Close's ctx ended, or an attempt ended without a
	// definite answer (a 5xx, a timeout, a broken connection). Events whose every
	// attempt was refused (4xx) or never left are Unsent. A request never left when
	// the client never read its body (cwlogs.OpError.NotSent): no connection could be
	// had (no address, a refused connection, an address that drops every packet even
	// when the dial outlasts the attempt, a refused certificate, a proxy unreachable or
	// refusing CONNECT), or Close cancelled it before it was written.
	//
	// The split is exact when the client does not retry on its own
	// (cwlogs.WithMaxAttempts(1), as the package doc advises). When it does, a
	// transport error is Unsent only if none of its attempts sent the request
	// (OpError.NotSent), and Unconfirmed otherwise, even if the attempts that did were
	// refused; a call ending with a refusal (4xx) is Unconfirmed when an earlier attempt
	// of it was sent and got no answer or a 5xx (APIError.EarlierAttemptUnconfirmed).
	// A call whose later attempt could not get credentials after such an attempt ends
	// with an OpError (NotSent false), not a cwlogs.CredentialsError, and is Unconfirmed.
	Unconfirmed int64
	// Stats is the final snapshot. Stats.Lost() counts every event not stored
	// (Unsent and Unconfirmed are included in Stats.Dropped.Closed).
	Stats Stats
	// Err is ctx.Err() when Close's ctx ended first, else the last error.
	Err error
}

// Error implements error.
func (e *CloseError) Error() string {
	d, r := e.Stats.Dropped, e.Stats.Rejected
	return fmt.Sprintf("ship: close: %d of %d events not delivered (%d unsent and %d unconfirmed at close; dropped: %d closed, %d buffer full, %d retries exhausted, %d permanent error, %d too large, %d too old, %d too new, %d empty; rejected: %d too new, %d too old, %d expired): %v",
		e.Stats.Lost(), e.Stats.Events, e.Unsent, e.Unconfirmed,
		d.Closed, d.BufferFull, d.RetryExhausted, d.PermanentError, d.TooLarge, d.TooOld, d.TooNew, d.Empty,
		r.TooNew, r.TooOld, r.Expired, e.Err)
}

// Unwrap returns Err.
func (e *CloseError) Unwrap() error { return e.Err }
