package conformance

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/internal/testpeer"
)

// queryDiffCase is one differential case of TestCallQueryAWSCLI: `aws logs AWS...` and
// `cwlogs call CALL...`, which must print the same bytes on stdout (and both succeed or both
// fail). With tty, both run with stdout on a terminal (a table in colour).
type queryDiffCase struct {
	name      string
	aws, call []string
	tty       bool
}

// queryDiffCases: --query and --output (json, text, table) over describe-log-groups,
// describe-log-streams, filter-log-events, get-log-events and describe-metric-filters. Both
// page by default; aws's request flags are call's JSON input, and the paging flags
// (--no-paginate, --page-size, --max-items) are the same.
var queryDiffCases = []queryDiffCase{
	{name: "groups, json, no query",
		aws: []string{"describe-log-groups", "--no-paginate"}, call: []string{"describe-log-groups"}},
	{name: "group names, text: a list of scalars",
		aws:  []string{"describe-log-groups", "--query", "logGroups[].logGroupName", "--output", "text"},
		call: []string{"describe-log-groups", "--query", "logGroups[].logGroupName", "--output", "text"}},
	{name: "groups, text: a list of objects",
		aws:  []string{"describe-log-groups", "--output", "text"},
		call: []string{"describe-log-groups", "--output", "text"}},
	{name: "groups, table",
		aws:  []string{"describe-log-groups", "--output", "table"},
		call: []string{"describe-log-groups", "--output", "table"}},
	{name: "names and retention (null), text",
		aws:  []string{"describe-log-groups", "--no-paginate", "--query", "logGroups[].[logGroupName, retentionInDays]", "--output", "text"},
		call: []string{"describe-log-groups", "--no-paginate", "--query", "logGroups[].[logGroupName, retentionInDays]", "--output", "text"}},
	{name: "multi-select hash, numbers and a function, json",
		aws:  []string{"describe-log-groups", "--query", "{count: length(logGroups), bytes: sum(logGroups[].storedBytes), names: logGroups[].logGroupName, z: logGroups[0].{b: logGroupName, a: retentionInDays}}"},
		call: []string{"describe-log-groups", "--query", "{count: length(logGroups), bytes: sum(logGroups[].storedBytes), names: logGroups[].logGroupName, z: logGroups[0].{b: logGroupName, a: retentionInDays}}"}},
	{name: "filter, pipe and index, text",
		aws:  []string{"describe-log-groups", "--query", "logGroups[?retentionInDays >= `7`] | [-1].logGroupName", "--output", "text"},
		call: []string{"describe-log-groups", "--query", "logGroups[?retentionInDays >= `7`] | [-1].logGroupName", "--output", "text"}},
	{name: "missing member: null, json",
		aws:  []string{"describe-log-groups", "--no-paginate", "--query", "logGroups[0].kmsKeyId"},
		call: []string{"describe-log-groups", "--no-paginate", "--query", "logGroups[0].kmsKeyId"}},
	{name: "missing member: None, text",
		aws:  []string{"describe-log-groups", "--no-paginate", "--query", "logGroups[0].kmsKeyId", "--output", "text"},
		call: []string{"describe-log-groups", "--no-paginate", "--query", "logGroups[0].kmsKeyId", "--output", "text"}},
	{name: "empty result, text",
		aws:  []string{"describe-log-groups", "--log-group-name-prefix", "none", "--output", "text"},
		call: []string{"describe-log-groups", `{"logGroupNamePrefix": "none"}`, "--output", "text"}},
	{name: "empty list, json",
		aws:  []string{"describe-log-groups", "--log-group-name-prefix", "none", "--query", "logGroups"},
		call: []string{"describe-log-groups", `{"logGroupNamePrefix": "none"}`, "--query", "logGroups"}},
	{name: "empty list, table",
		aws:  []string{"describe-log-groups", "--log-group-name-prefix", "none", "--query", "logGroups", "--output", "table"},
		call: []string{"describe-log-groups", `{"logGroupNamePrefix": "none"}`, "--query", "logGroups", "--output", "table"}},
	{name: "streams: a page per line, text",
		aws:  []string{"describe-log-streams", "--log-group-name", "app", "--page-size", "2", "--query", "logStreams[].logStreamName", "--output", "text"},
		call: []string{"describe-log-streams", `{"logGroupName": "app"}`, "--page-size", "2", "--query", "logStreams[].logStreamName", "--output", "text"}},
	{name: "streams: --max-items cuts a page, NextToken queried, text",
		aws:  []string{"describe-log-streams", "--log-group-name", "app", "--page-size", "2", "--max-items", "3", "--query", "logStreams[].logStreamName", "--output", "text"},
		call: []string{"describe-log-streams", `{"logGroupName": "app"}`, "--page-size", "2", "--max-items", "3", "--query", "logStreams[].logStreamName", "--output", "text"}},
	{name: "streams: NEXTTOKEN line, text",
		aws:  []string{"describe-log-streams", "--log-group-name", "app", "--page-size", "2", "--max-items", "1", "--output", "text"},
		call: []string{"describe-log-streams", `{"logGroupName": "app"}`, "--page-size", "2", "--max-items", "1", "--output", "text"}},
	{name: "streams: query on the merged pages and NextToken, json",
		aws:  []string{"describe-log-streams", "--log-group-name", "app", "--page-size", "2", "--max-items", "3", "--query", "{names: logStreams[].logStreamName, next: NextToken, sizes: logStreams[].storedBytes}"},
		call: []string{"describe-log-streams", `{"logGroupName": "app"}`, "--page-size", "2", "--max-items", "3", "--query", "{names: logStreams[].logStreamName, next: NextToken, sizes: logStreams[].storedBytes}"}},
	{name: "streams: sort_by, slice, table",
		aws:  []string{"describe-log-streams", "--log-group-name", "app", "--query", "sort_by(logStreams, &logStreamName)[1:3].{name: logStreamName, first: firstEventTimestamp}", "--output", "table"},
		call: []string{"describe-log-streams", `{"logGroupName": "app"}`, "--query", "sort_by(logStreams, &logStreamName)[1:3].{name: logStreamName, first: firstEventTimestamp}", "--output", "table"}},
	{name: "events, text",
		aws:  []string{"filter-log-events", "--log-group-name", "app", "--output", "text"},
		call: []string{"filter-log-events", `{"logGroupName": "app"}`, "--output", "text"}},
	{name: "events: two per page, text",
		aws:  []string{"filter-log-events", "--log-group-name", "app", "--page-size", "2", "--query", "events[].[logStreamName, message]", "--output", "text"},
		call: []string{"filter-log-events", `{"logGroupName": "app"}`, "--page-size", "2", "--query", "events[].[logStreamName, message]", "--output", "text"}},
	{name: "events matching a pattern, table",
		aws:  []string{"filter-log-events", "--log-group-name", "app", "--filter-pattern", "ERROR", "--output", "table"},
		call: []string{"filter-log-events", `{"logGroupName": "app", "filterPattern": "ERROR"}`, "--output", "table"}},
	{name: "one stream's messages, text",
		aws:  []string{"get-log-events", "--log-group-name", "app", "--log-stream-name", "web-1", "--start-from-head", "--query", "events[].message", "--output", "text"},
		call: []string{"get-log-events", `{"logGroupName": "app", "logStreamName": "web-1", "startFromHead": true}`, "--query", "events[].message", "--output", "text"}},
	{name: "one stream, wide characters, table",
		aws:  []string{"get-log-events", "--log-group-name", "app", "--log-stream-name", "web-1", "--start-from-head", "--query", "events[].{m: message, ts: timestamp}", "--output", "table"},
		call: []string{"get-log-events", `{"logGroupName": "app", "logStreamName": "web-1", "startFromHead": true}`, "--query", "events[].{m: message, ts: timestamp}", "--output", "table"}},
	{name: "metric filters: nested lists and a map, text",
		aws:  []string{"describe-metric-filters", "--log-group-name", "app", "--output", "text"},
		call: []string{"describe-metric-filters", `{"logGroupName": "app"}`, "--output", "text"}},
	{name: "metric filters, table",
		aws:  []string{"describe-metric-filters", "--log-group-name", "app", "--output", "table"},
		call: []string{"describe-metric-filters", `{"logGroupName": "app"}`, "--output", "table"}},
	{name: "metric filters: floats selected, json",
		aws:  []string{"describe-metric-filters", "--log-group-name", "app", "--query", "metricFilters[].metricTransformations[].[defaultValue, dimensions, unit]"},
		call: []string{"describe-metric-filters", `{"logGroupName": "app"}`, "--query", "metricFilters[].metricTransformations[].[defaultValue, dimensions, unit]"}},
	{name: "metric filters: filtered on a float, json",
		aws:  []string{"describe-metric-filters", "--log-group-name", "app", "--query", "metricFilters[?metricTransformations[0].defaultValue > `1`]"},
		call: []string{"describe-metric-filters", `{"logGroupName": "app"}`, "--query", "metricFilters[?metricTransformations[0].defaultValue > `1`]"}},
	{name: "metric filters: a dict with a nested list, text",
		aws:  []string{"describe-metric-filters", "--log-group-name", "app", "--query", "metricFilters[0]", "--output", "text"},
		call: []string{"describe-metric-filters", `{"logGroupName": "app"}`, "--query", "metricFilters[0]", "--output", "text"}},
	{name: "sort_by leaves the answer's list as it was, json",
		aws:  []string{"describe-log-groups", "--query", "{sorted: sort_by(logGroups, &length(logGroupName))[].logGroupName, last: logGroups[-1].logGroupName}"},
		call: []string{"describe-log-groups", "--query", "{sorted: sort_by(logGroups, &length(logGroupName))[].logGroupName, last: logGroups[-1].logGroupName}"}},
	{name: "empty: merge of a list fails, json",
		aws:  []string{"describe-log-groups", "--query", "merge(logGroups)"},
		call: []string{"describe-log-groups", "--query", "merge(logGroups)"}},
	{name: "empty: an expression reference fails, json",
		aws:  []string{"describe-log-groups", "--query", "&logGroups"},
		call: []string{"describe-log-groups", "--query", "&logGroups"}},
	{name: "groups, table on a terminal", tty: true,
		aws:  []string{"describe-log-groups", "--output", "table"},
		call: []string{"describe-log-groups", "--output", "table"}},
	{name: "metric filters, table on a terminal", tty: true,
		aws:  []string{"describe-metric-filters", "--log-group-name", "app", "--output", "table"},
		call: []string{"describe-metric-filters", `{"logGroupName": "app"}`, "--output", "table"}},
}

