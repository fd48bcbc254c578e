package faultproxy

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestFaults(t *testing.T) {
	var hits atomic.Int64
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Host", r.Host)
		_, _ = w.Write(append([]byte("ok:"), b...))
	}))
	defer up.Close()
	cases := []struct {
		fault      Fault
		wantStatus int // 0: transport error
		wantBody   string
		wantHits   int64
		count      func(Counts) int64
	}{
		{None, 200, "ok:x", 1, func(c Counts) int64 { return c.Forwarded }},
		{ServerError, 500, "ServiceUnavailableException", 0, func(c Counts) int64 { return c.ServerErrors }},
		{Throttle, 400, "ThrottlingException", 0, func(c Counts) int64 { return c.Throttles }},
		{Reset, 0, "", 0, func(c Counts) int64 { return c.Resets }},
		{Slow, 0, "", 0, func(c Counts) int64 { return c.Slow }},
		{LostResponse, 0, "", 1, func(c Counts) int64 { return c.LostResponses }},
	}
	for _, tc := range cases {
		t.Run(tc.fault.String(), func(t *testing.T) {
			hits.Store(0)
			p, err := New(Config{Upstream: up.URL, Schedule: []Fault{tc.fault}, SlowDelay: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			ps := httptest.NewServer(p)
			defer ps.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "POST", ps.URL+"/p?q=1", strings.NewReader("x"))
			req.Host = "logs.example"
			resp, err := http.DefaultClient.Do(req)
			if tc.wantStatus == 0 {
				if err == nil {
					resp.Body.Close()
					t.Fatalf("got HTTP %d, want a transport error", resp.StatusCode)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != tc.wantStatus || !strings.Contains(string(b), tc.wantBody) {
					t.Fatalf("got %d %s", resp.StatusCode, b)
				}
				if tc.fault == None && resp.Header.Get("X-Host") != "logs.example" {
					t.Errorf("Host not kept: %q", resp.Header.Get("X-Host"))
				}
			}
			time.Sleep(50 * time.Millisecond)
			if hits.Load() != tc.wantHits {
				t.Errorf("upstream hits %d, want %d", hits.Load(), tc.wantHits)
			}
			c := p.Counts()
			if tc.count(c) != 1 || c.Requests != 1 {
				t.Errorf("counts %+v", c)
			}
			if tc.fault == LostResponse && (len(p.LostBodies()) != 1 || string(p.LostBodies()[0]) != "x") {
				t.Errorf("lost bodies %q", p.LostBodies())
			}
			// After the schedule: forwarded untouched.
			resp, err = http.Post(ps.URL, "text/plain", strings.NewReader("y"))
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("second request: %v", err)
			}
			resp.Body.Close()
			p.CloseIdleConnections()
		})
	}
}

func TestProbabilities(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer up.Close()
	p, err := New(Config{Upstream: up.URL, ServerError: 0.2, Throttle: 0.2, Seed: 7,
		Eligible: func(r *http.Request) bool { return r.URL.Path == "/f" }})
	if err != nil {
		t.Fatal(err)
	}
	ps := httptest.NewServer(p)
	defer ps.Close()
	for i := range 400 {
		path := "/f"
		if i%2 == 1 {
			path = "/n"
		}
		resp, err := http.Post(ps.URL+path, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if path == "/n" && resp.StatusCode != 200 {
			t.Fatal("ineligible request got a fault")
		}
	}
	c := p.Counts()
	if c.ServerErrors < 20 || c.ServerErrors > 60 || c.Throttles < 20 || c.Throttles > 60 || c.Injected() != c.ServerErrors+c.Throttles {
		t.Errorf("counts %+v (expected about 40 each of 200 eligible)", c)
	}
	p.SetEnabled(false)
	resp, _ := http.Post(ps.URL+"/f", "", nil)
	resp.Body.Close()
	if p.Counts().Injected() != c.Injected() {
		t.Error("disabled proxy injected")
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []Config{{}, {Upstream: "::"}, {Upstream: "http://x", Reset: 1.5}, {Upstream: "http://x", Reset: 0.6, Slow: 0.6}} {
		if _, err := New(c); err == nil {
			t.Errorf("New(%+v) accepted", c)
		}
	}
}
