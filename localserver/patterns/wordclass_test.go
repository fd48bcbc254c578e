package patterns

import (
	"regexp"
	"testing"
	"unicode/utf8"
)

// TestWordClass: wordClass matches a character exactly when wordAt finds it part of a
// word: every byte, alone (from 0x80, a byte of invalid UTF-8, read as U+FFFD), and
// characters beyond ASCII, spaces and punctuation among them.
func TestWordClass(t *testing.T) {
	re := regexp.MustCompile(`^` + wordClass + `$`)
	check := func(s string) {
		t.Helper()
		w, n := wordAt(s, 0)
		if n != len(s) {
			t.Fatalf("%q: width %d", s, n)
		}
		if got := re.MatchString(s); got != w {
			t.Errorf("%q: wordClass matches %v, wordAt %v", s, got, w)
		}
	}
	for b := 0; b < 256; b++ {
		check(string([]byte{byte(b)}))
	}
	for _, r := range []rune{'é', '€', '日', '本', 0x1F600, utf8.RuneError, 0x85, 0xA0, 0x2009, 0x3000, '、', '。', '：', '「', '」', '（', '“', '—', '…', '°'} {
		check(string(r))
	}
}
