package filterpattern_test

import (
	"reflect"
	"testing"

	"github.com/cwlogs/cwlogs/localserver/filterpattern"
)

func TestTerms(t *testing.T) {
	// The three messages of the "OR Pattern Matching" section of AWS's
	// FilterAndPatternSyntax page.
	m1, m2, m3 := "ERROR WARN message", "ERROR message", "WARN message"
	runPatternCases(t, []patternCase{
		// Source: FilterAndPatternSyntax, "Example 1: Single term".
		{"single term", `ERROR`, []matchCase{
			{"[ERROR] A fatal exception has occurred", true},
			{"Exiting with ERRORCODE: -1", true},
			{"[error] lower case", false}, // case-sensitive
			{"", false},
		}},
		{"quoted single term", `"ERROR"`, []matchCase{
			{"[ERROR] A fatal exception has occurred", true},
			{"Exiting with ERRORCODE: -1", true},
		}},
		// Source: FilterAndPatternSyntax, "Example 2: Include a term and
		// exclude a term", written there as "ERROR" - "Exiting".
		{"exclusion with space", `"ERROR" - "Exiting"`, []matchCase{
			{"[ERROR] A fatal exception has occurred", true},
			{"Exiting with ERRORCODE: -1", false},
		}},
		// Source: FilterAndPatternSyntax, "Example 3: Multiple terms".
		{"multiple terms", `ERROR Exception`, []matchCase{
			{"[ERROR] Caught IllegalArgumentException", true},
			{"[ERROR] Unhandled Exception", true},
			{"[ERROR] Unhandled", false},
			{"Exception", false},
		}},
		{"unquoted words are ANDed", `Failed to process the request`, []matchCase{
			{"[WARN] Failed to process the request", true},
			{"[ERROR] Unable to continue: Failed to process the request", true},
			{"the request to process Failed", true}, // order does not matter
			{"Failed to process", false},
		}},
		// Source: FilterAndPatternSyntax, "OR Pattern Matching".
		{"AND", `ERROR WARN`, []matchCase{{m1, true}, {m2, false}, {m3, false}}},
		{"OR", `?ERROR ?WARN`, []matchCase{{m1, true}, {m2, true}, {m3, true}, {"INFO message", false}}},
		{"exclusion", `ERROR -WARN`, []matchCase{{m1, false}, {m2, true}, {m3, false}}},
		// Source: cloudwatch-logs-api.md §10 examples.
		{"exact phrase", `"INTERNAL SERVER ERROR"`, []matchCase{
			{"500 INTERNAL SERVER ERROR occurred", true},
			{"INTERNAL ERROR SERVER", false},
		}},
		{"ERROR ARGUMENTS", `ERROR ARGUMENTS`, []matchCase{{"ERROR bad ARGUMENTS", true}, {"ERROR", false}}},
		{"OR ARGUMENTS", `?ERROR ?ARGUMENTS`, []matchCase{{"ARGUMENTS", true}, {"ERROR", true}, {"ARG", false}}},
		{"ERROR -ARGUMENTS", `ERROR -ARGUMENTS`, []matchCase{{"ERROR x", true}, {"ERROR ARGUMENTS", false}}},
		// AWS CDK FilterPattern.anyTermGroup renders `?"a" "b" ?"c" "d"`.
		{"term groups", `?"ERROR" "MainThread" ?"WARN" "Deadlock"`, []matchCase{
			{"ERROR in MainThread", true},
			{"WARN Deadlock detected", true},
			{"ERROR Deadlock", false},
			{"WARN MainThread", false},
		}},
		{"leading group before ?", `ERROR Main ?WARN`, []matchCase{
			{"ERROR Main", true},
			{"WARN", true},
			{"ERROR", false},
		}},
		{"exclusion in a group", `?ERROR -retry ?FATAL`, []matchCase{
			{"ERROR will retry", false},
			{"ERROR", true},
			{"FATAL retry", true},
		}},
		{"exclusion only", `-DEBUG`, []matchCase{{"INFO x", true}, {"DEBUG x", false}, {"", true}}},
		{"quoted with escapes", `"say \"hi\"" "C:\\dir" "a\b"`, []matchCase{
			{`say "hi" from C:\dir a\b`, true},
			{`say "hi" from C:\\dir a\b`, false}, // C:\\dir does not contain C:\dir
			{`say hi from C:\dir a\b`, false},
		}},
		{"digits and underscores are bare", `404 user_id`, []matchCase{{"GET 404 user_id=1", true}, {"GET 404", false}}},
		{"unicode letters are bare", `Größe`, []matchCase{{"die Größe ist", true}, {"Grosse", false}}},
		{"blank quoted term is ignored", `ERROR " "`, []matchCase{{"ERROR", true}, {"WARN", false}}},
		{"multibyte quoted", `"日本 語"`, []matchCase{{"x日本 語y", true}, {"日本語", false}}},
	})
}

