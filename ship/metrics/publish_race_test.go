package metrics_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/cwlogs/cwlogs/ship/metrics"
)

var racePublishes int

// TestPublishConcurrent: Collectors publishing one name at once get one
// success and errors, never expvar's panic on a name published twice.
func TestPublishConcurrent(t *testing.T) {
	for round := range 500 {
		racePublishes++ // expvar names live as long as the process
		name := fmt.Sprint("cwlogs_test_race_", racePublishes)
		const n = 8
		errs := make([]error, n)
		panics := make([]any, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				defer func() { panics[i] = recover() }()
				<-start
				errs[i] = metrics.New().Publish(name)
			})
		}
		close(start)
		wg.Wait()
		ok := 0
		for i := range n {
			if panics[i] != nil {
				t.Fatalf("round %d: Publish panicked: %v", round, panics[i])
			}
			if errs[i] == nil {
				ok++
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d of %d Publish(%q) succeeded, want 1: %v", round, ok, n, name, errs)
		}
	}
}
