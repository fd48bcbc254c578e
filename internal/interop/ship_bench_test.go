package interop

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/ship"
)

// Side-by-side benchmarks of the ship package and a straightforward
// aws-sdk-go-v2 loop doing the same batching (≤10,000 events, ≤1,048,576
// bytes counting 26 per event, sequential PutLogEvents). One op is one
// 100-byte event, so ns/op and allocs/op are per event. cpu-ns/event is the
// process CPU time (user+system, all goroutines, including the in-process
// sink or local server) divided by the events.
//
//	go test -run '^$' -bench 'Ship' -benchtime 1000000x ./...
//
// BenchmarkShipPeakRSS runs each side in a child process shipping 1,000,000
// events into a discarding sink and reports the child's peak RSS (VmHWM).

const shipMsgSize = 100

// shipMessages are 1,024 distinct 100-byte messages, reused in turn.
var shipMessages = func() []string {
	out := make([]string, 1024)
	for i := range out {
		p := "event " + strconv.Itoa(i) + " "
		out[i] = p + strings.Repeat("x", shipMsgSize-len(p))
	}
	return out
}()

// discardSink answers 200 {} after reading and discarding the body.
func discardSink() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = w.Write([]byte("{}"))
	}))
}

// shipEvents ships n events with a ship.Shipper.
func shipEvents(tb testing.TB, endpoint string, n int) ship.Stats {
	c, err := cwlogs.New("us-east-1", "AKIDEXAMPLE", "secret", cwlogs.WithEndpoint(endpoint), cwlogs.WithMaxAttempts(1))
	if err != nil {
		tb.Fatal(err)
	}
	s, err := ship.New(c, "bench-group", "bench-stream", nil)
	if err != nil {
		tb.Fatal(err)
	}
	t := time.Now()
	for i := range n {
		if err := s.Log(t, shipMessages[i&1023]); err != nil {
			tb.Fatal(err)
		}
	}
	if err := s.Close(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return s.Stats()
}

// sdkEvents ships n events with a straightforward aws-sdk-go-v2 loop.
func sdkEvents(tb testing.TB, endpoint string, n int) {
	client := cloudwatchlogs.New(cloudwatchlogs.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		BaseEndpoint: aws.String(endpoint),
	})
	ctx := context.Background()
	batch := make([]types.InputLogEvent, 0, 10000)
	size := 0
	send := func() {
		if len(batch) == 0 {
			return
		}
		if _, err := client.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{
			LogGroupName: aws.String("bench-group"), LogStreamName: aws.String("bench-stream"), LogEvents: batch,
		}); err != nil {
			tb.Fatal(err)
		}
		batch, size = batch[:0], 0
	}
	ts := time.Now().UnixMilli()
	for i := range n {
		msg := shipMessages[i&1023]
		if len(batch) == 10000 || size+len(msg)+26 > 1048576 {
			send()
		}
		batch = append(batch, types.InputLogEvent{Message: aws.String(msg), Timestamp: aws.Int64(ts)})
		size += len(msg) + 26
	}
	send()
}

func reportCPU(b *testing.B, cpu time.Duration, wall time.Duration) {
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/event")
	b.ReportMetric(float64(b.N)/cpu.Seconds(), "events/cpu-s")
	b.ReportMetric(float64(b.N)/wall.Seconds(), "events/s")
}

func benchSide(b *testing.B, endpoint string, run func(tb testing.TB, endpoint string, n int)) {
	b.ReportAllocs()
	b.ResetTimer()
	c0, t0 := cpuTime(), time.Now()
	run(b, endpoint, b.N)
	c1, t1 := cpuTime(), time.Now()
	b.StopTimer()
	reportCPU(b, c1-c0, t1.Sub(t0))
}

// BenchmarkShipDiscard: both sides into a sink that reads and discards the
// request bodies.
func BenchmarkShipDiscard(b *testing.B) {
	sink := discardSink()
	defer sink.Close()
	b.Run("ship", func(b *testing.B) {
		benchSide(b, sink.URL, func(tb testing.TB, e string, n int) { shipEvents(tb, e, n) })
	})
	b.Run("sdk", func(b *testing.B) { benchSide(b, sink.URL, sdkEvents) })
}

