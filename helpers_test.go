package cwlogs

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/sigv4"

	"github.com/cwlogs/cwlogs/internal/jsonstr"
)

const (
	testAKID   = "AKIDEXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	testToken  = "SESSIONTOKENEXAMPLE"
)

// seen is one request as received by the fake server.
type seen struct {
	Target        string
	ContentType   string
	Authorization string
	AmzDate       string
	Token         string
	Path, Method  string
	Body          string
	Ident         *sigv4.Identity
	VerifyErr     error
}

// signedHeaders returns the SignedHeaders list of the Authorization header.
func (s seen) signedHeaders() string {
	_, after, _ := strings.Cut(s.Authorization, "SignedHeaders=")
	list, _, _ := strings.Cut(after, ",")
	return list
}

// fakeLogs is an httptest server that records requests, verifies their
// signatures with the test secret, and answers with a per-request handler.
type fakeLogs struct {
	srv      *httptest.Server
	mu       sync.Mutex
	reqs     []seen
	now      func() time.Time // server clock for signature checks; nil: time.Now
	answer   func(n int, s seen, w http.ResponseWriter, r *http.Request)
	noVerify bool
}

func newFakeLogs(t *testing.T, answer func(n int, s seen, w http.ResponseWriter, r *http.Request)) *fakeLogs {
	t.Helper()
	f := &fakeLogs{answer: answer}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeLogs) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s := seen{
		Target: r.Header.Get("X-Amz-Target"), ContentType: r.Header.Get("Content-Type"),
		Authorization: r.Header.Get("Authorization"), AmzDate: r.Header.Get("X-Amz-Date"),
		Token: r.Header.Get("X-Amz-Security-Token"), Path: r.URL.Path, Method: r.Method, Body: string(body),
	}
	f.mu.Lock()
	now := f.now
	f.mu.Unlock()
	v := &sigv4.Verifier{
		Credentials: func(akid string) (string, bool) { return testSecret, akid == testAKID },
		Now:         now,
	}
	s.Ident, s.VerifyErr = v.Verify(r, body)
	f.mu.Lock()
	n := len(f.reqs)
	f.reqs = append(f.reqs, s)
	f.mu.Unlock()
	if s.VerifyErr != nil && !f.noVerify {
		code, msg := "InvalidSignatureException", s.VerifyErr.Error()
		if ve, ok := s.VerifyErr.(*sigv4.VerifyError); ok {
			code, msg = ve.Code, ve.Message
		}
		if now != nil {
			w.Header().Set("Date", now().UTC().Format(http.TimeFormat))
		}
		writeJSON(w, 400, `{"__type":"`+code+`","message":`+quoteJSON(msg)+`}`)
		return
	}
	if f.answer == nil {
		writeJSON(w, 200, "{}")
		return
	}
	f.answer(n, s, w, r)
}

func quoteJSON(s string) string { return string(jsonstr.Append(nil, s)) }

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("X-Amzn-RequestId", "req-1234")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func (f *fakeLogs) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.reqs...)
}

// tickClock returns a clock that advances one second per call, so every
// signature is made at a distinct time.
func tickClock(start time.Time) func() time.Time {
	var mu sync.Mutex
	t := start
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

// newTestClient returns a client for f with fast retries.
func newTestClient(t *testing.T, f *fakeLogs, opts ...Option) *Client {
	t.Helper()
	base := []Option{WithEndpoint(f.srv.URL), WithRetryPolicy(RetryPolicy{MaxBackoff: time.Millisecond})}
	c, err := New("us-east-1", testAKID, testSecret, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
