package spool

import (
	"errors"
	"fmt"
)

// Errors returned by Log, LogContext and Write for a record that was not
// accepted. Each such record is counted in Stats.Dropped.
var (
	// ErrClosed: the spool is closed (or closing).
	ErrClosed = errors.New("spool: closed")
	// ErrFull: the spool holds Options.MaxBytes and OnFull is DropNewest (or
	// DropOldest found no segment to drop).
	ErrFull = errors.New("spool: full, record dropped")
	// ErrTooLarge: the message is longer than Options.MaxMessageBytes.
	ErrTooLarge = errors.New("spool: message too large, record dropped")
	// ErrEmpty: the message is empty (CloudWatch Logs requires at least 1
	// byte).
	ErrEmpty = errors.New("spool: empty message, record dropped")
	// ErrLocked: another Spool, of this process or another, holds the
	// directory. Open returns it wrapped in an *Error.
	ErrLocked = errors.New("directory in use by another spool")
)

// ErrRefused marks a record the destination refuses for good: a
// Destination's LogContext returns an error wrapping it (or one of ship's
// ErrEmpty, ErrOutOfRange and ErrTooLarge) for a record that would be
// refused again if sent again. The pump then drops the record (counted in
// Stats.Dropped.Refused, reported as a *DropError) instead of retrying it.
var ErrRefused = errors.New("spool: record refused by the destination")

// Error reports a failed file operation on the spool directory: Op is
// "open", "lock", "read", "write", "sync", "checkpoint" or "remove"; Path is
// the directory or the file.
type Error struct {
	Op   string
	Path string
	Err  error
}

// Error implements error.
func (e *Error) Error() string {
	if errors.Is(e.Err, ErrLocked) {
		return fmt.Sprintf("spool: %s: %v (another process, or another Spool of this process)", e.Path, e.Err)
	}
	return fmt.Sprintf("spool: %s: %s: %v", e.Path, e.Op, e.Err)
}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// DropReason says why records were dropped after they were accepted.
type DropReason string

// Reasons of a DropError.
const (
	// ReasonOldest: OnFull DropOldest deleted their segment to make room.
	ReasonOldest DropReason = "oldest segment dropped, spool full"
	// ReasonRefused: the destination refused them for good (see ErrRefused),
	// or the service rejected them as too old or expired (see the package
	// documentation).
	ReasonRefused DropReason = "refused by the destination"
	// ReasonReplayLimit: their delivery failed Options.MaxReplays + 1 times.
	ReasonReplayLimit DropReason = "replay limit reached"
)

// DropError reports records dropped after they were accepted; they are
// counted in Stats.Dropped by reason. It is given to Options.OnError.
type DropError struct {
	Reason  DropReason
	Records int64
	Err     error // the destination's last error (ReasonRefused, ReasonReplayLimit), else nil
}

// Error implements error.
func (e *DropError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("spool: %d records dropped (%s): %v", e.Records, e.Reason, e.Err)
	}
	return fmt.Sprintf("spool: %d records dropped (%s)", e.Records, e.Reason)
}

// Unwrap returns Err.
func (e *DropError) Unwrap() error { return e.Err }

// DeliveryError reports a failed delivery: the destination's Flush returned
// Err (for a *ship.Shipper, a *ship.FlushError when events were lost after
// its retries), or its LogContext refused a record for a reason that may
// pass (ship.ErrBufferFull, ship.ErrClosed, ctx's error). The pump sends
// the records again after a pause; it is given to Options.OnError.
type DeliveryError struct {
	// Records counts the records handed to the destination since the last
	// checkpoint, which will be sent again (unless Options.MaxReplays drops
	// them).
	Records int64
	// Failures counts the consecutive failed deliveries, this one included.
	Failures int
	Err      error
}

// Error implements error.
func (e *DeliveryError) Error() string {
	return fmt.Sprintf("spool: delivery failed (%d in a row), %d records to send again: %v", e.Failures, e.Records, e.Err)
}

// Unwrap returns Err.
func (e *DeliveryError) Unwrap() error { return e.Err }

// CorruptError reports damaged data found in a segment file: a record
// whose length or checksum is wrong, a segment header that is not one, or
// records missing from a segment; or records that could not be read,
// and were skipped (Err). It is given to Options.OnError.
type CorruptError struct {
	Path   string
	Offset int64 // where the damaged bytes start
	Bytes  int64 // how many bytes were skipped (or cut)
	// Records counts the records lost, known from the sequence numbers of
	// the records around the damage (at the end of a segment whose end Open
	// could not read, the most the bytes can hold: see the package
	// documentation). At Open, a torn end of the last segment (a record
	// being written when the process or the machine stopped) is cut
	// (Truncated): its records are not counted, as Log never returned for
	// them or, without SyncAlways, they were not yet synced. The pump
	// skips one found at the end of a segment whose end Open could not
	// read the same way (Truncated, though the file keeps it until the
	// segment is deleted).
	Records   int64
	Truncated bool
	// Err, when not nil, is the read error that made the pump skip the
	// records from Offset (Bytes: one record, the bytes up to the next
	// record that validates past the unreadable ones, or the rest of what
	// the segment held), after reading them failed again and again (see the
	// package documentation).
	Err error
}

// Error implements error.
func (e *CorruptError) Error() string {
	if e.Truncated {
		return fmt.Sprintf("spool: %s: torn end cut at offset %d (%d bytes)", e.Path, e.Offset, e.Bytes)
	}
	if e.Err != nil {
		return fmt.Sprintf("spool: %s: unreadable from offset %d (%d bytes skipped): %d records lost: %v", e.Path, e.Offset, e.Bytes, e.Records, e.Err)
	}
	return fmt.Sprintf("spool: %s: damaged data at offset %d (%d bytes skipped): %d records lost", e.Path, e.Offset, e.Bytes, e.Records)
}

// Unwrap returns Err.
func (e *CorruptError) Unwrap() error { return e.Err }

// FlushError reports that records Spool.Flush waited for were dropped
// meanwhile rather than delivered.
type FlushError struct {
	Records int64
}

// Error implements error.
func (e *FlushError) Error() string {
	return fmt.Sprintf("spool: flush: %d records dropped, not delivered", e.Records)
}

// CloseError reports what Close left on disk or what was dropped since
// Open. Records left on disk are not lost: the next Open sends them.
type CloseError struct {
	// Pending counts the records left on disk, not delivered; DiskBytes is
	// the size of the segment files left.
	Pending   int64
	DiskBytes int64
	// Stats is the final snapshot; Stats.Dropped counts what was lost.
	Stats Stats
	// Err is ctx.Err() when Close's ctx ended first, else the last error.
	Err error
}

// Error implements error.
func (e *CloseError) Error() string {
	d := e.Stats.Dropped
	msg := fmt.Sprintf("spool: close: %d records left on disk (%d bytes), sent at the next Open; dropped: %d oldest, %d refused, %d corrupt, %d replay limit, %d full, %d closed, %d write error, %d too large, %d empty",
		e.Pending, e.DiskBytes, d.Oldest, d.Refused, d.Corrupt, d.ReplayLimit, d.Full, d.Closed, d.WriteError, d.TooLarge, d.Empty)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns Err.
func (e *CloseError) Unwrap() error { return e.Err }
