package filterpattern_test

import (
	"reflect"
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
	})
}
