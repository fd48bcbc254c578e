package metrics_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/ship/metrics"
	"github.com/cwlogs/cwlogs/ship/spool"
)

// stuckDest is a spool destination whose LogContext holds the pump until
// release is closed, so that a full spool stays full.
type stuckDest struct{ release chan struct{} }

func (d *stuckDest) LogContext(ctx context.Context, _ time.Time, _ string) error {
	select {
	case <-d.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (d *stuckDest) Flush(context.Context) error { return nil }

// TestSpoolOfferedDip drives a real Spool into the state that lowers
// Stats.Offered: a Flush writing Write's unfinished line waits for room in a
// full spool (Block), and its ctx ends. The Stats go down; the scrapes do not.
func TestSpoolOfferedDip(t *testing.T) {
	d := &stuckDest{release: make(chan struct{})}
	sp, err := spool.Open(t.TempDir(), d, &spool.Options{SegmentBytes: 4096, MaxBytes: 8192, MaxMessageBytes: 1000,
		OnFull: spool.Block, Sync: spool.SyncNever})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		close(d.release)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = sp.Close(ctx)
	}()
	full, cancelFull := context.WithCancel(context.Background())
	cancelFull() // a LogContext refused for room returns at once
	// Large records, then one-byte ones: no room left for any.
	for _, size := range []int{900, 1} {
		for i := 0; ; i++ {
			if err := sp.LogContext(full, time.Now(), strings.Repeat("x", size)); err != nil {
				if !errors.Is(err, context.Canceled) || i == 0 && size == 900 {
					t.Fatalf("record %d of %d bytes: %v", i, size, err)
				}
				break
			}
		}
	}
	if _, err := sp.Write([]byte("unfinished")); err != nil {
		t.Fatal(err)
	}
	c := metrics.New()
	if _, err := c.AddSpool(sp, nil); err != nil {
		t.Fatal(err)
	}
	before := sp.Stats().Offered
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sp.Flush(ctx) }()
	for sp.Stats().Offered == before { // until Flush has counted its line and waits for room
		select {
		case err := <-done:
			t.Fatalf("Flush returned %v without waiting for room", err)
		case <-time.After(time.Millisecond):
		}
	}
	offered := func() string {
		for _, line := range strings.Split(scrape(t, c), "\n") {
			if strings.HasPrefix(line, "cwlogs_spool_offered_records_total ") {
				return strings.TrimPrefix(line, "cwlogs_spool_offered_records_total ")
			}
		}
		t.Fatal("no offered sample")
		return ""
	}
	during := offered()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Flush: %v", err)
	}
	if got := sp.Stats().Offered; got != before {
		t.Skipf("Stats().Offered %d after Flush gave up, %d before it: the spool no longer lowers it, nothing to check", got, before)
	}
	if after := offered(); after != during {
		t.Errorf("offered_records_total went from %s to %s", during, after)
	}
}
