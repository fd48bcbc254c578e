package filterpattern_test

import (
	"reflect"
	"testing"
)

// Apache access log lines of "Using Metric Filters to Extract Values from
// Space-Delimited Log Events" in AWS's FilterAndPatternSyntax page.
const (
	apache1 = `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534`
	apache2 = `127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324`
	apache3 = `127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 200 4355`
	// The example event for [..., request=*.html*, status_code=4*,] on
	// the same page (its \" are escapes of the page's formatting).
	apache404 = `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`
)

func TestDelimitedDocExamples(t *testing.T) {
	all := func(want1, want2, want3, want404 bool) []matchCase {
		return []matchCase{{apache1, want1}, {apache2, want2}, {apache3, want3}, {apache404, want404}}
	}
	runPatternCases(t, []patternCase{
		// Source: FilterAndPatternSyntax, space-delimited section.
		{"all fields", `[ip, user, username, timestamp, request, status_code, bytes]`, all(true, true, true, true)},
		{"ellipsis first", `[..., status_code, bytes]`, all(true, true, true, true)},
		{"ellipsis middle", `[ip, user, ..., status_code, bytes]`, all(true, true, true, true)},
		{"ellipsis last", `[ip, user, ...]`, all(true, true, true, true)},
		{"bytes > 1000", `[ip, user, username, timestamp, request, status_code, bytes > 1000]`, all(true, true, true, true)},
		{"bytes > 5000", `[ip, user, username, timestamp, request, status_code, bytes > 5000]`, all(false, true, false, false)},
		{"status_code = 200", `[ip, user, username, timestamp, request, status_code = 200, bytes]`, all(true, false, true, false)},
		{"status_code = 4*", `[ip, user, username, timestamp, request, status_code = 4*, bytes]`, all(false, false, false, true)},
		{"request = *html*", `[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]`, all(false, false, false, true)},
		{"same-field &&", `[ip, user, username, timestamp, request, status_code = 4* && status_code != 403, bytes]`, all(false, false, false, true)},
		{"trailing anonymous field", `[..., request=*.html*, status_code=4*,]`, all(false, false, false, true)},
		{"timestamp value", `[ip, user, username, timestamp = 10/Oct/2000:13:35*, ...]`, all(false, true, false, false)},
		{"quoted request value", `[ip, user, username, timestamp, request = "GET /apache_pb.gif HTTP/1.0", ...]`, all(true, true, true, false)},
	})
	// Source: FilterAndPatternSyntax, "OR Pattern Matching" (space-delimited).
	m1, m2, m3 := "ERROR WARN message", "ERROR message", "WARN message"
	runPatternCases(t, []patternCase{
		{"w1=ERROR", `[w1=ERROR, w2]`, []matchCase{{m1, false}, {m2, true}, {m3, false}}},
		{"w1 OR", `[w1=ERROR || w1=WARN, w2]`, []matchCase{{m1, false}, {m2, true}, {m3, true}}},
		{"w1 OR with ellipsis", `[w1=ERROR || w1=WARN, ...]`, []matchCase{{m1, true}, {m2, true}, {m3, true}, {"INFO x", false}}},
	})
}

