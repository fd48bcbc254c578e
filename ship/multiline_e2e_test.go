package ship_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/ship"
)

// TestMultilineHTTP: a log line, a Go panic with the traceback of two
// goroutines (as the runtime printed it, GOTRACEBACK=all) and a log line,
// written in the small pieces a pipe delivers, go through a MultilineWriter,
// a Shipper and the real client to an endpoint that checks every
// PutLogEvents rule, and are stored as three events: the traceback whole.
func TestMultilineHTTP(t *testing.T) {
	trace, err := os.ReadFile(filepath.Join("testdata", "multiline", "goroutine-all.txt"))
	if err != nil {
		t.Fatal(err)
	}
	f := newFakeLogs()
	srv := httptest.NewServer(f)
	defer srv.Close()
	s, err := ship.New(newClient(t, srv.URL, 10*time.Second), "g", "s", nil)
	if err != nil {
		t.Fatal(err)
	}
	w, err := ship.NewMultilineWriter(s, &ship.MultilineOptions{Continue: regexp.MustCompile(ship.GoTracebackPattern)})
	if err != nil {
		t.Fatal(err)
	}
	input := string(trace) + "2025-01-01T00:00:01Z INFO restarted\n"
	for rest := input; rest != ""; {
		n := min(len(rest), 100)
		if k, err := w.Write([]byte(rest[:n])); k != n || err != nil {
			t.Fatalf("Write = %d, %v", k, err)
		}
		rest = rest[n:]
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(trace), "\n"), "\n")
	want := []string{lines[0], strings.Join(lines[1:], "\n"), "2025-01-01T00:00:01Z INFO restarted"}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.violations) > 0 {
		t.Fatalf("violations: %v", f.violations)
	}
	var got []string
	for _, e := range f.streams["g/s"] {
		got = append(got, e.Message)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("stored %d events %q\nwant %d events %q", len(got), got, len(want), want)
	}
	nonEmpty := int64(0)
	for l := range strings.SplitSeq(input, "\n") {
		if l != "" {
			nonEmpty++
		}
	}
	if st := w.Stats(); st.Events != 3 || st.Failed != 0 || st.Lines != nonEmpty {
		t.Errorf("writer stats %+v, want 3 events of %d lines", st, nonEmpty)
	}
}
