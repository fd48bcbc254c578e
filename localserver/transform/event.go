package transform

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cwlogs/cwlogs/internal/jsonstr"
)

// A value of an event is nil (JSON null), bool, json.Number, string, []any or *object.

// object is a JSON object that keeps its members in order: the transformed event lists
// the keys in the order they were parsed or added (the order AWS shows is not documented;
// this keeps the input's). Lookups are linear while the object is small (most events have
// few keys, and a slice costs far fewer allocations than a map); from indexFrom members on,
// a map from key to position keeps them constant, so that parsing an event of many keys
// (a 1 MB JSON object, key=value or CSV record) takes linear time, not quadratic.
type object struct {
	m   []member
	idx map[string]int // position of each key in m, once len(m) reaches indexFrom; else nil
}

type member struct {
	k string
	v any
}

// indexFrom is the size from which an object indexes its keys.
const indexFrom = 32

func newObject() *object { return &object{} }

// index returns the position of k (as validUTF8 stores it), or -1.
func (o *object) index(k string) int {
	k = validUTF8(k)
	if o.idx != nil {
		if i, ok := o.idx[k]; ok {
			return i
		}
		return -1
	}
	for i := range o.m {
		if o.m[i].k == k {
			return i
		}
	}
	return -1
}

func (o *object) get(k string) (any, bool) {
	if i := o.index(k); i >= 0 {
		return o.m[i].v, true
	}
	return nil, false
}

// set replaces k's value in place, or appends k. A key that is not valid UTF-8 is stored as
// it will be written (validUTF8), so that two keys that would read the same are one.
func (o *object) set(k string, v any) {
	k = validUTF8(k)
	if i := o.index(k); i >= 0 {
		o.m[i].v = v
		return
	}
	o.m = append(o.m, member{k, v})
	switch {
	case o.idx != nil:
		o.idx[k] = len(o.m) - 1
	case len(o.m) >= indexFrom:
		o.reindex()
	}
}

func (o *object) del(k string) {
	if i := o.index(k); i >= 0 {
		o.m = append(o.m[:i], o.m[i+1:]...)
		if o.idx != nil {
			o.reindex()
		}
	}
}

// rename renames the member at position i to k, which o must not hold.
func (o *object) rename(i int, k string) {
	k = validUTF8(k)
	if o.idx != nil {
		delete(o.idx, o.m[i].k)
		o.idx[k] = i
	}
	o.m[i].k = k
}

// reindex rebuilds idx from m (nil below indexFrom members).
func (o *object) reindex() {
	if len(o.m) < indexFrom {
		o.idx = nil
		return
	}
	o.idx = make(map[string]int, len(o.m))
	for i, mb := range o.m {
		o.idx[mb.k] = i
	}
}

// clone copies v deeply (copyValue and listToMap must not share containers).
func clone(v any) any {
	switch x := v.(type) {
	case *object:
		c := &object{m: make([]member, len(x.m))}
		for i, mb := range x.m {
			c.m[i] = member{mb.k, clone(mb.v)}
		}
		c.reindex()
		return c
	case []any:
		c := make([]any, len(x))
		for i, e := range x {
			c[i] = clone(e)
		}
		return c
	}
	return v
}

// errNotObject is decodeObject's answer for JSON text that is not one object.
var errNotObject = errors.New("not a JSON object")

// maxDepth bounds the nesting of a parsed JSON value (the service's limit is not
// documented; this keeps a hostile event from exhausting the stack).
const maxDepth = 100

// decodeObject parses s, which must be one JSON object and nothing else. encoding/json
// checks the text (json.Valid, which does not allocate); the scan below then reads it
// without checking again, keeping strings without escapes as substrings of s.
func decodeObject(s string) (*object, error) {
	if !json.Valid([]byte(s)) {
		return nil, errors.New("not valid JSON")
	}
	d := &scanner{s: s}
	d.space()
	if d.i >= len(d.s) || d.s[d.i] != '{' {
		return nil, errNotObject
	}
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	return v.(*object), nil
}

// scanner reads valid JSON text.
type scanner struct {
	s string
	i int
}

