package filterpattern

import (
	"regexp"
	"strconv"
	"strings"
)

// compareOp is a comparison operator of a JSON or space-delimited condition.
type compareOp uint8

const (
	opEq compareOp = iota // =
	opNe                  // !=
	opLt                  // <
	opLe                  // <=
	opGt                  // >
	opGe                  // >=
)

func (o compareOp) String() string {
	switch o {
	case opEq:
		return "="
	case opNe:
		return "!="
	case opLt:
		return "<"
	case opLe:
		return "<="
	case opGt:
		return ">"
	default:
		return ">="
	}
}

// valueKind says how the right-hand side of a condition is compared.
type valueKind uint8

const (
	vkString valueKind = iota // quoted or bare string, '*' wildcard at either end
	vkNumber                  // bare number: numeric comparison
	vkRegex                   // %regex%
)

// valueCond is "<op> <value>", the right-hand side of a condition.
type valueCond struct {
	op   compareOp
	kind valueKind
	// raw is the value as written: the unescaped string (with its '*'
	// wildcards), the number text, or the regex source without the '%'.
	raw string
	// String matching: lit with optional wildcards before and after.
	lit        string
	prefixWild bool // value started with '*': anything may precede lit
	suffixWild bool // value ended with '*': anything may follow lit
	num        float64
	re         *regexp.Regexp
}

func newStringCond(op compareOp, raw string) valueCond {
	c := valueCond{op: op, kind: vkString, raw: raw, lit: raw}
	if strings.HasPrefix(c.lit, "*") {
		c.prefixWild = true
		c.lit = c.lit[1:]
	}
	if strings.HasSuffix(c.lit, "*") {
		c.suffixWild = true
		c.lit = c.lit[:len(c.lit)-1]
	}
	return c
}

// wildcardMatch reports whether s equals the string value, honouring a
// leading and/or trailing '*'. A '*' anywhere else is an ordinary
// character, as AWS documents ("Ev*ent will only match the actual string
// Ev*ent").
func (c *valueCond) wildcardMatch(s string) bool {
	switch {
	case c.prefixWild && c.suffixWild:
		return strings.Contains(s, c.lit)
	case c.prefixWild:
		return strings.HasSuffix(s, c.lit)
	case c.suffixWild:
		return strings.HasPrefix(s, c.lit)
	default:
		return s == c.lit
	}
}

// match compares the textual value s (a JSON string, the text of a JSON
// number, or a space-delimited field) with the condition.
func (c *valueCond) match(s string) bool {
	switch c.kind {
	case vkString:
		m := c.wildcardMatch(s)
		if c.op == opNe {
			return !m
		}
		return m
	case vkRegex:
		m := c.re.MatchString(s)
		if c.op == opNe {
			return !m
		}
		return m
	}
	f, ok := parseNumber(s)
	if !ok {
		// Not a number: = and != fall back to comparing the text with the
		// number as written; ordering comparisons cannot hold.
		switch c.op {
		case opEq:
			return s == c.raw
		case opNe:
			return s != c.raw
		}
		return false
	}
	switch c.op {
	case opEq:
		return f == c.num
	case opNe:
		return f != c.num
	case opLt:
		return f < c.num
	case opLe:
		return f <= c.num
	case opGt:
		return f > c.num
	default:
		return f >= c.num
	}
}

// appendTo renders the condition in pattern syntax, e.g. `= "x*"`, `> 10`.
func (c *valueCond) appendTo(b *strings.Builder) {
	b.WriteString(c.op.String())
	b.WriteByte(' ')
	switch c.kind {
	case vkString:
		appendQuoted(b, c.raw)
	case vkNumber:
		b.WriteString(c.raw)
	case vkRegex:
		b.WriteByte('%')
		b.WriteString(c.raw)
		b.WriteByte('%')
	}
}

// isNumberText reports whether s matches the number grammar of filter
// patterns: an optional sign, digits with an optional fraction (or a
// fraction alone), and an optional exponent: [+-]?(d+(.d*)?|.d+)([eE][+-]?d+)?
func isNumberText(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && isDigit(s[i]) {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && isDigit(s[i]) {
			i++
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// parseNumber parses s as a finite number of the filter-pattern grammar.
func parseNumber(s string) (float64, bool) {
	if len(s) == 0 || !isNumberText(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil { // out of range
		return 0, false
	}
	return f, true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// isNameByte reports whether c may appear in a JSON property name or a
// space-delimited field name: letters, digits, '_' and '-'.
func isNameByte(c byte) bool { return isAlnum(c) || c == '_' || c == '-' }

// isBareValueByte reports whether c may appear in an unquoted value.
func isBareValueByte(c byte) bool {
	if isAlnum(c) {
		return true
	}
	switch c {
	case '_', '-', '.', '*', ':', '/', '+':
		return true
	}
	return false
}

// appendQuoted writes s in double quotes, escaping '"' and '\' with a
// backslash.
func appendQuoted(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
}
