package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/internal/testpeer"
)

// TestWriteCommandsMoto runs the write commands against moto_server and
// checks their effect with the read commands.
func TestWriteCommandsMoto(t *testing.T) {
	endpoint := testpeer.Moto(t)
	c := newCLI(t, "")
	g := []string{"--endpoint-url", endpoint}
	run := func(want int, stdin string, args ...string) result {
		t.Helper()
		return c.mustRun(want, stdin, append(args, g...)...)
	}

	r := run(0, "", "create-group", "moto-app", "--tag", "team=x", "--retention", "7")
	if r.stdout != "created log group moto-app (retention 7 days)\n" {
		t.Errorf("create-group: %q", r.stdout)
	}
	r = run(1, "", "create-group", "moto-app")
	if !strings.HasPrefix(r.stderr, "cwlogs: ResourceAlreadyExistsException: ") {
		t.Errorf("duplicate group: %q", r.stderr)
	}
	run(0, "", "create-stream", "moto-app", "s1")
	r = run(1, "", "create-stream", "moto-app", "s1")
	if !strings.HasPrefix(r.stderr, "cwlogs: ResourceAlreadyExistsException: ") {
		t.Errorf("duplicate stream: %q", r.stderr)
	}
	r = run(0, "", "put", "moto-app", "s1", "hello moto", `with "quotes"`)
	if !strings.Contains(r.stderr, "events=2 sent=2 ") {
		t.Errorf("put summary: %q", r.stderr)
	}
	run(0, "line one\nline two\n", "put", "moto-app", "s1")
	r = run(0, "", "get", "moto-app", "s1", "--output", "json")
	for _, m := range []string{`"message":"hello moto"`, `"message":"with \"quotes\""`, `"message":"line one"`, `"message":"line two"`} {
		if !strings.Contains(r.stdout, m) {
			t.Errorf("get: %s missing in\n%s", m, r.stdout)
		}
	}
	r = run(0, "", "groups", "--output", "json", "--prefix", "moto-")
	if !strings.Contains(r.stdout, `"logGroupName":"moto-app"`) || !strings.Contains(r.stdout, `"retentionInDays":7`) {
		t.Errorf("groups: %s", r.stdout)
	}
	run(0, "", "tag", "moto-app", "env=prod", "owner=sre")
	run(0, "", "untag", "moto-app", "owner")
	r = run(0, "", "tags", "moto-app", "--output", "json")
	if !strings.Contains(r.stdout, `"tags":{"env":"prod","team":"x"}`) || !strings.Contains(r.stdout, `"resourceArn":"arn:aws:logs:`) {
		t.Errorf("tags after tag and untag: %s", r.stdout)
	}
	run(0, "", "retention", "moto-app", "never")
	r = run(0, "", "groups", "--output", "json", "--prefix", "moto-")
	if !strings.Contains(r.stdout, `"retentionInDays":null`) {
		t.Errorf("groups after retention never: %s", r.stdout)
	}
	r = run(1, "", "put", "moto-app", "missing", "x")
	if !strings.Contains(r.stderr, "dropped=1") || !strings.Contains(r.stderr, "cwlogs: ResourceNotFoundException: ") {
		t.Errorf("put to a missing stream: %q", r.stderr)
	}
	run(0, "", "put", "--create", "moto-new", "s", "created")
	r = run(0, "", "get", "moto-new", "s")
	if !strings.HasSuffix(r.stdout, "  created\n") {
		t.Errorf("get after put --create: %q", r.stdout)
	}
	run(0, "", "delete-stream", "moto-app", "s1")
	r = run(1, "", "delete-stream", "moto-app", "s1")
	if !strings.HasPrefix(r.stderr, "cwlogs: ResourceNotFoundException: ") {
		t.Errorf("delete missing stream: %q", r.stderr)
	}
	run(0, "", "delete-group", "moto-app")
	run(0, "", "delete-group", "moto-new")
	r = run(1, "", "delete-group", "moto-app")
	if !strings.HasPrefix(r.stderr, "cwlogs: ResourceNotFoundException: ") {
		t.Errorf("delete missing group: %q", r.stderr)
	}
	r = run(0, "", "groups", "--prefix", "moto-")
	if r.stdout != "NAME  CREATED  RETENTION  STORED BYTES\n" {
		t.Errorf("groups at the end: %q", r.stdout)
	}
}

