package follow_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cwlogs/cwlogs/ship"
	"github.com/cwlogs/cwlogs/ship/follow"
)

func wantLines(t *testing.T, d *recorder, want ...string) {
	t.Helper()
	if got := d.lines(); !slices.Equal(got, want) {
		t.Fatalf("destination got %q\nwant %q", got, want)
	}
}

// TestStartPosition: without a state, the lines already there are skipped
// (tail -F), or read with FromStart; appended lines come as they are written.
func TestStartPosition(t *testing.T) {
	for _, tc := range []struct {
		name      string
		fromStart bool
		want      []string
	}{
		{"end", false, []string{"new 1", "new 2", "new 3"}},
		{"start", true, []string{"old 1", "old 2", "new 1", "new 2", "new 3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := logPath(t)
			appendFile(t, path, "old 1\nold 2\n")
			d := &recorder{}
			r := start(t, path, d, follow.Options{FromStart: tc.fromStart})
			appendFile(t, path, "new 1\nnew 2\n")
			r.step()
			appendFile(t, path, "new 3\n")
			r.step()
			wantLines(t, d, tc.want...)
			if err := r.stop(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestPartialLine: a line without its newline is held until it is completed;
// on stop without a state file it is handed on, completed; with a state file
// it is left for the next run, and the checkpoint stays before it.
func TestPartialLine(t *testing.T) {
	path := logPath(t)
	d := &recorder{}
	r := start(t, path, d, follow.Options{FromStart: true})
	appendFile(t, path, "one\ntw")
	r.step()
	wantLines(t, d, "one")
	appendFile(t, path, "o\nthr")
	r.step()
	wantLines(t, d, "one", "two")
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	wantLines(t, d, "one", "two", "thr")
	if d.flushes != 1 || d.flushed != d.data.Len() {
		t.Errorf("%d flushes, %d of %d bytes flushed; want everything flushed once on stop", d.flushes, d.flushed, d.data.Len())
	}

	// With a state file.
	state := filepath.Join(t.TempDir(), "state")
	d = &recorder{}
	r = start(t, path, d, follow.Options{FromStart: true, StateFile: state})
	r.step()
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	wantLines(t, d, "one", "two")
	appendFile(t, path, "ee\n")
	d2 := &recorder{}
	r = start(t, path, d2, follow.Options{StateFile: state})
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	wantLines(t, d2, "three")
}

// TestLongLine: a line longer than MaxLineBytes is handed on in pieces cut
// between UTF-8 characters, and the pieces put together are the line.
func TestLongLine(t *testing.T) {
	path := logPath(t)
	d := &recorder{}
	r := start(t, path, d, follow.Options{FromStart: true, MaxLineBytes: 16})
	long := strings.Repeat("ab€", 20) // 100 bytes, 3-byte characters
	appendFile(t, path, long)
	r.step()
	got := d.data.String()
	if len(got) < 100-16 || len(got) > 100 || !strings.HasPrefix(long, got) {
		t.Fatalf("pieces so far %q: want all but the last <16 bytes of the line", got)
	}
	if d.writes < 100/16 {
		t.Errorf("%d writes for a 100-byte line with MaxLineBytes 16", d.writes)
	}
	appendFile(t, path, "\nnext\n")
	r.step()
	wantLines(t, d, long, "next")
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, p := range d.parts {
		if !utf8.ValidString(p) || len(p) > 16 && strings.Count(p, "\n") == 0 {
			t.Errorf("piece %q: a character was split, or longer than MaxLineBytes", p)
		}
	}
}

// TestRenameRotation: logrotate's rename and create, with the writer still
// writing to the old file after the rename and after the new file appeared:
// nothing is lost, and the new file is read once the old one is quiet.
func TestRenameRotation(t *testing.T) {
	path := logPath(t)
	w, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	d := &recorder{}
	r := start(t, path, d, follow.Options{RotateWait: time.Hour})
	fmt.Fprintln(w, "a")
	r.step()
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(w, "b after rename")
	r.step() // path missing: the open file is still read
	wantLines(t, d, "a", "b after rename")
	appendFile(t, path, "new 1\n")    // the new file appears
	fmt.Fprintln(w, "c after create") // the writer has not reopened yet
	r.step()
	wantLines(t, d, "a", "b after rename", "c after create")
	fmt.Fprintln(w, "d late")
	r.step() // the old file grew: still read, no switch
	wantLines(t, d, "a", "b after rename", "c after create", "d late")
	r.step() // quiet, and the new file has data: switch
	wantLines(t, d, "a", "b after rename", "c after create", "d late", "new 1")
	appendFile(t, path, "new 2\n")
	r.step()
	wantLines(t, d, "a", "b after rename", "c after create", "d late", "new 1", "new 2")
	if st := r.f.Stats(); st.Rotations != 1 || st.Gaps != 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestRotateWaitBound: an old file that keeps growing is left after
// RotateWait, its unfinished last line handed on first.
func TestRotateWaitBound(t *testing.T) {
	path := logPath(t)
	appendFile(t, path, "")
	d := &recorder{}
	r := start(t, path, d, follow.Options{RotateWait: time.Nanosecond})
	appendFile(t, path, "a\nunfinished")
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	appendFile(t, path, "new\n")
	r.step() // sees the new file, reads the old one
	appendFile(t, path+".1", " still")
	r.step() // the old one grew, but RotateWait has passed
	wantLines(t, d, "a", "unfinished still", "new")
}

// TestCopyTruncate: a file truncated in place is read again from the start
// and the possible gap is reported.
func TestCopyTruncate(t *testing.T) {
	path := logPath(t)
	appendFile(t, path, "")
	d := &recorder{}
	r := start(t, path, d, follow.Options{})
	appendFile(t, path, "one\ntwo\n")
	r.step()
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	appendFile(t, path, "3\n")
	r.step()
	wantLines(t, d, "one", "two", "3")
	g := r.gaps()
	if len(g) != 1 || g[0].Reason != follow.GapTruncated || g[0].Offset != 8 || g[0].Path != path {
		t.Fatalf("gaps %v, want one GapTruncated at offset 8", g)
	}
	if st := r.f.Stats(); st.Truncations != 1 {
		t.Errorf("stats %+v", st)
	}
}

// TestPathMissing: the file is removed; the Follower waits and reads the
// file that comes back from its start.
func TestPathMissing(t *testing.T) {
	path := logPath(t)
	appendFile(t, path, "")
	d := &recorder{}
	r := start(t, path, d, follow.Options{})
	appendFile(t, path, "one\n")
	r.step()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	r.step()
	r.step()
	appendFile(t, path, "two\n")
	r.step() // the old file, removed, is quiet, the new one has data
	appendFile(t, path, "three\n")
	r.step()
	wantLines(t, d, "one", "two", "three")
	if len(r.reported()) != 0 {
		t.Errorf("reported %v", r.reported())
	}

	// Missing at start: read from its start when it appears.
	missing := logPath(t)
	d = &recorder{}
	r = start(t, missing, d, follow.Options{})
	r.step()
	appendFile(t, missing, "first\n")
	r.step()
	wantLines(t, d, "first")
}

// TestRestart: two runs with a state file, lines appended while running,
// while stopped and as an unfinished line: the destinations receive every
// line once.
func TestRestart(t *testing.T) {
	path := logPath(t)
	state := filepath.Join(t.TempDir(), "follow.state")
	appendFile(t, path, "before start\n") // skipped: no state, start at the end
	var all []string
	d1 := &recorder{}
	r := start(t, path, d1, follow.Options{StateFile: state, CheckpointInterval: time.Hour})
	for i := range 5 {
		appendFile(t, path, fmt.Sprintf("run1 %d\n", i))
		r.step()
	}
	appendFile(t, path, "split ")
	r.step()
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	appendFile(t, path, "line\nwhile stopped\n")
	d2 := &recorder{}
	r = start(t, path, d2, follow.Options{StateFile: state})
	appendFile(t, path, "run2\n")
	r.step()
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	all = append(d1.lines(), d2.lines()...)
	want := []string{"run1 0", "run1 1", "run1 2", "run1 3", "run1 4", "split line", "while stopped", "run2"}
	if !slices.Equal(all, want) {
		t.Fatalf("lines over two runs %q\nwant %q", all, want)
	}
	if d1.flushes != 1 {
		t.Errorf("run 1: %d flushes, want 1 (on stop; CheckpointInterval 1h)", d1.flushes)
	}
}

// TestRotatedWhileStopped: the file was rotated while the Follower was
// stopped; the old one is found by its identity and finished first.
func TestRotatedWhileStopped(t *testing.T) {
	for _, tc := range []struct {
		name    string
		oldName string // "" : the old file was deleted
		want    []string
		gap     bool
	}{
		{"found", "app.log.1", []string{"a", "b", "c", "new"}, false},
		{"dateext", "app.log-20250101", []string{"a", "b", "c", "new"}, false},
		{"deleted", "", []string{"a", "new"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := logPath(t)
			state := filepath.Join(t.TempDir(), "state")
			appendFile(t, path, "")
			d1 := &recorder{}
			r := start(t, path, d1, follow.Options{StateFile: state})
			appendFile(t, path, "a\n")
			r.step()
			if err := r.stop(); err != nil {
				t.Fatal(err)
			}
			appendFile(t, path, "b\nc\n")
			if tc.oldName != "" {
				if err := os.Rename(path, filepath.Join(filepath.Dir(path), tc.oldName)); err != nil {
					t.Fatal(err)
				}
			} else if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			appendFile(t, path, "new\n")
			d2 := &recorder{}
			r = start(t, path, d2, follow.Options{StateFile: state, RotateWait: time.Hour})
			r.step()
			if err := r.stop(); err != nil {
				t.Fatal(err)
			}
			if got := append(d1.lines(), d2.lines()...); !slices.Equal(got, tc.want) {
				t.Fatalf("lines %q, want %q", got, tc.want)
			}
			g := r.gaps()
			if tc.gap != (len(g) == 1 && g[0].Reason == follow.GapOldFileMissing && g[0].Offset == 2) || (!tc.gap && len(g) > 0) {
				t.Errorf("gaps %v, want gap %v", g, tc.gap)
			}
		})
	}
}

// TestFlushFailureHoldsCheckpoint: a Flush that fails (a *ship.FlushError
// here) does not advance the checkpoint, nor do later Flushes that succeed:
// a restart sends again everything after the last good checkpoint.
func TestFlushFailureHoldsCheckpoint(t *testing.T) {
	path := logPath(t)
	state := filepath.Join(t.TempDir(), "state")
	appendFile(t, path, "")
	d := &recorder{}
	r := start(t, path, d, follow.Options{StateFile: state, CheckpointInterval: time.Nanosecond})
	appendFile(t, path, "good\n")
	r.step()
	if d.flushes != 1 {
		t.Fatalf("%d flushes, want 1", d.flushes)
	}
	d.setFlushErr(&ship.FlushError{Events: 1, Err: errors.New("permanent error")})
	appendFile(t, path, "lost\n")
	r.step()
	d.setFlushErr(nil)
	appendFile(t, path, "after\n")
	r.step()
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	var fe *ship.FlushError
	var e *follow.Error
	errs := r.reported()
	if len(errs) == 0 {
		t.Fatal("the failed Flush was not reported")
	}
	for _, err := range errs {
		if !errors.As(err, &fe) || !errors.As(err, &e) || e.Op != "flush" || e.Path != path {
			t.Fatalf("reported %v, want *follow.Errors wrapping the *ship.FlushError", errs)
		}
	}
	if st := r.f.Stats(); st.FlushErrors != int64(len(errs)) || d.flushed != d.data.Len() {
		t.Errorf("stats %+v, %d reports; flushed %d of %d bytes (the last Flush succeeded)", st, len(errs), d.flushed, d.data.Len())
	}
	d2 := &recorder{}
	r = start(t, path, d2, follow.Options{StateFile: state})
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	wantLines(t, d2, "lost", "after")
}

// TestFlushFailureAsCtxEnds: a Flush that reports a loss while Run's ctx ends
// holds the checkpoint back too: only a Flush that fails with ctx's error alone
// leaves the final Flush to advance it. A loss reported just as ctx ended was
// taken for a Flush cut short, and the final Flush, which does not report it
// again, advanced the checkpoint past the lost line.
func TestFlushFailureAsCtxEnds(t *testing.T) {
	loss := &ship.FlushError{Events: 1, Err: errors.New("permanent error")}
	for _, tc := range []struct {
		name   string
		err    error // of the Flush during which ctx ends
		resent []string
	}{
		{"loss", loss, []string{"lost"}},
		{"loss joined with ctx's error", errors.Join(loss, context.Canceled), []string{"lost"}},
		{"ctx's error alone", context.Canceled, nil},
		{"ctx's error wrapped", fmt.Errorf("flush: %w", context.Canceled), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := logPath(t)
			state := filepath.Join(t.TempDir(), "state")
			appendFile(t, path, "")
			d := &recorder{}
			r := start(t, path, d, follow.Options{StateFile: state, CheckpointInterval: time.Nanosecond})
			d.mu.Lock()
			d.onFlush = func() error { r.cancel(); return tc.err }
			d.mu.Unlock()
			appendFile(t, path, "lost\n")
			r.poll() // Run returns meanwhile
			if err := r.stop(); err != nil {
				t.Fatal(err)
			}
			d2 := &recorder{}
			r = start(t, path, d2, follow.Options{StateFile: state})
			if err := r.stop(); err != nil {
				t.Fatal(err)
			}
			wantLines(t, d2, tc.resent...)
		})
	}
}

// TestFinalFlushFails: Run returns the *Error of a failed final Flush and
// leaves the checkpoint where it was.
func TestFinalFlushFails(t *testing.T) {
	path := logPath(t)
	state := filepath.Join(t.TempDir(), "state")
	appendFile(t, path, "")
	d := &recorder{}
	r := start(t, path, d, follow.Options{StateFile: state, CheckpointInterval: time.Hour})
	appendFile(t, path, "x\n")
	r.step()
	d.setFlushErr(ship.ErrClosed)
	err := r.stop()
	var e *follow.Error
	if !errors.As(err, &e) || e.Op != "flush" || !errors.Is(err, ship.ErrClosed) {
		t.Fatalf("Run = %v, want a flush *Error wrapping ErrClosed", err)
	}
	d2 := &recorder{}
	r = start(t, path, d2, follow.Options{StateFile: state})
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	wantLines(t, d2, "x")
}

// TestWriteError: a Write refused by the destination stops Run.
func TestWriteError(t *testing.T) {
	path := logPath(t)
	appendFile(t, path, "x\n")
	f, err := follow.New(path, &recorder{writeErr: ship.ErrClosed}, &follow.Options{FromStart: true})
	if err != nil {
		t.Fatal(err)
	}
	err = f.Run(t.Context())
	var e *follow.Error
	if !errors.As(err, &e) || e.Op != "write" || e.Path != path || !errors.Is(err, ship.ErrClosed) {
		t.Fatalf("Run = %v", err)
	}
}

// TestBadStart: bad options, a corrupt state and another path's state.
func TestBadStart(t *testing.T) {
	var oe *follow.OptionError
	if _, err := follow.New("", &recorder{}, nil); !errors.As(err, &oe) || oe.Field != "path" {
		t.Errorf("New(\"\") = %v", err)
	}
	if _, err := follow.New("x", nil, nil); !errors.As(err, &oe) || oe.Field != "dst" {
		t.Errorf("New(nil dst) = %v", err)
	}
	if _, err := follow.New("x", &recorder{}, &follow.Options{MaxLineBytes: 3}); !errors.As(err, &oe) || oe.Field != "Options.MaxLineBytes" || oe.Value != "3" {
		t.Errorf("MaxLineBytes 3: %v", err)
	}
	if _, err := follow.New("x", &recorder{}, &follow.Options{PollInterval: -1}); !errors.As(err, &oe) || oe.Field != "Options.PollInterval" {
		t.Errorf("PollInterval -1: %v", err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	other := filepath.Join(dir, "other.log")
	appendFile(t, path, "")
	appendFile(t, other, "")
	for _, tc := range []struct {
		name, content, want string
	}{
		{"corrupt", "{not json", "not a follow state"},
		{"version", `{"version":2,"path":"/x","offset":0}`, "state version 2"},
		{"negative", `{"version":1,"path":"` + path + `","offset":-1}`, "must not be negative"},
		{"other path", `{"version":1,"path":"` + other + `","offset":0}`, "is the state of " + other},
	} {
		t.Run(tc.name, func(t *testing.T) {
			state := filepath.Join(t.TempDir(), "state")
			if err := os.WriteFile(state, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := follow.New(path, &recorder{}, &follow.Options{StateFile: state})
			if err != nil {
				t.Fatal(err)
			}
			err = f.Run(t.Context())
			var e *follow.Error
			if !errors.As(err, &e) || e.Op != "state" || e.Path != path || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Run = %v, want a state *Error containing %q", err, tc.want)
			}
			if err := f.Run(t.Context()); err != follow.ErrStarted {
				t.Errorf("second Run = %v", err)
			}
		})
	}
}

// TestLongLineOneRead: the MaxLineBytes bound is on the unfinished line held:
// a longer line whose "\n" comes in the same read is handed on whole, as the
// package doc says.
func TestLongLineOneRead(t *testing.T) {
	path := logPath(t)
	d := &recorder{}
	r := start(t, path, d, follow.Options{FromStart: true, MaxLineBytes: 16})
	long := strings.Repeat("x", 40)
	appendFile(t, path, long+"\n")
	r.step()
	d.mu.Lock()
	parts := slices.Clone(d.parts)
	d.mu.Unlock()
	if len(parts) != 1 || parts[0] != long+"\n" {
		t.Fatalf("writes %q, want the 40-byte line whole", parts)
	}
}
