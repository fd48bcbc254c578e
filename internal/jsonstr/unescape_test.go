package jsonstr

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// TestAppendUnescaped: the text of a string literal is what encoding/json decodes.
func TestAppendUnescaped(t *testing.T) {
	for _, lit := range []string{
		`""`, `"plain"`, `"a\"b\\c\/d"`, `"\b\f\n\r\t"`, `"\u00e9\u20AC"`, `"\ud83d\ude00"`,
		`"\ud83d"`, `"\ud83dx"`, `"\ude00\ud83d"`, `"\ud83d\u0041"`, `"\ud83d\ud83d\ude00"`, `"é€"`,
	} {
		var want string
		if err := json.Unmarshal([]byte(lit), &want); err != nil {
			t.Fatalf("%s: %v", lit, err)
		}
		if got := string(AppendUnescaped(nil, lit[1:len(lit)-1])); got != want {
			t.Errorf("AppendUnescaped(%s) = %q, want %q", lit, got, want)
		}
	}
}

// FuzzAppendUnescaped: for every valid UTF-8 string literal, AppendUnescaped decodes its
// content as encoding/json does.
func FuzzAppendUnescaped(f *testing.F) {
	for _, s := range []string{`"a\u00e9"`, `"\ud83d\ude00"`, `"\ud800\u0041"`, `"x\\y\n"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, lit string) {
		var want string
		// encoding/json replaces invalid UTF-8, which AppendUnescaped copies as it is.
		if len(lit) < 2 || lit[0] != '"' || lit[len(lit)-1] != '"' || !utf8.ValidString(lit) ||
			json.Unmarshal([]byte(lit), &want) != nil {
			return
		}
		if got := string(AppendUnescaped(nil, lit[1:len(lit)-1])); got != want {
			t.Errorf("AppendUnescaped(%q) = %q, want %q", lit, got, want)
		}
	})
}
