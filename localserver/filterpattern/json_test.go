package filterpattern_test

import (
	"strings"
	"testing"
)

// awsJSONEvent is the example event of "JSON Metric Filter Examples" in
// AWS's FilterAndPatternSyntax page (awsdocs/amazon-cloudwatch-logs-user-guide,
// doc_source/FilterAndPatternSyntax.md).
const awsJSONEvent = `{
  "eventType": "UpdateTrail",
  "sourceIPAddress": "111.111.111.111",
  "arrayKey": [
        "value",
        "another value"
  ],
  "objectList": [
       {
         "name": "a",
         "id": 1
       },
       {
         "name": "b",
         "id": 2
       }
  ],
  "SomeObject": null,
  "ThisFlag": true
}`

// awsCompoundEvent is the example event of "JSON Compound Conditions" on
// the same page.
const awsCompoundEvent = `{
    "user": {
        "id": 1, 
        "email": "John.Stiles@example.com"
    },
    "users": [
        {
         "id": 2,
         "email": "John.Doe@example.com"
        },
        {
         "id": 3,
         "email": "Jane.Doe@example.com"
        }
    ],
    "actions": [
        "GET",
        "PUT",
        "DELETE"
    ],
    "coordinates": [
        [0, 1, 2],
        [4, 5, 6],
        [7, 8, 9]
    ]
}`

