package filterpattern

import (
	"github.com/cwlogs/cwlogs/internal/jsonstr"
	"github.com/cwlogs/cwlogs/localserver/internal/jsonnum"
)

// selNode is a node of the trie of selector paths used to resolve every
// selector of a JSON pattern in a single pass over the message.
type selNode struct {
	step     pathStep
	children []*selNode
	ids      []int // selectors whose path ends here
	subtree  []int // selectors whose path ends here or below
}

func buildTrie(sels [][]pathStep) *selNode {
	root := &selNode{}
	for id, path := range sels {
		n := root
		n.subtree = append(n.subtree, id)
		for _, st := range path {
			var next *selNode
			for _, c := range n.children {
				if c.step == st {
					next = c
					break
				}
			}
			if next == nil {
				next = &selNode{step: st}
				n.children = append(n.children, next)
			}
			n = next
			n.subtree = append(n.subtree, id)
		}
		n.ids = append(n.ids, id)
	}
	return root
}

// jkind is the JSON type of a resolved selector.
type jkind uint8

const (
	jMissing jkind = iota
	jNull
	jTrue
	jFalse
	jNumber
	jString
	jObject
	jArray
)

// jval is the value a selector resolved to. msg[start:end] is the number
// text or the string content between the quotes (still escaped when esc is
// set). Offsets rather than substrings keep the values free of pointers,
// so the per-call buffer stays on the stack.
type jval struct {
	start, end int
	kind       jkind
	esc        bool
}

// maxJSONDepth bounds nesting in messages; deeper messages are treated as
// non-JSON.
const maxJSONDepth = 10000

// walker validates a JSON document and records selector values in one pass.
type walker struct {
	s     string
	i     int
	depth int
	vals  []jval
}

func (jp *jsonPattern) match(msg string) bool {
	var buf [16]jval
	var vals []jval
	if n := len(jp.selectors); n <= len(buf) {
		vals = buf[:n]
	} else {
		vals = make([]jval, n)
	}
	return jp.matchVals(msg, vals)
}

// matchVals matches msg, leaving in vals (one per selector) what each
// selector resolved to.
func (jp *jsonPattern) matchVals(msg string, vals []jval) bool {
	w := walker{s: msg, vals: vals}
	w.ws()
	if w.i >= len(msg) || msg[w.i] != '{' {
		return false // only JSON objects are JSON log events
	}
	if !w.value(jp.trie) {
		return false
	}
	w.ws()
	if w.i != len(msg) {
		return false
	}
	return jp.root.eval(msg, vals)
}

func (n *jsonNode) eval(msg string, vals []jval) bool {
	if n.or != nil {
		for _, k := range n.or {
			if k.eval(msg, vals) {
				return true
			}
		}
		return false
	}
	if n.and != nil {
		for _, k := range n.and {
			if !k.eval(msg, vals) {
				return false
			}
		}
		return true
	}
	v := &vals[n.sel]
	switch n.test {
	case testIsNull:
		return v.kind == jNull
	case testIsTrue:
		return v.kind == jTrue
	case testIsFalse:
		return v.kind == jFalse
	case testNotExists:
		return v.kind == jMissing
	}
	switch v.kind {
	case jString:
		s := msg[v.start:v.end]
		if v.esc {
			s = unescapeJSON(s)
		}
		return n.cond.match(s)
	case jNumber:
		return n.cond.match(msg[v.start:v.end])
	}
	// Missing values, null, booleans, objects and arrays never satisfy a
	// comparison, with = or with !=.
	return false
}

func (w *walker) ws() {
	for w.i < len(w.s) {
		switch w.s[w.i] {
		case ' ', '\t', '\n', '\r':
			w.i++
		default:
			return
		}
	}
}

func (w *walker) set(n *selNode, v jval) {
	for _, id := range n.ids {
		w.vals[id] = v
	}
}

// value parses one JSON value; n is the trie node for its position, or nil
// when no selector reaches it.
func (w *walker) value(n *selNode) bool {
	w.ws()
	if w.i >= len(w.s) {
		return false
	}
	switch c := w.s[w.i]; c {
	case '{':
		if n != nil {
			w.set(n, jval{kind: jObject})
		}
		return w.object(n)
	case '[':
		if n != nil {
			w.set(n, jval{kind: jArray})
		}
		return w.array(n)
	case '"':
		start := w.i + 1
		esc, ok := w.str()
		if ok && n != nil {
			w.set(n, jval{kind: jString, start: start, end: w.i - 1, esc: esc})
		}
		return ok
	case 't':
		return w.literal("true", n, jTrue)
	case 'f':
		return w.literal("false", n, jFalse)
	case 'n':
		return w.literal("null", n, jNull)
	default:
		if c == '-' || isDigit(c) {
			start := w.i
			if !w.number() {
				return false
			}
			if n != nil {
				w.set(n, jval{kind: jNumber, start: start, end: w.i})
			}
			return true
		}
		return false
	}
}

