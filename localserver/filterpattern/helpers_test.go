package filterpattern_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/cwlogs/cwlogs/localserver/filterpattern"
)

// matchCase is one message and whether the pattern must match it.
type matchCase struct {
	msg  string
	want bool
}

// patternCase is a pattern and the messages it is checked against.
type patternCase struct {
	name    string
	pattern string
	cases   []matchCase
}

func runPatternCases(t *testing.T, tests []patternCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := filterpattern.Parse(tc.pattern)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.pattern, err)
			}
			// The canonical form must behave the same.
			p2, err := filterpattern.Parse(p.String())
			if err != nil {
				t.Fatalf("Parse(String() = %q): %v", p.String(), err)
			}
			for _, c := range tc.cases {
				if got := p.Match(c.msg); got != c.want {
					t.Errorf("Parse(%q).Match(%q) = %v, want %v", tc.pattern, c.msg, got, c.want)
				}
				if got := p2.Match(c.msg); got != c.want {
					t.Errorf("Parse(%q).Match(%q) = %v, want %v (canonical form of %q)", p.String(), c.msg, got, c.want, tc.pattern)
				}
				if c.want {
					for _, lit := range p.RequiredLiterals() {
						if !strings.Contains(c.msg, lit) {
							t.Errorf("Parse(%q): required literal %q missing from matching message %q", tc.pattern, lit, c.msg)
						}
					}
				}
			}
		})
	}
}

// syntaxCase is a pattern Parse must reject.
type syntaxCase struct {
	pattern string
	pos     int    // expected SyntaxError.Pos
	msg     string // substring of SyntaxError.Msg
}

func runSyntaxCases(t *testing.T, tests []syntaxCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			p, err := filterpattern.Parse(tc.pattern)
			if err == nil {
				t.Fatalf("Parse(%q) = %q, want a SyntaxError", tc.pattern, p.String())
			}
			var se *filterpattern.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T %v is not a *SyntaxError", tc.pattern, err, err)
			}
			if se.Pos != tc.pos {
				t.Errorf("Parse(%q): Pos = %d, want %d (%v)", tc.pattern, se.Pos, tc.pos, err)
			}
			if !strings.Contains(se.Msg, tc.msg) {
				t.Errorf("Parse(%q): Msg = %q, want it to contain %q", tc.pattern, se.Msg, tc.msg)
			}
		})
	}
}

func mustParse(t *testing.T, pattern string) *filterpattern.Pattern {
	t.Helper()
	p, err := filterpattern.Parse(pattern)
	if err != nil {
		t.Fatalf("Parse(%q): %v", pattern, err)
	}
	return p
}
