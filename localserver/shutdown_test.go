package localserver

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestNewFailsWithoutHanging: New on a data directory whose schema is newer than this
// server returns an error (and lets go of the directory). A concurrency review found that
// it hung forever: the failed open waited for a checkpointer that had not started.
func TestNewFailsWithoutHanging(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for range 2 { // the second attempt also proves the lock was released
		done := make(chan error, 1)
		go func() { _, err := New(Config{DataDir: dir}); done <- err }()
		select {
		case err := <-done:
			if err == nil {
				t.Fatal("New succeeded on a newer schema")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("New hung after a failed open")
		}
	}
}

// TestShutdownRacesHandler: requests still in ServeHTTP while Shutdown closes the store
// (the Server mounted as an http.Handler, or Shutdown's ctx ended) get an error; they
// must not panic. A review found that in memory mode an append after close panicked with
// the segments' lock held, and every later PutLogEvents then blocked forever.
func TestShutdownRacesHandler(t *testing.T) {
	for _, memory := range []bool{true, false} {
		t.Run(fmt.Sprintf("memory=%v", memory), func(t *testing.T) {
			var panics atomic.Int64
			var first atomic.Value
			for iter := range 15 {
				s, err := New(Config{Memory: memory, DataDir: t.TempDir(), Now: func() time.Time { return testNow }})
				if err != nil {
					t.Fatal(err)
				}
				setupStream(t, s, "g", "s")
				var wg sync.WaitGroup
				stop := make(chan struct{})
				for range 8 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						defer func() {
							if p := recover(); p != nil {
								panics.Add(1)
								first.CompareAndSwap(nil, fmt.Sprint(p))
							}
						}()
						for {
							select {
							case <-stop:
								return
							default:
							}
							call(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": events(nowMs())})
						}
					}()
				}
				time.Sleep(10 * time.Millisecond)
				s.Shutdown(context.Background())
				time.Sleep(5 * time.Millisecond)
				close(stop)
				wdone := make(chan struct{})
				go func() { wg.Wait(); close(wdone) }()
				select {
				case <-wdone:
				case <-time.After(10 * time.Second):
					t.Fatalf("iteration %d: requests stuck after Shutdown (%d panics, first: %v)", iter, panics.Load(), first.Load())
				}
			}
			if panics.Load() > 0 {
				t.Errorf("%d handler panics after Shutdown, first: %v", panics.Load(), first.Load())
			}
		})
	}
}
