package jsonnum

import (
	"encoding/json"
	"testing"
)

func TestScan(t *testing.T) {
	tests := []struct {
		s    string
		i    int
		want int
	}{
		{"0", 0, 1}, {"-0", 0, 2}, {"12", 0, 2}, {"1.5", 0, 3}, {"-1.5e+3", 0, 7}, {"1E5", 0, 3}, {"1e-0", 0, 4},
		{"01", 0, 1}, {"1a", 0, 1}, {"12,", 0, 2}, {"1.2.3", 0, 3}, {"0x1", 0, 1},
		{`{"a":-7}`, 5, 7}, {`[3e2]`, 1, 4},
		{"", 0, -1}, {"-", 0, -1}, {"1.", 0, -1}, {".5", 0, -1}, {"+1", 0, -1}, {"1e", 0, -1}, {"1e+", 0, -1},
		{"--1", 0, -1}, {"Inf", 0, -1}, {"1.e5", 0, -1}, {"5", 1, -1},
	}
	for _, tc := range tests {
		if got := Scan(tc.s, tc.i); got != tc.want {
			t.Errorf("Scan(%q, %d) = %d, want %d", tc.s, tc.i, got, tc.want)
		}
	}
}

// isNumberByEncodingJSON is Is by encoding/json: valid JSON that starts with a number's
// first byte and has no white space around it is a number.
func isNumberByEncodingJSON(s string) bool {
	if s == "" || !json.Valid([]byte(s)) {
		return false
	}
	first, last := s[0], s[len(s)-1]
	return (first == '-' || first >= '0' && first <= '9') && last >= '0' && last <= '9'
}

func TestIs(t *testing.T) {
	for _, s := range []string{"0", "-0", "12", "1.5", "-1.5e+3", "1E5", "0.0", "1e-0",
		"", "-", "01", "1.", ".5", "+1", "1e", "1e+", "0x1", "1.2.3", "--1", "1a", "Inf", " 1", "1 "} {
		if got, want := Is(s), isNumberByEncodingJSON(s); got != want {
			t.Errorf("Is(%q) = %v, want %v", s, got, want)
		}
	}
}

func FuzzIs(f *testing.F) {
	for _, s := range []string{"0", "-1.5e+3", "01", "1.", "1e+", " 1", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Is(s), isNumberByEncodingJSON(s); got != want {
			t.Errorf("Is(%q) = %v, encoding/json says %v", s, got, want)
		}
		for i := 0; i <= len(s); i++ {
			if j := Scan(s, i); j != -1 && !Is(s[i:j]) {
				t.Errorf("Scan(%q, %d) = %d, and %q is not a number", s, i, j, s[i:j])
			}
		}
	})
}
