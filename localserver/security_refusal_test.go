package localserver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/sigv4"
)

// TestRefusalsBeforeTheBodyDoNotWaitForIt: a request refused before its body is read for
// another reason than its signature (a method other than POST; a Content-Length over
// MaxRequestBytes) is answered at once, with Connection: close, while its client is still
// blocked sending a large or endless body. net/http read (and discarded) up to 256 KiB of
// such a body, as slowly as the client sent it, before writing the answer: a client
// trickling it held the connection and its goroutine for the whole read timeout.
func TestRefusalsBeforeTheBodyDoNotWaitForIt(t *testing.T) {
	s := newTestServer(t, Config{MaxRequestBytes: 100_000})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method string
		length int64
		status int
		code   string
	}{
		{http.MethodPut, -1, 400, codeUnknownOperation},
		{http.MethodGet, 200_000, 400, codeUnknownOperation},
		{http.MethodPost, 200_000, http.StatusRequestEntityTooLarge, codeRequestEntityTooLarge},
	} {
		t.Run(fmt.Sprintf("%s, Content-Length %d", tc.method, tc.length), func(t *testing.T) {
			pr, pw := io.Pipe()
			blocked := make(chan struct{})
			defer close(blocked)
			var written atomic.Int64
			go func() {
				n, _ := pw.Write(bytes.Repeat([]byte(" "), 1024))
				written.Add(int64(n))
				<-blocked
				pw.CloseWithError(errors.New("test over"))
			}()
			r, _ := http.NewRequest(tc.method, s.URL()+"/", pr)
			r.ContentLength = tc.length
			r.Header.Set("X-Amz-Target", targetPrefix+"DescribeLogGroups")
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250601/us-east-1/logs/aws4_request, SignedHeaders=host, Signature="+strings.Repeat("0", 64))
			r.Header.Set("X-Amz-Date", testNow.Format(sigv4.TimeFormat))
			type result struct {
				res *http.Response
				err error
			}
			done := make(chan result, 1)
			client := &http.Client{Transport: &http.Transport{}}
			go func() {
				res, err := client.Do(r)
				done <- result{res, err}
			}()
			select {
			case got := <-done:
				if got.err != nil {
					t.Fatal(got.err)
				}
				raw, _ := io.ReadAll(got.res.Body)
				got.res.Body.Close()
				if got.res.StatusCode != tc.status || got.res.Header.Get("X-Amzn-Errortype") != tc.code || !got.res.Close {
					t.Errorf("got %d %v %s, want %d %s and Connection: close", got.res.StatusCode, got.res.Header, raw, tc.status, tc.code)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("no answer while the client was still sending its body")
			}
		})
	}
}
