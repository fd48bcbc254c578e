package filterpattern

import (
	"slices"
	"strings"
)

// delimField is one comma-separated element of a space-delimited pattern:
// "...", a named field with optional conditions, or an anonymous field
// (nothing written between two commas) that matches any value.
type delimField struct {
	ellipsis bool
	name     string
	// alts is a disjunction of conjunctions of conditions on this field
	// ('&&' binds tighter than '||'); empty means any value.
	alts [][]valueCond
}

type delimPattern struct {
	fields []delimField
}

// parseDelimited parses `[field, field, ...]`; s.pos is at '['.
func parseDelimited(s *scanner) (*delimPattern, error) {
	open := s.pos
	s.pos++
	s.skipSpace()
	if s.peek() == ']' {
		// [] matches every message and extracts every field by position: the
		// API reference's TestMetricFilter example "without specifying any
		// fields" answers $1 to $7 for a 7-field line, and live AWS accepted
		// "[]" as a subscription filter pattern (LocalStack's AWS-validated
		// test_put_subscription_filter_update). It behaves as [...].
		s.pos++
		return &delimPattern{fields: []delimField{{ellipsis: true}}}, nil
	}
	dp := &delimPattern{}
	for {
		s.skipSpace()
		f, err := parseDelimField(s)
		if err != nil {
			return nil, err
		}
		dp.fields = append(dp.fields, f)
		s.skipSpace()
		switch {
		case s.eof():
			return nil, errorf(open, "space-delimited filter pattern opened with '[' at position %d is not closed with ']'", open)
		case s.peek() == ',':
			s.pos++
		case s.peek() == ']':
			s.pos++
			return dp, nil
		default:
			return nil, errorf(s.pos, "expected ',' or ']' after field %q, found %s", f.display(), s.describe())
		}
	}
}

func (f *delimField) display() string {
	if f.ellipsis {
		return "..."
	}
	return f.name
}

func parseDelimField(s *scanner) (delimField, error) {
	if c := s.peek(); c == ',' || c == ']' {
		// An empty field is an anonymous field matching any value: AWS's
		// example [..., request=*.html*, status_code=4*,] extracts $7 for
		// the trailing one.
		return delimField{}, nil
	}
	if s.hasPrefix("...") {
		s.pos += 3
		if !s.eof() && (isNameByte(s.peek()) || s.peek() == '.') {
			return delimField{}, errorf(s.pos, "unexpected %s after '...'", s.describe())
		}
		return delimField{ellipsis: true}, nil
	}
	var f delimField
	var cur []valueCond
	joined := false // a previous term was followed by && or ||
	for {
		s.skipSpace()
		ns := s.pos
		for s.pos < len(s.src) && isNameByte(s.src[s.pos]) {
			s.pos++
		}
		if s.pos == ns {
			return delimField{}, errorf(ns, "expected a field name (letters, digits, '_', '-') or '...', found %s", s.describe())
		}
		name := s.src[ns:s.pos]
		if f.name == "" {
			f.name = name
		} else if name != f.name {
			return delimField{}, errorf(ns, "condition on %q inside field %q: conditions joined with && or || must all test the same field", name, f.name)
		}
		s.skipSpace()
		opPos := s.pos
		op, hasOp := s.compareOp()
		if hasOp {
			c, err := s.value(op, opPos)
			if err != nil {
				return delimField{}, err
			}
			cur = append(cur, c)
		} else if joined {
			return delimField{}, errorf(opPos, "expected an operator (=, !=, <, <=, >, >=) after %q in a condition joined with && or ||", name)
		}
		s.skipSpace()
		switch {
		case s.hasPrefix("&&"), s.hasPrefix("||"):
			if !hasOp {
				return delimField{}, errorf(s.pos, "field %q has no condition before %s", name, s.src[s.pos:s.pos+2])
			}
			if s.hasPrefix("||") {
				f.alts = append(f.alts, cur)
				cur = nil
			}
			s.pos += 2
			joined = true
		default:
			if cur != nil {
				f.alts = append(f.alts, cur)
			}
			return f, nil
		}
	}
}

