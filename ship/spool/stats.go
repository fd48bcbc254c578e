package spool

import "time"

// Stats are a Spool's counters since Open. Every record offered is
// accounted for exactly once, and so is every record on disk:
//
//	Offered == Accepted + Dropped.Empty + Dropped.TooLarge + Dropped.Full + Dropped.Closed + Dropped.WriteError
//	Recovered + Accepted == Delivered + Dropped.Oldest + Dropped.Corrupt + Dropped.Refused + Dropped.ReplayLimit + Pending
type Stats struct {
	// Offered counts the records offered: each Log or LogContext call, each
	// line of Write (an unfinished line once Flush, Sync or Close writes it
	// or drops it). Like every counter here it never goes down; while a
	// record waits for room (Block) it is counted in Offered alone.
	Offered int64
	// Accepted counts the records written to the spool; AcceptedBytes their
	// size on disk (message + 24 bytes each).
	Accepted      int64
	AcceptedBytes int64
	// Recovered counts the records found on disk at Open, left undelivered
	// by an earlier Spool. Records of a segment whose end Open could not read
	// (now or, as its end marker says, at an earlier Open) count as many as
	// its unread bytes can hold, until the pump reads it and lowers
	// Recovered and Pending to the records it found (see the package
	// documentation).
	Recovered int64
	// Pending counts the records on disk not yet delivered nor dropped
	// (those in the destination awaiting a Flush included).
	Pending int64
	// DiskBytes is the size of the segment files; Segments their number.
	DiskBytes int64
	Segments  int
	// Delivered counts the records whose delivery the destination confirmed
	// (a Flush that returned nil); Checkpoints the checkpoints written after
	// such a Flush.
	Delivered   int64
	Checkpoints int64
	// Handed counts the destination's LogContext calls (replays included);
	// Replayed those for records handed again after a failed delivery,
	// which the destination may thus have received twice.
	Handed   int64
	Replayed int64
	// Failures counts the failed deliveries (a Flush that returned an error,
	// or a LogContext that refused a record for a reason that may pass),
	// each followed by a pause and a replay.
	Failures int64
	// TornBytes counts the bytes cut at Open from the end of the last
	// segment: a record being written when the process or the machine
	// stopped (see CorruptError); or, in a segment whose end Open could not
	// read, skipped by the pump when it gets there.
	TornBytes int64
	// Dropped counts the records dropped, by reason.
	Dropped Dropped
	// LastError is the last error reported (see Options.OnError), nil if
	// none; LastErrorTime is when it happened.
	LastError     error
	LastErrorTime time.Time
}

// Dropped counts dropped records by reason. The first five reasons refuse a
// record offered (it never reaches the disk); the last four drop a record
// accepted earlier.
type Dropped struct {
	Empty      int64 // an empty message (ErrEmpty)
	TooLarge   int64 // longer than Options.MaxMessageBytes (ErrTooLarge)
	Full       int64 // spool full: DropNewest, DropOldest with nothing to drop, or a Block wait cut short by its ctx
	Closed     int64 // offered after Close started (ErrClosed)
	WriteError int64 // writing it to its segment failed (an *Error, e.g. a full file system)

	Oldest      int64 // deleted with the oldest segment by OnFull DropOldest
	Corrupt     int64 // lost to damaged data on disk, or skipped in a segment that could not be read (see CorruptError)
	Refused     int64 // refused for good by the destination (see ErrRefused)
	ReplayLimit int64 // delivery failed more than Options.MaxReplays times
}

// Total returns the number of dropped records.
func (d Dropped) Total() int64 {
	return d.Empty + d.TooLarge + d.Full + d.Closed + d.WriteError + d.Oldest + d.Corrupt + d.Refused + d.ReplayLimit
}
