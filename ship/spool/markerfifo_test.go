//go:build linux || darwin

package spool

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"
)

// TestOpenMarkerNotAFile: a FIFO named like a segment's end marker neither
// blocks Open nor stops delivery: it counts as a marker of unknown size
// (the segment's end is read again, and found). (Open opened it to read
// the size, and waited forever for a writer.)
func TestOpenMarkerNotAFile(t *testing.T) {
	dir := t.TempDir()
	all := msgs("r", 10)
	o := damageOpts()
	leaveOnDisk(t, dir, o, all, 3)
	fifo := filepath.Join(dir, segName(0)+endSuffix)
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	d := &memDst{}
	type opened struct {
		s   *Spool
		err error
	}
	done := make(chan opened, 1)
	go func() {
		s, err := Open(dir, d, o)
		done <- opened{s, err}
	}()
	var r opened
	select {
	case r = <-done:
	case <-time.After(5 * time.Second):
		// Release the Open blocked on the FIFO before the test ends.
		if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
		if r := <-done; r.s != nil {
			r.s.Close(context.Background())
		}
		t.Fatal("Open blocked on a FIFO named like an end marker")
	}
	if r.err != nil {
		t.Fatalf("Open = %v", r.err)
	}
	if err := r.s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	closeOK(t, r.s)
	if got := d.got(); !slices.Equal(got, all[3:]) {
		t.Fatalf("delivered %q, want %q", got, all[3:])
	}
}
