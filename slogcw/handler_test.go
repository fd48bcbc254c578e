package slogcw

import (
	"context"
	"encoding/json"
	"log/slog"
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
