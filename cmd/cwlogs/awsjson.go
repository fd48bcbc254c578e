package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// formatAWSJSON renders a JSON object the way the AWS CLI prints an answer that botocore parsed
// (shapeAnswer gives body that form): Python's json.dump(indent=4, ensure_ascii=False), keys in
// the order of body, null kept (botocore keeps those of maps and lists). It returns nil when
// nothing is to be printed:
// an object with no members, as aws prints nothing for an empty answer. On a terminal (tty), DEL
// and the C1 controls are escaped as \u007f…\u009f too, so that no answer can act on the screen.
func formatAWSJSON(body []byte, tty bool) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if tok != json.Delim('{') {
		return nil, fmt.Errorf("want a JSON object, got %s", jsonKind(tok))
	}
	p := &pyPrinter{dec: dec, w: pyJSON{tty: tty}}
	if err := p.object(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("more data after the JSON object")
		}
		return nil, err
	}
	if p.w.buf.String() == "{}" {
		return nil, nil
	}
	return p.w.buf.Bytes(), nil
}

// pyJSON writes JSON as Python's json.dump(indent=4, ensure_ascii=False) does, as the AWS CLI
// prints it: each member or element on a line of its own, indented by 4 spaces a level, "," at
// the end of all lines but a container's last, ": " between a key and its value, and an empty
// object or array as {} or []. It owns that layout for call's JSON outputs: pyPrinter walks the
// tokens of an answer with it, writePyJSON a --query result. On a terminal (tty), DEL and the
// C1 controls in strings are escaped too.
type pyJSON struct {
	buf   bytes.Buffer
	tty   bool
	count []int // the members or elements written so far in each open container
}

// open starts an object ('{') or an array ('[').
func (w *pyJSON) open(delim byte) {
	w.buf.WriteByte(delim)
	w.count = append(w.count, 0)
}

// next starts an element of the innermost array, or a member of the innermost object (see key).
func (w *pyJSON) next() {
	n := &w.count[len(w.count)-1]
	if *n > 0 {
		w.buf.WriteByte(',')
	}
	*n++
	w.newline(len(w.count))
}

// key starts a member of the innermost object: its value comes next.
func (w *pyJSON) key(k string) {
	w.next()
	w.str(k)
	w.buf.WriteString(": ")
}

// close ends the innermost container with delim ('}' or ']').
func (w *pyJSON) close(delim byte) {
	n := w.count[len(w.count)-1]
	w.count = w.count[:len(w.count)-1]
	if n > 0 {
		w.newline(len(w.count))
	}
	w.buf.WriteByte(delim)
}

func (w *pyJSON) newline(depth int) {
	w.buf.WriteByte('\n')
	for range depth {
		w.buf.WriteString("    ")
	}
}

// str writes a string; literal a number, true, false or null as it is given.
func (w *pyJSON) str(s string)     { writePyString(&w.buf, s, false, w.tty) }
func (w *pyJSON) literal(s string) { w.buf.WriteString(s) }

// pyPrinter writes the values read from dec with w.
type pyPrinter struct {
	dec *json.Decoder
	w   pyJSON
}

// token reads the next token of a value that has begun: the end of the input is an error.
func (p *pyPrinter) token() (json.Token, error) {
	tok, err := p.dec.Token()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return tok, err
}

func (p *pyPrinter) value(tok json.Token) error {
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return p.object()
		}
		return p.array()
	case string:
		p.w.str(t)
	case json.Number:
		p.w.literal(pyNumber(string(t)))
	case bool:
		p.w.literal(strconv.FormatBool(t))
	case nil:
		p.w.literal("null")
	}
	return nil
}

// object writes the members of an object whose '{' was read, and its '}'.
func (p *pyPrinter) object() error {
	p.w.open('{')
	for p.dec.More() {
		key, err := p.token()
		if err != nil {
			return err
		}
		val, err := p.token()
		if err != nil {
			return err
		}
		p.w.key(key.(string))
		if err := p.value(val); err != nil {
			return err
		}
	}
	if _, err := p.token(); err != nil { // '}'
		return err
	}
	p.w.close('}')
	return nil
}

// array writes the elements of an array whose '[' was read, and its ']'.
func (p *pyPrinter) array() error {
	p.w.open('[')
	for p.dec.More() {
		val, err := p.token()
		if err != nil {
			return err
		}
		p.w.next()
		if err := p.value(val); err != nil {
			return err
		}
	}
	if _, err := p.token(); err != nil { // ']'
		return err
	}
	p.w.close(']')
	return nil
}

// writePyString writes s as a JSON string the way Python's json module does: ", \ and the
// controls below U+0020 escaped (\n, \r, \t, \b, \f by name, the others as \u00XX); with ascii
// (ensure_ascii=True) every character outside ' '…'~' as \uXXXX (surrogate pairs beyond U+FFFF);
// with tty, DEL and U+0080…U+009F as \uXXXX too.
func writePyString(b *bytes.Buffer, s string, ascii, tty bool) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20, (ascii || tty) && r >= 0x7f && r < 0xa0, ascii && r >= 0xa0 && r <= 0xffff:
			fmt.Fprintf(b, `\u%04x`, r)
		case ascii && r > 0xffff:
			r -= 0x10000
			fmt.Fprintf(b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}

// pyNumber is a JSON number as Python prints it after reading it: an integer exactly as
// written ("-0" is 0), any other number as a float's repr.
func pyNumber(s string) string {
	if !strings.ContainsAny(s, ".eE") {
		if s == "-0" {
			return "0"
		}
		return s
	}
	f, _ := strconv.ParseFloat(s, 64) // out of range: ±Inf or 0, as Python reads it
	return pyFloat(f)
}

// pyFloat is Python's repr of a float: the shortest digits that read back as f, in positional
// notation (with ".0" when whole) when the decimal exponent is in -4…15, else as 1.5e+16.
func pyFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case math.IsNaN(f):
		return "NaN"
	case f == 0 && math.Signbit(f):
		return "-0.0"
	case f == 0:
		return "0.0"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // -1.2345e+06
	sign := ""
	if e[0] == '-' {
		sign, e = "-", e[1:]
	}
	mant, exp, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	x, _ := strconv.Atoi(exp)
	point := x + 1 // digits are 0.DIGITS × 10^point
	switch {
	case point > 16 || point < -3:
		s := digits[:1]
		if len(digits) > 1 {
			s += "." + digits[1:]
		}
		esign := "+"
		if x < 0 {
			esign, x = "-", -x
		}
		return fmt.Sprintf("%s%se%s%02d", sign, s, esign, x)
	case point <= 0:
		return sign + "0." + strings.Repeat("0", -point) + digits
	case point < len(digits):
		return sign + digits[:point] + "." + digits[point:]
	default:
		return sign + digits + strings.Repeat("0", point-len(digits)) + ".0"
	}
}

// jsonKind names the kind of JSON value that tok starts.
func jsonKind(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			return "an array"
		}
		return "an object"
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return strconv.FormatBool(t)
	}
	return "null"
}
