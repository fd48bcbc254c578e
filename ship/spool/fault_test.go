package spool

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"
)

// fullDisk is a segment file on a file system that fills up: once full,
// a write stores part of its bytes and fails with ENOSPC.
type fullDisk struct {
	segFile
	full bool
}

func (f *fullDisk) WriteAt(p []byte, off int64) (int, error) {
	if !f.full {
		return f.segFile.WriteAt(p, off)
	}
	n, err := f.segFile.WriteAt(p[:len(p)/2], off)
	if err == nil {
		err = &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
	}
	return n, err
}

// TestFullFileSystem: a write that fails part-way (a full file system) is
// refused with an *Error wrapping the system's error and counted; the
// segment is cut back to its last whole record, so the records written
// before and after are all delivered, and nothing is cut at the next Open.
func TestFullFileSystem(t *testing.T) {
	dir := t.TempDir()
	d := &memDst{block: make(chan struct{})}
	s := mustOpen(t, dir, d, damageOpts())
	logAll(t, s, msgs("before", 3))
	s.mu.Lock()
	fd := &fullDisk{segFile: s.f, full: true}
	s.f = fd
	s.mu.Unlock()
	err := s.Log(time.UnixMilli(1), "refused")
	var e *Error
	if !errors.As(err, &e) || e.Op != "write" || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Log on a full file system = %v, want an *Error wrapping ENOSPC", err)
	}
	fi, _ := os.Stat(filepath.Join(dir, segName(0)))
	if want := int64(segHeaderSize + 3*recordSize("before-0000")); fi.Size() != want {
		t.Fatalf("segment of %d bytes after the failed write, want %d", fi.Size(), want)
	}
	s.mu.Lock()
	fd.full = false
	s.mu.Unlock()
	logAll(t, s, msgs("after", 2))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	s.Close(ctx)
	st := s.Stats()
	if st.Dropped.WriteError != 1 || st.Accepted != 5 || !errors.Is(st.LastError, syscall.ENOSPC) {
		t.Fatalf("%+v", st)
	}
	checkIdentities(t, st)

	d2 := &memDst{}
	s2 := mustOpen(t, dir, d2, damageOpts())
	closeOK(t, s2)
	if got, want := d2.got(), append(msgs("before", 3), msgs("after", 2)...); !slices.Equal(got, want) {
		t.Fatalf("delivered %q", got)
	}
	if st := s2.Stats(); st.TornBytes != 0 || st.Dropped.Corrupt != 0 {
		t.Fatalf("%+v", st)
	}
}

// failingSync is a segment file whose Sync fails (an I/O error).
type failingSync struct{ segFile }

func (failingSync) Sync() error { return syscall.EIO }

// TestSyncFailure: with SyncAlways, a failed sync makes Log return an
// *Error with Op "sync": the record was written (and is delivered), but may
// not survive a power loss.
func TestSyncFailure(t *testing.T) {
	d := &memDst{}
	o := fastOpts()
	o.Sync = SyncAlways
	s := mustOpen(t, t.TempDir(), d, o)
	logAll(t, s, []string{"first"})
	s.mu.Lock()
	s.f = failingSync{s.f}
	s.mu.Unlock()
	err := s.Log(time.UnixMilli(1), "unsynced")
	var e *Error
	if !errors.As(err, &e) || e.Op != "sync" || !errors.Is(err, syscall.EIO) {
		t.Fatalf("Log = %v, want an *Error with Op sync", err)
	}
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := d.got(); !slices.Equal(got, []string{"first", "unsynced"}) {
		t.Fatalf("delivered %q", got)
	}
	s.Close(context.Background())
}
