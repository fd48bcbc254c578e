package linecut

import "testing"

func TestKeep(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"", 0}, {"abc", 0}, {"ab\r", 1}, {"ab\r\n", 0}, {"a€", 0},
		{"a\xe2\x82", 2}, {"a\xe2", 1}, {"a\xf0\x9f\x98", 3}, {"\xff", 0}, {"é\r", 1},
	} {
		if got := Keep([]byte(tc.in)); got != tc.want {
			t.Errorf("Keep(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}