func (d *scanner) space() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *scanner) value(depth int) (any, error) {
	if depth > maxDepth {
		return nil, errors.New("JSON nested too deeply")
	}
	d.space()
	switch c := d.s[d.i]; c {
	case '{':
		d.i++
		o := newObject()
		for {
			d.space()
			if d.s[d.i] == '}' {
				d.i++
				return o, nil
			}
			if d.s[d.i] == ',' {
				d.i++
				d.space()
			}
			k := d.str()
			d.space()
			d.i++ // ':'
			v, err := d.value(depth + 1)
			if err != nil {
				return nil, err
			}
			o.set(k, v)
		}
	case '[':
		d.i++
		a := []any{}
		for {
			d.space()
			if d.s[d.i] == ']' {
				d.i++
				return a, nil
			}
			if d.s[d.i] == ',' {
				d.i++
			}
			v, err := d.value(depth + 1)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
	case '"':
		return d.str(), nil
	case 't':
		d.i += 4
		return true, nil
	case 'f':
		d.i += 5
		return false, nil
	case 'n':
		d.i += 4
		return nil, nil
	default:
		start := d.i
		for d.i < len(d.s) && strings.IndexByte("+-0123456789.eE", d.s[d.i]) >= 0 {
			d.i++
		}
		return json.Number(d.s[start:d.i]), nil
	}
}

// str reads a string at d.i (its opening quote). Without escapes it is a substring of
// d.s.
func (d *scanner) str() string {
	d.i++
	start, escaped := d.i, false
	for d.s[d.i] != '"' {
		if d.s[d.i] == '\\' {
			escaped = true
			d.i++ // the escaped byte cannot end the string
		}
		d.i++
	}
	raw := d.s[start:d.i]
	d.i++
	if !escaped {
		return raw
	}
	return string(jsonstr.AppendUnescaped(make([]byte, 0, len(raw)), raw))
}

// encode appends v as JSON to b.
func encode(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, x)
	case json.Number:
		return append(b, x...)
	case string:
		return appendString(b, x)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = encode(b, e)
		}
		return append(b, ']')
	case *object:
		b = append(b, '{')
		for i, mb := range x.m {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, mb.k)
			b = append(b, ':')
			b = encode(b, mb.v)
		}
		return append(b, '}')
	}
	panic("transform: unexpected value type")
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string: '"' and '\\' escaped, control characters as
// \n, \r, \t or \u00XX (\b and \f as \u0008 and \u000c), each byte of invalid UTF-8
// as a raw U+FFFD, U+2028 and U+2029 unescaped. That is not byte for byte what
// encoding/json (and internal/jsonstr) writes, which escapes \b, \f, U+2028, U+2029 and
// invalid UTF-8 (\ufffd), though it decodes to the same value.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, "\ufffd"...)
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return append(b, '"')
}

// validUTF8 returns s with every byte that is not part of valid UTF-8 replaced by U+FFFD,
// as appendString writes it and encoding/json reads it.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	b := make([]byte, 0, len(s)+8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, "\ufffd"...)
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return string(b)
}

// path is a dot-notation field path ("store.book"): "Use dot notation to access child
// fields" (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_ParseJSON.html).
type path []string

func splitPath(p string) path { return strings.Split(p, ".") }

// lookup returns the value at p, if every step is an object holding the next key.
func lookup(root *object, p path) (any, bool) {
	cur := root
	for i, k := range p {
		v, ok := cur.get(k)
		if !ok {
			return nil, false
		}
		if i == len(p)-1 {
			return v, true
		}
		if cur, ok = v.(*object); !ok {
			return nil, false
		}
	}
	return nil, false
}

// parentOf returns the object that holds p's last key, creating missing objects on the
// way when create is true. It fails where a step holds something other than an object.
func parentOf(root *object, p path, create bool) (*object, bool) {
	cur := root
	for _, k := range p[:len(p)-1] {
		v, ok := cur.get(k)
		if !ok {
			if !create {
				return nil, false
			}
			n := newObject()
			cur.set(k, n)
			cur = n
			continue
		}
		if cur, ok = v.(*object); !ok {
			return nil, false
		}
	}
	return cur, true
}

// store puts v at p unless p exists and overwrite is false; it reports whether it did.
func store(root *object, p path, v any, overwrite bool) bool {
	parent, ok := parentOf(root, p, true)
	if !ok {
		return false
	}
	k := p[len(p)-1]
	if _, exists := parent.get(k); exists && !overwrite {
		return false
	}
	parent.set(k, v)
	return true
}

// remove deletes p and returns what it held.
func remove(root *object, p path) (any, bool) {
	parent, ok := parentOf(root, p, false)
	if !ok {
		return nil, false
	}
	k := p[len(p)-1]
	v, ok := parent.get(k)
	if ok {
		parent.del(k)
	}
	return v, ok
}
