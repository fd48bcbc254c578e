package localserver

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestParseIndexPolicy: Fields and FieldsV2 as the model documents them, and the quotas.
func TestParseIndexPolicy(t *testing.T) {
	many := func(n int) string {
		var f []string
		for i := range n {
			f = append(f, fmt.Sprintf(`"f%d"`, i))
		}
		return `{"Fields":[` + strings.Join(f, ",") + `]}`
	}
	tests := []struct {
		doc, want string // want: "name/type ..." or "!" and the error
	}{
		{`{"Fields":["@ingestionTime","@requestId"]}`, "@ingestionTime/FIELD_INDEX @requestId/FIELD_INDEX"},
		{`{ "Fields": [ "TransactionId" ], "FieldsV2": {"RequestId": {"type": "FIELD_INDEX"}, "APIName": {"type": "FACET"}, "StatusCode": {"type": "FACET"}}}`,
			"TransactionId/FIELD_INDEX APIName/FACET RequestId/FIELD_INDEX StatusCode/FACET"},
		{`{"fields":["a"]}`, "a/FIELD_INDEX"},
		{many(20), strings.TrimSpace(strings.Repeat("x ", 0)) + "*20"},
		{many(21), "!A field index policy can include as many as 20 fields; it has 21."},
		{`{"Fields":[]}`, "!The field index policy document must include at least one field index."},
		{`{}`, "!The field index policy document must include at least one field index."},
		{`[]`, "!The field index policy document is not a valid JSON object."},
		{`{"Fields":"a"}`, "!The field index policy document is malformed: member Fields cannot be a JSON string."},
		{`{"Fields":["` + strings.Repeat("a", 101) + `"]}`, "!~must have 1 to 100 characters"},
		{`{"Fields":[""]}`, "!~must have 1 to 100 characters"},
		{`{"Fields":["a"],"FieldsV2":{"a":{"type":"FACET"}}}`, "!~names in Fields and FieldsV2 must be mutually exclusive"},
		{`{"Fields":["a","a"]}`, "!~Field \"a\" is listed more than once"},
		{`{"FieldsV2":{"a":{}}}`, "!The type of field \"a\" in FieldsV2 must be FIELD_INDEX or FACET."},
		{`{"FieldsV2":{"a":{"type":"INDEX"}}}`, "!The type of field \"a\" in FieldsV2 must be FIELD_INDEX or FACET."},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			fields, err := parseIndexPolicy(tc.doc)
			if want, ok := strings.CutPrefix(tc.want, "!"); ok {
				sub, partial := strings.CutPrefix(want, "~")
				if err == nil || partial && !strings.Contains(err.msg, sub) || !partial && err.msg != want {
					t.Fatalf("got %v %v, want %q", fields, err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n, ok := strings.CutPrefix(tc.want, "*"); ok {
				if fmt.Sprint(len(fields)) != n {
					t.Fatalf("%d fields, want %s", len(fields), n)
				}
				return
			}
			var got []string
			for _, f := range fields {
				got = append(got, f.name+"/"+f.typ)
			}
			if strings.Join(got, " ") != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestIndexPolicyOps: the AWS CLI's put-index-policy and describe-index-policies example
// shapes, the account-level fallback of DescribeIndexPolicies, deletion and the errors.
func TestIndexPolicyOps(t *testing.T) {
	s, clock := dpServer(t, Config{})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "ia", "logGroupClass": "INFREQUENT_ACCESS"})
	doc := `{"Fields":["@ingestionTime","@requestId"]}`
	arn := testGroupArn + "g"
	obj := `{"logGroupIdentifier":"` + arn + `","lastUpdateTime":` + itoa(nowMs()) + `,"policyDocument":` + quoteJSON(doc) + `,"source":"LOG_GROUP"}`
	for _, id := range []string{arn, "g"} {
		if r := mustOK(t, s, "PutIndexPolicy", m{"logGroupIdentifier": id, "policyDocument": doc}); string(r.raw) != `{"indexPolicy":`+obj+`}` {
			t.Errorf("put by %s:\n got %s\nwant %s", id, r.raw, `{"indexPolicy":`+obj+`}`)
		}
	}
	if r := mustOK(t, s, "DescribeIndexPolicies", m{"logGroupIdentifiers": []string{arn}}); string(r.raw) != `{"indexPolicies":[`+obj+`]}` {
		t.Errorf("describe:\n got %s", r.raw)
	}
	// Without its own policy, a group shows the account policies that apply to it.
	clock.Add(time.Minute)
	acct := `{"Fields":["RequestId"]}`
	mustOK(t, s, "PutAccountPolicy", acctPolicy("by-prefix", policyFieldIndex, acct, `LogGroupNamePrefix IN ["g"]`))
	mustOK(t, s, "PutAccountPolicy", acctPolicy("other-prefix", policyFieldIndex, acct, `LogGroupNamePrefix IN ["x"]`))
	mustOK(t, s, "PutAccountPolicy", acctPolicy("by-source", policyFieldIndex, acct, `DataSourceName = "amazon_vpc" AND DataSourceType = "flow"`))
	if r := mustOK(t, s, "DescribeIndexPolicies", m{"logGroupIdentifiers": []string{"g"}}); string(r.raw) != `{"indexPolicies":[`+obj+`]}` {
		t.Errorf("a group's own policy overrides the account's: %s", r.raw)
	}
	checkAnswer(t, call(t, s, "DeleteIndexPolicy", m{"logGroupIdentifier": "g"}), "", "")
	want := `{"indexPolicies":[{"logGroupIdentifier":"` + arn + `","lastUpdateTime":` + itoa(clock.UnixMilli()) + `,"policyDocument":` + quoteJSON(acct) +
		`,"policyName":"by-prefix","source":"ACCOUNT"}]}`
	if r := mustOK(t, s, "DescribeIndexPolicies", m{"logGroupIdentifiers": []string{"g"}}); string(r.raw) != want {
		t.Errorf("account fallback:\n got %s\nwant %s", r.raw, want)
	}
	if r := mustOK(t, s, "DescribeIndexPolicies", m{"logGroupIdentifiers": []string{"ia"}}); string(r.raw) != `{"indexPolicies":[]}` {
		t.Errorf("no policy applies: %s", r.raw)
	}

	tests := []struct {
		name, op string
		in       any
		wantType string
		wantMsg  string
	}{
		{"delete twice", "DeleteIndexPolicy", m{"logGroupIdentifier": "g"}, codeResourceNotFound, msgIndexPolicyNotFound},
		{"missing group", "PutIndexPolicy", m{"logGroupIdentifier": "nope", "policyDocument": doc}, codeResourceNotFound, msgGroupNotFound},
		{"missing group describe", "DescribeIndexPolicies", m{"logGroupIdentifiers": []string{"nope"}}, codeResourceNotFound, msgGroupNotFound},
		{"missing group delete", "DeleteIndexPolicy", m{"logGroupIdentifier": "nope"}, codeResourceNotFound, msgGroupNotFound},
		{"Infrequent Access", "PutIndexPolicy", m{"logGroupIdentifier": "ia", "policyDocument": doc}, codeInvalidParameter, msgIndexPolicyClass},
		{"DELIVERY", "PutIndexPolicy", m{"logGroupIdentifier": "d", "policyDocument": doc}, codeInvalidParameter, msgIndexPolicyClass},
		{"bad document", "PutIndexPolicy", m{"logGroupIdentifier": "g", "policyDocument": `{"Fields":[]}`}, codeInvalidParameter,
			"The field index policy document must include at least one field index."},
		{"document too long", "PutIndexPolicy", m{"logGroupIdentifier": "g", "policyDocument": `{"Fields":["` + strings.Repeat("a", 51200) + `"]}`}, codeInvalidParameter,
			"~Member must have length less than or equal to 51200"},
		{"no document", "PutIndexPolicy", m{"logGroupIdentifier": "g"}, codeInvalidParameter,
			"1 validation error detected: Value null at 'policyDocument' failed to satisfy constraint: Member must not be null"},
		{"two groups", "DescribeIndexPolicies", m{"logGroupIdentifiers": []string{"g", "d"}}, codeInvalidParameter,
			"1 validation error detected: Value '[g, d]' at 'logGroupIdentifiers' failed to satisfy constraint: Member must have length less than or equal to 1"},
		{"no groups", "DescribeIndexPolicies", m{}, codeInvalidParameter,
			"1 validation error detected: Value null at 'logGroupIdentifiers' failed to satisfy constraint: Member must not be null"},
		{"token", "DescribeIndexPolicies", m{"logGroupIdentifiers": []string{"g"}, "nextToken": "x"}, codeInvalidParameter, msgInvalidNextToken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkAnswer(t, call(t, s, tc.op, tc.in), tc.wantType, tc.wantMsg)
		})
	}
	// DeleteLogGroup takes the group's policy with it.
	mustOK(t, s, "PutIndexPolicy", m{"logGroupIdentifier": "g", "policyDocument": doc})
	mustOK(t, s, "DeleteLogGroup", m{"logGroupName": "g"})
	var n int
	if err := s.st.r.QueryRow(`SELECT count(*) FROM index_policies`).Scan(&n); err != nil || n != 0 {
		t.Errorf("index policies left: %d %v", n, err)
	}
}

// fieldIndexesOf renders DescribeFieldIndexes' answer as "group field type first last"
// lines (group the ARN's name, times relative to base in seconds).
func fieldIndexesOf(t *testing.T, r *response, base int64) []string {
	t.Helper()
	var out []string
	for _, f := range list(r.body["fieldIndexes"]) {
		fm := f.(map[string]any)
		id := fm["logGroupIdentifier"].(string)
		out = append(out, fmt.Sprintf("%s %s %s %d %d", id[strings.LastIndexByte(id, ':')+1:], fm["fieldIndexName"], fm["type"],
			(num(t, fm["firstEventTime"])-base)/1000, (num(t, fm["lastEventTime"])-base)/1000))
		if _, ok := fm["lastScanTime"]; ok {
			t.Errorf("lastScanTime answered: %v", fm)
		}
	}
	return out
}

// TestDescribeFieldIndexes: the default indexes over all events, a policy's fields over the
// events ingested since the policy was put, "@@" names, nested fields, FieldsV2 types, the
// account policies of a group without its own, and nothing for other classes.
func TestDescribeFieldIndexes(t *testing.T) {
	s, clock := dpServer(t, Config{})
	base := nowMs() - 600_000
	put := func(group string, at int64, msg string) {
		t.Helper()
		mustOK(t, s, "PutLogEvents", m{"logGroupName": group, "logStreamName": "s", "logEvents": []m{{"timestamp": base + at*1000, "message": msg}}})
		clock.Add(time.Second)
	}
	put("g", 10, `{"requestId":"r1","traceId":"t1"}`)
	put("g", 20, `plain text requestId`)
	mustOK(t, s, "PutIndexPolicy", m{"logGroupIdentifier": "g", "policyDocument": `{"Fields":["requestId","@@userId","user.id","absent","@requestId"],` +
		`"FieldsV2":{"status":{"type":"FACET"},"@message":{"type":"FIELD_INDEX"}}}`})
	put("g", 30, `{"requestId":"r2","@userId":"u","user":{"id":"x"},"status":200}`)
	put("g", 5, `{"requestId":"r0","status":500,"severityText":"INFO"}`) // an earlier timestamp, ingested later
	put("g", 40, `{"other":1}`)
	setupStream(t, s, "h", "s")
	put("h", 50, `{"requestId":"r9","attributes":{"session":{"id":"s"}}}`)
	mustOK(t, s, "PutAccountPolicy", acctPolicy("all", policyFieldIndex, `{"Fields":["requestId"]}`))
	put("h", 60, `{"requestId":"r10"}`)
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "ia", "logGroupClass": "INFREQUENT_ACCESS"})
	mustOK(t, s, "CreateLogStream", m{"logGroupName": "ia", "logStreamName": "s"})
	put("ia", 70, `{"traceId":"t"}`)

	r := mustOK(t, s, "DescribeFieldIndexes", m{"logGroupIdentifiers": []string{testGroupArn + "g", "h", "ia", "g"}})
	got := fieldIndexesOf(t, r, base)
	want := []string{
		"g @@userId FIELD_INDEX 30 30",
		"g @logStream FIELD_INDEX 5 40",
		"g @message FIELD_INDEX 5 40",
		"g requestId FIELD_INDEX 5 30",
		"g severityText FIELD_INDEX 5 5",
		"g status FACET 5 30",
		"g traceId FIELD_INDEX 10 10",
		"g user.id FIELD_INDEX 30 30",
		"h @logStream FIELD_INDEX 50 60",
		"h attributes.session.id FIELD_INDEX 50 50",
		"h requestId FIELD_INDEX 60 60",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r := mustOK(t, s, "DescribeFieldIndexes", m{"logGroupIdentifiers": []string{"ia"}}); string(r.raw) != `{"fieldIndexes":[]}` {
		t.Errorf("Infrequent Access group: %s", r.raw)
	}
	checkAnswer(t, call(t, s, "DescribeFieldIndexes", m{"logGroupIdentifiers": []string{"g", "nope"}}), codeResourceNotFound, msgGroupNotFound)
	checkAnswer(t, call(t, s, "DescribeFieldIndexes", m{"logGroupIdentifiers": []string{}}), codeInvalidParameter,
		"1 validation error detected: Value '[]' at 'logGroupIdentifiers' failed to satisfy constraint: Member must have length greater than or equal to 1")
	checkAnswer(t, call(t, s, "DescribeFieldIndexes", m{"logGroupIdentifiers": []string{"g"}, "nextToken": "x"}), codeInvalidParameter, msgInvalidNextToken)
}

// TestListLogGroupsFieldIndexNames: ListLogGroups' fieldIndexNames keeps the groups whose
// field indexes — the defaults of the Standard class, then the group's index policy or
// else the account's that apply to it — include every name (a memory store has one
// connection: the policies are read before the listing).
func TestListLogGroupsFieldIndexNames(t *testing.T) {
	s := newTestServer(t, Config{})
	for _, g := range []m{{"logGroupName": "app-1"}, {"logGroupName": "app-2"}, {"logGroupName": "web"},
		{"logGroupName": "ia", "logGroupClass": "INFREQUENT_ACCESS"}} {
		mustOK(t, s, "CreateLogGroup", g)
	}
	mustOK(t, s, "PutIndexPolicy", m{"logGroupIdentifier": "app-1", "policyDocument": `{"Fields":["requestId"]}`})
	mustOK(t, s, "PutAccountPolicy", acctPolicy("apps", policyFieldIndex, `{"FieldsV2":{"sessionId":{"type":"FACET"}}}`, `LogGroupNamePrefix IN ["app"]`))
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{[]string{"requestId"}, "[app-1]"},
		{[]string{"sessionId"}, "[app-2]"}, // app-1's own policy overrides the account's
		{[]string{"traceId"}, "[app-1 app-2 web]"},
		{[]string{"traceId", "requestId"}, "[app-1]"},
		{[]string{"nothing"}, "[]"},
	} {
		if got, _ := listNames(t, s, m{"fieldIndexNames": tc.names}); fmt.Sprint(got) != tc.want {
			t.Errorf("%v: %v, want %s", tc.names, got, tc.want)
		}
	}
}