func (w *walker) literal(lit string, n *selNode, k jkind) bool {
	if len(w.s)-w.i < len(lit) || w.s[w.i:w.i+len(lit)] != lit {
		return false
	}
	w.i += len(lit)
	if n != nil {
		w.set(n, jval{kind: k})
	}
	return true
}

func (w *walker) object(n *selNode) bool {
	if w.depth++; w.depth > maxJSONDepth {
		return false
	}
	w.i++ // '{'
	w.ws()
	if w.i < len(w.s) && w.s[w.i] == '}' {
		w.i++
		w.depth--
		return true
	}
	for {
		w.ws()
		if w.i >= len(w.s) || w.s[w.i] != '"' {
			return false
		}
		ks := w.i + 1
		esc, ok := w.str()
		if !ok {
			return false
		}
		key := w.s[ks : w.i-1]
		w.ws()
		if w.i >= len(w.s) || w.s[w.i] != ':' {
			return false
		}
		w.i++
		var child *selNode
		if n != nil && len(n.children) > 0 {
			child = n.childKey(key, esc)
			if child != nil {
				// A repeated key replaces what an earlier one set.
				for _, id := range child.subtree {
					w.vals[id] = jval{}
				}
			}
		}
		if !w.value(child) {
			return false
		}
		w.ws()
		if w.i >= len(w.s) {
			return false
		}
		switch w.s[w.i] {
		case ',':
			w.i++
		case '}':
			w.i++
			w.depth--
			return true
		default:
			return false
		}
	}
}

func (n *selNode) childKey(key string, esc bool) *selNode {
	if esc {
		key = unescapeJSON(key)
	}
	for _, c := range n.children {
		if !c.step.isIndex && c.step.name == key {
			return c
		}
	}
	return nil
}

func (w *walker) array(n *selNode) bool {
	if w.depth++; w.depth > maxJSONDepth {
		return false
	}
	w.i++ // '['
	w.ws()
	if w.i < len(w.s) && w.s[w.i] == ']' {
		w.i++
		w.depth--
		return true
	}
	for idx := 0; ; idx++ {
		var child *selNode
		if n != nil {
			for _, c := range n.children {
				if c.step.isIndex && c.step.index == idx {
					child = c
					break
				}
			}
		}
		if !w.value(child) {
			return false
		}
		w.ws()
		if w.i >= len(w.s) {
			return false
		}
		switch w.s[w.i] {
		case ',':
			w.i++
		case ']':
			w.i++
			w.depth--
			return true
		default:
			return false
		}
	}
}

// str scans a JSON string starting at the opening quote and leaves w.i
// after the closing quote. esc reports whether it contains escapes.
func (w *walker) str() (esc, ok bool) {
	w.i++
	for w.i < len(w.s) {
		c := w.s[w.i]
		switch {
		case c == '"':
			w.i++
			return esc, true
		case c == '\\':
			esc = true
			if w.i+1 >= len(w.s) {
				return false, false
			}
			switch w.s[w.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				w.i += 2
			case 'u':
				if w.i+6 > len(w.s) {
					return false, false
				}
				for k := w.i + 2; k < w.i+6; k++ {
					if hexVal(w.s[k]) < 0 {
						return false, false
					}
				}
				w.i += 6
			default:
				return false, false
			}
		case c < 0x20:
			return false, false
		default:
			w.i++
		}
	}
	return false, false
}

// number scans a JSON number at w.i (jsonnum.Scan's grammar) and moves w.i past it.
func (w *walker) number() bool {
	j := jsonnum.Scan(w.s, w.i)
	if j < 0 {
		return false
	}
	w.i = j
	return true
}

func hexVal(c byte) rune {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0')
	case 'a' <= c && c <= 'f':
		return rune(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return rune(c-'A') + 10
	}
	return -1
}

// unescapeJSON decodes the escapes of a string already validated by
// walker.str. Unpaired surrogates become U+FFFD, as in encoding/json.
func unescapeJSON(s string) string {
	return string(jsonstr.AppendUnescaped(make([]byte, 0, len(s)), s))
}
