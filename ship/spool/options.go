package spool

import (
	"fmt"
	"time"
)

// Defaults of the Options fields.
const (
	DefaultSegmentBytes    = 8 << 20
	DefaultMaxBytes        = 256 << 20
	DefaultSyncInterval    = time.Second
	DefaultFlushInterval   = 5 * time.Second
	DefaultFlushBytes      = 1 << 20
	DefaultMaxMessageBytes = 1 << 20
	DefaultInitialBackoff  = time.Second
	DefaultMaxBackoff      = time.Minute
)

// Limits of the Options fields.
const (
	// MinSegmentBytes is the smallest Options.SegmentBytes.
	MinSegmentBytes = 4 << 10
	// MaxSegmentBytes is the largest Options.SegmentBytes.
	MaxSegmentBytes = 1 << 30
	// MaxMessageLimit is the largest Options.MaxMessageBytes, and the longest
	// message a record read from disk may have (16 MiB): the memory of the
	// pump is bounded by it, whatever is on disk.
	MaxMessageLimit = 16 << 20
)

// FullPolicy says what happens to a new record when the spool holds
// Options.MaxBytes.
type FullPolicy int

const (
	// Block waits for room (the default): LogContext until its ctx ends, Log
	// and Write until room frees or Close starts. Room frees as the pump
	// delivers and deletes segments, so during an outage Block stops the
	// caller once the spool is full.
	Block FullPolicy = iota
	// DropNewest refuses the new record: Log returns ErrFull.
	DropNewest
	// DropOldest deletes the oldest segment, whose records not yet delivered
	// are counted in Stats.Dropped.Oldest and reported to Options.OnError as a
	// *DropError, to make room for the new record.
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

// SyncPolicy says when records are forced to stable storage (fsync). A
// record written to its segment file survives the crash of the process as
// soon as Log returns, whatever the policy (the operating system holds it);
// the policy decides what survives a power loss or a kernel crash.
type SyncPolicy int

const (
	// SyncPeriodic syncs the open segment every Options.SyncInterval while
	// records come (the default): a power loss loses at most the records
	// accepted during the last interval.
	SyncPeriodic SyncPolicy = iota
	// SyncAlways syncs before Log returns (concurrent calls share one
	// fsync): a record Log accepted survives a power loss. It costs one fsync
	// per call (per Write for its lines), milliseconds on most flash storage.
	SyncAlways
	// SyncNever leaves writing back to the operating system (typically within
	// 30 s on Linux); checkpoints and new segments are not synced either. A
	// power loss may lose any record not yet written back, and may bring back
	// an older checkpoint (records sent again). Spool.Sync still syncs every
	// segment written since the last Sync, and the directory.
	SyncNever
)

// String returns the policy's name.
func (p SyncPolicy) String() string {
	switch p {
	case SyncPeriodic:
		return "SyncPeriodic"
	case SyncAlways:
		return "SyncAlways"
	case SyncNever:
		return "SyncNever"
	}
	return fmt.Sprintf("SyncPolicy(%d)", int(p))
}

// Options configures a Spool. The zero value of every field selects the
// documented default; a nil *Options selects all defaults.
type Options struct {
	// SegmentBytes is the size at which the segment file being written is
	// closed and a new one started. Delivered records leave the disk a whole
	// segment at a time, and DropOldest drops a whole segment.
	// MinSegmentBytes–MaxSegmentBytes, at least MaxMessageBytes + 32.
	// 0: 8 MiB.
	SegmentBytes int64
	// MaxBytes bounds the size of the segment files together (records,
	// delivered or not, of the segments not yet deleted: the segment being
	// delivered is deleted once all its records are). At least
	// 2 × SegmentBytes. 0: 256 MiB.
	MaxBytes int64
	// OnFull is the policy when a new record would take the spool past
	// MaxBytes. Zero value: Block.
	OnFull FullPolicy
	// Sync is the durability policy. Zero value: SyncPeriodic.
	Sync SyncPolicy
	// SyncInterval is the period of SyncPeriodic. 0: 1 s.
	SyncInterval time.Duration
	// FlushInterval is the longest time a record handed to the destination
	// waits before the pump calls the destination's Flush and, when it
	// returns nil, writes the checkpoint. The pump flushes sooner when it has
	// handed FlushBytes, on Spool.Flush and on Close. 0: 5 s.
	FlushInterval time.Duration
	// FlushBytes is how much the pump hands to the destination (message bytes
	// + 26 per record, as ship counts) before it flushes: the most that one
	// failed Flush makes it send again. Keep it within the destination's
	// buffer (ship's MaxBufferBytes and MaxBufferEvents) when that one drops
	// events when full. 0: 1 MiB (one full PutLogEvents batch).
	FlushBytes int64
	// MaxMessageBytes is the longest message accepted; longer ones are
	// refused with ErrTooLarge (the destination applies its own size policy,
	// such as ship's Oversize, to the messages it gets). 1–MaxMessageLimit.
	// 0: 1 MiB.
	MaxMessageBytes int
	// InitialBackoff is the pause after the first failed delivery; it doubles
	// per consecutive failure up to MaxBackoff, each pause drawn uniformly
	// from [d/2, d]. 0: 1 s.
	InitialBackoff time.Duration
	// MaxBackoff caps one pause. 0: 1 minute.
	MaxBackoff time.Duration
	// MaxReplays bounds how many times the records of one failed flush window
	// are sent again: after MaxReplays replays that failed too, they are
	// dropped (Stats.Dropped.ReplayLimit, a *DropError to OnError) and the
	// pump goes on. 0: no bound — records are sent again until delivered,
	// whatever the outage; a window the destination fails every time (other
	// than by the rejections the package documentation describes, which are
	// not sent again) then holds delivery back until it is dropped by the
	// full policy.
	MaxReplays int
	// OnError, when set, receives what the spool goes on after: a
	// *DeliveryError for each failed delivery (the records will be sent
	// again), a *DropError for records dropped after they were accepted, a
	// *CorruptError for damaged data found on disk, and an *Error for a
	// failed file operation (a checkpoint not written, a sync that failed).
	// It is called on a goroutine of its own, one report at a time in order,
	// with no lock held: it may call the Spool's methods. Consecutive
	// *DropErrors of one reason are merged while they wait. Close waits for
	// the calls until its ctx ends. Nil: the reports are only counted in
	// Stats.
	OnError func(error)
	// Now returns the current time, used to stamp records logged with a zero
	// time and the lines of Write. Nil: time.Now.
	Now func() time.Time
}

// OptionError reports an invalid argument of Open or Options field.
type OptionError struct {
	Field  string // e.g. "Options.SegmentBytes"
	Value  string // the offending value
	Reason string
}

// Error implements error.
func (e *OptionError) Error() string {
	return fmt.Sprintf("spool: invalid %s %s: %s", e.Field, e.Value, e.Reason)
}

func optErr(field string, v any, reason string) error {
	return &OptionError{Field: field, Value: fmt.Sprint(v), Reason: reason}
}

// config is Options with defaults applied.
type config struct {
	segmentBytes   int64
	maxBytes       int64
	onFull         FullPolicy
	sync           SyncPolicy
	syncInterval   time.Duration
	flushInterval  time.Duration
	flushBytes     int64
	maxMessage     int
	initialBackoff time.Duration
	maxBackoff     time.Duration
	maxReplays     int
	onError        func(error)
	now            func() time.Time
}

func (o *Options) config() (config, error) {
	if o == nil {
		o = &Options{}
	}
	c := config{
		segmentBytes: DefaultSegmentBytes, maxBytes: DefaultMaxBytes, onFull: o.OnFull, sync: o.Sync,
		syncInterval: DefaultSyncInterval, flushInterval: DefaultFlushInterval, flushBytes: DefaultFlushBytes,
		maxMessage: DefaultMaxMessageBytes, initialBackoff: DefaultInitialBackoff, maxBackoff: DefaultMaxBackoff,
		maxReplays: o.MaxReplays, onError: o.OnError, now: o.Now,
	}
	if c.now == nil {
		c.now = time.Now
	}
	for _, d := range []struct {
		name string
		v    time.Duration
		dst  *time.Duration
	}{
		{"Options.SyncInterval", o.SyncInterval, &c.syncInterval},
		{"Options.FlushInterval", o.FlushInterval, &c.flushInterval},
		{"Options.InitialBackoff", o.InitialBackoff, &c.initialBackoff},
		{"Options.MaxBackoff", o.MaxBackoff, &c.maxBackoff},
	} {
		if d.v < 0 {
			return c, optErr(d.name, d.v, "must not be negative (0 selects the default)")
		}
		if d.v > 0 {
			*d.dst = d.v
		}
	}
	if c.initialBackoff > c.maxBackoff {
		return c, optErr("Options.InitialBackoff", c.initialBackoff, fmt.Sprintf("must not exceed MaxBackoff (%v)", c.maxBackoff))
	}
	switch {
	case o.MaxMessageBytes < 0 || o.MaxMessageBytes > MaxMessageLimit:
		return c, optErr("Options.MaxMessageBytes", o.MaxMessageBytes, fmt.Sprintf("must be within 1–%d (0 selects %d)", MaxMessageLimit, DefaultMaxMessageBytes))
	case o.MaxMessageBytes > 0:
		c.maxMessage = o.MaxMessageBytes
	}
	switch {
	case o.SegmentBytes < 0 || (o.SegmentBytes > 0 && o.SegmentBytes < MinSegmentBytes) || o.SegmentBytes > MaxSegmentBytes:
		return c, optErr("Options.SegmentBytes", o.SegmentBytes, fmt.Sprintf("must be within %d–%d (0 selects %d)", MinSegmentBytes, MaxSegmentBytes, DefaultSegmentBytes))
	case o.SegmentBytes > 0:
		c.segmentBytes = o.SegmentBytes
	}
	if need := int64(segHeaderSize + recordHeaderSize + c.maxMessage); c.segmentBytes < need {
		return c, optErr("Options.SegmentBytes", c.segmentBytes, fmt.Sprintf("must hold the largest record (%d bytes with MaxMessageBytes %d)", need, c.maxMessage))
	}
	switch {
	case o.MaxBytes < 0:
		return c, optErr("Options.MaxBytes", o.MaxBytes, fmt.Sprintf("must not be negative (0 selects %d)", DefaultMaxBytes))
	case o.MaxBytes > 0:
		c.maxBytes = o.MaxBytes
	}
	if c.maxBytes < 2*c.segmentBytes {
		return c, optErr("Options.MaxBytes", c.maxBytes, fmt.Sprintf("must be at least 2 × SegmentBytes (%d)", 2*c.segmentBytes))
	}
	switch {
	case o.FlushBytes < 0:
		return c, optErr("Options.FlushBytes", o.FlushBytes, fmt.Sprintf("must not be negative (0 selects %d)", DefaultFlushBytes))
	case o.FlushBytes > 0:
		c.flushBytes = o.FlushBytes
	}
	if o.MaxReplays < 0 {
		return c, optErr("Options.MaxReplays", o.MaxReplays, "must not be negative (0: no bound)")
	}
	if o.OnFull < Block || o.OnFull > DropOldest {
		return c, optErr("Options.OnFull", o.OnFull, "unknown policy")
	}
	if o.Sync < SyncPeriodic || o.Sync > SyncNever {
		return c, optErr("Options.Sync", o.Sync, "unknown policy")
	}
	return c, nil
}
