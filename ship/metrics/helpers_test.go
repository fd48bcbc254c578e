package metrics_test

import (
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/ship"
	"github.com/cwlogs/cwlogs/ship/spool"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// fakeService is an httptest stand-in for CloudWatch Logs whose answers to
// PutLogEvents are scripted: the i-th call gets answers[i] (a status and a
// body), the ones past the script 200 "{}".
type fakeService struct {
	mu      sync.Mutex
	calls   int
	answers []answer
}

type answer struct {
	status int
	body   string
}

func (f *fakeService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	if !strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".PutLogEvents") {
		_, _ = w.Write([]byte("{}"))
		return
	}
	f.mu.Lock()
	a := answer{200, "{}"}
	if f.calls < len(f.answers) {
		a = f.answers[f.calls]
	}
	f.calls++
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(a.status)
	_, _ = w.Write([]byte(a.body))
}

// newClient returns a client of a fake service answering answers.
func newClient(t testing.TB, answers ...answer) *cwlogs.Client {
	t.Helper()
	srv := httptest.NewServer(&fakeService{answers: answers})
	t.Cleanup(srv.Close)
	c, err := cwlogs.New("us-east-1", "AKIDEXAMPLE", "not-a-real-secret",
		cwlogs.WithEndpoint(srv.URL), cwlogs.WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// drivenShipper returns a closed Shipper whose counters are known:
// Events 7, Sent 3, Bytes 81, Batches 3 (the old event is cut off: a batch
// spans at most 24 h), Requests 4, Retries 1, Rejected
// TooOld 1, Dropped Empty 1, TooLarge 1, Closed 1.
func drivenShipper(t testing.TB) *ship.Shipper {
	t.Helper()
	client := newClient(t,
		answer{500, `{"__type":"ServiceUnavailableException","message":"try again"}`},
		answer{200, "{}"},
		answer{200, `{"rejectedLogEventsInfo":{"tooOldLogEventEndIndex":1}}`},
	)
	s, err := ship.New(client, "app", "web-1", &ship.Options{
		Concurrency: 1, InitialBackoff: time.Millisecond, MaxBackoff: time.Millisecond,
		MaxMessageBytes: 100, Oversize: ship.Drop,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Now()
	s.Log(now, "a")
	s.Log(now, "b")
	if err := s.Flush(ctx); err != nil {
		t.Fatalf("first flush: %v", err)
	}
	s.Log(now.Add(-13*24*time.Hour), "o") // rejected by the fake as too old
	s.Log(now, "c")
	_ = s.Flush(ctx) // reports the rejection
	s.Log(now, "")
	s.Log(now, strings.Repeat("x", 101))
	_ = s.Close(ctx)
	s.Log(now, "late")
	return s
}

// drivenSpool returns a closed Spool that delivered 3 records to a shipper,
// and refused one too large and one empty.
func drivenSpool(t testing.TB) *spool.Spool {
	t.Helper()
	s, err := ship.New(newClient(t), "app", "spooled", &ship.Options{Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	sp, err := spool.Open(t.TempDir(), s, &spool.Options{MaxMessageBytes: 100, Sync: spool.SyncNever})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, m := range []string{"one", "two", "three", "", strings.Repeat("y", 101)} {
		_ = sp.Log(now, m)
	}
	ctx := context.Background()
	var ce *spool.CloseError // it counts the two records refused
	if err := sp.Close(ctx); err != nil && !errors.As(err, &ce) {
		t.Fatalf("spool close: %v", err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatalf("shipper close: %v", err)
	}
	return sp
}

var lastErrorLine = regexp.MustCompile(`(?m)^(cwlogs_(?:ship|spool)_last_error_timestamp_seconds(?:\{[^}]*\})?) (\S+)$`)

// checkLastError checks that every last_error_timestamp_seconds sample of
// out is want (0 or the time to the millisecond), and replaces their values
// by LAST_ERROR for a golden comparison.
func checkLastError(t *testing.T, out string, want map[string]time.Time) string {
	t.Helper()
	return lastErrorLine.ReplaceAllStringFunc(out, func(line string) string {
		m := lastErrorLine.FindStringSubmatch(line)
		w, ok := want[m[1]]
		if !ok {
			t.Errorf("unexpected sample %s", line)
			return line
		}
		v, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			t.Errorf("%s: %v", line, err)
		}
		if w.IsZero() {
			if v != 0 {
				t.Errorf("%s: want 0 (no error)", line)
			}
		} else if ms := int64(v*1000 + 0.5); ms != w.UnixMilli() {
			t.Errorf("%s: want %d ms since the epoch", line, w.UnixMilli())
		}
		return m[1] + " LAST_ERROR"
	})
}

// golden compares got with testdata/name, rewritten with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update to rewrite):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
