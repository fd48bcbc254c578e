package jsonstr

import (
	"math"
	"testing"
)

func TestAppendFloat(t *testing.T) {
	for _, f := range []float64{0, math.Copysign(0, -1), 1, -1.5, 12.5, 1e6, 1e20, 1e21, -1e21, 3e21, 1e-6, 9.99e-7, 1e-7, -1e-7,
		1.5e-10, 1e-100, 123456789.125, 0.1, math.MaxFloat64, math.SmallestNonzeroFloat64, 5e-324, 1.7976931348623157e308} {
		if got, want := string(AppendFloat([]byte("x"), f)), "x"+stdJSON(t, f); got != want {
			t.Errorf("AppendFloat(%v) = %s, want %s", f, got, want)
		}
	}
}

// FuzzAppendFloat checks AppendFloat byte for byte against encoding/json.
func FuzzAppendFloat(f *testing.F) {
	for _, v := range []float64{0, 1e-7, 1e21, 12.5, -3e-9} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Skip("not a JSON number")
		}
		if got, want := string(AppendFloat(nil, v)), stdJSON(t, v); got != want {
			t.Fatalf("AppendFloat(%v) = %s, want %s", v, got, want)
		}
	})
}
