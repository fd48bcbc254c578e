package follow_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/ship/follow"
)

// globRun is a Glob running in a goroutine, driven by hand.
type globRun struct {
	t      *testing.T
	dir    string
	g      *follow.Glob
	steps  *follow.GlobSteps
	cancel context.CancelFunc
	done   chan error

	mu   sync.Mutex
	dsts map[string]*recorder // by path, kept across restarts
	made map[string]int       // newDst calls by path
	bad  map[string]error     // newDst refuses these paths
	errs []error              // given to OnError
}

func newGlobRun(t *testing.T, dir string) *globRun {
	return &globRun{t: t, dir: dir, dsts: map[string]*recorder{}, made: map[string]int{}, bad: map[string]error{}}
}

// start runs a Glob of pattern (in r.dir) with opts and waits for its first
// scan.
func (r *globRun) start(pattern string, opts follow.GlobOptions) {
	r.t.Helper()
	opts.OnError = func(err error) {
		r.mu.Lock()
		r.errs = append(r.errs, err)
		r.mu.Unlock()
	}
	if opts.RotateWait == 0 {
		opts.RotateWait = time.Nanosecond // switch or end at the first quiet poll
	}
	g, err := follow.NewGlob(filepath.Join(r.dir, pattern), func(path string) (follow.Destination, error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.made[path]++
		if err := r.bad[path]; err != nil {
			return nil, err
		}
		if r.dsts[path] == nil {
			r.dsts[path] = &recorder{}
		}
		return r.dsts[path], nil
	}, &opts)
	if err != nil {
		r.t.Fatal(err)
	}
	r.g, r.steps = g, follow.ManualGlob(g)
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel, r.done = cancel, make(chan error, 1)
	go func() { r.done <- g.Run(ctx) }()
	r.t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(10 * time.Second):
		}
	})
	if err := r.steps.Started(); err != nil {
		r.t.Fatal(err)
	}
}

func (r *globRun) scan() {
	r.t.Helper()
	if err := r.steps.Scan(); err != nil {
		r.t.Fatal(err)
	}
}

// poll polls the Follower of name and reports whether it is still running.
func (r *globRun) poll(name string) bool {
	r.t.Helper()
	alive, err := r.steps.Poll(filepath.Join(r.dir, name))
	if err != nil {
		r.t.Fatal(err)
	}
	return alive
}

func (r *globRun) stop() error {
	r.t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		r.done <- err
		return err
	case <-time.After(10 * time.Second):
		r.t.Fatal("Run did not return")
		return nil
	}
}

func (r *globRun) dst(name string) *recorder {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dsts[filepath.Join(r.dir, name)]
}

func (r *globRun) wantLines(name string, want ...string) {
	r.t.Helper()
	d := r.dst(name)
	if d == nil {
		r.t.Fatalf("%s: never followed; want %q", name, want)
	}
	wantLines(r.t, d, want...)
}

// wantFiles checks the paths followed, given by base name.
func (r *globRun) wantFiles(names ...string) {
	r.t.Helper()
	var want []string
	for _, n := range names {
		want = append(want, filepath.Join(r.dir, n))
	}
	if got := r.g.Files(); !slices.Equal(got, want) {
		r.t.Fatalf("following %q, want %q", got, want)
	}
}

func (r *globRun) reported() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.errs...)
}

