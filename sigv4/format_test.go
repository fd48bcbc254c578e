package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

// formatAmzDate writes t, in UTC, in the X-Amz-Date layout [TimeFormat], and reports false
// for years outside 0000-9999, as the signer does it from the Unix time: splitUnix, then
// formatDate (in keyCache.forDay) and joinAmzDate.
func formatAmzDate(dst *[16]byte, t time.Time) bool {
	day, sec := splitUnix(t.Unix())
	var date [8]byte
	if !formatDate(&date, day) {
		return false
	}
	joinAmzDate(dst, string(date[:]), sec)
	return true
}

func TestFormatAmzDate(t *testing.T) {
	zone := time.FixedZone("X", -(9*3600 + 30*60))
	for _, tt := range []time.Time{
		time.Unix(0, 0),
		time.Unix(-1, 0),         // 1969-12-31T23:59:59Z
		time.Unix(951782400, 0),  // 2000-02-29 (a 400-year leap day)
		time.Unix(4107542399, 0), // 2100-02-28T23:59:59Z (no leap day)
		time.Date(2026, 11, 27, 23, 59, 59, 999999999, time.UTC), // fraction dropped, not rounded
		time.Date(2026, 12, 31, 20, 0, 0, 0, zone),               // the next year in UTC
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
	} {
		var got [16]byte
		if !formatAmzDate(&got, tt) {
			t.Errorf("formatAmzDate(%v) reported out of range", tt)
		} else if want := tt.UTC().Format(TimeFormat); string(got[:]) != want {
			t.Errorf("formatAmzDate(%v) = %s, want %s", tt, got, want)
		}
	}
	for _, tt := range []time.Time{
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 12, 31, 23, 59, 59, 0, time.UTC),
	} {
		var got [16]byte
		if formatAmzDate(&got, tt) {
			t.Errorf("formatAmzDate(%v) = %s, want out of range", tt, got)
		}
	}
}

func TestSignTimeOutOfRange(t *testing.T) {
	r := newLogsRequest(t, nil)
	err := NewSigner().SignRequest(r, nil, testCreds, "logs", "us-east-1", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))
	if !errors.Is(err, ErrTimeOutOfRange) {
		t.Fatalf("SignRequest in the year 10000: %v, want ErrTimeOutOfRange", err)
	}
	if r.Header.Get("Authorization") != "" || r.Header.Get("X-Amz-Date") != "" {
		t.Fatalf("a refused signature left headers: %v", r.Header)
	}
}

func FuzzFormatAmzDate(f *testing.F) {
	for _, s := range []int64{0, -1, 86399, 86400, 951782400, 253402300799, 253402300800, -62167219200, -62167219201, math.MaxInt32} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sec int64) {
		sec %= 400_000_000_000 // beyond ±12,000 years time.Time's own arithmetic is the limit
		tt := time.Unix(sec, 0)
		var got [16]byte
		ok := formatAmzDate(&got, tt)
		if y := tt.UTC().Year(); ok != (y >= 0 && y <= 9999) {
			t.Fatalf("formatAmzDate(%d) ok = %v for the year %d", sec, ok, y)
		}
		if want := tt.UTC().Format(TimeFormat); ok && string(got[:]) != want {
			t.Fatalf("formatAmzDate(%d) = %s, want %s", sec, got, want)
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
	// Every byte value at every position.
	for first := 0; first < 256; first += 32 {
		var src [32]byte
		for i := range src {
			src[i] = byte(first + i)
		}
		for shift := range 32 {
			var rot [32]byte
			for i := range rot {
				rot[i] = src[(i+shift)%32]
			}
			want := hex.EncodeToString(rot[:])
			var dst, dstGo [64]byte
			encodeHex32(&dst, &rot) // with SSSE3 where the signer uses the SHA extensions
			encodeHex32Go(&dstGo, &rot)
			if string(dst[:]) != want || string(dstGo[:]) != want {
				t.Fatalf("encodeHex32(%x) = %s; encodeHex32Go: %s", rot, dst, dstGo)
			}
		}
	}
}

func TestHashHex(t *testing.T) {
	if got := HashHex(nil); got != EmptyPayloadHash {
		t.Errorf("HashHex(nil) = %s, want EmptyPayloadHash %s", got, EmptyPayloadHash)
	}
	body := []byte(strings.Repeat("0123456789abcdef", 64) + "tail")
	sum := sha256.Sum256(body)
	if got, want := HashHex(body), hex.EncodeToString(sum[:]); got != want {
		t.Errorf("HashHex(%d bytes) = %s, want %s", len(body), got, want)
	}
}
