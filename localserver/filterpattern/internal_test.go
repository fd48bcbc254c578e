package filterpattern

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

func TestSplitFields(t *testing.T) {
	tests := []struct {
		msg  string
		want []string
	}{
		{"", nil},
		{"   ", nil},
		{"a b  c", []string{"a", "b", "c"}},
		{" a\tb\r\nc ", []string{"a", "b", "c"}},
		{`127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534`,
			[]string{"127.0.0.1", "-", "frank", "10/Oct/2000:13:25:15 -0700", "GET /apache_pb.gif HTTP/1.0", "200", "1534"}},
		{`"a \" b" c`, []string{`a \" b`, "c"}},
		{`"" []`, []string{"", ""}},
		{`"unterminated x`, []string{"unterminated x"}},
		{`[unterminated x`, []string{"unterminated x"}},
		{`"x"y`, []string{"x", "y"}},
		{`a"b c`, []string{`a"b`, "c"}},
		{`[a "b] c"`, []string{`a "b`, `c"`}},
	}
	for _, tc := range tests {
		got := splitFields(tc.msg, nil)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("splitFields(%q) = %q, want %q", tc.msg, got, tc.want)
		}
	}
}

func TestNumberText(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"0", true}, {"+1", true}, {"-1", true}, {"1.5", true}, {"1.", true}, {".5", true},
		{"1e3", true}, {"1E-3", true}, {"10e+3", true}, {"-.5e2", true},
		{"", false}, {".", false}, {"+", false}, {"e3", false}, {"1e", false}, {"1e+", false},
		{"1.2.3", false}, {"0x10", false}, {"Inf", false}, {"NaN", false}, {"1_000", false}, {" 1", false},
	}
	for _, tc := range tests {
		if got := isNumberText(tc.s); got != tc.want {
			t.Errorf("isNumberText(%q) = %v, want %v", tc.s, got, tc.want)
		}
		if _, ok := parseNumber(tc.s); ok != tc.want {
			t.Errorf("parseNumber(%q) ok = %v, want %v", tc.s, ok, tc.want)
		}
	}
	if _, ok := parseNumber("1e999"); ok {
		t.Error("parseNumber(1e999) ok, want out of range")
	}
}

func TestUnescapeJSON(t *testing.T) {
	tests := []struct{ in, want string }{
		{`plain`, "plain"},
		{`a\"b\\c\/d`, `a"b\c/d`},
		{`\b\f\n\r\t`, "\b\f\n\r\t"},
		{`\u00e9`, "é"},
		{`\ud83d\ude00`, "😀"},
		{`\ud83d`, "\uFFFD"},
		{`\ud83dx`, "\uFFFDx"},
		{`\ude00\u0041`, "\uFFFDA"},
	}
	for _, tc := range tests {
		if got := unescapeJSON(tc.in); got != tc.want {
			t.Errorf("unescapeJSON(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// globRef is the reference meaning of a space-delimited pattern: "..."
// stands for any number of fields, every other field matches one.
func globRef(pf []delimField, toks []string) bool {
	if len(pf) == 0 {
		return len(toks) == 0
	}
	if pf[0].ellipsis {
		for i := 0; i <= len(toks); i++ {
			if globRef(pf[1:], toks[i:]) {
				return true
			}
		}
		return false
	}
	return len(toks) > 0 && pf[0].match(toks[0]) && globRef(pf[1:], toks[1:])
}

// TestDelimitedMatchesReference compares the matcher, which anchors the
// fields before the first and after the last "...", with globRef on random
// patterns and messages.
func TestDelimitedMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	fields := []string{"...", "x", "a=x", "a=y", "a!=x", ""}
	words := []string{"x", "y", "z"}
	for range 20000 {
		pf := make([]string, 1+rng.IntN(6))
		for i := range pf {
			pf[i] = fields[rng.IntN(len(fields))]
		}
		toks := make([]string, rng.IntN(8))
		for i := range toks {
			toks[i] = words[rng.IntN(len(words))]
		}
		pattern, msg := "["+strings.Join(pf, ",")+"]", strings.Join(toks, " ")
		p, err := Parse(pattern)
		if err != nil {
			continue // e.g. two "..." in a row
		}
		dp := p.delim
		if dp == nil {
			t.Fatalf("Parse(%q) is not a space-delimited pattern", pattern)
		}
		if got, want := p.Match(msg), globRef(dp.fields, toks); got != want {
			t.Fatalf("Parse(%q).Match(%q) = %v, want %v", pattern, msg, got, want)
		}
	}
}
