package insights

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cwlogs/cwlogs/localserver/internal/jsonnum"
)

// FlattenJSON returns the fields a query discovers in a JSON message: nested keys joined
// with dots ("a.b"), array elements by index ("a.0"), scalar values as text (numbers as
// written, true/false); null values, empty objects and empty arrays give no field. A
// top-level key starting with @ gets another @ in front ("@@example"). The first of
// duplicate keys wins. It returns nil for a message that is not one JSON object, and
// keeps the first MaxJSONFields fields.
func FlattenJSON(msg string) map[string]string {
	s := strings.TrimSpace(msg)
	if len(s) < 2 || s[0] != '{' {
		return nil
	}
	f := flattener{s: s, out: map[string]string{}}
	if !f.value("", 0) {
		return nil
	}
	f.space()
	if f.i != len(f.s) {
		return nil // trailing data: not one JSON object
	}
	return f.out
}

// maxJSONDepth bounds the nesting FlattenJSON follows; deeper messages are not JSON to it.
const maxJSONDepth = 64

// flattener is a small JSON parser that writes scalars into out as it goes.
type flattener struct {
	s   string
	i   int
	out map[string]string
}

func (f *flattener) space() {
	for f.i < len(f.s) {
		switch f.s[f.i] {
		case ' ', '\t', '\n', '\r':
			f.i++
		default:
			return
		}
	}
}

func (f *flattener) add(k, v string) {
	if len(f.out) < MaxJSONFields && k != "" {
		if _, dup := f.out[k]; !dup {
			f.out[k] = v
		}
	}
}

// value parses one JSON value at f.i, recording it under key.
func (f *flattener) value(key string, depth int) bool {
	if depth > maxJSONDepth {
		return false
	}
	f.space()
	if f.i >= len(f.s) {
		return false
	}
	switch c := f.s[f.i]; {
	case c == '{':
		f.i++
		f.space()
		if f.i < len(f.s) && f.s[f.i] == '}' {
			f.i++
			return true
		}
		for {
			f.space()
			k, ok := f.str()
			if !ok {
				return false
			}
			if key == "" && strings.HasPrefix(k, "@") {
				k = "@" + k
			}
			f.space()
			if f.i >= len(f.s) || f.s[f.i] != ':' {
				return false
			}
			f.i++
			if !f.value(joinKey(key, k), depth+1) {
				return false
			}
			f.space()
			if f.i >= len(f.s) {
				return false
			}
			if f.s[f.i] == '}' {
				f.i++
				return true
			}
			if f.s[f.i] != ',' {
				return false
			}
			f.i++
		}
	case c == '[':
		f.i++
		f.space()
		if f.i < len(f.s) && f.s[f.i] == ']' {
			f.i++
			return true
		}
		for n := 0; ; n++ {
			if !f.value(joinKey(key, strconv.Itoa(n)), depth+1) {
				return false
			}
			f.space()
			if f.i >= len(f.s) {
				return false
			}
			if f.s[f.i] == ']' {
				f.i++
				return true
			}
			if f.s[f.i] != ',' {
				return false
			}
			f.i++
		}
	case c == '"':
		v, ok := f.str()
		if ok {
			f.add(key, v)
		}
		return ok
	case c == 't' && strings.HasPrefix(f.s[f.i:], "true"):
		f.i += 4
		f.add(key, "true")
		return true
	case c == 'f' && strings.HasPrefix(f.s[f.i:], "false"):
		f.i += 5
		f.add(key, "false")
		return true
	case c == 'n' && strings.HasPrefix(f.s[f.i:], "null"):
		f.i += 4
		return true
	case c == '-' || c >= '0' && c <= '9':
		start := f.i
		if !f.number() {
			return false
		}
		f.add(key, f.s[start:f.i])
		return true
	}
	return false
}

// number scans a JSON number at f.i (jsonnum.Scan's grammar) and moves f.i past it.
func (f *flattener) number() bool {
	j := jsonnum.Scan(f.s, f.i)
	if j < 0 {
		return false
	}
	f.i = j
	return true
}

// str scans a JSON string at f.i and returns its value. Plain strings (no escapes, valid
// UTF-8) are substrings of the message; others are decoded as encoding/json does.
func (f *flattener) str() (string, bool) {
	if f.i >= len(f.s) || f.s[f.i] != '"' {
		return "", false
	}
	start := f.i
	plain := true
	for j := f.i + 1; j < len(f.s); j++ {
		switch c := f.s[j]; {
		case c == '"':
			f.i = j + 1
			if plain {
				v := f.s[start+1 : j]
				if utf8.ValidString(v) {
					return v, true
				}
			}
			var v string
			if err := json.Unmarshal([]byte(f.s[start:f.i]), &v); err != nil {
				return "", false
			}
			return v, true
		case c == '\\':
			plain = false
			j++ // skip the escaped character (a \" does not end the string)
		case c < 0x20:
			return "", false
		}
	}
	return "", false
}
