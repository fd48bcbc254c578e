package localserver

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// groupArnOf is the ARN tests give for log group name (the test requests' region).
func groupArnOf(name string) string { return "arn:aws:logs:us-east-1:123456789012:log-group:" + name }

// adInput is a valid CreateLogAnomalyDetector input watching group (extra members
// override; a nil value removes the member).
func adInput(group string, extra m) m {
	in := m{"logGroupArnList": []string{groupArnOf(group)}}
	for k, v := range extra {
		if v == nil {
			delete(in, k)
			continue
		}
		in[k] = v
	}
	return in
}

// createAD creates a detector and returns its ARN.
func createAD(t testing.TB, s *Server, in m) string {
	t.Helper()
	arn, _ := mustOK(t, s, "CreateLogAnomalyDetector", in).body["anomalyDetectorArn"].(string)
	if arn == "" {
		t.Fatal("CreateLogAnomalyDetector answered no anomalyDetectorArn")
	}
	return arn
}

// TestAnomalyDetectorValidation: every member of the detector operations is checked, and
// the error names the member (and its value where it has one).
func TestAnomalyDetectorValidation(t *testing.T) {
	s := newTestServer(t, Config{})
	setupStream(t, s, "g", "s")
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "ia", "logGroupClass": "INFREQUENT_ACCESS"})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "dl", "logGroupClass": "DELIVERY"})
	arn := createAD(t, s, adInput("g", nil))
	missing := "arn:aws:logs:us-east-1:123456789012:anomaly-detector:00000000-0000-4000-8000-000000000000"
	cases := []struct {
		name, op string
		in       m
		code     string
		want     []string // substrings of the message
	}{
		{"no group list", "CreateLogAnomalyDetector", m{}, codeInvalidParameter, []string{"'logGroupArnList'", "must not be null"}},
		{"two groups", "CreateLogAnomalyDetector", adInput("g", m{"logGroupArnList": []string{groupArnOf("g"), groupArnOf("g")}}),
			codeInvalidParameter, []string{"logGroupArnList", "exactly one"}},
		{"no group", "CreateLogAnomalyDetector", adInput("g", m{"logGroupArnList": []string{}}), codeInvalidParameter, []string{"logGroupArnList", "holds 0"}},
		{"group arn shape", "CreateLogAnomalyDetector", adInput("g", m{"logGroupArnList": []string{"a b"}}),
			codeInvalidParameter, []string{"'a b'", "logGroupArnList.1.member", "regular expression"}},
		{"not a group arn", "CreateLogAnomalyDetector", adInput("g", m{"logGroupArnList": []string{"arn:aws:logs:us-east-1:123456789012:destination:d"}}),
			codeInvalidParameter, []string{"logGroupArnList", "destination:d", "not a log group ARN"}},
		{"other account", "CreateLogAnomalyDetector", adInput("g", m{"logGroupArnList": []string{"arn:aws:logs:us-east-1:999999999999:log-group:g"}}),
			codeInvalidParameter, []string{"logGroupArnList", "999999999999"}},
		{"star suffix", "CreateLogAnomalyDetector", adInput("g", m{"logGroupArnList": []string{groupArnOf("g") + ":*"}}),
			codeInvalidParameter, []string{"logGroupArnList", ":*"}},
		{"missing group", "CreateLogAnomalyDetector", adInput("nope", nil), codeResourceNotFound, []string{msgGroupNotFound}},
		{"infrequent access group", "CreateLogAnomalyDetector", adInput("ia", nil), codeInvalidParameter,
			[]string{"logGroupArnList", "ia", "INFREQUENT_ACCESS", "STANDARD"}},
		{"delivery group", "CreateLogAnomalyDetector", adInput("dl", nil), codeInvalidParameter,
			[]string{"logGroupArnList", "dl", "DELIVERY", "STANDARD"}},
		{"empty name", "CreateLogAnomalyDetector", adInput("g", m{"detectorName": ""}), codeInvalidParameter, []string{"'detectorName'", "length greater than or equal to 1"}},
		{"frequency", "CreateLogAnomalyDetector", adInput("g", m{"evaluationFrequency": "TWO_MIN"}), codeInvalidParameter,
			[]string{"'TWO_MIN'", "'evaluationFrequency'", "ONE_MIN, FIVE_MIN"}},
		{"filter length", "CreateLogAnomalyDetector", adInput("g", m{"filterPattern": strings.Repeat("a", 1025)}), codeInvalidParameter,
			[]string{"'filterPattern'", "less than or equal to 1024"}},
		{"filter syntax", "CreateLogAnomalyDetector", adInput("g", m{"filterPattern": "{ $.a = "}), codeInvalidParameter, []string{"Invalid filter pattern"}},
		{"kms key", "CreateLogAnomalyDetector", adInput("g", m{"kmsKeyId": "alias/mine"}), codeInvalidParameter,
			[]string{"'alias/mine'", "'kmsKeyId'", "regular expression"}},
		{"visibility low", "CreateLogAnomalyDetector", adInput("g", m{"anomalyVisibilityTime": 6}), codeInvalidParameter,
			[]string{"'6'", "'anomalyVisibilityTime'", "greater than or equal to 7"}},
		{"visibility high", "CreateLogAnomalyDetector", adInput("g", m{"anomalyVisibilityTime": 91}), codeInvalidParameter,
			[]string{"'91'", "'anomalyVisibilityTime'", "less than or equal to 90"}},
		{"empty tags", "CreateLogAnomalyDetector", adInput("g", m{"tags": m{}}), codeInvalidParameter, []string{"'tags'"}},
		{"bad tag key", "CreateLogAnomalyDetector", adInput("g", m{"tags": m{"a*b": "v"}}), codeInvalidParameter, []string{"tags", "a*b"}},
		{"get no arn", "GetLogAnomalyDetector", m{}, codeInvalidParameter, []string{"'anomalyDetectorArn'", "must not be null"}},
		{"get bad arn", "GetLogAnomalyDetector", m{"anomalyDetectorArn": "x y"}, codeInvalidParameter, []string{"'x y'", "'anomalyDetectorArn'"}},
		{"get missing", "GetLogAnomalyDetector", m{"anomalyDetectorArn": missing}, codeResourceNotFound, []string{msgAnomalyDetectorNotFound}},
		{"get other type", "GetLogAnomalyDetector", m{"anomalyDetectorArn": groupArnOf("g")}, codeResourceNotFound, []string{msgAnomalyDetectorNotFound}},
		{"delete missing", "DeleteLogAnomalyDetector", m{"anomalyDetectorArn": missing}, codeResourceNotFound, []string{msgAnomalyDetectorNotFound}},
		{"update no enabled", "UpdateLogAnomalyDetector", m{"anomalyDetectorArn": arn}, codeInvalidParameter, []string{"'enabled'", "must not be null"}},
		{"update frequency", "UpdateLogAnomalyDetector", m{"anomalyDetectorArn": arn, "enabled": true, "evaluationFrequency": "x"},
			codeInvalidParameter, []string{"'evaluationFrequency'"}},
		{"update visibility", "UpdateLogAnomalyDetector", m{"anomalyDetectorArn": arn, "enabled": true, "anomalyVisibilityTime": 100},
			codeInvalidParameter, []string{"'anomalyVisibilityTime'"}},
		{"update filter", "UpdateLogAnomalyDetector", m{"anomalyDetectorArn": arn, "enabled": true, "filterPattern": "[a"},
			codeInvalidParameter, []string{"Invalid filter pattern"}},
		{"update missing", "UpdateLogAnomalyDetector", m{"anomalyDetectorArn": missing, "enabled": true}, codeResourceNotFound, []string{msgAnomalyDetectorNotFound}},
		{"list limit", "ListLogAnomalyDetectors", m{"limit": 51}, codeInvalidParameter, []string{"'51'", "'limit'", "less than or equal to 50"}},
		{"list filter", "ListLogAnomalyDetectors", m{"filterLogGroupArn": "arn:aws:logs:us-east-1:123456789012:destination:d"},
			codeInvalidParameter, []string{"filterLogGroupArn"}},
		{"list token", "ListLogAnomalyDetectors", m{"nextToken": "bogus"}, codeInvalidParameter, []string{msgInvalidNextToken}},
		{"anomalies limit", "ListAnomalies", m{"limit": 0}, codeInvalidParameter, []string{"'0'", "'limit'"}},
		{"anomalies state", "ListAnomalies", m{"suppressionState": "ALL"}, codeInvalidParameter, []string{"'ALL'", "'suppressionState'"}},
		{"anomalies detector", "ListAnomalies", m{"anomalyDetectorArn": missing}, codeResourceNotFound, []string{msgAnomalyDetectorNotFound}},
		{"anomalies token", "ListAnomalies", m{"nextToken": "x"}, codeInvalidParameter, []string{msgInvalidNextToken}},
		{"update anomaly no arn", "UpdateAnomaly", m{"anomalyId": strings.Repeat("a", 36)}, codeInvalidParameter, []string{"'anomalyDetectorArn'"}},
		{"update anomaly neither", "UpdateAnomaly", m{"anomalyDetectorArn": arn}, codeInvalidParameter, []string{"anomalyId", "patternId"}},
		{"update anomaly both", "UpdateAnomaly", m{"anomalyDetectorArn": arn, "anomalyId": strings.Repeat("a", 36), "patternId": strings.Repeat("b", 32)},
			codeInvalidParameter, []string{"anomalyId", "patternId"}},
		{"anomaly id length", "UpdateAnomaly", m{"anomalyDetectorArn": arn, "anomalyId": "short"}, codeInvalidParameter, []string{"'short'", "'anomalyId'"}},
		{"pattern id length", "UpdateAnomaly", m{"anomalyDetectorArn": arn, "patternId": "short"}, codeInvalidParameter, []string{"'short'", "'patternId'"}},
		{"suppression type", "UpdateAnomaly", m{"anomalyDetectorArn": arn, "patternId": strings.Repeat("b", 32), "suppressionType": "SOME"},
			codeInvalidParameter, []string{"'SOME'", "'suppressionType'"}},
		{"limited without period", "UpdateAnomaly", m{"anomalyDetectorArn": arn, "patternId": strings.Repeat("b", 32), "suppressionType": "LIMITED"},
			codeInvalidParameter, []string{"LIMITED", "suppressionPeriod"}},
		{"period unit", "UpdateAnomaly", m{"anomalyDetectorArn": arn, "patternId": strings.Repeat("b", 32), "suppressionType": "LIMITED",
			"suppressionPeriod": m{"value": 1, "suppressionUnit": "DAYS"}}, codeInvalidParameter, []string{"'DAYS'", "'suppressionPeriod.suppressionUnit'"}},
		{"period value", "UpdateAnomaly", m{"anomalyDetectorArn": arn, "patternId": strings.Repeat("b", 32), "suppressionType": "LIMITED",
			"suppressionPeriod": m{"value": 0, "suppressionUnit": "HOURS"}}, codeInvalidParameter, []string{"suppressionPeriod.value 0"}},
		{"period without type", "UpdateAnomaly", m{"anomalyDetectorArn": arn, "patternId": strings.Repeat("b", 32),
			"suppressionPeriod": m{"value": 1, "suppressionUnit": "HOURS"}}, codeInvalidParameter, []string{"suppressionPeriod", "LIMITED"}},
		{"unknown anomaly", "UpdateAnomaly", m{"anomalyDetectorArn": arn, "anomalyId": strings.Repeat("a", 36), "suppressionType": "INFINITE"},
			codeResourceNotFound, []string{msgAnomalyNotFound}},
		{"unknown pattern", "UpdateAnomaly", m{"anomalyDetectorArn": arn, "patternId": strings.Repeat("b", 32), "suppressionType": "INFINITE"},
			codeResourceNotFound, []string{msgPatternNotFound}},
		{"update anomaly missing detector", "UpdateAnomaly", m{"anomalyDetectorArn": missing, "patternId": strings.Repeat("b", 32)},
			codeResourceNotFound, []string{msgAnomalyDetectorNotFound}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := call(t, s, c.op, c.in)
			if r.status != 400 || r.errType() != c.code {
				t.Fatalf("%s: status %d %s, want 400 %s: %s", c.op, r.status, r.errType(), c.code, r.raw)
			}
			for _, w := range c.want {
				if !strings.Contains(r.message(), w) {
					t.Errorf("message %q lacks %q", r.message(), w)
				}
			}
		})
	}
	// Nothing refused was stored.
	if got := list(mustOK(t, s, "ListLogAnomalyDetectors", m{}).body["anomalyDetectors"]); len(got) != 1 {
		t.Errorf("%d detectors stored, want the 1 valid one", len(got))
	}
}

