package ship

import (
	"bytes"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"
)

// The buffer bound (MaxBufferBytes) must bound memory: what is buffered must not keep
// alive the memory of what was not. A review of ship on small gateways found three ways
// it did. These tests fail without their fixes.

// TestSplitPartsDoNotPinTheMessage: the parts of a message split at MaxMessageBytes are
// copies; as substrings they kept the whole message alive while any part was buffered.
func TestSplitPartsDoNotPinTheMessage(t *testing.T) {
	o := fastOpts()
	o.MaxMessageBytes = 1024
	s := mustNew(t, newFake(t), o)
	var freed atomic.Bool
	func() {
		msg := strings.Repeat("x", 64<<10) + "tail" // heap-allocated, 64 parts and a bit
		runtime.AddCleanup(unsafe.StringData(msg), func(*atomic.Bool) { freed.Store(true) }, &freed)
		if err := s.Log(time.Now(), msg); err != nil {
			t.Fatal(err)
		}
	}()
	s.mu.Lock()
	parts := len(s.cur.events)
	s.mu.Unlock()
	if parts != 65 {
		t.Fatalf("%d parts buffered, want 65", parts)
	}
	for i := 0; !freed.Load(); i++ {
		if i == 100 {
			t.Fatal("the message is still alive while its parts are buffered")
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	runtime.KeepAlive(s)
}

// TestManyLinesOfOneWriteAreSeparate: past sharedLinesMax, the lines of one Write get an
// allocation each, so that those kept do not pin those dropped. Lines of one shared
// allocation lie one after the other, a newline apart.
func TestManyLinesOfOneWriteAreSeparate(t *testing.T) {
	for _, tc := range []struct {
		lines  int
		shared bool
	}{{10, true}, {1300, false}} { // 1,300 lines of 101 bytes: over sharedLinesMax
		o := fastOpts()
		o.MaxBatchEvents = tc.lines + 1 // all in the batch being built
		s := mustNew(t, newFake(t), o)
		line := bytes.Repeat([]byte("y"), 100)
		var p []byte
		for range tc.lines {
			p = append(append(p, line...), '\n')
		}
		if _, err := s.Write(p); err != nil {
			t.Fatal(err)
		}
		s.mu.Lock()
		evs := s.cur.events
		adjacent := 0
		for i := 1; i < len(evs); i++ {
			if uintptr(unsafe.Pointer(unsafe.StringData(evs[i].Message))) == uintptr(unsafe.Pointer(unsafe.StringData(evs[i-1].Message)))+101 {
				adjacent++
			}
		}
		n := len(evs)
		s.mu.Unlock()
		if n != tc.lines {
			t.Fatalf("%d lines buffered, want %d", n, tc.lines)
		}
		if got := adjacent == n-1; got != tc.shared {
			t.Errorf("%d lines (%d bytes): %d of %d lines next to the previous one; shared allocation %v, want %v",
				n, len(p), adjacent, n-1, got, tc.shared)
		}
	}
}

// TestPartialBufferShrinks: an unfinished line that one huge Write grew is not held at
// that size for the shipper's life.
func TestPartialBufferShrinks(t *testing.T) {
	o := fastOpts()
	o.MaxMessageBytes = 1024
	s := mustNew(t, newFake(t), o)
	if _, err := s.Write(bytes.Repeat([]byte("z"), 4<<20)); err != nil { // no newline
		t.Fatal(err)
	}
	if err := s.Flush(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if c := partialCap(t, s); c > 2*(1024+4) {
		t.Errorf("the partial line keeps %d bytes of capacity after a 4 MiB Write", c)
	}
}

// TestPartialBufferShrinksWhenLineEnds: the same when a Write continues an unfinished line
// with a huge one and ends it.
func TestPartialBufferShrinksWhenLineEnds(t *testing.T) {
	o := fastOpts()
	o.MaxMessageBytes = 1024
	s := mustNew(t, newFake(t), o)
	if _, err := s.Write([]byte("start")); err != nil {
		t.Fatal(err)
	}
	big := append(bytes.Repeat([]byte("z"), 4<<20), '\n')
	if _, err := s.Write(big); err != nil { // ends the unfinished line with 4 MiB more
		t.Fatal(err)
	}
	if c := partialCap(t, s); c > 2*(1024+4) {
		t.Errorf("the partial line keeps %d bytes of capacity after the line ended", c)
	}
}

// partialCap is the capacity of s's unfinished-line buffer, read under its lock.
func partialCap(t *testing.T, s *Shipper) int {
	t.Helper()
	if err := s.wmu.lock(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	defer s.wmu.unlock()
	return cap(s.partial)
}
