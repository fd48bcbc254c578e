package localserver

import (
	"database/sql"
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

// rowsPage writes under key a JSON array of one object per row, at most limit of them:
// rows holds up to limit+1 (the extra one only tells that more follow). member scans a
// row and writes its object's members. more reports that a row was left out.
func (o *jsonObj) rowsPage(key string, rows *sql.Rows, limit int64, member func(f *jsonObj) error) (more bool, err error) {
	o.key(key)
	o.b = append(o.b, '[')
	for n := int64(0); rows.Next(); n++ {
		if n == limit {
			more = true
			break
		}
		if n > 0 {
			o.b = append(o.b, ',')
		}
		f := newObj(o.b)
		if err := member(f); err != nil {
			return false, err
		}
		o.b = f.done()
	}
	if err := rows.Err(); err != nil {
		return false, err
	}
	o.b = append(o.b, ']')
	return more, nil
}

// appendStrings appends list as a JSON array of strings.
func appendStrings(b []byte, list []string) []byte {
	b = append(b, '[')
	for i, x := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, x)
	}
	return append(b, ']')
}
