package jsonstr

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// stdJSON encodes s with encoding/json, HTML escaping off.
func stdJSON(t testing.TB, v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func TestAppend(t *testing.T) {
	for _, s := range []string{"", "plain", `q"b\`, "\x00\x01\x1f\x7f", "\b\f\n\r\t", "<&>", "\u2028\u2029", "\xff", "a\xc3", "é日本🙂", "\xed\xa0\x80"} {
		got := string(Append(nil, s))
		if want := stdJSON(t, s); got != want {
			t.Errorf("Append(%q) = %s, want %s", s, got, want)
		}
	}
}

// TestAppendEveryPosition puts each special byte at every position
// of a long ASCII string, exercising the 8-byte fast path's boundaries.
func TestAppendEveryPosition(t *testing.T) {
	specials := []string{"\"", "\\", "\x00", "\x1f", "\n", "\x7f", "\xff", "é", "\u2028", " ", "~"}
	for _, sp := range specials {
		for pos := 0; pos < 24; pos++ {
			s := strings.Repeat("a", pos) + sp + strings.Repeat("b", 24-pos)
			if got, want := string(Append(nil, s)), stdJSON(t, s); got != want {
				t.Fatalf("Append(%q) = %s, want %s", s, got, want)
			}
		}
	}
}

// FuzzAppend checks the encoder byte for byte against encoding/json.
func FuzzAppend(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\u2028", "\xff\xfe", "\x00<>&", "日本"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(Append(nil, s)), stdJSON(t, s); got != want {
			t.Fatalf("Append(%q) = %s, want %s", s, got, want)
		}
	})
}
