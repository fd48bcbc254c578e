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

// TestOpenFIFO: a FIFO in the place of a file that Open reads neither
// blocks Open nor stops delivery. One named like a segment's end marker
// counts as a marker of unknown size (the segment's end is read again, and
// found); one named like the checkpoint is a damaged checkpoint (delivery
// starts from the first segment). (Open opened it to read it, and waited
// forever for a writer.)
func TestOpenFIFO(t *testing.T) {
	all := msgs("r", 10)
	for _, tc := range []struct {
		name string
		want []string // delivered after the reopen
	}{
		{segName(0) + endSuffix, all[3:]},
		{CheckpointFile, all},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			o := damageOpts()
			leaveOnDisk(t, dir, o, all, 3)
			fifo := filepath.Join(dir, tc.name)
			os.Remove(fifo)
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
				t.Fatalf("Open blocked on a FIFO named %s", tc.name)
			}
			if r.err != nil {
				t.Fatalf("Open = %v", r.err)
			}
			if err := r.s.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			closeOK(t, r.s)
			if got := d.got(); !slices.Equal(got, tc.want) {
				t.Fatalf("delivered %q, want %q", got, tc.want)
			}
		})
	}
}
