package localserver

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// putRequest is a decoded PutLogEvents body. Pointer-like presence flags distinguish absent or
// null members (which fail validation with "Value null") from empty ones.
type putRequest struct {
	logGroupName, logStreamName string
	hasGroup, hasStream         bool
	hasEvents                   bool
	sequenceToken               *string
	events                      []putEvent
}

// putEvent is one logEvents element; hasTs/hasMsg are false when the member was absent or null.
type putEvent struct {
	ts            int64
	msg           []byte
	hasTs, hasMsg bool
}

// decodeError is a malformed or mistyped JSON body (SerializationException).
type decodeError struct {
	off int
	msg string
}

func (e *decodeError) Error() string { return fmt.Sprintf("%s at offset %d", e.msg, e.off) }

// maxJSONDepth bounds nesting in skipped values.
const maxJSONDepth = 1000

// decodePut decodes a PutLogEvents body with a single pass over the bytes. Messages without
// escapes alias body. Unknown members (sequenceToken, entity, ...) are checked for well-formed
// JSON and ignored, as the service ignores sequenceToken.
func decodePut(body []byte, evs []putEvent) (*putRequest, error) {
	d := &jdec{b: body}
	req := &putRequest{events: evs[:0]}
	d.ws()
	if err := d.expect('{'); err != nil {
		return nil, err
	}
	d.ws()
	if d.peek() == '}' {
		d.i++
		return req, d.end()
	}
	for {
		d.ws()
		key, err := d.str()
		if err != nil {
			return nil, err
		}
		d.ws()
		if err := d.expect(':'); err != nil {
			return nil, err
		}
		d.ws()
		switch string(key) {
		case "logGroupName":
			v, ok, err := d.optString("logGroupName")
			if err != nil {
				return nil, err
			}
			req.logGroupName, req.hasGroup = string(v), ok
		case "logStreamName":
			v, ok, err := d.optString("logStreamName")
			if err != nil {
				return nil, err
			}
			req.logStreamName, req.hasStream = string(v), ok
		case "logEvents":
			if d.null() {
				req.hasEvents = false
				req.events = req.events[:0]
				break
			}
			req.hasEvents = true
			if req.events, err = d.events(req.events[:0]); err != nil {
				return nil, err
			}
		case "sequenceToken":
			v, ok, err := d.optString("sequenceToken")
			if err != nil {
				return nil, err
			}
			req.sequenceToken = nil
			if ok {
				tok := string(v)
				req.sequenceToken = &tok
			}
		default:
			if err := d.skip(0); err != nil {
				return nil, err
			}
		}
		d.ws()
		switch d.peek() {
		case ',':
			d.i++
			continue
		case '}':
			d.i++
			return req, d.end()
		}
		return nil, d.errf("expected ',' or '}' after object member")
	}
}

func (d *jdec) events(dst []putEvent) ([]putEvent, error) {
	if err := d.expect('['); err != nil {
		return nil, d.errf("logEvents must be an array")
	}
	d.ws()
	if d.peek() == ']' {
		d.i++
		return dst, nil
	}
	for {
		d.ws()
		var e putEvent
		if d.null() {
			dst = append(dst, e)
		} else {
			if err := d.expect('{'); err != nil {
				return nil, d.errf("logEvents elements must be objects")
			}
			d.ws()
			if d.peek() == '}' {
				d.i++
			} else {
				for {
					d.ws()
					var key []byte
					var err error
					switch {
					case d.lit(`"timestamp"`): // the usual keys, without unescaping
						key = keyTimestamp
					case d.lit(`"message"`):
						key = keyMessage
					default:
						if key, err = d.str(); err != nil {
							return nil, err
						}
					}
					d.ws()
					if err := d.expect(':'); err != nil {
						return nil, err
					}
					d.ws()
					switch string(key) {
					case "timestamp":
						if d.null() {
							e.hasTs = false
							break
						}
						if e.ts, err = d.int64("timestamp"); err != nil {
							return nil, err
						}
						e.hasTs = true
					case "message":
						v, ok, err := d.optString("message")
						if err != nil {
							return nil, err
						}
						e.msg, e.hasMsg = v, ok
					default:
						if err := d.skip(0); err != nil {
							return nil, err
						}
					}
					d.ws()
					c := d.peek()
					d.i++
					if c == ',' {
						continue
					}
					if c == '}' {
						break
					}
					d.i--
					return nil, d.errf("expected ',' or '}' after object member")
				}
			}
			dst = append(dst, e)
		}
		d.ws()
		c := d.peek()
		d.i++
		if c == ',' {
			continue
		}
		if c == ']' {
			return dst, nil
		}
		d.i--
		return nil, d.errf("expected ',' or ']' after array element")
	}
}

var keyTimestamp, keyMessage = []byte("timestamp"), []byte("message")

// jdec is a minimal JSON scanner over a byte slice.
type jdec struct {
	b []byte
	i int
}

func (d *jdec) errf(format string, args ...any) error {
	return &decodeError{off: d.i, msg: fmt.Sprintf(format, args...)}
}

