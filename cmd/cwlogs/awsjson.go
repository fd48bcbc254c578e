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
	p := &pyPrinter{dec: dec, tty: tty}
	if err := p.object(0); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("more data after the JSON object")
		}
		return nil, err
	}
	if p.buf.String() == "{}" {
		return nil, nil
	}
	return p.buf.Bytes(), nil
}

// pyPrinter writes the values read from dec as Python's json.dump(indent=4) writes them.
type pyPrinter struct {
	dec *json.Decoder
	buf bytes.Buffer
	tty bool
}

// token reads the next token of a value that has begun: the end of the input is an error.
func (p *pyPrinter) token() (json.Token, error) {
	tok, err := p.dec.Token()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return tok, err
}

func (p *pyPrinter) newline(depth int) {
	p.buf.WriteByte('\n')
	for range depth {
		p.buf.WriteString("    ")
	}
}

func (p *pyPrinter) value(tok json.Token, depth int) error {
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return p.object(depth)
		}
		return p.array(depth)
	case string:
		writePyString(&p.buf, t, false, p.tty)
	case json.Number:
		p.buf.WriteString(pyNumber(string(t)))
	case bool:
		p.buf.WriteString(map[bool]string{true: "true", false: "false"}[t])
	case nil:
		p.buf.WriteString("null")
	}
	return nil
}

// object writes the members of an object whose '{' was read, and its '}'.
func (p *pyPrinter) object(depth int) error {
	p.buf.WriteByte('{')
	n := 0
	for p.dec.More() {
		key, err := p.token()
		if err != nil {
			return err
		}
		val, err := p.token()
		if err != nil {
			return err
		}
		if n > 0 {
			p.buf.WriteByte(',')
		}
		n++
		p.newline(depth + 1)
		writePyString(&p.buf, key.(string), false, p.tty)
		p.buf.WriteString(": ")
		if err := p.value(val, depth+1); err != nil {
			return err
		}
	}
	if _, err := p.token(); err != nil { // '}'
		return err
	}
	if n > 0 {
		p.newline(depth)
	}
	p.buf.WriteByte('}')
	return nil
}

// array writes the elements of an array whose '[' was read, and its ']'.
func (p *pyPrinter) array(depth int) error {
	p.buf.WriteByte('[')
	n := 0
	for p.dec.More() {
		val, err := p.token()
		if err != nil {
			return err
		}
		if n > 0 {
			p.buf.WriteByte(',')
		}
		n++
		p.newline(depth + 1)
		if err := p.value(val, depth+1); err != nil {
			return err
		}
	}
	if _, err := p.token(); err != nil { // ']'
		return err
	}
	if n > 0 {
		p.newline(depth)
	}
	p.buf.WriteByte(']')
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
