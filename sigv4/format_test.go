package sigv4

import (
	"math"
	"strconv"
	"testing"
	"time"
)

func TestAppendAmzDate(t *testing.T) {
	zone := time.FixedZone("X", -(9*3600 + 30*60))
	for _, tt := range []time.Time{
		time.Unix(0, 0),
		time.Unix(-1, 0),         // 1969-12-31T23:59:59Z
		time.Unix(951782400, 0),  // 2000-02-29 (a 400-year leap day)
		time.Unix(4107542399, 0), // 2100-02-28T23:59:59Z (no leap day)
		time.Date(2026, 11, 27, 23, 59, 59, 999999999, time.UTC), // fraction dropped, not rounded
		time.Date(2026, 12, 31, 20, 0, 0, 0, zone),               // the next year in UTC
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), // five-digit years: as time.Format writes them
		time.Date(-1, 3, 1, 0, 0, 0, 0, time.UTC),
	} {
		if got, want := string(appendAmzDate(nil, tt)), tt.UTC().Format(TimeFormat); got != want {
			t.Errorf("appendAmzDate(%v) = %s, want %s", tt, got, want)
		}
	}
}

func FuzzAppendAmzDate(f *testing.F) {
	for _, s := range []int64{0, -1, 86399, 86400, 951782400, 253402300799, -62135596800, math.MaxInt32} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sec int64) {
		sec %= 400_000_000_000 // beyond ±12,000 years time.Time's own arithmetic is the limit
		tt := time.Unix(sec, 0)
		if got, want := string(appendAmzDate(nil, tt)), tt.UTC().Format(TimeFormat); got != want {
			t.Fatalf("appendAmzDate(%d) = %s, want %s", sec, got, want)
		}
	})
}

func TestAppendUint(t *testing.T) {
	for _, v := range []uint64{0, 1, 9, 10, 99, 100, 101, 999, 1000, 1024, 1048576, 123456789, math.MaxUint64} {
		if got, want := string(appendUint([]byte("x"), v)), "x"+strconv.FormatUint(v, 10); got != want {
			t.Errorf("appendUint(%d) = %s, want %s", v, got, want)
		}
	}
}

func TestEncodeHex32(t *testing.T) {
	var src [32]byte
	for i := range src {
		src[i] = byte(i * 37)
	}
	var dst [64]byte
	encodeHex32(&dst, &src)
	want := ""
	for _, c := range src {
		want += strconv.FormatUint(uint64(c)>>4, 16) + strconv.FormatUint(uint64(c)&15, 16)
	}
	if string(dst[:]) != want {
		t.Fatalf("encodeHex32 = %s, want %s", dst, want)
	}
}