func TestJSONDocExamples(t *testing.T) {
	runPatternCases(t, []patternCase{
		// Source: FilterAndPatternSyntax, "JSON Metric Filter Examples":
		// "The following filters would match".
		{"eventType", `{ $.eventType = "UpdateTrail" }`, []matchCase{{awsJSONEvent, true}}},
		{"sourceIPAddress", `{ $.sourceIPAddress != 123.123.* }`, []matchCase{
			{awsJSONEvent, true},
			{`{"sourceIPAddress": "123.123.0.1"}`, false},
		}},
		{"arrayKey[0]", `{ $.arrayKey[0] = "value" }`, []matchCase{
			{awsJSONEvent, true},
			{`{"arrayKey": "value"}`, false}, // "If arrayKey is not an array this will be false"
		}},
		{"objectList[1].id", `{ $.objectList[1].id = 2 }`, []matchCase{
			{awsJSONEvent, true},
			{`{"objectList": {"id": 2}}`, false},
			{`{"objectList": [1, 2]}`, false},
			{`{"objectList": [{}, {"name": "b"}]}`, false},
		}},
		{"IS NULL", `{ $.SomeObject IS NULL }`, []matchCase{
			{awsJSONEvent, true},
			{`{"SomeObject": {}}`, false},
			{`{}`, false}, // only true if set to null
		}},
		{"NOT EXISTS", `{ $.SomeOtherObject NOT EXISTS }`, []matchCase{
			{awsJSONEvent, true},
			{`{"SomeOtherObject": null}`, false},
		}},
		{"IS TRUE", `{ $.ThisFlag IS TRUE }`, []matchCase{
			{awsJSONEvent, true},
			{`{"ThisFlag": "true"}`, false},
			{`{"ThisFlag": false}`, false},
		}},
		{"IS FALSE", `{ $.ThisFlag IS FALSE }`, []matchCase{
			{awsJSONEvent, false},
			{`{"ThisFlag": false}`, true},
		}},
		// Source: FilterAndPatternSyntax, "OR Pattern Matching" (JSON).
		{"or bar", `{$.foo = bar}`, []matchCase{{`{"foo": "bar"}`, true}, {`{"foo": "baz"}`, false}}},
		{"or baz", `{$.foo = baz }`, []matchCase{{`{"foo": "bar"}`, false}, {`{"foo": "baz"}`, true}}},
		{"or both", `{$.foo = bar || $.foo = baz }`, []matchCase{{`{"foo": "bar"}`, true}, {`{"foo": "baz"}`, true}, {`{"foo": "qux"}`, false}}},
		// Source: FilterAndPatternSyntax, "JSON Compound Conditions".
		{"compound 1", `{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }`, []matchCase{{awsCompoundEvent, true}}},
		{"compound 2", `{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }`, []matchCase{{awsCompoundEvent, false}}},
		{"compound 3", `{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }`, []matchCase{{awsCompoundEvent, true}}},
		{"compound 4", `{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }`, []matchCase{{awsCompoundEvent, false}}},
		{"nested subscripts", `{ $.coordinates[2][0] = 7 && $.coordinates[1][2] >= 6 }`, []matchCase{{awsCompoundEvent, true}}},
		// Source: FilterAndPatternSyntax, "JSON Special Considerations":
		// a selector naming an array or object matches neither = nor !=.
		{"array selector =", `{$.users = 1}`, []matchCase{{`{"users": [1, 2, 3]}`, false}, {`{"users": 1}`, true}}},
		{"array selector !=", `{$.users != 1}`, []matchCase{{`{"users": [1, 2, 3]}`, false}, {`{"users": 2}`, true}}},
		{"object selector *", `{$.user = *}`, []matchCase{{awsCompoundEvent, false}}},
		// Source: FilterAndPatternSyntax, "Numeric Comparisons".
		{"latency >=", `{ $.latency >= 500 }`, []matchCase{
			{`{"latency": 500}`, true}, {`{"latency": 499.9}`, false}, {`{"latency": 5e2}`, true},
		}},
		{"10e3", `{ $.numbers[0] < 10e3 }`, []matchCase{
			{`{"numbers": [9999]}`, true}, {`{"numbers": [10000]}`, false},
		}},
		{"10e-3", `{ $.numbers[0] < 10e-3 }`, []matchCase{
			{`{"numbers": [0.0099]}`, true}, {`{"numbers": [0.01]}`, false}, {`{"numbers": [-1]}`, true},
		}},
		{"averageRuntime", `{ $.processes[4].averageRuntime <= 55.5 }`, []matchCase{
			{`{"processes": [0,0,0,0,{"averageRuntime": 55.5}]}`, true},
			{`{"processes": [0,0,0,0,{"averageRuntime": 55.51}]}`, false},
			{`{"processes": [{"averageRuntime": 1}]}`, false},
		}},
		{"errorCode =", `{ $.errorCode = 400 }`, []matchCase{
			{`{"errorCode": 400}`, true}, {`{"errorCode": 400.0}`, true}, {`{"errorCode": "400"}`, true}, {`{"errorCode": 401}`, false},
		}},
		{"errorCode !=", `{ $.errorCode != 500 }`, []matchCase{
			{`{"errorCode": 400}`, true}, {`{"errorCode": 500}`, false}, {`{}`, false},
		}},
		{"latency +1000", `{ $.latency > +1000 }`, []matchCase{{`{"latency": 1001}`, true}, {`{"latency": 1000}`, false}}},
		// Source: FilterAndPatternSyntax, "Publishing Numerical Values":
		// { $.latency = * } selects events that have a latency.
		{"latency = *", `{ $.latency = * }`, []matchCase{
			{`{"latency": 12}`, true}, {`{"latency": "x"}`, true}, {`{"other": 1}`, false}, {`{"latency": null}`, false},
		}},
		// Source: FilterAndPatternSyntax, STRING: "*Event will match PutEvent
		// and GetEvent. Event* will match EventId and EventName. Ev*ent will
		// only match the actual string Ev*ent."
		{"*Event", `{ $.e = *Event }`, []matchCase{{`{"e":"PutEvent"}`, true}, {`{"e":"GetEvent"}`, true}, {`{"e":"EventId"}`, false}}},
		{"Event*", `{ $.e = Event* }`, []matchCase{{`{"e":"EventId"}`, true}, {`{"e":"EventName"}`, true}, {`{"e":"PutEvent"}`, false}}},
		{"Ev*ent", `{ $.e = Ev*ent }`, []matchCase{{`{"e":"Ev*ent"}`, true}, {`{"e":"Event"}`, false}, {`{"e":"Evxent"}`, false}}},
		{"quoted wildcard", `{ $.e = "*vent*" }`, []matchCase{{`{"e":"Events"}`, true}, {`{"e":"Evan"}`, false}}},
	})
}

