package localserver

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cwlogs/cwlogs/localserver/insights"
)

// logFieldsOf renders a GetLogFields answer compactly: "name:type" for each field, a
// struct's fields in braces, an array's element after "[]".
func logFieldsOf(t *testing.T, r *response) string {
	t.Helper()
	var out struct {
		LogFields []logFieldJSON `json:"logFields"`
	}
	if err := json.Unmarshal(r.raw, &out); err != nil {
		t.Fatalf("%v: %s", err, r.raw)
	}
	return renderLogFields(out.LogFields)
}

type logFieldJSON struct {
	Name string        `json:"logFieldName"`
	Type fieldTypeJSON `json:"logFieldType"`
}

type fieldTypeJSON struct {
	Type    string         `json:"type"`
	Element *fieldTypeJSON `json:"element"`
	Fields  []logFieldJSON `json:"fields"`
}

func renderLogFields(fs []logFieldJSON) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.Name + ":" + renderFieldType(&f.Type)
	}
	return strings.Join(parts, ",")
}

func renderFieldType(t *fieldTypeJSON) string {
	s := t.Type
	if t.Element != nil {
		s += "[]" + renderFieldType(t.Element)
	}
	if t.Fields != nil {
		s += "{" + renderLogFields(t.Fields) + "}"
	}
	return s
}

const sysLogFields = "@ingestionTime:timestamp,@log:string,@logStream:string,@message:string,@timestamp:timestamp"

func TestGetLogFields(t *testing.T) {
	s := newTestServer(t, Config{})
	now := nowMs()
	for _, g := range []m{
		{"logGroupName": "api-1", "tags": dsTags("myapp", "access")},
		{"logGroupName": "api-2", "tags": dsTags("myapp", "access")},
		{"logGroupName": "audit", "tags": dsTags("myapp", "audit")},
		{"logGroupName": "quiet", "tags": dsTags("quiet", "t")},
		{"logGroupName": "untyped", "tags": dsTags("untyped", "")},
		{"logGroupName": "plain"},
	} {
		mustOK(t, s, "CreateLogGroup", g)
		mustOK(t, s, "CreateLogStream", m{"logGroupName": g["logGroupName"], "logStreamName": "s"})
	}
	putMsgs := func(group string, msgs ...string) {
		evs := make([]m, len(msgs))
		for i, msg := range msgs {
			evs[i] = m{"timestamp": now - int64(len(msgs)-i)*1000, "message": msg}
		}
		mustOK(t, s, "PutLogEvents", m{"logGroupName": group, "logStreamName": "s", "logEvents": evs})
	}
	// Old events count too: there is no window, only retention.
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "api-1", "logStreamName": "s", "logEvents": []m{{"timestamp": now - 10*86_400_000, "message": `{"old":true}`}}})
	putMsgs("api-1",
		`{"status":200,"latency":1.5,"path":"/a","req":{"id":"x","hdr":{"ua":"curl"}},"tags":["a","b"],"@ts":"t","nothing":null,"empty":{},"none":[]}`,
		`plain text`,
		`{"status":"OK","req":{"size":10}}`)
	putMsgs("api-2", `{"ids":[1,2,3],"objs":[{"a":1},{"b":"x"}],"exp":1e3}`)
	putMsgs("audit", `{"who":"me"}`)
	putMsgs("plain", `{"notmine":1}`)
	putMsgs("untyped", `{"u":1}`)

	tests := []struct {
		name, dsName, dsType, want string
	}{
		{"two groups merged", "myapp", "access", "@@ts:string," + sysLogFields +
			",exp:double,ids:array[]long,latency:double,objs:array[]struct{a:long,b:string},old:boolean,path:string," +
			"req:struct{hdr:struct{ua:string},id:string,size:long},status:string,tags:array[]string"},
		{"other type", "myapp", "audit", sysLogFields + ",who:string"},
		{"no events", "quiet", "t", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := mustOK(t, s, "GetLogFields", m{"dataSourceName": tc.dsName, "dataSourceType": tc.dsType})
			if got := logFieldsOf(t, r); got != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
	// The answer's shape: members present only when they apply.
	r := mustOK(t, s, "GetLogFields", m{"dataSourceName": "myapp", "dataSourceType": "audit"})
	if !strings.Contains(string(r.raw), `{"logFieldName":"who","logFieldType":{"type":"string"}}`) {
		t.Errorf("answer %s", r.raw)
	}
	if r := mustOK(t, s, "GetLogFields", m{"dataSourceName": "quiet", "dataSourceType": "t"}); string(r.raw) != `{"logFields":[]}` {
		t.Errorf("no events: %s", r.raw)
	}

	// No group of that data source and type.
	for _, in := range []m{
		{"dataSourceName": "myapp", "dataSourceType": "nope"},
		{"dataSourceName": "nope", "dataSourceType": "access"},
		{"dataSourceName": "untyped", "dataSourceType": ""}, // its groups have no type
		{"dataSourceName": "MyApp", "dataSourceType": "access"},
	} {
		r := call(t, s, "GetLogFields", in)
		if r.status != 400 || r.errType() != codeResourceNotFound || r.message() != msgDataSourceNotFound {
			t.Errorf("%v: %d %s %q", in, r.status, r.errType(), r.message())
		}
	}
}

// Fields are read as transformed (pipelines' "new fields or changed field types").
func TestGetLogFieldsTransformed(t *testing.T) {
	s := newTestServer(t, Config{})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "app", "tags": dsTags("myapp", "json")})
	mustOK(t, s, "CreateLogStream", m{"logGroupName": "app", "logStreamName": "s"})
	cfg := `[{"parseJSON":{}},{"copyValue":{"entries":[{"source":"level","target":"severity"}]}}]`
	mustOK(t, s, "PutTransformer", m{"logGroupIdentifier": "app", "transformerConfig": rawJSON(cfg)})
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "app", "logStreamName": "s", "logEvents": []m{{"timestamp": nowMs(), "message": `{"level":"info"}`}}})
	r := mustOK(t, s, "GetLogFields", m{"dataSourceName": "myapp", "dataSourceType": "json"})
	if got, want := logFieldsOf(t, r), sysLogFields+",level:string,severity:string"; got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestGetLogFieldsValidation(t *testing.T) {
	s := newTestServer(t, Config{})
	tests := []struct {
		name    string
		in      any
		wantMsg string
	}{
		{"no name", m{"dataSourceType": "t"}, "1 validation error detected: Value null at 'dataSourceName' failed to satisfy constraint: Member must not be null"},
		{"no type", m{"dataSourceName": "n"}, "1 validation error detected: Value null at 'dataSourceType' failed to satisfy constraint: Member must not be null"},
		{"neither", m{}, "2 validation errors detected: Value null at 'dataSourceName' failed to satisfy constraint: Member must not be null; Value null at 'dataSourceType' failed to satisfy constraint: Member must not be null"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, s, "GetLogFields", tc.in)
			if r.status != 400 || r.errType() != codeInvalidParameter || r.message() != tc.wantMsg {
				t.Fatalf("got %d %s %q, want %q", r.status, r.errType(), r.message(), tc.wantMsg)
			}
		})
	}
	if r := call(t, s, "GetLogFields", `{"dataSourceName":1,"dataSourceType":"t"}`); r.errType() != codeSerialization {
		t.Errorf("wrong shape: %d %s %q", r.status, r.errType(), r.message())
	}
}

