package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestGlobalGzip: with --gzip, put sends its PutLogEvents bodies gzip-compressed, and the
// local server stores the lines unaltered; without it, nothing is compressed. A proxy in
// front of the server records each PutLogEvents request's Content-Encoding.
func TestGlobalGzip(t *testing.T) {
	target, err := url.Parse(startLocal(t))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var encodings []string
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".PutLogEvents") {
			mu.Lock()
			encodings = append(encodings, r.Header.Get("Content-Encoding"))
			mu.Unlock()
		}
		proxy.ServeHTTP(w, r) // the Host header is kept: the signature covers it
	}))
	t.Cleanup(srv.Close)
	c := newCLI(t, srv.URL)
	c.mustRun(0, "", "create-group", "gz")
	c.mustRun(0, "", "create-stream", "gz", "s")
	var lines []string
	for i := range 300 {
		lines = append(lines, fmt.Sprintf(`{"level":"info","sensor":"temp-%02d","celsius":%d.%d,"msg":"reading"}`, i%16, 18+i%7, i%10))
	}
	taken := func() []string {
		mu.Lock()
		defer mu.Unlock()
		e := encodings
		encodings = nil
		return e
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--gzip", "put", "gz", "s"}, "gzip"},
		{[]string{"put", "gz", "s", "--gzip=false"}, ""},
		{[]string{"put", "gz", "s"}, ""},
	} {
		c.mustRun(0, strings.Join(lines, "\n")+"\n", tc.args...)
		got := taken()
		if len(got) == 0 || slices.ContainsFunc(got, func(e string) bool { return e != tc.want }) {
			t.Errorf("cwlogs %s: PutLogEvents sent with Content-Encoding %q, want %q", strings.Join(tc.args, " "), got, tc.want)
		}
	}
	r := c.mustRun(0, "", "--output", "json", "get", "gz", "s", "--start", "1d")
	if n := strings.Count(r.stdout, `\"sensor\"`); n != 3*len(lines) {
		t.Errorf("get: %d events stored, want %d\n%.500s", n, 3*len(lines), r.stdout)
	}
}
