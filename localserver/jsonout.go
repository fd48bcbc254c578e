package localserver

import (
	"strconv"

	"github.com/cwlogs/cwlogs/internal/jsonstr"
)

// appendJSONString appends s as a JSON string literal, as encoding/json does with HTML
// escaping off: invalid UTF-8 becomes U+FFFD; U+2028 and U+2029 are escaped.
func appendJSONString(b []byte, s string) []byte { return jsonstr.Append(b, s) }

// jsonObj builds a JSON object incrementally, omitting absent members.
type jsonObj struct {
	b     []byte
	first bool
}

func newObj(b []byte) *jsonObj { return &jsonObj{b: append(b, '{'), first: true} }

func (o *jsonObj) key(k string) {
	if !o.first {
		o.b = append(o.b, ',')
	}
	o.first = false
	o.b = append(o.b, '"')
	o.b = append(o.b, k...)
	o.b = append(o.b, '"', ':')
}

func (o *jsonObj) str(k, v string) {
	o.key(k)
	o.b = appendJSONString(o.b, v)
}

func (o *jsonObj) int(k string, v int64) {
	o.key(k)
	o.b = strconv.AppendInt(o.b, v, 10)
}

func (o *jsonObj) bool(k string, v bool) {
	o.key(k)
	o.b = strconv.AppendBool(o.b, v)
}

func (o *jsonObj) raw(k string, v []byte) {
	o.key(k)
	o.b = append(o.b, v...)
}

func (o *jsonObj) done() []byte { return append(o.b, '}') }
