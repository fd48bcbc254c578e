package patterns

import (
	"regexp"
	"testing"
)

// TestWordClass: wordClass matches a byte as Go's regexp reads it exactly when
// isWordByte accepts it (from 0x80, a byte of invalid UTF-8, read as U+FFFD).
func TestWordClass(t *testing.T) {
	re := regexp.MustCompile(`^` + wordClass + `$`)
	for b := 0; b < 256; b++ {
		if got := re.MatchString(string([]byte{byte(b)})); got != isWordByte(byte(b)) {
			t.Errorf("byte %#x: wordClass matches %v, isWordByte %v", b, got, isWordByte(byte(b)))
		}
	}
	for _, s := range []string{"é", "€", "日本", "\U0001F600", "\uFFFD"} {
		if !regexp.MustCompile(`^` + wordClass + `+$`).MatchString(s) {
			t.Errorf("wordClass does not match %q", s)
		}
	}
}
