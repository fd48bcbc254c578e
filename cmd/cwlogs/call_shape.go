package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file gives call's answers the form botocore's parser gives them before the AWS CLI
// prints them (botocore/parsers.py, JSONParser): the members of each structure in the order
// of the model, those the model does not have and those that are null left out; lists and
// maps as they come, their null elements and values kept (a string or object where the model
// has a list: its characters or keys, as Python iterates them); a union with one member it does
// not know as {"SDK_UNKNOWN_MEMBER": {"name": NAME}}. The model is carried as descriptors
// (operations_gen.go, written by gen_operations.go from botocore's model):
//
//	$ string   # integer or long   % float or double   ! boolean   & blob   ^ timestamp
//	* document   [T list of T   <T map of string to T   {name T name T ...} structure
//	(name T ...) union   @N; shapeDefs[N] (the shapes of a recursion)
//
// The Logs model has no timestamp or blob in an answer (the generator checks it), so that
// scalars are printed as the service sent them, as botocore keeps them.

// shapeError is an answer that botocore's parser fails on: a value of the wrong kind where
// the model has a structure or map, a number, boolean or null where it has a list (a string
// or an object there is iterated, see iterated), or a union with not one member set.
type shapeError struct {
	op   string
	path string // where in the answer, e.g. logGroups[2].tags
	msg  string
}

func (e *shapeError) Error() string {
	where := "the answer"
	if e.path != "" {
		where = e.path
	}
	return fmt.Sprintf("%s: invalid answer: %s %s (botocore's model of the operation)", e.op, where, e.msg)
}

// shapeAnswer returns the answer body of op as botocore parses it, as compact JSON: {} for
// an operation without output (botocore ignores its body) or an empty body; a body that is
// not JSON as {"message": BODY} parsed by the model (botocore's fallback).
func shapeAnswer(op *apiOperation, body []byte) ([]byte, error) {
	if op.output == "" || len(body) == 0 {
		return []byte("{}"), nil
	}
	s := &shaper{op: op.name}
	s.out.Grow(len(body))
	if !utf8.Valid(body) {
		return nil, s.fail("is not UTF-8")
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, body); err != nil {
		// botocore: "if the body cannot be parsed, include the literal string as the message".
		msg, _ := json.Marshal(string(body))
		compact.Reset()
		compact.WriteString(`{"message":`)
		compact.Write(msg)
		compact.WriteByte('}')
	}
	data := compact.Bytes()
	if data[0] != '{' {
		return nil, s.fail(fmt.Sprintf("is %s, want an object", rawKind(data)))
	}
	if err := s.value(op.output, 0, data); err != nil {
		return nil, err
	}
	return s.out.Bytes(), nil
}

// shaper writes a value as botocore parses it by its descriptor.
type shaper struct {
	op   string
	out  bytes.Buffer
	path []pathElem // the members and indexes it is in, for errors
	// scratch holds the members of the objects it is in, each object's after its parent's.
	scratch []rawMember
}

// pathElem is a step of a path in an answer: a member (name, or key when it is a map's) or
// an index (when name and key are empty).
type pathElem struct {
	name  string
	key   []byte
	index int
}

func (s *shaper) fail(msg string) error {
	var b strings.Builder
	for _, p := range s.path {
		switch {
		case p.name == "" && p.key == nil:
			fmt.Fprintf(&b, "[%d]", p.index)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p.name)
			b.Write(p.key)
		}
	}
	return &shapeError{op: s.op, path: b.String(), msg: msg}
}

