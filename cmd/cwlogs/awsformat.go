package main

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// This file prints the values of an answer (after --query) as the AWS CLI's formatters do:
// JSON (awscli/formatter.py's JSONFormatter), text (awscli/text.py) and table
// (awscli/table.py with formatter.py's TableFormatter). The values are those of query.go:
// string, bool, nil, pyNum, []any and *pyObject. Python's str() of a value is what
// the text and table formats show.

// pyStr is Python's str() of a value.
func pyStr(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case nil:
		return "None"
	case bool:
		if v {
			return "True"
		}
		return "False"
	case pyNum:
		return v.String()
	case []any, *pyObject:
		var b strings.Builder
		writePyRepr(&b, v)
		return b.String()
	}
	return fmt.Sprint(v) // none: search returns only the values above
}

// writePyRepr writes Python's repr() of a value: lists and dicts as Python prints them.
func writePyRepr(b *strings.Builder, v any) {
	switch v := v.(type) {
	case string:
		b.WriteString(pyStringRepr(v))
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteString(", ")
			}
			writePyRepr(b, e)
		}
		b.WriteByte(']')
	case *pyObject:
		b.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(pyStringRepr(k))
			b.WriteString(": ")
			writePyRepr(b, v.vals[k])
		}
		b.WriteByte('}')
	default:
		b.WriteString(pyStr(v))
	}
}

