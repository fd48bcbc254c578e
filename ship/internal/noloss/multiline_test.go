package noloss_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/ship"
)

// TestMultilineLocalServer: a Go panic with the tracebacks of two goroutines,
// as the runtime printed it (ship/testdata/multiline/goroutine-all.txt), goes
// through a MultilineWriter and a Shipper into the local server, between two
// log lines, written in the small pieces a pipe delivers; reading the stream
// back gives three events, the traceback whole and unchanged, stamped with
// the time its first line was written.
func TestMultilineLocalServer(t *testing.T) {
	trace, err := os.ReadFile(filepath.Join("..", "..", "testdata", "multiline", "goroutine-all.txt"))
	if err != nil {
		t.Fatal(err)
	}
	srv := startLocalServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := newClient(t, srv.URL(), 10*time.Second)
	if err := c.CreateLogGroup(ctx, &cwlogs.CreateLogGroupInput{LogGroupName: "app"}); err != nil {
		t.Fatal(err)
	}
	s, err := ship.New(c, "app", "host-1", nil) // creates the stream on first use
	if err != nil {
		t.Fatal(err)
	}
	base := time.Now().Truncate(time.Millisecond)
	clock := base
	w, err := ship.NewMultilineWriter(s, &ship.MultilineOptions{
		Continue: regexp.MustCompile(ship.GoTracebackPattern),
		Now:      func() time.Time { clock = clock.Add(time.Millisecond); return clock }, // one ms per Write
	})
	if err != nil {
		t.Fatal(err)
	}
	input := string(trace) + "2025-01-01T00:00:01Z INFO restarted\n"
	writes := 0
	for rest := input; rest != ""; writes++ {
		n := min(len(rest), 64)
		if k, err := w.Write([]byte(rest[:n])); k != n || err != nil {
			t.Fatalf("Write = %d, %v", k, err)
		}
		rest = rest[n:]
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}

	lines := strings.Split(strings.TrimSuffix(string(trace), "\n"), "\n")
	want := []string{lines[0], strings.Join(lines[1:], "\n"), "2025-01-01T00:00:01Z INFO restarted"}
	// The Write that completes a line stamps the event it starts.
	stamp := func(line string) int64 {
		end := strings.Index(input, line+"\n") + len(line) // the line's "\n"
		return base.Add(time.Duration(end/64+1) * time.Millisecond).UnixMilli()
	}
	wantTS := []int64{stamp(want[0]), stamp(lines[1]), stamp(want[2])}
	out, err := c.GetLogEvents(ctx, &cwlogs.GetLogEventsInput{LogGroupName: "app", LogStreamName: "host-1", StartFromHead: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var gotTS []int64
	for _, e := range out.Events {
		got = append(got, e.Message)
		gotTS = append(gotTS, e.Timestamp)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("stored %d events %q\nwant %d events %q", len(got), got, len(want), want)
	}
	if !slices.Equal(gotTS, wantTS) {
		t.Errorf("timestamps %v, want %v (base %d, %d writes)", gotTS, wantTS, base.UnixMilli(), writes)
	}
}