func TestDelimitedSemantics(t *testing.T) {
	runPatternCases(t, []patternCase{
		{"field count", `[a, b]`, []matchCase{{"x y", true}, {"x", false}, {"x y z", false}, {"", false}, {"  x   y  ", true}}},
		{"one field", `[a]`, []matchCase{{"x", true}, {"", false}, {"x y", false}}},
		{"ellipsis alone", `[...]`, []matchCase{{"", true}, {"x y z", true}}},
		{"ellipsis matches none", `[a, ..., b]`, []matchCase{{"x y", true}, {"x", false}, {"x 1 2 3 y", true}}},
		{"two ellipses", `[..., a = x, ..., b = y, ...]`, []matchCase{
			{"x y", true}, {"1 x 2 3 y 4", true}, {"y x", false}, {"1 x 2 y x y", true}, {"x x x", false},
		}},
		{"backtracking", `[..., a = x, b = y]`, []matchCase{{"x y x y", true}, {"x y x", false}, {"x x y", true}}},
		{"tabs and newline", `[a, b = 2]`, []matchCase{{"1\t2\n", true}, {"1\r\n2", true}}},
		{"brackets and quotes", `[a = "x y", b = "1 2", c]`, []matchCase{
			{`"x y" [1 2] z`, true},
			{`[x y] "1 2" z`, true},
			{`x y [1 2] z`, false},
		}},
		{"escaped quote inside field", `[a = "*\"*", b]`, []matchCase{{`"say \"hi\"" z`, true}}},
		{"unterminated quote takes the rest", `[a, b = "x y"]`, []matchCase{{`1 "x y`, true}, {`1 [x y`, true}}},
		{"closing delimiter ends field", `[a, b, c]`, []matchCase{{`"x"y z`, true}}},
		{"numeric on non-numeric field", `[a > 5]`, []matchCase{{"-", false}, {"6", true}, {"5", false}, {"6.5e0", true}}},
		{"!= number on text", `[a != 0]`, []matchCase{{"-", true}, {"0", false}, {"0.0", false}, {"1", true}}},
		{"string !=", `[a != 4*]`, []matchCase{{"404", false}, {"500", true}}},
		{"|| and &&", `[a = 1 || a > 10 && a < 20]`, []matchCase{{"1", true}, {"15", true}, {"25", false}, {"5", false}}},
		{"regex field", `[ip = %^10\.% , ...]`, []matchCase{{"10.0.0.1 x", true}, {"110.0.0.1 x", false}}},
		{"regex != field", `[a != %^4%]`, []matchCase{{"404", false}, {"200", true}}},
		{"anonymous fields", `[a = x, , c = z]`, []matchCase{{"x y z", true}, {"x z", false}}},
		{"leading anonymous", `[, b]`, []matchCase{{"x y", true}}},
		{"names with - and _", `[my-field_1 = x]`, []matchCase{{"x", true}}},
		{"no spaces", `[a=x,b!=y,...]`, []matchCase{{"x z", true}, {"x y", false}}},
	})
}

func TestDelimitedString(t *testing.T) {
	tests := []struct{ pattern, want string }{
		{`[a,b]`, `[a, b]`},
		{`[ ..., a=4*, b>1000 ]`, `[..., a = "4*", b > 1000]`},
		{`[a = 1 || a > 10 && a < 20]`, `[a = 1 || a > 10 && a < 20]`},
		{`[..., request=*.html*, status_code=4*,]`, `[..., request = "*.html*", status_code = "4*", ]`},
		{`[, a]`, `[, a]`},
		{`[a = %x%]`, `[a = %x%]`},
	}
	for _, tc := range tests {
		p := mustParse(t, tc.pattern)
		if got := p.String(); got != tc.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.pattern, got, tc.want)
		}
	}
}

func TestDelimitedRequiredLiterals(t *testing.T) {
	tests := []struct {
		pattern string
		want    []string
	}{
		{`[a = ERROR, b]`, []string{"ERROR"}},
		{`[a = 4* && a != 403, b = *.html*]`, []string{"4", ".html"}},
		{`[a = ERROR || a = WARN]`, nil},
		{`[a != ERROR]`, nil},
		{`[a = 200]`, nil}, // numeric: 2e2 also equals 200
		{`[a = %ab+c%]`, []string{"ab"}},
		{`[a = %^10\.%]`, []string{"10."}},
		{`[a = *, b = **]`, nil},
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

func TestDelimitedSyntaxErrors(t *testing.T) {
	runSyntaxCases(t, []syntaxCase{
		{`[a, b`, 0, `not closed with ']'`},
		{`[a b]`, 3, `expected ',' or ']' after field "a"`},
		{`[a] b`, 4, `unexpected "b" after the space-delimited pattern`},
		// AWS rejects its own documented example (awsdocs issue #21).
		{`[ip, user, username, timestamp, request, status_code = 4* && bytes > 1000]`, 61, `conditions joined with && or || must all test the same field`},
		// Documented as [w1=!ERROR&&w1=!WARN, w2]; "=!" is not an operator.
		{`[w1=!ERROR&&w1=!WARN, w2]`, 4, `use != for inequality`},
		{`[a && a = 1]`, 3, `has no condition before &&`},
		{`[a = 1 && a]`, 11, `expected an operator`},
		{`[.... a]`, 4, `unexpected`},
		{`[..a]`, 1, `expected a field name`},
		{`[$a]`, 1, `expected a field name`},
		{`[a = ]`, 5, `expected a value after =`},
		{`[a > x]`, 5, `operator > needs a number`},
		{`[a = %(x)%]`, 6, `'(' and ')' are not supported`},
		{`[a = %x%, b = %y%, c = %z%]`, 23, `at most 2 regular expressions`},
		{`[a = "x]`, 5, `unterminated quoted string`},
	})
}