func (d *jdec) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *jdec) peek() byte {
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

func (d *jdec) expect(c byte) error {
	if d.peek() != c {
		if d.i >= len(d.b) {
			return d.errf("unexpected end of JSON input")
		}
		return d.errf("expected %q, found %q", c, d.b[d.i])
	}
	d.i++
	return nil
}

func (d *jdec) end() error {
	d.ws()
	if d.i != len(d.b) {
		return d.errf("unexpected data after the top-level value")
	}
	return nil
}

func (d *jdec) lit(s string) bool {
	if len(d.b)-d.i >= len(s) && string(d.b[d.i:d.i+len(s)]) == s {
		d.i += len(s)
		return true
	}
	return false
}

func (d *jdec) null() bool { return d.lit("null") }

func (d *jdec) optString(field string) ([]byte, bool, error) {
	if d.null() {
		return nil, false, nil
	}
	if d.peek() != '"' {
		return nil, false, d.errf("%s must be a string", field)
	}
	v, err := d.str()
	return v, err == nil, err
}

// str decodes a string literal. Without escapes or invalid UTF-8 the result aliases d.b.
func (d *jdec) str() ([]byte, error) {
	if err := d.expect('"'); err != nil {
		return nil, err
	}
	start := d.i
	high := false
	b := d.b
	i := d.i
	for {
		// Skip plain bytes (none is '"', '\\', a control character or non-ASCII) 8 at a
		// time; a long run continues 32 at a time in skipPlain.
		if i+16 <= len(b) && !wordSpecial(binary.LittleEndian.Uint64(b[i:])) && !wordSpecial(binary.LittleEndian.Uint64(b[i+8:])) {
			i = skipPlain(b, i+16)
		}
		for i+8 <= len(b) && !wordSpecial(binary.LittleEndian.Uint64(b[i:])) {
			i += 8
		}
		if i >= len(b) {
			break
		}
		c := b[i]
		switch {
		case c == '"':
			s := b[start:i]
			d.i = i + 1
			if high && !utf8.Valid(s) {
				return []byte(string([]rune(string(s)))), nil // invalid bytes become U+FFFD
			}
			return s, nil
		case c == '\\':
			d.i = i
			return d.strSlow(start)
		case c < 0x20:
			d.i = i
			return nil, d.errf("invalid control character in string")
		case c >= utf8.RuneSelf:
			high = true
		}
		i++
	}
	d.i = i
	return nil, d.errf("unexpected end of JSON input in string")
}

// strPlain[c] is true for the bytes a string copies without attention: not '"', '\\', a
// control character or non-ASCII.
var strPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// skipPlain returns the index of the first byte at or after i that is not plain, or a
// position within the last 8 bytes of b from which the caller continues byte by byte.
func skipPlain(b []byte, i int) int {
	for i+32 <= len(b) {
		w := b[i : i+32 : i+32]
		if wordSpecialMask(binary.LittleEndian.Uint64(w[0:]))|
			wordSpecialMask(binary.LittleEndian.Uint64(w[8:]))|
			wordSpecialMask(binary.LittleEndian.Uint64(w[16:]))|
			wordSpecialMask(binary.LittleEndian.Uint64(w[24:])) != 0 {
			break
		}
		i += 32
	}
	for i+8 <= len(b) && !wordSpecial(binary.LittleEndian.Uint64(b[i:])) {
		i += 8
	}
	return i
}

// wordSpecialMask is wordSpecial before the comparison with zero: skipPlain ORs the masks of
// four words and tests them once.
func wordSpecialMask(x uint64) uint64 {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	quote := x ^ (ones * '"')
	bslash := x ^ (ones * '\\')
	return ((quote - ones) | (bslash - ones) | (x - ones*0x20) | x) & high
}

// wordSpecial reports whether the 8 bytes of x (little endian) contain '"', '\\', a byte
// below 0x20 or a byte at or above 0x80. It is exact: in a word without such a byte no
// subtraction borrows across bytes, so no high bit is set; otherwise the lowest such byte
// receives no borrow and sets its high bit.
func wordSpecial(x uint64) bool { return wordSpecialMask(x) != 0 }

func (d *jdec) strSlow(start int) ([]byte, error) {
	out := make([]byte, 0, d.i-start+16)
	out = append(out, d.b[start:d.i]...)
	for d.i < len(d.b) {
		// Copy the run of plain bytes up to the next special one.
		run := skipPlain(d.b, d.i)
		for run < len(d.b) && strPlain[d.b[run]] {
			run++
		}
		out = append(out, d.b[d.i:run]...)
		d.i = run
		if d.i >= len(d.b) {
			break
		}
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			if !utf8.Valid(out) {
				out = []byte(string([]rune(string(out))))
			}
			return out, nil
		case c < 0x20:
			return nil, d.errf("invalid control character in string")
		case c != '\\':
			out = append(out, c)
			d.i++
			continue
		}
		d.i++
		if d.i >= len(d.b) {
			break
		}
		e := d.b[d.i]
		d.i++
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := d.hex4()
			if !ok {
				return nil, d.errf("invalid \\u escape")
			}
			for utf16.IsSurrogate(r) {
				if !d.lit(`\u`) {
					r = utf8.RuneError
					break
				}
				r2, ok := d.hex4()
				if !ok {
					return nil, d.errf("invalid \\u escape")
				}
				if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
					r = dec
					break
				}
				out = utf8.AppendRune(out, utf8.RuneError)
				r = r2
			}
			out = utf8.AppendRune(out, r)
		default:
			return nil, d.errf("invalid escape character %q", e)
		}
	}
	return nil, d.errf("unexpected end of JSON input in string")
}

