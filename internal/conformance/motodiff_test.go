package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/internal/testpeer"
)

// The differential suite sends one scripted sequence of raw JSON requests to moto_server and
// to the local server and compares the answers field by field: HTTP status, __type, message
// and the JSON document, except request-dependent values (times the servers assign, tokens,
// event ids, the account in ARNs), which are compared by presence only. Every difference
// must be listed in motoDifferences (motodiff_table_test.go) with the side that follows AWS;
// an unlisted difference fails the test, and so does a listed one that no longer occurs.

// diffStep is one request of the script. In body, a string value "$name" is replaced by the
// value saved under name on the same side (tokens differ between the servers).
type diffStep struct {
	name string
	op   string
	body map[string]any
	// save maps a variable name to a top-level response member to remember.
	save map[string]string
}

// s is the step name: operation op with body (the scripts' shorthand).
func s(name, op string, body map[string]any) diffStep {
	return diffStep{name: name, op: op, body: body}
}

// saving is st remembering, under each key of save, the response member it names.
func saving(st diffStep, save map[string]string) diffStep {
	st.save = save
	return st
}

// Members whose values the servers choose: compared by presence (and, for tokens, by
// whether they equal the token sent).
var (
	timeMembers  = map[string]bool{"creationTime": true, "ingestionTime": true, "lastIngestionTime": true}
	tokenMembers = map[string]bool{"nextToken": true, "nextForwardToken": true, "nextBackwardToken": true,
		"nextSequenceToken": true, "uploadSequenceToken": true}
	idMembers = map[string]bool{"eventId": true}
	accountRE = regexp.MustCompile(`:\d{12}:`)
	// Shapes of AWS's GetLogEvents tokens and FilterLogEvents event ids
	// (cloudwatch-logs-api.md §8); moto's older token shape lacks "/s".
	getTokenRE    = regexp.MustCompile(`^[fb]/\d{56}/s$`)
	oldGetTokenRE = regexp.MustCompile(`^[fb]/\d{56}$`)
	eventIDRE     = regexp.MustCompile(`^\d{56}$`)
)

