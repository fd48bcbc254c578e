package ship

import (
	"fmt"
	"time"

	"github.com/cwlogs/cwlogs"
)

// MaxMessageBytes is the longest message, in UTF-8 bytes, of one event:
// cwlogs.MaxEventBytes minus the 26-byte per-event overhead (1,048,550).
const MaxMessageBytes = cwlogs.MaxEventBytes - cwlogs.EventOverheadBytes

// MaxFuture is how far in the future an event may be: the service rejects
// events more than 2 hours ahead.
const MaxFuture = cwlogs.MaxEventFuture

// DefaultRetention is the default age limit of events: the service rejects
// events older than 14 days.
const DefaultRetention = cwlogs.MaxEventAge

// FullPolicy says what happens when the buffer is full.
type FullPolicy int

const (
	// Block waits for room (the default). LogContext waits until its ctx
	// ends; Log and Write wait until room frees or Close starts.
	Block FullPolicy = iota
	// DropNewest refuses the new event (Log returns ErrBufferFull).
	DropNewest
	// DropOldest discards the oldest buffered event that is not in flight
	// (counted in Stats.Dropped.BufferFull and reported to Options.OnError as
	// a *DiscardError); when every buffered event is in flight, the new event
	// is refused.
	DropOldest
)

// String returns the policy's name.
func (p FullPolicy) String() string {
	switch p {
	case Block:
		return "Block"
	case DropNewest:
		return "DropNewest"
	case DropOldest:
		return "DropOldest"
	}
	return fmt.Sprintf("FullPolicy(%d)", int(p))
}

// OversizePolicy says what happens to a message longer than the event limit.
type OversizePolicy int

const (
	// Split cuts the message into several events with the same timestamp, on
	// UTF-8 boundaries (the default). Each extra part is counted in Stats.Split.
	Split OversizePolicy = iota
	// Truncate keeps the start of the message and appends Options.TruncateMarker;
	// counted in Stats.Truncated.
	Truncate
	// Drop discards the message; counted in Stats.Dropped.TooLarge.
	Drop
)

// String returns the policy's name.
func (p OversizePolicy) String() string {
	switch p {
	case Split:
		return "Split"
	case Truncate:
		return "Truncate"
	case Drop:
		return "Drop"
	}
	return fmt.Sprintf("OversizePolicy(%d)", int(p))
}

// RangePolicy says what happens to an event older than the retention or more
// than 2 hours in the future, which the service would reject.
type RangePolicy int

const (
	// DropOutOfRange discards the event before it is buffered (the default);
	// counted in Stats.Dropped.TooOld or TooNew, and Log returns ErrOutOfRange.
	DropOutOfRange RangePolicy = iota
	// SendOutOfRange sends the event anyway; the service rejects it and the
	// rejection is counted in Stats.Rejected.
	SendOutOfRange
	// ClampOutOfRange moves the timestamp into the accepted range (to the
	// oldest accepted time plus one minute, or to now + 2 h); counted in
	// Stats.Clamped.
	ClampOutOfRange
)

// String returns the policy's name.
func (p RangePolicy) String() string {
	switch p {
	case DropOutOfRange:
		return "DropOutOfRange"
	case SendOutOfRange:
		return "SendOutOfRange"
	case ClampOutOfRange:
		return "ClampOutOfRange"
	}
	return fmt.Sprintf("RangePolicy(%d)", int(p))
}