func (d *jdec) hex4() (rune, bool) {
	if len(d.b)-d.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range d.b[d.i : d.i+4] {
		r <<= 4
		switch {
		case '0' <= c && c <= '9':
			r |= rune(c - '0')
		case 'a' <= c && c <= 'f':
			r |= rune(c - 'a' + 10)
		case 'A' <= c && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	d.i += 4
	return r, true
}

// number scans a JSON number and returns its text.
func (d *jdec) number() ([]byte, bool, error) {
	start := d.i
	integer := true
	if d.peek() == '-' {
		d.i++
	}
	switch c := d.peek(); {
	case c == '0':
		d.i++
	case '1' <= c && c <= '9':
		for d.i < len(d.b) && '0' <= d.b[d.i] && d.b[d.i] <= '9' {
			d.i++
		}
	default:
		return nil, false, d.errf("invalid number")
	}
	if d.peek() == '.' {
		integer = false
		d.i++
		n := d.i
		for d.i < len(d.b) && '0' <= d.b[d.i] && d.b[d.i] <= '9' {
			d.i++
		}
		if d.i == n {
			return nil, false, d.errf("invalid number")
		}
	}
	if c := d.peek(); c == 'e' || c == 'E' {
		integer = false
		d.i++
		if c := d.peek(); c == '+' || c == '-' {
			d.i++
		}
		n := d.i
		for d.i < len(d.b) && '0' <= d.b[d.i] && d.b[d.i] <= '9' {
			d.i++
		}
		if d.i == n {
			return nil, false, d.errf("invalid number")
		}
	}
	return d.b[start:d.i], integer, nil
}

func (d *jdec) int64(field string) (int64, error) {
	start := d.i
	if c := d.peek(); c != '-' && (c < '0' || c > '9') {
		return 0, d.errf("%s must be a number", field)
	}
	txt, integer, err := d.number()
	if err != nil {
		return 0, err
	}
	if !integer {
		// AWS accepts a fraction or an exponent for a long member (the PHP SDK sends
		// PHP floats as they are) and keeps the integer part.
		f, err := strconv.ParseFloat(string(txt), 64)
		if err != nil || f <= -(1<<63) || f >= 1<<63 {
			d.i = start
			return 0, d.errf("%s is out of range", field)
		}
		return int64(f), nil
	}
	if v, ok := smallInt(txt); ok {
		return v, nil
	}
	v, err := strconv.ParseInt(string(txt), 10, 64)
	if err != nil {
		d.i = start
		return 0, d.errf("%s is out of range", field)
	}
	return v, nil
}

// smallInt converts a JSON integer of at most 18 digits (which cannot overflow) without
// allocating; ok is false for anything else.
func smallInt(txt []byte) (int64, bool) {
	neg := len(txt) > 0 && txt[0] == '-'
	if neg {
		txt = txt[1:]
	}
	if len(txt) == 0 || len(txt) > 18 {
		return 0, false
	}
	var v int64
	for _, c := range txt {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

// skip checks and skips one JSON value.
func (d *jdec) skip(depth int) error {
	if depth > maxJSONDepth {
		return d.errf("JSON nested too deeply")
	}
	d.ws()
	switch c := d.peek(); {
	case c == '"':
		_, err := d.str()
		return err
	case c == '{':
		d.i++
		d.ws()
		if d.peek() == '}' {
			d.i++
			return nil
		}
		for {
			d.ws()
			if _, err := d.str(); err != nil {
				return err
			}
			d.ws()
			if err := d.expect(':'); err != nil {
				return err
			}
			if err := d.skip(depth + 1); err != nil {
				return err
			}
			d.ws()
			switch d.peek() {
			case ',':
				d.i++
				continue
			case '}':
				d.i++
				return nil
			}
			return d.errf("expected ',' or '}' after object member")
		}
	case c == '[':
		d.i++
		d.ws()
		if d.peek() == ']' {
			d.i++
			return nil
		}
		for {
			if err := d.skip(depth + 1); err != nil {
				return err
			}
			d.ws()
			switch d.peek() {
			case ',':
				d.i++
				continue
			case ']':
				d.i++
				return nil
			}
			return d.errf("expected ',' or ']' after array element")
		}
	case c == '-' || ('0' <= c && c <= '9'):
		_, _, err := d.number()
		return err
	case d.lit("true"), d.lit("false"), d.lit("null"):
		return nil
	}
	if d.i >= len(d.b) {
		return d.errf("unexpected end of JSON input")
	}
	return d.errf("invalid character %q looking for beginning of value", d.b[d.i])
}
