package filterpattern_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/cwlogs/cwlogs/localserver/filterpattern"
)

var fuzzPatterns = []string{
	``, `" "`, `ERROR`, `ERROR -WARN`, `?ERROR ?WARN`, `"INTERNAL SERVER ERROR"`, `?"a b" c ?d -e`,
	`"ERROR" - "Exiting"`, `"q\"x\\y"`,
	`%AUTHORIZED%`, `%^[hc]at$%`, `%\d{1,3}\.\d+%`, `%a|b%`,
	`{ $.eventType = "UpdateTrail" }`, `{ $.sourceIPAddress != 123.123.* }`, `{ $.arrayKey[0] = "value" }`,
	`{ $.objectList[1].id = 2 }`, `{ $.SomeObject IS NULL }`, `{ $.SomeOtherObject NOT EXISTS }`, `{ $.ThisFlag IS TRUE }`,
	`{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }`,
	`{ $.latency > +1000 }`, `{ $.numbers[0] < 10e-3 }`, `{ $.m = %^x[0-9]+% }`, `{ $.a = "*b*" }`,
	`[ip, user, username, timestamp, request, status_code, bytes > 1000]`, `[..., status_code = 4* && status_code != 403, bytes]`,
	`[w1=ERROR || w1=WARN, w2]`, `[..., request=*.html*, status_code=4*,]`, `[a = %^1%, ..., b != "x y"]`,
}

var fuzzMessages = []string{
	``, `ERROR WARN message`, `[ERROR] A fatal exception`, `INTERNAL SERVER ERROR`, `cat`, `10.1 x`,
	awsJSONEvent, awsCompoundEvent, `{"latency": 1001, "numbers": [0.001], "m": "x12", "a": "abc"}`, `{"a": "\u0062"}`,
	apache1, apache404, `ERROR message`, `"unterminated [x`,
}

// FuzzParse checks that Parse never panics, that every error is a
// *SyntaxError with a position inside the pattern, and that String()
// is a fixed point that re-parses to a pattern matching the same messages.
func FuzzParse(f *testing.F) {
	for _, p := range fuzzPatterns {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, pattern string) {
		p, err := filterpattern.Parse(pattern)
		if err != nil {
			var se *filterpattern.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T is not a *SyntaxError", pattern, err)
			}
			if se.Pos < 0 || se.Pos > len(pattern) {
				t.Fatalf("Parse(%q): Pos %d outside the pattern", pattern, se.Pos)
			}
			return
		}
		s := p.String()
		p2, err := filterpattern.Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not parse: %v", pattern, s, err)
		}
		if s2 := p2.String(); s2 != s {
			t.Fatalf("String() not stable: %q -> %q -> %q", pattern, s, s2)
		}
		if p.MatchAll() != p2.MatchAll() {
			t.Fatalf("MatchAll differs for %q and %q", pattern, s)
		}
		for _, m := range append([]string{pattern, s}, fuzzMessages...) {
			if p.Match(m) != p2.Match(m) {
				t.Fatalf("Parse(%q) and Parse(%q) disagree on %q", pattern, s, m)
			}
			checkLiterals(t, p, pattern, m)
		}
	})
}

// FuzzMatch checks that Match never panics and that a matching message
// contains every required literal.
func FuzzMatch(f *testing.F) {
	for i, p := range fuzzPatterns {
		f.Add(p, fuzzMessages[i%len(fuzzMessages)])
	}
	f.Fuzz(func(t *testing.T, pattern, message string) {
		p, err := filterpattern.Parse(pattern)
		if err != nil {
			return
		}
		checkLiterals(t, p, pattern, message)
	})
}

func checkLiterals(t *testing.T, p *filterpattern.Pattern, pattern, message string) {
	t.Helper()
	if !p.Match(message) {
		return
	}
	for _, lit := range p.RequiredLiterals() {
		if !strings.Contains(message, lit) {
			t.Fatalf("Parse(%q) matches %q, which lacks required literal %q", pattern, message, lit)
		}
	}
}

// FuzzExtract checks that Extract (TestMetricFilter's extractedValues) never panics, finds
// a match exactly when Match does, and names its values as AWS does: "$name", "$N" or
// "$.selector".
func FuzzExtract(f *testing.F) {
	for i, p := range fuzzPatterns {
		f.Add(p, fuzzMessages[i%len(fuzzMessages)])
	}
	f.Add("[]", "a b c")
	f.Add("[..., size]", apache1)
	f.Fuzz(func(t *testing.T, pattern, message string) {
		p, err := filterpattern.Parse(pattern)
		if err != nil {
			return
		}
		vals, ok := p.Extract(message)
		if ok != p.Match(message) {
			t.Fatalf("Parse(%q): Extract says %v, Match says %v on %q", pattern, ok, !ok, message)
		}
		if !ok && vals != nil {
			t.Fatalf("Parse(%q): values %v without a match on %q", pattern, vals, message)
		}
		for k := range vals {
			if !strings.HasPrefix(k, "$") || len(k) < 2 {
				t.Fatalf("Parse(%q): key %q on %q", pattern, k, message)
			}
		}
	})
}