// value writes v, a compact JSON value that is not null, as the shape at desc[i] parses it.
func (s *shaper) value(desc string, i int, v []byte) error {
	desc, i = resolveDesc(desc, i)
	switch desc[i] {
	case '[':
		switch v[0] {
		case '"', '{':
			return s.iterated(desc, i, v)
		case '[':
		default:
			return s.fail(fmt.Sprintf("is %s, want a list", rawKind(v)))
		}
		s.out.WriteByte('[')
		for n, j := 0, 1; v[j] != ']'; n++ {
			if v[j] == ',' {
				s.out.WriteByte(',')
				j++
			}
			end := rawValueEnd(v, j)
			e := v[j:end]
			j = end
			if string(e) == "null" {
				s.out.WriteString("null") // botocore keeps the null elements of a list
				continue
			}
			s.path = append(s.path, pathElem{index: n})
			if err := s.value(desc, i+1, e); err != nil {
				return err
			}
			s.path = s.path[:len(s.path)-1]
		}
		s.out.WriteByte(']')
	case '<':
		if v[0] != '{' {
			return s.fail(fmt.Sprintf("is %s, want a map", rawKind(v)))
		}
		s.out.WriteByte('{')
		base := len(s.scratch)
		s.scratch = rawMembers(s.scratch, v)
		defer func() { s.scratch = s.scratch[:base] }()
		for n, m := range s.scratch[base:] {
			if n > 0 {
				s.out.WriteByte(',')
			}
			s.out.Write(m.rawKey)
			s.out.WriteByte(':')
			s.path = append(s.path, pathElem{key: m.key})
			if err := s.nullable(desc, i+1, m.value); err != nil {
				return err
			}
			s.path = s.path[:len(s.path)-1]
		}
		s.out.WriteByte('}')
	case '{', '(':
		if v[0] != '{' {
			return s.fail(fmt.Sprintf("is %s, want a structure", rawKind(v)))
		}
		base := len(s.scratch)
		s.scratch = rawMembers(s.scratch, v)
		members := s.scratch[base:]
		defer func() { s.scratch = s.scratch[:base] }()
		if desc[i] == '(' {
			tag, err := s.unionTag(members)
			if err != nil {
				return err
			}
			if !hasMember(desc, i, string(tag)) {
				s.out.WriteString(`{"SDK_UNKNOWN_MEMBER":{"name":`)
				name, _ := json.Marshal(string(tag))
				s.out.Write(name)
				s.out.WriteString("}}")
				return nil
			}
		}
		s.out.WriteByte('{')
		n := 0
		for name, at := range descMembers(desc, i) {
			m, ok := findMember(members, name)
			if !ok || string(m.value) == "null" {
				continue // botocore sets only the members that are in the answer and not null
			}
			if n > 0 {
				s.out.WriteByte(',')
			}
			n++
			s.out.WriteByte('"') // an identifier: nothing to escape
			s.out.WriteString(name)
			s.out.WriteString(`":`)
			s.path = append(s.path, pathElem{name: name})
			if err := s.value(desc, at, m.value); err != nil {
				return err
			}
			s.path = s.path[:len(s.path)-1]
		}
		s.out.WriteByte('}')
	default: // a scalar or a document: as it comes
		if v[0] == '{' || v[0] == '[' {
			if out, _, dup := lastMembers(v, 0); dup {
				v = out // Python's json keeps the last value of a member given twice
			}
		}
		s.out.Write(v)
	}
	return nil
}

// iterated writes a string or an object v where the model has the list at desc[i], as botocore
// parses it: its handler iterates over the value it is given, which for a Python str is its
// characters and for a dict its keys (each once, in order), each then parsed by the list's
// member shape (a structure, map or union fails on a string).
func (s *shaper) iterated(desc string, i int, v []byte) error {
	var elems [][]byte
	if v[0] == '{' {
		base := len(s.scratch)
		s.scratch = rawMembers(s.scratch, v)
		defer func() { s.scratch = s.scratch[:base] }()
		for _, m := range s.scratch[base:] {
			elems = append(elems, m.rawKey)
		}
	} else {
		var str string
		if err := json.Unmarshal(v, &str); err != nil {
			return s.fail("is not a valid string")
		}
		for _, r := range str {
			e, _ := json.Marshal(string(r))
			elems = append(elems, e)
		}
	}
	s.out.WriteByte('[')
	for n, e := range elems {
		if n > 0 {
			s.out.WriteByte(',')
		}
		s.path = append(s.path, pathElem{index: n})
		if err := s.value(desc, i+1, e); err != nil {
			return err
		}
		s.path = s.path[:len(s.path)-1]
	}
	s.out.WriteByte(']')
	return nil
}

// nullable writes a map's value: null stays null for a structure or a scalar (botocore's
// handlers return None), and is an error for a list or a map (they iterate over it).
func (s *shaper) nullable(desc string, i int, v []byte) error {
	if string(v) != "null" {
		return s.value(desc, i, v)
	}
	if d, j := resolveDesc(desc, i); d[j] == '[' || d[j] == '<' {
		return s.fail("is null, want a list or a map")
	}
	s.out.WriteString("null")
	return nil
}

