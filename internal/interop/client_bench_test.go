package interop

import (
	"context"
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