// TestCallQueryAWSCLI is the differential test of `cwlogs call --query Q --output O`: every
// case of queryDiffCases runs through AWS CLI v1, AWS CLI v2 and cwlogs against the same
// local server, and all three must print the same bytes.
//
// AWS CLI v2 here (Debian's 2.9.19) carries a model of CloudWatch Logs from 2023, which lacks
// members that the server sends (logGroupArn, logGroupClass, applyOnTransformedLogs, ...):
// botocore leaves out the members its model does not have, so v2 would print less than v1.
// v2 is given v1's model (botocore's data, through AWS_DATA_PATH, as `aws configure
// add-model` would) so that the test compares the formatters and not the models' ages.
func TestCallQueryAWSCLI(t *testing.T) {
	t.Parallel()
	v1, v2 := findCLI(t, 1), findCLI(t, 2)
	srv := startServer(t)
	seedQueryDiff(t, srv.URL())
	cwlogsBin := buildCwlogs(t)
	v1.configure(t, srv.URL(), testAccessKeyID, testSecretAccessKey)
	v2.configure(t, srv.URL(), testAccessKeyID, testSecretAccessKey)
	v2 = v2.with("AWS_DATA_PATH=" + logsModelDir(t, v1))
	t.Logf("%s at %s; %s at %s with %s's model", v1.version, v1.path, v2.version, v2.path, v1.version)
	cwlogsEnv := append(append([]string(nil), v1.env...), "AWS_EC2_METADATA_DISABLED=true")

	for _, tc := range queryDiffCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.tty && !ptySupported {
				t.Skip("no pseudo-terminals here")
			}
			awsArgs := append(append([]string{"logs"}, tc.aws...), "--endpoint-url", srv.URL())
			callArgs := append(append([]string{"call"}, tc.call...), "--endpoint-url", srv.URL())
			var (
				wg      sync.WaitGroup
				results [3]runResult
			)
			for i, run := range []func() runResult{
				func() runResult { return v1.run(awsArgs, tc.tty) },
				func() runResult { return v2.run(awsArgs, tc.tty) },
				func() runResult { return runProgram(cwlogsBin, cwlogsEnv, callArgs, tc.tty) },
			} {
				wg.Go(func() { results[i] = run() })
			}
			wg.Wait()
			for i, res := range results {
				if res.err != nil {
					t.Fatalf("%s: %v\nstderr: %s", []string{"aws v1", "aws v2", "cwlogs"}[i], res.err, res.stderr)
				}
			}
			r1, r2, rc := results[0], results[1], results[2]
			if r1.stdout != r2.stdout || (r1.code == 0) != (r2.code == 0) {
				t.Errorf("AWS CLI v1 and v2 differ: exit %d and %d\nv1:\n%s\nv2:\n%s", r1.code, r2.code, r1.stdout, r2.stdout)
			}
			if rc.stdout != r2.stdout || (rc.code == 0) != (r2.code == 0) {
				t.Errorf("cwlogs %s\nexit %d, stdout:\n%s\nstderr: %s\naws logs %s (v2: exit %d, stdout):\n%s",
					shellJoin(callArgs[:len(callArgs)-2]), rc.code, rc.stdout, rc.stderr, shellJoin(awsArgs[1:len(awsArgs)-2]), r2.code, r2.stdout)
			}
			if rc.stdout == "" && !strings.Contains(tc.name, "empty") {
				t.Errorf("nothing printed: the case tests nothing")
			}
			if tc.tty && !strings.Contains(rc.stdout, "\x1b[") {
				t.Errorf("no colour on the terminal: the case tests nothing")
			}
		})
	}
}

