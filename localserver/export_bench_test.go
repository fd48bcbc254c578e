package localserver

import (
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// BenchmarkExport1M exports the 1,000,000 events of the query benchmarks' data set (100
// streams of 10,000 events of ~100 bytes) to a bucket directory, one export per
// iteration, and reports its throughput and the heap it needed: the highest HeapInuse
// sampled every 5 ms during the exports, less the HeapInuse before them (exports stream
// events from the store, one stream and one object at a time, so this does not grow with
// the group).
func BenchmarkExport1M(b *testing.B) {
	dir := dataset(b)
	exportDir := b.TempDir()
	if err := os.Mkdir(filepath.Join(exportDir, testBucket), 0o755); err != nil {
		b.Fatal(err)
	}
	s := newTestServer(b, Config{DataDir: dir, ExportDir: exportDir})
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before := ms.HeapInuse
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := createExport(b, s, "bench", 0, nowMs(), m{"destinationPrefix": "run" + itoa(int64(i))})
		if code, msg := taskStatus(waitExport(b, s, id)); code != exportCompleted {
			b.Fatalf("export %s: %s", code, msg)
		}
	}
	b.StopTimer()
	close(stop)
	wg.Wait()
	b.ReportMetric(float64(datasetStreams*datasetPerStream)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(peak-min(peak, before))/(1<<20), "peak-heap-MiB")
}
