package spool

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// checkIdentities checks the two identities of Stats.
func checkIdentities(t testing.TB, st Stats) {
	t.Helper()
	d := st.Dropped
	if st.Offered != st.Accepted+d.Empty+d.TooLarge+d.Full+d.Closed+d.WriteError {
		t.Errorf("Offered %d != Accepted %d + refused %+v", st.Offered, st.Accepted, d)
	}
	if st.Recovered+st.Accepted != st.Delivered+d.Oldest+d.Corrupt+d.Refused+d.ReplayLimit+st.Pending {
		t.Errorf("Recovered %d + Accepted %d != Delivered %d + dropped %+v + Pending %d", st.Recovered, st.Accepted, st.Delivered, d, st.Pending)
	}
}

// TestDeliversInOrderAcrossReopen: records go to the destination in order,
// each once; a reopened spool continues where the first stopped, and a
// clean Close leaves no segment behind.
func TestDeliversInOrderAcrossReopen(t *testing.T) {
	dir := t.TempDir()
	d := &memDst{}
	o := fastOpts()
	o.SegmentBytes = MinSegmentBytes
	o.MaxBytes = 1 << 20
	o.MaxMessageBytes = 100
	s := mustOpen(t, dir, d, o)
	first := msgs("first", 500) // ~38 bytes a record: several segments
	logAll(t, s, first)
	closeOK(t, s)
	st := s.Stats()
	if st.Delivered != 500 || st.Pending != 0 || st.Segments != 0 || st.DiskBytes != 0 {
		t.Fatalf("after Close: %+v", st)
	}
	checkIdentities(t, st)
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{CheckpointFile, LockFile}) {
		t.Fatalf("directory holds %q", names)
	}

	s = mustOpen(t, dir, d, o)
	second := msgs("second", 300)
	logAll(t, s, second)
	closeOK(t, s)
	if got, want := d.got(), append(first, second...); !slices.Equal(got, want) {
		t.Fatalf("delivered %d records, want %d in order", len(got), len(want))
	}
	// The sequence numbers went on from the first spool's.
	ck, ok, err := readCheckpoint(dir)
	if err != nil || !ok || ck.Seq != 800 {
		t.Fatalf("checkpoint %+v %v %v, want seq 800", ck, ok, err)
	}
}

func TestLogRefusals(t *testing.T) {
	s := mustOpen(t, t.TempDir(), &memDst{}, &Options{MaxMessageBytes: 10})
	for _, tc := range []struct {
		msg  string
		want error
	}{
		{"", ErrEmpty},
		{"12345678901", ErrTooLarge},
		{"1234567890", nil},
	} {
		if err := s.Log(time.Time{}, tc.msg); err != tc.want {
			t.Errorf("Log(%q) = %v, want %v", tc.msg, err, tc.want)
		}
	}
	err := s.Close(context.Background())
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Pending != 0 || ce.Stats.Dropped.Total() != 2 {
		t.Fatalf("Close = %v, want a *CloseError counting the 2 refused", err)
	}
	if err := s.Log(time.Now(), "late"); err != ErrClosed {
		t.Errorf("Log after Close = %v, want ErrClosed", err)
	}
	st := s.Stats()
	if st.Offered != 4 || st.Accepted != 1 || st.Dropped.Empty != 1 || st.Dropped.TooLarge != 1 || st.Dropped.Closed != 1 {
		t.Fatalf("%+v", st)
	}
	checkIdentities(t, st)
}

// TestZeroTimeIsNow: a zero time is stamped with Options.Now.
func TestZeroTimeIsNow(t *testing.T) {
	at := time.Date(2030, 1, 2, 3, 4, 5, 6e6, time.UTC)
	d := &memDst{}
	o := fastOpts()
	o.Now = func() time.Time { return at }
	s := mustOpen(t, t.TempDir(), d, o)
	if err := s.Log(time.Time{}, "now"); err != nil {
		t.Fatal(err)
	}
	other := at.Add(-time.Hour)
	if err := s.Log(other, "earlier"); err != nil {
		t.Fatal(err)
	}
	closeOK(t, s)
	if len(d.times) != 2 || !d.times[0].Equal(at) || !d.times[1].Equal(other) {
		t.Fatalf("times %v", d.times)
	}
}

func TestSecondOpenIsLocked(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, &memDst{}, nil)
	_, err := Open(dir, &memDst{}, nil)
	var e *Error
	if !errors.Is(err, ErrLocked) || !errors.As(err, &e) || e.Path != dir {
		t.Fatalf("second Open: %v, want an *Error for %s wrapping ErrLocked", err, dir)
	}
	if !strings.Contains(err.Error(), "in use") {
		t.Errorf("unclear message: %v", err)
	}
	closeOK(t, s)
	s2, err := Open(dir, &memDst{}, nil)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	closeOK(t, s2)
}

