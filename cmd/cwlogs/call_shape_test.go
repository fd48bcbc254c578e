package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cwlogs/cwlogs/internal/testpeer"
)

// TestShapeAnswer: answers take botocore's form by the model of the operation. The expected
// texts are botocore's JSONParser (1.43) run on each body with the operation's output shape,
// printed by json.dumps(separators=(",", ":"), ensure_ascii=False).
func TestShapeAnswer(t *testing.T) {
	tests := []struct {
		op, body string
		want     string // "" with errMatch
		errMatch string
	}{
		// Model order, unmodelled members and null members left out, nested too.
		{"DescribeLogGroups", `{"nextToken": null, "extra": 1, "logGroups": [{"storedBytes": 5, "arn": "a", "logGroupName": "g", "unknown": {"x": 1}, "kmsKeyId": null, "creationTime": 1}]}`,
			`{"logGroups":[{"logGroupName":"g","creationTime":1,"arn":"a","storedBytes":5}]}`, ""},
		// A list keeps its null elements; a map its null values; scalars stay as sent.
		{"DescribeLogGroups", `{"logGroups": [null, {"logGroupName": 5, "inheritedProperties": ["a", null]}]}`,
			`{"logGroups":[null,{"logGroupName":5,"inheritedProperties":["a",null]}]}`, ""},
		{"ListTagsForResource", `{"tags": {"b": "1", "a": null, "c": "3"}}`, `{"tags":{"b":"1","a":null,"c":"3"}}`, ""},
		{"ListTagsLogGroup", `{"tags": {}}`, `{"tags":{}}`, ""},
		// A value the model has as a scalar is kept whole, nulls and all, as botocore keeps it.
		{"DescribeLogGroups", `{"logGroups": [{"logGroupName": {"b": null, "a": [1.50]}}]}`, `{"logGroups":[{"logGroupName":{"b":null,"a":[1.50]}}]}`, ""},
		// A member given twice: the last value (Python's json).
		{"DescribeLogGroups", `{"logGroups": [{"logGroupName": "a", "logGroupName": "b"}], "logGroups": []}`, `{"logGroups":[]}`, ""},
		{"ListTagsForResource", `{"tags": {"a": "1", "b": "2", "a": "3"}}`, `{"tags":{"a":"3","b":"2"}}`, ""},
		{"ListTagsForResource", `{"tags": {"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k17":17,"k1":"x","k17":"y"}}`,
			`{"tags":{"k0":0,"k1":"x","k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k17":"y"}}`, ""},
		{"DescribeLogGroups", `{"logGroups": [{"logGroupName": {"a": 1, "a": {"b": 2, "b": 3}}}]}`, `{"logGroups":[{"logGroupName":{"a":{"b":3}}}]}`, ""},
		// Escaped keys are matched decoded; map keys are kept as written.
		{"ListTagsForResource", `{"\u0074ags": {"\u00e9": "x"}}`, `{"tags":{"\u00e9":"x"}}`, ""},
		// An operation without output prints nothing, whatever the body.
		{"CreateLogGroup", `{"anything": 1}`, `{}`, ""},
		{"DescribeLogGroups", ``, `{}`, ""},
		// A body that is not JSON: {"message": BODY}, which DescribeLogGroups does not have.
		{"DescribeLogGroups", `<html>`, `{}`, ""},
		// Recursive shapes (shapeDefs).
		{"GetLogFields", `{"logFields": [{"logFieldType": {"type": "t", "fields": [{"logFieldType": {"element": {"type": "e"}, "x": 1}, "logFieldName": "n"}]}}]}`,
			`{"logFields":[{"logFieldType":{"type":"t","fields":[{"logFieldName":"n","logFieldType":{"element":{"type":"e"}}}]}}]}`, ""},
		// A union: its one member, or SDK_UNKNOWN_MEMBER for a member it does not know.
		{"GetIntegration", `{"integrationDetails": {"__type": "x", "openSearchIntegrationDetails": {"dataSource": {"dataSourceName": "d"}}}}`,
			`{"integrationDetails":{"openSearchIntegrationDetails":{"dataSource":{"dataSourceName":"d"}}}}`, ""},
		{"GetIntegration", `{"integrationName": "i", "integrationDetails": {"newKind": {"a": 1}, "other": null}}`,
			`{"integrationName":"i","integrationDetails":{"SDK_UNKNOWN_MEMBER":{"name":"newKind"}}}`, ""},
		{"GetIntegration", `{"integrationDetails": {"a": 1, "b": 2}}`, "", "GetIntegration: invalid answer: integrationDetails has 2 members set, want one and only one (a union)"},
		// What botocore fails on.
		// Where the model has a list, botocore iterates what it is given: a string's characters,
		// an object's keys (each once), each parsed by the member shape (they were refused).
		{"DescribeLogGroups", `{"logGroups":[{"logGroupName":"g","inheritedProperties":"a\u00e9"}]}`,
			`{"logGroups":[{"logGroupName":"g","inheritedProperties":["a","é"]}]}`, ""},
		{"DescribeLogGroups", `{"logGroups":[{"inheritedProperties":{"x":1,"y":null,"x":3}}]}`, `{"logGroups":[{"inheritedProperties":["x","y"]}]}`, ""},
		{"DescribeLogGroups", `{"logGroups":[{"inheritedProperties":""}]}`, `{"logGroups":[{"inheritedProperties":[]}]}`, ""},
		{"DescribeLogGroups", `{"logGroups": {"a": 1}}`, "", "DescribeLogGroups: invalid answer: logGroups[0] is a string, want a structure"},
		{"GetQueryResults", `{"results":["ab"]}`, "", "results[0][0] is a string, want a structure"},
		{"DescribeLogGroups", `{"logGroups":[{"inheritedProperties":5}]}`, "", "logGroups[0].inheritedProperties is a number, want a list"},
		{"DescribeLogGroups", `{"logGroups": [{"logGroupName": "g"}, "x"]}`, "", "logGroups[1] is a string, want a structure"},
		{"ListTagsForResource", `{"tags": [1]}`, "", "tags is a list, want a map"},
		{"DescribeLogGroups", `[1]`, "", "the answer is a list, want an object"},
		{"DescribeLogGroups", `null`, "", "the answer is null, want an object"},
		{"DescribeLogGroups", "{\"logGroups\": [{\"logGroupName\": \"\xff\"}]}", "", "the answer is not UTF-8"},
	}
	for _, tc := range tests {
		op, err := lookupOperation(tc.op)
		if err != nil {
			t.Fatal(err)
		}
		got, err := shapeAnswer(op, []byte(tc.body))
		if tc.errMatch != "" {
			var se *shapeError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.errMatch) {
				t.Errorf("%s %s: got %s, %v; want an error containing %q", tc.op, tc.body, got, err, tc.errMatch)
			}
			continue
		}
		if err != nil || string(got) != tc.want {
			t.Errorf("%s %s:\ngot  %s (%v)\nwant %s", tc.op, tc.body, got, err, tc.want)
		}
	}
}

