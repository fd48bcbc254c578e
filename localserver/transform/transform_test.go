package transform

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

var testMeta = Meta{LogGroupName: "app-logs", LogStreamName: "web-1", AccountID: "123456789012", Region: "eu-west-1"}

func TestApply(t *testing.T) {
	tests := []struct {
		name, config, msg, want string
	}{
		{"parseJSON at the root", `[{"parseJSON":{}}]`, `{"level":"info","n":3}`, `{"level":"info","n":3}`},
		{"parseJSON to a destination", `[{"parseJSON":{"destination":"body"}}]`, `{"a":{"b":1.50}}`, `{"body":{"a":{"b":1.50}}}`},
		{"parseJSON of a nested field", `[{"parseJSON":{}},{"parseJSON":{"source":"inner","destination":"parsed"}}]`,
			`{"inner":"{\"x\":true}"}`, `{"inner":"{\"x\":true}","parsed":{"x":true}}`},
		{"parseKeyValue defaults", `[{"parseKeyValue":{}}]`, `user=ann&role=admin&flag`, `{"user":"ann","role":"admin"}`},
		{"parseKeyValue options", `[{"parseKeyValue":{"fieldDelimiter":"; ","keyValueDelimiter":":","keyPrefix":"kv_","nonMatchValue":"none","destination":"out"}}]`,
			`a:1; b:x:y; lone`, `{"out":{"kv_a":"1","kv_b":"x:y","kv_lone":"none"}}`},
		{"parseKeyValue keeps the first duplicate", `[{"parseKeyValue":{}}]`, `a=1&a=2`, `{"a":"1"}`},
		{"parseKeyValue overwrites duplicates", `[{"parseKeyValue":{"overwriteIfExists":true}}]`, `a=1&a=2`, `{"a":"2"}`},
		{"csv default columns", `[{"csv":{}}]`, `alpha,"b, c",,"say ""hi"""`, `{"column_1":"alpha","column_2":"b, c","column_3":"","column_4":"say \"hi\""}`},
		{"csv named columns, tab, quote", `[{"csv":{"delimiter":"\\t","quoteCharacter":"'","columns":["host","code"]}}]`,
			"web\t'2 00'\textra", `{"host":"web","code":"2 00","column_3":"extra"}`},
		{"grok", `[{"grok":{"match":"%{IP:client} %{WORD:method} %{URIPATHPARAM:req.path} %{NUMBER:req.ms}"}}]`,
			`10.1.2.3 GET /index.html?a=1 15.5`, `{"client":"10.1.2.3","method":"GET","req":{"path":"/index.html?a=1","ms":"15.5"}}`},
		{"grok apache", `[{"grok":{"match":"%{COMMONAPACHELOG}"}}]`,
			`127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326`,
			`{"clientip":"127.0.0.1","ident":"-","auth":"frank","timestamp":"10/Oct/2000:13:55:36 -0700","verb":"GET","request":"/a.gif","httpversion":"1.0","response":"200","bytes":"2326"}`},
		{"addKeys", `[{"parseJSON":{}},{"addKeys":{"entries":[{"key":"env","value":"prod"},{"key":"a","value":"new"},{"key":"b","value":"new","overwriteIfExists":true},{"key":"x.y","value":"deep"}]}}]`,
			`{"a":"old","b":"old"}`, `{"a":"old","b":"new","env":"prod","x":{"y":"deep"}}`},
		{"deleteKeys", `[{"parseJSON":{}},{"deleteKeys":{"withKeys":["a","c.d","missing"]}}]`,
			`{"a":1,"b":2,"c":{"d":3,"e":4}}`, `{"b":2,"c":{"e":4}}`},
		{"copyValue with metadata", `[{"parseJSON":{}},{"copyValue":{"entries":[{"source":"a","target":"b.c"},{"source":"@logGroupName","target":"group"},{"source":"@logGroupStream","target":"stream"},{"source":"@regionName","target":"region"},{"source":"a","target":"keep"}]}}]`,
			`{"a":{"v":1},"keep":0}`, `{"a":{"v":1},"keep":0,"b":{"c":{"v":1}},"group":"app-logs","stream":"web-1","region":"eu-west-1"}`},
		{"moveKeys", `[{"parseJSON":{}},{"moveKeys":{"entries":[{"source":"a","target":"x.a"},{"source":"b","target":"c"},{"source":"d","target":"c2","overwriteIfExists":true}]}}]`,
			`{"a":1,"b":2,"c":3,"d":4,"c2":5}`, `{"b":2,"c":3,"c2":4,"x":{"a":1}}`},
		{"renameKeys", `[{"parseJSON":{}},{"renameKeys":{"entries":[{"key":"a","renameTo":"alpha"},{"key":"n.b","renameTo":"beta"},{"key":"c","renameTo":"d"}]}}]`,
			`{"a":1,"n":{"b":2},"c":3,"d":4}`, `{"alpha":1,"n":{"beta":2},"c":3,"d":4}`},
		{"listToMap", `[{"parseJSON":{}},{"listToMap":{"source":"items","key":"k","valueKey":"v"}}]`,
			`{"items":[{"k":"a","v":1},{"k":"b","v":2},{"k":"a","v":3},{"v":9},"x"]}`,
			`{"items":[{"k":"a","v":1},{"k":"b","v":2},{"k":"a","v":3},{"v":9},"x"],"a":[1,3],"b":[2]}`},
		{"listToMap flatten last to target", `[{"parseJSON":{}},{"listToMap":{"source":"items","key":"k","valueKey":"v","target":"m","flatten":true,"flattenedElement":"last"}}]`,
			`{"items":[{"k":"a","v":1},{"k":"a","v":3}]}`, `{"items":[{"k":"a","v":1},{"k":"a","v":3}],"m":{"a":3}}`},
		{"listToMap flatten first, whole objects", `[{"parseJSON":{}},{"listToMap":{"source":"items","key":"k","flatten":true,"flattenedElement":"first"}}]`,
			`{"items":[{"k":"a","v":1},{"k":"a","v":3}]}`, `{"items":[{"k":"a","v":1},{"k":"a","v":3}],"a":{"k":"a","v":1}}`},
		{"case and trim", `[{"parseJSON":{}},{"lowerCaseString":{"withKeys":["a"]}},{"upperCaseString":{"withKeys":["b","n"]}},{"trimString":{"withKeys":["c"]}}]`,
			`{"a":"MiXed","b":"MiXed","c":"  pad \t","n":5}`, `{"a":"mixed","b":"MIXED","c":"pad","n":5}`},
		{"splitString", `[{"parseJSON":{}},{"splitString":{"entries":[{"source":"tags","delimiter":","}]}}]`,
			`{"tags":"a,b,,c"}`, `{"tags":["a","b","","c"]}`},
		{"substituteString", `[{"parseJSON":{}},{"substituteString":{"entries":[{"source":"p","from":"([0-9]+)","to":"<$1>"}]}}]`,
			`{"p":"id 12 and 345"}`, `{"p":"id <12> and <345>"}`},
		{"substituteString, Java replacement", `[{"parseJSON":{}},{"substituteString":{"entries":[{"source":"p","from":"(?<w>[0-9]+)","to":"$1ms|\\$|${w}|$12|\\x"}]}}]`,
			`{"p":"id 12"}`, `{"p":"id 12ms|$|12|122|x"}`},
		{"keys three levels deep", `[{"parseJSON":{"destination":"a.b.c"}},{"addKeys":{"entries":[{"key":"x.y.z","value":"v"}]}},{"moveKeys":{"entries":[{"source":"a.b.c","target":"m"}]}}]`,
			`{"k":1}`, `{"a":{"b":{}},"x":{"y":{"z":"v"}},"m":{"k":1}}`},
		{"typeConverter", `[{"parseJSON":{}},{"typeConverter":{"entries":[{"key":"i","type":"integer"},{"key":"d","type":"double"},{"key":"b","type":"boolean"},{"key":"s","type":"string"},{"key":"none","type":"integer"}]}}]`,
			`{"i":" 42 ","d":"3","b":"TRUE","s":12.5}`, `{"i":42,"d":3.0,"b":true,"s":"12.5"}`},
		{"dateTimeConverter defaults", `[{"parseJSON":{}},{"dateTimeConverter":{"source":"t","target":"iso","matchPatterns":["MMM dd yyyy HH:mm:ss"]}}]`,
			`{"t":"Nov 05 2026 07:08:09"}`, `{"t":"Nov 05 2026 07:08:09","iso":"2026-11-05T07:08:09.000Z"}`},
		{"dateTimeConverter zones and second pattern", `[{"parseJSON":{}},{"dateTimeConverter":{"source":"t","target":"t","matchPatterns":["yyyy-MM-dd'T'HH:mm:ss.SSSXXX","dd/MM/yyyy HH:mm"],"sourceTimezone":"+02:00","targetTimezone":"UTC","targetFormat":"yyyy-MM-dd HH:mm:ss,SSS xxx","locale":"en_US"}}]`,
			`{"t":"05/11/2026 07:08"}`, `{"t":"2026-11-05 05:08:00,000 +00:00"}`},
		{"dateTimeConverter offset in the text", `[{"parseJSON":{}},{"dateTimeConverter":{"source":"t","target":"u","matchPatterns":["yyyy-MM-dd'T'HH:mm:ss.SSSXXX"],"targetTimezone":"-05:00","targetFormat":"EEE, d MMMM yy h:mm a Z"}}]`,
			`{"t":"2026-11-05T07:08:09.123+01:00"}`, `{"t":"2026-11-05T07:08:09.123+01:00","u":"Thu, 5 November 26 1:08 AM -0500"}`},
		{"dateTimeConverter zone names", `[{"parseJSON":{}},{"dateTimeConverter":{"source":"t","target":"u","matchPatterns":["MMM dd yyyy HH:mm:ss z"]}},{"dateTimeConverter":{"source":"o","target":"o","matchPatterns":["yyyy-MM-dd HH:mm"],"sourceTimezone":"+00:00"}}]`,
			`{"t":"Jan 02 2024 10:00:00 PST","o":"2024-01-02 10:00"}`, `{"t":"Jan 02 2024 10:00:00 PST","o":"2024-01-02T10:00:00.000Z","u":"2024-01-02T18:00:00.000Z"}`},
		{"dateTimeConverter zone name of the source zone", `[{"parseJSON":{}},{"dateTimeConverter":{"source":"t","target":"t","matchPatterns":["MMM dd yyyy HH:mm:ss z"],"sourceTimezone":"Europe/London"}}]`,
			`{"t":"Jul 02 2024 10:00:00 BST"}`, `{"t":"2024-07-02T09:00:00.000Z"}`},
		{"html is not escaped", `[{"parseJSON":{}}]`, `{"a":"<b>&</b>","c":"\u0001"}`, `{"a":"<b>&</b>","c":"\u0001"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { checkApply(t, tc.config, tc.msg, tc.want) })
	}
}

// checkApply parses config, applies it to msg and checks that the result is want and valid
// JSON.
func checkApply(t *testing.T, config, msg, want string) {
	t.Helper()
	c, err := Parse([]byte(config))
	if err != nil {
		t.Fatalf("Parse(%s): %v", config, err)
	}
	got, err := c.Apply(msg, testMeta)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if got != want {
		t.Errorf("Apply(%q)\n got %s\nwant %s", msg, got, want)
	}
	if !json.Valid([]byte(got)) {
		t.Errorf("not valid JSON: %s", got)
	}
}

func TestApplyErrors(t *testing.T) {
	tests := []struct {
		name, config, msg, want string
	}{
		{"not JSON", `[{"parseJSON":{}}]`, `plain text`, "processor 0 (parseJSON): the source is not a JSON object"},
		{"JSON array", `[{"parseJSON":{}}]`, `[1,2]`, "processor 0 (parseJSON): the source is not a JSON object"},
		{"trailing text", `[{"parseJSON":{}}]`, `{"a":1} x`, "processor 0 (parseJSON): the source is not a JSON object"},
		{"grok no match", `[{"grok":{"match":"%{IPV4:ip}"}}]`, `no address`, "processor 0 (grok): the source does not match the grok expression"},
		{"csv unterminated", `[{"csv":{}}]`, `"open,b`, "processor 0 (csv): unterminated quoted field"},
		{"bad integer", `[{"parseJSON":{}},{"typeConverter":{"entries":[{"key":"i","type":"integer"}]}}]`, `{"i":"4x"}`, `processor 1 (typeConverter): field i: "4x" is not an integer`},
		{"dateTime unknown zone name", `[{"parseJSON":{}},{"dateTimeConverter":{"source":"t","target":"u","matchPatterns":["yyyy-MM-dd HH:mm z"]}}]`, `{"t":"2024-01-02 10:00 XYZ"}`, `processor 1 (dateTimeConverter): the time zone name "XYZ" is not one this server knows`},
		{"dateTime no match", `[{"parseJSON":{}},{"dateTimeConverter":{"source":"t","target":"u","matchPatterns":["yyyy-MM-dd"]}}]`, `{"t":"yesterday"}`, `processor 1 (dateTimeConverter): "yesterday" matches none of matchPatterns`},
		{"201 fields", `[{"parseKeyValue":{}}]`, manyFields(201), "processor 0 (parseKeyValue): the transformed event has more than 200 fields"},
		{"201 nested fields", `[{"parseJSON":{}}]`, `{"o":{"a":1},` + strings.TrimPrefix(jsonFields(199), "{"), "processor 0 (parseJSON): the transformed event has more than 200 fields"},
		{"listToMap of a string", `[{"parseJSON":{}},{"listToMap":{"source":"l","key":"k"}}]`, `{"l":"x"}`, "processor 1 (listToMap): source field l is not a list"},
		{"nested parse source missing", `[{"parseJSON":{}},{"parseJSON":{"source":"nope"}}]`, `{}`, "processor 1 (parseJSON): source field nope not found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := applyError(t, tc.config, tc.msg); err.Error() != tc.want {
				t.Errorf("error %q, want %q", err, tc.want)
			}
		})
	}
}

