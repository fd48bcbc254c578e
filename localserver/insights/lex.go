package insights

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// tokKind is the kind of a lexical token.
type tokKind uint8

const (
	tEOF      tokKind = iota
	tIdent            // a field name or keyword: letters, digits, _, @, . (not starting with a digit or .)
	tQuoted           // a backtick-quoted field name; text is the name without the backticks
	tNumber           // 12, 1.5, 1e3
	tDuration         // 5m, 30s, 1h, 1mo: text is the literal, ms (or months) its length
	tString           // "…" or '…'; text is the unescaped value
	tRegex            // /…/; text is the pattern without the slashes
	tOp               // punctuation and operators: | , ( ) [ ] + - * / % ^ = != < <= > >= =~
)

// token is one lexical token; start and end are byte offsets into the query.
type token struct {
	kind       tokKind
	text       string
	start, end int
	ms, months int64 // tDuration only: one of them is set
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of query"
	case tString:
		return fmt.Sprintf("string %q", t.text)
	case tRegex:
		return "regular expression /" + t.text + "/"
	case tQuoted:
		return "`" + t.text + "`"
	}
	return fmt.Sprintf("%q", t.text)
}

// periodUnit is a time-period unit: a fixed length in milliseconds, or (months > 0) a
// calendar length in months.
type periodUnit struct {
	ms     int64
	months int64
}

// periodUnits are the time-period units of bin, datefloor and dateceil as the stats page
// (CWL_QuerySyntax-Stats) lists them; every unit longer than one character also takes a
// plural s (hrs, mins, days).
var periodUnits = func() map[string]periodUnit {
	m := map[string]periodUnit{}
	for _, u := range []struct {
		names []string
		unit  periodUnit
	}{
		{[]string{"millisecond", "ms", "msec"}, periodUnit{ms: 1}},
		{[]string{"second", "s", "sec"}, periodUnit{ms: 1000}},
		{[]string{"minute", "m", "min"}, periodUnit{ms: 60_000}},
		{[]string{"hour", "h", "hr"}, periodUnit{ms: 3_600_000}},
		{[]string{"day", "d"}, periodUnit{ms: 86_400_000}},
		{[]string{"week", "w"}, periodUnit{ms: 7 * 86_400_000}},
		{[]string{"month", "mo", "mon"}, periodUnit{months: 1}},
		{[]string{"quarter", "q", "qtr"}, periodUnit{months: 3}},
		{[]string{"year", "y", "yr"}, periodUnit{months: 12}},
	} {
		for _, n := range u.names {
			m[n] = u.unit
			if len(n) > 1 {
				m[n+"s"] = u.unit
			}
		}
	}
	return m
}()

