package localserver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/emf"
	"github.com/cwlogs/cwlogs/localserver"
	"github.com/cwlogs/cwlogs/ship"
)

// TestEMFEndToEnd ships EMF events through emf → ship (Options.LogFormat) → the client →
// the server with verified signatures: every PutLogEvents request reaches the server with
// x-amzn-logs-format: json/emf among its signed headers and is accepted; the events read
// back are the encoded bytes and parse as EMF; and Logs Insights reads the metadata
// (_aws.CloudWatchMetrics.0.Namespace) and a metric field of them.
func TestEMFEndToEnd(t *testing.T) {
	const key, secret = "AKIDEMFE2E", "emf-e2e-secret"
	srv, err := localserver.New(localserver.Config{Memory: true, Credentials: localserver.Secrets{key: secret}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	type put struct{ format, signed string }
	var (
		mu   sync.Mutex
		puts []put
	)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".PutLogEvents") {
			_, after, _ := strings.Cut(r.Header.Get("Authorization"), "SignedHeaders=")
			signed, _, _ := strings.Cut(after, ",")
			mu.Lock()
			puts = append(puts, put{strings.Join(r.Header.Values("X-Amzn-Logs-Format"), "|"), signed})
			mu.Unlock()
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)

	ctx := context.Background()
	c, err := cwlogs.New("us-east-1", key, secret, cwlogs.WithEndpoint(front.URL))
	if err != nil {
		t.Fatal(err)
	}
	const group, stream = "/e2e/emf", "host-1"
	if err := c.CreateLogGroup(ctx, &cwlogs.CreateLogGroupInput{LogGroupName: group}); err != nil {
		t.Fatal(err)
	}
	s, err := ship.New(c, group, stream, &ship.Options{LogFormat: cwlogs.LogFormatEMF})
	if err != nil {
		t.Fatal(err)
	}

	at := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	m := emf.New("E2E/App")
	m.SetTimestamp(at)
	m.SetDefaultDimensions(emf.Dimension{Name: "Service", Value: "api"})
	m.PutDimensions(emf.Dimension{Name: "Operation", Value: "Get"})
	for i := range 150 { // 150 values: two events
		m.PutMetric("Latency", float64(i)+0.5, emf.Milliseconds)
	}
	m.PutMetricResolution("Requests", 3, emf.Count, emf.High)
	m.SetProperty("requestId", "r-1")
	want, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 2 {
		t.Fatalf("%d events, want 2", len(want))
	}
	if err := m.LogTo(s); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Sent != 2 {
		t.Fatalf("stats %+v, want 2 sent", st)
	}
	mu.Lock()
	got := append([]put(nil), puts...)
	mu.Unlock()
	if len(got) == 0 {
		t.Fatal("no PutLogEvents request seen")
	}
	for i, p := range got {
		if p.format != "json/emf" || !strings.Contains(";"+p.signed+";", ";x-amzn-logs-format;") {
			t.Errorf("PutLogEvents %d: x-amzn-logs-format %q, SignedHeaders %q", i, p.format, p.signed)
		}
	}

	// Read back: the encoded bytes, at the metrics' timestamp, and EMF once parsed.
	out, err := c.GetLogEvents(ctx, &cwlogs.GetLogEventsInput{LogGroupName: group, LogStreamName: stream, StartFromHead: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Events) != 2 {
		t.Fatalf("%d events read back, want 2", len(out.Events))
	}
	latencies := 0
	for i, ev := range out.Events {
		if ev.Message != string(want[i]) || ev.Timestamp != at.UnixMilli() {
			t.Errorf("event %d: %d %s\nwant %d %s", i, ev.Timestamp, ev.Message, at.UnixMilli(), want[i])
		}
		var doc struct {
			AWS struct {
				Timestamp         int64
				CloudWatchMetrics []struct {
					Namespace  string
					Dimensions [][]string
					Metrics    []struct{ Name, Unit string }
				}
			} `json:"_aws"`
			Service, Operation string
			Latency            []float64
		}
		if err := json.Unmarshal([]byte(ev.Message), &doc); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		d := doc.AWS.CloudWatchMetrics
		if doc.AWS.Timestamp != at.UnixMilli() || len(d) != 1 || d[0].Namespace != "E2E/App" ||
			len(d[0].Dimensions) != 1 || strings.Join(d[0].Dimensions[0], ",") != "Service,Operation" ||
			doc.Service != "api" || doc.Operation != "Get" {
			t.Errorf("event %d: %+v", i, doc)
		}
		latencies += len(doc.Latency)
	}
	if latencies != 150 {
		t.Errorf("%d Latency values read back, want 150", latencies)
	}

	// Logs Insights sees the metadata and the metric members as fields.
	fast := &cwlogs.QueryOptions{PollInterval: time.Millisecond, MaxPollInterval: 10 * time.Millisecond}
	res, err := c.RunQuery(ctx, &cwlogs.StartQueryInput{LogGroupName: group, StartTime: at.Add(-time.Minute), EndTime: at.Add(time.Minute),
		QueryString: "filter ispresent(Requests) | fields _aws.CloudWatchMetrics.0.Namespace as ns, Requests, Service, _aws.CloudWatchMetrics.0.Metrics.1.StorageResolution as res"}, fast)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 {
		t.Fatalf("%d rows, want 1: %v", len(res.Rows), res.Rows)
	}
	if r := res.Rows[0]; r.Get("ns") != "E2E/App" || r.Get("Requests") != "3" || r.Get("Service") != "api" || r.Get("res") != "1" {
		t.Errorf("row %v", r)
	}
	res, err = c.RunQuery(ctx, &cwlogs.StartQueryInput{LogGroupName: group, StartTime: at.Add(-time.Minute), EndTime: at.Add(time.Minute),
		QueryString: "stats count(*) as n by _aws.CloudWatchMetrics.0.Namespace"}, fast)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 || res.Rows[0].Get("n") != "2" || res.Rows[0].Get("_aws.CloudWatchMetrics.0.Namespace") != "E2E/App" {
		t.Errorf("stats rows %v", res.Rows)
	}
}
