package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
)

// TestTailFollow runs tail --follow while events arrive: every event is
// printed exactly once (including one that arrives late, older than events
// already printed), and SIGINT ends it with status 0.
func TestTailFollow(t *testing.T) {
	url := startLocal(t)
	ctx := context.Background()
	cl := seedClient(t, url)
	createGroup(t, cl, "follow", "a", "b")
	put := func(stream string, ts int64, msgs ...string) {
		t.Helper()
		in := &cwlogs.PutLogEventsInput{LogGroupName: "follow", LogStreamName: stream}
		for _, m := range msgs {
			in.LogEvents = append(in.LogEvents, cwlogs.InputLogEvent{Timestamp: ts, Message: m})
		}
		if _, err := cl.PutLogEvents(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now().UnixMilli()
	put("a", now-20_000, "old-1", "old-2") // before the tail starts

	c := newCLI(t, url)
	cmd := exec.Command(binPath, "tail", "follow", "--follow", "--since", "1m", "--output", "json")
	cmd.Env = c.environ()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	var mu sync.Mutex
	var lines []eventJSON
	got := make(chan struct{}, 100)
	readDone := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var e eventJSON
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				readDone <- fmt.Errorf("bad line %q: %v", sc.Text(), err)
				return
			}
			mu.Lock()
			lines = append(lines, e)
			mu.Unlock()
			got <- struct{}{}
		}
		readDone <- sc.Err()
	}()
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(lines) }
	waitFor := func(n int) {
		t.Helper()
		deadline := time.After(20 * time.Second)
		for count() < n {
			select {
			case <-got:
			case <-deadline:
				t.Fatalf("waited for %d events, have %d; stderr: %s", n, count(), stderr.String())
			}
		}
	}

	waitFor(2)
	// New events while it runs: the newest first, then one 2 s older that
	// arrives late on another stream, and two with equal timestamps.
	now = time.Now().UnixMilli()
	put("a", now, "new-1")
	waitFor(3)
	put("b", now-2000, "late-1")
	put("a", now+1, "same-ts-1", "same-ts-2")
	waitFor(6)
	// Several more polls re-read the overlap window: nothing may repeat.
	time.Sleep(3500 * time.Millisecond)

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	waitErr := make(chan error, 1)
	go func() {
		<-readDone
		waitErr <- cmd.Wait()
	}()
	select {
	case err := <-waitErr:
		if err != nil {
			t.Fatalf("tail --follow after SIGINT: %v (want exit 0); stderr: %s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("tail --follow did not exit after SIGINT")
	}
	if stderr.Len() > 0 {
		t.Errorf("stderr: %s", stderr.String())
	}
	mu.Lock()
	defer mu.Unlock()
	seenMsg := map[string]int{}
	seenID := map[string]bool{}
	for _, e := range lines {
		seenMsg[e.Message]++
		if seenID[e.EventID] {
			t.Errorf("event id %s printed twice", e.EventID)
		}
		seenID[e.EventID] = true
	}
	for _, m := range []string{"old-1", "old-2", "new-1", "late-1", "same-ts-1", "same-ts-2"} {
		if seenMsg[m] != 1 {
			t.Errorf("message %q printed %d times, want 1", m, seenMsg[m])
		}
	}
	if len(lines) != 6 {
		t.Errorf("%d events printed, want 6: %+v", len(lines), lines)
	}
}

// TestTailerWindow checks where each poll of tail --follow starts reading.
func TestTailerWindow(t *testing.T) {
	tr := &tailer{start: 1000, seen: map[string]int64{}}
	if got := tr.windowStart(); got != 1000 {
		t.Errorf("windowStart with nothing seen = %d, want the start 1000", got)
	}
	tr.newest = 100_000
	if got, want := tr.windowStart(), int64(100_000-tailOverlap.Milliseconds()); got != want {
		t.Errorf("windowStart = %d, want %d", got, want)
	}
	tr.newest = 2000
	if got := tr.windowStart(); got != 1000 {
		t.Errorf("windowStart never goes before the start: got %d", got)
	}
}
