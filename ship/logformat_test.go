package ship

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
)

// TestLogFormatOption: Options.LogFormat reaches every PutLogEvents call of a Shipper and of
// each stream of a Mux (which sends it as the x-amzn-logs-format header), the retry of a
// throttled batch and the resend after the stream was created included; unset, none does.
func TestLogFormatOption(t *testing.T) {
	for _, tc := range []struct {
		name   string
		format string
		mux    bool
		calls  int // batches + 1 retry
	}{
		{"shipper emf", cwlogs.LogFormatEMF, false, 3 + 1},
		{"shipper unset", "", false, 3 + 1},
		{"mux emf", cwlogs.LogFormatEMF, true, 4 + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.requireStream = true // the first call of each stream: ResourceNotFound, create, send again
			f.groups["g"] = true
			var mu sync.Mutex
			var got []string
			f.hook = func(_ context.Context, call int, in *cwlogs.PutLogEventsInput) error {
				mu.Lock()
				got = append(got, in.LogFormat)
				mu.Unlock()
				if call == 1 { // the first batch is throttled once, then retried
					return &cwlogs.APIError{Operation: "PutLogEvents", Code: cwlogs.CodeThrottling, StatusCode: 400, Message: "Rate exceeded"}
				}
				return nil
			}
			opts := fastOpts()
			opts.LogFormat = tc.format
			opts.MaxBatchEvents = 2 // several batches
			now := time.Now()
			if tc.mux {
				m, err := NewMux(f, opts)
				if err != nil {
					t.Fatal(err)
				}
				for i := range 6 {
					if err := m.Log("g", []string{"a", "b"}[i%2], now, `{"n":1}`); err != nil {
						t.Fatal(err)
					}
				}
				if err := m.Close(ctxT(t)); err != nil {
					t.Fatal(err)
				}
			} else {
				s := mustNew(t, f, opts)
				for range 5 {
					if err := s.Log(now, `{"n":1}`); err != nil {
						t.Fatal(err)
					}
				}
				if err := s.Close(ctxT(t)); err != nil {
					t.Fatal(err)
				}
			}
			if len(got) < tc.calls {
				t.Fatalf("%d calls, want at least %d (every batch, and the retry)", len(got), tc.calls)
			}
			for i, g := range got {
				if g != tc.format {
					t.Errorf("call %d: LogFormat %q, want %q", i+1, g, tc.format)
				}
			}
		})
	}
}

// TestLogFormatOptionInvalid: an unknown LogFormat is an *OptionError naming the field.
func TestLogFormatOptionInvalid(t *testing.T) {
	for _, v := range []string{"json", "json/emf\n", "EMF"} {
		_, err := New(newFake(t), "g", "s", &Options{LogFormat: v})
		var oe *OptionError
		if !errors.As(err, &oe) || oe.Field != "LogFormat" {
			t.Errorf("LogFormat %q: %v, want an *OptionError for LogFormat", v, err)
		}
		if _, err := NewMux(newFake(t), &Options{LogFormat: v}); !errors.As(err, &oe) || oe.Field != "LogFormat" {
			t.Errorf("NewMux LogFormat %q: %v, want an *OptionError for LogFormat", v, err)
		}
	}
}
