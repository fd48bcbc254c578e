package emf_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/emf"
)

var ts0 = time.UnixMilli(1574109732004)

// TestMain sets the clock SetTimestamp checks against to ts0, the specification
// example's timestamp, so that events carry fixed times.
func TestMain(m *testing.M) {
	emf.SetClock(func() time.Time { return ts0 })
	os.Exit(m.Run())
}

func newM(ns string) *emf.Metrics {
	m := emf.New(ns)
	m.SetTimestamp(ts0)
	return m
}

func dim(n, v string) emf.Dimension { return emf.Dimension{Name: n, Value: v} }

// TestGolden compares whole events byte for byte, starting with the shape of the
// specification's example.
func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func(m *emf.Metrics)
		want  []string
	}{
		{"spec example", func(m *emf.Metrics) {
			m.PutDimensions(dim("functionVersion", "$LATEST"))
			m.PutMetric("time", 100, emf.Milliseconds)
			m.SetProperty("requestId", "989ffbf8-9ace-4817-a57c-e4dd734019ee")
		}, []string{`{"_aws":{"Timestamp":1574109732004,"CloudWatchMetrics":[{"Namespace":"lambda-function-metrics","Dimensions":[["functionVersion"]],` +
			`"Metrics":[{"Name":"time","Unit":"Milliseconds"}]}]},"functionVersion":"$LATEST","time":100,"requestId":"989ffbf8-9ace-4817-a57c-e4dd734019ee"}`}},
		{"defaults, two sets, repeated values, high resolution, properties", func(m *emf.Metrics) {
			m.SetDefaultDimensions(dim("Service", "api"))
			m.PutDimensions(dim("Operation", "Get"))
			m.PutDimensions(dim("Operation", "Get"), dim("Status", "200"))
			m.PutDimensions(dim("Operation", "Get")) // repeated set: kept once
			m.PutMetric("Latency", 12.5, emf.Milliseconds)
			m.PutMetricResolution("Errors", 0, emf.Count, emf.High)
			m.PutMetric("Latency", 1e-7, emf.Milliseconds)
			m.PutMetric("Latency", 3e21, emf.Milliseconds)
			m.SetProperty("trace", map[string]any{"b": 2, "a": []int{1}})
			m.SetProperty("ok", true)
			m.SetProperty("trace", "x\"<y>\n") // replaced in place
		}, []string{`{"_aws":{"Timestamp":1574109732004,"CloudWatchMetrics":[{"Namespace":"lambda-function-metrics",` +
			`"Dimensions":[["Service","Operation"],["Service","Operation","Status"]],` +
			`"Metrics":[{"Name":"Latency","Unit":"Milliseconds"},{"Name":"Errors","Unit":"Count","StorageResolution":1}]}]},` +
			`"Service":"api","Operation":"Get","Status":"200","Latency":[12.5,1e-7,3e+21],"Errors":0,"trace":"x\"\u003cy\u003e\n","ok":true}`}},
		{"no dimensions, no unit", func(m *emf.Metrics) {
			m.PutMetric("Hits", -0.25, "")
		}, []string{`{"_aws":{"Timestamp":1574109732004,"CloudWatchMetrics":[{"Namespace":"lambda-function-metrics","Dimensions":[[]],` +
			`"Metrics":[{"Name":"Hits","Unit":"None"}]}]},"Hits":-0.25}`}},
		{"SetDimensions drops the defaults", func(m *emf.Metrics) {
			m.SetDefaultDimensions(dim("Service", "api"))
			m.SetDimensions([]emf.Dimension{dim("Host", "h1")}, nil)
			m.PutMetric("Up", 1, emf.Count)
		}, []string{`{"_aws":{"Timestamp":1574109732004,"CloudWatchMetrics":[{"Namespace":"lambda-function-metrics","Dimensions":[["Host"],[]],` +
			`"Metrics":[{"Name":"Up","Unit":"Count"}]}]},"Host":"h1","Up":1}`}},
		{"a default dimension put again is kept once", func(m *emf.Metrics) {
			m.SetDefaultDimensions(dim("Service", "api"))
			m.PutDimensions(dim("Operation", "Get"), dim("Service", "api"))
			m.PutMetric("Up", 1, emf.Count)
		}, []string{`{"_aws":{"Timestamp":1574109732004,"CloudWatchMetrics":[{"Namespace":"lambda-function-metrics","Dimensions":[["Service","Operation"]],` +
			`"Metrics":[{"Name":"Up","Unit":"Count"}]}]},"Service":"api","Operation":"Get","Up":1}`}},
		{"defaults alone form a set", func(m *emf.Metrics) {
			m.SetDefaultDimensions(dim("Service", "api"), dim("Env", "prod"))
			m.PutMetric("Up", 1, emf.Count)
		}, []string{`{"_aws":{"Timestamp":1574109732004,"CloudWatchMetrics":[{"Namespace":"lambda-function-metrics","Dimensions":[["Service","Env"]],` +
			`"Metrics":[{"Name":"Up","Unit":"Count"}]}]},"Service":"api","Env":"prod","Up":1}`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newM("lambda-function-metrics")
			tc.build(m)
			evs, err := m.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != len(tc.want) {
				t.Fatalf("%d events, want %d", len(evs), len(tc.want))
			}
			for i := range evs {
				if string(evs[i]) != tc.want[i] {
					t.Errorf("event %d:\n got %s\nwant %s", i, evs[i], tc.want[i])
				}
				if _, err := checkSpec(evs[i]); err != nil {
					t.Errorf("event %d breaks the spec: %v", i, err)
				}
			}
			// The other outputs carry the same bytes.
			var buf bytes.Buffer
			if _, err := m.WriteTo(&buf); err != nil || buf.String() != strings.Join(tc.want, "\n")+"\n" {
				t.Errorf("WriteTo: %v\n%s", err, buf.Bytes())
			}
			if j, err := m.MarshalJSON(); err != nil || string(j) != tc.want[0] {
				t.Errorf("MarshalJSON: %v %s", err, j)
			}
		})
	}
}

