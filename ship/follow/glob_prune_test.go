package follow_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/cwlogs/cwlogs/ship/follow"
)

// TestGlobPrunesStates: after its first scan, a Glob removes the state files of its
// files deleted while it was stopped (neither at their path nor, by identity, in the
// directory under another name), reporting that their last lines may be lost; it keeps
// those of files still there, of a file rotated while stopped (finished once a file
// appears at its path again), and of files that are not its own (another pattern,
// another directory). They stayed for ever.
func TestGlobPrunesStates(t *testing.T) {
	dir, other, stateDir := t.TempDir(), t.TempDir(), t.TempDir()
	path := func(name string) string { return filepath.Join(dir, name) }
	statePath := func(p string) string { return filepath.Join(stateDir, follow.StateFileName(p)) }
	for _, n := range []string{"deleted.log", "rotated.log", "kept.log", "other.txt"} {
		appendFile(t, path(n), n+" 1\n")
	}
	elsewhere := filepath.Join(other, "elsewhere.log")
	appendFile(t, elsewhere, "x\n")
	for _, run := range []struct{ dir, pattern string }{{dir, "*.log"}, {dir, "*.txt"}, {other, "*.log"}} {
		r := newGlobRun(t, run.dir)
		r.start(run.pattern, follow.GlobOptions{Options: follow.Options{FromStart: true}, StateDir: stateDir})
		if err := r.stop(); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{path("deleted.log"), path("rotated.log"), path("kept.log"), path("other.txt"), elsewhere} {
		if _, err := os.Stat(statePath(p)); err != nil {
			t.Fatalf("no state for %s after the first runs: %v", p, err)
		}
	}
	// While stopped: deleted.log, other.txt and elsewhere.log are deleted; rotated.log is
	// rotated to a name the pattern does not match, no new file created yet.
	for _, p := range []string{path("deleted.log"), path("other.txt"), elsewhere} {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	appendFile(t, path("rotated.log"), "rotated.log 2\n")
	if err := os.Rename(path("rotated.log"), path("rotated.log.1")); err != nil {
		t.Fatal(err)
	}

	r := newGlobRun(t, dir)
	r.start("*.log", follow.GlobOptions{StateDir: stateDir})
	r.wantFiles("kept.log")
	for p, want := range map[string]bool{path("deleted.log"): false, path("rotated.log"): true, path("kept.log"): true,
		path("other.txt"): true, elsewhere: true} {
		if _, err := os.Stat(statePath(p)); errors.Is(err, os.ErrNotExist) == want {
			t.Errorf("state of %s: %v; want it kept: %v", filepath.Base(p), err, want)
		}
	}
	var gaps []*follow.GapError
	for _, err := range r.reported() {
		var g *follow.GapError
		if !errors.As(err, &g) {
			t.Errorf("reported %v", err)
			continue
		}
		gaps = append(gaps, g)
	}
	if len(gaps) != 1 || gaps[0].Path != path("deleted.log") || gaps[0].Reason != follow.GapRemovedWhileStopped ||
		gaps[0].Offset != int64(len("deleted.log 1\n")) {
		t.Errorf("gaps %v, want one of deleted.log, removed while stopped, after its checkpoint", gaps)
	}
	// The rotated file is finished once a file appears at its path again.
	appendFile(t, path("rotated.log"), "new\n")
	r.scan()
	r.poll("rotated.log")
	r.poll("rotated.log")
	r.wantLines("rotated.log", "rotated.log 2", "new")
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
}
