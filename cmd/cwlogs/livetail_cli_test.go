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
	"github.com/cwlogs/cwlogs/internal/testpeer"
	"github.com/cwlogs/cwlogs/localserver"
)

// liveRun is a tail --live process whose stdout lines are collected.
type liveRun struct {
	cmd    *exec.Cmd
	stderr testpeer.LockedBuffer
	mu     sync.Mutex
	lines  []string
	done   chan error // the process's end, after its stdout
}

func startLive(t *testing.T, url string, args ...string) *liveRun {
	t.Helper()
	r := &liveRun{done: make(chan error, 1)}
	r.cmd = exec.Command(binPath, append([]string{"tail"}, args...)...)
	r.cmd.Env = newCLI(t, url).environ()
	stdout, err := r.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	r.cmd.Stderr = &r.stderr
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.cmd.Process.Kill() })
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			r.mu.Lock()
			r.lines = append(r.lines, sc.Text())
			r.mu.Unlock()
		}
		r.done <- r.cmd.Wait()
	}()
	return r
}

func (r *liveRun) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.lines...)
}

// waitLines waits for n lines of output, calling poke every 300 ms meanwhile (events put
// before the session started are not in it).
func (r *liveRun) waitLines(t *testing.T, n int, poke func()) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for len(r.got()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("waited for %d lines, have %d; stderr: %s", n, len(r.got()), r.stderr.String())
		}
		if poke != nil {
			poke()
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// waitCount waits for n lines of output containing sub.
func (r *liveRun) waitCount(t *testing.T, sub string, n int) {
	t.Helper()
	count := func() (c int) {
		for _, l := range r.got() {
			if strings.Contains(l, sub) {
				c++
			}
		}
		return c
	}
	for deadline := time.Now().Add(20 * time.Second); count() < n; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited for %d lines with %q, have %d; stderr: %s", n, sub, count(), r.stderr.String())
		}
	}
	if c := count(); c != n {
		t.Fatalf("%d lines with %q, want %d", c, sub, n)
	}
}

func (r *liveRun) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-r.done:
		return err
	case <-time.After(15 * time.Second):
		t.Fatal("tail --live did not exit")
	}
	return nil
}

