package emf_test

import (
	"strconv"
	"testing"

	"github.com/cwlogs/cwlogs/emf"
)

// BenchmarkEncode: one event with 3 dimensions and 10 metrics, built and encoded.
func BenchmarkEncode(b *testing.B) {
	names := make([]string, 10)
	for i := range names {
		names[i] = "Metric" + strconv.Itoa(i)
	}
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		m := emf.New("MyApp/Bench")
		m.PutDimensions(emf.Dimension{Name: "Service", Value: "checkout"},
			emf.Dimension{Name: "Operation", Value: "Pay"}, emf.Dimension{Name: "Region", Value: "eu-west-1"})
		for i, n := range names {
			m.PutMetric(n, float64(i)*1.5, emf.Milliseconds)
		}
		var err error
		if buf, err = m.AppendEncode(buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendEncode: encoding alone, of the same event (the Metrics built once).
func BenchmarkAppendEncode(b *testing.B) {
	m := emf.New("MyApp/Bench")
	m.PutDimensions(emf.Dimension{Name: "Service", Value: "checkout"},
		emf.Dimension{Name: "Operation", Value: "Pay"}, emf.Dimension{Name: "Region", Value: "eu-west-1"})
	for i := range 10 {
		m.PutMetric("Metric"+strconv.Itoa(i), float64(i)*1.5, emf.Milliseconds)
	}
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		var err error
		if buf, err = m.AppendEncode(buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
}
