package interop

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/cwlogs/cwlogs"
)

// localRT answers every request with 200 {} without touching the network,
// after draining and closing the request body as a real transport would.
type localRT struct{ bytes int64 }

func (rt *localRT) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		n, _ := io.Copy(io.Discard, r.Body)
		r.Body.Close()
		rt.bytes = n
	}
	return &http.Response{
		StatusCode:    200,
		Status:        "200 OK",
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amzn-Requestid": {"bench"}},
		Body:          io.NopCloser(strings.NewReader("{}")),
		ContentLength: 2,
		Request:       r,
	}, nil
}

const (
	benchEvents  = 1000
	benchMsgSize = 100
)

func benchEventsOurs() []cwlogs.InputLogEvent {
	evs := make([]cwlogs.InputLogEvent, benchEvents)
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	for i := range evs {
		msg := "event " + strconv.Itoa(i) + " "
		evs[i] = cwlogs.InputLogEvent{Timestamp: base + int64(i), Message: msg + strings.Repeat("x", benchMsgSize-len(msg))}
	}
	return evs
}

// BenchmarkPutLogEvents_1000x100 encodes, signs and "sends" one PutLogEvents
// request of 1,000 events of 100 bytes, with cwlogs and with aws-sdk-go-v2's
// cloudwatchlogs client, both over localRT. Besides ns/op (wall time) it
// reports cpu-ns/op, the process CPU time per request: it also counts the
// garbage collector's work on other cores, which ns/op leaves out.
func BenchmarkPutLogEvents_1000x100(b *testing.B) {
	evs := benchEventsOurs()
	ctx := context.Background()

	b.Run("cwlogs", func(b *testing.B) {
		rt := &localRT{}
		c, err := cwlogs.New("us-east-1", "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
			cwlogs.WithHTTPClient(&http.Client{Transport: rt}))
		if err != nil {
			b.Fatal(err)
		}
		in := &cwlogs.PutLogEventsInput{LogGroupName: "bench-group", LogStreamName: "bench-stream", LogEvents: evs}
		runPut(b, rt, func() error { _, err := c.PutLogEvents(ctx, in); return err })
	})

	// The same with WithGzip at the default level; the lines here are one byte repeated,
	// which compresses far better than logs do: see PutLogEventsGzip_1000xAccessLog.
	b.Run("cwlogs-gzip", func(b *testing.B) {
		rt := &localRT{}
		c, err := cwlogs.New("us-east-1", "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
			cwlogs.WithHTTPClient(&http.Client{Transport: rt}), cwlogs.WithGzip(gzip.DefaultCompression))
		if err != nil {
			b.Fatal(err)
		}
		in := &cwlogs.PutLogEventsInput{LogGroupName: "bench-group", LogStreamName: "bench-stream", LogEvents: evs}
		runPut(b, rt, func() error { _, err := c.PutLogEvents(ctx, in); return err })
	})

	b.Run("aws-sdk-go-v2", func(b *testing.B) {
		rt := &localRT{}
		c := cloudwatchlogs.New(cloudwatchlogs.Options{
			Region:      "us-east-1",
			Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "")),
			HTTPClient:  &http.Client{Transport: rt},
		})
		sdkEvs := make([]types.InputLogEvent, len(evs))
		for i, e := range evs {
			sdkEvs[i] = types.InputLogEvent{Timestamp: aws.Int64(e.Timestamp), Message: aws.String(e.Message)}
		}
		in := &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("bench-group"), LogStreamName: aws.String("bench-stream"), LogEvents: sdkEvs}
		runPut(b, rt, func() error { _, err := c.PutLogEvents(ctx, in); return err })
	})
}

// runPut benchmarks put, reporting the body size rt saw and the CPU time per call.
func runPut(b *testing.B, rt *localRT, put func() error) {
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		if err := put(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(rt.bytes), "body-bytes")
}

