package follow_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/ship"
	"github.com/cwlogs/cwlogs/ship/follow"
)

// eventSink is a ship.EventSink that records the events it is given; they
// count as delivered at once (its Flush has nothing to do).
type eventSink struct {
	mu     sync.Mutex
	events []string
}

func (s *eventSink) LogContext(_ context.Context, _ time.Time, msg string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, msg)
	return nil
}

func (s *eventSink) Flush(context.Context) error { return nil }

func (s *eventSink) got() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.events)
}

// recordWriter returns a MultilineWriter into sink whose records start with
// "REC", with a Timeout long enough never to hand a record on in a test.
func recordWriter(t *testing.T, sink *eventSink) *ship.MultilineWriter {
	t.Helper()
	mw, err := ship.NewMultilineWriter(sink, &ship.MultilineOptions{Start: regexp.MustCompile(`^REC`), Timeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return mw
}

// stateOffset returns the offset of the checkpoint in the state file.
func stateOffset(t *testing.T, name string) int64 {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var s struct{ Offset int64 }
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s.Offset
}

func wantEvents(t *testing.T, sink *eventSink, want ...string) {
	t.Helper()
	if got := sink.got(); !slices.Equal(got, want) {
		t.Fatalf("events %q\nwant %q", got, want)
	}
}

// TestMultilineRestart: a Follower stopped in the middle of a multi-line record
// neither ships the record's first lines nor checkpoints past them: the next run
// reads the record again from its start and ships it whole. The record was split:
// the stop's Flush handed its first lines on and the checkpoint passed them, and
// the continuation lines read after the restart became an event of their own.
func TestMultilineRestart(t *testing.T) {
	path := logPath(t)
	state := filepath.Join(t.TempDir(), "state")
	appendFile(t, path, "")
	sink := &eventSink{}
	run := func(appendix string) {
		t.Helper()
		mw := recordWriter(t, sink)
		r := start(t, path, mw, follow.Options{StateFile: state, CheckpointInterval: time.Hour})
		appendFile(t, path, appendix)
		r.step()
		if err := r.stop(); err != nil {
			t.Fatal(err)
		}
		if err := mw.Close(context.Background()); err != nil { // as the writer's owner does
			t.Fatal(err)
		}
	}
	run("REC 1\n  a\n")
	wantEvents(t, sink) // the record may go on: not shipped yet
	if off := stateOffset(t, state); off != 0 {
		t.Errorf("checkpoint at %d after the first run, want 0: before the record", off)
	}
	run("  b\nREC 2\n")
	wantEvents(t, sink, "REC 1\n  a\n  b")
	run("REC 3\n")
	wantEvents(t, sink, "REC 1\n  a\n  b", "REC 2")
	if off, want := stateOffset(t, state), int64(len("REC 1\n  a\n  b\nREC 2\n")); off != want {
		t.Errorf("checkpoint at %d, want %d: before REC 3, not yet shipped", off, want)
	}
}

// TestMultilineCheckpointWhileRunning: a checkpoint taken while a record is
// being written neither splits it nor passes its lines; the record is shipped
// whole once its end is seen, and the checkpoint follows. The checkpoint's Flush
// handed the record's first lines on as an event, and its next lines made another.
func TestMultilineCheckpointWhileRunning(t *testing.T) {
	path := logPath(t)
	state := filepath.Join(t.TempDir(), "state")
	appendFile(t, path, "")
	sink := &eventSink{}
	mw := recordWriter(t, sink)
	r := start(t, path, mw, follow.Options{StateFile: state, CheckpointInterval: time.Nanosecond})
	appendFile(t, path, "REC 1\n  a\n")
	r.step()
	wantEvents(t, sink)
	if off := stateOffset(t, state); off != 0 {
		t.Errorf("checkpoint at %d, want 0: before the record being written", off)
	}
	appendFile(t, path, "  b\nREC 2\n")
	r.step()
	wantEvents(t, sink, "REC 1\n  a\n  b")
	r.step() // the checkpoint after the record was shipped
	if off, want := stateOffset(t, state), int64(len("REC 1\n  a\n  b\n")); off != want {
		t.Errorf("checkpoint at %d, want %d: after the shipped record, before REC 2", off, want)
	}
	if st := r.f.Stats(); st.FlushErrors != 0 {
		t.Errorf("stats %+v", st)
	}
}

var _ follow.HoldingDestination = (*ship.MultilineWriter)(nil)

// TestMultilineRotation: at a rotation the record being grouped is handed on (a
// file's end ends its record), so that the checkpoint of the new file stays before
// the record the writer holds of it, and a restart resumes there.
func TestMultilineRotation(t *testing.T) {
	path := logPath(t)
	state := filepath.Join(t.TempDir(), "state")
	appendFile(t, path, "")
	sink := &eventSink{}
	mw := recordWriter(t, sink)
	r := start(t, path, mw, follow.Options{StateFile: state, CheckpointInterval: time.Hour, RotateWait: time.Nanosecond})
	appendFile(t, path, "REC 1\n  a\n")
	r.step()
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	appendFile(t, path, "  b\nREC 2\n")
	r.step() // the old file is quiet and the new one has data: switch
	wantEvents(t, sink, "REC 1\n  a", "  b")
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	mw.Close(context.Background())
	if off := stateOffset(t, state); off != int64(len("  b\n")) {
		t.Errorf("checkpoint at %d, want %d: in the new file, before REC 2", off, len("  b\n"))
	}
	mw = recordWriter(t, sink)
	r = start(t, path, mw, follow.Options{StateFile: state})
	appendFile(t, path, "REC 3\n")
	r.step()
	wantEvents(t, sink, "REC 1\n  a", "  b", "REC 2")
	if st := r.f.Stats(); st.Gaps != 0 || st.Rotations != 0 {
		t.Errorf("second run: stats %+v", st)
	}
}

// TestMultilineGlobGone: when a Glob's file is deleted, its Follower hands the
// record it held on before it ends (its state is removed: no run reads it again).
func TestMultilineGlobGone(t *testing.T) {
	dir, stateDir := t.TempDir(), t.TempDir()
	path := filepath.Join(dir, "a.log")
	appendFile(t, path, "REC 1\n  a\n")
	sink := &eventSink{}
	g, err := follow.NewGlob(filepath.Join(dir, "*.log"), func(string) (follow.Destination, error) {
		return recordWriter(t, sink), nil
	}, &follow.GlobOptions{Options: follow.Options{FromStart: true, RotateWait: time.Nanosecond,
		OnError: func(err error) { t.Errorf("reported %v", err) }}, StateDir: stateDir})
	if err != nil {
		t.Fatal(err)
	}
	steps := follow.ManualGlob(g)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- g.Run(ctx) }()
	defer func() { cancel(); <-done }()
	if err := steps.Started(); err != nil {
		t.Fatal(err)
	}
	wantEvents(t, sink)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := steps.Scan(); err != nil {
		t.Fatal(err)
	}
	for alive := true; alive; {
		if alive, err = steps.Poll(path); err != nil {
			t.Fatal(err)
		}
	}
	wantEvents(t, sink, "REC 1\n  a")
	if _, err := os.Stat(filepath.Join(stateDir, follow.StateFileName(path))); !os.IsNotExist(err) {
		t.Errorf("state of the drained file: %v; want it removed", err)
	}
}

// TestMultilineStopFileNotAtPath: a Follower stopped while its file is no longer
// at its path (removed, or renamed by a rotation not finished yet) hands the record
// it holds on: the next run might not find the file to read it again (a removed
// file is gone once closed; a rotated one may be compressed or deleted meanwhile).
// The record was dropped, to be read again from a checkpoint before it that no run
// could resume: its lines were lost.
func TestMultilineStopFileNotAtPath(t *testing.T) {
	for _, tc := range []struct {
		name string
		move func(path string) error
	}{
		{"removed", os.Remove},
		{"renamed, an empty file at the path", func(path string) error {
			if err := os.Rename(path, path+".1"); err != nil {
				return err
			}
			return os.WriteFile(path, nil, 0o644) // empty: the old file is read on (RotateWait)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := logPath(t)
			state := filepath.Join(t.TempDir(), "state")
			appendFile(t, path, "")
			sink := &eventSink{}
			mw := recordWriter(t, sink)
			r := start(t, path, mw, follow.Options{StateFile: state, CheckpointInterval: time.Hour, RotateWait: time.Hour})
			appendFile(t, path, "REC 1\n  a\n")
			r.step()
			if err := tc.move(path); err != nil {
				t.Fatal(err)
			}
			r.step()
			if err := r.stop(); err != nil {
				t.Fatal(err)
			}
			wantEvents(t, sink, "REC 1\n  a")
			if off, want := stateOffset(t, state), int64(len("REC 1\n  a\n")); off != want {
				t.Errorf("checkpoint at %d, want %d: after the record shipped", off, want)
			}
		})
	}
}