// Options configures a Shipper or a Mux. The zero value of every field selects
// the documented default; a nil *Options selects all defaults.
type Options struct {
	// FlushInterval is the longest time an event waits before its batch is
	// sealed and sent. 0: 5 s.
	FlushInterval time.Duration
	// MaxBatchEvents caps the events of one request, 1–10,000. 0: 10,000.
	MaxBatchEvents int
	// MaxBatchBytes caps the size of one request, counted as UTF-8 message
	// bytes plus 26 per event, 27–1,048,576. 0: 1,048,576.
	MaxBatchBytes int
	// MaxMessageBytes caps one event's message (UTF-8 bytes); longer messages
	// follow Oversize. 0: MaxMessageBytes (1,048,550), lowered to
	// MaxBatchBytes-26 when that is smaller.
	MaxMessageBytes int
	// Concurrency is the number of requests in flight per stream, 1–64. 0: 2.
	// See the package documentation about order.
	Concurrency int
	// MaxBufferBytes bounds the events held by a Shipper (for a Mux: by all its
	// streams together), counted like batches (message bytes + 26 per event),
	// from Log until their batch is finished. At least MaxMessageBytes+26.
	// 0: 16 MiB.
	MaxBufferBytes int64
	// MaxBufferEvents bounds the number of events held, like MaxBufferBytes.
	// 0: 100,000.
	MaxBufferEvents int
	// MaxStreamBufferBytes bounds the part of the buffer one stream may hold,
	// counted like MaxBufferBytes. A stream over it is treated as if the buffer
	// were full, OnFull acting on that stream alone: in a Mux, a stream whose
	// batches keep failing then cannot take the room of the others. 0: no bound
	// but MaxBufferBytes. At least MaxMessageBytes+26; for a lone Shipper it acts
	// like a second MaxBufferBytes.
	MaxStreamBufferBytes int64
	// OnFull is the policy when the buffer is full. Zero value: Block.
	OnFull FullPolicy
	// Oversize is the policy for messages longer than MaxMessageBytes. Zero
	// value: Split.
	Oversize OversizePolicy
	// TruncateMarker ends a truncated message. "": "[truncated]".
	TruncateMarker string
	// OutOfRange is the policy for events outside [now-Retention, now+2h].
	// Zero value: DropOutOfRange.
	OutOfRange RangePolicy
	// Retention is the age beyond which events are out of range; set it to
	// the group's retention when shorter than 14 days. 0: 14 days; at least 1 h.
	Retention time.Duration
	// InitialBackoff is the first retry delay; it doubles per attempt up to
	// MaxBackoff, each delay drawn uniformly from [d/2, d]. 0: 100 ms.
	InitialBackoff time.Duration
	// ThrottleBackoff is the first delay after a throttling error, doubling
	// like InitialBackoff. 0: 1 s.
	ThrottleBackoff time.Duration
	// MaxBackoff caps one retry delay. 0: 20 s.
	MaxBackoff time.Duration
	// MaxElapsedTime is how long a batch may be retried before its events are
	// dropped (Stats.Dropped.RetryExhausted). 0: 10 minutes.
	MaxElapsedTime time.Duration
	// AttemptTimeout bounds one PutLogEvents call (including the client's own
	// retries, if any), the upload of its body included: on a slow link, keep
	// MaxBatchBytes small enough to upload within it. 0: 1 minute.
	AttemptTimeout time.Duration
	// DisableCreateStream makes ResourceNotFoundException permanent. Zero
	// value: the stream is created on ResourceNotFoundException (an existing
	// stream counts as success) and the batch sent again.
	DisableCreateStream bool
	// CreateGroup also creates the log group when creating the stream fails
	// with ResourceNotFoundException. Zero value: the group is not created
	// and the batch fails permanently.
	CreateGroup bool
	// OnError, when set, receives every loss after an event was accepted:
	// *BatchError (permanent error, retries exhausted), *RejectedError
	// (events refused by the service) and *DiscardError (events discarded by
	// OnFull DropOldest). Each Shipper (each stream of a Mux)
	// calls it on a goroutine of its own, one report at a time in the order
	// of the losses, with no lock held and apart from the senders: delivery
	// goes on while it runs, and it may call the shipper's (or the Mux's)
	// methods, Log, Write, Flush and Close included. A *DiscardError is
	// passed on at most once a second, holding the discards made since the
	// last one, so that an OnError that logs into its own full DropOldest
	// shipper (each report discarding another event) cannot spin; the
	// reports queued after it wait with it. Close waits for the
	// OnError calls until its ctx ends, except when called from OnError (see
	// Shipper.Close); Flush does not wait for them. Reports wait in memory while OnError
	// runs, so it should return quickly. Nil: losses are only counted in
	// Stats.
	OnError func(error)
	// Now returns the current time, used for event timestamps (zero time in
	// Log, lines of Write) and the range check. Nil: time.Now. To keep the
	// clock off the per-event path, the range check reuses the reading taken
	// when the current batch got its first event (at most FlushInterval old)
	// and reads the clock again before refusing an event; an event within
	// that much of the 14-day bound may thus reach the service, which then
	// rejects it (counted in Stats.Rejected). Timers (flush interval,
	// backoff) use the runtime's clock.
	//
	// On a device whose clock may be wrong (no real-time clock, set late by NTP),
	// (*cwlogs.Client).Now stamps events with the service's time once the client has
	// learnt the offset from a request. Now may be called with the shipper's lock
	// held: it must not call the Shipper or Mux.
	Now func() time.Time
	// LogFormat is sent with every PutLogEvents request as its LogFormat (the
	// x-amzn-logs-format header): cwlogs.LogFormatEMF for a stream of
	// Embedded Metric Format events (package emf), from which the service then
	// extracts metrics. "": none.
	LogFormat string
}

