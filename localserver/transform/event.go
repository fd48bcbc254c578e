package transform

import (
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A value of an event is nil (JSON null), bool, json.Number, string, []any or *object.

// object is a JSON object that keeps its keys in order: the transformed event lists the
// keys in the order they were parsed or added (the order AWS shows is not documented; this
// keeps the input's).
type object struct {
	keys []string
	vals map[string]any
}

func newObject() *object { return &object{vals: map[string]any{}} }

func (o *object) get(k string) (any, bool) {
	v, ok := o.vals[k]
	return v, ok
}

func (o *object) set(k string, v any) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

func (o *object) del(k string) {
	if _, ok := o.vals[k]; !ok {
		return
	}
	delete(o.vals, k)
	for i, x := range o.keys {
		if x == k {
			o.keys = append(o.keys[:i], o.keys[i+1:]...)
			break
		}
	}
}

// clone copies v deeply (copyValue and listToMap must not share containers).
func clone(v any) any {
	switch x := v.(type) {
	case *object:
		c := &object{keys: append([]string(nil), x.keys...), vals: make(map[string]any, len(x.vals))}
		for k, e := range x.vals {
			c.vals[k] = clone(e)
		}
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

// decodeObject parses s, which must be one JSON object and nothing else.
func decodeObject(s string) (*object, error) {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	t, err := d.Token()
	if err != nil {
		return nil, err
	}
	if t != json.Delim('{') {
		return nil, errNotObject
	}
	o, err := decodeObjectBody(d, 1)
	if err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("text after the JSON object")
	}
	return o, nil
}

func decodeObjectBody(d *json.Decoder, depth int) (*object, error) {
	o := newObject()
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return nil, err
		}
		k, _ := t.(string)
		v, err := decodeValue(d, depth)
		if err != nil {
			return nil, err
		}
		o.set(k, v)
	}
	_, err := d.Token() // '}'
	return o, err
}

func decodeValue(d *json.Decoder, depth int) (any, error) {
	if depth > maxDepth {
		return nil, errors.New("JSON nested too deeply")
	}
	t, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch x := t.(type) {
	case json.Delim:
		if x == '{' {
			return decodeObjectBody(d, depth+1)
		}
		var a []any
		for d.More() {
			v, err := decodeValue(d, depth+1)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		if _, err := d.Token(); err != nil {
			return nil, err
		}
		if a == nil {
			a = []any{}
		}
		return a, nil
	}
	return t, nil // nil, bool, json.Number, string
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
		for i, k := range x.keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = encode(b, x.vals[k])
		}
		return append(b, '}')
	}
	panic("transform: unexpected value type")
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string: '"', '\\' and control characters escaped,
// invalid UTF-8 replaced by U+FFFD (encoding/json's rules, without its HTML escaping).
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