// TestShapeDescriptors: every descriptor of the table is well formed: skipDesc ends each one
// where it ends, its @N; name shapeDefs, and the members of its structures are identifiers.
func TestShapeDescriptors(t *testing.T) {
	check := func(what, d string) {
		t.Helper()
		if d == "" {
			return
		}
		if end := skipDesc(d, 0); end != len(d) {
			t.Errorf("%s: %q ends at %d of %d", what, d, end, len(d))
		}
		for i := 0; i < len(d); i++ {
			if d[i] == '@' {
				if n := descRef(d, i); n < 0 || n >= len(shapeDefs) {
					t.Errorf("%s: @%d; is not a shapeDef", what, n)
				}
			}
		}
	}
	for _, op := range apiOperations {
		check(op.name+" input", op.input)
		check(op.name+" output", op.output)
		if !op.eventStream && op.output != "" && op.output[0] != '{' {
			t.Errorf("%s: output %q is not a structure", op.name, op.output)
		}
	}
	for i, d := range shapeDefs {
		check("shapeDefs["+string(rune('0'+i))+"]", d)
	}
	op, _ := lookupOperation("DescribeLogGroups")
	var names []string
	for n := range descMembers(op.output, 0) {
		names = append(names, n)
	}
	if !reflect.DeepEqual(names, []string{"logGroups", "nextToken"}) {
		t.Errorf("DescribeLogGroups output members %q", names)
	}
}

