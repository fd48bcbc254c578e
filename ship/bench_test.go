package ship

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
)

// discardAPI accepts every batch without looking at it.
type discardAPI struct{}

func (discardAPI) PutLogEvents(context.Context, *cwlogs.PutLogEventsInput) (*cwlogs.PutLogEventsOutput, error) {
	return &cwlogs.PutLogEventsOutput{}, nil
}
func (discardAPI) CreateLogStream(context.Context, *cwlogs.CreateLogStreamInput) error { return nil }
func (discardAPI) CreateLogGroup(context.Context, *cwlogs.CreateLogGroupInput) error   { return nil }

var benchMsgs = func() []string {
	out := make([]string, 1024)
	for i := range out {
		p := "event " + strconv.Itoa(i) + " "
		out[i] = p + strings.Repeat("x", 100-len(p))
	}
	return out
}()

func benchLog(b *testing.B, api API) {
	s, err := New(api, "bench-group", "bench-stream", nil)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	b.ReportAllocs()
	b.SetBytes(100)
	i := 0
	for b.Loop() {
		if err := s.Log(now, benchMsgs[i&1023]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	if err := s.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkLog measures the shipper alone: one op is one 100-byte event,
// batched and handed to an API that discards it.
func BenchmarkLog(b *testing.B) { benchLog(b, discardAPI{}) }

// BenchmarkLogParallel is BenchmarkLog with concurrent loggers.
func BenchmarkLogParallel(b *testing.B) {
	s, _ := New(discardAPI{}, "bench-group", "bench-stream", nil)
	now := time.Now()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			_ = s.Log(now, benchMsgs[i&1023])
			i++
		}
	})
	_ = s.Close(context.Background())
}

// BenchmarkLogSplit measures a 64 KiB message split into 1 KiB parts; one op is one
// message (64 parts). Parts of a message up to 64 KiB share its memory.
func BenchmarkLogSplit(b *testing.B) {
	s, _ := New(discardAPI{}, "bench-group", "bench-stream", &Options{MaxMessageBytes: 1024})
	msg := strings.Repeat("y", 64<<10)
	now := time.Now()
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		_ = s.Log(now, msg)
	}
	_ = s.Close(context.Background())
}

// BenchmarkWrite measures the io.Writer path: 100 lines of 100 bytes per
// Write; one op is one line.
func BenchmarkWrite(b *testing.B) {
	s, _ := New(discardAPI{}, "bench-group", "bench-stream", nil)
	chunk := []byte(strings.Repeat(benchMsgs[0]+"\n", 100))
	b.ReportAllocs()
	b.SetBytes(101)
	n := 0
	for b.Loop() {
		if n%100 == 0 {
			_, _ = s.Write(chunk)
		}
		n++
	}
	_ = s.Close(context.Background())
}

// BenchmarkLogHTTP ships through the real client (encoding, signing,
// HTTP) into an httptest server that reads and discards the bodies.
func BenchmarkLogHTTP(b *testing.B) {
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = w.Write([]byte("{}"))
	}))
	defer sink.Close()
	c, err := cwlogs.New("us-east-1", "AKIDEXAMPLE", "secret", cwlogs.WithEndpoint(sink.URL), cwlogs.WithMaxAttempts(1))
	if err != nil {
		b.Fatal(err)
	}
	benchLog(b, c)
}
