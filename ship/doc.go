// Package ship batches log events and delivers them to CloudWatch Logs with
// PutLogEvents, reliably and cheaply.
//
// A [Shipper] sends to one (log group, log stream); a [Mux] sends to many
// streams over one client and one shared buffer. Events enter through
// [Shipper.Log], [Shipper.LogContext] or [Shipper.Write] (an io.Writer that
// splits on newlines; put a [MultilineWriter] in front of it to keep stack
// traces, panics and other multi-line records in one event; package
// [github.com/cwlogs/cwlogs/ship/follow] feeds either from a growing file) and
// leave in batches that obey every PutLogEvents rule (with a client made
// with cwlogs.WithGzip, gzip-compressed):
//
//   - at most 10,000 events and 1,048,576 bytes per batch, counting the UTF-8
//     length of each message plus 26 bytes per event;
//   - at most 1,048,550 message bytes per event (1 MB including the 26-byte
//     overhead); longer messages are split on UTF-8 boundaries, truncated with
//     a marker, or dropped, per [Options.Oversize], and always counted;
//   - events sorted by timestamp (stable, so equal timestamps keep their
//     arrival order);
//   - a batch is cut before an event that would make it span 24 hours or more;
//   - events older than the retention (14 days by default) or more than 2
//     hours in the future are handled by [Options.OutOfRange] (dropped and
//     counted by default).
//
// A batch is sealed when it is full, when its oldest event has waited
// [Options.FlushInterval] (5 s by default), when the buffer is full, or on
// Flush and Close. The shipper
// never calls DescribeLogStreams and never uses sequence tokens.
//
// # Delivery
//
// Up to [Options.Concurrency] requests per stream are in flight at once
// (2 by default). Each batch is retried on its own — a batch that succeeded is
// never sent again — with jittered exponential backoff until
// [Options.MaxElapsedTime]. Throttling pauses every sender of the shipper (or
// of the Mux) for the backoff. Retried: throttling (any HTTP 429 included),
// HTTP 5xx and 408, transport errors and attempt timeouts, a 2xx answer lost
// on the way ([*cwlogs.DecodeError]) and credentials errors
// ([*cwlogs.CredentialsError], none found included: credentials may come
// later, as from a metadata service still starting).
// ResourceNotFoundException makes the shipper create the stream (and the
// group when [Options.CreateGroup] is set) and send again. A throttled
// CreateLogStream or CreateLogGroup is counted in [Stats].Throttled like a
// throttled PutLogEvents and pauses the creation calls of every sender for
// the backoff, but not their PutLogEvents calls, whose quota is separate; a
// batch does not wait for a pause that outlasts its MaxElapsedTime. Every other error
// (other 4xx answers, input the client refuses) is permanent for that batch: its events are counted in [Stats].Dropped and
// reported to [Options.OnError]. Events the service refuses in
// rejectedLogEventsInfo are counted per reason in [Stats].Rejected and
// reported to OnError as a [*RejectedError].
//
// Duplicates are possible only when the service stored a batch but the answer
// was lost (connection reset, timeout): the shipper cannot know, and sends the
// batch again.
//
// # Order
//
// Batches are sealed in arrival order and taken from a FIFO queue. With
// Concurrency 1 a stream's batches are stored strictly one after the other.
// With Concurrency > 1, batches of one stream may be stored in any order
// relative to each other (a retried batch lands after later ones). CloudWatch
// Logs returns events ordered by timestamp, so events with distinct
// timestamps still read back in order; events with equal timestamps in
// different batches may interleave. Set Concurrency to 1 for strict order.
//
// # Two layers of retries
//
// The cwlogs client retries on its own (3 attempts by default). When it sits
// under a shipper, create it with cwlogs.WithMaxAttempts(1) so that every
// retry is the shipper's: jittered, bounded by MaxElapsedTime, throttling
// shared between senders and counted in Stats. With the client's retries left
// on, each shipper attempt may make up to that many HTTP requests; the
// shipper's MaxElapsedTime and AttemptTimeout still bound the total time.
//
// # Backpressure and memory
//
// Events wait in a bounded buffer ([Options.MaxBufferBytes],
// [Options.MaxBufferEvents]), counted from Log until the batch holding them is
// finished, including batches being retried. When the buffer is full,
// [Options.OnFull] decides: Block (the default) waits for room — LogContext
// until its ctx ends, Log and Write until room frees or Close starts —,
// DropNewest refuses the new event, DropOldest discards the oldest event not
// yet in flight. Every refusal or discard is counted; discards are also
// reported to OnError as a [*DiscardError], and the next Flush to return
// counts it in its [*FlushError] (as it counts every loss no earlier Flush
// reported, so that a Flush returning nil is a safe checkpoint: ship/follow
// and ship/spool rely on it). Memory stays within the
// buffer bound plus a constant (the batch being built and one request body per
// sender in the client).
//
// # Shutdown
//
// [Shipper.Close] stops accepting events, sends everything buffered and in
// flight until its ctx ends, then cancels what is left, waits for its
// goroutines to exit (the [Options.OnError] calls included), and returns a
// [*CloseError] with exact counts when any event was not delivered. An idle
// shipper runs no goroutine.
//
// OnError runs on a goroutine of its own with no lock held, so it may call
// the shipper's methods: Log, Write and Flush as anywhere, and Close, which
// then does not wait for the OnError call it is part of.
package ship
