package localserver

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const policyDoc = `{"Version":"2012-10-17","Statement":[{"Sid":"Route53LogsToCloudWatchLogs","Effect":"Allow",` +
	`"Principal":{"Service":["route53.amazonaws.com"]},"Action":"logs:PutLogEvents","Resource":"arn:aws:logs:us-east-1:123456789012:log-group:*"}]}`

func putPolicy(name, doc string) m { return m{"policyName": name, "policyDocument": doc} }

// TestPutResourcePolicy: account-scoped policies as live AWS answers them (LocalStack's
// AWS-validated snapshots: the document echoed as sent, policyScope ACCOUNT, no revisionId),
// the model's shapes, the exactly-one-of rule, and documents that are not JSON objects.
func TestPutResourcePolicy(t *testing.T) {
	clock := testNow
	s := newTestServer(t, Config{Now: func() time.Time { return clock }})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "g"})
	r := mustOK(t, s, "PutResourcePolicy", putPolicy("route53", policyDoc))
	want := `{"resourcePolicy":{"policyName":"route53","policyDocument":` + quoteJSON(policyDoc) + `,"lastUpdatedTime":` + itoa(nowMs()) + `,"policyScope":"ACCOUNT"}}`
	if string(r.raw) != want {
		t.Errorf("put:\n got %s\nwant %s", r.raw, want)
	}
	// An update replaces the document (kept byte for byte) and the time.
	clock = testNow.Add(time.Minute)
	spaced := "{ \"Statement\": [ ] }\n"
	r = mustOK(t, s, "PutResourcePolicy", putPolicy("route53", spaced))
	if p := r.body["resourcePolicy"].(map[string]any); p["policyDocument"] != spaced || num(t, p["lastUpdatedTime"]) != clock.UnixMilli() {
		t.Errorf("update: %s", r.raw)
	}
	r = mustOK(t, s, "DescribeResourcePolicies", m{})
	if ps := list(r.body["resourcePolicies"]); len(ps) != 1 || ps[0].(map[string]any)["policyDocument"] != spaced {
		t.Errorf("describe after update: %s", r.raw)
	}

	long := `{"a":"` + strings.Repeat("x", 51200) + `"}`
	tests := []struct {
		name     string
		in       any
		wantType string
		wantMsg  string
	}{
		{"no document", m{"policyName": "p"}, codeInvalidParameter,
			"1 validation error detected: Value null at 'policyDocument' failed to satisfy constraint: Member must not be null"},
		{"empty document", putPolicy("p", ""), codeInvalidParameter,
			"1 validation error detected: Value '' at 'policyDocument' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"document too long", putPolicy("p", long), codeInvalidParameter,
			"~at 'policyDocument' failed to satisfy constraint: Member must have length less than or equal to 51200"},
		{"not json", putPolicy("p", `{"Statement": [`), codeInvalidParameter, msgPolicyNotJSON},
		{"json but not an object", putPolicy("p", `["Statement"]`), codeInvalidParameter, msgPolicyNotJSON},
		{"JSON null", putPolicy("p", `null`), codeInvalidParameter, msgPolicyNotJSON},
		{"no target", m{"policyDocument": policyDoc}, codeInvalidParameter, msgPolicyTargetMissing},
		{"both targets", m{"policyName": "p", "resourceArn": testGroupArn + "g", "policyDocument": policyDoc}, codeInvalidParameter, msgPolicyTargetExclusive},
		{"empty revision", m{"resourceArn": testGroupArn + "g", "policyDocument": policyDoc, "expectedRevisionId": ""}, codeInvalidParameter,
			"1 validation error detected: Value '' at 'expectedRevisionId' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"wrong type", `{"policyName":"p","policyDocument":{}}`, codeSerialization, ""},
		{"over 5120 characters", putPolicy("big", `{"a":"`+strings.Repeat("x", 6000)+`"}`), "ok", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, s, "PutResourcePolicy", tc.in)
			if tc.wantType == "ok" {
				if r.status != 200 {
					t.Fatalf("got %d %s", r.status, r.raw)
				}
				return
			}
			checkAnswer(t, r, tc.wantType, tc.wantMsg)
		})
	}
}