// TestLimits checks each limit at and over its bound: what is split and what is refused.
func TestLimits(t *testing.T) {
	names := func(n int, prefix string) []emf.Dimension {
		d := make([]emf.Dimension, n)
		for i := range d {
			d[i] = dim(prefix+strconv.Itoa(i), "v")
		}
		return d
	}
	metrics := func(n int) func(*emf.Metrics) {
		return func(m *emf.Metrics) {
			for i := range n {
				m.PutMetric("m"+strconv.Itoa(i), float64(i), emf.Count)
			}
		}
	}
	values := func(n int) func(*emf.Metrics) {
		return func(m *emf.Metrics) {
			for i := range n {
				m.PutMetric("v", float64(i), emf.Count)
			}
		}
	}
	one := func(m *emf.Metrics) { m.PutMetric("x", 1, emf.Count) }
	both := func(fs ...func(*emf.Metrics)) func(*emf.Metrics) {
		return func(m *emf.Metrics) {
			for _, f := range fs {
				f(m)
			}
		}
	}
	// pad fills one event to exactly n bytes with a property.
	pad := func(n int) func(*emf.Metrics) {
		return func(m *emf.Metrics) {
			one(m)
			m.SetProperty("p", "")
			evs, err := m.Encode()
			if err != nil {
				t.Fatal(err)
			}
			m.SetProperty("p", strings.Repeat("a", n-len(evs[0])))
		}
	}
	for _, tc := range []struct {
		name      string
		ns        string // "": "ns"
		build     func(*emf.Metrics)
		events    int    // when no error is wanted
		errField  string // the *Error's Field; "" for success
		errReason string // a part of its Reason
	}{
		{"100 metrics: one event", "", metrics(100), 1, "", ""},
		{"101 metrics: split in two", "", metrics(101), 2, "", ""},
		{"250 metrics: split in three", "", metrics(250), 3, "", ""},
		{"100 values: one event", "", values(100), 1, "", ""},
		{"101 values: split in two", "", values(101), 2, "", ""},
		{"30 dimensions in a set", "", both(func(m *emf.Metrics) { m.PutDimensions(names(30, "d")...) }, one), 1, "", ""},
		{"31 dimensions in a set", "", both(func(m *emf.Metrics) { m.PutDimensions(names(31, "d")...) }, one), 0, "dimensions", "at most 30"},
		{"31 in SetDimensions", "", both(func(m *emf.Metrics) { m.SetDimensions(names(31, "d")) }, one), 0, "dimensions[0]", "at most 30"},
		{"31 default dimensions", "", both(func(m *emf.Metrics) { m.SetDefaultDimensions(names(31, "d")...) }, one), 0, "defaultDimensions", "at most 30"},
		{"10 defaults + 20: 30", "", both(func(m *emf.Metrics) {
			m.SetDefaultDimensions(names(10, "a")...)
			m.PutDimensions(names(20, "b")...)
		}, one), 1, "", ""},
		{"10 defaults + 21 with a default again: 30", "", both(func(m *emf.Metrics) {
			m.SetDefaultDimensions(names(10, "a")...)
			m.PutDimensions(append(names(20, "b"), dim("a0", "v"))...)
		}, one), 1, "", ""},
		{"10 defaults + 21: 31", "", both(func(m *emf.Metrics) {
			m.SetDefaultDimensions(names(10, "a")...)
			m.PutDimensions(names(21, "b")...)
		}, one), 0, "dimensions[0]", "default dimensions included"},
		{"namespace of 255", strings.Repeat("n", 255), one, 1, "", ""},
		{"namespace of 256", strings.Repeat("n", 256), one, 0, "namespace", "1–255"},
		{"namespace with every allowed character", "Az09._-/#: x", one, 1, "", ""},
		{"namespace with a comma", "a,b", one, 0, "namespace", "allowed"},
		{"namespace of non-ASCII", "é", one, 0, "namespace", "allowed"},
		{"namespace of spaces", "   ", one, 0, "namespace", "other than space"},
		{"namespace AWS/", "AWS/Lambda", one, 0, "namespace", "reserved"},
		{"metric name of 1024 characters", "", func(m *emf.Metrics) { m.PutMetric(strings.Repeat("é", 1024), 1, emf.Count) }, 1, "", ""},
		{"metric name of 1025 characters", "", func(m *emf.Metrics) { m.PutMetric(strings.Repeat("é", 1025), 1, emf.Count) }, 0, "metric", "at most 1024"},
		{"metric name empty", "", func(m *emf.Metrics) { m.PutMetric("", 1, emf.Count) }, 0, "metric", "white space"},
		{"metric name blank", "", func(m *emf.Metrics) { m.PutMetric(" \t", 1, emf.Count) }, 0, "metric", "white space"},
		{"metric name invalid UTF-8", "", func(m *emf.Metrics) { m.PutMetric("a\xff", 1, emf.Count) }, 0, "metric", "UTF-8"},
		{"metric name _aws", "", func(m *emf.Metrics) { m.PutMetric("_aws", 1, emf.Count) }, 0, "metric", "reserved"},
		{"dimension name of 250", "", both(func(m *emf.Metrics) { m.PutDimensions(dim(strings.Repeat("k", 250), "v")) }, one), 1, "", ""},
		{"dimension name of 251", "", both(func(m *emf.Metrics) { m.PutDimensions(dim(strings.Repeat("k", 251), "v")) }, one), 0, "dimensions.name", "1–250"},
		{"dimension value of 1024", "", both(func(m *emf.Metrics) { m.PutDimensions(dim("k", strings.Repeat("v", 1024))) }, one), 1, "", ""},
		{"dimension value of 1025", "", both(func(m *emf.Metrics) { m.PutDimensions(dim("k", strings.Repeat("v", 1025))) }, one), 0, `dimension["k"].value`, "1–1024"},
		{"dimension value empty", "", both(func(m *emf.Metrics) { m.PutDimensions(dim("k", "")) }, one), 0, `dimension["k"].value`, "1–1024"},
		{"dimension value blank", "", both(func(m *emf.Metrics) { m.PutDimensions(dim("k", "  ")) }, one), 0, `dimension["k"].value`, "other than space"},
		{"dimension value non-ASCII", "", both(func(m *emf.Metrics) { m.PutDimensions(dim("k", "é")) }, one), 0, `dimension["k"].value`, "printable ASCII"},
		{"dimension value control", "", both(func(m *emf.Metrics) { m.PutDimensions(dim("k", "a\tb")) }, one), 0, `dimension["k"].value`, "printable ASCII"},
		{"dimension name starting with ':'", "", both(func(m *emf.Metrics) { m.PutDimensions(dim(":k", "v")) }, one), 0, "dimensions.name", "':'"},
		{"dimension name _aws", "", both(func(m *emf.Metrics) { m.PutDimensions(dim("_aws", "v")) }, one), 0, "dimensions.name", "reserved"},
		{"dimension twice in a set", "", both(func(m *emf.Metrics) { m.PutDimensions(dim("k", "v"), dim("k", "v")) }, one), 0, "dimensions.name", "twice"},
		{"default put again with another value", "", both(func(m *emf.Metrics) {
			m.SetDefaultDimensions(dim("k", "v"))
			m.PutDimensions(dim("j", "w"), dim("k", "v2"))
		}, one), 0, `dimension["k"].value`, "default dimension"},
		{"dimension with two values", "", both(func(m *emf.Metrics) {
			m.PutDimensions(dim("k", "v1"))
			m.PutDimensions(dim("k", "v2"), dim("j", "w"))
		}, one), 0, `dimension["k"].value`, "differs"},
		{"every unit", "", func(m *emf.Metrics) {
			for i, u := range emf.Units {
				m.PutMetric("u"+strconv.Itoa(i), 1, u)
			}
		}, 1, "", ""},
		{"unknown unit", "", func(m *emf.Metrics) { m.PutMetric("x", 1, "Minutes") }, 0, `metric["x"].unit`, "not a CloudWatch unit"},
		{"unit case matters", "", func(m *emf.Metrics) { m.PutMetric("x", 1, "count") }, 0, `metric["x"].unit`, "not a CloudWatch unit"},
		{"second unit", "", func(m *emf.Metrics) { m.PutMetric("x", 1, emf.Count); m.PutMetric("x", 1, emf.Seconds) }, 0, `metric["x"].unit`, "differs"},
		{"resolution 1", "", func(m *emf.Metrics) { m.PutMetricResolution("x", 1, emf.Count, emf.High) }, 1, "", ""},
		{"resolution 60", "", func(m *emf.Metrics) { m.PutMetricResolution("x", 1, emf.Count, emf.Standard) }, 1, "", ""},
		{"resolution 30", "", func(m *emf.Metrics) { m.PutMetricResolution("x", 1, emf.Count, 30) }, 0, `metric["x"].storageResolution`, "60 (Standard) or 1"},
		{"second resolution", "", func(m *emf.Metrics) {
			m.PutMetric("x", 1, emf.Count)
			m.PutMetricResolution("x", 1, emf.Count, emf.High)
		}, 0, `metric["x"].storageResolution`, "differs"},
		{"NaN", "", func(m *emf.Metrics) { m.PutMetric("x", math.NaN(), emf.Count) }, 0, `metric["x"].value`, "finite"},
		{"+Inf", "", func(m *emf.Metrics) { m.PutMetric("x", math.Inf(1), emf.Count) }, 0, `metric["x"].value`, "finite"},
		{"-Inf", "", func(m *emf.Metrics) { m.PutMetric("x", math.Inf(-1), emf.Count) }, 0, `metric["x"].value`, "finite"},
		{"largest value", "", func(m *emf.Metrics) { m.PutMetric("x", math.Nextafter(0x1p360, 0), emf.Count) }, 1, "", ""},
		{"smallest value", "", func(m *emf.Metrics) { m.PutMetric("x", -math.Nextafter(0x1p360, 0), emf.Count) }, 1, "", ""},
		{"2^360", "", func(m *emf.Metrics) { m.PutMetric("x", 0x1p360, emf.Count) }, 0, `metric["x"].value`, "2^360"},
		{"-2^360", "", func(m *emf.Metrics) { m.PutMetric("x", -0x1p360, emf.Count) }, 0, `metric["x"].value`, "2^360"},
		{"largest float", "", func(m *emf.Metrics) { m.PutMetric("x", math.MaxFloat64, emf.Count) }, 0, `metric["x"].value`, "2^360"},
		{"property _aws", "", both(one, func(m *emf.Metrics) { m.SetProperty("_aws", 1) }), 0, "property", "reserved"},
		{"property empty name", "", both(one, func(m *emf.Metrics) { m.SetProperty("", 1) }), 0, "property", "non-empty"},
		{"property not JSON", "", both(one, func(m *emf.Metrics) { m.SetProperty("f", func() {}) }), 0, `property["f"]`, "JSON"},
		{"property named as a metric", "", both(one, func(m *emf.Metrics) { m.SetProperty("x", 1) }), 0, "property", "metric name"},
		{"property named as a dimension", "", both(one, func(m *emf.Metrics) {
			m.PutDimensions(dim("k", "v"))
			m.SetProperty("k", "w")
		}), 0, "property", "dimension name"},
		{"metric named as a dimension", "", both(one, func(m *emf.Metrics) { m.PutDimensions(dim("x", "v")) }), 0, "metric", "dimension name"},
		{"timestamp 14 days old", "", both(one, func(m *emf.Metrics) { m.SetTimestamp(ts0.Add(-emf.MaxAge)) }), 1, "", ""},
		{"timestamp 14 days and 1 ms old", "", both(one, func(m *emf.Metrics) { m.SetTimestamp(ts0.Add(-emf.MaxAge - time.Millisecond)) }), 0, "timestamp", "14 days before"},
		{"timestamp 2 hours ahead", "", both(one, func(m *emf.Metrics) { m.SetTimestamp(ts0.Add(emf.MaxFuture)) }), 1, "", ""},
		{"timestamp 2 hours and 1 ms ahead", "", both(one, func(m *emf.Metrics) { m.SetTimestamp(ts0.Add(emf.MaxFuture + time.Millisecond)) }), 0, "timestamp", "2 hours after"},
		{"timestamp at 1970", "", both(one, func(m *emf.Metrics) { m.SetTimestamp(time.UnixMilli(0)) }), 0, "timestamp", "14 days before"},
		{"timestamp before 1970", "", both(one, func(m *emf.Metrics) { m.SetTimestamp(time.UnixMilli(-1)) }), 0, "timestamp", "1970"},
		{"zero timestamp", "", both(one, func(m *emf.Metrics) { m.SetTimestamp(time.Time{}) }), 0, "timestamp", "1970"},
		{"event of MaxEventBytes", "", pad(emf.MaxEventBytes), 1, "", ""},
		{"event of MaxEventBytes+1", "", pad(emf.MaxEventBytes + 1), 0, "event", "longer than 1048550"},
		{"no metric: no event", "", func(m *emf.Metrics) {}, 0, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ns := tc.ns
			if ns == "" {
				ns = "ns"
			}
			m := newM(ns)
			tc.build(m)
			evs, err := m.Encode()
			if tc.errField != "" {
				var e *emf.Error
				if !errors.As(err, &e) || e.Field != tc.errField || !strings.Contains(e.Reason, tc.errReason) {
					t.Fatalf("err %v (%#v), want an *emf.Error on %s saying %q", err, e, tc.errField, tc.errReason)
				}
				if e.Value == "" || !strings.Contains(err.Error(), e.Value) {
					t.Errorf("error %q does not show the value", err)
				}
				if len(evs) != 0 {
					t.Errorf("%d events with the error", len(evs))
				}
				var buf bytes.Buffer
				if n, werr := m.WriteTo(&buf); werr == nil || n != 0 || buf.Len() != 0 {
					t.Errorf("WriteTo wrote %d bytes, err %v", buf.Len(), werr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != tc.events {
				t.Fatalf("%d events, want %d", len(evs), tc.events)
			}
			for i, ev := range evs {
				if _, err := checkSpec(ev); err != nil {
					t.Errorf("event %d breaks the spec: %v", i, err)
				}
			}
		})
	}
}

// TestSplitKeepsEverything: split events carry every value once, in order, and every
// dimension and property in each event.
func TestSplitKeepsEverything(t *testing.T) {
	m := newM("ns")
	m.SetDefaultDimensions(dim("Service", "s"))
	m.PutDimensions(dim("Op", "o"))
	m.SetProperty("req", "r1")
	want := map[string][]float64{}
	for i := range 130 {
		name := "m" + strconv.Itoa(i)
		n := 1
		switch i {
		case 3:
			n = 250 // three events' worth
		case 120:
			n = 101
		}
		for j := range n {
			v := float64(i*1000 + j)
			m.PutMetric(name, v, emf.Milliseconds)
			want[name] = append(want[name], v)
		}
	}
	evs, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 3 {
		t.Errorf("%d events, want 3 (m3's 250 values)", len(evs))
	}
	got := map[string][]float64{}
	for i, ev := range evs {
		p, err := checkSpec(ev)
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if p.dims["Service"] != "s" || p.dims["Op"] != "o" || p.root["req"] != "r1" || p.timestamp != ts0.UnixMilli() {
			t.Errorf("event %d lost a dimension, property or the timestamp: %v", i, p.root)
		}
		for k, v := range p.values {
			got[k] = append(got[k], v...)
			if p.units[k] != "Milliseconds" {
				t.Errorf("event %d: %s unit %q", i, k, p.units[k])
			}
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d metrics, want %d", len(got), len(want))
	}
	for k, w := range want {
		if len(got[k]) != len(w) {
			t.Errorf("%s: %d values, want %d", k, len(got[k]), len(w))
			continue
		}
		for j := range w {
			if got[k][j] != w[j] {
				t.Errorf("%s[%d] = %v, want %v", k, j, got[k][j], w[j])
				break
			}
		}
	}
	if _, err := m.MarshalJSON(); err == nil {
		t.Error("MarshalJSON of three events: no error")
	}
}

// TestFirstErrorKept: the first invalid input is the one reported, later ones do not replace it.
func TestFirstErrorKept(t *testing.T) {
	m := newM("ns")
	m.PutMetric("a", math.NaN(), emf.Count)
	m.PutMetric("b", 1, "bad")
	_, err := m.Encode()
	var e *emf.Error
	if !errors.As(err, &e) || e.Field != `metric["a"].value` || e.Value != "NaN" {
		t.Fatalf("%v, want the NaN of a", err)
	}
	if !strings.Contains(err.Error(), `metric["a"].value NaN`) {
		t.Errorf("message %q", err)
	}
}

type sinkFunc func(t time.Time, msg string) error

func (f sinkFunc) Log(t time.Time, msg string) error { return f(t, msg) }

// TestLogTo: each event is logged at the metrics' timestamp; a sink error stops LogTo.
func TestLogTo(t *testing.T) {
	m := newM("ns")
	for i := range 150 {
		m.PutMetric("m"+strconv.Itoa(i), 1, emf.Count)
	}
	var got []string
	err := m.LogTo(sinkFunc(func(ts time.Time, msg string) error {
		if !ts.Equal(ts0) {
			t.Errorf("logged at %v, want %v", ts, ts0)
		}
		got = append(got, msg)
		return nil
	}))
	want, _ := m.Encode()
	if err != nil || len(got) != 2 || got[0] != string(want[0]) || got[1] != string(want[1]) {
		t.Fatalf("LogTo: %v, %d events", err, len(got))
	}
	// A timestamp finer than a millisecond is logged as the millisecond the events carry.
	m.SetTimestamp(ts0.Add(999 * time.Microsecond))
	err = m.LogTo(sinkFunc(func(ts time.Time, msg string) error {
		p, err := checkSpec([]byte(msg))
		if err != nil {
			return err
		}
		if !ts.Equal(time.UnixMilli(p.timestamp)) || p.timestamp != ts0.UnixMilli() {
			t.Errorf("logged at %v, the event carries %d (want %d)", ts, p.timestamp, ts0.UnixMilli())
		}
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	n := 0
	if err := m.LogTo(sinkFunc(func(time.Time, string) error { n++; return boom })); err != boom || n != 1 {
		t.Errorf("LogTo with a failing sink: %v after %d calls", err, n)
	}
}

// TestConcurrent puts from many goroutines while others encode (run with -race): nothing is
// lost and every encoding is valid.
func TestConcurrent(t *testing.T) {
	m := newM("ns")
	m.PutDimensions(dim("Op", "o"))
	const workers, each = 8, 50
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				m.PutMetric("m"+strconv.Itoa(w), float64(i), emf.Count)
				m.SetProperty("p"+strconv.Itoa(w), i)
			}
		}()
	}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				evs, err := m.Encode()
				if err != nil {
					t.Error(err)
					return
				}
				for _, ev := range evs {
					if _, err := checkSpec(ev); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	evs, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, ev := range evs {
		p, err := checkSpec(ev)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range p.values {
			total += len(v)
		}
	}
	if total != workers*each {
		t.Errorf("%d values, want %d", total, workers*each)
	}
}

type jsonErr struct{}

func (jsonErr) Error() string                { return "json error" }
func (jsonErr) MarshalJSON() ([]byte, error) { return []byte(`{"code":7}`), nil }

type ptrErr struct{ msg string }

func (e *ptrErr) Error() string { return e.msg }

// TestPropertyValues: what SetProperty writes for values of various types, and the
// values it refuses.
func TestPropertyValues(t *testing.T) {
	for _, tc := range []struct {
		name  string
		value any
		want  string // the member's JSON; "" when refused
	}{
		{"string", "a", `"a"`},
		{"invalid UTF-8", "a\xffb", `"a\ufffdb"`},
		{"map, keys sorted", map[string]int{"b": 2, "a": 1}, `{"a":1,"b":2}`},
		{"map with int keys, sorted as text", map[int]string{2: "x", 10: "y"}, `{"10":"y","2":"x"}`},
		{"slice", []any{1, "x", nil}, `[1,"x",null]`},
		{"struct", struct {
			A      int `json:"a"`
			hidden int
		}{1, 2}, `{"a":1}`},
		{"nil", nil, `null`},
		{"time", time.UnixMilli(0).UTC(), `"1970-01-01T00:00:00Z"`},
		{"bytes", []byte("hi"), `"aGk="`},
		{"error", errors.New("boom"), `"boom"`},
		{"wrapped error", fmt.Errorf("read: %w", errors.New("EOF")), `"read: EOF"`},
		{"pointer error", &ptrErr{"p"}, `"p"`},
		{"nil pointer error", (*ptrErr)(nil), `null`},
		{"error with MarshalJSON", jsonErr{}, `{"code":7}`},
		{"NaN", math.NaN(), ""},
		{"channel", make(chan int), ""},
		{"map with struct keys", map[struct{ A int }]int{{1}: 1}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newM("ns")
			m.PutMetric("x", 1, emf.Count)
			m.SetProperty("p", tc.value)
			evs, err := m.Encode()
			if tc.want == "" {
				var e *emf.Error
				if !errors.As(err, &e) || e.Field != `property["p"]` {
					t.Fatalf("err %v, want an *emf.Error on property[\"p\"]", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := string(evs[0]); !strings.HasSuffix(got, `,"p":`+tc.want+`}`) {
				t.Errorf("event %s\nwant it to end with \"p\":%s", got, tc.want)
			}
		})
	}
}

// TestUnits: every constant carries the specification's unit string, the per-second units
// are all named …PerSecond, Units lists them all, and changing Units changes no validation.
func TestUnits(t *testing.T) {
	consts := map[emf.Unit]string{
		emf.Seconds: "Seconds", emf.Microseconds: "Microseconds", emf.Milliseconds: "Milliseconds",
		emf.Bytes: "Bytes", emf.Kilobytes: "Kilobytes", emf.Megabytes: "Megabytes", emf.Gigabytes: "Gigabytes",
		emf.Terabytes: "Terabytes", emf.Bits: "Bits", emf.Kilobits: "Kilobits", emf.Megabits: "Megabits",
		emf.Gigabits: "Gigabits", emf.Terabits: "Terabits", emf.Percent: "Percent", emf.Count: "Count",
		emf.BytesPerSecond: "Bytes/Second", emf.KilobytesPerSecond: "Kilobytes/Second",
		emf.MegabytesPerSecond: "Megabytes/Second", emf.GigabytesPerSecond: "Gigabytes/Second",
		emf.TerabytesPerSecond: "Terabytes/Second", emf.BitsPerSecond: "Bits/Second",
		emf.KilobitsPerSecond: "Kilobits/Second", emf.MegabitsPerSecond: "Megabits/Second",
		emf.GigabitsPerSecond: "Gigabits/Second", emf.TerabitsPerSecond: "Terabits/Second",
		emf.CountPerSecond: "Count/Second", emf.None: "None",
	}
	if len(consts) != len(specUnits) || len(emf.Units) != len(specUnits) {
		t.Fatalf("%d constants, %d in Units, want %d", len(consts), len(emf.Units), len(specUnits))
	}
	for u, s := range consts {
		if string(u) != s || !specUnits[s] {
			t.Errorf("constant %q, want %q, a unit of the specification", u, s)
		}
	}
	for _, u := range emf.Units {
		if _, ok := consts[u]; !ok {
			t.Errorf("Units holds %q", u)
		}
	}
	saved := slices.Clone(emf.Units)
	t.Cleanup(func() { copy(emf.Units, saved) })
	emf.Units[0] = "Minutes"
	m := newM("ns")
	m.PutMetric("x", 1, "Minutes")
	if _, err := m.Encode(); err == nil {
		t.Error(`after Units[0] = "Minutes", the unit "Minutes" is accepted`)
	}
}
