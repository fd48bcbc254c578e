package follow_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/ship/follow"
)

// makeTemps creates the files names in dir, those marked old with a modification
// time two minutes ago.
func makeTemps(t *testing.T, dir string, names map[string]bool) {
	t.Helper()
	old := time.Now().Add(-2 * time.Minute)
	for name, isOld := range names {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(`{"version":1`), 0o644); err != nil {
			t.Fatal(err)
		}
		if isOld {
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// wantPresent checks which of the files in dir are there.
func wantPresent(t *testing.T, dir string, want map[string]bool) {
	t.Helper()
	for name, present := range want {
		if _, err := os.Stat(filepath.Join(dir, name)); (err == nil) != present {
			t.Errorf("%s: %v; want present: %v", name, err, present)
		}
	}
}

// TestStaleTempStateRemoved: the temporary state files that a crash left (written,
// never renamed over the state file) are removed when a Follower of that state file,
// or a Glob of that StateDir, starts; a fresh one (a write in progress, another
// Follower's) and files that are not such temporary files are left. They stayed for
// ever.
func TestStaleTempStateRemoved(t *testing.T) {
	t.Run("Follower", func(t *testing.T) {
		dir := t.TempDir()
		state := filepath.Join(dir, "app.state")
		makeTemps(t, dir, map[string]bool{"app.state.tmp123": true, "app.state.tmp456": false,
			"app.state.tmp-keep": true, "app.state.tmp": true, "other.state.tmp789": true})
		path := logPath(t)
		appendFile(t, path, "a\n")
		r := start(t, path, &recorder{}, follow.Options{StateFile: state})
		wantPresent(t, dir, map[string]bool{"app.state.tmp123": false, "app.state.tmp456": true,
			"app.state.tmp-keep": true, "app.state.tmp": true, "other.state.tmp789": true, "app.state": true})
		if err := r.stop(); err != nil {
			t.Fatal(err)
		}
		if errs := r.reported(); len(errs) != 0 {
			t.Errorf("reported %v", errs)
		}
	})
	t.Run("Glob", func(t *testing.T) {
		dir, stateDir := t.TempDir(), t.TempDir()
		appendFile(t, filepath.Join(dir, "a.log"), "a\n")
		st := follow.StateFileName(filepath.Join(dir, "a.log"))
		gone := follow.StateFileName(filepath.Join(dir, "gone.log"))
		makeTemps(t, stateDir, map[string]bool{st + ".tmp111": true, st + ".tmp222": false, gone + ".tmp333": true,
			"notes.tmp444": true, "x.state.tmpfile": true})
		r := newGlobRun(t, dir)
		r.start("*.log", follow.GlobOptions{StateDir: stateDir})
		wantPresent(t, stateDir, map[string]bool{st + ".tmp111": false, st + ".tmp222": true, gone + ".tmp333": false,
			"notes.tmp444": true, "x.state.tmpfile": true, st: true})
		if err := r.stop(); err != nil {
			t.Fatal(err)
		}
		if errs := r.reported(); len(errs) != 0 {
			t.Errorf("reported %v", errs)
		}
	})
}
