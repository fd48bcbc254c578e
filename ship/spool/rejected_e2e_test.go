package spool_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/localserver"
	"github.com/cwlogs/cwlogs/ship"
	"github.com/cwlogs/cwlogs/ship/spool"
)

// TestExpiredAfterOutage: after an outage longer than the log group's
// retention (1 day here; the shipper's Retention is the default 14 days),
// the oldest events in the spool are rejected by the service as expired
// while the rest of their batch is stored. The spool counts them as refused
// and goes on: every other event is stored once, and nothing is sent again
// (each replay would store the rest again and be rejected again, forever).
func TestExpiredAfterOutage(t *testing.T) {
	// With batches of 2 events, the 3 expired ones span two batches.
	for _, batch := range []int{0, 2} {
		t.Run(fmt.Sprintf("MaxBatchEvents=%d", batch), func(t *testing.T) { testExpiredAfterOutage(t, batch) })
	}
}

func testExpiredAfterOutage(t *testing.T, batchEvents int) {
	srv, err := localserver.New(localserver.Config{Memory: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	client, err := cwlogs.New("us-east-1", "AKIDEXAMPLE", "secret", cwlogs.WithEndpoint(srv.URL()), cwlogs.WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := client.CreateLogGroup(ctx, &cwlogs.CreateLogGroupInput{LogGroupName: "edge"}); err != nil {
		t.Fatal(err)
	}
	if err := client.PutRetentionPolicy(ctx, &cwlogs.PutRetentionPolicyInput{LogGroupName: "edge", RetentionInDays: 1}); err != nil {
		t.Fatal(err)
	}
	sh, err := ship.New(client, "edge", "gateway-1", &ship.Options{Concurrency: 1, MaxBatchEvents: batchEvents})
	if err != nil {
		t.Fatal(err)
	}
	defer sh.Close(ctx)
	sp, err := spool.Open(t.TempDir(), sh, &spool.Options{FlushInterval: time.Hour, InitialBackoff: time.Millisecond, MaxBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// Logged during the outage: 3 events 3 days ago, then 5 in the last hour.
	var want []string
	for i := range 8 {
		at := time.Now().Add(-time.Hour)
		if i < 3 {
			at = time.Now().Add(-72 * time.Hour)
		}
		msg := fmt.Sprintf("event %d", i)
		if err := sp.Log(at.Add(time.Duration(i)*time.Millisecond), msg); err != nil {
			t.Fatal(err)
		}
		if i >= 3 {
			want = append(want, msg)
		}
	}
	var fe *spool.FlushError
	if err := sp.Flush(ctx); !errors.As(err, &fe) || fe.Records != 3 {
		t.Fatalf("Flush = %v, want a *spool.FlushError for the 3 expired records", err)
	}
	var ce *spool.CloseError
	if err := sp.Close(ctx); !errors.As(err, &ce) || ce.Pending != 0 {
		t.Fatalf("Close = %v, want a *CloseError with nothing left", err)
	}
	st := sp.Stats()
	if st.Dropped.Refused != 3 || st.Delivered != 5 || st.Replayed != 0 || st.Handed != 8 {
		t.Fatalf("stats %+v", st)
	}
	var got []string
	for e, err := range client.GetLogEventsIter(ctx, &cwlogs.GetLogEventsInput{LogGroupName: "edge", LogStreamName: "gateway-1", StartFromHead: true}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e.Message)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("the stream holds %q, want %q once each", got, want)
	}
}
