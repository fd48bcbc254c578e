package metrics_test

import (
	"context"
	"encoding/json"
	"errors"
	"expvar"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/ship"
	"github.com/cwlogs/cwlogs/ship/metrics"
	"github.com/cwlogs/cwlogs/ship/spool"
)

func scrape(t testing.TB, c *metrics.Collector) string {
	t.Helper()
	var b strings.Builder
	if _, err := c.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestDriven scrapes real shippers, a Mux and a Spool whose counters were
// made non-zero by a fake service (a retry after a 500, a rejection) and by
// events they refused, and compares the output with a golden file.
func TestDriven(t *testing.T) {
	s := drivenShipper(t)
	st := s.Stats()
	wantStats := ship.Stats{Events: 7, Sent: 3, Bytes: 81, Batches: 3, Requests: 4, Retries: 1,
		Rejected: ship.Rejected{TooOld: 1}, Dropped: ship.Dropped{Empty: 1, TooLarge: 1, Closed: 1}}
	got := st
	got.LastError, got.LastErrorTime = nil, time.Time{}
	if got != wantStats {
		t.Fatalf("the driven shipper's Stats are %+v, want %+v", got, wantStats)
	}

	mux, err := ship.NewMux(newClient(t), &ship.Options{Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	_ = mux.Log("app", "a", time.Now(), "via mux")
	_ = mux.Log("app", "b", time.Now(), "via mux too")
	if err := mux.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	sp := drivenSpool(t)

	c := metrics.New()
	if _, err := c.AddShipper(s, metrics.Labels{"log_stream": "web-1", "log_group": "app"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddShipper(mux, metrics.Labels{"log_group": "app", "log_stream": "*"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddSpool(sp, metrics.Labels{"spool": "main"}); err != nil {
		t.Fatal(err)
	}
	out := checkLastError(t, scrape(t, c), map[string]time.Time{
		`cwlogs_ship_last_error_timestamp_seconds{log_group="app",log_stream="*"}`:     {},
		`cwlogs_ship_last_error_timestamp_seconds{log_group="app",log_stream="web-1"}`: st.LastErrorTime,
		`cwlogs_spool_last_error_timestamp_seconds{spool="main"}`:                      sp.Stats().LastErrorTime,
	})
	golden(t, "driven.golden", out)
}

// fakeShip and fakeSpool return fixed Stats.
type fakeShip ship.Stats

func (f *fakeShip) Stats() ship.Stats { return ship.Stats(*f) }

type fakeSpool spool.Stats

func (f *fakeSpool) Stats() spool.Stats { return spool.Stats(*f) }

// allShip has every field of ship.Stats set to a value of its own.
var allShip = ship.Stats{
	Events: 1, Queued: 2, QueuedBytes: 3, InFlight: 4, Sent: 5, Bytes: 6, Batches: 7, Requests: 8,
	Retries: 9, Throttled: 10, StreamsCreated: 11, GroupsCreated: 12, Split: 13, Truncated: 14, Clamped: 15,
	Rejected: ship.Rejected{TooNew: 16, TooOld: 17, Expired: 18},
	Dropped: ship.Dropped{Empty: 19, TooLarge: 20, TooOld: 21, TooNew: 22, BufferFull: 23,
		RetryExhausted: 24, PermanentError: 25, Closed: 26},
	LastError:     errors.New(`secret "AKIDEXAMPLE" in an error`),
	LastErrorTime: time.UnixMilli(1764302400123),
}

// allSpool has every field of spool.Stats set to a value of its own.
var allSpool = spool.Stats{
	Offered: 101, Accepted: 102, AcceptedBytes: 103, Recovered: 104, Pending: 105, DiskBytes: 106,
	Segments: 107, Delivered: 108, Checkpoints: 109, Handed: 110, Replayed: 111, Failures: 112, TornBytes: 113,
	Dropped: spool.Dropped{Empty: 114, TooLarge: 115, Full: 116, Closed: 117, WriteError: 118,
		Oldest: 119, Corrupt: 120, Refused: 121, ReplayLimit: 122},
	LastError:     errors.New("disk full"),
	LastErrorTime: time.UnixMilli(1764302400500),
}

// TestEveryField maps every field of the Stats to its sample: each has a
// value of its own, so a field under the wrong name, or missing, shows.
// LastError's text never appears.
func TestEveryField(t *testing.T) {
	c := metrics.New()
	a, b := fakeShip(allShip), fakeSpool(allSpool)
	if _, err := c.AddShipper(&a, metrics.Labels{"log_group": "g", "log_stream": "s"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddShipper(&fakeShip{}, nil); err != nil { // no labels, and no error: 0
		t.Fatal(err)
	}
	if _, err := c.AddSpool(&b, nil); err != nil {
		t.Fatal(err)
	}
	out := scrape(t, c)
	if strings.Contains(out, "AKIDEXAMPLE") || strings.Contains(out, "disk full") {
		t.Errorf("LastError's text is in the output:\n%s", out)
	}
	golden(t, "every_field.golden", out)
	if again := scrape(t, c); again != out {
		t.Errorf("a second scrape differs:\n%s", again)
	}
}

// TestEscaping checks label values are escaped as the text format wants:
// backslash, double quote and line feed only; UTF-8 as is.
func TestEscaping(t *testing.T) {
	for _, tc := range []struct{ value, want string }{
		{`plain`, `plain`},
		{`say "hi"`, `say \"hi\"`},
		{`C:\logs\app`, `C:\\logs\\app`},
		{"two\nlines", `two\nlines`},
		{"tab\there", "tab\there"},
		{`\"` + "\n", `\\\"\n`},
		{"日本語 ✓ émoji 🎉", "日本語 ✓ émoji 🎉"},
		{"", ""},
	} {
		t.Run(tc.value, func(t *testing.T) {
			c := metrics.New()
			if _, err := c.AddShipper(&fakeShip{Sent: 1}, metrics.Labels{"v": tc.value}); err != nil {
				t.Fatal(err)
			}
			want := "\ncwlogs_ship_sent_events_total{v=\"" + tc.want + "\"} 1\n"
			if out := scrape(t, c); !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		})
	}
}

// TestInvalidLabels checks refused labels are named, with the value.
func TestInvalidLabels(t *testing.T) {
	for _, tc := range []struct {
		labels       metrics.Labels
		field, value string
	}{
		{metrics.Labels{"log-group": "x"}, "label name", "log-group"},
		{metrics.Labels{"1st": "x"}, "label name", "1st"},
		{metrics.Labels{"": "x"}, "label name", ""},
		{metrics.Labels{"grüße": "x"}, "label name", "grüße"},
		{metrics.Labels{"a b": "x"}, "label name", "a b"},
		{metrics.Labels{"__name__": "x"}, "label name", "__name__"},
		{metrics.Labels{"reason": "x"}, "label name", "reason"},
		{metrics.Labels{"ok": "fine", "host": "bad\xffutf8"}, "label value", "bad\xffutf8"},
	} {
		t.Run(fmt.Sprint(tc.labels), func(t *testing.T) {
			c := metrics.New()
			for _, add := range []func() (*metrics.Registration, error){
				func() (*metrics.Registration, error) { return c.AddShipper(&fakeShip{}, tc.labels) },
				func() (*metrics.Registration, error) { return c.AddSpool(&fakeSpool{}, tc.labels) },
			} {
				r, err := add()
				var le *metrics.LabelError
				if !errors.As(err, &le) || r != nil {
					t.Fatalf("got %v, %v; want a *LabelError", r, err)
				}
				if le.Field != tc.field || le.Value != tc.value {
					t.Errorf("error %+v: want field %q value %q", le, tc.field, tc.value)
				}
				if msg := err.Error(); !strings.Contains(msg, tc.field) || !strings.Contains(msg, fmt.Sprintf("%q", tc.value)) {
					t.Errorf("error %q does not name the field and the value %q", msg, tc.value)
				}
			}
			if out := scrape(t, c); out != "" {
				t.Errorf("a refused source is scraped:\n%s", out)
			}
		})
	}
}

// TestDuplicateAndRemove checks that two sources of a kind may not share
// labels, and that a removed source is no longer scraped.
func TestDuplicateAndRemove(t *testing.T) {
	c := metrics.New()
	l := metrics.Labels{"log_group": "g"}
	r1, err := c.AddShipper(&fakeShip{Sent: 1}, l)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddShipper(&fakeShip{Sent: 2}, metrics.Labels{"log_group": "g"}); !errors.Is(err, metrics.ErrDuplicate) {
		t.Fatalf("second source with the same labels: got %v, want ErrDuplicate", err)
	}
	if _, err := c.AddSpool(&fakeSpool{}, l); err != nil { // another kind: other families
		t.Fatalf("a spool with a shipper's labels: %v", err)
	}
	r2, err := c.AddShipper(&fakeShip{Sent: 3}, metrics.Labels{"log_group": "h"})
	if err != nil {
		t.Fatal(err)
	}
	out := scrape(t, c)
	for _, want := range []string{`cwlogs_ship_sent_events_total{log_group="g"} 1`, `cwlogs_ship_sent_events_total{log_group="h"} 3`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s", want)
		}
	}
	if n := strings.Count(out, "# TYPE cwlogs_ship_sent_events_total counter\n"); n != 1 {
		t.Errorf("the family is written %d times, want once", n)
	}
	r1.Remove()
	r1.Remove()
	out = scrape(t, c)
	if strings.Contains(out, `log_group="g"} 1`) || !strings.Contains(out, `cwlogs_ship_sent_events_total{log_group="h"} 3`) {
		t.Errorf("after Remove:\n%s", out)
	}
	if !strings.Contains(out, `cwlogs_spool_pending_records{log_group="g"} 0`) {
		t.Errorf("removing a shipper removed the spool")
	}
	if _, err := c.AddShipper(&fakeShip{Sent: 4}, l); err != nil {
		t.Fatalf("labels of a removed source: %v", err)
	}
	r2.Remove()
	out = scrape(t, c)
	if !strings.Contains(out, `cwlogs_ship_sent_events_total{log_group="g"} 4`) || strings.Contains(out, `"h"`) {
		t.Errorf("after re-adding g and removing h:\n%s", out)
	}
}

func TestNilSource(t *testing.T) {
	c := metrics.New()
	if _, err := c.AddShipper(nil, nil); err == nil {
		t.Error("AddShipper(nil) succeeded")
	}
	if _, err := c.AddSpool(nil, nil); err == nil {
		t.Error("AddSpool(nil) succeeded")
	}
}

func TestServeHTTP(t *testing.T) {
	c := metrics.New()
	if _, err := c.AddShipper(&fakeShip{Sent: 42}, nil); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c)
	defer srv.Close()
	for _, tc := range []struct {
		method     string
		status     int
		body, ctyp string
	}{
		{http.MethodGet, 200, "cwlogs_ship_sent_events_total 42\n", metrics.ContentType},
		{http.MethodHead, 200, "", metrics.ContentType},
		{http.MethodPost, 405, "method POST not allowed", "text/plain; charset=utf-8"},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL+"/metrics", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || resp.Header.Get("Content-Type") != tc.ctyp || !strings.Contains(string(body), tc.body) ||
			(tc.body == "" && len(body) != 0) {
			t.Errorf("%s: %d %q %q", tc.method, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
}

// TestConcurrent scrapes, adds and removes sources while shippers log and
// ship (run with -race).
func TestConcurrent(t *testing.T) {
	c := metrics.New()
	client := newClient(t)
	var wg sync.WaitGroup
	ctx := context.Background()
	var shippers []*ship.Shipper
	for i := range 4 {
		s, err := ship.New(client, "g", fmt.Sprint("s", i), &ship.Options{FlushInterval: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		shippers = append(shippers, s)
		if _, err := c.AddShipper(s, metrics.Labels{"log_stream": fmt.Sprint("s", i)}); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			for j := range 500 {
				_ = s.Log(time.Now(), fmt.Sprint("event ", j))
			}
		})
	}
	wg.Go(func() {
		for i := range 50 {
			r, err := c.AddShipper(&fakeShip{Sent: 1}, metrics.Labels{"log_stream": fmt.Sprint("tmp", i)})
			if err != nil {
				t.Error(err)
				return
			}
			_ = scrape(t, c)
			r.Remove()
		}
	})
	for range 50 {
		_ = scrape(t, c)
		_ = c.Snapshot()
	}
	wg.Wait()
	var sent int64
	for _, s := range shippers {
		if err := s.Close(ctx); err != nil {
			t.Fatal(err)
		}
		sent += s.Stats().Sent
	}
	out := scrape(t, c)
	if strings.Contains(out, "tmp") {
		t.Errorf("removed sources still scraped")
	}
	var total int64
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "cwlogs_ship_sent_events_total{") {
			var n int64
			fmt.Sscan(line[strings.LastIndexByte(line, ' ')+1:], &n)
			total += n
		}
	}
	if total != 2000 || sent != 2000 {
		t.Errorf("sent %d (Stats) and %d (scraped), want 2000", sent, total)
	}
}

var publishes int

// TestPublish checks the expvar JSON parses and holds the Stats.
func TestPublish(t *testing.T) {
	c := metrics.New()
	a, b := fakeShip(allShip), fakeSpool(allSpool)
	if _, err := c.AddShipper(&a, metrics.Labels{"log_group": "g\n\"q\""}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddSpool(&b, nil); err != nil {
		t.Fatal(err)
	}
	publishes++ // expvar names live as long as the process: one per run of the test (-count)
	name := fmt.Sprint("cwlogs_test_", publishes)
	if err := c.Publish(name); err != nil {
		t.Fatal(err)
	}
	if err := c.Publish(name); err == nil || !strings.Contains(err.Error(), `"`+name+`"`) {
		t.Errorf("second Publish: %v, want an error naming the name", err)
	}
	if err := metrics.New().Publish(""); err == nil {
		t.Error(`Publish("") succeeded`)
	}
	var got struct {
		Ship []struct {
			Labels  map[string]string `json:"labels"`
			Sent    int64             `json:"cwlogs_ship_sent_events_total"`
			Queued  int64             `json:"cwlogs_ship_queued_events"`
			Dropped map[string]int64  `json:"cwlogs_ship_dropped_events_total"`
			Last    float64           `json:"cwlogs_ship_last_error_timestamp_seconds"`
		} `json:"ship"`
		Spool []struct {
			Labels   map[string]string `json:"labels"`
			Segments int64             `json:"cwlogs_spool_segments"`
			Dropped  map[string]int64  `json:"cwlogs_spool_dropped_records_total"`
		} `json:"spool"`
	}
	js := expvar.Get(name).String()
	if err := json.Unmarshal([]byte(js), &got); err != nil {
		t.Fatalf("%v in %s", err, js)
	}
	if len(got.Ship) != 1 || len(got.Spool) != 1 {
		t.Fatalf("JSON %s", js)
	}
	sh, sp := got.Ship[0], got.Spool[0]
	if sh.Labels["log_group"] != "g\n\"q\"" || sh.Sent != 5 || sh.Queued != 2 || sh.Dropped["too_large"] != 20 ||
		sh.Dropped["closed"] != 26 || len(sh.Dropped) != 8 || sh.Last != 1764302400.123 {
		t.Errorf("ship %+v from %s", sh, js)
	}
	if len(sp.Labels) != 0 || sp.Segments != 107 || sp.Dropped["replay_limit"] != 122 || len(sp.Dropped) != 9 {
		t.Errorf("spool %+v from %s", sp, js)
	}
	if strings.Contains(js, "AKIDEXAMPLE") {
		t.Errorf("LastError in the JSON: %s", js)
	}
}

// unescape reverses AppendEscaped; false if s is not a valid escaped value.
func unescape(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\n':
			return "", false
		case c != '\\':
			b.WriteByte(c)
		case i+1 == len(s):
			return "", false
		default:
			i++
			switch s[i] {
			case '\\':
				b.WriteByte('\\')
			case '"':
				b.WriteByte('"')
			case 'n':
				b.WriteByte('\n')
			default:
				return "", false
			}
		}
	}
	return b.String(), true
}

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "plain", `a"b`, `a\b`, "a\nb", `\\n`, "日本語", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := string(metrics.AppendEscaped(nil, s))
		got, ok := unescape(e)
		if !ok || got != s {
			t.Fatalf("%q escaped as %q, which reads back as %q (%v)", s, e, got, ok)
		}
	})
}

// BenchmarkScrape10 measures one scrape of 10 registered Shippers, each
// having shipped 1,000 events to a fake service.
func BenchmarkScrape10(b *testing.B) {
	c := metrics.New()
	client := newClient(b)
	for i := range 10 {
		s, err := ship.New(client, "my-app", fmt.Sprint("web-", i), nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = s.Close(context.Background()) })
		for j := range 1000 {
			_ = s.Log(time.Now(), fmt.Sprint("event ", j))
		}
		if err := s.Flush(context.Background()); err != nil {
			b.Fatal(err)
		}
		if _, err := c.AddShipper(s, metrics.Labels{"log_group": "my-app", "log_stream": fmt.Sprint("web-", i)}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	var n int64
	for b.Loop() {
		n, _ = c.WriteTo(io.Discard)
	}
	b.SetBytes(n)
}
