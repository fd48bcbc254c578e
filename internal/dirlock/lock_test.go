//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows

package dirlock

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestLock: a second Lock of a held file fails with ErrLocked, without
// waiting, until the first holder closes its file; the file is created
// with perm.
func TestLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	f, err := Lock(path, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || (os.PathSeparator == '/' && fi.Mode().Perm() != 0o600) {
		t.Fatalf("lock file: %v, %v", fi.Mode(), err)
	}
	if g, err := Lock(path, 0o600); !errors.Is(err, ErrLocked) {
		if g != nil {
			g.Close()
		}
		t.Fatalf("second Lock = %v, want ErrLocked", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	g, err := Lock(path, 0o600)
	if err != nil {
		t.Fatalf("Lock after the first was released: %v", err)
	}
	g.Close()
}

// TestLockMissingDirectory: an error other than a held lock is returned
// as it is.
func TestLockMissingDirectory(t *testing.T) {
	_, err := Lock(filepath.Join(t.TempDir(), "no", "lock"), 0o600)
	if err == nil || errors.Is(err, ErrLocked) || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Lock in a missing directory = %v, want a not-exist error", err)
	}
}
