package metrics_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cwlogs/cwlogs/ship/metrics"
)

// TestCountersNeverDecrease: a counter whose Stats go down between two
// scrapes (a Spool lowers Offered again when a record Flush or Sync offered
// is not taken after a Block wait) is written at its highest value, in the
// text format and in Snapshot, for a plain counter and a reason of a
// breakdown; a gauge follows its Stats down.
func TestCountersNeverDecrease(t *testing.T) {
	c := metrics.New()
	sp := &fakeSpool{Offered: 5, Pending: 5}
	sp.Dropped.Closed = 3
	sh := &fakeShip{Events: 7, Queued: 4}
	if _, err := c.AddSpool(sp, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddShipper(sh, nil); err != nil {
		t.Fatal(err)
	}
	_ = scrape(t, c)
	sp.Offered, sp.Pending, sp.Dropped.Closed = 4, 4, 2
	sh.Events, sh.Queued = 6, 3
	out := scrape(t, c)
	for _, want := range []string{
		"cwlogs_spool_offered_records_total 5\n",
		`cwlogs_spool_dropped_records_total{reason="closed"} 3` + "\n",
		"cwlogs_ship_events_total 7\n",
		"cwlogs_spool_pending_records 4\n", // gauges go down
		"cwlogs_ship_queued_events 3\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("second scrape lacks %q:\n%s", want, out)
		}
	}
	snap := c.Snapshot()
	spool := snap["spool"].([]map[string]any)[0]
	if v := spool["cwlogs_spool_offered_records_total"]; v != int64(5) {
		t.Errorf("Snapshot offered %v, want 5", v)
	}
	if v := spool["cwlogs_spool_dropped_records_total"].(map[string]int64)["closed"]; v != 3 {
		t.Errorf("Snapshot dropped closed %v, want 3", v)
	}
	if v := spool["cwlogs_spool_pending_records"]; v != int64(4) {
		t.Errorf("Snapshot pending %v, want 4", v)
	}
	sp.Offered = 9 // and up again from there
	if out := scrape(t, c); !strings.Contains(out, "cwlogs_spool_offered_records_total 9\n") {
		t.Errorf("after a rise:\n%s", out)
	}
}

// TestNoSources: with no source, or none left, a scrape is an empty 200.
func TestNoSources(t *testing.T) {
	c := metrics.New()
	srv := httptest.NewServer(c)
	defer srv.Close()
	get := func() string {
		resp, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Errorf("status %d", resp.StatusCode)
		}
		return string(body)
	}
	if body := get(); body != "" {
		t.Errorf("no source: %q", body)
	}
	r, err := c.AddSpool(&fakeSpool{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if body := get(); !strings.Contains(body, "# TYPE cwlogs_spool_offered_records_total counter\n") || strings.Contains(body, "cwlogs_ship_") {
		t.Errorf("one spool:\n%s", body)
	}
	r.Remove()
	if body := get(); body != "" {
		t.Errorf("after Remove: %q", body)
	}
}