// lex splits src into tokens. Comments (# to the end of the line) are skipped. A slash
// starts a regular expression unless the previous token ends an operand (a name, a
// literal, a closing bracket), where it is a division.
func lex(src string) ([]token, error) {
	var out []token
	i := 0
	operandEnd := func() bool {
		if len(out) == 0 {
			return false
		}
		p := out[len(out)-1]
		if len(out) >= 2 && (p.kind == tIdent || p.kind == tQuoted) {
			// parse FIELD /regex/: the field is followed by the pattern, not a division.
			if pp := out[len(out)-2]; pp.kind == tIdent && strings.EqualFold(pp.text, "parse") {
				return false
			}
		}
		switch p.kind {
		case tQuoted, tNumber, tDuration, tString, tRegex:
			return true
		case tIdent:
			return !isOperatorKeyword(p.text)
		case tOp:
			return p.text == ")" || p.text == "]"
		}
		return false
	}
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case isIdentStart(c) || c >= utf8.RuneSelf:
			j := i
			for j < len(src) && (isIdentChar(src[j]) || src[j] >= utf8.RuneSelf) {
				j++
			}
			out = append(out, token{kind: tIdent, text: src[i:j], start: i, end: j})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && src[j] >= '0' && src[j] <= '9' {
				j++
			}
			if j+1 < len(src) && src[j] == '.' && src[j+1] >= '0' && src[j+1] <= '9' {
				j++
				for j < len(src) && src[j] >= '0' && src[j] <= '9' {
					j++
				}
			}
			if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
				k := j + 1
				if k < len(src) && (src[k] == '+' || src[k] == '-') {
					k++
				}
				if k < len(src) && src[k] >= '0' && src[k] <= '9' {
					for k < len(src) && src[k] >= '0' && src[k] <= '9' {
						k++
					}
					j = k
				}
			}
			// A unit right after the digits makes a time period: 5m, 30s, 1h.
			k := j
			for k < len(src) && (src[k] >= 'a' && src[k] <= 'z' || src[k] >= 'A' && src[k] <= 'Z') {
				k++
			}
			if k > j {
				unit, ok := periodUnits[strings.ToLower(src[j:k])]
				if !ok || strings.ContainsAny(src[i:j], ".eE") {
					return nil, &SyntaxError{Start: i, End: k, Msg: fmt.Sprintf("invalid time period %q (use a whole number and a unit: ms, s, m, h, d, w, mo, q or y)", src[i:k])}
				}
				var n int64
				for _, d := range src[i:j] {
					n = n*10 + int64(d-'0')
					if n > 1<<30 {
						return nil, &SyntaxError{Start: i, End: k, Msg: fmt.Sprintf("time period %q is too long", src[i:k])}
					}
				}
				if n == 0 {
					return nil, &SyntaxError{Start: i, End: k, Msg: fmt.Sprintf("time period %q must be positive", src[i:k])}
				}
				out = append(out, token{kind: tDuration, text: src[i:k], start: i, end: k, ms: n * unit.ms, months: n * unit.months})
				i = k
				continue
			}
			out = append(out, token{kind: tNumber, text: src[i:j], start: i, end: j})
			i = j
		case c == '"' || c == '\'':
			s, j, err := lexString(src, i)
			if err != nil {
				return nil, err
			}
			out = append(out, token{kind: tString, text: s, start: i, end: j})
			i = j
		case c == '`':
			j := strings.IndexByte(src[i+1:], '`')
			if j < 0 {
				return nil, &SyntaxError{Start: i, End: len(src), Msg: "unterminated backtick-quoted field name"}
			}
			if j == 0 {
				return nil, &SyntaxError{Start: i, End: i + 2, Msg: "empty backtick-quoted field name"}
			}
			out = append(out, token{kind: tQuoted, text: src[i+1 : i+1+j], start: i, end: i + 2 + j})
			i += j + 2
		case c == '/' && !operandEnd():
			j := i + 1
			var b strings.Builder
			for ; j < len(src) && src[j] != '/'; j++ {
				if src[j] == '\\' && j+1 < len(src) && src[j+1] == '/' {
					b.WriteByte('/')
					j++
					continue
				}
				if src[j] == '\\' && j+1 < len(src) {
					b.WriteByte('\\')
					j++
				}
				b.WriteByte(src[j])
			}
			if j >= len(src) {
				return nil, &SyntaxError{Start: i, End: len(src), Msg: "unterminated regular expression"}
			}
			out = append(out, token{kind: tRegex, text: b.String(), start: i, end: j + 1})
			i = j + 1
		default:
			op := ""
			for _, two := range []string{"!=", "<=", ">=", "=~", "=="} {
				if strings.HasPrefix(src[i:], two) {
					op = two
					break
				}
			}
			if op == "" && strings.IndexByte("|,()[]+-*/%^=<>", c) >= 0 {
				op = src[i : i+1]
			}
			if op == "" {
				r, n := utf8.DecodeRuneInString(src[i:])
				return nil, &SyntaxError{Start: i, End: i + n, Msg: fmt.Sprintf("unexpected character %q", r)}
			}
			out = append(out, token{kind: tOp, text: op, start: i, end: i + len(op)})
			i += len(op)
		}
	}
	out = append(out, token{kind: tEOF, start: len(src), end: len(src)})
	return out, nil
}

// lexString reads a quoted string starting at src[i] (its quote) and returns the
// unescaped value and the offset after the closing quote. Escapes: \" \' \\ \n \t \r;
// any other backslash is kept as is (so regular-expression text survives).
func lexString(src string, i int) (string, int, error) {
	q := src[i]
	var b strings.Builder
	j := i + 1
	for j < len(src) {
		c := src[j]
		switch {
		case c == q:
			return b.String(), j + 1, nil
		case c == '\\' && j+1 < len(src):
			switch e := src[j+1]; e {
			case '"', '\'', '\\':
				b.WriteByte(e)
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
			j += 2
		default:
			b.WriteByte(c)
			j++
		}
	}
	return "", 0, &SyntaxError{Start: i, End: len(src), Msg: "unterminated string"}
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '@' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentChar(c byte) bool {
	return isIdentStart(c) || c == '.' || c >= '0' && c <= '9' || c == '$'
}

// isOperatorKeyword reports whether an identifier is a keyword after which an operand
// (and so a regular expression) may follow.
func isOperatorKeyword(s string) bool {
	switch strings.ToLower(s) {
	case "like", "and", "or", "not", "in", "filter", "parse", "by", "as", "fields", "display", "stats", "sort":
		return true
	}
	return false
}
