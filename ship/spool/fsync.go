package spool

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/cwlogs/cwlogs/internal/atomicfile"
)

// syncDir syncs a directory so that the creation, renaming or removal of
// its files lasts (best effort); a variable for tests.
var syncDir = atomicfile.SyncDir

// syncFile syncs the file at path, a segment closed without a sync; a
// variable for tests.
var syncFile = func(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// mkdirAll creates dir and its missing parents, like os.MkdirAll, and,
// when sync, syncs the parent of each directory it created so that the
// new entries last.
func mkdirAll(dir string, sync bool) error {
	var created []string // the missing directories, deepest first
	for d := filepath.Clean(dir); ; {
		if _, err := os.Stat(d); !errors.Is(err, os.ErrNotExist) {
			break
		}
		created = append(created, d)
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if sync {
		for i := len(created) - 1; i >= 0; i-- {
			syncDir(filepath.Dir(created[i]))
		}
	}
	return nil
}
