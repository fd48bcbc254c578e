package slogcw

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"strings"
	"sync"
	"testing"
	"testing/slogtest"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/ship"
)

// memAPI stores the events it receives.
type memAPI struct {
	mu     sync.Mutex
	events []cwlogs.InputLogEvent
}

func (m *memAPI) PutLogEvents(_ context.Context, in *cwlogs.PutLogEventsInput) (*cwlogs.PutLogEventsOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events = append(m.events, in.LogEvents...)
	return &cwlogs.PutLogEventsOutput{}, nil
}
func (m *memAPI) CreateLogStream(context.Context, *cwlogs.CreateLogStreamInput) error { return nil }
func (m *memAPI) CreateLogGroup(context.Context, *cwlogs.CreateLogGroupInput) error   { return nil }

func (m *memAPI) all() []cwlogs.InputLogEvent {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]cwlogs.InputLogEvent(nil), m.events...)
}

func newShipper(t *testing.T) (*ship.Shipper, *memAPI) {
	t.Helper()
	api := &memAPI{}
	s, err := ship.New(api, "g", "s", &ship.Options{FlushInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s, api
}

func TestSlogtest(t *testing.T) {
	var s *ship.Shipper
	var api *memAPI
	slogtest.Run(t, func(t *testing.T) slog.Handler {
		s, api = newShipper(t)
		return NewHandler(s, nil)
	}, func(t *testing.T) map[string]any {
		if err := s.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		ev := api.all()
		if len(ev) != 1 {
			t.Fatalf("%d events, want 1", len(ev))
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(ev[0].Message), &m); err != nil {
			t.Fatalf("%v: %s", err, ev[0].Message)
		}
		return m
	})
}

func TestOutput(t *testing.T) {
	ts := time.Now().UTC().Truncate(time.Second).Add(-time.Minute + 6*time.Millisecond)
	tsJSON := ts.Format(time.RFC3339Nano)
	cases := []struct {
		name string
		opts *HandlerOptions
		log  func(l *slog.Logger)
		want string // "" means no event
	}{
		{"basic", nil, func(l *slog.Logger) { l.Info("hi", "a", 1, "b", "x\"y\n") },
			`{"time":"TS","level":"INFO","msg":"hi","a":1,"b":"x\"y\n"}`},
		{"level filtered", nil, func(l *slog.Logger) { l.Debug("no") }, ""},
		{"level option", &HandlerOptions{Level: slog.LevelDebug}, func(l *slog.Logger) { l.Debug("yes") },
			`{"time":"TS","level":"DEBUG","msg":"yes"}`},
		{"groups and attrs", nil, func(l *slog.Logger) {
			l.With("a", 1).WithGroup("g").With("b", 2).WithGroup("h").Info("m", "c", 3, slog.Group("k", "d", true))
		}, `{"time":"TS","level":"INFO","msg":"m","a":1,"g":{"b":2,"h":{"c":3,"k":{"d":true}}}}`},
		{"empty group omitted", nil, func(l *slog.Logger) { l.WithGroup("g").Info("m") },
			`{"time":"TS","level":"INFO","msg":"m"}`},
		{"group of empty record attrs omitted", nil, func(l *slog.Logger) { l.WithGroup("g").Info("m", slog.Group("e")) },
			`{"time":"TS","level":"INFO","msg":"m"}`},
		{"group of empty With attrs omitted", nil, func(l *slog.Logger) { l.WithGroup("g").With(slog.Group("e")).Info("m") },
			`{"time":"TS","level":"INFO","msg":"m"}`},
		{"empty With attrs keep group open for record", nil, func(l *slog.Logger) {
			l.WithGroup("g").With(slog.Group("e")).WithGroup("h").Info("m", "a", 1)
		}, `{"time":"TS","level":"INFO","msg":"m","g":{"h":{"a":1}}}`},
		{"replace attr", &HandlerOptions{ReplaceAttr: func(g []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(g) == 0 {
				return slog.Attr{}
			}
			if a.Key == "secret" {
				return slog.String("secret", "***")
			}
			return a
		}}, func(l *slog.Logger) { l.WithGroup("g").Warn("m", "secret", "pw", "n", 1.5, "d", time.Second) },
			`{"level":"WARN","msg":"m","g":{"secret":"***","n":1.5,"d":1000000000}}`},
		{"values", nil, func(l *slog.Logger) {
			l.Error("e", "err", errTest{}, "u", uint64(7), "list", []int{1, 2}, "t", ts)
		}, `{"time":"TS","level":"ERROR","msg":"e","err":"boom","u":7,"list":[1,2],"t":"TS"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, api := newShipper(t)
			h := NewHandler(s, tc.opts)
			l := slog.New(&fixedTime{h, ts})
			tc.log(l)
			_ = s.Flush(context.Background())
			ev := api.all()
			if tc.want == "" {
				if len(ev) != 0 {
					t.Fatalf("got %q", ev[0].Message)
				}
				return
			}
			tc.want = strings.ReplaceAll(tc.want, "TS", tsJSON)
			if len(ev) != 1 || ev[0].Message != tc.want {
				t.Fatalf("got %v\nwant %s", ev, tc.want)
			}
			if ev[0].Timestamp != ts.UnixMilli() {
				t.Errorf("timestamp %d, want %d", ev[0].Timestamp, ts.UnixMilli())
			}
		})
	}
}

func TestAddSource(t *testing.T) {
	s, api := newShipper(t)
	slog.New(NewHandler(s, &HandlerOptions{AddSource: true})).Info("m")
	_ = s.Flush(context.Background())
	ev := api.all()
	var m struct {
		Source struct {
			Function, File string
			Line           int
		}
	}
	if len(ev) != 1 || json.Unmarshal([]byte(ev[0].Message), &m) != nil {
		t.Fatalf("got %v", ev)
	}
	if !strings.HasSuffix(m.Source.File, "handler_test.go") || !strings.Contains(m.Source.Function, "TestAddSource") || m.Source.Line == 0 {
		t.Errorf("source %+v", m.Source)
	}
}

type errTest struct{}

func (errTest) Error() string { return "boom" }

// fixedTime sets a fixed time on every record.
type fixedTime struct {
	slog.Handler
	t time.Time
}

func (f *fixedTime) Handle(ctx context.Context, r slog.Record) error {
	r.Time = f.t
	return f.Handler.Handle(ctx, r)
}
func (f *fixedTime) WithAttrs(a []slog.Attr) slog.Handler {
	return &fixedTime{f.Handler.WithAttrs(a), f.t}
}
func (f *fixedTime) WithGroup(n string) slog.Handler { return &fixedTime{f.Handler.WithGroup(n), f.t} }

func FuzzHandler(f *testing.F) {
	f.Add("msg", "key", "value\x00\xff\u2028")
	f.Fuzz(func(t *testing.T, msg, key, val string) {
		s, api := newShipper(t)
		slog.New(NewHandler(s, nil)).WithGroup(key).Info(msg, key, val)
		_ = s.Flush(context.Background())
		for _, e := range api.all() {
			if !json.Valid([]byte(e.Message)) {
				t.Fatalf("invalid JSON %q", e.Message)
			}
		}
	})
}

type lazyValue struct{}

func (lazyValue) LogValue() slog.Value { return slog.StringValue("resolved") }

type indentedJSON struct{}

func (indentedJSON) MarshalJSON() ([]byte, error) { return []byte("{\n  \"a\": 1\n}"), nil }

type ptrErr struct{ msg string }

func (e *ptrErr) Error() string { return e.msg }

type panicky struct{}

func (panicky) MarshalJSON() ([]byte, error) { panic("boom") }

type badJSON struct{}

func (badJSON) MarshalJSON() ([]byte, error) { return []byte("{"), nil }

// TestMatchesJSONHandler logs the same records through slogcw and
// slog.JSONHandler (same options) and wants the same JSON, byte for byte. A
// review found floats in exponent form (1e+06), HTML-escaped slices
// (\u0026), MarshalJSON output not compacted, a ReplaceAttr result on a
// built-in neither resolved nor dropped when an empty group, an empty
// "function" in a *slog.Source attribute, and typed-nil errors and
// marshalers panicking out of Logger.Error.
func TestMatchesJSONHandler(t *testing.T) {
	noTime := func(g []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey && len(g) == 0 {
			return slog.Attr{}
		}
		return a
	}
	var nilErr *ptrErr
	var nilTime *time.Time
	cases := []struct {
		name string
		ra   func([]string, slog.Attr) slog.Attr
		log  func(l *slog.Logger)
	}{
		{"floats", nil, func(l *slog.Logger) {
			l.Info("m", "a", 1e6, "b", 0.00001, "c", 1e-7, "d", 1e21, "e", 123456789.125, "f", math.Copysign(0, -1), "g", float32(0.1), "h", 1e20)
		}},
		{"no HTML escaping", nil, func(l *slog.Logger) {
			l.Info("a&b<c>", "q", []string{"a&b<c>"}, "m", map[string]string{"<k>": "&"}, "s", "x<y>&z")
		}},
		{"marshalers", nil, func(l *slog.Logger) {
			l.Info("m", "p", indentedJSON{}, "r", json.RawMessage(" [1, 2] "), "bad", badJSON{}, "t", time.Date(2024, 5, 1, 12, 0, 0, 5, time.UTC))
		}},
		{"source attribute", nil, func(l *slog.Logger) {
			l.Info("m", "src", &slog.Source{File: "f.go", Line: 3}, "empty", &slog.Source{})
		}},
		{"nil pointers", nil, func(l *slog.Logger) { l.Error("m", "e", nilErr, "t", nilTime) }},
		{"panicking marshaler", nil, func(l *slog.Logger) { l.Info("m", "p", panicky{}) }},
		{"errors, durations, bytes", nil, func(l *slog.Logger) {
			l.Warn("m", "err", errors.New("x"), "d", 1500*time.Millisecond, "b", []byte("hi"), "u", uint64(1<<63))
		}},
		{"replace built-ins", func(g []string, a slog.Attr) slog.Attr {
			switch a.Key {
			case slog.MessageKey:
				return slog.Any(a.Key, lazyValue{})
			case slog.LevelKey:
				return slog.Group("lvl")
			}
			return a
		}, func(l *slog.Logger) { l.Info("m", "k", lazyValue{}) }},
		{"replace a built-in by an inline group", func(g []string, a slog.Attr) slog.Attr {
			if a.Key == slog.LevelKey {
				return slog.Group("", slog.Int("n", 1))
			}
			return a
		}, func(l *slog.Logger) { l.With("w", 1).WithGroup("g").Info("m", "k", "v") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ra := noTime
			if tc.ra != nil {
				ra = func(g []string, a slog.Attr) slog.Attr { return tc.ra(g, noTime(g, a)) }
			}
			var want bytes.Buffer
			tc.log(slog.New(slog.NewJSONHandler(&want, &slog.HandlerOptions{ReplaceAttr: ra})))
			s, api := newShipper(t)
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("Handle panicked: %v", r)
					}
				}()
				tc.log(slog.New(NewHandler(s, &HandlerOptions{ReplaceAttr: ra})))
			}()
			if err := s.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			var got string
			if ev := api.all(); len(ev) == 1 {
				got = ev[0].Message
			}
			if w := strings.TrimSuffix(want.String(), "\n"); got != w {
				t.Errorf("got  %s\nwant %s", got, w)
			}
		})
	}
}

// TestHandleAllocs: a record of a few attributes costs one allocation (the
// event's message string) beyond what the shipper does. A review counted 4:
// the time and message boxed by Value.Any and the time's Format.
func TestHandleAllocs(t *testing.T) {
	s, _ := newShipper(t)
	l := slog.New(NewHandler(s, nil))
	n := testing.AllocsPerRun(1000, func() { l.Info("served", "status", 200, "path", "/a", "ms", 1.5) })
	if n > 1 {
		t.Errorf("%v allocations per Handle, want at most 1", n)
	}
}

// sinkFunc is a Sink made of a function.
type sinkFunc func(ctx context.Context, t time.Time, msg string) error

func (f sinkFunc) LogContext(ctx context.Context, t time.Time, msg string) error {
	return f(ctx, t, msg)
}

// TestSinkHandler: a Handler made with NewSinkHandler hands each record to
// its sink with the record's time, its JSON and the caller's ctx, and
// returns the sink's error.
func TestSinkHandler(t *testing.T) {
	type key struct{}
	var got []string
	var times []time.Time
	refuse := errors.New("refused")
	sink := sinkFunc(func(ctx context.Context, at time.Time, msg string) error {
		if ctx.Value(key{}) != "v" {
			t.Errorf("ctx not passed on")
		}
		got = append(got, msg)
		times = append(times, at)
		if strings.Contains(msg, "refuse me") {
			return refuse
		}
		return nil
	})
	h := NewSinkHandler(sink, &HandlerOptions{Level: slog.LevelDebug})
	ctx := context.WithValue(context.Background(), key{}, "v")
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	r := slog.NewRecord(at, slog.LevelDebug, "hello", 0)
	r.AddAttrs(slog.Int("n", 1))
	if err := h.WithGroup("g").Handle(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := h.Handle(ctx, slog.NewRecord(at, slog.LevelInfo, "refuse me", 0)); err != refuse {
		t.Fatalf("Handle = %v, want the sink's error", err)
	}
	want := `{"time":"2030-01-02T03:04:05Z","level":"DEBUG","msg":"hello","g":{"n":1}}`
	if len(got) != 2 || got[0] != want || !times[0].Equal(at) {
		t.Fatalf("sink got %q at %v", got, times)
	}
}