func TestJSONSemantics(t *testing.T) {
	runPatternCases(t, []patternCase{
		{"not JSON", `{ $.a = * }`, []matchCase{
			{`a=1`, false},
			{``, false},
			{`{"a": 1`, false},
			{`{"a": 1}}`, false},
			{`{"a": 1} trailing`, false},
			{`[{"a": 1}]`, false}, // only objects are JSON log events
			{`"a"`, false},
			{`{"a": 1, "b": tru}`, false},        // invalid JSON elsewhere
			{`{"a": 1, "b": [1,]}`, false},       // trailing comma
			{`{"a": 1, "b": 01}`, false},         // leading zero
			{`{"a": 1, "b": "\x"}`, false},       // bad escape
			{"{\"a\": 1, \"b\": \"\t\"}", false}, // raw control character
			{`{'a': 1}`, false},
			{`{"a": 1, "b": "\u12G4"}`, false},
			{`{"a": 1, "b": "\u12"}`, false},
			{`{"a": 1, "b": "\`, false},
			{`{"a": 1, "b": 1.}`, false},
			{`{"a": 1, "b": -}`, false},
			{`{"a": 1, "b": 1e}`, false},
			{`{"a": 1, "b": 1e+}`, false},
			{`{"a": 1, "b": +1}`, false},
			{`{"a": 1, "b": "\uABcd\u00e9", "c": [-0.5e-3, 0, 1E9, true, false, null, {}, []]}`, true},
			{`{"a": 1 "b": 2}`, false},
			{`{"a" 1}`, false},
			{`{"a": 1, }`, false},
			{`{"a": 1, "b": [1 2]}`, false},
			{`{"a": 1, "b": nul}`, false},
			{"  {\"a\": 1}\n", true},
		}},
		{"string vs number text", `{ $.v = "1.50" }`, []matchCase{{`{"v": 1.50}`, true}, {`{"v": 1.5}`, false}, {`{"v": "1.50"}`, true}}},
		{"number vs non-numeric string", `{ $.v != 5 }`, []matchCase{{`{"v": "abc"}`, true}, {`{"v": "5"}`, false}, {`{"v": "5.0"}`, false}}},
		{"ordering vs non-numeric", `{ $.v > 5 }`, []matchCase{{`{"v": "abc"}`, false}, {`{"v": "6"}`, true}, {`{"v": true}`, false}, {`{"v": null}`, false}}},
		{"negative and exponent", `{ $.v < -1.5E+2 }`, []matchCase{{`{"v": -151}`, true}, {`{"v": -150}`, false}, {`{"v": -1.51e2}`, true}}},
		{"booleans are not strings", `{ $.v = true }`, []matchCase{{`{"v": true}`, false}, {`{"v": "true"}`, true}}},
		{"null is not a string", `{ $.v != "x" }`, []matchCase{{`{"v": null}`, false}, {`{"v": "y"}`, true}, {`{}`, false}}},
		{"escaped string value", `{ $.msg = "a\"b" }`, []matchCase{{`{"msg": "a\"b"}`, true}, {`{"msg": "a\u0022b"}`, true}, {`{"msg": "ab"}`, false}}},
		{"unicode escapes", `{ $.msg = "é😀" }`, []matchCase{{`{"msg": "\u00e9\ud83d\ude00"}`, true}, {`{"msg": "é😀"}`, true}, {`{"msg": "\u00e9"}`, false}}},
		{"escaped key", `{ $.ab = 1 }`, []matchCase{{`{"a\u0062": 1}`, true}, {`{"a\u0063": 1}`, false}}},
		{"repeated key: last wins", `{ $.a.b = 1 }`, []matchCase{{`{"a": {"b": 1}, "a": 2}`, false}, {`{"a": 2, "a": {"b": 1}}`, true}}},
		{"path through scalar", `{ $.a.b NOT EXISTS }`, []matchCase{{`{"a": "x"}`, true}, {`{"a": {"b": null}}`, false}, {`{"a": [1]}`, true}}},
		{"index out of range", `{ $.a[5] NOT EXISTS }`, []matchCase{{`{"a": [1]}`, true}, {`{"a": [0,1,2,3,4,5]}`, false}}},
		{"names with - and _", `{ $.x-y_z = 1 }`, []matchCase{{`{"x-y_z": 1}`, true}, {`{"x": 1}`, false}}},
		{"keywords any case", `{ $.a is null || $.b not exists }`, []matchCase{{`{"a": null, "b": 1}`, true}, {`{"a": 1, "b": 1}`, false}, {`{"a": 1}`, true}}},
		{"precedence", `{ $.a = 1 || $.b = 1 && $.c = 1 }`, []matchCase{
			{`{"a": 1}`, true}, {`{"b": 1}`, false}, {`{"b": 1, "c": 1}`, true},
		}},
		{"parentheses", `{ ($.a = 1 || $.b = 1) && $.c = 1 }`, []matchCase{
			{`{"a": 1}`, false}, {`{"a": 1, "c": 1}`, true}, {`{"b": 1, "c": 1}`, true},
		}},
		{"nested parentheses", `{(((($.a=1))))}`, []matchCase{{`{"a":1}`, true}}},
		{"no spaces", `{$.a>=1&&$.b!=x||$.c=y}`, []matchCase{{`{"a":1,"b":"z"}`, true}, {`{"a":1,"b":"x"}`, false}, {`{"c":"y"}`, true}}},
		{"regex value", `{ $.msg = %^Del[a-z]+$% }`, []matchCase{{`{"msg":"Delete"}`, true}, {`{"msg":"Deleted!"}`, false}, {`{"msg":"xDelete"}`, false}}},
		{"regex !=", `{ $.msg != %error% }`, []matchCase{{`{"msg":"ok"}`, true}, {`{"msg":"an error"}`, false}, {`{}`, false}}},
		{"regex on number", `{ $.code = %^4\d\d$% }`, []matchCase{{`{"code":404}`, true}, {`{"code":500}`, false}}},
		{"deep message", `{ $.a = 1 }`, []matchCase{
			{`{"a": 1, "b": ` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`, true},
			{`{"a": 1, "b": ` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`, false},
		}},
		{"many selectors", `{ $.a1=1 && $.a2=1 && $.a3=1 && $.a4=1 && $.a5=1 && $.a6=1 && $.a7=1 && $.a8=1 && $.a9=1 && $.b1=1 && $.b2=1 && $.b3=1 && $.b4=1 && $.b5=1 && $.b6=1 && $.b7=1 && $.b8=1 && $.b9 NOT EXISTS }`, []matchCase{
			{`{"a1":1,"a2":1,"a3":1,"a4":1,"a5":1,"a6":1,"a7":1,"a8":1,"a9":1,"b1":1,"b2":1,"b3":1,"b4":1,"b5":1,"b6":1,"b7":1,"b8":1}`, true},
			{`{"a1":1,"a2":1,"a3":1,"a4":1,"a5":1,"a6":1,"a7":1,"a8":1,"a9":1,"b1":1,"b2":1,"b3":1,"b4":1,"b5":1,"b6":1,"b7":1,"b8":2}`, false},
		}},
	})
}

func TestJSONString(t *testing.T) {
	tests := []struct{ pattern, want string }{
		{`{$.a=1}`, `{ $.a = 1 }`},
		{`{ $.a = b }`, `{ $.a = "b" }`},
		{`{ $.a = "b c" }`, `{ $.a = "b c" }`},
		{`{ $.a = 123.123.* }`, `{ $.a = "123.123.*" }`},
		{`{ $.a != +1e3 }`, `{ $.a != +1e3 }`},
		{`{ $.a = %x|y% }`, `{ $.a = %x|y% }`},
		{`{ $.a is null && $.b not exists }`, `{ $.a IS NULL && $.b NOT EXISTS }`},
		{`{ ($.a = 1) && ($.b = 2) }`, `{ $.a = 1 && $.b = 2 }`},
		{`{ ($.a = 1 || $.b = 2) && $.c = 3 }`, `{ ($.a = 1 || $.b = 2) && $.c = 3 }`},
		{`{ $.a = 1 || ($.b = 2 || $.c = 3) }`, `{ $.a = 1 || $.b = 2 || $.c = 3 }`},
		{`{ $.a[0][1].b = "q\"" }`, `{ $.a[0][1].b = "q\"" }`},
	}
	for _, tc := range tests {
		p := mustParse(t, tc.pattern)
		if got := p.String(); got != tc.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.pattern, got, tc.want)
		}
	}
}

func TestJSONSyntaxErrors(t *testing.T) {
	runSyntaxCases(t, []syntaxCase{
		{`{}`, 1, `empty JSON filter pattern`},
		{`{ $.a = 1`, 0, `not closed with '}'`},
		{`{ $.a = 1 } x`, 12, `unexpected "x" after the JSON pattern`},
		{`{ a = 1 }`, 2, `selector starting with '$.'`},
		{`{ $a = 1 }`, 3, `must start with '$.'`},
		{`{ $[0] = 1 }`, 3, `must follow a property name`},
		{`{ $. = 1 }`, 4, `expected a property name`},
		{`{ $.* = 1 }`, 4, `wildcard selectors`},
		{`{ $.a[*] = 1 }`, 6, `wildcard array subscripts`},
		{`{ $.a[-1] = 1 }`, 6, `non-negative array index`},
		{`{ $.a[1 = 1 }`, 5, `not closed with ']'`},
		{`{ $.a[12345678901] = 1 }`, 6, `too large`},
		{`{ $.a }`, 6, `expected an operator`},
		{`{ $.a == 1 }`, 7, `expected a value after =`},
		{`{ $.a = }`, 8, `expected a value after =`},
		{`{ $.a = @x }`, 8, `must be in double quotes`},
		{`{ $.a =! 1 }`, 7, `use != for inequality`},
		{`{ $.a < abc }`, 8, `operator < needs a number`},
		{`{ $.a >= "5" }`, 6, `operator >= needs a number`},
		{`{ $.a < %x% }`, 6, `cannot be used with a regular expression`},
		{`{ $.a = 1e999 }`, 8, `out of range`},
		{`{ $.a IS NOT NULL }`, 9, `IS NOT is not supported`},
		{`{ $.a IS EMPTY }`, 9, `expected NULL, TRUE or FALSE`},
		{`{ $.a NOT NULL }`, 10, `expected EXISTS after NOT`},
		{`{ $.a EXISTS }`, 6, `EXISTS is not supported`},
		{`{ $.a = 1 && }`, 13, `selector starting with '$.'`},
		{`{ $.a = 1 & $.b = 2 }`, 10, `expected &&, || or '}'`},
		{`{ ($.a = 1 }`, 2, `'(' at position 2 is not closed`},
		{`{ ($.a = 1 $.b }`, 11, `expected &&, || or ')'`},
		{`{ $.a = 1) }`, 9, `expected &&, || or '}'`},
		{`{ $.a = "x }`, 8, `unterminated quoted string`},
		{`{ $.a = %x(y)% }`, 10, `'(' and ')' are not supported`},
		{`{ $.a = %a% || $.b = %b% || $.c = %c% }`, 34, `at most 2 regular expressions`},
		{`{ ` + strings.Repeat("(", 101) + `$.a=1` + strings.Repeat(")", 101) + ` }`, 102, `nested more than 100 deep`},
	})
}