// diffScript is the scripted sequence. Times are relative to now.
func diffScript(now time.Time) []diffStep {
	base := now.Add(-10 * time.Minute).UnixMilli()
	old := now.Add(-15 * 24 * time.Hour).UnixMilli()
	future := now.Add(3 * time.Hour).UnixMilli()
	ev := func(ts int64, msg string) map[string]any { return map[string]any{"timestamp": ts, "message": msg} }
	g := "/diff/app"
	arn := "arn:aws:logs:us-east-1:" + testAccountID + ":log-group:" + g
	return append([]diffStep{
		// Groups and streams.
		s("create group with tags", "CreateLogGroup", map[string]any{"logGroupName": g, "tags": map[string]any{"env": "test", "team": "logs"}}),
		s("create group b", "CreateLogGroup", map[string]any{"logGroupName": "/diff/b"}),
		s("create group c", "CreateLogGroup", map[string]any{"logGroupName": "/diff/c"}),
		s("create group other", "CreateLogGroup", map[string]any{"logGroupName": "/other/d"}),
		s("create group duplicate", "CreateLogGroup", map[string]any{"logGroupName": g}),
		s("create stream s1", "CreateLogStream", map[string]any{"logGroupName": g, "logStreamName": "s1"}),
		s("create stream s2", "CreateLogStream", map[string]any{"logGroupName": g, "logStreamName": "s2"}),
		s("create stream s3", "CreateLogStream", map[string]any{"logGroupName": g, "logStreamName": "s3"}),
		s("create stream duplicate", "CreateLogStream", map[string]any{"logGroupName": g, "logStreamName": "s1"}),
		s("create stream in missing group", "CreateLogStream", map[string]any{"logGroupName": "/diff/missing", "logStreamName": "s1"}),

		// Puts.
		s("put s1", "PutLogEvents", map[string]any{"logGroupName": g, "logStreamName": "s1", "logEvents": []any{
			ev(base, "ERROR disk full"), ev(base+1000, "INFO started"), ev(base+2000, "ERROR timeout calling db"),
			ev(base+3000, "WARN slow"), ev(base+4000, `{"level":"error","status":500}`)}}),
		s("put s2 too old and too new", "PutLogEvents", map[string]any{"logGroupName": g, "logStreamName": "s2", "logEvents": []any{
			ev(old, "too old"), ev(base+1500, "INFO s2 accepted"), ev(future, "too new")}}),
		s("put s2 two too new", "PutLogEvents", map[string]any{"logGroupName": g, "logStreamName": "s2", "logEvents": []any{
			ev(future, "too new 1"), ev(future+1, "too new 2")}}),
		s("put s3", "PutLogEvents", map[string]any{"logGroupName": g, "logStreamName": "s3", "logEvents": []any{
			ev(base+5000, "ERROR s3 late")}}),
		s("put to missing stream", "PutLogEvents", map[string]any{"logGroupName": g, "logStreamName": "nope", "logEvents": []any{ev(base, "x")}}),
		s("put to missing group", "PutLogEvents", map[string]any{"logGroupName": "/diff/missing", "logStreamName": "s1", "logEvents": []any{ev(base, "x")}}),
		s("put out of order", "PutLogEvents", map[string]any{"logGroupName": g, "logStreamName": "s1", "logEvents": []any{
			ev(base+9000, "later"), ev(base+8000, "earlier")}}),
		s("put empty batch", "PutLogEvents", map[string]any{"logGroupName": g, "logStreamName": "s1", "logEvents": []any{}}),

		// DescribeLogGroups.
		s("describe groups", "DescribeLogGroups", map[string]any{}),
		s("describe groups by prefix", "DescribeLogGroups", map[string]any{"logGroupNamePrefix": "/diff/"}),
		saving(s("describe groups limit 2", "DescribeLogGroups", map[string]any{"limit": 2}), map[string]string{"groupsToken": "nextToken"}),
		s("describe groups page 2", "DescribeLogGroups", map[string]any{"limit": 2, "nextToken": "$groupsToken"}),
		s("describe groups limit 0", "DescribeLogGroups", map[string]any{"limit": 0}),
		s("describe groups limit 51", "DescribeLogGroups", map[string]any{"limit": 51}),

		// DescribeLogStreams.
		s("describe streams", "DescribeLogStreams", map[string]any{"logGroupName": g}),
		saving(s("describe streams limit 2", "DescribeLogStreams", map[string]any{"logGroupName": g, "limit": 2}), map[string]string{"streamsToken": "nextToken"}),
		s("describe streams page 2", "DescribeLogStreams", map[string]any{"logGroupName": g, "limit": 2, "nextToken": "$streamsToken"}),
		s("describe streams by last event descending", "DescribeLogStreams", map[string]any{"logGroupName": g, "orderBy": "LastEventTime", "descending": true}),
		s("describe streams by prefix", "DescribeLogStreams", map[string]any{"logGroupName": g, "logStreamNamePrefix": "s"}),
		s("describe streams LastEventTime with prefix", "DescribeLogStreams", map[string]any{"logGroupName": g, "orderBy": "LastEventTime", "logStreamNamePrefix": "s"}),
		s("describe streams limit 51", "DescribeLogStreams", map[string]any{"logGroupName": g, "limit": 51}),
		s("describe streams of missing group", "DescribeLogStreams", map[string]any{"logGroupName": "/diff/missing"}),

		// GetLogEvents: pages of two from the head to the end of the stream.
		saving(s("get page 1", "GetLogEvents", map[string]any{"logGroupName": g, "logStreamName": "s1", "startFromHead": true, "limit": 2}),
			map[string]string{"f1": "nextForwardToken"}),
		saving(s("get page 2", "GetLogEvents", map[string]any{"logGroupName": g, "logStreamName": "s1", "startFromHead": true, "limit": 2, "nextToken": "$f1"}),
			map[string]string{"f2": "nextForwardToken"}),
		saving(s("get page 3", "GetLogEvents", map[string]any{"logGroupName": g, "logStreamName": "s1", "startFromHead": true, "limit": 2, "nextToken": "$f2"}),
			map[string]string{"f3": "nextForwardToken"}),
		s("get end of stream", "GetLogEvents", map[string]any{"logGroupName": g, "logStreamName": "s1", "startFromHead": true, "limit": 2, "nextToken": "$f3"}),
		saving(s("get tail", "GetLogEvents", map[string]any{"logGroupName": g, "logStreamName": "s1", "limit": 2}),
			map[string]string{"b1": "nextBackwardToken"}),
		s("get backward page", "GetLogEvents", map[string]any{"logGroupName": g, "logStreamName": "s1", "limit": 2, "nextToken": "$b1"}),
		s("get time range", "GetLogEvents", map[string]any{"logGroupName": g, "logStreamName": "s1", "startFromHead": true,
			"startTime": base + 1000, "endTime": base + 3000}),
		s("get bad token", "GetLogEvents", map[string]any{"logGroupName": g, "logStreamName": "s1", "nextToken": "f/garbage"}),
		s("get limit 10001", "GetLogEvents", map[string]any{"logGroupName": g, "logStreamName": "s1", "limit": 10001}),
		s("get missing stream", "GetLogEvents", map[string]any{"logGroupName": g, "logStreamName": "nope"}),
		s("get missing group", "GetLogEvents", map[string]any{"logGroupName": "/diff/missing", "logStreamName": "s1"}),

		// FilterLogEvents with simple term patterns.
		s("filter all", "FilterLogEvents", map[string]any{"logGroupName": g}),
		s("filter ERROR", "FilterLogEvents", map[string]any{"logGroupName": g, "filterPattern": "ERROR"}),
		s("filter ERROR timeout", "FilterLogEvents", map[string]any{"logGroupName": g, "filterPattern": "ERROR timeout"}),
		s("filter quoted phrase", "FilterLogEvents", map[string]any{"logGroupName": g, "filterPattern": `"disk full"`}),
		s("filter stream s1 ERROR", "FilterLogEvents", map[string]any{"logGroupName": g, "logStreamNames": []any{"s1"}, "filterPattern": "ERROR"}),
		s("filter time range", "FilterLogEvents", map[string]any{"logGroupName": g, "startTime": base + 1000, "endTime": base + 3000}),
		saving(s("filter limit 3", "FilterLogEvents", map[string]any{"logGroupName": g, "limit": 3}), map[string]string{"filterToken": "nextToken"}),
		s("filter page 2", "FilterLogEvents", map[string]any{"logGroupName": g, "limit": 3, "nextToken": "$filterToken"}),
		s("filter bad token", "FilterLogEvents", map[string]any{"logGroupName": g, "nextToken": "garbage"}),
		s("filter missing group", "FilterLogEvents", map[string]any{"logGroupName": "/diff/missing"}),
		s("filter missing stream name", "FilterLogEvents", map[string]any{"logGroupName": g, "logStreamNames": []any{"s1", "no-such-stream"}}),

		// Retention.
		s("put retention 7", "PutRetentionPolicy", map[string]any{"logGroupName": g, "retentionInDays": 7}),
		s("describe group with retention", "DescribeLogGroups", map[string]any{"logGroupNamePrefix": g}),
		s("put retention 8", "PutRetentionPolicy", map[string]any{"logGroupName": g, "retentionInDays": 8}),
		s("put retention missing group", "PutRetentionPolicy", map[string]any{"logGroupName": "/diff/missing", "retentionInDays": 7}),
		s("delete retention", "DeleteRetentionPolicy", map[string]any{"logGroupName": g}),
		s("describe group without retention", "DescribeLogGroups", map[string]any{"logGroupNamePrefix": g}),

		// Tags, both APIs.
		s("list tags", "ListTagsForResource", map[string]any{"resourceArn": arn}),
		s("tag resource", "TagResource", map[string]any{"resourceArn": arn, "tags": map[string]any{"k": "v", "env": "prod"}}),
		s("untag resource", "UntagResource", map[string]any{"resourceArn": arn, "tagKeys": []any{"team"}}),
		s("list tags after", "ListTagsForResource", map[string]any{"resourceArn": arn}),
		s("tag log group", "TagLogGroup", map[string]any{"logGroupName": g, "tags": map[string]any{"legacy": "yes"}}),
		s("untag log group", "UntagLogGroup", map[string]any{"logGroupName": g, "tags": []any{"k"}}),
		s("list tags log group", "ListTagsLogGroup", map[string]any{"logGroupName": g}),
		s("list tags of missing group", "ListTagsForResource", map[string]any{"resourceArn": arn + "-missing"}),

		// Deletes.
		s("delete stream s3", "DeleteLogStream", map[string]any{"logGroupName": g, "logStreamName": "s3"}),
		s("delete stream s3 again", "DeleteLogStream", map[string]any{"logGroupName": g, "logStreamName": "s3"}),
		s("delete group other", "DeleteLogGroup", map[string]any{"logGroupName": "/other/d"}),
		s("delete group other again", "DeleteLogGroup", map[string]any{"logGroupName": "/other/d"}),
		s("describe streams after delete", "DescribeLogStreams", map[string]any{"logGroupName": g}),
		s("describe groups after delete", "DescribeLogGroups", map[string]any{}),
	}, destDiffSteps(g)...)
}

