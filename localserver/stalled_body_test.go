package localserver

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/sigv4"
)

// sendStalledBody sends with client a DescribeLogGroups request to s, with an invalid
// signature by keyID, announcing a body of length bytes (-1: unknown) of which it sends
// 1 KiB and then nothing more until the (sub)test ends. It returns the answer, its body and
// how many body bytes the client had written when it came; it fails the test if no answer
// comes within wait.
func sendStalledBody(t *testing.T, client *http.Client, s *Server, method string, length int64, keyID string, wait time.Duration) (res *http.Response, body []byte, written int64) {
	t.Helper()
	pr, pw := io.Pipe()
	blocked := make(chan struct{}) // closed when the test ends: the client's body resumes
	t.Cleanup(func() { close(blocked) })
	var sent atomic.Int64
	go func() {
		n, _ := pw.Write(bytes.Repeat([]byte(" "), 1024))
		sent.Add(int64(n))
		<-blocked
		pw.CloseWithError(errors.New("test over"))
	}()
	r, _ := http.NewRequest(method, s.URL()+"/", pr)
	r.ContentLength = length
	r.Header.Set("X-Amz-Target", targetPrefix+"DescribeLogGroups")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+keyID+"/20250601/us-east-1/logs/aws4_request, SignedHeaders=host, Signature="+strings.Repeat("0", 64))
	r.Header.Set("X-Amz-Date", testNow.Format(sigv4.TimeFormat))
	type result struct {
		res *http.Response
		err error
	}
	done := make(chan result, 1)
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
		return got.res, raw, sent.Load()
	case <-time.After(wait):
		t.Fatal("no answer while the client was still sending its body")
		return nil, nil, 0
	}
}
