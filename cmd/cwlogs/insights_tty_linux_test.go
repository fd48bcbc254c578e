package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cwlogs/cwlogs"
)

// TestQueryOnTerminal: what the server sends reaches a terminal with its control
// characters shown, not acted on: the rows (the table cells) and the summary on stderr,
// whose query id and status are the server's (the summary was printed raw).
func TestQueryOnTerminal(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", cwlogs.ContentType)
		switch strings.TrimPrefix(r.Header.Get("X-Amz-Target"), cwlogs.TargetPrefix+".") {
		case "StartQuery":
			io.WriteString(w, `{"queryId":"q\u001b[2J1"}`)
		case "GetQueryResults":
			io.WriteString(w, `{"status":"Complete","results":[[{"field":"@message","value":"m\u001b]0;x\u0007"}]]}`)
		default:
			w.WriteHeader(400)
			io.WriteString(w, `{"__type":"UnknownOperationException"}`)
		}
	}))
	defer srv.Close()
	c := newCLI(t, srv.URL)
	c.env["NO_COLOR"] = "1" // no bold header: every ESC would be the server's
	out := runOnTTY(t, c, nil, nil, "query", "-g", "g", "fields @message")
	if strings.ContainsRune(out, 0x1b) || strings.ContainsRune(out, 0x07) {
		t.Errorf("terminal received %q, with ESC or BEL", out)
	}
	if !strings.Contains(out, `id=q\x1b[2J1 status=Complete`) || !strings.Contains(out, `m\x1b]0;x\a`) {
		t.Errorf("terminal received %q, want the id and the message with ESC shown", out)
	}
}