// seedQueryDiff stores the data of queryDiffCases: groups with and without retention, five
// streams (two without events), events with a tab, a JSON message and wide characters, and
// metric filters with float default values, dimensions (a map) and a unit.
func seedQueryDiff(t *testing.T, endpoint string) {
	c := newClient(t, endpoint)
	ctx := context.Background()
	now := time.Now().Add(-time.Minute).Truncate(time.Second).UnixMilli()
	for _, call := range []struct{ op, body string }{
		{"CreateLogGroup", `{"logGroupName": "app", "tags": {"team": "payments", "env": "prod"}}`},
		{"PutRetentionPolicy", `{"logGroupName": "app", "retentionInDays": 30}`},
		{"CreateLogGroup", `{"logGroupName": "audit"}`},
		{"PutRetentionPolicy", `{"logGroupName": "audit", "retentionInDays": 7}`},
		{"CreateLogGroup", `{"logGroupName": "web"}`},
		{"CreateLogStream", `{"logGroupName": "app", "logStreamName": "web-1"}`},
		{"CreateLogStream", `{"logGroupName": "app", "logStreamName": "web-2"}`},
		{"CreateLogStream", `{"logGroupName": "app", "logStreamName": "worker"}`},
		{"CreateLogStream", `{"logGroupName": "app", "logStreamName": "idle-1"}`},
		{"CreateLogStream", `{"logGroupName": "app", "logStreamName": "idle-2"}`},
		{"PutLogEvents", fmt.Sprintf(`{"logGroupName": "app", "logStreamName": "web-1", "logEvents": [
			{"timestamp": %d, "message": "GET / 200\t12ms"}, {"timestamp": %d, "message": "ログ：エラー ±"},
			{"timestamp": %d, "message": "ERROR timeout"}]}`, now, now+1, now+2)},
		{"PutLogEvents", fmt.Sprintf(`{"logGroupName": "app", "logStreamName": "web-2", "logEvents": [
			{"timestamp": %d, "message": "{\"level\": \"ERROR\", \"latency\": 2.5}"}]}`, now+3)},
		{"PutLogEvents", fmt.Sprintf(`{"logGroupName": "app", "logStreamName": "worker", "logEvents": [
			{"timestamp": %d, "message": "job done"}]}`, now+4)},
		{"PutMetricFilter", `{"logGroupName": "app", "filterName": "errors", "filterPattern": "ERROR", "metricTransformations": [{"metricName": "Errors", "metricNamespace": "App", "metricValue": "1", "defaultValue": 0}]}`},
		{"PutMetricFilter", `{"logGroupName": "app", "filterName": "latency", "filterPattern": "{ $.latency > 0 }", "metricTransformations": [{"metricName": "Latency", "metricNamespace": "App", "metricValue": "$.latency", "defaultValue": 1.5, "unit": "Milliseconds"}]}`},
		{"PutMetricFilter", `{"logGroupName": "app", "filterName": "status", "filterPattern": "[ip, status, latency]", "metricTransformations": [{"metricName": "Requests", "metricNamespace": "App", "metricValue": "1", "dimensions": {"status": "$status", "ip": "$ip"}}]}`},
	} {
		if _, err := c.Invoke(ctx, call.op, []byte(call.body)); err != nil {
			t.Fatalf("%s: %v", call.op, err)
		}
	}
}

