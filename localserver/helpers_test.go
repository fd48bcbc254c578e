package localserver

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/sigv4"
)

// testNow is the fixed clock of most tests.
var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func nowMs() int64 { return testNow.UnixMilli() }

var testCreds = sigv4.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}

var testSigner = sigv4.NewSigner()

// newTestServer returns an in-memory server on the fixed clock (cfg fields override).
func newTestServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.Memory = true
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return testNow }
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	return s
}

// signedRequest builds a signed CloudWatch Logs request for op with body.
func signedRequest(t testing.TB, url, op string, body []byte, creds sigv4.Credentials, at time.Time) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", contentTypeJSON)
	if op != "" {
		r.Header.Set("X-Amz-Target", targetPrefix+op)
	}
	if err := testSigner.SignHTTP(r, creds, sigv4.HashHex(body), "logs", "us-east-1", at); err != nil {
		t.Fatal(err)
	}
	return r
}

type response struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func (r *response) errType() string {
	s, _ := r.body["__type"].(string)
	return s
}

func (r *response) message() string {
	s, _ := r.body["message"].(string)
	return s
}

// call sends op with the JSON encoding of in through s.ServeHTTP.
func call(t testing.TB, s *Server, op string, in any) *response {
	t.Helper()
	var body []byte
	switch v := in.(type) {
	case []byte:
		body = v
	case string:
		body = []byte(v)
	default:
		var err error
		if body, err = json.Marshal(in); err != nil {
			t.Fatal(err)
		}
	}
	return do(t, s, signedRequest(t, "http://logs.local/", op, body, testCreds, s.cfg.Now()))
}

func do(t testing.TB, h http.Handler, r *http.Request) *response {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	res := w.Result()
	raw, _ := io.ReadAll(res.Body)
	out := &response{status: res.StatusCode, header: res.Header, raw: raw}
	if len(raw) > 0 {
		d := newDecoder(raw)
		if err := d.Decode(&out.body); err != nil {
			t.Fatalf("response is not a JSON object: %v: %s", err, raw)
		}
	}
	return out
}

// mustOK calls op and fails the test unless it answers 200.
func mustOK(t testing.TB, s *Server, op string, in any) *response {
	t.Helper()
	r := call(t, s, op, in)
	if r.status != 200 {
		t.Fatalf("%s: status %d: %s", op, r.status, r.raw)
	}
	return r
}

type m = map[string]any

func events(ts ...int64) []m {
	out := make([]m, len(ts))
	for i, x := range ts {
		out[i] = m{"timestamp": x, "message": "event " + itoa(int64(i))}
	}
	return out
}

func num(t testing.TB, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("not a number: %#v", v)
	}
	x, err := n.Int64()
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

var setupMu sync.Mutex

// setupStream creates group g and stream st.
func setupStream(t testing.TB, s *Server, g, st string) {
	t.Helper()
	setupMu.Lock()
	defer setupMu.Unlock()
	if r := call(t, s, "CreateLogGroup", m{"logGroupName": g}); r.status != 200 && r.errType() != codeResourceAlreadyExists {
		t.Fatalf("CreateLogGroup: %s", r.raw)
	}
	mustOK(t, s, "CreateLogStream", m{"logGroupName": g, "logStreamName": st})
}

func newDecoder(raw []byte) *json.Decoder {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	return d
}

func sortedOps() []string {
	ops := make([]string, 0, len(operations))
	for op := range operations {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	return ops
}

// pageItems calls op with a copy of in, then again with each nextToken it answers, for
// at most maxPages pages, and returns the objects listed under key on every page and the
// number of pages read.
func pageItems(t testing.TB, s *Server, op string, in m, key string, maxPages int) ([]map[string]any, int) {
	t.Helper()
	in = maps.Clone(in)
	var items []map[string]any
	pages := 0
	for pages < maxPages {
		r := mustOK(t, s, op, in)
		pages++
		for _, v := range list(r.body[key]) {
			items = append(items, v.(map[string]any))
		}
		tok, ok := r.body["nextToken"].(string)
		if !ok {
			break
		}
		in["nextToken"] = tok
	}
	return items, pages
}
