package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestFormatAWSJSON: answers, once shapeAnswer gave them botocore's form, are printed as the
// AWS CLI prints them. The expected texts are Python 3.11's json.dumps(indent=4,
// ensure_ascii=False) of json.loads(body): the nulls that remain (in lists, maps, and values the
// model has as scalars) are printed.
func TestFormatAWSJSON(t *testing.T) {
	tests := []struct {
		name, body string
		tty        bool
		want       string // "" when nothing is printed
		errMatch   string
	}{
		{"layout", `{"a":1,"b":[],"c":{},"d":[1,[2,{}],{"e":null}],"f":null,"g":true,"h":false}`, false,
			"{\n    \"a\": 1,\n    \"b\": [],\n    \"c\": {},\n    \"d\": [\n        1,\n        [\n            2,\n            {}\n        ],\n        {\n            \"e\": null\n        }\n    ],\n    \"f\": null,\n    \"g\": true,\n    \"h\": false\n}", ""},
		{"strings", `{"s":"h\u00e9llo \u001b[31m \"q\" \\ </> \u2028 \ud83d\ude00 \t\n\r\b\f\u0000\u007f\u0085"}`, false,
			"{\n    \"s\": \"héllo \\u001b[31m \\\"q\\\" \\\\ </> \u2028 😀 \\t\\n\\r\\b\\f\\u0000\x7f\u0085\"\n}", ""},
		{"strings on a terminal", `{"s":"\u007f\u0085\u009b é"}`, true, "{\n    \"s\": \"\\u007f\\u0085\\u009b é\"\n}", ""},
		{"keys escaped too", `{"a\"b\n":1}`, false, "{\n    \"a\\\"b\\n\": 1\n}", ""},
		{"numbers", `{"n":[0,-0,12345678901234567890123,1.0,1.50,-2.5e3,1e5,1E-7,1e16,1e15,123456789.123,0.0001,0.00001,-0.0,1e400,-1e400,1e-400,5e-324,1.7976931348623157e308,0.1,100.0,1e22,3.14159265358979323846]}`, false,
			"{\n    \"n\": [\n        0,\n        0,\n        12345678901234567890123,\n        1.0,\n        1.5,\n        -2500.0,\n        100000.0,\n        1e-07,\n        1e+16,\n        1000000000000000.0,\n        123456789.123,\n        0.0001,\n        1e-05,\n        -0.0,\n        Infinity,\n        -Infinity,\n        0.0,\n        5e-324,\n        1.7976931348623157e+308,\n        0.1,\n        100.0,\n        1e+22,\n        3.141592653589793\n    ]\n}", ""},
		{"empty answer", `{}`, false, "", ""},
		{"null kept", ` {"tags": {"k": null}} `, false, "{\n    \"tags\": {\n        \"k\": null\n    }\n}", ""},
		{"not an object", `[1]`, false, "", "want a JSON object, got an array"},
		{"not JSON", `<html>`, false, "", "invalid character '<'"},
		{"truncated", `{"a":[1,`, false, "", "unexpected EOF"},
		{"trailing data", `{"a":1} {"b":2}`, false, "", "more data after the JSON object"},
	}
	for _, tc := range tests {
		got, err := formatAWSJSON([]byte(tc.body), tc.tty)
		if tc.errMatch != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errMatch) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.errMatch)
			}
			continue
		}
		if err != nil || string(got) != tc.want {
			t.Errorf("%s: got %q, %v\nwant %q", tc.name, got, err, tc.want)
		}
	}
}