// TestWrite: lines become records; an unfinished line waits for its newline
// or Flush; long lines are cut between UTF-8 characters.
func TestWrite(t *testing.T) {
	d := &memDst{}
	o := fastOpts()
	o.MaxMessageBytes = 8
	s := mustOpen(t, t.TempDir(), d, o)
	for _, p := range []string{"one\ntw", "o\r\n\nthree", "\n", "ééééé\n", "0123456789abc\n", "tail"} {
		if n, err := s.Write([]byte(p)); n != len(p) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", p, n, err)
		}
	}
	ctx := context.Background()
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	want := []string{"one", "two", "three", "éééé", "é", "01234567", "89abc", "tail"}
	if got := d.got(); !slices.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	closeOK(t, s)
	if n, err := s.Write([]byte("a\nb\nc")); n != 0 || err != ErrClosed {
		t.Fatalf("Write after Close = %d, %v", n, err)
	}
	st := s.Stats()
	if st.Dropped.Closed != 3 {
		t.Fatalf("Closed %d, want 3 (two lines and the unfinished one)", st.Dropped.Closed)
	}
	checkIdentities(t, st)
}

// TestCloseWritesUnfinishedLine: Close writes Write's unfinished line.
func TestCloseWritesUnfinishedLine(t *testing.T) {
	d := &memDst{}
	s := mustOpen(t, t.TempDir(), d, fastOpts())
	s.Write([]byte("whole\nunfinished"))
	closeOK(t, s)
	if got := d.got(); !slices.Equal(got, []string{"whole", "unfinished"}) {
		t.Fatalf("got %q", got)
	}
}

// TestFlushWaitsForDelivery: Flush returns once the records before it were
// delivered, without waiting for FlushInterval.
func TestFlushWaitsForDelivery(t *testing.T) {
	d := &memDst{}
	o := fastOpts()
	o.FlushInterval = time.Hour
	s := mustOpen(t, t.TempDir(), d, o)
	defer closeOK(t, s)
	want := msgs("f", 20)
	logAll(t, s, want)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := d.got(); !slices.Equal(got, want) {
		t.Fatalf("after Flush: %q", got)
	}
	if st := s.Stats(); st.Delivered != 20 || st.Pending != 0 || st.Checkpoints == 0 {
		t.Fatalf("%+v", st)
	}
	// Nothing new: Flush returns at once.
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestFlushContext: a Flush whose records cannot be delivered returns
// ctx's error; Close then counts them as left on disk.
func TestFlushContext(t *testing.T) {
	d := &memDst{failFlush: func(int) error { return errFlush }}
	s := mustOpen(t, t.TempDir(), d, fastOpts())
	logAll(t, s, msgs("x", 3))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.Flush(ctx); err != context.DeadlineExceeded {
		t.Fatalf("Flush = %v, want DeadlineExceeded", err)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	err := s.Close(ctx2)
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Pending != 3 || ce.DiskBytes == 0 || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close = %v, want a *CloseError with 3 pending", err)
	}
	checkIdentities(t, ce.Stats)
}

// TestConcurrentLog: concurrent writers, every record delivered once.
func TestConcurrentLog(t *testing.T) {
	for _, policy := range []SyncPolicy{SyncPeriodic, SyncAlways, SyncNever} {
		t.Run(policy.String(), func(t *testing.T) {
			d := &memDst{}
			o := fastOpts()
			o.Sync = policy
			o.SegmentBytes = MinSegmentBytes
			o.MaxBytes = 64 << 20
			o.MaxMessageBytes = 64
			s := mustOpen(t, t.TempDir(), d, o)
			var wg sync.WaitGroup
			const writers, each = 4, 200
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					logAll(t, s, msgs(string(rune('a'+w)), each))
				}()
			}
			wg.Wait()
			closeOK(t, s)
			got := d.got()
			if len(got) != writers*each {
				t.Fatalf("%d delivered, want %d", len(got), writers*each)
			}
			for w := range writers {
				var mine []string
				for _, m := range got {
					if m[0] == byte('a'+w) {
						mine = append(mine, m)
					}
				}
				if !slices.Equal(mine, msgs(string(rune('a'+w)), each)) {
					t.Fatalf("writer %d: out of order or missing", w)
				}
			}
			checkIdentities(t, s.Stats())
		})
	}
}

func TestSync(t *testing.T) {
	d := &memDst{}
	o := fastOpts()
	o.Sync = SyncNever
	dir := t.TempDir()
	s := mustOpen(t, dir, d, o)
	defer closeOK(t, s)
	s.Write([]byte("unfinished"))
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	// The unfinished line was written as a record.
	if st := s.Stats(); st.Accepted != 1 {
		t.Fatalf("Accepted %d after Sync, want 1", st.Accepted)
	}
	if _, err := os.Stat(filepath.Join(dir, segName(0))); err != nil {
		t.Fatal(err)
	}
}
