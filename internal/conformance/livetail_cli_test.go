package conformance

import (
	"bufio"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
)

// TestAWSCLILiveTail runs `aws logs start-live-tail` (AWS CLI v1: botocore decodes the
// event stream and prints each event's message) against the local server with strict
// credentials, and checks that the events put after the session started are printed,
// in order and unaltered. AWS CLI v2 as Debian packages it (2.9) predates StartLiveTail.
//
// botocore sends StartLiveTail to "stream-" + the endpoint's host (the model's
// hostPrefix); AWS_DISABLE_HOST_PREFIX_INJECTION=true keeps it on 127.0.0.1.
func TestAWSCLILiveTail(t *testing.T) {
	t.Parallel()
	cli := findCLI(t, 1)
	srv := startServer(t)
	cli.configure(t, srv.URL(), testAccessKeyID, testSecretAccessKey)
	cli = cli.with("AWS_DISABLE_HOST_PREFIX_INJECTION=true")
	ctx := context.Background()
	c := newClient(t, srv.URL())
	const group, stream = "live-cli", "s"
	if err := c.CreateLogGroup(ctx, &cwlogs.CreateLogGroupInput{LogGroupName: group}); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateLogStream(ctx, &cwlogs.CreateLogStreamInput{LogGroupName: group, LogStreamName: stream}); err != nil {
		t.Fatal(err)
	}
	arn := fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", testRegion, testAccountID, group)

	// A name instead of an ARN is refused before any stream starts.
	cli.fail(t, "InvalidParameterException", "StartLiveTail", "The log group identifier "+group+" is not a log group ARN*", "start-live-tail", "--log-group-identifiers", group)

	pctx, cancel := context.WithTimeout(ctx, cliTimeout)
	defer cancel()
	cmd := exec.CommandContext(pctx, cli.path, "logs", "start-live-tail", "--log-group-identifiers", arn,
		"--endpoint-url", cli.endpoint)
	cmd.Env = cli.env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	put := func(msg string) {
		t.Helper()
		if _, err := c.PutLogEvents(ctx, &cwlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: stream,
			LogEvents: []cwlogs.InputLogEvent{{Timestamp: time.Now().UnixMilli(), Message: msg}}}); err != nil {
			t.Fatal(err)
		}
	}
	next := func(wait time.Duration) (string, bool) {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("aws logs start-live-tail ended: %v\nstderr: %s", cmd.Wait(), stderr.String())
			}
			return l, true
		case <-time.After(wait):
			return "", false
		}
	}
	// The CLI's session starts at a moment we cannot see: put until a warm-up event shows.
	deadline := time.Now().Add(30 * time.Second)
	for i := 0; ; i++ {
		if time.Now().After(deadline) {
			t.Fatalf("no event printed in 30 s; stderr: %s", stderr.String())
		}
		put(fmt.Sprintf("warm-up %d", i))
		if l, ok := next(500 * time.Millisecond); ok {
			if !strings.HasPrefix(l, "warm-up ") {
				t.Fatalf("first line %q, want a warm-up event", l)
			}
			break
		}
	}
	want := []string{`quotes " and \ backslash`, "unicode: żółw 🐢", "tab\there"}
	for _, m := range want {
		put(m)
	}
	var got []string
	for len(got) < len(want) {
		l, ok := next(10 * time.Second)
		if !ok {
			t.Fatalf("printed %q, then nothing for 10 s; want %q", got, want)
		}
		if strings.HasPrefix(l, "warm-up ") { // later warm-ups, put before the first showed
			continue
		}
		got = append(got, l)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: %q, want %q", i, got[i], want[i])
		}
	}
}