func TestMatchAll(t *testing.T) {
	tests := []struct {
		pattern string
		want    bool
	}{
		{"", true},
		{"   ", true},
		{"\t\n", true},
		{`" "`, true}, // AWS: `" "` matches everything
		{`""`, true},
		{`"  " " "`, true},
		{`ERROR`, false},
		{`{ $.a = * }`, false},
		{`[a]`, false},
		{`%.%`, false},
		{`-x`, false},
	}
	for _, tc := range tests {
		p, err := filterpattern.Parse(tc.pattern)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.pattern, err)
		}
		if got := p.MatchAll(); got != tc.want {
			t.Errorf("Parse(%q).MatchAll() = %v, want %v", tc.pattern, got, tc.want)
		}
		if tc.want {
			for _, m := range []string{"", "anything", `{"a":1}`} {
				if !p.Match(m) {
					t.Errorf("Parse(%q).Match(%q) = false for a match-all pattern", tc.pattern, m)
				}
			}
			if p.String() != "" {
				t.Errorf("Parse(%q).String() = %q, want \"\"", tc.pattern, p.String())
			}
		}
	}
}

func TestTermsString(t *testing.T) {
	tests := []struct{ pattern, want string }{
		{`ERROR`, `ERROR`},
		{`  ERROR   Exception `, `ERROR Exception`},
		{`"ERROR"`, `ERROR`},
		{`"a b" -"c.d"`, `"a b" -"c.d"`},
		{`"ERROR" - "Exiting"`, `ERROR -Exiting`},
		{`?ERROR ?WARN`, `?ERROR ?WARN`},
		{`?ERROR`, `ERROR`},
		{`ERROR ?WARN`, `?ERROR ?WARN`},
		{`-x ?y`, `-x ?y`},
		{`?a -b c ?d`, `?a -b c ?d`},
		{`a ?-b`, ``}, // error, checked below
		{`"q\"uote" "back\\slash"`, `"q\"uote" "back\\slash"`},
	}
	for _, tc := range tests {
		p, err := filterpattern.Parse(tc.pattern)
		if tc.want == "" {
			if err == nil {
				t.Errorf("Parse(%q) succeeded, want error", tc.pattern)
			}
			continue
		}
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.pattern, err)
		}
		if got := p.String(); got != tc.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.pattern, got, tc.want)
		}
	}
}

func TestTermsRequiredLiterals(t *testing.T) {
	tests := []struct {
		pattern string
		want    []string
	}{
		{`ERROR Exception`, []string{"ERROR", "Exception"}},
		{`ERROR ERROR`, []string{"ERROR"}},
		{`ERROR -WARN`, []string{"ERROR"}},
		{`-WARN`, nil},
		{`?ERROR ?WARN`, nil},
		{`?ERROR x ?WARN x`, []string{"x"}},
		{`?ERROR -x ?WARN x`, nil},
		{`"a b"`, []string{"a b"}},
		{``, nil},
		{`" "`, nil},
	}
	for _, tc := range tests {
		p := filterpattern.MustParse(tc.pattern)
		got := p.RequiredLiterals()
		if len(got) == 0 && len(tc.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Parse(%q).RequiredLiterals() = %q, want %q", tc.pattern, got, tc.want)
		}
	}
}

func TestTermsSyntaxErrors(t *testing.T) {
	runSyntaxCases(t, []syntaxCase{
		{`foo.bar`, 3, `term "foo.bar" contains '.'`},
		{`ERROR user@example.com`, 10, `must be enclosed in double quotes`},
		{`ERROR:`, 5, `contains ':'`},
		{`"unterminated`, 0, `unterminated quoted string`},
		{`ok "unterminated`, 3, `unterminated quoted string`},
		{`"abc"def`, 5, `expected a space after the quoted term`},
		{`?`, 0, `'?' must be followed by a term`},
		{`ERROR -`, 6, `'-' must be followed by a term`},
		{`?-x`, 1, `'-' cannot follow '?'`},
		{`--x`, 1, `'-' cannot follow '-'`},
		{`-" "`, 0, `non-empty term`},
		{`?""`, 0, `non-empty term`},
		{`ERROR %foo%`, 6, `contains '%'`},
		{`ERROR {`, 6, `contains '{'`},
		{"bad\xffbyte", 3, `invalid UTF-8`},
	})
}
