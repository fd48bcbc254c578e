package cwlogs_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/emf"
	"github.com/cwlogs/cwlogs/internal/testpeer"
	"github.com/cwlogs/cwlogs/ship"
)

// TestMotoEMF ships EMF events through emf → ship → the client to moto_server, behind a
// proxy that records the requests: moto accepts the signed x-amzn-logs-format header, every
// PutLogEvents carries it, and the events read back are the encoded ones.
func TestMotoEMF(t *testing.T) {
	ep := testpeer.Moto(t)
	target, err := url.Parse(ep)
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu      sync.Mutex
		formats []string
	)
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".PutLogEvents") {
			mu.Lock()
			formats = append(formats, r.Header.Get("X-Amzn-Logs-Format"))
			mu.Unlock()
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	ctx := context.Background()
	c, err := cwlogs.New("us-east-1", "AKIDMOTO", "moto-secret", cwlogs.WithEndpoint(front.URL))
	if err != nil {
		t.Fatal(err)
	}
	const group, stream = "/moto/emf", "s"
	if err := c.CreateLogGroup(ctx, &cwlogs.CreateLogGroupInput{LogGroupName: group}); err != nil {
		t.Fatal(err)
	}
	s, err := ship.New(c, group, stream, &ship.Options{LogFormat: cwlogs.LogFormatEMF})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	m := emf.New("Moto/App")
	m.SetTimestamp(at)
	m.PutDimensions(emf.Dimension{Name: "Operation", Value: "Get"})
	for i := range 120 {
		m.PutMetric("Latency", float64(i), emf.Milliseconds)
	}
	want, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if err := m.LogTo(s); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Sent != int64(len(want)) {
		t.Fatalf("stats %+v, want %d sent", st, len(want))
	}
	mu.Lock()
	got := append([]string(nil), formats...)
	mu.Unlock()
	if len(got) == 0 {
		t.Fatal("no PutLogEvents seen")
	}
	for i, f := range got {
		if f != cwlogs.LogFormatEMF {
			t.Errorf("PutLogEvents %d: x-amzn-logs-format %q", i, f)
		}
	}
	out, err := c.GetLogEvents(ctx, &cwlogs.GetLogEventsInput{LogGroupName: group, LogStreamName: stream, StartFromHead: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Events) != len(want) {
		t.Fatalf("%d events read back, want %d", len(out.Events), len(want))
	}
	for i, ev := range out.Events {
		var doc map[string]any
		if ev.Message != string(want[i]) || json.Unmarshal([]byte(ev.Message), &doc) != nil || doc["Operation"] != "Get" {
			t.Errorf("event %d: %s\nwant %s", i, ev.Message, want[i])
		}
	}
}
