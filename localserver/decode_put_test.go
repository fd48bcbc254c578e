package localserver

import (
	"encoding/binary"
	"encoding/json"
	"strings"
	"testing"
)

// special is the byte-at-a-time definition wordSpecial must agree with.
func special(c byte) bool { return c == '"' || c == '\\' || c < 0x20 || c >= 0x80 }

func TestWordSpecial(t *testing.T) {
	// Every byte value at every position of an otherwise plain word, and pairs of values at
	// two positions (borrow propagation), against the byte-wise definition.
	base := []byte("abcdefgh")
	check := func(w []byte) {
		t.Helper()
		want := false
		for _, c := range w {
			want = want || special(c)
		}
		if got := wordSpecial(binary.LittleEndian.Uint64(w)); got != want {
			t.Fatalf("wordSpecial(%q) = %v, want %v", w, got, want)
		}
	}
	for pos := 0; pos < 8; pos++ {
		for c := 0; c < 256; c++ {
			w := append([]byte(nil), base...)
			w[pos] = byte(c)
			check(w)
		}
	}
	for p1 := 0; p1 < 8; p1++ {
		for p2 := p1 + 1; p2 < 8; p2++ {
			for c1 := 0; c1 < 256; c1 += 3 {
				for c2 := 0; c2 < 256; c2 += 5 {
					w := append([]byte(nil), base...)
					w[p1], w[p2] = byte(c1), byte(c2)
					check(w)
				}
			}
		}
	}
}

func FuzzWordSpecial(f *testing.F) {
	f.Add(uint64(0x2222222222222222))
	f.Add(uint64(0x6162636465666768))
	f.Fuzz(func(t *testing.T, x uint64) {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], x)
		want := false
		for _, c := range w {
			want = want || special(c)
		}
		if got := wordSpecial(x); got != want {
			t.Fatalf("wordSpecial(%#x) = %v, want %v", x, got, want)
		}
	})
}

// TestDecodeStringPositions puts each kind of special character at every offset of long
// strings (so it falls in the word loop, at a word boundary and in the tail) and compares
// the decoded message with encoding/json.
func TestDecodeStringPositions(t *testing.T) {
	specials := []string{`\"`, `\\`, `\n`, `\u00e9`, `\ud83d\ude00`, "é", "\xff", "\u2028", `\/`}
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 40} {
		for _, sp := range specials {
			for at := 0; at <= n; at++ {
				lit := strings.Repeat("a", at) + sp + strings.Repeat("b", n-at)
				body := `{"logEvents":[{"timestamp":1,"message":"` + lit + `"}]}`
				req, err := decodePut([]byte(body), nil)
				if err != nil {
					t.Fatalf("%q: %v", body, err)
				}
				var want struct {
					LogEvents []struct{ Message string } `json:"logEvents"`
				}
				if err := json.Unmarshal([]byte(body), &want); err != nil {
					t.Fatal(err)
				}
				if got := string(req.events[0].msg); got != want.LogEvents[0].Message {
					t.Fatalf("%q: message %q, want %q", body, got, want.LogEvents[0].Message)
				}
			}
		}
	}
	for _, tc := range []struct{ body, want string }{
		{`{"logEvents":[{"timestamp":1,"message":"abcdefghij` + "\x01" + `"}]}`, "invalid control character"},
		{`{"logEvents":[{"timestamp":1,"message":"abcdefghijklmnop`, "unexpected end of JSON input in string"},
		{`{"logEvents":[{"timestamp":1,"message":"abcdefghij\q"}]}`, "invalid escape"},
		{`{"logEvents":[{"timestamp":12345678901234567890,"message":"a"}]}`, "timestamp is out of range"},
	} {
		_, err := decodePut([]byte(tc.body), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.body, err, tc.want)
		}
	}
}

func TestSmallInt(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"-0", 0, true}, {"1700000000000", 1700000000000, true}, {"-42", -42, true},
		{"999999999999999999", 999999999999999999, true}, {"9223372036854775807", 0, false}, {"", 0, false}, {"-", 0, false},
	} {
		got, ok := smallInt([]byte(tc.in))
		if got != tc.want || ok != tc.ok {
			t.Errorf("smallInt(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// BenchmarkDecodePut measures the PutLogEvents decoder on full batches.
func BenchmarkDecodePut(b *testing.B) {
	for _, size := range []int{100, 1000} {
		body, n := buildBatch("g", "s", size, testNow)
		b.Run(itoa(int64(size))+"B", func(b *testing.B) {
			evs := make([]putEvent, 0, n)
			b.SetBytes(int64(len(body)))
			for i := 0; i < b.N; i++ {
				req, err := decodePut(body, evs)
				if err != nil || len(req.events) != n {
					b.Fatal(err)
				}
				evs = req.events
			}
		})
	}
}