// TestLookupOperation: API names and the AWS CLI's names are found exactly; anything else is a
// usage error naming the closest operation, spelled the way it was typed.
func TestLookupOperation(t *testing.T) {
	tests := []struct {
		in, want, errMatch string
	}{
		{"PutMetricFilter", "PutMetricFilter", ""},
		{"put-metric-filter", "PutMetricFilter", ""},
		{"describe-log-groups", "DescribeLogGroups", ""},
		{"associate-source-to-s3-table-integration", "AssociateSourceToS3TableIntegration", ""},
		{"put-metric-filtr", "", `unknown operation "put-metric-filtr": did you mean put-metric-filter?`},
		{"PutMetricFiltr", "", "did you mean PutMetricFilter?"},
		{"putmetricfilter", "", "did you mean put-metric-filter?"},
		{"Put-Metric-Filter", "", "did you mean PutMetricFilter?"},
		{"describe-log-group", "", "did you mean describe-log-groups?"},
		{"", "", "did you mean"},
	}
	for _, tc := range tests {
		op, err := lookupOperation(tc.in)
		if tc.errMatch != "" {
			var ue *usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.errMatch) {
				t.Errorf("%q: error %v, want a usage error containing %q", tc.in, err, tc.errMatch)
			}
			continue
		}
		if err != nil || op.name != tc.want {
			t.Errorf("%q: got %v, %v; want %s", tc.in, op, err, tc.want)
		}
	}
	// The generated table: sorted, every name found by both spellings, and the paginators
	// that matter here.
	for i, op := range apiOperations {
		if i > 0 && apiOperations[i-1].name >= op.name {
			t.Errorf("table not sorted at %s", op.name)
		}
		for _, n := range []string{op.name, op.cliName} {
			if got, err := lookupOperation(n); err != nil || got.name != op.name {
				t.Errorf("%s: found %v, %v", n, got, err)
			}
		}
	}
	for name, want := range map[string]*pager{
		"DescribeLogStreams": {inputToken: "nextToken", outputToken: "nextToken", resultKeys: []string{"logStreams"}, limitKey: "limit"},
		"FilterLogEvents":    {inputToken: "nextToken", outputToken: "nextToken", resultKeys: []string{"events", "searchedLogStreams"}, limitKey: "limit"},
		"GetLogEvents":       {inputToken: "nextToken", outputToken: "nextForwardToken", resultKeys: []string{"events"}, limitKey: "limit"},
		"DescribeQueries":    {inputToken: "nextToken", outputToken: "nextToken", resultKeys: []string{"queries"}, limitKey: "maxResults"},
		"PutMetricFilter":    nil,
	} {
		op, _ := lookupOperation(name)
		if got := op.paging(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s pages as %+v, want %+v", name, got, want)
		}
	}
}

