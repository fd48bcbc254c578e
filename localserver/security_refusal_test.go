package localserver

import (
	"fmt"
	"net/http"
	"testing"
	"time"
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
			res, raw, _ := sendStalledBody(t, &http.Client{Transport: &http.Transport{}}, s, tc.method, tc.length, "AKIDEXAMPLE", 5*time.Second)
			if res.StatusCode != tc.status || res.Header.Get("X-Amzn-Errortype") != tc.code || !res.Close {
				t.Errorf("got %d %v %s, want %d %s and Connection: close", res.StatusCode, res.Header, raw, tc.status, tc.code)
			}
		})
	}
}
