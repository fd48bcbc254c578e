package main

import (
	"encoding/json"
	"strings"
	"testing"

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