// TestStartingTokens: --max-items tokens are botocore's, so that either tool resumes the
// other's. The literals are NextTokens printed by AWS CLI v1 (botocore 1.43).
func TestStartingTokens(t *testing.T) {
	tests := []struct {
		token string
		want  startingToken
		err   bool
	}{
		// {"nextToken": null, "boto_truncate_amount": 1}
		{"eyJuZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAxfQ==", startingToken{skip: 1}, false},
		// {"nextToken": "U3wxfExvZ1N0cmVhbU5hbWV8ZmFsc2V8MHxzMnxlN2ZiMzFhMA"}
		{"eyJuZXh0VG9rZW4iOiAiVTN3eGZFeHZaMU4wY21WaGJVNWhiV1Y4Wm1Gc2MyVjhNSHh6TW54bE4yWmlNekZoTUEifQ==", startingToken{token: "U3wxfExvZ1N0cmVhbU5hbWV8ZmFsc2V8MHxzMnxlN2ZiMzFhMA"}, false},
		// Not botocore's: the service's own token, as botocore takes it.
		{"f/00000000000000000000000000000000000000000000000000000001/s", startingToken{token: "f/00000000000000000000000000000000000000000000000000000001/s"}, false},
		{"bnVsbA==", startingToken{token: "bnVsbA=="}, false}, // base64 of null
		// {"nextToken": 5}
		{"eyJuZXh0VG9rZW4iOiA1fQ==", startingToken{}, true},
		// {"boto_truncate_amount": -1}
		{"eyJib3RvX3RydW5jYXRlX2Ftb3VudCI6IC0xfQ==", startingToken{}, true},
	}
	for _, tc := range tests {
		got, err := parseStartingToken(tc.token, "nextToken")
		if tc.err {
			if err == nil {
				t.Errorf("%s: got %+v, want an error", tc.token, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: got %+v, %v; want %+v", tc.token, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		token string
		skip  int
		want  string
	}{
		{"", 1, "eyJuZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAxfQ=="},
		{"U3wxfExvZ1N0cmVhbU5hbWV8ZmFsc2V8MHxzMnxlN2ZiMzFhMA", -1, "eyJuZXh0VG9rZW4iOiAiVTN3eGZFeHZaMU4wY21WaGJVNWhiV1Y4Wm1Gc2MyVjhNSHh6TW54bE4yWmlNekZoTUEifQ=="},
	} {
		if got := resumeToken("nextToken", tc.token, tc.skip); got != tc.want {
			t.Errorf("resumeToken(%q, %d) = %s, want %s", tc.token, tc.skip, got, tc.want)
		}
	}
}

// requestCounter is a proxy in front of a server that counts the requests by operation.
type requestCounter struct {
	url string
	mu  sync.Mutex
	n   map[string]int
}

func countRequests(t *testing.T, target string) *requestCounter {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rc := &requestCounter{n: map[string]int{}}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.mu.Lock()
		rc.n[strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "Logs_20140328.")]++
		rc.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	rc.url = srv.URL
	return rc
}

// take returns the counts since the last call and resets them.
func (rc *requestCounter) take() map[string]int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	n := rc.n
	rc.n = map[string]int{}
	return n
}

// listed returns the field of each element of the list key of a JSON object, and the
// object's other keys.
func listed(t *testing.T, out, key, field string) (values []string, others []string) {
	t.Helper()
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &obj); err != nil {
		t.Fatalf("output is not a JSON object: %v\n%s", err, out)
	}
	var list []map[string]any
	if err := json.Unmarshal(obj[key], &list); err != nil {
		t.Fatalf("%s: %v\n%s", key, err, out)
	}
	for _, e := range list {
		values = append(values, e[field].(string))
	}
	for k := range obj {
		if k != key {
			others = append(others, k)
		}
	}
	return values, others
}

// putMetricFilterSkeleton is what AWS CLI v1 prints for aws logs put-metric-filter
// --generate-cli-skeleton, the unit (a value of an enumeration, picked at random) made "".
const putMetricFilterSkeleton = `{
    "logGroupName": "",
    "filterName": "",
    "filterPattern": "",
    "metricTransformations": [
        {
            "metricName": "",
            "metricNamespace": "",
            "metricValue": "",
            "defaultValue": 0.0,
            "dimensions": {
                "KeyName": ""
            },
            "unit": ""
        }
    ],
    "applyOnTransformedLogs": true,
    "fieldSelectionCriteria": "",
    "emitSystemFieldDimensions": [
        ""
    ]
}
`