// TestGlobNewFile: files present at start are followed from their end (or
// start, FromStart); a file that appears later is found by the next scan,
// one ReadDir, and read from its start; names not matching are left alone.
func TestGlobNewFile(t *testing.T) {
	for _, fromStart := range []bool{false, true} {
		t.Run(map[bool]string{false: "end", true: "start"}[fromStart], func(t *testing.T) {
			dir := t.TempDir()
			appendFile(t, filepath.Join(dir, "a.log"), "a old\n")
			appendFile(t, filepath.Join(dir, "notes.txt"), "n\n")
			r := newGlobRun(t, dir)
			r.start("*.log", follow.GlobOptions{Options: follow.Options{FromStart: fromStart}})
			r.wantFiles("a.log")
			appendFile(t, filepath.Join(dir, "a.log"), "a new\n")
			r.poll("a.log")
			if fromStart {
				r.wantLines("a.log", "a old", "a new")
			} else {
				r.wantLines("a.log", "a new")
			}

			appendFile(t, filepath.Join(dir, "b.log"), "b 1\nb 2\n")
			reads := r.steps.ReadDirs.Load()
			r.scan()
			if n := r.steps.ReadDirs.Load() - reads; n != 1 {
				t.Errorf("a scan made %d ReadDir calls, want 1", n)
			}
			r.wantFiles("a.log", "b.log")
			r.wantLines("b.log", "b 1", "b 2") // from its start, whatever FromStart
			appendFile(t, filepath.Join(dir, "b.log"), "b 3\n")
			r.poll("b.log")
			r.wantLines("b.log", "b 1", "b 2", "b 3")
			if r.dst("notes.txt") != nil {
				t.Error("notes.txt followed; it does not match *.log")
			}
			if err := r.stop(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestGlobRotation: a file renamed by rotation to a name that still matches
// the pattern (logrotate's app.log.1, dateext's app.log-20250101) is
// finished by the Follower of its old name and never followed as a new
// file; the new file at the old name is followed by that same Follower.
func TestGlobRotation(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("files have no identity here: a rotated name that matches is followed as a new file (see Glob)")
	}
	for _, tc := range []struct{ pattern, rotated string }{
		{"app.log*", "app.log.1"},
		{"app*", "app.log-20250101"},
		{"*.log", "app.log.1"}, // the rotated name does not match
	} {
		t.Run(tc.pattern+"/"+tc.rotated, func(t *testing.T) {
			dir := t.TempDir()
			path, rotated := filepath.Join(dir, "app.log"), filepath.Join(dir, tc.rotated)
			appendFile(t, path, "one\n")
			r := newGlobRun(t, dir)
			r.start(tc.pattern, follow.GlobOptions{Options: follow.Options{FromStart: true}})
			r.wantLines("app.log", "one")

			appendFile(t, path, "two\n")
			if err := os.Rename(path, rotated); err != nil {
				t.Fatal(err)
			}
			appendFile(t, rotated, "three\n") // the writer has not reopened yet
			r.scan()                          // sees the rotated name before the Follower does
			appendFile(t, path, "four\n")
			r.scan()
			for range 3 {
				r.poll("app.log")
				r.scan()
			}
			r.wantFiles("app.log")
			r.wantLines("app.log", "one", "two", "three", "four")
			if r.dst(tc.rotated) != nil {
				t.Errorf("%s followed as a new file", tc.rotated)
			}
			// A second rotation: the first rotated file goes, the second takes its name.
			if err := os.Rename(rotated, rotated+".old"); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(path, rotated); err != nil {
				t.Fatal(err)
			}
			appendFile(t, path, "five\n")
			for range 3 {
				r.scan()
				r.poll("app.log")
			}
			r.wantLines("app.log", "one", "two", "three", "four", "five")
			var followed []string
			for _, p := range r.g.Files() {
				followed = append(followed, filepath.Base(p))
			}
			if !slices.Equal(followed, []string{"app.log"}) {
				t.Errorf("following %q; want app.log only (%s.old matches %q, but is a rotated file too)", followed, tc.rotated, tc.pattern)
			}
			if err := r.stop(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestGlobRemoval: a removed file is read to its end, then its Follower
// ends (the others go on); a new file at the name later is a new file.
func TestGlobRemoval(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")
	appendFile(t, a, "a 1\n")
	appendFile(t, b, "b 1\n")
	state := t.TempDir()
	r := newGlobRun(t, dir)
	r.start("*.log", follow.GlobOptions{Options: follow.Options{FromStart: true}, StateDir: state})
	appendFile(t, a, "a last\n")
	if err := os.Remove(a); err != nil {
		t.Fatal(err)
	}
	r.scan()
	r.wantFiles("a.log", "b.log")
	if !r.poll("a.log") {
		t.Fatal("a.log's Follower ended before reading what was left")
	}
	r.wantLines("a.log", "a 1", "a last")
	if r.poll("a.log") {
		t.Fatal("a.log's Follower still running after its file went and was drained")
	}
	r.wantFiles("b.log")
	if _, err := os.Stat(filepath.Join(state, follow.StateFileName(a))); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("state of the drained a.log: %v; want it removed", err)
	}
	appendFile(t, b, "b 2\n")
	r.poll("b.log")
	r.wantLines("b.log", "b 1", "b 2")

	appendFile(t, a, "a again\n")
	r.scan()
	r.wantFiles("a.log", "b.log")
	r.wantLines("a.log", "a 1", "a last", "a again")
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	if len(r.reported()) != 0 {
		t.Errorf("reported %v; want nothing", r.reported())
	}
}

// TestGlobMaxFiles: files beyond MaxFiles are reported once each, not
// followed; one is followed, from its start, when a place frees up.
func TestGlobMaxFiles(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"a", "b", "c"} {
		appendFile(t, filepath.Join(dir, n+".log"), n+" 1\n")
	}
	r := newGlobRun(t, dir)
	r.start("*.log", follow.GlobOptions{MaxFiles: 2})
	r.wantFiles("a.log", "b.log")
	r.scan()
	r.scan()
	var limits []*follow.LimitError
	for _, err := range r.reported() {
		var le *follow.LimitError
		if errors.As(err, &le) {
			limits = append(limits, le)
		}
	}
	if len(limits) != 1 || limits[0].Path != filepath.Join(dir, "c.log") || limits[0].MaxFiles != 2 {
		t.Fatalf("reported %v; want one LimitError for c.log", r.reported())
	}
	if err := os.Remove(filepath.Join(dir, "a.log")); err != nil {
		t.Fatal(err)
	}
	r.scan()
	if r.poll("a.log") {
		t.Fatal("a.log's Follower still running")
	}
	r.scan()
	r.wantFiles("b.log", "c.log")
	r.wantLines("c.log", "c 1") // from its start: nothing of it was shipped
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
}

// TestGlobCheckpointRestart: with StateDir, each file resumes from its own
// checkpoint after a restart, even one rotated meanwhile to a name that
// matches: no line lost, none repeated.
func TestGlobCheckpointRestart(t *testing.T) {
	dir, state := t.TempDir(), filepath.Join(t.TempDir(), "state") // Run creates it
	a, b := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")
	appendFile(t, a, "a 1\n")
	appendFile(t, b, "b 1\n")
	r := newGlobRun(t, dir)
	opts := follow.GlobOptions{Options: follow.Options{FromStart: true}, StateDir: state}
	r.start("*.log*", opts)
	appendFile(t, a, "a 2\n")
	appendFile(t, b, "b 2\n")
	r.poll("a.log")
	r.poll("b.log")
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{a, b} {
		if _, err := os.Stat(filepath.Join(state, follow.StateFileName(p))); err != nil {
			t.Fatalf("no state for %s: %v", p, err)
		}
	}

	// While stopped: a grows; b grows and is rotated to b.log.1 (matching).
	appendFile(t, a, "a 3\n")
	appendFile(t, b, "b 3\n")
	if err := os.Rename(b, b+".1"); err != nil {
		t.Fatal(err)
	}
	appendFile(t, b, "b 4\n")

	r2 := newGlobRun(t, dir)
	r2.dsts = r.dsts // the same destinations: what they hold must not repeat
	r2.start("*.log*", opts)
	for range 3 {
		r2.poll("a.log")
		r2.poll("b.log")
		r2.scan()
	}
	r2.wantFiles("a.log", "b.log")
	r2.wantLines("a.log", "a 1", "a 2", "a 3")
	r2.wantLines("b.log", "b 1", "b 2", "b 3", "b 4")
	if r2.dst("b.log.1") != nil {
		t.Error("b.log.1, rotated while stopped, followed as a new file")
	}
	if err := r2.stop(); err != nil {
		t.Fatal(err)
	}
	if gaps := r2.reported(); len(gaps) != 0 {
		t.Errorf("reported %v; want nothing", gaps)
	}
}

// TestGlobFailingFile: a destination that cannot be made, or refuses a
// Write, stops its file only; Run returns the Follower's error.
func TestGlobFailingFile(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log"), filepath.Join(dir, "c.log")
	for _, p := range []string{a, b, c} {
		appendFile(t, p, filepath.Base(p)+" 1\n")
	}
	r := newGlobRun(t, dir)
	errNoStream := errors.New("no such stream")
	errRefused := errors.New("refused")
	r.bad[c] = errNoStream
	r.dsts[a] = &recorder{writeErr: errRefused}
	r.start("*.log", follow.GlobOptions{Options: follow.Options{FromStart: true}})
	r.wantFiles("b.log")
	r.scan()
	r.scan()
	appendFile(t, b, "b 2\n")
	r.poll("b.log")
	r.wantLines("b.log", "b.log 1", "b 2")
	if n := r.made[c]; n != 1 {
		t.Errorf("newDst called %d times for c.log; want once (not again while it matches)", n)
	}
	var de, we *follow.Error
	for _, err := range r.reported() {
		var e *follow.Error
		if errors.As(err, &e) && e.Op == "destination" && e.Path == c && errors.Is(err, errNoStream) {
			de = e
		}
		if errors.As(err, &e) && e.Op == "write" && e.Path == a && errors.Is(err, errRefused) {
			we = e
		}
	}
	if de == nil || we == nil {
		t.Fatalf("reported %v; want c.log's destination error and a.log's write error", r.reported())
	}
	err := r.stop()
	var e *follow.Error
	if !errors.As(err, &e) || e.Path != a || !errors.Is(err, errRefused) {
		t.Fatalf("Run: %v; want a.log's write error", err)
	}
}

// TestNewGlobErrors: bad arguments name the field and the value.
func TestNewGlobErrors(t *testing.T) {
	dst := func(string) (follow.Destination, error) { return &recorder{}, nil }
	for _, tc := range []struct {
		pattern string
		opts    follow.GlobOptions
		field   string
	}{
		{"", follow.GlobOptions{}, "pattern"},
		{"/var/log/", follow.GlobOptions{}, "pattern"},
		{"/var/*/app.log", follow.GlobOptions{}, "pattern"},
		{"/var/log/[a", follow.GlobOptions{}, "pattern"},
		{"/var/log/*.log", follow.GlobOptions{Options: follow.Options{StateFile: "x"}}, "GlobOptions.StateFile"},
		{"/var/log/*.log", follow.GlobOptions{ScanInterval: -1}, "GlobOptions.ScanInterval"},
		{"/var/log/*.log", follow.GlobOptions{MaxFiles: -1}, "GlobOptions.MaxFiles"},
		{"/var/log/*.log", follow.GlobOptions{Options: follow.Options{PollInterval: -1}}, "Options.PollInterval"},
	} {
		_, err := follow.NewGlob(tc.pattern, dst, &tc.opts)
		var oe *follow.OptionError
		if !errors.As(err, &oe) || oe.Field != tc.field {
			t.Errorf("NewGlob(%q, %+v): %v; want an OptionError of %s", tc.pattern, tc.opts, err, tc.field)
		}
	}
	if _, err := follow.NewGlob("*.log", nil, nil); err == nil {
		t.Error("NewGlob with a nil newDst: no error")
	}
}
