package spool

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestOptionErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		o     Options
		field string
		value string
	}{
		{"negative SyncInterval", Options{SyncInterval: -1}, "Options.SyncInterval", "-1ns"},
		{"negative FlushInterval", Options{FlushInterval: -time.Second}, "Options.FlushInterval", "-1s"},
		{"negative InitialBackoff", Options{InitialBackoff: -1}, "Options.InitialBackoff", "-1ns"},
		{"negative MaxBackoff", Options{MaxBackoff: -1}, "Options.MaxBackoff", "-1ns"},
		{"InitialBackoff over MaxBackoff", Options{InitialBackoff: time.Hour}, "Options.InitialBackoff", "1h0m0s"},
		{"negative MaxMessageBytes", Options{MaxMessageBytes: -1}, "Options.MaxMessageBytes", "-1"},
		{"MaxMessageBytes over the limit", Options{MaxMessageBytes: MaxMessageLimit + 1}, "Options.MaxMessageBytes", "16777217"},
		{"negative SegmentBytes", Options{SegmentBytes: -1}, "Options.SegmentBytes", "-1"},
		{"SegmentBytes too small", Options{SegmentBytes: MinSegmentBytes - 1}, "Options.SegmentBytes", "4095"},
		{"SegmentBytes too large", Options{SegmentBytes: MaxSegmentBytes + 1, MaxBytes: 4 << 30}, "Options.SegmentBytes", "1073741825"},
		{"SegmentBytes below a record", Options{SegmentBytes: 64 << 10}, "Options.SegmentBytes", "65536"},
		{"negative MaxBytes", Options{MaxBytes: -1}, "Options.MaxBytes", "-1"},
		{"MaxBytes below two segments", Options{MaxBytes: 10 << 20}, "Options.MaxBytes", "10485760"},
		{"negative FlushBytes", Options{FlushBytes: -5}, "Options.FlushBytes", "-5"},
		{"negative MaxReplays", Options{MaxReplays: -1}, "Options.MaxReplays", "-1"},
		{"unknown OnFull", Options{OnFull: 7}, "Options.OnFull", "FullPolicy(7)"},
		{"unknown Sync", Options{Sync: -1}, "Options.Sync", "SyncPolicy(-1)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(t.TempDir(), &memDst{}, &tc.o)
			var oe *OptionError
			if !errors.As(err, &oe) {
				t.Fatalf("err = %v, want *OptionError", err)
			}
			if oe.Field != tc.field || oe.Value != tc.value {
				t.Fatalf("OptionError{Field: %q, Value: %q}, want %q %q", oe.Field, oe.Value, tc.field, tc.value)
			}
			if !strings.Contains(err.Error(), tc.field) || !strings.Contains(err.Error(), tc.value) {
				t.Fatalf("%q does not name the field and the value", err)
			}
		})
	}
}

func TestOpenArguments(t *testing.T) {
	for _, tc := range []struct {
		name  string
		dir   string
		dst   Destination
		field string
	}{
		{"no directory", "", &memDst{}, "dir"},
		{"no destination", t.TempDir(), nil, "dst"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(tc.dir, tc.dst, nil)
			var oe *OptionError
			if !errors.As(err, &oe) || oe.Field != tc.field {
				t.Fatalf("err = %v, want *OptionError on %s", err, tc.field)
			}
		})
	}
}

func TestOptionDefaults(t *testing.T) {
	c, err := (*Options)(nil).config()
	if err != nil {
		t.Fatal(err)
	}
	want := config{segmentBytes: DefaultSegmentBytes, maxBytes: DefaultMaxBytes, syncInterval: DefaultSyncInterval,
		flushInterval: DefaultFlushInterval, flushBytes: DefaultFlushBytes, maxMessage: DefaultMaxMessageBytes,
		initialBackoff: DefaultInitialBackoff, maxBackoff: DefaultMaxBackoff}
	if c.now == nil {
		t.Fatal("no clock")
	}
	c.now, c.onError = nil, nil
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("defaults %+v\nwant %+v", c, want)
	}
}

func TestPolicyStrings(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{Block.String(), "Block"}, {DropNewest.String(), "DropNewest"}, {DropOldest.String(), "DropOldest"},
		{FullPolicy(9).String(), "FullPolicy(9)"},
		{SyncPeriodic.String(), "SyncPeriodic"}, {SyncAlways.String(), "SyncAlways"}, {SyncNever.String(), "SyncNever"},
		{SyncPolicy(9).String(), "SyncPolicy(9)"},
	} {
		if tc.got != tc.want {
			t.Errorf("%q, want %q", tc.got, tc.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	c := config{initialBackoff: 100 * time.Millisecond, maxBackoff: time.Second}
	for _, tc := range []struct {
		n      int
		lo, hi time.Duration
	}{
		{1, 50 * time.Millisecond, 100 * time.Millisecond},
		{2, 100 * time.Millisecond, 200 * time.Millisecond},
		{4, 400 * time.Millisecond, 800 * time.Millisecond},
		{5, 500 * time.Millisecond, time.Second},
		{60, 500 * time.Millisecond, time.Second},
	} {
		for range 50 {
			if d := c.backoff(tc.n); d < tc.lo || d > tc.hi {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", tc.n, d, tc.lo, tc.hi)
			}
		}
	}
}