// TestCallLocal runs call against the local server through a proxy that counts the requests:
// each step says which requests it makes (none for the input refused before sending).
func TestCallLocal(t *testing.T) {
	endpoint := startLocal(t)
	rc := countRequests(t, endpoint)
	c := newCLI(t, rc.url)
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	filterFile := write("filter.json", `{
    "logGroupName": "app",
    "filterName": "errors",
    "filterPattern": "ERROR",
    "metricTransformations": [{"metricName": "Errors", "metricNamespace": "App", "metricValue": "1", "defaultValue": 0}]
}
`)
	describeFile := write("describe.json", `{"logGroupName": "app"}`)
	badFile := write("bad.json", "{\n  \"logGroupName\": \"app\",\n  \"limit\": tru,\n}\n")
	utf16File := write("utf16.json", "\xff\xfe"+string([]byte{'{', 0, '"', 0, 'l', 0, 'o', 0, 'g', 0, 'G', 0, 'r', 0, 'o', 0, 'u', 0, 'p', 0,
		'N', 0, 'a', 0, 'm', 0, 'e', 0, '"', 0, ':', 0, '"', 0, 'a', 0, 'p', 0, 'p', 0, '"', 0, '}', 0}))

	const filters = `{
    "metricFilters": [
        {
            "filterName": "errors",
            "filterPattern": "ERROR",
            "metricTransformations": [
                {
                    "metricName": "Errors",
                    "metricNamespace": "App",
                    "metricValue": "1",
                    "defaultValue": 0.0
                }
            ],
            "creationTime": <MS>,
            "logGroupName": "app",
            "applyOnTransformedLogs": false
        }
    ]
}
`
	const (
		skip1 = "eyJuZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAxfQ==" // {"nextToken": null, "boto_truncate_amount": 1}
		skip2 = "eyJuZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAyfQ==" // ... 2
	)
	usage := func(msg string) string { return "cwlogs call: " + msg + "\nRun 'cwlogs call --help' for usage.\n" }
	type step struct {
		name     string
		stdin    string
		args     []string
		want     int
		stdout   string           // exact after normalization, unless check is set
		check    func(out string) // checks stdout
		stderr   string
		requests map[string]int // the requests the step makes
	}
	steps := []step{
		{name: "kebab name, empty answer prints nothing", args: []string{"create-log-group", `{"logGroupName": "app"}`},
			requests: map[string]int{"CreateLogGroup": 1}},
		{name: "API name", args: []string{"CreateLogStream", `{"logGroupName": "app", "logStreamName": "s1"}`},
			requests: map[string]int{"CreateLogStream": 1}},
		{name: "--cli-input-json", args: []string{"create-log-stream", "--cli-input-json", `{"logGroupName": "app", "logStreamName": "s2"}`},
			requests: map[string]int{"CreateLogStream": 1}},
		{name: "stdin", stdin: `{"logGroupName": "app", "logStreamName": "s3"}`, args: []string{"create-log-stream", "-"},
			requests: map[string]int{"CreateLogStream": 1}},
		{name: "file://", args: []string{"put-metric-filter", "file://" + filterFile},
			requests: map[string]int{"PutMetricFilter": 1}},
		{name: "round trip", args: []string{"DescribeMetricFilters", `{"logGroupName": "app"}`}, stdout: filters,
			requests: map[string]int{"DescribeMetricFilters": 1}},
		{name: "--cli-input-json file://, --output json", args: []string{"--output", "json", "describe-metric-filters", "--cli-input-json", "file://" + describeFile}, stdout: filters,
			requests: map[string]int{"DescribeMetricFilters": 1}},
		{name: "no input sends {}", args: []string{"describe-log-groups"},
			check: func(out string) {
				if names, others := listed(t, out, "logGroups", "logGroupName"); !reflect.DeepEqual(names, []string{"app"}) || others != nil {
					t.Errorf("no input: groups %q, other keys %q", names, others)
				}
			}, requests: map[string]int{"DescribeLogGroups": 1}},
		{name: "service error", args: []string{"describe-log-streams", `{"logGroupName": "nope"}`}, want: 1,
			stderr: "cwlogs: ResourceNotFoundException: The specified log group does not exist.\n", requests: map[string]int{"DescribeLogStreams": 1}},

		// Pagination: three streams, one per page.
		{name: "--no-paginate: one page", args: []string{"describe-log-streams", `{"logGroupName": "app", "limit": 1}`, "--no-paginate"},
			check: func(out string) {
				if names, others := listed(t, out, "logStreams", "logStreamName"); !reflect.DeepEqual(names, []string{"s1"}) || !reflect.DeepEqual(others, []string{"nextToken"}) {
					t.Errorf("one page: streams %q, other keys %q", names, others)
				}
			}, requests: map[string]int{"DescribeLogStreams": 1}},
		{name: "pages by default, as aws", args: []string{"describe-log-streams", `{"logGroupName": "app", "limit": 1}`},
			check: func(out string) {
				if names, others := listed(t, out, "logStreams", "logStreamName"); !reflect.DeepEqual(names, []string{"s1", "s2", "s3"}) || others != nil {
					t.Errorf("default: streams %q, other keys %q", names, others)
				}
			}, requests: map[string]int{"DescribeLogStreams": 3}},
		{name: "--page-size sets the limit of every request", args: []string{"describe-log-streams", `{"logGroupName": "app", "limit": 50}`, "--page-size", "2"},
			check: func(out string) {
				if names, others := listed(t, out, "logStreams", "logStreamName"); !reflect.DeepEqual(names, []string{"s1", "s2", "s3"}) || others != nil {
					t.Errorf("--page-size: streams %q, other keys %q", names, others)
				}
			}, requests: map[string]int{"DescribeLogStreams": 2}},
		{name: "--page-size with --max-items", args: []string{"describe-log-streams", `{"logGroupName": "app"}`, "--page-size", "1", "--max-items", "2"},
			check: func(out string) {
				names, others := listed(t, out, "logStreams", "logStreamName")
				if !reflect.DeepEqual(names, []string{"s1", "s2"}) || !reflect.DeepEqual(others, []string{"NextToken"}) {
					t.Errorf("--page-size 1 --max-items 2: streams %q, other keys %q", names, others)
				}
			}, requests: map[string]int{"DescribeLogStreams": 2}},
		{name: "--paginate", args: []string{"describe-log-streams", `{"logGroupName": "app", "limit": 1}`, "--paginate"},
			check: func(out string) {
				if names, others := listed(t, out, "logStreams", "logStreamName"); !reflect.DeepEqual(names, []string{"s1", "s2", "s3"}) || others != nil {
					t.Errorf("--paginate: streams %q, other keys %q", names, others)
				}
			}, requests: map[string]int{"DescribeLogStreams": 3}},
		{name: "--max-items cuts a page", args: []string{"describe-log-streams", `{"logGroupName": "app", "limit": 2}`, "--max-items", "1"},
			check: func(out string) {
				names, _ := listed(t, out, "logStreams", "logStreamName")
				if !reflect.DeepEqual(names, []string{"s1"}) || !strings.HasSuffix(out, `"NextToken": "`+skip1+"\"\n}\n") {
					t.Errorf("--max-items 1: streams %q in\n%s", names, out)
				}
			}, requests: map[string]int{"DescribeLogStreams": 1}},
		{name: "--starting-token resumes in the page", args: []string{"describe-log-streams", `{"logGroupName": "app", "limit": 3}`, "--max-items", "1", "--starting-token", skip1},
			check: func(out string) {
				names, _ := listed(t, out, "logStreams", "logStreamName")
				if !reflect.DeepEqual(names, []string{"s2"}) || !strings.HasSuffix(out, `"NextToken": "`+skip2+"\"\n}\n") {
					t.Errorf("--starting-token: streams %q in\n%s", names, out)
				}
			}, requests: map[string]int{"DescribeLogStreams": 1}},
		{name: "--starting-token to the end", args: []string{"describe-log-streams", `{"logGroupName": "app", "limit": 2}`, "--starting-token", skip2},
			check: func(out string) {
				if names, others := listed(t, out, "logStreams", "logStreamName"); !reflect.DeepEqual(names, []string{"s3"}) || others != nil {
					t.Errorf("--starting-token: streams %q, other keys %q", names, others)
				}
			}, requests: map[string]int{"DescribeLogStreams": 2}},
		{name: "--max-items at a page boundary", args: []string{"describe-log-streams", `{"logGroupName": "app", "limit": 1}`, "--max-items", "2"},
			check: func(out string) {
				names, others := listed(t, out, "logStreams", "logStreamName")
				if !reflect.DeepEqual(names, []string{"s1", "s2"}) || !reflect.DeepEqual(others, []string{"NextToken"}) {
					t.Errorf("--max-items 2: streams %q, other keys %q", names, others)
				}
			}, requests: map[string]int{"DescribeLogStreams": 2}},
		{name: "put events", args: []string{"put-log-events", "-"}, stdin: fmt.Sprintf(`{"logGroupName": "app", "logStreamName": "s1", "logEvents": [
			{"timestamp": %[1]d, "message": "one"}, {"timestamp": %[1]d, "message": "two"}, {"timestamp": %[1]d, "message": "three"}]}`, time.Now().UnixMilli()),
			stdout: "{\n    \"nextSequenceToken\": \"<ID>\"\n}\n", requests: map[string]int{"PutLogEvents": 1}},
		// GetLogEvents: one event per page, then the service repeats the token it was sent.
		{name: "GetLogEvents --paginate from the head", args: []string{"get-log-events", `{"logGroupName": "app", "logStreamName": "s1", "startFromHead": true, "limit": 1}`, "--paginate"},
			check: func(out string) {
				if msgs, others := listed(t, out, "events", "message"); !reflect.DeepEqual(msgs, []string{"one", "two", "three"}) || others != nil {
					t.Errorf("GetLogEvents: messages %q, other keys %q", msgs, others)
				}
			}, requests: map[string]int{"GetLogEvents": 4}},
		{name: "GetLogEvents --paginate from the tail", args: []string{"get-log-events", `{"logGroupName": "app", "logStreamName": "s1", "limit": 1}`, "--paginate"},
			check: func(out string) {
				if msgs, _ := listed(t, out, "events", "message"); !reflect.DeepEqual(msgs, []string{"three"}) {
					t.Errorf("GetLogEvents from the tail: messages %q", msgs)
				}
			}, requests: map[string]int{"GetLogEvents": 2}},
		{name: "FilterLogEvents --paginate merges both result keys", args: []string{"filter-log-events", `{"logGroupName": "app", "limit": 2}`, "--paginate"},
			check: func(out string) {
				if msgs, others := listed(t, out, "events", "message"); !reflect.DeepEqual(msgs, []string{"one", "two", "three"}) || !reflect.DeepEqual(others, []string{"searchedLogStreams"}) {
					t.Errorf("FilterLogEvents: messages %q, other keys %q", msgs, others)
				}
			}, requests: map[string]int{"FilterLogEvents": 2}},

		// Refused before anything is sent.
		{name: "invalid JSON", args: []string{"describe-log-groups", `{"logGroupNamePrefix": "a",}`}, want: 2,
			stderr: usage(`the input is not valid JSON: invalid character '}' looking for beginning of object key string (line 1, column 28)`)},
		{name: "invalid JSON in a file", args: []string{"describe-log-groups", "file://" + badFile}, want: 2,
			stderr: usage("file://" + badFile + ` is not valid JSON: invalid character ',' in literal true (expecting 'e') (line 3, column 15)`)},
		{name: "invalid JSON on stdin", stdin: "{", args: []string{"describe-log-groups", "-"}, want: 2,
			stderr: usage(`the input on stdin is not valid JSON: unexpected end of JSON input (line 1, column 1)`)},
		{name: "not an object", args: []string{"describe-log-groups", "--cli-input-json", `["app"]`}, want: 2,
			stderr: usage(`the input is an array: want a JSON object ({...}) of the operation's parameters`)},
		{name: "empty stdin", args: []string{"describe-log-groups", "-"}, want: 2,
			stderr: usage(`the input on stdin is empty: want a JSON object, such as {}`)},
		{name: "empty argument", args: []string{"describe-log-groups", "--cli-input-json="}, want: 2,
			stderr: usage(`the input is empty: want a JSON object, such as {}`)},
		{name: "missing file", args: []string{"describe-log-groups", "file://" + dir + "/none.json"}, want: 2,
			stderr: usage("cannot read file://" + dir + "/none.json: no such file or directory")},
		{name: "two inputs", args: []string{"describe-log-groups", "{}", "--cli-input-json", "{}"}, want: 2,
			stderr: usage("two inputs: give the JSON as an argument or with --cli-input-json, not both")},
		{name: "unknown operation", args: []string{"describe-log-stream"}, want: 2,
			stderr: usage(`unknown operation "describe-log-stream": did you mean describe-log-streams?`)},
		{name: "not paginated", args: []string{"put-metric-filter", "--paginate"}, want: 2,
			stderr: usage("PutMetricFilter is not paginated: --paginate, --page-size, --max-items and --starting-token do not apply")},
		{name: "--no-paginate of an operation not paged is accepted, as aws", args: []string{"describe-metric-filters", `{"logGroupName": "app"}`, "--no-paginate"},
			stdout: filters, requests: map[string]int{"DescribeMetricFilters": 1}},
		{name: "--no-paginate with paging flags", args: []string{"describe-log-groups", "--no-paginate", "--max-items", "1", "--page-size", "2"}, want: 2,
			stderr: usage("cannot give --no-paginate with --page-size, --max-items, which page")},
		{name: "--paginate and --no-paginate", args: []string{"describe-log-groups", "--no-paginate", "--paginate"}, want: 2,
			stderr: usage("--paginate and --no-paginate contradict each other")},
		{name: "bad --page-size", args: []string{"describe-log-groups", "--page-size", "x"}, want: 2,
			stderr: usage(`invalid --page-size "x": want a positive integer`)},
		{name: "fileb:// in UTF-16", args: []string{"describe-metric-filters", "fileb://" + utf16File}, stdout: filters,
			requests: map[string]int{"DescribeMetricFilters": 1}},
		{name: "skeleton: sends nothing", args: []string{"put-metric-filter", "--generate-cli-skeleton"},
			stdout: putMetricFilterSkeleton},
		{name: "skeleton input, after the operation", args: []string{"put-metric-filter", "--generate-cli-skeleton", "input"},
			stdout: putMetricFilterSkeleton},
		{name: "skeleton output", args: []string{"put-metric-filter", "--generate-cli-skeleton=output"}, want: 2,
			stderr: usage("--generate-cli-skeleton output is not supported: call prints skeletons of inputs only")},
		{name: "bad --max-items", args: []string{"describe-log-groups", "--max-items", "0"}, want: 2,
			stderr: usage(`invalid --max-items "0": want a positive integer`)},
		{name: "event stream", args: []string{"StartLiveTail", `{"logGroupIdentifiers": ["app"]}`}, want: 2,
			stderr: usage("StartLiveTail answers with an event stream, which call does not read; 'cwlogs tail GROUP... --live' runs a Live Tail session and prints its events")},
	}
	norm := &normalizer{}
	for _, s := range steps {
		r := c.mustRun(s.want, s.stdin, append([]string{"call"}, s.args...)...)
		switch {
		case s.check != nil:
			s.check(r.stdout)
		case norm.apply(r.stdout) != s.stdout:
			t.Errorf("%s: stdout\n%s\nwant\n%s", s.name, r.stdout, s.stdout)
		}
		if r.stderr != s.stderr {
			t.Errorf("%s: stderr %q, want %q", s.name, r.stderr, s.stderr)
		}
		if got := rc.take(); !maps.Equal(got, s.requests) && !(len(got) == 0 && len(s.requests) == 0) {
			t.Errorf("%s: requests %v, want %v", s.name, got, s.requests)
		}
	}
}

