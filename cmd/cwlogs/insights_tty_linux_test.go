package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cwlogs/cwlogs"
)

// TestQueryOnTerminal: what the server sends reaches a terminal with its control
// characters shown, not acted on: the rows (the table cells) and the summary on stderr,
// whose query id and status are the server's (the summary was printed raw).
func TestQueryOnTerminal(t *testing.T) {
	url := insightsStub(t, `{"queryId":"q\u001b[2J1"}`, func(int) string {
		return `{"status":"Complete","results":[[{"field":"@message","value":"m\u001b]0;x\u0007"}]]}`
	})
	c := newCLI(t, url)
	c.env["NO_COLOR"] = "1" // no bold header: every ESC would be the server's
	out := runOnTTY(t, c, nil, nil, "query", "-g", "g", "fields @message")
	if strings.ContainsRune(out, 0x1b) || strings.ContainsRune(out, 0x07) {
		t.Errorf("terminal received %q, with ESC or BEL", out)
	}
	if !strings.Contains(out, `id=q\x1b[2J1 status=Complete`) || !strings.Contains(out, `m\x1b]0;x\a`) {
		t.Errorf("terminal received %q, want the id and the message with ESC shown", out)
	}
}

// TestQueryProgressOnTerminal: while the query runs, a terminal's stderr shows how far the
// service got (the statistics of the last poll), and the line is erased before the rows.
func TestQueryProgressOnTerminal(t *testing.T) {
	url := insightsStub(t, `{"queryId":"q-1"}`, func(n int) string {
		if n < 5 { // the fifth poll comes about 3.1 s after the start: 0.1 s, doubling
			return fmt.Sprintf(`{"status":"Running","statistics":{"recordsMatched":%d,"recordsScanned":%d,"bytesScanned":%d}}`, 5*n, 50*n, 1000*n)
		}
		return `{"status":"Complete","results":[[{"field":"@message","value":"done"}]],"statistics":{"recordsMatched":1,"recordsScanned":9,"bytesScanned":300}}`
	})
	c := newCLI(t, url)
	c.env["NO_COLOR"] = "1"
	out := runOnTTY(t, c, nil, nil, "query", "-g", "g", "fields @message")
	if !strings.Contains(out, "\r\x1b[Kcwlogs: query Running: ") || !strings.Contains(out, " records matched, ") {
		t.Errorf("terminal received %q, want a progress line with the statistics", out)
	}
	if i, j := strings.LastIndex(out, "\r\x1b[K"), strings.Index(out, "done"); i < 0 || j < i {
		t.Errorf("terminal received %q, want the progress line erased before the rows", out)
	}
}

// insightsStub answers StartQuery with started and the nth GetQueryResults (from 1) with
// poll(n); other operations are unknown.
func insightsStub(t *testing.T, started string, poll func(n int) string) string {
	var mu sync.Mutex
	polls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", cwlogs.ContentType)
		switch strings.TrimPrefix(r.Header.Get("X-Amz-Target"), cwlogs.TargetPrefix+".") {
		case "StartQuery":
			io.WriteString(w, started)
		case "GetQueryResults":
			mu.Lock()
			polls++
			n := polls
			mu.Unlock()
			io.WriteString(w, poll(n))
		default:
			w.WriteHeader(400)
			io.WriteString(w, `{"__type":"UnknownOperationException"}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
