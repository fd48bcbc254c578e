package localserver

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestWriteObjectSyncs: writeObject (an export's aws-logs-write-test, a scheduled query's
// results) fsyncs the object before renaming it into place, then the directory holding it
// and the parent of every directory it created, so that the object survives a power loss.
func TestWriteObjectSyncs(t *testing.T) {
	type event struct {
		path        string
		dir         bool
		finalExists bool
	}
	tests := []struct {
		name     string
		existing []string // directories made beforehand, beneath the bucket
		key      string
		wantDirs []string // directories synced, in order (slash-separated, relative to the root)
	}{
		{"in the bucket", nil, "a.json", []string{"b"}},
		{"in an existing prefix", []string{"p/q"}, "p/q/a.json", []string{"b/p/q"}},
		{"in new directories", nil, "p/q/a.json", []string{"b/p/q", "b/p", "b"}},
		{"partly new", []string{"p"}, "p/q/r/a.json", []string{"b/p/q/r", "b/p/q", "b/p"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, d := range append([]string{""}, tt.existing...) {
				if err := os.MkdirAll(filepath.Join(dir, "b", filepath.FromSlash(d)), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			root, err := os.OpenRoot(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer root.Close()
			final := filepath.Join(dir, "b", filepath.FromSlash(tt.key))
			var events []event
			hook := func(path string, isDir bool) {
				_, err := os.Stat(final)
				events = append(events, event{filepath.ToSlash(path), isDir, err == nil})
				// A directory is synced with placement held by this writer: another
				// cannot find a directory made here and not yet synced into its parent,
				// and think it on disk.
				if isDir && placeMu.TryLock() {
					placeMu.Unlock()
					t.Errorf("%s synced without placeMu held", path)
				}
			}
			syncHook.Store(&hook)
			defer syncHook.Store(nil)

			tmpDir := taskTmpDir("run1")
			if err := writeObject(root, tmpDir, "b", tt.key, []byte(`{"x":1}`)); err != nil {
				t.Fatal(err)
			}
			if got, err := os.ReadFile(final); err != nil || string(got) != `{"x":1}` {
				t.Fatalf("object = %q, %v", got, err)
			}
			if len(events) == 0 || events[0].dir || events[0].finalExists ||
				!strings.HasPrefix(events[0].path, filepath.ToSlash(tmpDir)+"/") {
				t.Fatalf("first sync %+v, want the temporary file's under %s before the rename", events, tmpDir)
			}
			var dirs []string
			for _, e := range events[1:] {
				if !e.dir || !e.finalExists {
					t.Errorf("sync %+v after the file's: want a directory's, after the rename", e)
				}
				dirs = append(dirs, e.path)
			}
			if !slices.Equal(dirs, tt.wantDirs) {
				t.Errorf("directories synced %q, want %q", dirs, tt.wantDirs)
			}
		})
	}
}

// TestObjectWriterSyncs: an export's data objects are as durable as writeObject's: the
// file is synced before its rename, then its directory and the parents of the directories
// made for it.
func TestObjectWriterSyncs(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	final := filepath.Join("b", "exportedlogs", "t1", "s", "000000.gz")
	var synced []string
	hook := func(path string, isDir bool) {
		_, err := root.Lstat(final)
		synced = append(synced, fmt.Sprintf("%s dir=%v placed=%v", filepath.ToSlash(path), isDir, err == nil))
	}
	syncHook.Store(&hook)
	defer syncHook.Store(nil)

	w := &objectWriter{dir: taskTmpDir("t1")}
	if err := w.open(root, final); err != nil {
		t.Fatal(err)
	}
	if err := w.write([]byte("2026-11-27T00:00:00.000Z hello\n")); err != nil {
		t.Fatal(err)
	}
	if err := w.commit(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		filepath.ToSlash(w.tmp) + " dir=false placed=false",
		"b/exportedlogs/t1/s dir=true placed=true",
		"b/exportedlogs/t1 dir=true placed=true",
		"b/exportedlogs dir=true placed=true",
		"b dir=true placed=true",
	}
	if !slices.Equal(synced, want) {
		t.Errorf("synced:\n%q\nwant\n%q", synced, want)
	}
}