// applyError parses config, applies it to msg and returns the error, which must be an
// *ApplyError.
func applyError(t *testing.T, config, msg string) error {
	t.Helper()
	c, err := Parse([]byte(config))
	if err != nil {
		t.Fatalf("Parse(%s): %v", config, err)
	}
	_, err = c.Apply(msg, testMeta)
	var ae *ApplyError
	if !errors.As(err, &ae) {
		t.Fatalf("Apply: %v, want an *ApplyError", err)
	}
	return err
}

// manyFields is a key=value message of n distinct keys.
func manyFields(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "k%d=v&", i)
	}
	return b.String()
}

// jsonFields is a JSON object of n distinct keys.
func jsonFields(n int) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"k%d":%d`, i, i)
	}
	return b.String() + "}"
}

func TestFieldLimit(t *testing.T) {
	c, err := Parse([]byte(`[{"parseJSON":{}}]`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Apply(jsonFields(200), Meta{}); err != nil {
		t.Errorf("200 fields: %v", err)
	}
	if _, err := c.Apply(jsonFields(201), Meta{}); err == nil {
		t.Error("201 fields accepted")
	}
}

func TestParseErrors(t *testing.T) {
	many := "[" + strings.Repeat(`{"parseJSON":{}},`, 5) + `{"parseJSON":{}}]`
	tooMany := "[" + `{"parseJSON":{}}` + strings.Repeat(`,{"trimString":{"withKeys":["a"]}}`, 20) + "]"
	tests := []struct {
		name, config, want string
	}{
		{"not an array", `{}`, "transformerConfig: must be a JSON array of processors"},
		{"empty", `[]`, `transformerConfig: value "0": must hold between 1 and 20 processors`},
		{"too many", tooMany, `transformerConfig: value "21": must hold between 1 and 20 processors`},
		{"two members", `[{"parseJSON":{},"csv":{}}]`, "transformerConfig[0]: must name exactly one processor, not csv and parseJSON"},
		{"no member", `[{}]`, "transformerConfig[0]: must name exactly one processor"},
		{"unknown", `[{"parseXML":{}}]`, `transformerConfig[0]: value "parseXML": unknown processor; valid ones are `},
		{"first not a parser", `[{"addKeys":{"entries":[{"key":"a","value":"b"}]}}]`, `transformerConfig[0]: value "addKeys": the first processor of a transformer must be a parser`},
		{"six parsers", many, `transformerConfig[5]: value "parseJSON": a transformer can include at most 5 parser-type processors`},
		{"two grok", `[{"grok":{"match":"%{WORD:a}"}},{"grok":{"match":"%{WORD:b}"}}]`, `transformerConfig[1]: value "grok": a transformer can include only one grok processor`},
		{"two addKeys", `[{"parseJSON":{}},{"addKeys":{"entries":[{"key":"a","value":"b"}]}},{"addKeys":{"entries":[{"key":"a","value":"b"}]}}]`, `transformerConfig[2]: value "addKeys": a transformer can include only one addKeys processor`},
		{"two copyValue", `[{"parseJSON":{}},{"copyValue":{"entries":[{"source":"a","target":"b"}]}},{"copyValue":{"entries":[{"source":"a","target":"b"}]}}]`, `transformerConfig[2]: value "copyValue": a transformer can include only one copyValue processor`},
		{"unsupported OCSF later", `[{"parseJSON":{}},{"parseToOCSF":{"eventSource":"VPCFlow","ocsfVersion":"V1.1"}}]`, "transformerConfig[1]: the parseToOCSF processor is not supported by this server"},
		{"dateTime no patterns", `[{"parseJSON":{}},{"dateTimeConverter":{"source":"a","target":"b"}}]`, "transformerConfig[1].dateTimeConverter.matchPatterns: is required"},
		{"dateTime six patterns", `[{"parseJSON":{}},{"dateTimeConverter":{"source":"a","target":"b","matchPatterns":["y","y","y","y","y","y"]}}]`, "transformerConfig[1].dateTimeConverter.matchPatterns: must hold between 1 and 5 members, not 6"},
		{"dateTime bad letter", `[{"parseJSON":{}},{"dateTimeConverter":{"source":"a","target":"b","matchPatterns":["yyyy-ww"]}}]`, `transformerConfig[1].dateTimeConverter.matchPatterns[0]: value "yyyy-ww": uses the pattern letter "w", which this server does not support`},
		{"dateTime digit literal", `[{"parseJSON":{}},{"dateTimeConverter":{"source":"a","target":"b","matchPatterns":["yyyy'1'"]}}]`, `transformerConfig[1].dateTimeConverter.matchPatterns[0]: value "yyyy'1'": the literal text "1" is not supported by this server`},
		{"dateTime bare fraction", `[{"parseJSON":{}},{"dateTimeConverter":{"source":"a","target":"b","matchPatterns":["ssSSS"]}}]`, `transformerConfig[1].dateTimeConverter.matchPatterns[0]: value "ssSSS": has a fraction (S) that does not follow '.' or ','`},
		{"dateTime bad zone", `[{"parseJSON":{}},{"dateTimeConverter":{"source":"a","target":"b","matchPatterns":["yyyy"],"sourceTimezone":"Mars/Olympus"}}]`, `transformerConfig[1].dateTimeConverter.sourceTimezone: value "Mars/Olympus": is not a time zone this server knows`},
		{"dateTime bad locale", `[{"parseJSON":{}},{"dateTimeConverter":{"source":"a","target":"b","matchPatterns":["yyyy"],"locale":"fr_FR"}}]`, `transformerConfig[1].dateTimeConverter.locale: value "fr_FR": is not supported by this server`},
		{"dateTime long format", `[{"parseJSON":{}},{"dateTimeConverter":{"source":"a","target":"b","matchPatterns":["yyyy"],"targetFormat":"` + strings.Repeat("y", 65) + `"}}]`, `transformerConfig[1].dateTimeConverter.targetFormat: value "` + strings.Repeat("y", 65) + `": must be at most 64 characters long`},
		{"unsupported OCSF", `[{"parseToOCSF":{"eventSource":"VPCFlow","ocsfVersion":"V1.1"}}]`, "transformerConfig[0]: the parseToOCSF processor is not supported by this server"},
		{"first parseJSON not of @message", `[{"parseJSON":{"source":"body"}}]`, `transformerConfig[0].parseJSON.source: value "body": must be @message when parseJSON is the first processor`},
		{"unknown member", `[{"parseJSON":{"src":"a"}}]`, `transformerConfig[0].parseJSON: malformed: unknown field "src"`},
		{"long source", `[{"csv":{}},{"parseJSON":{"source":"` + strings.Repeat("s", 129) + `"}}]`, `transformerConfig[1].parseJSON.source: value "` + strings.Repeat("s", 129) + `": must be at most 128 characters long`},
		{"empty destination", `[{"parseJSON":{"destination":""}}]`, `transformerConfig[0].parseJSON.destination: must be at least 1 characters long`},
		{"addKeys no entries", `[{"parseJSON":{}},{"addKeys":{}}]`, "transformerConfig[1].addKeys.entries: is required"},
		{"addKeys six entries", `[{"parseJSON":{}},{"addKeys":{"entries":[` + strings.TrimSuffix(strings.Repeat(`{"key":"a","value":"b"},`, 6), ",") + `]}}]`, "transformerConfig[1].addKeys.entries: must hold between 1 and 5 members, not 6"},
		{"addKeys value too long", `[{"parseJSON":{}},{"addKeys":{"entries":[{"key":"a","value":"` + strings.Repeat("v", 257) + `"}]}}]`, `transformerConfig[1].addKeys.entries[0].value: value "` + strings.Repeat("v", 257) + `": must be at most 256 characters long`},
		{"addKeys missing value", `[{"parseJSON":{}},{"addKeys":{"entries":[{"key":"a"}]}}]`, "transformerConfig[1].addKeys.entries[0].value: is required"},
		{"addKeys foreign member", `[{"parseJSON":{}},{"addKeys":{"entries":[{"key":"a","value":"b","target":"c"}]}}]`, `transformerConfig[1].addKeys.entries[0]: malformed: unknown field "target"`},
		{"renameTo path", `[{"parseJSON":{}},{"renameKeys":{"entries":[{"key":"a","renameTo":"b.c"}]}}]`, `transformerConfig[1].renameKeys.entries[0].renameTo: value "b.c": is a key name, not a path`},
		{"trimString eleven", `[{"parseJSON":{}},{"trimString":{"withKeys":["a","a","a","a","a","a","a","a","a","a","a"]}}]`, "transformerConfig[1].trimString.withKeys: must hold between 1 and 10 members, not 11"},
		{"deleteKeys six", `[{"parseJSON":{}},{"deleteKeys":{"withKeys":["a","a","a","a","a","a"]}}]`, "transformerConfig[1].deleteKeys.withKeys: must hold between 1 and 5 members, not 6"},
		{"csv quote too long", `[{"csv":{"quoteCharacter":"ab"}}]`, `transformerConfig[0].csv.quoteCharacter: value "ab": must be at most 1 characters long`},
		{"csv delimiter too long", `[{"csv":{"delimiter":"abc"}}]`, `transformerConfig[0].csv.delimiter: value "abc": must be at most 2 characters long`},
		{"csv 101 columns", `[{"csv":{"columns":[` + strings.TrimSuffix(strings.Repeat(`"c",`, 101), ",") + `]}}]`, "transformerConfig[0].csv.columns: must hold at most 100 columns, not 101"},
		{"grok unknown pattern", `[{"grok":{"match":"%{NOPE:x}"}}]`, `transformerConfig[0].grok.match: value "%{NOPE:x}": %{NOPE:x}: unknown pattern NOPE`},
		{"grok no field", `[{"grok":{"match":"%{WORD}"}}]`, `transformerConfig[0].grok.match: value "%{WORD}": names no field`},
		{"grok too long", `[{"grok":{"match":"%{WORD:a}` + strings.Repeat("x", 510) + `"}}]`, `transformerConfig[0].grok.match: value "`},
		{"grok type suffix", `[{"grok":{"match":"%{INT:n:int}"}}]`, `transformerConfig[0].grok.match: value "%{INT:n:int}": %{INT:n:int}: a type suffix (:int) is not supported`},
		{"listToMap flatten without element", `[{"parseJSON":{}},{"listToMap":{"source":"a","key":"k","flatten":true}}]`, "transformerConfig[1].listToMap.flattenedElement: is required when flatten is true"},
		{"listToMap bad element", `[{"parseJSON":{}},{"listToMap":{"source":"a","key":"k","flattenedElement":"middle"}}]`, `transformerConfig[1].listToMap.flattenedElement: value "middle": must be one of first, last`},
		{"listToMap no key", `[{"parseJSON":{}},{"listToMap":{"source":"a"}}]`, "transformerConfig[1].listToMap.key: is required"},
		{"typeConverter bad type", `[{"parseJSON":{}},{"typeConverter":{"entries":[{"key":"a","type":"long"}]}}]`, `transformerConfig[1].typeConverter.entries[0].type: value "long": must be one of boolean, integer, double, string`},
		{"substitute bad regexp", `[{"parseJSON":{}},{"substituteString":{"entries":[{"source":"a","from":"(?=x)","to":"y"}]}}]`, `transformerConfig[1].substituteString.entries[0].from: value "(?=x)": is not a regular expression this server can compile`},
		{"substitute regexp too complex", `[{"parseJSON":{}},{"substituteString":{"entries":[{"source":"a","from":"` + strings.Repeat(`\\w{1000}`, 2) + `","to":"y"}]}}]`, `transformerConfig[1].substituteString.entries[0].from: value "\\w{1000}\\w{1000}": is too complex a regular expression (`},
		{"grok too complex around its patterns", `[{"grok":{"match":"%{WORD:w}\\w{1000}"}}]`, `transformerConfig[0].grok.match: value "%{WORD:w}\\w{1000}": is too complex (`},
		{"grok pattern repeated", `[{"grok":{"match":"(?:%{WORD:w} ){400}"}}]`, `transformerConfig[0].grok.match: value "(?:%{WORD:w} ){400}": is too complex (`},
		{"substitute lone $", `[{"parseJSON":{}},{"substituteString":{"entries":[{"source":"a","from":"x","to":"$y"}]}}]`, `transformerConfig[1].substituteString.entries[0].to: value "$y": has a '$' that is not followed by a group number or {name}`},
		{"substitute $ at the end", `[{"parseJSON":{}},{"substituteString":{"entries":[{"source":"a","from":"x","to":"1$"}]}}]`, `transformerConfig[1].substituteString.entries[0].to: value "1$": ends with a '$' that names no group`},
		{"substitute missing group", `[{"parseJSON":{}},{"substituteString":{"entries":[{"source":"a","from":"(x)","to":"$2"}]}}]`, `transformerConfig[1].substituteString.entries[0].to: value "$2": refers to group 2; from has 1`},
		{"substitute missing name", `[{"parseJSON":{}},{"substituteString":{"entries":[{"source":"a","from":"(?<n>x)","to":"${m}"}]}}]`, `transformerConfig[1].substituteString.entries[0].to: value "${m}": names the group "m", which from does not have`},
		{"substitute trailing backslash", `[{"parseJSON":{}},{"substituteString":{"entries":[{"source":"a","from":"x","to":"a\\"}]}}]`, `transformerConfig[1].substituteString.entries[0].to: value "a\\": ends with a backslash that escapes nothing`},
		{"member name in another case", `[{"parseJSON":{"Destination":"x"}}]`, `transformerConfig[0].parseJSON: value "Destination": unknown member (names are case-sensitive); valid ones are source, destination`},
		{"entry member name in another case", `[{"parseJSON":{}},{"addKeys":{"entries":[{"KEY":"a","value":"b"}]}}]`, `transformerConfig[1].addKeys.entries[0]: value "KEY": unknown member`},
		{"first parseJSON source in another case", `[{"parseJSON":{"Source":"x"}}]`, `transformerConfig[0].parseJSON: value "Source": unknown member`},
		{"parseJSON source too deep", `[{"parseJSON":{}},{"parseJSON":{"source":"a.b.c.d"}}]`, `transformerConfig[1].parseJSON.source: value "a.b.c.d": must name a key at most 3 levels deep`},
		{"parseJSON destination too deep", `[{"parseJSON":{"destination":"a.b.c.d"}}]`, `transformerConfig[0].parseJSON.destination: value "a.b.c.d": must name a key at most 3 levels deep`},
		{"grok source too deep", `[{"grok":{"source":"a.b.c.d","match":"%{WORD:w}"}}]`, `transformerConfig[0].grok.source: value "a.b.c.d": must name a key at most 3 levels deep`},
		{"addKeys key too deep", `[{"parseJSON":{}},{"addKeys":{"entries":[{"key":"a.b.c.d","value":"v"}]}}]`, `transformerConfig[1].addKeys.entries[0].key: value "a.b.c.d": must name a key at most 3 levels deep`},
		{"moveKeys source too deep", `[{"parseJSON":{}},{"moveKeys":{"entries":[{"source":"a.b.c.d","target":"t"}]}}]`, `transformerConfig[1].moveKeys.entries[0].source: value "a.b.c.d": must name a key at most 3 levels deep`},
		{"grok 21 patterns", `[{"grok":{"match":"` + strings.Repeat("%{WORD:w} ", 20) + `%{WORD}"}}]`, `transformerConfig[0].grok.match: value "%{WORD:w} `},
		{"splitString no delimiter", `[{"parseJSON":{}},{"splitString":{"entries":[{"source":"a"}]}}]`, "transformerConfig[1].splitString.entries[0].delimiter: is required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.config))
			if err == nil {
				t.Fatalf("Parse accepted %s", tc.config)
			}
			var ce *ConfigError
			var ue *UnsupportedError
			if !errors.As(err, &ce) && !errors.As(err, &ue) {
				t.Fatalf("error %T, want *ConfigError or *UnsupportedError", err)
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error\n %q\nwant prefix\n %q", err, tc.want)
			}
		})
	}
}

