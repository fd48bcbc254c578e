package cwlogs_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/cwlogs/cwlogs"
)

// A gateway on a metered link compresses its PutLogEvents requests. The server here
// stands for CloudWatch Logs: it decompresses the body, as the service does.
func ExampleWithGzip() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent, _ := io.ReadAll(r.Body)
		body := sent
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(sent))
			if err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			body, _ = io.ReadAll(zr)
		}
		var in struct{ LogEvents []cwlogs.InputLogEvent }
		_ = json.Unmarshal(body, &in)
		fmt.Printf("Content-Encoding: %s, %d events, sent less than a fifth of the JSON: %t\n",
			r.Header.Get("Content-Encoding"), len(in.LogEvents), 5*len(sent) < len(body))
		w.Header().Set("Content-Type", cwlogs.ContentType)
		_, _ = io.WriteString(w, "{}")
	}))
	defer srv.Close()

	c, err := cwlogs.New("us-east-1", "AKIDEXAMPLE", "secret",
		cwlogs.WithEndpoint(srv.URL), cwlogs.WithGzip(gzip.DefaultCompression))
	if err != nil {
		log.Fatal(err)
	}
	now := time.Now()
	in := &cwlogs.PutLogEventsInput{LogGroupName: "gateways", LogStreamName: "gw-0042"}
	for i := range 200 {
		in.LogEvents = append(in.LogEvents, cwlogs.InputLogEvent{
			Timestamp: now.UnixMilli(),
			Message:   fmt.Sprintf(`{"level":"info","sensor":"temp-%02d","celsius":%d.%d,"msg":"reading"}`, i%16, 18+i%7, i%10),
		})
	}
	if _, err := c.PutLogEvents(context.Background(), in); err != nil {
		log.Fatal(err)
	}
	// Output:
	// Content-Encoding: gzip, 200 events, sent less than a fifth of the JSON: true
}