func (f *delimField) match(v string) bool {
	if len(f.alts) == 0 {
		return true
	}
	for _, conj := range f.alts {
		ok := true
		for i := range conj {
			if !conj[i].match(v) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func (dp *delimPattern) match(msg string) bool {
	var buf [32]string
	toks := splitFields(msg, buf[:0])
	pf := dp.fields
	// The fields before the first "..." match the first tokens and those
	// after the last "..." the last tokens, each in one pass; only what lies
	// between (from the first "..." to the last) needs the search, so that a
	// pattern of many fields after one "..." stays linear in the message.
	first := slices.IndexFunc(pf, func(f delimField) bool { return f.ellipsis })
	if first < 0 {
		return len(toks) == len(pf) && matchFields(pf, toks)
	}
	last := len(pf) - 1
	for !pf[last].ellipsis {
		last--
	}
	head, tail := pf[:first], pf[last+1:]
	if len(toks) < len(head)+len(tail) || !matchFields(head, toks[:len(head)]) || !matchFields(tail, toks[len(toks)-len(tail):]) {
		return false
	}
	return globFields(pf[first:last+1], toks[len(head):len(toks)-len(tail)])
}

// matchFields reports whether each field matches the token at its index
// (len(toks) == len(pf)).
func matchFields(pf []delimField, toks []string) bool {
	for i := range pf {
		if !pf[i].match(toks[i]) {
			return false
		}
	}
	return true
}

// globFields matches toks against pf, where "..." stands for any number of
// fields: greedy with backtracking to the last "...".
func globFields(pf []delimField, toks []string) bool { return globFieldsPos(pf, toks, nil) }

// splitFields splits a message into space-delimited fields. Runs of spaces,
// tabs, CR and LF separate fields; a field that starts with '"' runs to the
// next unescaped '"' and one that starts with '[' runs to the next ']'; the
// delimiters are not part of the value.
func splitFields(msg string, out []string) []string {
	i := 0
	for {
		for i < len(msg) && isSpace(msg[i]) {
			i++
		}
		if i >= len(msg) {
			return out
		}
		switch msg[i] {
		case '"':
			j := i + 1
			for j < len(msg) && msg[j] != '"' {
				if msg[j] == '\\' && j+1 < len(msg) {
					j++
				}
				j++
			}
			if j >= len(msg) {
				return append(out, msg[i+1:])
			}
			out = append(out, msg[i+1:j])
			i = j + 1
		case '[':
			j := strings.IndexByte(msg[i+1:], ']')
			if j < 0 {
				return append(out, msg[i+1:])
			}
			out = append(out, msg[i+1:i+1+j])
			i += j + 2
		default:
			j := i
			for j < len(msg) && !isSpace(msg[j]) {
				j++
			}
			out = append(out, msg[i:j])
			i = j
		}
	}
}

func (dp *delimPattern) String() string {
	var b strings.Builder
	b.WriteByte('[')
	for i, f := range dp.fields {
		if i > 0 {
			b.WriteString(", ")
		}
		if f.ellipsis {
			b.WriteString("...")
			continue
		}
		if len(f.alts) == 0 {
			b.WriteString(f.name)
			continue
		}
		for ai, conj := range f.alts {
			if ai > 0 {
				b.WriteString(" || ")
			}
			for ci := range conj {
				if ci > 0 {
					b.WriteString(" && ")
				}
				b.WriteString(f.name)
				b.WriteByte(' ')
				conj[ci].appendTo(&b)
			}
		}
	}
	b.WriteByte(']')
	return b.String()
}

// literals returns substrings required by the conditions of fields without
// '||': the fixed text of '=' string conditions and regex prefixes. A field
// value is always a substring of the message, so these are too.
func (dp *delimPattern) literals() []string {
	var out []string
	for _, f := range dp.fields {
		if len(f.alts) != 1 {
			continue
		}
		for i := range f.alts[0] {
			if l := condLiteral(&f.alts[0][i]); l != "" && !slices.Contains(out, l) {
				out = append(out, l)
			}
		}
	}
	return out
}

// condLiteral is a substring every value satisfying c contains, or "".
func condLiteral(c *valueCond) string {
	if c.op != opEq {
		return ""
	}
	switch c.kind {
	case vkString:
		return c.lit
	case vkRegex:
		prefix, _ := c.re.LiteralPrefix()
		return prefix
	}
	return "" // numbers: 200 also equals "2e2"
}