// config is Options with defaults applied.
// discardReportInterval is the least time between two *DiscardError reports
// of a shipper (see Options.OnError).
const discardReportInterval = time.Second

type config struct {
	flushInterval   time.Duration
	maxBatchEvents  int
	maxBatchBytes   int64
	maxMessage      int
	concurrency     int
	maxBufferBytes  int64
	maxBufferEvents int64
	maxStreamBytes  int64 // 0: no per-stream bound
	onFull          FullPolicy
	oversize        OversizePolicy
	marker          string
	outOfRange      RangePolicy
	retentionMillis int64
	initialBackoff  time.Duration
	throttleBackoff time.Duration
	maxBackoff      time.Duration
	maxElapsed      time.Duration
	attemptTimeout  time.Duration
	createStream    bool
	createGroup     bool
	onError         func(error)
	discardEvery    time.Duration // least time between two *DiscardError reports
	now             func() time.Time
	logFormat       string
}

// OptionError reports an invalid Options field.
type OptionError struct {
	Field  string // e.g. "MaxBatchEvents"
	Value  string // the offending value
	Reason string
}

// Error implements error.
func (e *OptionError) Error() string {
	return fmt.Sprintf("ship: invalid Options.%s %s: %s", e.Field, e.Value, e.Reason)
}

func optErr(field string, v any, reason string) error {
	return &OptionError{Field: field, Value: fmt.Sprint(v), Reason: reason}
}