func TestParseAcceptsNullMembers(t *testing.T) {
	// An SDK may send unset union members as null.
	c, err := Parse([]byte(`[{"parseJSON":{"source":null},"csv":null}]`))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.Apply(`{"a":1}`, Meta{}); err != nil || got != `{"a":1}` {
		t.Fatalf("Apply = %q, %v", got, err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(`[{"parseJSON":{}}]`)
	f.Add(`[{"grok":{"match":"%{COMBINEDAPACHELOG}"}},{"addKeys":{"entries":[{"key":"a","value":"b"}]}}]`)
	f.Add(`[{"parseJSON":{}},{"dateTimeConverter":{"source":"a","target":"b","matchPatterns":["yyyy-MM-dd'T'HH:mm:ss.SSSXXX"]}}]`)
	f.Add(`[{"csv":{"columns":["a"]}},{"listToMap":{"source":"a","key":"k","flatten":true,"flattenedElement":"first"}}]`)
	f.Fuzz(func(t *testing.T, cfg string) {
		c, err := Parse([]byte(cfg))
		if err != nil {
			var ce *ConfigError
			var ue *UnsupportedError
			if !errors.As(err, &ce) && !errors.As(err, &ue) {
				t.Fatalf("Parse(%q): error %T %v, want *ConfigError or *UnsupportedError", cfg, err, err)
			}
			return
		}
		if c.Len() < 1 || c.Len() > MaxProcessors {
			t.Fatalf("accepted %d processors", c.Len())
		}
		// An accepted configuration transforms an event into JSON, or says why not.
		for _, msg := range []string{`{"a":"1","b":{"c":[1,"x"]},"t":"2026-01-02T03:04:05.678Z"}`, `a=1&b=2`, `x,"y",z`} {
			out, err := c.Apply(msg, testMeta)
			var ae *ApplyError
			if err != nil && !errors.As(err, &ae) {
				t.Fatalf("Apply: error %T %v, want *ApplyError", err, err)
			}
			if err == nil && !json.Valid([]byte(out)) {
				t.Fatalf("Apply(%q) = %q: not valid JSON", msg, out)
			}
		}
	})
}

func FuzzApply(f *testing.F) {
	configs := []string{
		`[{"parseJSON":{}},{"renameKeys":{"entries":[{"key":"a","renameTo":"b"}]}},{"moveKeys":{"entries":[{"source":"b","target":"c.d"}]}},{"copyValue":{"entries":[{"source":"c","target":"e"}]}},{"listToMap":{"source":"l","key":"k","target":"m"}},{"splitString":{"entries":[{"source":"s","delimiter":","}]}},{"typeConverter":{"entries":[{"key":"n","type":"double"}]}}]`,
		`[{"parseKeyValue":{"destination":"kv"}},{"deleteKeys":{"withKeys":["kv.a"]}},{"upperCaseString":{"withKeys":["kv.b"]}}]`,
		`[{"csv":{}},{"substituteString":{"entries":[{"source":"column_1","from":"a+","to":"$0$0"}]}}]`,
		`[{"grok":{"match":"%{WORD:w.x} %{GREEDYDATA:rest}"}},{"parseJSON":{"source":"rest","destination":"w"}}]`,
		`[{"parseKeyValue":{}},{"dateTimeConverter":{"source":"t","target":"u","matchPatterns":["yyyy-MM-dd'T'HH:mm:ss.SSSXXX","d MMM yyyy h:mm a"],"targetFormat":"EEEE dd.MM.yy HH:mm:ss,SSSSSS z"}}]`,
	}
	var parsed []*Config
	for _, cfg := range configs {
		c, err := Parse([]byte(cfg))
		if err != nil {
			f.Fatal(err)
		}
		parsed = append(parsed, c)
	}
	f.Add(uint8(0), `{"a":1,"l":[{"k":"x"},{"k":2}],"s":"p,q","n":"1e3"}`)
	f.Add(uint8(1), `a=1&b=two&&c`)
	f.Add(uint8(2), `"q""x",aa,b`)
	f.Add(uint8(3), `word {"k":[1,{"z":null}]}`)
	f.Add(uint8(4), `t=2026-01-02T03:04:05.678Z&x=1`)
	f.Add(uint8(4), `t=5 Jan 2026 3:04 PM`)
	f.Fuzz(func(t *testing.T, which uint8, msg string) {
		c := parsed[int(which)%len(parsed)]
		out, err := c.Apply(msg, testMeta)
		if err != nil {
			var ae *ApplyError
			if !errors.As(err, &ae) {
				t.Fatalf("error %T %v, want *ApplyError", err, err)
			}
			return
		}
		if !json.Valid([]byte(out)) {
			t.Fatalf("Apply(%q) = %q: not valid JSON", msg, out)
		}
	})
}
