package main

import (
	"io"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestPutInterrupted: Ctrl-C while put waits on an open stdin sends what was
// read, prints the summary and exits 0.
func TestPutInterrupted(t *testing.T) {
	c := newCLI(t, startLocal(t))
	c.mustRun(0, "", "create-group", "intr")
	c.mustRun(0, "", "create-stream", "intr", "s")
	cmd := exec.Command(binPath, "put", "intr", "s")
	cmd.Env = c.environ()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	io.WriteString(stdin, "one\ntwo\nthree\n")
	time.Sleep(500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("put after SIGINT: %v; stderr %s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		t.Fatal("put did not exit after SIGINT")
	}
	if !strings.Contains(stderr.String(), "events=3 sent=3 ") {
		t.Errorf("summary: %q", stderr.String())
	}
	r := c.mustRun(0, "", "get", "intr", "s")
	if strings.Count(r.stdout, "\n") != 3 {
		t.Errorf("get: %q", r.stdout)
	}
}

// TestPutLargeInput sends more than one batch's worth of events from stdin.
func TestPutLargeInput(t *testing.T) {
	c := newCLI(t, startLocal(t))
	var b strings.Builder
	const n = 25_000
	for i := 0; i < n; i++ {
		b.WriteString("event number ")
		b.WriteString(strings.Repeat("x", i%50))
		b.WriteString("\n")
	}
	r := c.mustRun(0, b.String(), "put", "--create", "big", "s", "--output", "json")
	if !strings.Contains(r.stdout, `"events":25000,"sent":25000,`) || strings.Contains(r.stdout, `"batches":1,`) || strings.Contains(r.stdout, `"batches":2,`) {
		t.Errorf("summary: %s", r.stdout)
	}
	r = c.mustRun(0, "", "get", "big", "s", "--output", "json")
	if got := strings.Count(r.stdout, "\n"); got != n {
		t.Errorf("get returned %d events, want %d", got, n)
	}
}
