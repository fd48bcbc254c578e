package main

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzPyJSON: call's two JSON outputs print any answer alike (their layout is pyJSON's):
// formatAWSJSON streaming the answer's tokens, and formatPyJSON the decoded answer (what
// --query @ prints), but for an object with a key given twice, which the decoded answer
// holds once (as Python's dict).
//
//	go test ./cmd/cwlogs -run '^$' -fuzz FuzzPyJSON -fuzztime 1m
func FuzzPyJSON(f *testing.F) {
	for _, doc := range []string{
		`{}`, `{"a":{}}`, `{"a":[]}`, `{"a":[{}, [], [[]], null]}`, `{"a":1,"b":{"a":2,"a":[3]}}`,
		`{"a":1,"b":[],"c":{},"d":[1,[2,{}],{"e":null}],"f":null,"g":true,"h":false}`,
		`{"s":"h\u00e9llo \u001b[31m \"q\" \\ </> \u2028 \ud83d\ude00 \t\n\r\b\f\u0000\u007f\u0085"}`,
		`{"n":[0,-0,12345678901234567890123,1.0,1.50,-2.5e3,1e5,1E-7,1e16,1e15,0.0001,0.00001,-0.0,1e-400,-1e-400,5e-324,1e999,-1e999]}`,
	} {
		f.Add([]byte(doc), false)
	}
	f.Fuzz(func(t *testing.T, doc []byte, tty bool) {
		streamed, err := formatAWSJSON(doc, tty)
		if err != nil || duplicateKeys(doc) {
			return
		}
		a, err := newAnswer(doc)
		if err != nil {
			t.Fatalf("%s: formatAWSJSON took it, newAnswer fails: %v", doc, err)
		}
		v, err := (*awsQuery)(nil).search(a)
		if err != nil {
			t.Fatal(err)
		}
		decoded := formatPyJSON(v, tty)
		if streamed != nil {
			streamed = append(streamed, '\n')
		}
		if !bytes.Equal(streamed, decoded) {
			t.Fatalf("%s:\nstreamed\n%s\ndecoded\n%s", doc, streamed, decoded)
		}
	})
}

// duplicateKeys reports whether an object of doc, valid JSON, has a key twice.
func duplicateKeys(doc []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(doc))
	type level struct {
		keys   map[string]bool
		object bool
		key    bool // the next token of an object is a key
	}
	var stack []*level
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		var top *level
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1].object {
				stack[len(stack)-1].key = true
			}
			continue
		}
		if top != nil && top.object && top.key {
			k := tok.(string)
			if top.keys[k] {
				return true
			}
			top.keys[k] = true
			top.key = false
			continue
		}
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, &level{keys: map[string]bool{}, object: d == '{', key: d == '{'})
			continue
		}
		if top != nil && top.object {
			top.key = true
		}
	}
}
