package follow

import (
	"context"
	"fmt"
	"io"
	"log"
	"time"
)

// Destination receives the lines of the followed file. *ship.Shipper and
// *ship.MultilineWriter implement it.
//
// Write gets whole lines, each ending with "\n" (several per call), except
// the pieces of a line that reached Options.MaxLineBytes before its "\n"
// was read, which come without "\n" until the last one. Write must not
// retain p (see io.Writer); an error from it stops the Follower. Flush(ctx) must return nil only when every
// byte written before the call has been delivered: the checkpoint advances
// only then. The Follower calls both from the goroutine running Run, never
// concurrently.
type Destination interface {
	io.Writer
	Flush(ctx context.Context) error
}

// HoldingDestination is a Destination that may hold back the last bytes
// written — a multi-line record whose end it has not seen yet — so that a
// checkpoint does not split the record. *ship.MultilineWriter implements it.
//
// With a state file, the Follower flushes it with FlushComplete and writes
// the checkpoint before the bytes it holds; they are flushed again at the
// next checkpoint, once the record is complete. When it stops, it has
// DiscardPending drop them, and the next run reads them again from the
// checkpoint and ships the record whole (unless no run will, or may not
// find the file: see the package doc; then Flush hands them on). At the end
// of a file's content (rotation, truncation) it calls Flush, which hands
// everything on: a file's end ends its record. Without a state file only
// Flush is called. Give each Follower a HoldingDestination of its own: the
// bytes it holds, and those DiscardPending drops, are counted over all that
// was written to it.
type HoldingDestination interface {
	Destination
	// FlushComplete delivers what was written before the call but the last
	// held bytes, which it keeps for the bytes to come, and returns how many
	// it holds; on an error, 0.
	FlushComplete(ctx context.Context) (held int64, err error)
	// DiscardPending drops the held bytes, as if they had never been
	// written, and returns how many they were.
	DiscardPending(ctx context.Context) (int64, error)
}

// Defaults of the Options fields.
const (
	DefaultPollInterval       = 250 * time.Millisecond
	DefaultCheckpointInterval = 5 * time.Second
	DefaultRotateWait         = 5 * time.Second
	DefaultStopTimeout        = 10 * time.Second
	DefaultMaxLineBytes       = 1 << 20
)

// MinMaxLineBytes is the smallest accepted Options.MaxLineBytes.
const MinMaxLineBytes = 16

// Options configures a Follower. The zero value of every field selects the
// documented default; a nil *Options selects all defaults.
type Options struct {
	// PollInterval is the pause between two looks at the file (one Stat of
	// the path when nothing changed). 0: 250 ms.
	PollInterval time.Duration
	// StateFile is where the checkpoint is kept (read at start, written
	// atomically after each successful Flush), for this Follower only (see
	// the package doc). "": no checkpoint; the Follower then flushes the
	// destination only when it stops.
	StateFile string
	// CheckpointInterval is how often, while new data comes, the destination
	// is flushed and the checkpoint written. 0: 5 s. Used with StateFile only.
	CheckpointInterval time.Duration
	// FromStart starts at the beginning of the file when there is no
	// checkpoint. false: start at its end, as tail -F does (a file that
	// appears later is always read from its beginning).
	FromStart bool
	// RotateWait is how long, after the path names a new file, the old file
	// is still read while it keeps growing (a writer that has not reopened
	// the path yet), before the Follower switches to the new file. It
	// switches sooner, as soon as a poll finds the old file quiet and the new
	// one not empty. 0: 5 s.
	RotateWait time.Duration
	// StopTimeout bounds the final Flush and checkpoint after Run's ctx ends.
	// 0: 10 s.
	StopTimeout time.Duration
	// MaxLineBytes bounds the Follower's buffer for an unfinished line: a
	// line that reaches it before its "\n" is read is handed on in pieces of
	// at most MaxLineBytes bytes, cut between UTF-8 characters (the
	// destination joins them, as Shipper.Write joins the pieces of a line,
	// then applies its own size policy); a longer line whose "\n" comes in
	// the same read (at most 64 KiB) is handed on whole. At least
	// MinMaxLineBytes. 0: 1 MiB.
	MaxLineBytes int
	// OnError receives what the Follower does not stop for: a *GapError when
	// lines may have been lost, an *Error when a Flush, a checkpoint or a
	// look at the path failed. It is called on the goroutine running Run.
	// nil: such errors are printed with the standard library's log package.
	OnError func(error)
}

// OptionError reports an invalid argument of New or Options field.
type OptionError struct {
	Field  string // e.g. "PollInterval"
	Value  string // the offending value
	Reason string
}

// Error implements error.
func (e *OptionError) Error() string {
	return fmt.Sprintf("follow: invalid %s %s: %s", e.Field, e.Value, e.Reason)
}

type config struct {
	poll, checkpoint, rotateWait, stop time.Duration
	state                              string
	fromStart                          bool
	maxLine                            int
	onError                            func(error)
	// stateDirSwept: the stale temporary files of state's directory were
	// removed already (a Glob's StateDir, at the Glob's start): the Follower
	// does not read that directory again.
	stateDirSwept bool
}

func (o *Options) config() (config, error) {
	if o == nil {
		o = &Options{}
	}
	c := config{
		poll: DefaultPollInterval, checkpoint: DefaultCheckpointInterval, rotateWait: DefaultRotateWait,
		stop: DefaultStopTimeout, maxLine: DefaultMaxLineBytes,
		state: o.StateFile, fromStart: o.FromStart, onError: o.OnError,
	}
	for _, d := range []struct {
		name string
		v    time.Duration
		dst  *time.Duration
	}{
		{"Options.PollInterval", o.PollInterval, &c.poll},
		{"Options.CheckpointInterval", o.CheckpointInterval, &c.checkpoint},
		{"Options.RotateWait", o.RotateWait, &c.rotateWait},
		{"Options.StopTimeout", o.StopTimeout, &c.stop},
	} {
		if d.v < 0 {
			return c, &OptionError{Field: d.name, Value: d.v.String(), Reason: "must not be negative"}
		}
		if d.v > 0 {
			*d.dst = d.v
		}
	}
	switch {
	case o.MaxLineBytes < 0 || (o.MaxLineBytes > 0 && o.MaxLineBytes < MinMaxLineBytes):
		return c, &OptionError{Field: "Options.MaxLineBytes", Value: fmt.Sprint(o.MaxLineBytes),
			Reason: fmt.Sprintf("must be 0 (1 MiB) or at least %d", MinMaxLineBytes)}
	case o.MaxLineBytes > 0:
		c.maxLine = o.MaxLineBytes
	}
	if c.onError == nil {
		c.onError = func(err error) { log.Print(err) }
	}
	return c, nil
}
