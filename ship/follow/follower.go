package follow

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"
)

// Follower follows one file and writes its lines to a Destination. Create
// it with New and start it with Run.
type Follower struct {
	path string // as given
	abs  string // absolute, as kept in the state file
	dst  Destination
	c    config

	started atomic.Bool
	stats   struct {
		bytes, rotations, truncations, checkpoints, flushErrors, gaps atomic.Int64
	}

	// wait pauses between polls; false when ctx ended. Tests replace it.
	wait func(ctx context.Context, d time.Duration) bool
	// stat and openFile are os.Stat and os.Open; tests count the calls.
	stat     func(name string) (fs.FileInfo, error)
	openFile func(name string) (*os.File, error)

	// Set by a Glob only (nil and false otherwise, leaving the behaviour
	// above unchanged): opened is told of each file made the current one,
	// leaving of each current file before it is closed (its last use);
	// gone is when (UnixNano) the Glob found the path gone from the
	// directory, 0 while it is there; the Follower then ends once the path
	// names no file, RotateWait has passed since then, and a poll read
	// nothing (see glob.go).
	opened  func(fi os.FileInfo)
	leaving func(f *os.File)
	gone    atomic.Int64
}

// Stats are a Follower's counters since Run started.
type Stats struct {
	// Bytes counts the bytes of the file handed to the destination.
	Bytes int64
	// Rotations counts the switches to a new file at the path; Truncations
	// the times the file was found shorter than the offset read so far.
	Rotations   int64
	Truncations int64
	// Checkpoints counts the state files written; FlushErrors the Flush
	// calls that failed (after which the checkpoint no longer advances).
	Checkpoints int64
	FlushErrors int64
	// Gaps counts the GapErrors reported.
	Gaps int64
}

// New returns a Follower of the file at path that writes its lines to dst.
// Nothing is opened before Run. Bad arguments are reported as *OptionError.
func New(path string, dst Destination, opts *Options) (*Follower, error) {
	if path == "" {
		return nil, &OptionError{Field: "path", Value: `""`, Reason: "must name a file"}
	}
	if dst == nil {
		return nil, &OptionError{Field: "dst", Value: "nil", Reason: "a Destination is required"}
	}
	c, err := opts.config()
	if err != nil {
		return nil, err
	}
	f, err := newFollower(path, dst, c)
	if err != nil {
		return nil, &OptionError{Field: "path", Value: path, Reason: err.Error()}
	}
	return f, nil
}

// newFollower makes the Follower of path with the checked configuration c (New's and
// a Glob's).
func newFollower(path string, dst Destination, c config) (*Follower, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	return &Follower{path: path, abs: abs, dst: dst, c: c, wait: sleep, stat: os.Stat, openFile: os.Open}, nil
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Stats returns a snapshot of the counters.
func (f *Follower) Stats() Stats {
	s := &f.stats
	return Stats{Bytes: s.bytes.Load(), Rotations: s.rotations.Load(), Truncations: s.truncations.Load(),
		Checkpoints: s.checkpoints.Load(), FlushErrors: s.flushErrors.Load(), Gaps: s.gaps.Load()}
}

// ErrStarted is returned by a second call of Run.
var ErrStarted = errors.New("follow: Run already called")

// Run follows the file until ctx ends, then flushes the destination and
// writes the last checkpoint (within Options.StopTimeout) and returns nil,
// or the *Error of that final Flush or checkpoint. It returns earlier, with
// an *Error, when the state file cannot be read, when the file cannot be
// opened at start for another reason than not existing, when reading it
// fails, or when the destination's Write fails. Run may be called once.
func (f *Follower) Run(ctx context.Context) error {
	if !f.started.CompareAndSwap(false, true) {
		return ErrStarted
	}
	r := &runner{Follower: f, buf: make([]byte, 64<<10)}
	return r.run(ctx)
}
