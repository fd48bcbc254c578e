package cwlogs

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// TestRunQueryProgress: QueryOptions.Progress sees each answer of a query still under way,
// with its status and statistics, and not the final one.
func TestRunQueryProgress(t *testing.T) {
	s := &insightsServer{statuses: []string{QueryStatusScheduled, QueryStatusRunning, "Paused", QueryStatusComplete}}
	c := newTestClient(t, newFakeLogs(t, s.answer(t)))
	var seen []string
	var stats []QueryStatistics
	o := &QueryOptions{sleep: recordSleeps(new([]time.Duration)), Progress: func(status string, st QueryStatistics) {
		seen = append(seen, status)
		stats = append(stats, st)
	}}
	if _, err := c.RunQuery(context.Background(), queryIn, o); err != nil {
		t.Fatal(err)
	}
	if want := []string{QueryStatusScheduled, QueryStatusRunning, "Paused"}; !reflect.DeepEqual(seen, want) {
		t.Errorf("Progress saw %q, want %q", seen, want)
	}
	for _, st := range stats {
		if st.RecordsMatched != 3 || st.RecordsScanned != 10 || st.BytesScanned != 120.5 {
			t.Errorf("Progress statistics %+v, want the answer's", st)
		}
	}
}