// buildCwlogs builds the cwlogs command into a temporary directory. Its sources are read here
// too: go test caches a result by the files the test opens, and does not see those that go
// build reads, so that a change to the command would not run the test again.
func buildCwlogs(t *testing.T) string {
	t.Helper()
	srcs, err := filepath.Glob("../../cmd/cwlogs/*")
	if err != nil || len(srcs) == 0 {
		t.Fatalf("cmd/cwlogs sources: %v", err)
	}
	for _, f := range append(srcs, "../../go.mod", "../../go.sum") {
		if _, err := os.ReadFile(f); err != nil && !errors.Is(err, syscall.EISDIR) {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(t.TempDir(), "cwlogs")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/cwlogs/cwlogs/cmd/cwlogs").CombinedOutput()
	if err != nil {
		t.Fatalf("building cwlogs: %v\n%s", err, out)
	}
	return bin
}

// logsModelDir returns a directory for AWS_DATA_PATH holding the CloudWatch Logs model of
// cli's botocore (service-2.json and paginators-1.json): the botocore of the Python that runs
// it (its #! line).
func logsModelDir(t *testing.T, cli *awsCLI) string {
	t.Helper()
	python := "python3"
	if f, err := os.Open(cli.path); err == nil {
		line, _ := bufio.NewReader(f).ReadString('\n')
		f.Close()
		if p, ok := strings.CutPrefix(strings.TrimSpace(line), "#!"); ok && !strings.Contains(p, " ") {
			python = p
		}
	}
	out, err := exec.Command(python, "-c", "import botocore, os; print(os.path.dirname(botocore.__file__))").Output()
	if err != nil {
		t.Fatalf("finding %s's botocore with %s: %v", cli.version, python, err)
	}
	src := filepath.Join(strings.TrimSpace(string(out)), "data", "logs", "2014-03-28")
	dst := filepath.Join(t.TempDir(), "logs", "2014-03-28")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"service-2.json", "paginators-1.json"} {
		data, err := os.ReadFile(filepath.Join(src, name))
		if errors.Is(err, os.ErrNotExist) {
			data, err = readGzip(filepath.Join(src, name+".gz"))
		}
		if err != nil {
			t.Fatalf("%s's model: %v", cli.version, err)
		}
		if err := os.WriteFile(filepath.Join(dst, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Dir(filepath.Dir(dst))
}

func readGzip(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(z)
}

// runResult is what a program printed and its exit status; err is set when it could not be
// run (or timed out).
type runResult struct {
	stdout, stderr string
	code           int
	err            error
}

// run runs `aws FULL...` as runProgram does, through testpeer.RunAWSCLI (in a runner) unless
// stdout must be a terminal.
func (c *awsCLI) run(full []string, tty bool) runResult {
	if tty {
		return runProgram(c.path, c.env, full, tty)
	}
	stdout, stderr, code, err := testpeer.RunAWSCLI(c.path, c.version, c.env, full)
	return runResult{stdout: string(stdout), stderr: string(stderr), code: code, err: err}
}

// runProgram runs path with args and env, stdout on a pseudo-terminal when tty.
func runProgram(path string, env, args []string, tty bool) runResult {
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stderr = &stderr
	var err error
	if tty {
		var out string
		out, err = runOnPTY(cmd)
		stdout.WriteString(out)
	} else {
		cmd.Stdout = &stdout
		err = cmd.Run()
	}
	r := runResult{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ctx.Err() == nil:
		r.code = ee.ExitCode()
	default:
		r.err = err
	}
	return r
}
