package slogcw_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/ship"
	"github.com/cwlogs/cwlogs/slogcw"
)

func ExampleNewHandler() {
	// A stand-in for CloudWatch Logs that prints each stored message.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".PutLogEvents") {
			// The JSON event is itself escaped inside the request body.
			i := strings.Index(string(body), `"message":`)
			j := strings.Index(string(body), `,"timestamp"`)
			fmt.Println(string(body[i+len(`"message":`) : j]))
		}
		w.Write([]byte("{}"))
	}))
	defer srv.Close()

	client, _ := cwlogs.New("us-east-1", "AKIDEXAMPLE", "secret",
		cwlogs.WithEndpoint(srv.URL), cwlogs.WithMaxAttempts(1))
	s, err := ship.New(client, "my-app", "web-1", &ship.Options{Oversize: ship.Truncate})
	if err != nil {
		panic(err)
	}
	logger := slog.New(slogcw.NewHandler(s, &slogcw.HandlerOptions{
		Level: slog.LevelDebug,
		// Drop "time" from the JSON to keep the output stable; the event's
		// timestamp is still the record's time.
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Attr{}
			}
			return a
		},
	}))
	logger.With("request", 42).WithGroup("http").Info("served", "status", 200, "took", 1500*time.Microsecond)

	s.Close(context.Background())
	// Output: "{\"level\":\"INFO\",\"msg\":\"served\",\"request\":42,\"http\":{\"status\":200,\"took\":1500000}}"
}
