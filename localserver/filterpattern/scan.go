package filterpattern

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"
)

// scanner holds the pattern and the current byte offset while parsing.
type scanner struct {
	src    string
	pos    int
	nRegex int // regular expressions seen so far
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (s *scanner) skipSpace() {
	for s.pos < len(s.src) && isSpace(s.src[s.pos]) {
		s.pos++
	}
}

func (s *scanner) eof() bool { return s.pos >= len(s.src) }

func (s *scanner) peek() byte {
	if s.pos < len(s.src) {
		return s.src[s.pos]
	}
	return 0
}

func (s *scanner) hasPrefix(p string) bool { return strings.HasPrefix(s.src[s.pos:], p) }

// describe names the text at the current position for error messages.
func (s *scanner) describe() string {
	if s.eof() {
		return "end of pattern"
	}
	end := s.pos + 1
	for end < len(s.src) && (end-s.pos < 12 || !utf8.RuneStart(s.src[end])) && !isSpace(s.src[end]) {
		end++
	}
	return quoteForMsg(s.src[s.pos:end])
}

func quoteForMsg(t string) string {
	var b strings.Builder
	appendQuoted(&b, t)
	return b.String()
}

// quoted scans a double-quoted string starting at s.pos (which must be '"')
// and returns its content. A backslash escapes the next character: `\"`
// yields '"' and `\\` yields '\'; before any other character the backslash
// is kept.
func (s *scanner) quoted() (string, error) {
	start := s.pos
	s.pos++ // opening quote
	var b []byte
	plain := true
	from := s.pos
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch c {
		case '"':
			var out string
			if plain {
				out = s.src[from:s.pos]
			} else {
				out = string(append(b, s.src[from:s.pos]...))
			}
			s.pos++
			return out, nil
		case '\\':
			if s.pos+1 < len(s.src) && (s.src[s.pos+1] == '"' || s.src[s.pos+1] == '\\') {
				plain = false
				b = append(b, s.src[from:s.pos]...)
				b = append(b, s.src[s.pos+1])
				s.pos += 2
				from = s.pos
				continue
			}
		}
		s.pos++
	}
	return "", errorf(start, "unterminated quoted string starting at position %d: add the closing '\"'", start)
}

// regex scans %regex% starting at s.pos (which must be '%'), checks it
// against the syntax AWS allows and compiles it.
func (s *scanner) regex() (string, *regexp.Regexp, error) {
	start := s.pos
	end := strings.IndexByte(s.src[start+1:], '%')
	if end < 0 {
		return "", nil, errorf(start, "unterminated regular expression: a regex must be written between two '%%' signs")
	}
	body := s.src[start+1 : start+1+end]
	if body == "" {
		return "", nil, errorf(start, "empty regular expression %%%%")
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		if regexByteAllowed(c) {
			continue
		}
		p := start + 1 + i
		switch {
		case c == '(' || c == ')':
			return "", nil, errorf(p, "regular expression %s: '(' and ')' are not supported in filter pattern regexes", quoteForMsg(body))
		case c >= 0x80:
			return "", nil, errorf(p, "regular expression %s: multi-byte characters are not supported in filter pattern regexes", quoteForMsg(body))
		default:
			return "", nil, errorf(p, "regular expression %s: character %q is not supported in filter pattern regexes (allowed: letters, digits, _ # = @ / ; , - : and the operators ^ $ ? [ ] { } | \\ * + .)", quoteForMsg(body), c)
		}
	}
	re, err := regexp.Compile(body)
	if err != nil {
		return "", nil, errorf(start, "regular expression %s: %v", quoteForMsg(body), err)
	}
	if n := RegexProgSize(body); n > MaxRegexProg {
		return "", nil, errorf(start, "regular expression %s is too complex (%d instructions, at most %d): use smaller repetition counts", quoteForMsg(body), n, MaxRegexProg)
	}
	s.pos = start + 1 + end + 1
	s.nRegex++
	return body, re, nil
}

