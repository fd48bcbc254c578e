package filterpattern

import (
	"regexp"
	"slices"
	"unicode/utf8"
)

// MaxPatternLength is the longest pattern Parse accepts, in characters, as
// the CloudWatch Logs API allows.
const MaxPatternLength = 1024

type patternKind uint8

const (
	kindAll       patternKind = iota // empty pattern: every event
	kindTerms                        // unstructured terms
	kindRegex                        // %regex%
	kindJSON                         // { ... }
	kindDelimited                    // [ ... ]
)

// Pattern is a parsed filter pattern. It is immutable and safe for
// concurrent use. The zero Pattern matches every event, like the empty
// pattern; use Parse to build any other.
type Pattern struct {
	kind     patternKind
	groups   []termGroup
	reSrc    string
	re       *regexp.Regexp
	json     *jsonPattern
	delim    *delimPattern
	literals []string
	nRegex   int
}

// Regexes is the number of %regex% in p (AWS allows five per log group across its
// metric and subscription filters).
func (p *Pattern) Regexes() int { return p.nRegex }

// Parse parses a CloudWatch Logs filter pattern. Every error is a
// *SyntaxError; a pattern that cannot be parsed never matches everything.
func Parse(pattern string) (*Pattern, error) {
	if n := utf8.RuneCountInString(pattern); n > MaxPatternLength {
		return nil, errorf(0, "pattern is %d characters long; the maximum is %d", n, MaxPatternLength)
	}
	s := &scanner{src: pattern}
	s.skipSpace()
	p := &Pattern{}
	var err error
	switch s.peek() {
	case '{':
		p.kind = kindJSON
		p.json, err = parseJSON(s)
	case '[':
		p.kind = kindDelimited
		p.delim, err = parseDelimited(s)
	case '%':
		p.kind = kindRegex
		p.reSrc, p.re, err = s.regex()
	default:
		p.kind = kindTerms
		p.groups, err = parseTerms(s)
		if err == nil && len(p.groups) == 0 {
			p.kind = kindAll
		}
	}
	if err != nil {
		return nil, err
	}
	s.skipSpace()
	if !s.eof() {
		what := map[patternKind]string{kindJSON: "JSON pattern", kindDelimited: "space-delimited pattern", kindRegex: "regular expression"}[p.kind]
		return nil, errorf(s.pos, "unexpected %s after the %s: a filter pattern is either terms, one %%regex%%, one { JSON } or one [ space-delimited ] pattern", s.describe(), what)
	}
	p.literals = p.computeLiterals()
	p.nRegex = s.nRegex
	return p, nil
}

// MustParse is like Parse but panics on error. It is meant for patterns
// that are constants in programs and tests.
func MustParse(pattern string) *Pattern {
	p, err := Parse(pattern)
	if err != nil {
		panic(err)
	}
	return p
}

// Match reports whether the log event message matches the pattern.
func (p *Pattern) Match(message string) bool {
	switch p.kind {
	case kindAll:
		return true
	case kindTerms:
		for _, g := range p.groups {
			if g.match(message) {
				return true
			}
		}
		return false
	case kindRegex:
		return p.re.MatchString(message)
	case kindJSON:
		return p.json.match(message)
	default:
		return p.delim.match(message)
	}
}

// MatchAll reports whether the pattern matches every event: an empty or
// whitespace-only pattern, or one made only of blank quoted terms such as
// `" "`. Callers can skip filtering altogether.
func (p *Pattern) MatchAll() bool { return p.kind == kindAll }

// String returns the pattern in canonical form. Parsing it yields a pattern
// that matches the same messages and has the same String.
func (p *Pattern) String() string {
	switch p.kind {
	case kindAll:
		return ""
	case kindTerms:
		return termsString(p.groups)
	case kindRegex:
		return "%" + p.reSrc + "%"
	case kindJSON:
		return p.json.String()
	default:
		return p.delim.String()
	}
}

// RequiredLiterals returns substrings that every message matching p
// contains (case-sensitively), for use as a cheap prefilter such as SQL
// instr() before Match. The list may be empty; it never includes text
// under an OR or an exclusion. Each call returns a new slice.
func (p *Pattern) RequiredLiterals() []string { return slices.Clone(p.literals) }

func (p *Pattern) computeLiterals() []string {
	switch p.kind {
	case kindTerms:
		return termsLiterals(p.groups)
	case kindRegex:
		if prefix, _ := p.re.LiteralPrefix(); prefix != "" {
			return []string{prefix}
		}
	case kindDelimited:
		return p.delim.literals()
	}
	// JSON: any character of a key or string may be \u-escaped in the
	// message, so no substring is certain.
	return nil
}