// TestAnomalyDetectorCRUD: what CreateLogAnomalyDetector takes, GetLogAnomalyDetector and
// ListLogAnomalyDetectors answer exactly (members not given stay absent, the visibility
// defaults to 21 days), UpdateLogAnomalyDetector changes only what it gives, pauses and
// restarts; tags go through the ARN; DeleteLogAnomalyDetector removes it.
func TestAnomalyDetectorCRUD(t *testing.T) {
	clk := &sqClock{t: testNow}
	s := newTestServer(t, Config{Now: clk.Now})
	setupStream(t, s, "g", "s")
	full := adInput("g", m{"detectorName": "d1", "evaluationFrequency": "TEN_MIN", "filterPattern": "ERROR",
		"kmsKeyId":              "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		"anomalyVisibilityTime": 14, "tags": m{"team": "obs"}})
	arn := createAD(t, s, full)
	const prefix = "arn:aws:logs:us-east-1:123456789012:anomaly-detector:"
	id, ok := strings.CutPrefix(arn, prefix)
	if !ok || len(id) != 36 {
		t.Fatalf("ARN %q is not %sUUID", arn, prefix)
	}
	want := m{"detectorName": "d1", "logGroupArnList": []any{groupArnOf("g")}, "evaluationFrequency": "TEN_MIN",
		"filterPattern": "ERROR", "anomalyDetectorStatus": "TRAINING", "kmsKeyId": full["kmsKeyId"],
		"creationTimeStamp": nowMs(), "lastModifiedTimeStamp": nowMs(), "anomalyVisibilityTime": int64(14)}
	got := mustOK(t, s, "GetLogAnomalyDetector", m{"anomalyDetectorArn": arn}).body
	checkMembers(t, "GetLogAnomalyDetector", got, want)

	// Only what was given is answered; the visibility is always there.
	bare := createAD(t, s, adInput("g", nil))
	got = mustOK(t, s, "GetLogAnomalyDetector", m{"anomalyDetectorArn": bare}).body
	checkMembers(t, "GetLogAnomalyDetector (bare)", got, m{"logGroupArnList": []any{groupArnOf("g")},
		"anomalyDetectorStatus": "TRAINING", "creationTimeStamp": nowMs(), "lastModifiedTimeStamp": nowMs(),
		"anomalyVisibilityTime": int64(defaultAnomalyVisibilityDays)})

	// Tags by the ARN.
	tags := mustOK(t, s, "ListTagsForResource", m{"resourceArn": arn}).body["tags"]
	if !maps.Equal(tags.(map[string]any), map[string]any{"team": "obs"}) {
		t.Errorf("tags %v", tags)
	}
	mustOK(t, s, "TagResource", m{"resourceArn": arn, "tags": m{"env": "dev"}})
	mustOK(t, s, "UntagResource", m{"resourceArn": arn, "tagKeys": []string{"team"}})
	tags = mustOK(t, s, "ListTagsForResource", m{"resourceArn": arn}).body["tags"]
	if !maps.Equal(tags.(map[string]any), map[string]any{"env": "dev"}) {
		t.Errorf("tags after Tag/Untag %v", tags)
	}

	// Update: only what it gives changes; disabled is PAUSED.
	clk.shift(90 * time.Second)
	mustOK(t, s, "UpdateLogAnomalyDetector", m{"anomalyDetectorArn": arn, "enabled": false, "anomalyVisibilityTime": 30})
	want["anomalyVisibilityTime"] = int64(30)
	want["anomalyDetectorStatus"] = "PAUSED"
	want["lastModifiedTimeStamp"] = nowMs() + 90_000
	got = mustOK(t, s, "GetLogAnomalyDetector", m{"anomalyDetectorArn": arn}).body
	checkMembers(t, "GetLogAnomalyDetector after a pause", got, want)
	mustOK(t, s, "UpdateLogAnomalyDetector", m{"anomalyDetectorArn": arn, "enabled": true, "evaluationFrequency": "ONE_HOUR", "filterPattern": ""})
	want["anomalyDetectorStatus"] = "TRAINING"
	want["evaluationFrequency"] = "ONE_HOUR"
	want["filterPattern"] = ""
	got = mustOK(t, s, "GetLogAnomalyDetector", m{"anomalyDetectorArn": arn}).body
	checkMembers(t, "GetLogAnomalyDetector after a restart", got, want)

	// The listing has the ARN and the same members, and filters by group.
	setupStream(t, s, "other", "s")
	createAD(t, s, adInput("other", nil))
	all := list(mustOK(t, s, "ListLogAnomalyDetectors", m{}).body["anomalyDetectors"])
	if len(all) != 3 {
		t.Fatalf("%d detectors listed, want 3", len(all))
	}
	var listed map[string]any
	for _, d := range all {
		if d.(map[string]any)["anomalyDetectorArn"] == arn {
			listed = d.(map[string]any)
		}
	}
	want["anomalyDetectorArn"] = arn
	checkMembers(t, "ListLogAnomalyDetectors", listed, want)
	onG := list(mustOK(t, s, "ListLogAnomalyDetectors", m{"filterLogGroupArn": groupArnOf("g")}).body["anomalyDetectors"])
	onNone := list(mustOK(t, s, "ListLogAnomalyDetectors", m{"filterLogGroupArn": groupArnOf("none")}).body["anomalyDetectors"])
	if len(onG) != 2 || len(onNone) != 0 {
		t.Errorf("filterLogGroupArn: %d detectors on g (want 2), %d on a group without any (want 0)", len(onG), len(onNone))
	}

	mustOK(t, s, "DeleteLogAnomalyDetector", m{"anomalyDetectorArn": arn})
	for _, op := range []string{"GetLogAnomalyDetector", "DeleteLogAnomalyDetector"} {
		if r := call(t, s, op, m{"anomalyDetectorArn": arn}); r.errType() != codeResourceNotFound {
			t.Errorf("%s after delete: %s", op, r.raw)
		}
	}
	if r := call(t, s, "ListTagsForResource", m{"resourceArn": arn}); r.errType() != codeResourceNotFound {
		t.Errorf("ListTagsForResource after delete: %s", r.raw)
	}
	// A detector outlives its log group.
	mustOK(t, s, "DeleteLogGroup", m{"logGroupName": "other"})
	if n := len(list(mustOK(t, s, "ListLogAnomalyDetectors", m{}).body["anomalyDetectors"])); n != 2 {
		t.Errorf("%d detectors after deleting a group, want 2", n)
	}
}

// checkMembers compares an answer with want member by member, and reports members it
// has beyond want.
func checkMembers(t *testing.T, what string, got, want map[string]any) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s: no %s (want %v)", what, k, w)
			continue
		}
		if wn, isNum := w.(int64); isNum {
			if num(t, g) != wn {
				t.Errorf("%s: %s = %v, want %d", what, k, g, wn)
			}
			continue
		}
		if fmt.Sprint(g) != fmt.Sprint(w) {
			t.Errorf("%s: %s = %v, want %v", what, k, g, w)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: unexpected member %s = %v", what, k, got[k])
		}
	}
}