// sideResult is one server's normalized answer to a step.
type sideResult struct {
	tree map[string]any // {"status": n, "body": …}
	raw  []byte
}

// runDiffSide sends the script to endpoint and returns the normalized answers.
func runDiffSide(t *testing.T, endpoint string, script []diffStep) []sideResult {
	t.Helper()
	c := newClient(t, endpoint)
	vars := map[string]string{}
	out := make([]sideResult, len(script))
	ctx := context.Background()
	for i, st := range script {
		body := substitute(st.body, vars)
		reqJSON, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Invoke(ctx, st.op, reqJSON)
		var apiErr *cwlogs.APIError
		if err != nil && !errors.As(err, &apiErr) {
			t.Fatalf("%s (%s): %v", st.name, endpoint, err)
		}
		var doc any
		if len(strings.TrimSpace(string(resp.Body))) == 0 {
			doc = "(empty body)"
		} else if jerr := json.Unmarshal(resp.Body, &doc); jerr != nil {
			doc = "(not JSON) " + string(resp.Body)
		}
		if m, ok := doc.(map[string]any); ok {
			for name, member := range st.save {
				if v, ok := m[member].(string); ok {
					vars[name] = v
				}
			}
		}
		sent, _ := body["nextToken"].(string)
		out[i] = sideResult{tree: map[string]any{"status": float64(resp.StatusCode), "body": normalize("", doc, sent)}, raw: resp.Body}
	}
	return out
}

