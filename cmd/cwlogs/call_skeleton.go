package main

import "bytes"

// inputSkeleton is what aws prints for --generate-cli-skeleton input: botocore's
// ArgumentGenerator run on the operation's input shape, printed by Python's
// json.dumps(indent=4) and a newline. A structure has each member of the model, in order; a
// list has one element; a map has one key, "KeyName"; a string is "" (botocore picks one of
// an enumeration's values at random: call does not carry them), a number 0 or 0.0, a
// boolean true. A structure met a second time in its own path (a recursion) is {}.
func inputSkeleton(op *apiOperation) []byte {
	var b bytes.Buffer
	if op.input == "" {
		b.WriteString("{}")
	} else {
		writeSkeleton(&b, op.input, 0, nil, 0)
	}
	b.WriteByte('\n')
	return b.Bytes()
}

// writeSkeleton writes the skeleton of the shape at desc[i]; stack holds the shapeDefs it is
// inside (the shapes that can recur), depth the indentation.
func writeSkeleton(b *bytes.Buffer, desc string, i int, stack []int, depth int) {
	if desc[i] == '@' {
		n := descRef(desc, i)
		stack = append(stack, n)
		d := shapeDefs[n]
		if d[0] == '{' || d[0] == '(' || d[0] == '*' {
			count := 0
			for _, s := range stack {
				if s == n {
					count++
				}
			}
			if count > 1 {
				b.WriteString("{}")
				return
			}
		}
		writeSkeleton(b, d, 0, stack, depth)
		return
	}
	newline := func(depth int) {
		b.WriteByte('\n')
		for range depth {
			b.WriteString("    ")
		}
	}
	switch desc[i] {
	case '$':
		b.WriteString(`""`)
	case '#':
		b.WriteString("0")
	case '%':
		b.WriteString("0.0")
	case '!':
		b.WriteString("true")
	case '^':
		b.WriteString(`"1970-01-01T00:00:00"`)
	case '&':
		b.WriteString("null") // ArgumentGenerator has no value for a blob
	case '*':
		b.WriteString("{}") // a document: a structure without members
	case '[':
		b.WriteByte('[')
		newline(depth + 1)
		writeSkeleton(b, desc, i+1, stack, depth+1)
		newline(depth)
		b.WriteByte(']')
	case '<':
		b.WriteByte('{')
		newline(depth + 1)
		b.WriteString(`"KeyName": `)
		writeSkeleton(b, desc, i+1, stack, depth+1)
		newline(depth)
		b.WriteByte('}')
	case '{', '(':
		b.WriteByte('{')
		n := 0
		for name, at := range descMembers(desc, i) {
			if n > 0 {
				b.WriteByte(',')
			}
			n++
			newline(depth + 1)
			writePyString(b, name, true, false)
			b.WriteString(": ")
			writeSkeleton(b, desc, at, stack, depth+1)
		}
		if n > 0 {
			newline(depth)
		}
		b.WriteByte('}')
	}
}
