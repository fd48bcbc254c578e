package filterpattern_test

import (
	"reflect"
	"strings"
	"testing"
)

func TestRegex(t *testing.T) {
	runPatternCases(t, []patternCase{
		// Source: regex-expressions.html ("Supported regular expressions
		// (regex) syntax"): %AUTHORIZED% returns both messages.
		{"AUTHORIZED", `%AUTHORIZED%`, []matchCase{
			{"[ERROR 401] UNAUTHORIZED REQUEST", true},
			{"[SUCCESS 200] AUTHORIZED REQUEST", true},
			{"[SUCCESS 200] authorized", false},
		}},
		// Source: regex-expressions.html introduction.
		{"IP address", `%\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}%`, []matchCase{
			{"from 10.0.0.1 port", true}, {"from 10.0.0 port", false},
		}},
		{"Error or Fail", `%[Ee]rror|[Ff]ail%`, []matchCase{
			{"an error", true}, {"Failed", true}, {"fail", true}, {"ERROR", false},
		}},
		// Source: FilterAndPatternSyntax, "Usage of supported operators".
		{"^ anchor", `%^[hc]at%`, []matchCase{{"hat trick", true}, {"cat", true}, {"that", false}}},
		{"$ anchor", `%[hc]at$%`, []matchCase{{"that", true}, {"cats", false}}},
		{"? operator", `%colou?r%`, []matchCase{{"color", true}, {"colour", true}, {"colouur", false}}},
		{"character class", `%[abcx-z]%`, []matchCase{{"y", true}, {"d", false}}},
		{"{m,n}", `%a{3,5}%`, []matchCase{{"aaa", true}, {"aa", false}}},
		{"escape", `%10\.10\.0\.1%`, []matchCase{{"10.10.0.1", true}, {"10x10.0.1", false}}},
		{"symbols", `%user_id=@#/;,-:%`, []matchCase{{"user_id=@#/;,-:", true}}},
		{"blank around", "  %x+%  ", []matchCase{{"x", true}, {"y", false}}},
	})
}

func TestRegexRequiredLiterals(t *testing.T) {
	tests := []struct {
		pattern string
		want    []string
	}{
		{`%AUTHORIZED%`, []string{"AUTHORIZED"}},
		{`%^10\.%`, []string{"10."}},
		{`%[Ee]rror%`, nil},
		{`%a|b%`, nil},
	}
	for _, tc := range tests {
		got := mustParse(t, tc.pattern).RequiredLiterals()
		if len(got) == 0 && len(tc.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Parse(%q).RequiredLiterals() = %q, want %q", tc.pattern, got, tc.want)
		}
	}
}

func TestRegexSyntaxErrors(t *testing.T) {
	runSyntaxCases(t, []syntaxCase{
		// Source: regex-expressions.html: "%something!% would be rejected".
		{`%something!%`, 10, `character '!' is not supported`},
		{`%(a|b)c%`, 1, `'(' and ')' are not supported`},
		{`%a)%`, 2, `'(' and ')' are not supported`},
		{`%é%`, 1, `multi-byte characters are not supported`},
		{`%a b%`, 2, `character ' ' is not supported`},
		{`%%`, 0, `empty regular expression`},
		{`%abc`, 0, `unterminated regular expression`},
		{`%[a%`, 0, `missing closing ]`},
		{`%a{2,1}%`, 0, `invalid repeat count`},
		{`%\y%`, 0, `invalid escape sequence`},
		{`%a% %b%`, 4, `unexpected "%b%" after the regular expression`},
		{`%a% ERROR`, 4, `unexpected "ERROR"`},
		// Our bound, not AWS's (none is documented): matching this one took
		// 10 s on a 1 MB event, and longer ones minutes.
		{`%[a-z]{1000}0%`, 0, `is too complex (1003 instructions, at most 300)`},
		{`{ $.m = %.{500}% }`, 8, `is too complex`},
	})
}

// TestRegexSizeBoundKeepsUsefulPatterns: the complexity bound leaves room
// for long but ordinary regexes.
func TestRegexSizeBoundKeepsUsefulPatterns(t *testing.T) {
	runPatternCases(t, []patternCase{
		{"UUID", `%[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}%`, []matchCase{
			{"id=123e4567-e89b-12d3-a456-426614174000 done", true}, {"id=123e4567", false},
		}},
		{"ISO time", `%\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}%`, []matchCase{{"at 2024-05-01T12:00:00Z", true}, {"at 2024-05-01", false}}},
		{"a hundred letters", `%[a-z]{100}%`, []matchCase{{strings.Repeat("q", 100), true}, {strings.Repeat("q", 99), false}}},
	})
}