// BenchmarkShipLocalServer: both sides into the local server with in-memory
// storage, run as a separate process ("cwlogs serve --memory", built from
// ../../cmd/cwlogs, or the server at $CWLOGS_BENCH_ENDPOINT), so that
// cpu-ns/event counts the shipping side only. The nested module cannot link
// the local server itself (its go.sum lacks modernc.org/sqlite).
func BenchmarkShipLocalServer(b *testing.B) {
	for _, side := range []struct {
		name string
		run  func(tb testing.TB, endpoint string, n int)
	}{
		{"ship", func(tb testing.TB, e string, n int) { shipEvents(tb, e, n) }},
		{"sdk", sdkEvents},
	} {
		b.Run(side.name, func(b *testing.B) {
			endpoint := localServer(b)
			c, _ := cwlogs.New("us-east-1", "AKIDEXAMPLE", "secret", cwlogs.WithEndpoint(endpoint))
			ctx := context.Background()
			_ = c.CreateLogGroup(ctx, &cwlogs.CreateLogGroupInput{LogGroupName: "bench-group"})
			_ = c.CreateLogStream(ctx, &cwlogs.CreateLogStreamInput{LogGroupName: "bench-group", LogStreamName: "bench-stream"})
			benchSide(b, endpoint, side.run)
		})
	}
}

var cwlogsBin string

// localServer returns the endpoint of a fresh local server process.
func localServer(b *testing.B) string {
	if e := os.Getenv("CWLOGS_BENCH_ENDPOINT"); e != "" {
		return e
	}
	if cwlogsBin == "" {
		dir, err := os.MkdirTemp("", "cwlogs-bench")
		if err != nil {
			b.Fatal(err)
		}
		bin := dir + "/cwlogs"
		cmd := exec.Command("go", "build", "-o", bin, ".")
		cmd.Dir = "../../cmd/cwlogs"
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Skipf("cannot build cwlogs: %v\n%s", err, out)
		}
		cwlogsBin = bin
	}
	cmd := exec.Command(cwlogsBin, "serve", "--memory", "--quiet", "--addr", "127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() })
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if _, u, ok := strings.Cut(sc.Text(), "listening on "); ok {
			go func() { _, _ = io.Copy(io.Discard, out) }()
			return strings.TrimSpace(u)
		}
	}
	b.Fatal("cwlogs serve did not print its address")
	return ""
}

// BenchmarkShipPeakRSS reports the peak RSS of a child process shipping
// 1,000,000 events (ship's default buffer bound: 16 MiB) into a discarding
// sink, for each side. The child runs once, whatever b.N.
func BenchmarkShipPeakRSS(b *testing.B) {
	for _, side := range []string{"ship", "sdk"} {
		b.Run(side, func(b *testing.B) {
			var hwm int64
			{
				cmd := exec.Command(os.Args[0], "-test.run=^TestShipRSSChild$", "-test.count=1")
				cmd.Env = append(os.Environ(), "SHIP_RSS_CHILD="+side)
				out, err := cmd.CombinedOutput()
				if err != nil {
					b.Fatalf("child: %v\n%s", err, out)
				}
				sc := bufio.NewScanner(strings.NewReader(string(out)))
				for sc.Scan() {
					if v, ok := strings.CutPrefix(sc.Text(), "VmHWM_kB="); ok {
						hwm, _ = strconv.ParseInt(v, 10, 64)
					}
				}
				if hwm == 0 {
					b.Fatalf("no VmHWM in child output:\n%s", out)
				}
			}
			for range b.N {
			}
			b.ReportMetric(float64(hwm)/1024, "peak-RSS-MiB")
		})
	}
}

// TestShipRSSChild is the child of BenchmarkShipPeakRSS; it does nothing
// unless SHIP_RSS_CHILD is set.
func TestShipRSSChild(t *testing.T) {
	side := os.Getenv("SHIP_RSS_CHILD")
	if side == "" {
		t.Skip("child process of BenchmarkShipPeakRSS")
	}
	sink := discardSink()
	defer sink.Close()
	switch side {
	case "ship":
		shipEvents(t, sink.URL, 1000000)
	case "sdk":
		sdkEvents(t, sink.URL, 1000000)
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			fmt.Printf("VmHWM_kB=%s\n", strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
		}
	}
}
