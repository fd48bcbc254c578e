package main

import (
	"strings"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
)

// TestQueryMaxWaitBoundsOnlyTheWait: --max-wait bounds the wait for the query to end,
// not StartQuery nor the fetch of a complete query's rows. It bounded the whole run:
// a StartQuery answered after D was cut off, so the query was never stopped (its id
// unknown) and ran on; and a query that was Complete but whose second page came after D
// was reported as not finished within D.
func TestQueryMaxWaitBoundsOnlyTheWait(t *testing.T) {
	for _, tc := range []struct {
		name        string
		status      string
		startDelay  time.Duration
		pageDelay   time.Duration
		page2       string
		want        int
		stdout      string
		stderr      []string
		stops       int
		notInStderr string
	}{
		{"StartQuery answered after D: the query is stopped", cwlogs.QueryStatusRunning, 600 * time.Millisecond, 0, "", 1,
			"@message\npartial\n", []string{"did not finish within 300ms (--max-wait)", "status=Running"}, 1, ""},
		{"StartQuery answered after D, complete at once", cwlogs.QueryStatusComplete, 600 * time.Millisecond, 0, "", 0,
			"@message\npartial\n", []string{"status=Complete rows=1 "}, 0, "did not finish"},
		{"complete, second page after D", cwlogs.QueryStatusComplete, 0, 600 * time.Millisecond,
			`[[{"field":"@message","value":"second page"}]]`, 0,
			"@message\npartial\nsecond page\n", []string{"status=Complete rows=2 "}, 0, "did not finish"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, url := newFakeInsights(t, tc.status, "")
			f.mu.Lock()
			f.rows = `[[{"field":"@message","value":"partial"}]]`
			f.startDelay, f.pageDelay, f.page2 = tc.startDelay, tc.pageDelay, tc.page2
			f.mu.Unlock()
			r := newCLI(t, url).mustRun(tc.want, "", "query", "-g", "g", "fields @message", "--max-wait", "300ms")
			if r.stdout != tc.stdout {
				t.Errorf("stdout %q, want %q", r.stdout, tc.stdout)
			}
			for _, s := range tc.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr %q lacks %q", r.stderr, s)
				}
			}
			if tc.notInStderr != "" && strings.Contains(r.stderr, tc.notInStderr) {
				t.Errorf("stderr %q says %q", r.stderr, tc.notInStderr)
			}
			if _, _, stops := f.snapshot(); len(stops) != tc.stops || tc.stops > 0 && stops[0] != "q-1" {
				t.Errorf("StopQuery calls %q, want %d of q-1", stops, tc.stops)
			}
		})
	}
}
