package ship

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzWrite checks that the events made by Write are the input's non-empty
// lines (without "\r"), each at most the message limit, valid UTF-8, and that
// joined back they give the input (modulo invalid bytes replaced by U+FFFD).
func FuzzWrite(f *testing.F) {
	f.Add([]byte("a\nb\r\n\nccc"), uint8(3))
	f.Add([]byte("\xff\xfe€€€€\n"), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, split uint8) {
		api := newFake(t)
		o := fastOpts()
		o.MaxMessageBytes = 8
		s := mustNew(t, api, o)
		cut := 0
		if len(data) > 0 {
			cut = int(split) % (len(data) + 1)
		}
		for _, p := range [][]byte{data[:cut], data[cut:]} {
			if n, err := s.Write(p); n != len(p) || err != nil {
				t.Fatalf("Write = %d, %v", n, err)
			}
		}
		if err := s.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		var got strings.Builder
		for _, e := range api.stored("g", "s") {
			if len(e.Message) > 8 || e.Message == "" || !utf8.ValidString(e.Message) {
				t.Fatalf("bad event %q", e.Message)
			}
			got.WriteString(e.Message)
		}
		var want strings.Builder
		for _, line := range strings.Split(string(data), "\n") {
			want.WriteString(validUTF8(strings.TrimSuffix(line, "\r")))
		}
		if got.String() != want.String() {
			t.Fatalf("got %q, want %q", got.String(), want.String())
		}
		checkInvariant(t, s.Stats())
		api.checkNoViolations(t)
	})
}

// FuzzUTF8Cut checks the split points of oversized messages.
func FuzzUTF8Cut(f *testing.F) {
	f.Add("aé€😀", 3)
	f.Fuzz(func(t *testing.T, s string, max int) {
		s = validUTF8(s)
		if s == "" || max < 4 || max > 1<<20 {
			return
		}
		c := utf8Cut(s, max)
		if c < 1 || c > max && c != len(s) || c > len(s) || !utf8.ValidString(s[:c]) || !utf8.ValidString(s[c:]) {
			t.Fatalf("utf8Cut(%q, %d) = %d", s, max, c)
		}
	})
}