// pyStringRepr is Python's repr() of a string: single quotes unless the string has a single
// quote and no double quote; \\, \t, \n, \r and the quote escaped, other characters that are
// not printable as \xNN, \uNNNN or \UNNNNNNNN.
func pyStringRepr(s string) string {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	var b strings.Builder
	b.WriteByte(quote)
	for _, r := range s {
		switch {
		case r == rune(quote) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < ' ' || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x7f || unicode.IsPrint(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x10000:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteByte(quote)
	return b.String()
}

// formatPyJSON prints v as the AWS CLI's JSON output: Python's json.dump(indent=4,
// ensure_ascii=False) and a newline; nothing for an empty object (the answer of an operation
// without output). On a terminal (tty), DEL and the C1 controls are escaped too.
func formatPyJSON(v any, tty bool) []byte {
	if o, ok := v.(*pyObject); ok && len(o.keys) == 0 {
		return nil
	}
	w := &pyJSON{tty: tty}
	writePyJSON(w, v)
	w.buf.WriteByte('\n')
	return w.buf.Bytes()
}

// writePyJSON writes v, a search result, with w (which owns the layout: see pyJSON).
func writePyJSON(w *pyJSON, v any) {
	switch v := v.(type) {
	case string:
		w.str(v)
	case nil:
		w.literal("null")
	case bool:
		w.literal(strconv.FormatBool(v))
	case pyNum:
		w.literal(v.json())
	case []any:
		w.open('[')
		for _, e := range v {
			w.next()
			writePyJSON(w, e)
		}
		w.close(']')
	case *pyObject:
		w.open('{')
		for _, k := range v.keys {
			w.key(k)
			writePyJSON(w, v.vals[k])
		}
		w.close('}')
	}
}

func isScalar(v any) bool {
	switch v.(type) {
	case []any, *pyObject:
		return false
	}
	return true
}

// formatError is a value the AWS CLI's formatter fails on (Python raises an exception): a
// list mixing objects with other values, for example.
type formatError struct {
	output string
	reason string
}

func (e *formatError) Error() string {
	return fmt.Sprintf("cannot print the result with --output %s: %s", e.output, e.reason)
}

// formatText prints v as awscli/text.py does for --output text. On an error, it returns the text
// written before it too.
func formatText(v any) ([]byte, error) {
	var t textFormatter
	err := t.value(v, nil, nil, false)
	return t.b.Bytes(), err
}

type textFormatter struct{ b bytes.Buffer }

// value is text.py's _format_text: identifier is nil for None; scalarKeys is used when
// hasScalarKeys (a list of objects gives each of them the scalar keys of all).
func (t *textFormatter) value(item any, identifier *string, scalarKeys []string, hasScalarKeys bool) error {
	switch item := item.(type) {
	case *pyObject:
		return t.object(item, identifier, scalarKeys, hasScalarKeys)
	case []any:
		return t.list(item, identifier)
	}
	t.b.WriteString(pyStr(item))
	t.b.WriteByte('\n')
	return nil
}

func (t *textFormatter) list(item []any, identifier *string) error {
	if len(item) == 0 {
		return nil
	}
	hasObject, hasList := false, false
	for _, el := range item {
		switch el.(type) {
		case *pyObject:
			hasObject = true
		case []any:
			hasList = true
		}
	}
	switch {
	case hasObject:
		// _all_scalar_keys: every element must be an object (Python calls .items() on each).
		keys := map[string]bool{}
		for _, el := range item {
			o, ok := el.(*pyObject)
			if !ok {
				return &formatError{"text", fmt.Sprintf("a list mixes objects with %s", pyTypeName(el))}
			}
			for _, k := range o.keys {
				if isScalar(o.vals[k]) {
					keys[k] = true
				}
			}
		}
		all := make([]string, 0, len(keys))
		for k := range keys {
			all = append(all, k)
		}
		slices.Sort(all)
		for _, el := range item {
			if err := t.value(el, identifier, all, true); err != nil {
				return err
			}
		}
	case hasList:
		var scalars, others []any
		for _, el := range item {
			if isScalar(el) {
				scalars = append(scalars, el)
			} else {
				others = append(others, el)
			}
		}
		if len(scalars) > 0 {
			t.scalarList(scalars, identifier)
		}
		for _, el := range others {
			if err := t.value(el, identifier, nil, false); err != nil {
				return err
			}
		}
	default:
		t.scalarList(item, identifier)
	}
	return nil
}

func (t *textFormatter) scalarList(elements []any, identifier *string) {
	if identifier != nil {
		for _, el := range elements {
			fmt.Fprintf(&t.b, "%s\t%s\n", pyUpper(*identifier), pyStr(el))
		}
		return
	}
	for i, el := range elements {
		if i > 0 {
			t.b.WriteByte('\t')
		}
		t.b.WriteString(pyStr(el))
	}
	t.b.WriteByte('\n')
}

func (t *textFormatter) object(item *pyObject, identifier *string, scalarKeys []string, hasScalarKeys bool) error {
	var scalars []string
	var others []string // keys, sorted
	if !hasScalarKeys {
		for _, k := range slices.Sorted(slices.Values(item.keys)) {
			if isScalar(item.vals[k]) {
				scalars = append(scalars, pyStr(item.vals[k]))
			} else {
				others = append(others, k)
			}
		}
	} else {
		for _, k := range scalarKeys {
			v, ok := item.vals[k]
			if !ok {
				v = ""
			}
			scalars = append(scalars, pyStr(v))
		}
		for _, k := range slices.Sorted(slices.Values(item.keys)) {
			if !slices.Contains(scalarKeys, k) {
				others = append(others, k)
			}
		}
	}
	if len(scalars) > 0 {
		if identifier != nil {
			scalars = slices.Insert(scalars, 0, pyUpper(*identifier))
		}
		t.b.WriteString(strings.Join(scalars, "\t"))
		t.b.WriteByte('\n')
	}
	for _, k := range others {
		if err := t.value(item.vals[k], &k, nil, false); err != nil {
			return err
		}
	}
	return nil
}

// pyUpper is Python's str.upper(): full case mappings (ß → SS), Python's Unicode version.
func pyUpper(s string) string {
	var b strings.Builder
	for _, r := range s {
		if u, ok := pyUpperSpecial[r]; ok {
			b.WriteString(u)
		} else {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

// pyTypeName names the kind of a value as Python's type() would.
func pyTypeName(v any) string {
	switch v := v.(type) {
	case string:
		return "a str"
	case nil:
		return "None"
	case bool:
		return "a bool"
	case pyNum:
		if v.isFloat {
			return "a float"
		}
		return "an int"
	case []any:
		return "a list"
	}
	return "a dict"
}