func substitute(body map[string]any, vars map[string]string) map[string]any {
	out := make(map[string]any, len(body))
	for k, v := range body {
		if s, ok := v.(string); ok && strings.HasPrefix(s, "$") {
			if val, ok := vars[s[1:]]; ok {
				v = val
			} else {
				v = "(unset " + s + ")"
			}
		}
		out[k] = v
	}
	return out
}

// normalize masks server-chosen values: times → "<time>", tokens → "<token>" (or
// "<token sent>" when equal to the request's nextToken), event ids → "<id>", the account in
// ARNs → "<account>". JSON null is kept (it differs from an absent member).
func normalize(member string, v any, sent string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			out[k] = normalize(k, val, sent)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = normalize(member, val, sent)
		}
		return out
	case nil:
		return nil
	}
	switch {
	case timeMembers[member]:
		return "<time>"
	case tokenMembers[member]:
		s, _ := v.(string)
		switch {
		case s != "" && s == sent:
			return "<token sent>"
		case getTokenRE.MatchString(s):
			return "<" + s[:1] + "/56 digits/s>"
		case oldGetTokenRE.MatchString(s):
			return "<" + s[:1] + "/56 digits>"
		}
		return "<token>"
	case idMembers[member]:
		if s, ok := v.(string); ok && eventIDRE.MatchString(s) {
			return "<56-digit id>"
		}
		return "<id>"
	}
	if s, ok := v.(string); ok && strings.HasPrefix(s, "arn:") {
		return accountRE.ReplaceAllString(s, ":<account>:")
	}
	return v
}

