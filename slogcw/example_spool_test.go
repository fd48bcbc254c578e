package slogcw_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/ship"
	"github.com/cwlogs/cwlogs/ship/spool"
	"github.com/cwlogs/cwlogs/slogcw"
)

// ExampleNewSinkHandler logs through a spool: each record is on disk when
// the logging call returns, and reaches CloudWatch Logs through the shipper
// behind the spool, after an outage or a restart if need be.
func ExampleNewSinkHandler() {
	// A stand-in for CloudWatch Logs that prints each stored message.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".PutLogEvents") {
			i := strings.Index(string(body), `"message":`)
			j := strings.Index(string(body), `,"timestamp"`)
			fmt.Println(string(body[i+len(`"message":`) : j]))
		}
		w.Write([]byte("{}"))
	}))
	defer srv.Close()
	dir, _ := os.MkdirTemp("", "slogcw-spool")
	defer os.RemoveAll(dir)

	client, _ := cwlogs.New("us-east-1", "AKIDEXAMPLE", "secret",
		cwlogs.WithEndpoint(srv.URL), cwlogs.WithMaxAttempts(1))
	s, err := ship.New(client, "my-app", "gateway-7", nil)
	if err != nil {
		panic(err)
	}
	sp, err := spool.Open(dir, s, &spool.Options{Sync: spool.SyncAlways})
	if err != nil {
		panic(err)
	}
	logger := slog.New(slogcw.NewSinkHandler(sp, &slogcw.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Attr{} // stable output; the event keeps the record's time
			}
			return a
		},
	}))
	logger.Warn("door opened", "door", 3)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sp.Close(ctx) // the spool first, then the shipper behind it
	s.Close(ctx)
	// Output: "{\"level\":\"WARN\",\"msg\":\"door opened\",\"door\":3}"
}