// TestCheckInput: the request body sent for an input, which is the input compacted: numbers
// exactly as written, whatever their size (Python's json reads them all, 1e400 as inf).
func TestCheckInput(t *testing.T) {
	for _, tc := range []struct{ in, sent string }{
		{`{ "logGroupName" : "app" }`, `{"logGroupName":"app"}`},
		{`{"n": 123456789012345678901234567890, "f": 1.50, "e": 1E400, "z": -0, "t": 1e-400}`, `{"n":123456789012345678901234567890,"f":1.50,"e":1E400,"z":-0,"t":1e-400}`},
		{`{"s": "\u00e9\"<>&\/", "l": [1, {"a": null}]}`, `{"s":"\u00e9\"<>&\/","l":[1,{"a":null}]}`},
		// A member given twice is sent once, as the AWS CLI sends it (Python's json): the last
		// value, where the member first was.
		{`{"limit": 1, "logGroupNamePrefix": "a", "limit": 5}`, `{"limit":5,"logGroupNamePrefix":"a"}`},
		{`{"a": {"x": 1, "\u0078": [2.50, {"y": "1", "y": {"z": 1E400}}]}, "b": [{"c": 1, "c": null}]}`, `{"a":{"x":[2.50,{"y":{"z":1E400}}]},"b":[{"c":null}]}`},
	} {
		got, err := checkInput([]byte(tc.in), "the input")
		if err != nil || string(got) != tc.sent {
			t.Errorf("checkInput(%s) = %s, %v; want %s", tc.in, got, err, tc.sent)
		}
	}
}

