package metrics_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/ship"
	"github.com/cwlogs/cwlogs/ship/metrics"
)

func Example() {
	// A stand-in for CloudWatch Logs that stores every batch.
	logs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("{}"))
	}))
	defer logs.Close()
	client, err := cwlogs.New("us-east-1", "AKIDEXAMPLE", "secret",
		cwlogs.WithEndpoint(logs.URL), cwlogs.WithMaxAttempts(1))
	if err != nil {
		panic(err)
	}
	s, err := ship.New(client, "my-app", "web-1", nil)
	if err != nil {
		panic(err)
	}

	c := metrics.New()
	reg, err := c.AddShipper(s, metrics.Labels{"log_group": "my-app", "log_stream": "web-1"})
	if err != nil {
		panic(err) // a *metrics.LabelError names the label and the value
	}
	defer reg.Remove()
	// In a program: http.Handle("/metrics", c) on the server Prometheus scrapes.
	srv := httptest.NewServer(c)
	defer srv.Close()

	s.Log(time.Now(), "hello")
	s.Log(time.Now(), "")             // empty: dropped, and counted
	_ = s.Close(context.Background()) // a *ship.CloseError: the empty event was not delivered

	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "cwlogs_ship_sent_events_total") ||
			strings.HasPrefix(line, "cwlogs_ship_dropped_events_total") && strings.Contains(line, `"empty"`) {
			fmt.Println(line)
		}
	}
	// Output:
	// cwlogs_ship_sent_events_total{log_group="my-app",log_stream="web-1"} 1
	// cwlogs_ship_dropped_events_total{log_group="my-app",log_stream="web-1",reason="empty"} 1
}