// unionTag is the member set in a union, as botocore finds it: the first member that is
// not null and not __type, which must be the only one.
func (s *shaper) unionTag(members []rawMember) ([]byte, error) {
	var set [][]byte
	for _, m := range members {
		if string(m.key) != "__type" && string(m.value) != "null" {
			set = append(set, m.key)
		}
	}
	if len(set) != 1 {
		return nil, s.fail(fmt.Sprintf("has %d members set, want one and only one (a union)", len(set)))
	}
	return set[0], nil
}

// resolveDesc follows a @N; reference at desc[i] to the shape it names.
func resolveDesc(desc string, i int) (string, int) {
	for desc[i] == '@' {
		desc, i = shapeDefs[descRef(desc, i)], 0
	}
	return desc, i
}

// descRef is N of the reference @N; at desc[i].
func descRef(desc string, i int) int {
	end := strings.IndexByte(desc[i:], ';')
	n, _ := strconv.Atoi(desc[i+1 : i+end])
	return n
}

// skipDesc returns the index after the descriptor at desc[i].
func skipDesc(desc string, i int) int {
	switch desc[i] {
	case '[', '<':
		return skipDesc(desc, i+1)
	case '@':
		return i + strings.IndexByte(desc[i:], ';') + 1
	case '{', '(':
		j := i + 1
		for desc[j] != '}' && desc[j] != ')' {
			for isIdentByte(desc[j]) {
				j++
			}
			j = skipDesc(desc, j)
		}
		return j + 1
	}
	return i + 1
}

// descMembers yields the members of the structure at desc[i]: each name and the index of its
// descriptor.
func descMembers(desc string, i int) func(yield func(string, int) bool) {
	return func(yield func(string, int) bool) {
		j := i + 1
		for desc[j] != '}' && desc[j] != ')' {
			start := j
			for isIdentByte(desc[j]) {
				j++
			}
			if !yield(desc[start:j], j) {
				return
			}
			j = skipDesc(desc, j)
		}
	}
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// hasMember reports whether the structure at desc[i] has a member name.
func hasMember(desc string, i int, name string) bool {
	for n := range descMembers(desc, i) {
		if n == name {
			return true
		}
	}
	return false
}

// rawMember is a member of a compact JSON object: its key decoded and as written, its value.
type rawMember struct {
	key    []byte
	rawKey []byte
	value  []byte
}

// rawMembers appends to dst the members of a compact JSON object, in order, each once: a
// member given twice has its last value where it first was, as Python's json reads it.
func rawMembers(dst []rawMember, obj []byte) []rawMember {
	var (
		base  = len(dst)
		out   = dst[base:]
		index map[string]int // by key, once there are many members
	)
	for i := 1; obj[i] != '}'; {
		if obj[i] == ',' {
			i++
		}
		keyEnd := stringEnd(obj, i)
		m := rawMember{rawKey: obj[i:keyEnd]}
		if bytes.IndexByte(m.rawKey, '\\') < 0 {
			m.key = m.rawKey[1 : len(m.rawKey)-1]
		} else {
			var k string
			_ = json.Unmarshal(m.rawKey, &k)
			m.key = []byte(k)
		}
		end := rawValueEnd(obj, keyEnd+1)
		m.value = obj[keyEnd+1 : end]
		i = end
		at := -1
		if index != nil {
			if n, ok := index[string(m.key)]; ok {
				at = n
			}
		} else {
			for n := range out {
				if bytes.Equal(out[n].key, m.key) {
					at = n
					break
				}
			}
		}
		if at >= 0 {
			out[at].value = m.value
			continue
		}
		out = append(out, m)
		if index == nil && len(out) > 16 {
			index = make(map[string]int, 2*len(out))
			for n, m := range out {
				index[string(m.key)] = n
			}
		} else if index != nil {
			index[string(m.key)] = len(out) - 1
		}
	}
	return append(dst[:base], out...)
}

// rawValueEnd returns where the compact JSON value at data[i] ends.
func rawValueEnd(data []byte, i int) int {
	switch data[i] {
	case '"':
		return stringEnd(data, i)
	case '{', '[':
		depth := 0
		for ; ; i++ {
			switch data[i] {
			case '"':
				i = stringEnd(data, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
	}
	for i < len(data) && data[i] != ',' && data[i] != ']' && data[i] != '}' {
		i++
	}
	return i
}

// findMember returns the member key of members (from rawMembers: each key once).
func findMember(members []rawMember, key string) (rawMember, bool) {
	for _, m := range members {
		if string(m.key) == key {
			return m, true
		}
	}
	return rawMember{}, false
}

// rawKind names the kind of a compact JSON value.
func rawKind(v []byte) string {
	switch v[0] {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}