// accessLogLines returns n JSON access-log lines with varying fields (addresses, paths,
// statuses, sizes, durations, request IDs, user agents), generated deterministically:
// what an edge gateway ships, and far less compressible than a run of one byte.
func accessLogLines(n int, base int64) []cwlogs.InputLogEvent {
	paths := []string{"/api/v1/orders", "/api/v1/orders/%d", "/api/v1/users/%d/profile", "/healthz", "/static/app.%x.js", "/api/v1/search?q=item%d"}
	methods := []string{"GET", "GET", "GET", "POST", "PUT", "DELETE"}
	statuses := []int{200, 200, 200, 201, 204, 301, 304, 400, 404, 500, 503}
	agents := []string{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36", "curl/8.5.0", "Go-http-client/1.1", "okhttp/4.12.0"}
	x := uint32(2463534242) // xorshift32
	next := func() int {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		return int(x >> 1)
	}
	evs := make([]cwlogs.InputLogEvent, n)
	for i := range evs {
		p := paths[next()%len(paths)]
		if strings.Contains(p, "%") {
			p = fmt.Sprintf(p, next()%100000)
		}
		ts := base + int64(i)
		evs[i] = cwlogs.InputLogEvent{Timestamp: ts, Message: fmt.Sprintf(
			`{"time":%q,"remote_addr":"10.%d.%d.%d","method":%q,"path":%q,"status":%d,"bytes":%d,"duration_ms":%.3f,"request_id":"%08x-%04x","user_agent":%q}`,
			time.UnixMilli(ts).UTC().Format(time.RFC3339Nano), next()%256, next()%256, next()%256, methods[next()%len(methods)], p,
			statuses[next()%len(statuses)], next()%65536, float64(next()%500000)/1000, next(), next()%65536, agents[next()%len(agents)])}
	}
	return evs
}

// BenchmarkPutLogEventsGzip_1000xAccessLog encodes, compresses (WithGzip at several
// levels), signs and "sends" one PutLogEvents request of 1,000 JSON access-log lines
// over localRT. body-bytes is what goes on the wire; json-bytes the uncompressed body;
// wire/json their ratio. "plain" is the same batch uncompressed.
func BenchmarkPutLogEventsGzip_1000xAccessLog(b *testing.B) {
	evs := accessLogLines(benchEvents, time.Now().Add(-time.Minute).UnixMilli())
	ctx := context.Background()
	in := &cwlogs.PutLogEventsInput{LogGroupName: "bench-group", LogStreamName: "bench-stream", LogEvents: evs}
	newClient := func(rt *localRT, opts ...cwlogs.Option) *cwlogs.Client {
		c, err := cwlogs.New("us-east-1", "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
			append(opts, cwlogs.WithHTTPClient(&http.Client{Transport: rt}))...)
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	// The uncompressed body's size, from one plain call.
	plainRT := &localRT{}
	if _, err := newClient(plainRT).PutLogEvents(ctx, in); err != nil {
		b.Fatal(err)
	}
	jsonBytes := plainRT.bytes
	for _, bc := range []struct {
		name string
		opts []cwlogs.Option
	}{
		{"plain", nil},
		{"gzip-1", []cwlogs.Option{cwlogs.WithGzip(gzip.BestSpeed)}},
		{"gzip-default", []cwlogs.Option{cwlogs.WithGzip(gzip.DefaultCompression)}},
		{"gzip-9", []cwlogs.Option{cwlogs.WithGzip(gzip.BestCompression)}},
		{"gzip-huffman", []cwlogs.Option{cwlogs.WithGzip(gzip.HuffmanOnly)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			rt := &localRT{}
			c := newClient(rt, bc.opts...)
			runPut(b, rt, func() error { _, err := c.PutLogEvents(ctx, in); return err })
			b.ReportMetric(float64(jsonBytes), "json-bytes")
			b.ReportMetric(float64(rt.bytes)/float64(jsonBytes), "wire/json")
		})
	}
}