// TestResourcePolicyLimit: ten account-scoped policies; the eleventh is LimitExceededException
// "Resource limit exceeded.", an update at the limit succeeds, a resource-scoped policy does
// not count, and a delete frees a slot (LocalStack's AWS-validated limit tests).
func TestResourcePolicyLimit(t *testing.T) {
	s := newTestServer(t, Config{})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "g"})
	for i := range maxAccountPolicies {
		mustOK(t, s, "PutResourcePolicy", putPolicy(fmt.Sprintf("p%02d", i), policyDoc))
	}
	checkAnswer(t, call(t, s, "PutResourcePolicy", putPolicy("too-many", policyDoc)), codeLimitExceeded, msgLimitExceeded)
	mustOK(t, s, "PutResourcePolicy", putPolicy("p01", `{"Statement":[]}`))
	mustOK(t, s, "PutResourcePolicy", m{"resourceArn": testGroupArn + "g", "policyDocument": policyDoc})
	mustOK(t, s, "DeleteResourcePolicy", m{"policyName": "p05"})
	mustOK(t, s, "PutResourcePolicy", putPolicy("too-many", policyDoc))
}

// TestResourceScopedPolicy: a policy attached to a log group by resourceArn has a revisionId
// that each update and the delete must present; the group must exist; it is one per group
// and goes with the group.
func TestResourceScopedPolicy(t *testing.T) {
	s := newTestServer(t, Config{})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "g"})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "h"})
	arn := testGroupArn + "g"
	put := func(rev any) *response {
		in := m{"resourceArn": arn, "policyDocument": policyDoc}
		if rev != nil {
			in["expectedRevisionId"] = rev
		}
		return call(t, s, "PutResourcePolicy", in)
	}
	r := put(nil)
	if r.status != 200 {
		t.Fatalf("first put: %s", r.raw)
	}
	rev1, _ := r.body["revisionId"].(string)
	p := r.body["resourcePolicy"].(map[string]any)
	if rev1 == "" || p["revisionId"] != rev1 || p["policyScope"] != "RESOURCE" || p["resourceArn"] != arn || p["policyName"] != nil {
		t.Fatalf("first put: %s", r.raw)
	}
	checkAnswer(t, put(nil), codeOperationAborted, msgRevisionConflict)
	checkAnswer(t, put("stale"), codeOperationAborted, msgRevisionConflict)
	r = put(rev1)
	rev2, _ := r.body["revisionId"].(string)
	if r.status != 200 || rev2 == "" || rev2 == rev1 {
		t.Fatalf("update with the revision: %s (first revision %s)", r.raw, rev1)
	}
	checkAnswer(t, put(rev1), codeOperationAborted, msgRevisionConflict)

	// Describe: by resource (policyScope RESOURCE, as Terraform asks, or resourceArn alone),
	// all resource policies, and the default ACCOUNT listing, which leaves it out.
	mustOK(t, s, "PutResourcePolicy", putPolicy("acct", policyDoc))
	mustOK(t, s, "PutResourcePolicy", m{"resourceArn": testGroupArn + "h", "policyDocument": policyDoc})
	arns := func(in m) []string {
		ps, _ := pageItems(t, s, "DescribeResourcePolicies", in, "resourcePolicies", 10)
		var out []string
		for _, p := range ps {
			if a, ok := p["resourceArn"].(string); ok {
				out = append(out, a)
			} else {
				out = append(out, "name:"+p["policyName"].(string))
			}
		}
		return out
	}
	for _, tc := range []struct {
		name string
		in   m
		want string
	}{
		{"by resource", m{"resourceArn": arn, "policyScope": "RESOURCE"}, "[" + arn + "]"},
		{"resourceArn alone", m{"resourceArn": arn}, "[" + arn + "]"},
		{"all resource policies", m{"policyScope": "RESOURCE", "limit": 1}, "[" + arn + " " + testGroupArn + "h]"},
		{"account", m{}, "[name:acct]"},
		{"account, resourceArn ignored", m{"policyScope": "ACCOUNT", "resourceArn": arn}, "[name:acct]"},
		{"missing group", m{"resourceArn": testGroupArn + "nope", "policyScope": "RESOURCE"}, "[]"},
		{"not a group arn", m{"resourceArn": "arn:aws:s3:::b", "policyScope": "RESOURCE"}, "[]"},
	} {
		if got := fmt.Sprint(arns(tc.in)); got != tc.want {
			t.Errorf("describe %s: %s, want %s", tc.name, got, tc.want)
		}
	}
	r = mustOK(t, s, "DescribeResourcePolicies", m{"resourceArn": arn, "policyScope": "RESOURCE"})
	if p := list(r.body["resourcePolicies"])[0].(map[string]any); p["revisionId"] != rev2 || p["policyDocument"] != policyDoc {
		t.Errorf("described: %s", r.raw)
	}

	errs := []struct {
		name, op string
		in       m
		wantType string
		wantMsg  string
	}{
		{"put on missing group", "PutResourcePolicy", m{"resourceArn": testGroupArn + "nope", "policyDocument": policyDoc}, codeResourceNotFound, msgGroupNotFound},
		{"put on another account's group", "PutResourcePolicy", m{"resourceArn": "arn:aws:logs:us-east-1:999999999999:log-group:g", "policyDocument": policyDoc},
			codeInvalidParameter, "The specified resource ARN arn:aws:logs:us-east-1:999999999999:log-group:g is not a valid log group ARN."},
		{"put on a stream arn", "PutResourcePolicy", m{"resourceArn": arn + ":log-stream:s", "policyDocument": policyDoc}, codeInvalidParameter, "~is not a valid log group ARN"},
		{"delete without revision", "DeleteResourcePolicy", m{"resourceArn": arn}, codeInvalidParameter, msgRevisionRequired},
		{"delete with stale revision", "DeleteResourcePolicy", m{"resourceArn": arn, "expectedRevisionId": rev1}, codeOperationAborted, msgRevisionConflict},
		{"delete on missing group", "DeleteResourcePolicy", m{"resourceArn": testGroupArn + "nope", "expectedRevisionId": rev2}, codeResourceNotFound, msgGroupNotFound},
		{"delete both targets", "DeleteResourcePolicy", m{"resourceArn": arn, "policyName": "acct"}, codeInvalidParameter, msgPolicyTargetExclusive},
		{"delete no target", "DeleteResourcePolicy", m{}, codeInvalidParameter, msgPolicyTargetMissing},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) { checkAnswer(t, call(t, s, tc.op, tc.in), tc.wantType, tc.wantMsg) })
	}
	mustOK(t, s, "DeleteResourcePolicy", m{"resourceArn": arn, "expectedRevisionId": rev2})
	checkAnswer(t, call(t, s, "DeleteResourcePolicy", m{"resourceArn": arn, "expectedRevisionId": rev2}), codeResourceNotFound,
		"Policy for resource ["+arn+"] does not exist.")
	// Created again: a first put needs no revision.
	if r := put(nil); r.status != 200 {
		t.Fatalf("put after delete: %s", r.raw)
	}
	// Deleting the group deletes its policy; a group created again has none.
	mustOK(t, s, "DeleteLogGroup", m{"logGroupName": "g"})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "g"})
	if got := fmt.Sprint(arns(m{"policyScope": "RESOURCE"})); got != "["+testGroupArn+"h]" {
		t.Errorf("after the group was deleted: %s", got)
	}
	if r := put(nil); r.status != 200 {
		t.Fatalf("put on the group created again: %s", r.raw)
	}
}

