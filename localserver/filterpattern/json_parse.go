package filterpattern

import (
	"slices"
	"strconv"
	"strings"
)

// pathStep is one step of a JSON selector: .name or [index].
type pathStep struct {
	name    string
	index   int
	isIndex bool
}

// jsonTest is what a JSON condition checks beyond a comparison.
type jsonTest uint8

const (
	testCompare   jsonTest = iota // <selector> <op> <value>
	testIsNull                    // IS NULL
	testIsTrue                    // IS TRUE
	testIsFalse                   // IS FALSE
	testNotExists                 // NOT EXISTS
)

// jsonNode is a node of a JSON pattern expression: a condition, or an AND /
// OR of at least two children.
type jsonNode struct {
	and, or  []*jsonNode
	selector string // as written, e.g. $.a.b[0]
	sel      int    // index into jsonPattern.selectors
	test     jsonTest
	cond     valueCond
}

type jsonPattern struct {
	root      *jsonNode
	selectors [][]pathStep
	trie      *selNode
}

// parseJSON parses `{ expr }`; s.pos is at '{'.
func parseJSON(s *scanner) (*jsonPattern, error) {
	open := s.pos
	s.pos++
	jp := &jsonPattern{}
	s.skipSpace()
	if s.peek() == '}' {
		return nil, errorf(s.pos, "empty JSON filter pattern: write a condition such as { $.level = \"ERROR\" }")
	}
	root, err := jp.parseOr(s, 0)
	if err != nil {
		return nil, err
	}
	s.skipSpace()
	if s.eof() {
		return nil, errorf(open, "JSON filter pattern opened with '{' at position %d is not closed with '}'", open)
	}
	if s.peek() != '}' {
		return nil, errorf(s.pos, "expected &&, || or '}' in JSON filter pattern, found %s", s.describe())
	}
	s.pos++
	jp.root = root
	jp.trie = buildTrie(jp.selectors)
	return jp, nil
}

const maxNesting = 100

func (jp *jsonPattern) parseOr(s *scanner, depth int) (*jsonNode, error) {
	first, err := jp.parseAnd(s, depth)
	if err != nil {
		return nil, err
	}
	kids := []*jsonNode{first}
	for {
		s.skipSpace()
		if !s.hasPrefix("||") {
			break
		}
		s.pos += 2
		n, err := jp.parseAnd(s, depth)
		if err != nil {
			return nil, err
		}
		kids = append(kids, n)
	}
	if len(kids) == 1 {
		return first, nil
	}
	return &jsonNode{or: flatten(kids, true)}, nil
}

func (jp *jsonPattern) parseAnd(s *scanner, depth int) (*jsonNode, error) {
	first, err := jp.parseUnary(s, depth)
	if err != nil {
		return nil, err
	}
	kids := []*jsonNode{first}
	for {
		s.skipSpace()
		if !s.hasPrefix("&&") {
			break
		}
		s.pos += 2
		n, err := jp.parseUnary(s, depth)
		if err != nil {
			return nil, err
		}
		kids = append(kids, n)
	}
	if len(kids) == 1 {
		return first, nil
	}
	return &jsonNode{and: flatten(kids, false)}, nil
}

// flatten merges children that are themselves ORs (or ANDs) into the parent.
func flatten(kids []*jsonNode, or bool) []*jsonNode {
	out := kids[:0:0]
	for _, k := range kids {
		switch {
		case or && k.or != nil:
			out = append(out, k.or...)
		case !or && k.and != nil:
			out = append(out, k.and...)
		default:
			out = append(out, k)
		}
	}
	return out
}

func (jp *jsonPattern) parseUnary(s *scanner, depth int) (*jsonNode, error) {
	s.skipSpace()
	if s.peek() == '(' {
		open := s.pos
		if depth >= maxNesting {
			return nil, errorf(open, "parentheses nested more than %d deep", maxNesting)
		}
		s.pos++
		n, err := jp.parseOr(s, depth+1)
		if err != nil {
			return nil, err
		}
		s.skipSpace()
		if s.peek() != ')' {
			if s.eof() || s.peek() == '}' {
				return nil, errorf(open, "'(' at position %d is not closed with ')'", open)
			}
			return nil, errorf(s.pos, "expected &&, || or ')', found %s", s.describe())
		}
		s.pos++
		return n, nil
	}
	return jp.parseCond(s)
}

