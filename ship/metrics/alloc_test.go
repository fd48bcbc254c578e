package metrics_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/cwlogs/cwlogs/ship/metrics"
)

// TestScrapeAllocs: once warm, a scrape (WriteTo) allocates nothing,
// whatever the number of sources.
func TestScrapeAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector (it drops sync.Pool items)")
	}
	c := metrics.New()
	for i := range 10 {
		st := fakeShip(allShip)
		if _, err := c.AddShipper(&st, metrics.Labels{"log_group": "g", "log_stream": fmt.Sprint("s", i)}); err != nil {
			t.Fatal(err)
		}
		sp := fakeSpool(allSpool)
		if _, err := c.AddSpool(&sp, metrics.Labels{"spool": fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	_, _ = c.WriteTo(io.Discard)
	if n := testing.AllocsPerRun(100, func() { _, _ = c.WriteTo(io.Discard) }); n != 0 {
		t.Errorf("%v allocations per scrape, want 0", n)
	}
}