// MaxRegexProg bounds the compiled size (RegexProgSize) of a regular expression
// the local server runs over stored events: filter patterns', custom data
// identifiers' and log transformers'. Matching costs up to this many steps per
// message byte: [a-z]{1000}0 took 10 s on one 1 MB event. AWS documents no such
// limit; the documented examples (an IPv4 address: 25, a UUID: 38) are far below it.
const MaxRegexProg = 300

// RegexProgSize returns the number of instructions of expr's compiled program
// (Perl syntax, as regexp.Compile parses it, simplified), or 0 when expr does not
// parse or compile. Matching costs up to that many steps per input byte, so it
// bounds what a regular expression may cost: filter patterns refuse a regex of
// more than 300 instructions, and the local server's data protection policies a
// custom data identifier of more.
func RegexProgSize(expr string) int {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return 0
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return 0
	}
	return len(prog.Inst)
}

// regexByteAllowed lists the characters AWS documents for filter pattern
// regexes. ':' is listed in some copies of the documentation and accepted.
func regexByteAllowed(c byte) bool {
	if isAlnum(c) {
		return true
	}
	switch c {
	case '_', '#', '=', '@', '/', ';', ',', '-', ':',
		'^', '$', '?', '[', ']', '{', '}', '|', '\\', '*', '+', '.':
		return true
	}
	return false
}

// compareOp scans a comparison operator, if any.
func (s *scanner) compareOp() (compareOp, bool) {
	switch {
	case s.hasPrefix("!="):
		s.pos += 2
		return opNe, true
	case s.hasPrefix("<="):
		s.pos += 2
		return opLe, true
	case s.hasPrefix(">="):
		s.pos += 2
		return opGe, true
	case s.hasPrefix("="):
		s.pos++
		return opEq, true
	case s.hasPrefix("<"):
		s.pos++
		return opLt, true
	case s.hasPrefix(">"):
		s.pos++
		return opGt, true
	}
	return 0, false
}

// maxRegexPerPattern is AWS's limit on regexes in one JSON or
// space-delimited pattern.
const maxRegexPerPattern = 2

// value scans the right-hand side of a condition after operator op, which
// started at opPos.
func (s *scanner) value(op compareOp, opPos int) (valueCond, error) {
	s.skipSpace()
	start := s.pos
	switch c := s.peek(); {
	case c == '"':
		str, err := s.quoted()
		if err != nil {
			return valueCond{}, err
		}
		if op != opEq && op != opNe {
			return valueCond{}, errorf(opPos, "operator %s needs a number, got the string %s", op, quoteForMsg(str))
		}
		return newStringCond(op, str), nil
	case c == '%':
		src, re, err := s.regex()
		if err != nil {
			return valueCond{}, err
		}
		if s.nRegex > maxRegexPerPattern {
			return valueCond{}, errorf(start, "at most %d regular expressions are allowed in one JSON or space-delimited filter pattern", maxRegexPerPattern)
		}
		if op != opEq && op != opNe {
			return valueCond{}, errorf(opPos, "operator %s cannot be used with a regular expression; use = or !=", op)
		}
		return valueCond{op: op, kind: vkRegex, raw: src, re: re}, nil
	case isBareValueByte(c):
		for s.pos < len(s.src) && isBareValueByte(s.src[s.pos]) {
			s.pos++
		}
		text := s.src[start:s.pos]
		if isNumberText(text) {
			f, ok := parseNumber(text)
			if !ok {
				return valueCond{}, errorf(start, "number %s is out of range", text)
			}
			return valueCond{op: op, kind: vkNumber, raw: text, num: f}, nil
		}
		if op != opEq && op != opNe {
			return valueCond{}, errorf(start, "operator %s needs a number, got %s", op, quoteForMsg(text))
		}
		return newStringCond(op, text), nil
	case c == '!':
		return valueCond{}, errorf(start, "unexpected '!' after %s: use != for inequality", op)
	default:
		return valueCond{}, errorf(start, "expected a value after %s, found %s (strings with characters other than letters, digits and _ - . * : / + must be in double quotes)", op, s.describe())
	}
}