func (jp *jsonPattern) parseCond(s *scanner) (*jsonNode, error) {
	start := s.pos
	path, err := parseSelector(s)
	if err != nil {
		return nil, err
	}
	n := &jsonNode{selector: s.src[start:s.pos], sel: jp.selectorIndex(path)}
	s.skipSpace()
	opPos := s.pos
	if op, ok := s.compareOp(); ok {
		n.cond, err = s.value(op, opPos)
		if err != nil {
			return nil, err
		}
		return n, nil
	}
	kw := s.word()
	switch strings.ToUpper(kw) {
	case "IS":
		s.skipSpace()
		kwPos := s.pos
		switch w := s.word(); strings.ToUpper(w) {
		case "NULL":
			n.test = testIsNull
		case "TRUE":
			n.test = testIsTrue
		case "FALSE":
			n.test = testIsFalse
		case "NOT":
			return nil, errorf(kwPos, "IS NOT is not supported: use != , NOT EXISTS, IS TRUE or IS FALSE")
		default:
			s.pos = kwPos
			return nil, errorf(kwPos, "expected NULL, TRUE or FALSE after IS, found %s", s.describe())
		}
		return n, nil
	case "NOT":
		s.skipSpace()
		kwPos := s.pos
		if w := s.word(); strings.ToUpper(w) != "EXISTS" {
			s.pos = kwPos
			return nil, errorf(kwPos, "expected EXISTS after NOT, found %s", s.describe())
		}
		n.test = testNotExists
		return n, nil
	case "EXISTS":
		return nil, errorf(opPos, "EXISTS is not supported: use %s = \"*\" to test that a value exists", n.selector)
	}
	s.pos = opPos
	return nil, errorf(opPos, "expected an operator (=, !=, <, <=, >, >=) or IS NULL, IS TRUE, IS FALSE, NOT EXISTS after selector %s, found %s", n.selector, s.describe())
}

// word scans a run of ASCII letters.
func (s *scanner) word() string {
	start := s.pos
	for s.pos < len(s.src) && ('a' <= s.src[s.pos] && s.src[s.pos] <= 'z' || 'A' <= s.src[s.pos] && s.src[s.pos] <= 'Z') {
		s.pos++
	}
	return s.src[start:s.pos]
}

// parseSelector scans $.name followed by any number of .name and [n].
func parseSelector(s *scanner) ([]pathStep, error) {
	start := s.pos
	if !s.hasPrefix("$") {
		return nil, errorf(start, "expected a selector starting with '$.', found %s", s.describe())
	}
	s.pos++
	if s.peek() != '.' {
		if s.peek() == '[' {
			return nil, errorf(s.pos, "an array subscript must follow a property name, as in $.items[0]")
		}
		return nil, errorf(s.pos, "a selector must start with '$.', as in $.eventName")
	}
	var path []pathStep
	for {
		switch s.peek() {
		case '.':
			s.pos++
			ns := s.pos
			for s.pos < len(s.src) && isNameByte(s.src[s.pos]) {
				s.pos++
			}
			if s.pos == ns {
				if s.peek() == '*' {
					return nil, errorf(s.pos, "wildcard selectors such as $.* are not supported")
				}
				return nil, errorf(s.pos, "expected a property name (letters, digits, '_', '-') after '.', found %s", s.describe())
			}
			path = append(path, pathStep{name: s.src[ns:s.pos]})
		case '[':
			open := s.pos
			s.pos++
			ds := s.pos
			for s.pos < len(s.src) && isDigit(s.src[s.pos]) {
				s.pos++
			}
			if s.pos == ds {
				if s.peek() == '*' {
					return nil, errorf(s.pos, "wildcard array subscripts such as [*] are not supported")
				}
				return nil, errorf(s.pos, "expected a non-negative array index after '[', found %s", s.describe())
			}
			if s.pos-ds > 9 {
				return nil, errorf(ds, "array index %s is too large", s.src[ds:s.pos])
			}
			idx, _ := strconv.Atoi(s.src[ds:s.pos])
			if s.peek() != ']' {
				return nil, errorf(open, "array subscript at position %d is not closed with ']'", open)
			}
			s.pos++
			path = append(path, pathStep{index: idx, isIndex: true})
		default:
			return path, nil
		}
	}
}

func (jp *jsonPattern) selectorIndex(path []pathStep) int {
	for i, p := range jp.selectors {
		if slices.Equal(p, path) {
			return i
		}
	}
	jp.selectors = append(jp.selectors, path)
	return len(jp.selectors) - 1
}

// String renders the expression; an OR inside an AND is parenthesised.
func (n *jsonNode) appendTo(b *strings.Builder, parentAnd bool) {
	switch {
	case n.or != nil:
		if parentAnd {
			b.WriteByte('(')
		}
		for i, k := range n.or {
			if i > 0 {
				b.WriteString(" || ")
			}
			k.appendTo(b, false)
		}
		if parentAnd {
			b.WriteByte(')')
		}
	case n.and != nil:
		for i, k := range n.and {
			if i > 0 {
				b.WriteString(" && ")
			}
			k.appendTo(b, true)
		}
	default:
		b.WriteString(n.selector)
		switch n.test {
		case testCompare:
			b.WriteByte(' ')
			n.cond.appendTo(b)
		case testIsNull:
			b.WriteString(" IS NULL")
		case testIsTrue:
			b.WriteString(" IS TRUE")
		case testIsFalse:
			b.WriteString(" IS FALSE")
		case testNotExists:
			b.WriteString(" NOT EXISTS")
		}
	}
}

func (jp *jsonPattern) String() string {
	var b strings.Builder
	b.WriteString("{ ")
	jp.root.appendTo(&b, false)
	b.WriteString(" }")
	return b.String()
}