// FuzzShapeAnswer: for any body, shapeAnswer fails with a shapeError or returns one compact
// JSON object holding only members of the model, without null members in its structures,
// which shapeAnswer leaves as it is (but for a union's unknown member).
func FuzzShapeAnswer(f *testing.F) {
	for _, s := range []string{`{"logGroups":[{"logGroupName":"a","x":null,"storedBytes":1.5}],"nextToken":null}`,
		`{"tags":{"a":null}}`, `{"integrationDetails":{"x":1}}`, `<html>`, `[]`, `{"logFields":[{"logFieldType":{"fields":[null]}}]}`} {
		for i, op := range apiOperations {
			if slices.Contains([]string{"DescribeLogGroups", "ListTagsForResource", "GetIntegration", "GetLogFields"}, op.name) {
				f.Add(uint8(i), s)
			}
		}
	}
	f.Fuzz(func(t *testing.T, index uint8, body string) {
		op := &apiOperations[int(index)%len(apiOperations)]
		if op.eventStream {
			return
		}
		name := op.name
		out, err := shapeAnswer(op, []byte(body))
		if err != nil {
			var se *shapeError
			if !errors.As(err, &se) {
				t.Fatalf("%s %q: %v is not a shapeError", name, body, err)
			}
			return
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(out, &obj); err != nil || obj == nil {
			t.Fatalf("%s %q: %s is not an object: %v", name, body, out, err)
		}
		var b bytes.Buffer
		if json.Compact(&b, out) != nil || !bytes.Equal(b.Bytes(), out) {
			t.Fatalf("%s %q: %s is not compact", name, body, out)
		}
		for k, v := range obj {
			if !hasMember(op.output, 0, k) || string(v) == "null" {
				t.Fatalf("%s %q: member %s: %s in %s", name, body, k, v, out)
			}
		}
		if bytes.Contains(out, []byte("SDK_UNKNOWN_MEMBER")) {
			return // shaped again, it is a member the union does not know
		}
		again, err := shapeAnswer(op, out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("%s %q: shaped again: %s, %v; want %s", name, body, again, err, out)
		}
	})
}

// TestInputSkeletons compares the skeleton of every operation with botocore's
// ArgumentGenerator, which aws --generate-cli-skeleton prints with json.dumps(indent=4): run
// once for all operations, an enumeration's value (botocore picks one at random) made "", as
// call prints it.
func TestInputSkeletons(t *testing.T) {
	python := testpeer.Botocore(t)
	const script = `
import json, sys, botocore.session, botocore.utils
botocore.utils.random.choice = lambda values: ""
model = botocore.session.get_session().get_service_model("logs")
out = {}
for name in model.operation_names:
    shape = model.operation_model(name).input_shape
    skeleton = {} if shape is None else botocore.utils.ArgumentGenerator().generate_skeleton(shape)
    out[name] = json.dumps(skeleton, indent=4, default=str) + "\n"
json.dump(out, sys.stdout)
`
	raw, err := exec.Command(python, "-c", script).Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var want map[string]string
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if len(want) != len(apiOperations) {
		t.Errorf("botocore has %d operations, the table %d (go generate)", len(want), len(apiOperations))
	}
	for _, op := range apiOperations {
		if got := string(inputSkeleton(&op)); got != want[op.name] {
			t.Errorf("%s skeleton:\n%s\nwant\n%s", op.name, got, want[op.name])
		}
	}
}

// FuzzDecodeJSONBytes: decodeJSONBytes returns the input itself when it is UTF-8 without a
// byte order mark and without zero bytes in its first two characters, and valid UTF-8 when it
// decoded UTF-16 or UTF-32.
func FuzzDecodeJSONBytes(f *testing.F) {
	for _, s := range []string{"{}", "\xff\xfe{\x00}\x00", "\xfe\xff\x00{\x00}", "\x00\x00\x00{", "{\x00\x00\x00", "\xef\xbb\xbf{}", "{\x00", "\x00{"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := decodeJSONBytes(in)
		if err != nil {
			return
		}
		plain := len(in) >= 2 && in[0] != 0 && in[1] != 0 && !bytes.HasPrefix(in, []byte{0xff, 0xfe}) && !bytes.HasPrefix(in, []byte{0xfe, 0xff})
		if plain && !bytes.Equal(out, in) {
			t.Fatalf("%q: changed to %q", in, out)
		}
		if !bytes.Equal(out, in) && !utf8.Valid(out) {
			t.Fatalf("%q: %q is not UTF-8", in, out)
		}
	})
}

// BenchmarkShapeAnswer shapes a FilterLogEvents answer of 10,000 events, its members in
// another order than the model's and with members the model does not have.
func BenchmarkShapeAnswer(b *testing.B) {
	var body bytes.Buffer
	body.WriteString(`{"searchedLogStreams":[],"nextToken":null,"events":[`)
	for i := range 10000 {
		if i > 0 {
			body.WriteByte(',')
		}
		fmt.Fprintf(&body, `{"message":"GET /index.html %d","timestamp":%d,"eventId":"%020d","logStreamName":"web-1","ingestionTime":%d,"extra":null}`, i, int64(1700000000000)+int64(i), i, int64(1700000000100)+int64(i))
	}
	body.WriteString(`]}`)
	op, _ := lookupOperation("FilterLogEvents")
	b.SetBytes(int64(body.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := shapeAnswer(op, body.Bytes()); err != nil {
			b.Fatal(err)
		}
	}
}