// observedDiff is one difference between the two answers to a step.
type observedDiff struct {
	step, path, moto, ours string
}

func (d observedDiff) String() string {
	return fmt.Sprintf("%-42q %-40s moto=%s ours=%s", d.step, d.path, d.moto, d.ours)
}

func render(v any, present bool) string {
	if !present {
		return "absent"
	}
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprintf("(unencodable %v)", err)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// compareTrees lists the differences between a (moto) and b (ours) below path. Arrays of
// different lengths are one difference at the array's path.
func compareTrees(step, p string, a, b any, aok, bok bool, out *[]observedDiff) {
	if !aok || !bok {
		if aok != bok {
			*out = append(*out, observedDiff{step, p, render(a, aok), render(b, bok)})
		}
		return
	}
	am, aIsMap := a.(map[string]any)
	bm, bIsMap := b.(map[string]any)
	if aIsMap && bIsMap {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			av, aok := am[k]
			bv, bok := bm[k]
			compareTrees(step, joinPath(p, k), av, bv, aok, bok, out)
		}
		return
	}
	al, aIsList := a.([]any)
	bl, bIsList := b.([]any)
	if aIsList && bIsList && len(al) == len(bl) {
		for i := range al {
			compareTrees(step, p+"["+strconv.Itoa(i)+"]", al[i], bl[i], true, true, out)
		}
		return
	}
	if ra, rb := render(a, true), render(b, true); ra != rb {
		*out = append(*out, observedDiff{step, p, ra, rb})
	}
}

func joinPath(p, k string) string {
	if p == "" {
		return k
	}
	return p + "." + k
}

// matches reports whether known entry k accounts for observed difference d. In k.path, "*"
// matches any characters (so "[*]" any index).
func (k knownDiff) matches(d observedDiff) bool {
	return slices.Contains(k.steps, d.step) && globMatches(k.path, d.path) &&
		globMatches(k.moto, d.moto) && globMatches(k.ours, d.ours)
}

// globMatches matches a path or rendered value against a pattern in which "*" matches any
// characters.
func globMatches(pattern, v string) bool {
	re := "^" + strings.ReplaceAll(regexp.QuoteMeta(pattern), `\*`, ".*") + "$"
	return regexp.MustCompile(re).MatchString(v)
}

func TestMotoDifferential(t *testing.T) {
	t.Parallel() // beside the CLI suites, after the serial moto differentials (filters, ops)
	moto := testpeer.Moto(t)
	ours := startServer(t).URL()
	script := diffScript(time.Now())
	names := stepNames(t, script)
	motoRes := runDiffSide(t, moto, script)
	ourRes := runDiffSide(t, ours, script)

	var diffs []observedDiff
	for i, st := range script {
		compareTrees(st.name, "", motoRes[i].tree, ourRes[i].tree, true, true, &diffs)
	}
	for _, k := range motoDifferences {
		for _, s := range k.steps {
			if !names[s] {
				t.Errorf("difference table names unknown step %q", s)
			}
		}
	}
	if os.Getenv("CWLOGS_MOTO_DIFF_PRINT") != "" {
		for i, st := range script {
			t.Logf("%s %s\n  moto: %s\n  ours: %s", st.name, st.op, motoRes[i].raw, ourRes[i].raw)
		}
		for _, d := range diffs {
			t.Logf("diff %s", d)
		}
	}

	checkKnownDiffs(t, diffs, motoDifferences, ": remove it from motoDifferences")
	if out := os.Getenv("CWLOGS_MOTO_DIFF_MD"); out != "" && !t.Failed() {
		differing := map[string]bool{}
		for _, d := range diffs {
			differing[d.step] = true
		}
		var same []string
		for _, st := range script {
			if !differing[st.name] {
				same = append(same, st.name+" ("+st.op+")")
			}
		}
		if err := os.WriteFile(out, []byte(motoDiffMarkdown(len(script), same)), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", path.Clean(out))
	}
}
