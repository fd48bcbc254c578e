package follow_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/cwlogs/cwlogs/ship/follow"
)

// TestGlobChurn: files that come and go (200 create, scan, remove, drain
// cycles, with state files) leave no Follower, descriptor, state file or
// claim behind: the last new file is still followed, and MaxFiles (2) is
// never reached by the ended ones.
func TestGlobChurn(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("descriptors are counted in /proc/self/fd")
	}
	dir, state := t.TempDir(), t.TempDir()
	r := newGlobRun(t, dir)
	r.start("*.log", follow.GlobOptions{MaxFiles: 2, StateDir: state})
	for i := range 200 {
		name := fmt.Sprintf("f%d.log", i%7) // names come back too
		path := filepath.Join(dir, name)
		appendFile(t, path, fmt.Sprintf("%d\n", i))
		r.scan()
		r.wantFiles(name)
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		r.scan()
		for r.poll(name) {
		}
		if fds := openFilesUnder(t, dir); len(fds) != 0 {
			t.Fatalf("cycle %d: open: %q", i, fds)
		}
	}
	r.wantFiles()
	if ents, _ := os.ReadDir(state); len(ents) != 0 {
		t.Errorf("%d state files left, want none", len(ents))
	}
	appendFile(t, filepath.Join(dir, "last.log"), "last\n")
	r.scan()
	r.wantLines("last.log", "last")
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	for _, err := range r.reported() {
		t.Errorf("reported %v", err)
	}
}
