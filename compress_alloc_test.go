package cwlogs

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
)

// drainRT answers 200 {} to every request after reading its body, as a transport does,
// without a network: what it allocates is not counted against the client.
type drainRT struct{}

func (drainRT) RoundTrip(r *http.Request) (*http.Response, error) {
	_, _ = io.Copy(io.Discard, r.Body)
	r.Body.Close()
	return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("{}")), ContentLength: 2}, nil
}

// TestGzipSteadyStateAllocations: gzip writers and buffers are pooled, so a compressed
// PutLogEvents allocates about as often as a plain one, and far less than the hundreds
// of kilobytes a gzip writer of level 2 to 9 holds.
func TestGzipSteadyStateAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items")
	}
	in := &PutLogEventsInput{LogGroupName: "g", LogStreamName: "s", LogEvents: accessLogEvents(500, time.Now().Add(-time.Minute).UnixMilli())}
	measure := func(opts ...Option) (allocs, bytes float64) {
		c, err := New("us-east-1", testAKID, testSecret, append(opts, WithHTTPClient(&http.Client{Transport: drainRT{}}))...)
		if err != nil {
			t.Fatal(err)
		}
		put := func() {
			if _, err := c.PutLogEvents(context.Background(), in); err != nil {
				t.Fatal(err)
			}
		}
		put() // fill the pools
		const runs = 40
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		allocs = testing.AllocsPerRun(runs, put)
		runtime.ReadMemStats(&after)
		return allocs, float64(after.TotalAlloc-before.TotalAlloc) / (runs + 1) // AllocsPerRun warms up once
	}
	plainAllocs, plainBytes := measure()
	for _, level := range []int{gzip.BestSpeed, gzip.DefaultCompression, gzip.BestCompression} {
		allocs, bytes := measure(WithGzip(level))
		t.Logf("level %d: %.0f allocs, %.0f B per call; uncompressed %.0f allocs, %.0f B", level, allocs, bytes, plainAllocs, plainBytes)
		if allocs > plainAllocs+2 {
			t.Errorf("level %d: %.0f allocations per call, want at most the uncompressed %.0f + 2", level, allocs, plainAllocs)
		}
		// Without the pool, a call would allocate a writer: 300 KiB or more at every level.
		if bytes > plainBytes+64<<10 {
			t.Errorf("level %d: %.0f bytes allocated per call, want at most the uncompressed %.0f + 64 KiB", level, bytes, plainBytes)
		}
	}
}