// FuzzMessageFields: any message gives fields whose LogFieldsList is valid JSON, each
// field with a name of 1 to 256 characters and a type, and a message that is not a JSON object gives none.
func FuzzMessageFields(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `{"a":{"b":[1,"x",{"c":null}]},"@t":true}`, `[1]`, `{"a":1} x`, `{"a":1}}`, `{"a":1} {}`, `plain`, `{"a":[[],{}]}`, `{"n":-1.5e-3}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		fields := map[string]*logFieldType{}
		messageFields(msg, fields)
		var obj map[string]any
		if json.Unmarshal([]byte(strings.TrimSpace(msg)), &obj) != nil && len(fields) > 0 {
			t.Fatalf("%q is not a JSON object but gives %d fields", msg, len(fields))
		}
		var out []logFieldJSON
		if err := json.Unmarshal(appendLogFields(nil, fields), &out); err != nil {
			t.Fatalf("%q: %v", msg, err)
		}
		var check func(fs []logFieldJSON)
		check = func(fs []logFieldJSON) {
			for _, lf := range fs {
				if n := utf8.RuneCountInString(lf.Name); n < 1 || n > maxLogFieldName {
					t.Fatalf("%q: field name %q of %d characters", msg, lf.Name, n)
				}
				for ft := &lf.Type; ft != nil; ft = ft.Element {
					if ft.Type == "" {
						t.Fatalf("%q: field %q without a type", msg, lf.Name)
					}
					check(ft.Fields)
				}
			}
		}
		check(out)
	})
}

// The newest maxFieldEvents events of the whole data source are read, not that many of
// each of its groups: two groups of 6,000 events, their oldest event each with a field
// of its own, leave both oldest events out of the newest 10,000.
func TestGetLogFieldsTotalLimit(t *testing.T) {
	s := newTestServer(t, Config{})
	const perGroup = 6_000
	if 2*perGroup <= maxFieldEvents || perGroup > maxFieldEvents {
		t.Fatalf("perGroup %d does not straddle maxFieldEvents %d", perGroup, maxFieldEvents)
	}
	now := nowMs()
	for _, g := range []string{"a", "b"} {
		mustOK(t, s, "CreateLogGroup", m{"logGroupName": g, "tags": dsTags("busy", "t")})
		mustOK(t, s, "CreateLogStream", m{"logGroupName": g, "logStreamName": "s"})
		evs := make([]m, perGroup)
		for i := range evs {
			msg := `{"recent":1}`
			if i == 0 {
				msg = `{"oldest_` + g + `":1}`
			}
			evs[i] = m{"timestamp": now - int64(perGroup-i), "message": msg}
		}
		mustOK(t, s, "PutLogEvents", m{"logGroupName": g, "logStreamName": "s", "logEvents": evs})
	}
	r := mustOK(t, s, "GetLogFields", m{"dataSourceName": "busy", "dataSourceType": "t"})
	if got, want := logFieldsOf(t, r), sysLogFields+",recent:long"; got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// A LogFieldsListItem's logFieldName is 1 to 256 characters: JSON keys outside that give
// no field, at any depth.
func TestMessageFieldsNameLength(t *testing.T) {
	long := strings.Repeat("k", 256)
	tests := []struct {
		name, msg, want string
	}{
		{"empty key", `{"":1,"a":1}`, "a:long"},
		{"256 characters", `{"` + long + `":1}`, long + ":long"},
		{"257 characters", `{"` + long + `x":1,"a":1}`, "a:long"},
		{"nested", `{"o":{"":1,"` + long + `x":2,"b":true}}`, "o:struct{b:boolean}"},
		{"nested only bad names", `{"o":{"":1},"a":[{"":2}]}`, ""},
		{"@ key at the limit", `{"@` + long[1:] + `":1}`, ""}, // @@… is 257
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fields := map[string]*logFieldType{}
			messageFields(tc.msg, fields)
			var out struct {
				LogFields []logFieldJSON `json:"logFields"`
			}
			b := append(appendLogFields([]byte(`{"logFields":`), fields), '}')
			if err := json.Unmarshal(b, &out); err != nil {
				t.Fatal(err)
			}
			if got := renderLogFields(out.LogFields); got != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// GetLogFields lists the fields queries see (insights.FlattenJSON): a message's first
// insights.MaxJSONFields fields, nested ones counted, and none of a message nested
// deeper than queries read.
func TestMessageFieldsAsQueriesSee(t *testing.T) {
	var keys, firstFields []string
	for i := insights.MaxJSONFields + 100; i > 0; i-- { // in the message, the last key first
		k := fmt.Sprintf("k%04d", i)
		keys = append(keys, `"`+k+`":1`)
		if len(keys) <= insights.MaxJSONFields {
			firstFields = append(firstFields, k+":long")
		}
	}
	slices.Sort(firstFields)
	many := "{" + strings.Join(keys, ",") + "}"
	deep := strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100)
	tests := []struct {
		name, msg, want string
	}{
		{"many keys", many, strings.Join(firstFields, ",")},
		{"many nested keys", `{"o":` + many + `,"z":1}`, "o:struct{" + strings.Join(firstFields, ",") + "}"},
		{"array elements counted", `{"a":[` + strings.Repeat(`1,`, insights.MaxJSONFields) + `"x"],"z":1}`, "a:array[]long"},
		{"too deep", `{"b":true,"d":` + deep + `}`, ""},
		{"shallow enough", `{"b":true,"d":{"a":{"a":1}}}`, "b:boolean,d:struct{a:struct{a:long}}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fields := map[string]*logFieldType{}
			messageFields(tc.msg, fields)
			var out []logFieldJSON
			if err := json.Unmarshal(appendLogFields(nil, fields), &out); err != nil {
				t.Fatal(err)
			}
			if got := renderLogFields(out); got != tc.want {
				t.Fatalf("got  %.300s\nwant %.300s", got, tc.want)
			}
		})
	}
}

// BenchmarkMessageFields measures the fields of a typical JSON event, as GetLogFields reads
// up to maxFieldEvents of them.
func BenchmarkMessageFields(b *testing.B) {
	msg := `{"time":"2024-05-01T12:00:00Z","level":"info","msg":"request handled","user":"alice",` +
		`"latency_ms":123,"req":{"method":"GET","path":"/api/items","headers":{"ua":"curl/8.0"}},"tags":["a","b"],"ok":true}`
	for b.Loop() {
		messageFields(msg, map[string]*logFieldType{})
	}
}
