package spool

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestMarkedSize: the size an end marker gives, and 0 (unknown) for bytes
// markEndLocked does not write. (A marker of any length was read whole,
// a valid prefix before megabytes of padding taken for a size, and any
// size believed: one near MaxInt64 overflowed DiskBytes, so that MaxBytes
// no longer held.)
func TestMarkedSize(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		want       int64
	}{
		{"written by markEndLocked", "120 3000\n", 3000},
		{"largest", fmt.Sprintf("18446744073709551615 %d\n", maxSegFileBytes), maxSegFileBytes},
		{"larger than any segment", fmt.Sprintf("120 %d\n", maxSegFileBytes+1), 0},
		{"overflowing DiskBytes", "120 9223372036854775807\n", 0},
		{"no size", "120\n", 0},
		{"negative size", "120 -5\n", 0},
		{"not numbers", "end\n", 0},
		{"empty", "", 0},
		{"padded past the limit", "120 3000\n" + strings.Repeat(" ", 1<<20), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), segName(0)+endSuffix)
			if err := writeFile(path, []byte(tc.data)); err != nil {
				t.Fatal(err)
			}
			if got := markedSize(path); got != tc.want {
				t.Fatalf("markedSize(%.20q) = %d, want %d", tc.data, got, tc.want)
			}
		})
	}
	if got := markedSize(filepath.Join(t.TempDir(), "missing")); got != 0 {
		t.Fatalf("markedSize of a missing file = %d, want 0", got)
	}
}

// FuzzParseMarker: never panics, never returns a negative size, and reads
// back the size of every marker markEndLocked writes.
func FuzzParseMarker(f *testing.F) {
	f.Add([]byte("120 3000\n"), uint64(120), int64(3000))
	f.Add([]byte("x"), uint64(0), int64(0))
	f.Fuzz(func(t *testing.T, b []byte, bound uint64, size int64) {
		if got := parseMarker(b); got < 0 {
			t.Fatalf("parseMarker(%q) = %d", b, got)
		}
		if size < 0 || size > maxSegFileBytes {
			return
		}
		data := markerData(bound, size)
		if got := parseMarker(data); got != size {
			t.Fatalf("parseMarker(%q) = %d, want %d", data, got, size)
		}
	})
}
