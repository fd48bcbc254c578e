//go:build unix

package main

import (
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// freePort returns a loopback address nothing listens on (it was free a
// moment ago).
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestPutMetrics: put --file --metrics-listen serves the shipper's counters
// in the Prometheus text format while it follows the file.
func TestPutMetrics(t *testing.T) {
	c := newCLI(t, startLocal(t))
	path := filepath.Join(t.TempDir(), "app.log")
	writeLog(t, path, "a\nb\n")
	addr := freePort(t)
	p := startPutFile(t, c, "--create", "--file", path, "--from-start", "--metrics-listen", addr, "pm", "host-1")
	const want = `cwlogs_ship_sent_events_total{log_group="pm",log_stream="host-1"} 3`
	var body, ctype string
	wrote := false
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get("http://" + addr + "/metrics"); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body, ctype = string(b), resp.Header.Get("Content-Type")
			if !wrote && strings.Contains(body, `cwlogs_ship_events_total{log_group="pm",log_stream="host-1"} 2`) {
				writeLog(t, path, "c\n") // once the first two are read
				wrote = true
			}
			if strings.Contains(body, want) {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s in /metrics:\n%s", want, body)
		}
	}
	if ctype != "text/plain; version=0.0.4; charset=utf-8" {
		t.Errorf("Content-Type %q", ctype)
	}
	if sum := p.interrupt(); !strings.Contains(sum, "events=3 sent=3 ") || !strings.Contains(sum, "metrics at http://"+addr+"/metrics") {
		t.Errorf("summary: %q", sum)
	}
	if _, err := http.Get("http://" + addr + "/metrics"); err == nil {
		t.Errorf("/metrics still served after put exited")
	}
}

// TestPutFilesMetrics: with --files, the Mux is served labelled with the group.
func TestPutFilesMetrics(t *testing.T) {
	c := newCLI(t, startLocal(t))
	dir := t.TempDir()
	writeLog(t, filepath.Join(dir, "x.log"), "1\n2\n")
	writeLog(t, filepath.Join(dir, "y.log"), "3\n")
	addr := freePort(t)
	p := startPutFile(t, c, "--create", "--from-start", "--files", filepath.Join(dir, "*.log"), "--metrics-listen", addr, "pmf")
	const want = `cwlogs_ship_sent_events_total{log_group="pmf"} 3`
	var body string
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(body, want); time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get("http://" + addr + "/metrics"); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s in /metrics:\n%s", want, body)
		}
	}
	p.interrupt()
}

// TestPutMetricsListenRefused: a malformed address is a usage error naming
// the flag and the address, before anything is sent; one in use is refused too.
func TestPutMetricsListenRefused(t *testing.T) {
	c := newCLI(t, "http://127.0.0.1:1")
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, tc := range []struct {
		code int
		args []string
		want string
	}{
		{2, []string{"put", "--metrics-listen", "9464", "g", "s", "m"}, `--metrics-listen "9464": not HOST:PORT`},
		{2, []string{"put", "--metrics-listen", "127.0.0.1", "g", "s", "m"}, `--metrics-listen "127.0.0.1": not HOST:PORT`},
		{2, []string{"put", "--metrics-listen", "127.0.0.1:70000", "g", "s", "m"}, `--metrics-listen "127.0.0.1:70000": port "70000" is not a number from 0 to 65535`},
		{2, []string{"put", "--metrics-listen", "127.0.0.1:http", "g", "s", "m"}, `port "http" is not a number`},
		{2, []string{"put", "--metrics-listen", ":9464", "g", "s", "m"}, `--metrics-listen ":9464": give a host: 127.0.0.1:9464 for this machine only, 0.0.0.0:9464 for every interface`},
		{2, []string{"put", "--metrics-listen", "http://127.0.0.1:9464", "g", "s", "m"}, `--metrics-listen "http://127.0.0.1:9464": `},
		{2, []string{"put", "--metrics-listen", "localhost", "--files", "/nonexistent/*.log", "g"}, `--metrics-listen "localhost": not HOST:PORT`},
		{1, []string{"put", "--metrics-listen", busy.Addr().String(), "g", "s", "m"}, `--metrics-listen "` + busy.Addr().String() + `": listen tcp`},
	} {
		r := c.mustRun(tc.code, "", tc.args...)
		if !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: stderr %q, want %q", tc.args, r.stderr, tc.want)
		}
	}
}