// FuzzCheckInput: the body sent for any JSON object is valid JSON holding the same members
// (Go's json, as Python's, keeps the last value of a member given twice), each once.
func FuzzCheckInput(f *testing.F) {
	for _, s := range []string{`{}`, `{"a": 1, "a": [2, {"b": "x", "b": "y\""}], "c": {"d": null}}`, `{"\u0061": 1, "a": 2}`, `{"s": "\\\"", "n": -1.5e3}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		sent, err := checkInput([]byte(in), "the input")
		if err != nil {
			return
		}
		var a, b any
		if err := json.Unmarshal([]byte(in), &a); err != nil {
			return // a number beyond a float64
		}
		if err := json.Unmarshal(sent, &b); err != nil || !reflect.DeepEqual(a, b) {
			t.Fatalf("checkInput(%s) = %s (%v)", in, sent, err)
		}
		if _, _, dup := lastMembers(sent, 0); dup {
			t.Fatalf("checkInput(%s) = %s: a member twice", in, sent)
		}
	})
}

// TestCallRepeatedToken: a page that hands back the token it was asked with fails as
// botocore's paginator fails ("The same next token was received twice"), which the AWS CLI
// prints, for the operations botocore pages; GetLogEvents (paged by --paginate only) ends
// there, as a stream's end does; and a longer loop of tokens, which botocore would follow
// for ever, ends after the first token seen again.
func TestCallRepeatedToken(t *testing.T) {
	var mu sync.Mutex
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in map[string]any
		json.NewDecoder(r.Body).Decode(&in)
		tok, _ := in["nextToken"].(string)
		mu.Lock()
		asked = append(asked, tok)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		switch op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "Logs_20140328."); {
		case op == "GetLogEvents":
			fmt.Fprintf(w, `{"events":[{"timestamp":1,"message":"m","ingestionTime":2}],"nextForwardToken":"f/1","nextBackwardToken":"b/1"}`)
		case op == "DescribeLogStreams": // a loop: "" -> A -> B -> A
			next := map[string]string{"": "A", "A": "B", "B": "A"}[tok]
			fmt.Fprintf(w, `{"logStreams":[{"logStreamName":"s%s"}],"nextToken":%q}`, tok, next)
		default: // DescribeLogGroups: "" -> A -> A
			fmt.Fprintf(w, `{"logGroups":[{"logGroupName":"g%s"}],"nextToken":"A"}`, tok)
		}
	}))
	t.Cleanup(srv.Close)
	c := newCLI(t, srv.URL)
	take := func() []string {
		mu.Lock()
		defer mu.Unlock()
		a := asked
		asked = nil
		return a
	}

	r := c.mustRun(1, "", "call", "describe-log-groups")
	if want := "Error during pagination: The same next token was received twice: {'nextToken': 'A'}"; !strings.Contains(r.stderr, want) || r.stdout != "" {
		t.Errorf("describe-log-groups: stdout %q, stderr %q; want no output and %q", r.stdout, r.stderr, want)
	}
	if got := take(); !slices.Equal(got, []string{"", "A"}) {
		t.Errorf("describe-log-groups asked with tokens %q, want \"\", A", got)
	}

	r = c.mustRun(0, "", "call", "describe-log-streams", `{"logGroupName": "g"}`)
	if names, _ := listed(t, r.stdout, "logStreams", "logStreamName"); !slices.Equal(names, []string{"s", "sA", "sB"}) {
		t.Errorf("describe-log-streams: streams %q, want s, sA, sB", names)
	}
	take()

	r = c.mustRun(0, "", "call", "get-log-events", `{"logGroupName": "g", "logStreamName": "s", "startFromHead": true}`, "--paginate")
	if got := take(); len(got) != 2 || strings.Count(r.stdout, `"message": "m"`) != 2 {
		t.Errorf("get-log-events --paginate: %d requests, output %s; want 2 pages, the second sent back its token", len(got), r.stdout)
	}
}
