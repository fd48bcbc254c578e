//go:build unix

// Inode reuse needs identities (device and inode): unix only.

package follow_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/cwlogs/cwlogs/ship/follow"
)

func inode(t *testing.T, name string) uint64 {
	t.Helper()
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	return uint64(fi.Sys().(*syscall.Stat_t).Ino)
}

// createReusing deletes old and creates name (writing s) so that it gets
// old's inode, as ext4 and tmpfs do at once; it skips the test when the file
// system does not reuse it.
func createReusing(t *testing.T, old, name, s string) {
	t.Helper()
	ino := inode(t, old)
	if err := os.Remove(old); err != nil {
		t.Fatal(err)
	}
	appendFile(t, name, s)
	if inode(t, name) != ino {
		t.Skipf("this file system did not reuse the inode of %s for %s", old, name)
	}
}

// TestGlobInodeReuse: a new file given the inode of a deleted file a
// Follower had opened is a new file, followed from its start, whether the
// deleted file was a rotated one (no longer open) or a followed one.
func TestGlobInodeReuse(t *testing.T) {
	t.Run("rotated", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "app.log")
		appendFile(t, path, "one\n")
		r := newGlobRun(t, dir)
		r.start("app*", follow.GlobOptions{Options: follow.Options{FromStart: true}})
		if err := os.Rename(path, path+".1"); err != nil {
			t.Fatal(err)
		}
		appendFile(t, path, "two\n")
		r.scan()
		r.poll("app.log") // finishes app.log.1, switches to the new app.log
		r.scan()          // app.log.1: a rotated file, no longer open
		r.wantFiles("app.log")
		createReusing(t, path+".1", filepath.Join(dir, "app-new.log"), "fresh\n")
		r.scan()
		r.wantFiles("app-new.log", "app.log")
		r.wantLines("app-new.log", "fresh")
		r.wantLines("app.log", "one", "two")
		if err := r.stop(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("followed", func(t *testing.T) {
		dir := t.TempDir()
		a := filepath.Join(dir, "a.log")
		appendFile(t, a, "a\n")
		r := newGlobRun(t, dir)
		r.start("*.log", follow.GlobOptions{Options: follow.Options{FromStart: true}})
		ino := inode(t, a)
		if err := os.Remove(a); err != nil {
			t.Fatal(err)
		}
		r.scan()
		for r.poll("a.log") {
		}
		b := filepath.Join(dir, "b.log")
		appendFile(t, b, "b\n")
		if inode(t, b) != ino {
			t.Skip("this file system did not reuse the inode of a.log")
		}
		r.scan()
		r.wantFiles("b.log")
		r.wantLines("b.log", "b")
		if err := r.stop(); err != nil {
			t.Fatal(err)
		}
	})
}