// TestDescribeResourcePolicies: ASCII order by name, pages of limit with tokens bound to the
// listing, the model's limit range and policyScope enum.
func TestDescribeResourcePolicies(t *testing.T) {
	s := newTestServer(t, Config{})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "g"})
	for _, n := range []string{"c", "a", "b|pipe", "B"} {
		mustOK(t, s, "PutResourcePolicy", putPolicy(n, policyDoc))
	}
	mustOK(t, s, "PutResourcePolicy", m{"resourceArn": testGroupArn + "g", "policyDocument": policyDoc})
	ps, pages := pageItems(t, s, "DescribeResourcePolicies", m{"limit": 1}, "resourcePolicies", 10)
	var names []string
	for _, p := range ps {
		names = append(names, p["policyName"].(string))
	}
	if fmt.Sprint(names) != "[B a b|pipe c]" || pages != 4 {
		t.Errorf("%d pages %q, want 4 pages [B a b|pipe c]", pages, names)
	}
	r := mustOK(t, s, "DescribeResourcePolicies", m{"limit": 1})
	tok := r.body["nextToken"].(string)
	for _, tc := range []struct {
		name     string
		in       m
		wantType string
		wantMsg  string
	}{
		{"limit 0", m{"limit": 0}, codeInvalidParameter, "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"limit 51", m{"limit": 51}, codeInvalidParameter, "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50"},
		{"bad scope", m{"policyScope": "ORG"}, codeInvalidParameter, "1 validation error detected: Value 'ORG' at 'policyScope' failed to satisfy constraint: Member must satisfy enum value set: [ACCOUNT, RESOURCE]"},
		{"bad token", m{"nextToken": "garbage"}, codeInvalidParameter, msgInvalidNextToken},
		{"account token for resource listing", m{"nextToken": tok, "policyScope": "RESOURCE"}, codeInvalidParameter, msgInvalidNextToken},
		{"account token for one resource", m{"nextToken": tok, "resourceArn": testGroupArn + "g"}, codeInvalidParameter, msgInvalidNextToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkAnswer(t, call(t, s, "DescribeResourcePolicies", tc.in), tc.wantType, tc.wantMsg)
		})
	}
	if r := call(t, s, "DescribeResourcePolicies", m{"nextToken": tok, "policyScope": "ACCOUNT"}); r.status != 200 {
		t.Errorf("the same listing spelled with policyScope ACCOUNT: %s", r.raw)
	}
	// Delete of a missing policy: the message live AWS answers.
	checkAnswer(t, call(t, s, "DeleteResourcePolicy", m{"policyName": "non-existent"}), codeResourceNotFound, "Policy with name [non-existent] does not exist.")
	mustOK(t, s, "DeleteResourcePolicy", m{"policyName": "a"})
	checkAnswer(t, call(t, s, "DeleteResourcePolicy", m{"policyName": "a"}), codeResourceNotFound, "Policy with name [a] does not exist.")
}