func putN(t *testing.T, cl *cwlogs.Client, group, stream string, msgs ...string) {
	t.Helper()
	now := time.Now().UnixMilli()
	in := &cwlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: stream}
	for _, m := range msgs {
		in.LogEvents = append(in.LogEvents, cwlogs.InputLogEvent{Timestamp: now, Message: m})
	}
	if _, err := cl.PutLogEvents(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

// TestTailLive: tail --live prints the events of a Live Tail session against the local
// server as tail prints them, says once that updates are sampled, and ends with status 0
// on SIGINT.
func TestTailLive(t *testing.T) {
	url := startLocal(t)
	cl := seedClient(t, url)
	createGroup(t, cl, "live", "web-1", "db-1")
	r := startLive(t, url, "live", "--live", "--stream-prefix", "web-", "--pattern", "ERROR", "--output", "json")
	r.waitLines(t, 1, func() {
		putN(t, cl, "live", "db-1", "ERROR not this stream")
		putN(t, cl, "live", "web-1", "INFO not this pattern", "ERROR first")
	})
	// A marker put after the last poke, printed: the tick holding it (and every poke's
	// event) is cut, so no poke takes a place in the 500-event sample of a batch below
	// (a late poke in a's tick made 499 "ERROR a" lines).
	putN(t, cl, "live", "web-1", "ERROR mark")
	r.waitCount(t, "ERROR mark", 1)
	var e eventJSON
	if err := json.Unmarshal([]byte(r.got()[0]), &e); err != nil || e.Message != "ERROR first" || e.LogStreamName != "web-1" || e.Timestamp == 0 {
		t.Fatalf("first line %q: %+v, %v", r.got()[0], e, err)
	}
	// Two sampled updates (over 500 matching events each): said once.
	many := func(tag string) []string {
		m := make([]string, 600)
		for i := range m {
			m[i] = fmt.Sprintf("ERROR %s %d", tag, i)
		}
		return m
	}
	// Counted by tag: a late "ERROR first" of the pokes above must not stand for one.
	putN(t, cl, "live", "web-1", many("a")...)
	r.waitCount(t, "ERROR a ", 500)
	putN(t, cl, "live", "web-1", many("b")...)
	r.waitCount(t, "ERROR b ", 500)
	for _, l := range r.got() {
		if strings.Contains(l, "not this") {
			t.Errorf("printed %s", l)
		}
	}
	if err := r.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := r.wait(t); err != nil {
		t.Fatalf("after SIGINT: %v (want exit 0); stderr: %s", err, r.stderr.String())
	}
	if n := strings.Count(r.stderr.String(), "sample"); n != 1 {
		t.Errorf("stderr says 'sample' %d times, want once: %s", n, r.stderr.String())
	}
}

// TestTailLiveGroups: several groups, names and an ARN, in text: the stream column
// holds the group too.
func TestTailLiveGroups(t *testing.T) {
	url := startLocal(t)
	cl := seedClient(t, url)
	createGroup(t, cl, "g-one", "s")
	createGroup(t, cl, "g-two", "s")
	out, err := cl.DescribeLogGroups(context.Background(), &cwlogs.DescribeLogGroupsInput{LogGroupNamePrefix: "g-two"})
	if err != nil || len(out.LogGroups) != 1 {
		t.Fatal(out, err)
	}
	r := startLive(t, url, "g-one", out.LogGroups[0].LogGroupArn+":*", "--live", "--output", "text")
	r.waitLines(t, 2, func() {
		putN(t, cl, "g-one", "s", "from one")
		putN(t, cl, "g-two", "s", "from two")
	})
	var one, two bool
	for _, l := range r.got() {
		one = one || strings.HasSuffix(l, "  g-one  s  from one")
		two = two || strings.HasSuffix(l, "  g-two  s  from two")
	}
	if !one || !two {
		t.Errorf("lines %q", r.got())
	}
	r.cmd.Process.Signal(syscall.SIGINT)
	if err := r.wait(t); err != nil {
		t.Fatalf("after SIGINT: %v; stderr: %s", err, r.stderr.String())
	}
}

// TestTailLiveTimeout: the session timeout ends tail --live with status 1 and says so.
func TestTailLiveTimeout(t *testing.T) {
	url := startLocalWith(t, localserver.Config{Memory: true, Addr: "127.0.0.1:0", LiveTailTimeout: 1500 * time.Millisecond})
	createGroup(t, seedClient(t, url), "short", "s")
	res := newCLI(t, url).mustRun(1, "", "tail", "short", "--live")
	if !strings.Contains(res.stderr, "the Live Tail session timed out: the service ends a session after 3 hours (SessionTimeoutException") ||
		!strings.Contains(res.stderr, "run 'cwlogs tail --live' again") {
		t.Errorf("stderr: %s", res.stderr)
	}
}

func TestTailLiveUsage(t *testing.T) {
	url := startLocal(t)
	createGroup(t, seedClient(t, url), "there", "s")
	c := newCLI(t, url)
	usage := func(msg string) string { return "cwlogs tail: " + msg + "\nRun 'cwlogs tail --help' for usage.\n" }
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = "there"
	}
	for _, tt := range []struct {
		args   []string
		want   int
		stderr string
	}{
		{[]string{"there", "--live", "--since", "1h"}, 2,
			usage("--since cannot be used with --live: a Live Tail session shows the events ingested from now on, none before")},
		{append(eleven, "--live"), 2, usage("11 log groups: --live tails at most 10")},
		{[]string{"--live"}, 2, usage("missing arguments: want GROUP... (1 to 10 log groups with --live)")},
		{[]string{"there", "there", "--live", "--stream", "s"}, 2,
			usage("--stream and --stream-prefix need a single log group with --live (the service refuses them with 2)")},
		{[]string{"there", "--live", "--stream", "a", "--stream-prefix", "b"}, 2,
			usage("--stream and --stream-prefix cannot be combined (the service refuses both)")},
		{[]string{"there", "another"}, 2, usage(`too many arguments ["another"]: want GROUP`)},
		{[]string{"nowhere", "--live"}, 1, "cwlogs: log group nowhere does not exist\n"},
	} {
		r := c.mustRun(tt.want, "", append([]string{"tail"}, tt.args...)...)
		if r.stderr != tt.stderr {
			t.Errorf("tail %q: stderr %q, want %q", tt.args, r.stderr, tt.stderr)
		}
	}
}

// TestTailLiveFollow: --follow (and -f) with --live is accepted and changes nothing (a
// session always follows), and the help says so. It was accepted silently: tail's help
// did not say what --follow does with --live.
func TestTailLiveFollow(t *testing.T) {
	url := startLocal(t)
	cl := seedClient(t, url)
	createGroup(t, cl, "livef", "s")
	help := newCLI(t, url).mustRun(0, "", "help", "tail")
	if !strings.Contains(help.stdout, "A session always follows: --follow (-f) may be given with --live and changes nothing.") ||
		!strings.Contains(help.stdout, "GROUP... --live [--follow] ") {
		t.Errorf("tail's help does not say what --follow does with --live:\n%s", help.stdout)
	}
	for _, flag := range []string{"--follow", "-f"} {
		r := startLive(t, url, "livef", "--live", flag, "--output", "json")
		r.waitLines(t, 1, func() { putN(t, cl, "livef", "s", "followed "+flag) })
		if !strings.Contains(r.got()[0], `"message":"followed `+flag+`"`) {
			t.Errorf("%s: first line %q", flag, r.got()[0])
		}
		r.cmd.Process.Signal(syscall.SIGINT)
		if err := r.wait(t); err != nil {
			t.Fatalf("%s: after SIGINT: %v (want exit 0); stderr: %s", flag, err, r.stderr.String())
		}
	}
}