// TestAnomalyDetectorPaging: ListLogAnomalyDetectors pages by limit, every detector once,
// and refuses a token of another listing.
func TestAnomalyDetectorPaging(t *testing.T) {
	s := newTestServer(t, Config{})
	setupStream(t, s, "g", "s")
	setupStream(t, s, "h", "s")
	var arns []string
	for i := range 7 {
		g := "g"
		if i%3 == 0 {
			g = "h"
		}
		arns = append(arns, createAD(t, s, adInput(g, m{"detectorName": fmt.Sprintf("d%d", i)})))
	}
	items, pages := pageItems(t, s, "ListLogAnomalyDetectors", m{"limit": 2}, "anomalyDetectors", 10)
	if pages != 4 || len(items) != 7 {
		t.Fatalf("%d items in %d pages, want 7 in 4", len(items), pages)
	}
	var got []string
	for _, it := range items {
		got = append(got, it["anomalyDetectorArn"].(string))
	}
	slices.Sort(arns)
	if !slices.Equal(got, arns) {
		t.Errorf("paged %v, want every detector once in ARN order %v", got, arns)
	}
	// A token answered for one filter is refused for another.
	r := mustOK(t, s, "ListLogAnomalyDetectors", m{"limit": 1, "filterLogGroupArn": groupArnOf("g")})
	tok, _ := r.body["nextToken"].(string)
	if tok == "" {
		t.Fatal("no nextToken")
	}
	if r := call(t, s, "ListLogAnomalyDetectors", m{"nextToken": tok}); r.errType() != codeInvalidParameter {
		t.Errorf("a token of another filter: %s", r.raw)
	}
	items, _ = pageItems(t, s, "ListLogAnomalyDetectors", m{"limit": 1, "filterLogGroupArn": groupArnOf("h")}, "anomalyDetectors", 10)
	if len(items) != 3 {
		t.Errorf("%d detectors on h, want 3", len(items))
	}
}

// TestAnomalyDetectorLimit: the account's detectors are bounded (LimitExceededException).
func TestAnomalyDetectorLimit(t *testing.T) {
	s := newTestServer(t, Config{})
	setupStream(t, s, "g", "s")
	for range maxAnomalyDetectors {
		createAD(t, s, adInput("g", nil))
	}
	if r := call(t, s, "CreateLogAnomalyDetector", adInput("g", nil)); r.errType() != codeLimitExceeded {
		t.Fatalf("detector %d: %s", maxAnomalyDetectors+1, r.raw)
	}
}