func (o *Options) config() (config, error) {
	if o == nil {
		o = &Options{}
	}
	c := config{
		flushInterval:   5 * time.Second,
		maxBatchEvents:  cwlogs.MaxBatchEvents,
		maxBatchBytes:   cwlogs.MaxBatchBytes,
		maxMessage:      MaxMessageBytes,
		concurrency:     2,
		maxBufferBytes:  16 << 20,
		maxBufferEvents: 100000,
		onFull:          o.OnFull,
		oversize:        o.Oversize,
		marker:          "[truncated]",
		outOfRange:      o.OutOfRange,
		retentionMillis: DefaultRetention.Milliseconds(),
		initialBackoff:  100 * time.Millisecond,
		throttleBackoff: time.Second,
		maxBackoff:      20 * time.Second,
		maxElapsed:      10 * time.Minute,
		attemptTimeout:  time.Minute,
		createStream:    !o.DisableCreateStream,
		createGroup:     o.CreateGroup,
		onError:         o.OnError,
		discardEvery:    discardReportInterval,
		now:             o.Now,
		logFormat:       o.LogFormat,
	}
	if c.now == nil {
		c.now = time.Now
	}
	dur := func(field string, v time.Duration, dst *time.Duration) error {
		if v < 0 {
			return optErr(field, v, "must not be negative (0 selects the default)")
		}
		if v > 0 {
			*dst = v
		}
		return nil
	}
	for _, d := range []struct {
		f   string
		v   time.Duration
		dst *time.Duration
	}{
		{"FlushInterval", o.FlushInterval, &c.flushInterval},
		{"InitialBackoff", o.InitialBackoff, &c.initialBackoff},
		{"ThrottleBackoff", o.ThrottleBackoff, &c.throttleBackoff},
		{"MaxBackoff", o.MaxBackoff, &c.maxBackoff},
		{"MaxElapsedTime", o.MaxElapsedTime, &c.maxElapsed},
		{"AttemptTimeout", o.AttemptTimeout, &c.attemptTimeout},
	} {
		if err := dur(d.f, d.v, d.dst); err != nil {
			return c, err
		}
	}
	if o.LogFormat != "" && o.LogFormat != cwlogs.LogFormatEMF {
		return c, optErr("LogFormat", fmt.Sprintf("%q", o.LogFormat), `must be "" or "`+cwlogs.LogFormatEMF+`"`)
	}
	if o.Retention < 0 {
		return c, optErr("Retention", o.Retention, "must not be negative (0 selects 14 days)")
	}
	if o.Retention > 0 {
		if o.Retention < time.Hour {
			return c, optErr("Retention", o.Retention, "must be at least 1h")
		}
		c.retentionMillis = o.Retention.Milliseconds()
	}
	switch {
	case o.MaxBatchEvents < 0 || o.MaxBatchEvents > cwlogs.MaxBatchEvents:
		return c, optErr("MaxBatchEvents", o.MaxBatchEvents, "must be within 1–10000 (0 selects 10000)")
	case o.MaxBatchEvents > 0:
		c.maxBatchEvents = o.MaxBatchEvents
	}
	switch {
	case o.MaxBatchBytes < 0 || (o.MaxBatchBytes > 0 && o.MaxBatchBytes <= cwlogs.EventOverheadBytes) || o.MaxBatchBytes > cwlogs.MaxBatchBytes:
		return c, optErr("MaxBatchBytes", o.MaxBatchBytes, "must be within 27–1048576 (0 selects 1048576)")
	case o.MaxBatchBytes > 0:
		c.maxBatchBytes = int64(o.MaxBatchBytes)
	}
	if lim := int(c.maxBatchBytes) - cwlogs.EventOverheadBytes; c.maxMessage > lim {
		c.maxMessage = lim
	}
	switch {
	case o.MaxMessageBytes < 0 || o.MaxMessageBytes > c.maxMessage:
		return c, optErr("MaxMessageBytes", o.MaxMessageBytes, fmt.Sprintf("must be within 1–%d (0 selects %d)", c.maxMessage, c.maxMessage))
	case o.MaxMessageBytes > 0:
		c.maxMessage = o.MaxMessageBytes
	}
	switch {
	case o.Concurrency < 0 || o.Concurrency > 64:
		return c, optErr("Concurrency", o.Concurrency, "must be within 1–64 (0 selects 2)")
	case o.Concurrency > 0:
		c.concurrency = o.Concurrency
	}
	switch {
	case o.MaxBufferBytes < 0:
		return c, optErr("MaxBufferBytes", o.MaxBufferBytes, "must not be negative (0 selects 16 MiB)")
	case o.MaxBufferBytes > 0:
		c.maxBufferBytes = o.MaxBufferBytes
	}
	if c.maxBufferBytes < int64(c.maxMessage+cwlogs.EventOverheadBytes) {
		return c, optErr("MaxBufferBytes", c.maxBufferBytes, fmt.Sprintf("must hold the largest event (%d bytes)", c.maxMessage+cwlogs.EventOverheadBytes))
	}
	switch {
	case o.MaxStreamBufferBytes < 0:
		return c, optErr("MaxStreamBufferBytes", o.MaxStreamBufferBytes, "must not be negative (0: no bound but MaxBufferBytes)")
	case o.MaxStreamBufferBytes > 0 && o.MaxStreamBufferBytes < int64(c.maxMessage+cwlogs.EventOverheadBytes):
		return c, optErr("MaxStreamBufferBytes", o.MaxStreamBufferBytes, fmt.Sprintf("must hold the largest event (%d bytes)", c.maxMessage+cwlogs.EventOverheadBytes))
	case o.MaxStreamBufferBytes > 0:
		c.maxStreamBytes = o.MaxStreamBufferBytes
	}
	switch {
	case o.MaxBufferEvents < 0:
		return c, optErr("MaxBufferEvents", o.MaxBufferEvents, "must not be negative (0 selects 100000)")
	case o.MaxBufferEvents > 0:
		c.maxBufferEvents = int64(o.MaxBufferEvents)
	}
	if o.OnFull < Block || o.OnFull > DropOldest {
		return c, optErr("OnFull", o.OnFull, "unknown policy")
	}
	if o.Oversize < Split || o.Oversize > Drop {
		return c, optErr("Oversize", o.Oversize, "unknown policy")
	}
	if o.OutOfRange < DropOutOfRange || o.OutOfRange > ClampOutOfRange {
		return c, optErr("OutOfRange", o.OutOfRange, "unknown policy")
	}
	if o.TruncateMarker != "" {
		c.marker = o.TruncateMarker
	}
	if c.oversize == Truncate && len(c.marker) >= c.maxMessage {
		return c, optErr("TruncateMarker", fmt.Sprintf("%q", c.marker), "must be shorter than MaxMessageBytes")
	}
	return c, nil
}