// TestCallMoto runs call against moto_server: a metric filter round trip, a paginated
// listing, a null member left out (moto sends "nextToken": null), moto's empty answers, and
// an error.
func TestCallMoto(t *testing.T) {
	endpoint := testpeer.Moto(t)
	c := newCLI(t, "")
	g := []string{"--endpoint-url", endpoint}
	run := func(want int, stdin string, args ...string) result {
		t.Helper()
		return c.mustRun(want, stdin, append(append([]string{"call"}, args...), g...)...)
	}

	r := run(0, "", "create-log-group", `{"logGroupName": "moto-call"}`)
	if r.stdout != "" || r.stderr != "" {
		t.Errorf("create-log-group (moto answers with no body): stdout %q, stderr %q", r.stdout, r.stderr)
	}
	for _, s := range []string{"a", "b", "c"} {
		run(0, "", "CreateLogStream", `{"logGroupName": "moto-call", "logStreamName": "`+s+`"}`)
	}
	run(0, `{"logGroupName": "moto-call", "filterName": "errors", "filterPattern": "ERROR",
		"metricTransformations": [{"metricName": "Errors", "metricNamespace": "MotoApp", "metricValue": "1"}]}`, "PutMetricFilter", "-")
	r = run(0, "", "describe-metric-filters", `{"logGroupName": "moto-call"}`)
	var filters struct {
		MetricFilters []struct {
			FilterName, FilterPattern, LogGroupName string
			MetricTransformations                   []struct{ MetricName, MetricNamespace, MetricValue string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &filters); err != nil || len(filters.MetricFilters) != 1 ||
		!strings.HasPrefix(r.stdout, "{\n    \"metricFilters\": [\n        {\n            \"") {
		t.Fatalf("describe-metric-filters: %v\n%s", err, r.stdout)
	}
	if f := filters.MetricFilters[0]; f.FilterName != "errors" || f.FilterPattern != "ERROR" || f.LogGroupName != "moto-call" ||
		len(f.MetricTransformations) != 1 || f.MetricTransformations[0].MetricNamespace != "MotoApp" {
		t.Errorf("describe-metric-filters: %+v", f)
	}

	r = run(0, "", "describe-log-streams", `{"logGroupName": "moto-call", "limit": 1}`, "--paginate")
	var streams map[string][]struct{ LogStreamName string }
	if err := json.Unmarshal([]byte(r.stdout), &streams); err != nil || len(streams) != 1 || len(streams["logStreams"]) != 3 ||
		streams["logStreams"][0].LogStreamName != "a" || streams["logStreams"][2].LogStreamName != "c" {
		t.Errorf("describe-log-streams --paginate: %v\n%s", err, r.stdout)
	}
	r = run(0, "", "describe-log-groups", `{"logGroupNamePrefix": "moto-"}`)
	if !strings.Contains(r.stdout, `"logGroupName": "moto-call"`) || strings.Contains(r.stdout, "nextToken") {
		t.Errorf("describe-log-groups: the null nextToken should be left out:\n%s", r.stdout)
	}
	r = run(1, "", "describe-log-streams", `{"logGroupName": "moto-missing"}`)
	if r.stdout != "" || !strings.HasPrefix(r.stderr, "cwlogs: ResourceNotFoundException: ") {
		t.Errorf("missing group: stdout %q, stderr %q", r.stdout, r.stderr)
	}
	run(0, "", "delete-log-group", `{"logGroupName": "moto-call"}`)
}

// comparedCLI is an AWS CLI to compare call with.
type comparedCLI struct {
	path string
	env  []string // added to its environment
	// sameModel is true when its model of the service is the one the table was generated
	// from; else a difference is checked against its model (otherModel).
	sameModel bool
}

// awsCLIs returns the AWS CLIs to compare call with: v1 (as awsCLIv1 finds it), and v2 when
// $CWLOGS_AWS_CLI_V2 names one. Without v1 the test is skipped, or fails when CI=true.
func awsCLIs(t *testing.T) map[string]comparedCLI {
	t.Helper()
	v1, ok := awsCLIv1()
	if !ok {
		testpeer.Missing(t, "AWS CLI v1 not found (aws on PATH, or CWLOGS_AWS_CLI_V1)")
		return nil
	}
	out, _ := exec.Command(v1, "--version").CombinedOutput()
	clis := map[string]comparedCLI{"v1": {path: v1, sameModel: strings.Contains(string(out), " botocore/"+modelVersion)}}
	if v2 := os.Getenv("CWLOGS_AWS_CLI_V2"); v2 != "" {
		out, err := exec.Command(v2, "--version").CombinedOutput()
		if err != nil || !bytes.HasPrefix(out, []byte("aws-cli/2.")) {
			t.Fatalf("CWLOGS_AWS_CLI_V2=%s is not AWS CLI v2: %v %s", v2, err, out)
		}
		// v2 carries a botocore of its own (2.9.19's model is from 2023): it is given
		// python3's, from which the table is generated, through AWS_DATA_PATH, as
		// internal/conformance does; the formatters are what is compared.
		dir, version := botocoreModelDir(t)
		clis["v2"] = comparedCLI{path: v2, env: []string{"AWS_DATA_PATH=" + dir}, sameModel: version == modelVersion}
	}
	return clis
}

// botocoreModelDir returns a directory for AWS_DATA_PATH holding the CloudWatch Logs model of
// python3's botocore (service-2.json, paginators-1.json), and that botocore's version.
func botocoreModelDir(t *testing.T) (dir, version string) {
	t.Helper()
	python := testpeer.Botocore(t)
	const script = `
import botocore, gzip, os, sys
src = os.path.join(os.path.dirname(botocore.__file__), "data", "logs", "2014-03-28")
dst = os.path.join(sys.argv[1], "logs", "2014-03-28")
os.makedirs(dst)
for name in ("service-2.json", "paginators-1.json"):
    path = os.path.join(src, name)
    data = open(path, "rb").read() if os.path.exists(path) else gzip.open(path + ".gz").read()
    open(os.path.join(dst, name), "wb").write(data)
print(botocore.__version__)
`
	dir = t.TempDir()
	out, err := exec.Command(python, "-c", script, dir).Output()
	if err != nil {
		t.Fatalf("copying botocore's model: %v", err)
	}
	return dir, strings.TrimSpace(string(out))
}

// otherModel reports whether a difference with the AWS CLI aws is explained by a model of the
// operation's output other than call's, which it logs: never when aws carries the table's
// botocore.
func otherModel(t *testing.T, name string, aws comparedCLI, endpoint string, args []string) bool {
	t.Helper()
	if aws.sameModel || slices.Contains(args, "--generate-cli-skeleton") {
		return false
	}
	same, diff := sameOutputModel(t, aws, endpoint, args)
	if !same {
		t.Logf("aws %s %s prints otherwise: its model of the output is not botocore %s's (%s)", name, args[0], modelVersion, diff)
	}
	return !same
}

// sameOutputModel reports whether the model of an operation's output that the AWS CLI at aws
// carries has the members of call's (a CLI older or newer than the table's botocore may not):
// the keys of what it prints for `aws logs ARGS --generate-cli-skeleton output` (botocore's
// skeleton of the output, every member set) against the member names of the descriptor.
// args are a case's, whose --query, --output and paging flags are dropped.
func sameOutputModel(t *testing.T, aws comparedCLI, endpoint string, args []string) (bool, string) {
	t.Helper()
	skel := []string{args[0]}
	for i := 1; i < len(args); i++ {
		switch args[i] {
		case "--query", "--output", "--page-size", "--max-items", "--starting-token":
			i++
		case "--no-paginate", "--generate-cli-skeleton":
		default:
			skel = append(skel, args[i])
		}
	}
	out, code := runAWSEnv(t, aws.path, aws.env, endpoint, append(skel, "--no-paginate", "--generate-cli-skeleton", "output", "--output", "json")...)
	var v any
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil {
		return false, "no output skeleton"
	}
	theirs := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				if k != "KeyName" {
					theirs[k] = true
				}
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	op, err := lookupOperation(args[0])
	if err != nil {
		t.Fatal(err)
	}
	ours := map[string]bool{}
	for _, name := range descNames(op.output) {
		ours[name] = true
	}
	if !maps.Equal(ours, theirs) {
		var diff []string
		for k := range ours {
			if !theirs[k] {
				diff = append(diff, "+"+k)
			}
		}
		for k := range theirs {
			if !ours[k] {
				diff = append(diff, "-"+k)
			}
		}
		slices.Sort(diff)
		return false, strings.Join(diff, " ")
	}
	return true, ""
}

// descNames are the member names of the structures in a descriptor, recursion followed once.
func descNames(desc string) []string {
	var names []string
	seen := map[int]bool{}
	var walk func(d string, i int)
	walk = func(d string, i int) {
		if d[i] == '@' {
			n := descRef(d, i)
			if seen[n] {
				return
			}
			seen[n] = true
			walk(shapeDefs[n], 0)
			return
		}
		switch d[i] {
		case '[', '<':
			walk(d, i+1)
		case '{', '(':
			for name, at := range descMembers(d, i) {
				names = append(names, name)
				walk(d, at)
			}
		}
	}
	if desc != "" {
		walk(desc, 0)
	}
	return names
}

// motoDiffCases are the differential cases of TestCallMotoAWSCLI: `aws logs AWS...` and
// `cwlogs call CALL...` against moto_server, which sends members in an order of its own (and
// null ones), must print the same bytes.
var motoDiffCases = []struct {
	name      string
	aws, call []string
}{
	{"groups, json", []string{"describe-log-groups"}, []string{"describe-log-groups"}},
	{"groups, text", []string{"describe-log-groups", "--output", "text"}, []string{"describe-log-groups", "--output", "text"}},
	{"groups, table", []string{"describe-log-groups", "--output", "table"}, []string{"describe-log-groups", "--output", "table"}},
	{"groups, --no-paginate", []string{"describe-log-groups", "--no-paginate", "--log-group-name-prefix", "a"},
		[]string{"describe-log-groups", `{"logGroupNamePrefix": "a"}`, "--no-paginate"}},
	{"groups, a query keeps the model's order", []string{"describe-log-groups", "--query", "logGroups[?logGroupName == 'app'] | [0]"},
		[]string{"describe-log-groups", "--query", "logGroups[?logGroupName == 'app'] | [0]"}},
	{"streams, --page-size", []string{"describe-log-streams", "--log-group-name", "app", "--page-size", "1"},
		[]string{"describe-log-streams", `{"logGroupName": "app"}`, "--page-size", "1"}},
	{"streams, --max-items, text", []string{"describe-log-streams", "--log-group-name", "app", "--page-size", "1", "--max-items", "2", "--output", "text"},
		[]string{"describe-log-streams", `{"logGroupName": "app"}`, "--page-size", "1", "--max-items", "2", "--output", "text"}},
	// {"nextToken": null, "boto_truncate_amount": 1}, as aws --max-items 1 prints it.
	{"streams, --starting-token", []string{"describe-log-streams", "--log-group-name", "app", "--page-size", "2", "--max-items", "1", "--starting-token", "eyJuZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAxfQ=="},
		[]string{"describe-log-streams", `{"logGroupName": "app"}`, "--page-size", "2", "--max-items", "1", "--starting-token", "eyJuZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAxfQ=="}},
	{"events, json", []string{"get-log-events", "--log-group-name", "app", "--log-stream-name", "web-1", "--start-from-head"},
		[]string{"get-log-events", `{"logGroupName": "app", "logStreamName": "web-1", "startFromHead": true}`}},
	{"events, text", []string{"get-log-events", "--log-group-name", "app", "--log-stream-name", "web-1", "--output", "text"},
		[]string{"get-log-events", `{"logGroupName": "app", "logStreamName": "web-1"}`, "--output", "text"}},
	{"filtered events, json", []string{"filter-log-events", "--log-group-name", "app"}, []string{"filter-log-events", `{"logGroupName": "app"}`}},
	{"filtered events, table", []string{"filter-log-events", "--log-group-name", "app", "--query", "events[1]", "--output", "table"},
		[]string{"filter-log-events", `{"logGroupName": "app"}`, "--query", "events[1]", "--output", "table"}},
	{"metric filters, json", []string{"describe-metric-filters", "--log-group-name", "app"}, []string{"describe-metric-filters", `{"logGroupName": "app"}`}},
	{"metric filters, text", []string{"describe-metric-filters", "--log-group-name", "app", "--output", "text"},
		[]string{"describe-metric-filters", `{"logGroupName": "app"}`, "--output", "text"}},
	{"tags, json", []string{"list-tags-for-resource", "--resource-arn", "arn:aws:logs:us-east-1:123456789012:log-group:app"},
		[]string{"list-tags-for-resource", `{"resourceArn": "arn:aws:logs:us-east-1:123456789012:log-group:app"}`}},
	{"tags, table", []string{"list-tags-log-group", "--log-group-name", "app", "--output", "table"},
		[]string{"list-tags-log-group", `{"logGroupName": "app"}`, "--output", "table"}},
	{"skeleton", []string{"create-log-stream", "--generate-cli-skeleton"}, []string{"create-log-stream", "--generate-cli-skeleton"}},
}

// TestCallMotoAWSCLI runs motoDiffCases with AWS CLI v1 (and v2 with CWLOGS_AWS_CLI_V2) and
// call against moto_server, and compares their stdout byte for byte; and PutLogEvents with
// events too old and too new, which moto rejects (each tool writes to its own stream).
func TestCallMotoAWSCLI(t *testing.T) {
	clis := awsCLIs(t)
	endpoint := testpeer.Moto(t)
	seed := append(slices.Clone(appAndWeb),
		apiCall{"PutMetricFilter", `{"logGroupName": "app", "filterName": "errors", "filterPattern": "ERROR", "metricTransformations": [{"metricName": "Errors", "metricNamespace": "App", "metricValue": "1", "defaultValue": 0}]}`},
		apiCall{"PutMetricFilter", `{"logGroupName": "app", "filterName": "status", "filterPattern": "[ip, status]", "metricTransformations": [{"metricName": "Requests", "metricNamespace": "App", "metricValue": "1", "dimensions": {"status": "$status"}, "unit": "Count"}]}`},
	)
	for name := range clis {
		seed = append(seed, apiCall{"CreateLogStream", `{"logGroupName": "web", "logStreamName": "put-` + name + `"}`})
	}
	seed = append(seed, apiCall{"CreateLogStream", `{"logGroupName": "web", "logStreamName": "put-call"}`})
	invokeAll(t, seedClient(t, endpoint), seed)
	base := time.Now().Add(-time.Minute).Truncate(time.Second)
	seedEvents(t, endpoint, "app", "web-1", base, map[int64]string{0: "GET / 200\t12ms", 1: "ログ：エラー", 2: "ERROR timeout"})
	seedEvents(t, endpoint, "app", "web-2", base, map[int64]string{3: "10.0.0.1 500"})

	c := newCLI(t, "")
	call := func(args ...string) result {
		return c.run("", append(append([]string{"call"}, args...), "--endpoint-url", endpoint)...)
	}
	// Writes first, each tool to its own stream, so that the reads see the same data.
	now := time.Now().UnixMilli()
	events := fmt.Sprintf(`[{"timestamp": 1000, "message": "old"}, {"timestamp": %d, "message": "ok"}, {"timestamp": %d, "message": "future"}]`, now, now+100*24*3600*1000)
	want := call("put-log-events", `{"logGroupName": "web", "logStreamName": "put-call", "logEvents": `+events+`}`)
	if want.code != 0 || !strings.Contains(want.stdout, "rejectedLogEventsInfo") {
		t.Errorf("put-log-events: exit %d, stdout %q, stderr %q: want rejected events", want.code, want.stdout, want.stderr)
	}
	for name, aws := range clis {
		args := []string{"put-log-events", "--log-group-name", "web", "--log-stream-name", "put-" + name, "--log-events", events}
		got, code := runAWSEnv(t, aws.path, aws.env, endpoint, args...)
		if (got != want.stdout || code != want.code) && !otherModel(t, name, aws, endpoint, args) {
			t.Errorf("put-log-events: aws %s (exit %d):\n%s\ncwlogs call (exit %d):\n%s", name, code, got, want.code, want.stdout)
		}
	}

	t.Run("reads", func(t *testing.T) {
		for _, tc := range motoDiffCases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				want := call(tc.call...)
				for name, aws := range clis {
					got, code := runAWSEnv(t, aws.path, aws.env, endpoint, tc.aws...)
					if (got != want.stdout || (code != 0) != (want.code != 0)) && !otherModel(t, name, aws, endpoint, tc.aws) {
						t.Errorf("aws %s %s (exit %d):\n%s\ncwlogs call %s (exit %d, stderr %q):\n%s", name, strings.Join(tc.aws, " "), code, got,
							strings.Join(tc.call, " "), want.code, want.stderr, want.stdout)
					}
				}
			})
		}
	})
}
