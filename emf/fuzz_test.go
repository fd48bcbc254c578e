package emf_test

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"testing"

	"github.com/cwlogs/cwlogs/emf"
)

// jsonString is s after a trip through encoding/json, which makes invalid UTF-8 valid.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	var out string
	_ = json.Unmarshal(b, &out)
	return out
}

// FuzzEncode: any input gives either an *emf.Error naming a field, or events that each
// satisfy the specification (checkSpec, written from the specification apart from the
// encoder) and that together carry every value put, in order, with its unit, resolution,
// the namespace, the dimensions and the property.
func FuzzEncode(f *testing.F) {
	f.Add("ns", "Op", "Get", "Latency", 12.5, uint8(3), uint8(0), "Milliseconds", 60, "req", "r1")
	f.Add("My/App", "Host", "h-1", "Bytes", 1e300, uint8(150), uint8(120), "Bytes", 1, "k", "")
	f.Add("", "", "", "", math.NaN(), uint8(1), uint8(0), "", 0, "", "")
	f.Add("AWS/x", ":a", "é", "_aws", math.Inf(1), uint8(0), uint8(0), "count", 30, "_aws", "\x00")
	f.Add("ns", "Op", "Get", "Latency", math.NaN(), uint8(2), uint8(0), "Seconds", 1, "req", "r")
	f.Add("ns", "Op", "Get", "Latency", math.Inf(-1), uint8(1), uint8(0), "Seconds", 60, "req", "r")
	f.Add("n", "m0", "v", "x", math.Copysign(0, -1), uint8(101), uint8(99), "None", 60, "x", "\u2028")
	f.Fuzz(func(t *testing.T, ns, dimName, dimValue, metric string, value float64, n, extra uint8, unit string, res int, propKey, propVal string) {
		m := emf.New(ns)
		if dimName != "" {
			m.PutDimensions(emf.Dimension{Name: dimName, Value: dimValue})
		}
		want := map[string][]float64{}
		for i := range int(n) {
			v := value + float64(i)
			m.PutMetricResolution(metric, v, emf.Unit(unit), emf.Resolution(res))
			want[metric] = append(want[metric], v)
		}
		for i := range int(extra) {
			name := "extra" + strconv.Itoa(i)
			m.PutMetric(name, float64(i), emf.Count)
			want[name] = append(want[name], float64(i))
		}
		if propKey != "" {
			m.SetProperty(propKey, propVal)
		}
		evs, err := m.Encode()
		if err != nil {
			var e *emf.Error
			if !errors.As(err, &e) || e.Field == "" || e.Reason == "" {
				t.Fatalf("error %v is not an *emf.Error with a field and reason", err)
			}
			if len(evs) != 0 {
				t.Fatalf("%d events with an error", len(evs))
			}
			return
		}
		got := map[string][]float64{}
		for i, ev := range evs {
			p, err := checkSpec(ev)
			if err != nil {
				t.Fatalf("event %d breaks the spec: %v\n%s", i, err, ev)
			}
			if p.namespace != ns {
				t.Fatalf("namespace %q, want %q", p.namespace, ns)
			}
			if dimName != "" && (p.dims[dimName] != dimValue || len(p.dimSets) != 1) {
				t.Fatalf("dimension %q=%q lost: %v", dimName, dimValue, p.dimSets)
			}
			if propKey != "" && p.root[propKey] != jsonString(propVal) {
				t.Fatalf("property %q = %v, want %q", propKey, p.root[propKey], propVal)
			}
			for k, v := range p.values {
				got[k] = append(got[k], v...)
				wantUnit, wantRes := "Count", 60
				if k == metric {
					wantUnit, wantRes = unit, res
					if unit == "" {
						wantUnit = "None"
					}
				}
				if p.units[k] != wantUnit || p.res[k] != wantRes {
					t.Fatalf("%s: unit %q resolution %d, want %q %d", k, p.units[k], p.res[k], wantUnit, wantRes)
				}
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%d metrics, want %d", len(got), len(want))
		}
		for k, w := range want {
			g := got[k]
			if len(g) != len(w) {
				t.Fatalf("%s: %d values, want %d", k, len(g), len(w))
			}
			for i := range w {
				if g[i] != w[i] || math.Signbit(g[i]) != math.Signbit(w[i]) {
					t.Fatalf("%s[%d] = %v, want %v", k, i, g[i], w[i])
				}
			}
		}
	})
}
