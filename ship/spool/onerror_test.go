package spool

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestCloseFromOnError: OnError may call Close, even with a ctx that never
// ends; Close then does not wait for the OnError call it is part of.
func TestCloseFromOnError(t *testing.T) {
	done := make(chan error, 1)
	var s *Spool
	d := &memDst{failFlush: failFirst(1)}
	o := fastOpts()
	o.OnError = func(err error) {
		var de *DeliveryError
		if errors.As(err, &de) && de.Failures == 1 {
			done <- s.Close(context.Background())
		}
	}
	s = mustOpen(t, t.TempDir(), d, o)
	logAll(t, s, msgs("r", 3))
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Close from OnError = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close from OnError did not return")
	}
	if got := d.got(); len(got) != 3 {
		t.Fatalf("delivered %q", got)
	}
	// Another Close returns the first one's result.
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestOnErrorLogsIntoFullSpool: an OnError that logs each report into its
// own full DropOldest spool makes progress: each report drops a segment and
// is written.
func TestOnErrorLogsIntoFullSpool(t *testing.T) {
	var s *Spool
	d := &memDst{block: make(chan struct{})}
	o := fullOpts(DropOldest)
	reported := make(chan struct{}, 100)
	o.OnError = func(err error) {
		if s.Log(time.UnixMilli(1), "report: "+err.Error()[:10]) == nil {
			reported <- struct{}{}
		}
	}
	s = mustOpen(t, t.TempDir(), d, o)
	logAll(t, s, msgs("r", 3*perSegment))
	select {
	case <-reported:
	case <-time.After(10 * time.Second):
		t.Fatal("no report logged")
	}
	close(d.block)
	s.Close(context.Background())
	st := s.Stats()
	checkIdentities(t, st)
	if st.Dropped.Oldest == 0 {
		t.Fatalf("%+v", st)
	}
}

// TestCloseFromOnErrorDuringClose: an OnError that calls Close while
// another Close waits for the OnError calls gets its result without
// waiting for it. (It waited for that Close, which waited for it, until
// that Close's ctx ended.)
func TestCloseFromOnErrorDuringClose(t *testing.T) {
	nested := make(chan error, 1)
	var s *Spool
	d := &memDst{failFlush: failFirst(1)}
	o := fastOpts()
	o.OnError = func(err error) {
		var de *DeliveryError
		if errors.As(err, &de) && de.Failures == 1 {
			<-s.closeCh // the other Close started
			nested <- s.Close(context.Background())
		}
	}
	s = mustOpen(t, t.TempDir(), d, o)
	logAll(t, s, msgs("r", 3))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	first := make(chan error, 1)
	go func() { first <- s.Close(ctx) }()
	select {
	case err := <-nested:
		if err != nil {
			t.Fatalf("Close from OnError = %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Close from OnError waited for the other Close")
	}
	if err := <-first; err != nil {
		t.Fatalf("Close = %v", err)
	}
	if got := d.got(); len(got) != 3 {
		t.Fatalf("delivered %q", got)
	}
}