// TestResourcePoliciesSurviveRestart: policies are in the database (migration 5), revisions
// included.
func TestResourcePoliciesSurviveRestart(t *testing.T) {
	cfg := Config{DataDir: t.TempDir(), Now: func() time.Time { return testNow }}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "g"})
	mustOK(t, s, "PutResourcePolicy", putPolicy("acct", policyDoc))
	r := mustOK(t, s, "PutResourcePolicy", m{"resourceArn": testGroupArn + "g", "policyDocument": policyDoc})
	rev := r.body["revisionId"].(string)
	before := [2]string{
		string(mustOK(t, s, "DescribeResourcePolicies", m{}).raw),
		string(mustOK(t, s, "DescribeResourcePolicies", m{"policyScope": "RESOURCE"}).raw),
	}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	s2 := newTestServer(t, cfg)
	after := [2]string{
		string(mustOK(t, s2, "DescribeResourcePolicies", m{}).raw),
		string(mustOK(t, s2, "DescribeResourcePolicies", m{"policyScope": "RESOURCE"}).raw),
	}
	if before != after || !strings.Contains(after[1], rev) {
		t.Errorf("before restart:\n%q\nafter:\n%q", before, after)
	}
	mustOK(t, s2, "DeleteResourcePolicy", m{"resourceArn": testGroupArn + "g", "expectedRevisionId": rev})
	mustOK(t, s2, "DeleteResourcePolicy", m{"policyName": "acct"})
}

// TestMigrateV4ResourcePolicies: a database of schema version 4 (before resource policies)
// is migrated, keeps its groups, and serves resource policies.
func TestMigrateV4ResourcePolicies(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(strings.Join(migrations[:4], ";\n") + `; PRAGMA user_version = 4`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO log_groups(id, name, creation_time, class) VALUES (1, 'old', ?, 'STANDARD')`, nowMs()); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s := newTestServer(t, Config{DataDir: dir})
	mustOK(t, s, "PutResourcePolicy", m{"resourceArn": testGroupArn + "old", "policyDocument": policyDoc})
	r := mustOK(t, s, "DescribeResourcePolicies", m{"resourceArn": testGroupArn + "old"})
	if len(list(r.body["resourcePolicies"])) != 1 {
		t.Errorf("describe after migration: %s", r.raw)
	}
}

// quoteJSON is s as a JSON string literal.
func quoteJSON(s string) string { return string(appendJSONString(nil, s)) }
