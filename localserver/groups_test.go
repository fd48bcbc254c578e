package localserver

import (
	"fmt"
	"strings"
	"testing"
)

func TestCreateLogGroup(t *testing.T) {
	s := newTestServer(t, Config{})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "exists"})
	tests := []struct {
		name     string
		in       any
		wantType string
		wantMsg  string
	}{
		{"ok", m{"logGroupName": "/app/one"}, "", ""},
		{"with tags kms class", m{"logGroupName": "tagged", "tags": m{"team": "a", "env": "dev"}, "kmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/abc", "logGroupClass": "INFREQUENT_ACCESS"}, "", ""},
		{"duplicate", m{"logGroupName": "exists"}, codeResourceAlreadyExists, "The specified log group already exists"},
		// As live AWS answers a key id where the ARN belongs (see msgKmsKeyNotFound).
		{"kms key id, not arn", m{"logGroupName": "/aws/network-firewall/alerts", "kmsKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"},
			codeInvalidParameter, "The specified KMS Key Id could not be found. '/aws/network-firewall/alerts'"},
		{"missing name", m{}, codeInvalidParameter, "1 validation error detected: Value null at 'logGroupName' failed to satisfy constraint: Member must not be null"},
		{"bad pattern", m{"logGroupName": "bad name"}, codeInvalidParameter, "1 validation error detected: Value 'bad name' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"},
		{"too long", m{"logGroupName": strings.Repeat("a", 513)}, codeInvalidParameter, "Member must have length less than or equal to 512"},
		{"empty", m{"logGroupName": ""}, codeInvalidParameter, "2 validation errors detected: Value '' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+; Value '' at 'logGroupName' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"bad class", m{"logGroupName": "c", "logGroupClass": "COLD"}, codeInvalidParameter, "Value 'COLD' at 'logGroupClass' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, INFREQUENT_ACCESS, DELIVERY]"},
		{"empty tags", m{"logGroupName": "c", "tags": m{}}, codeInvalidParameter, "Value '{}' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"bad tag key", m{"logGroupName": "c", "tags": m{"a*b": "x"}}, codeInvalidParameter, "Value '{a*b=x}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)$]"},
		{"reserved prefix", m{"logGroupName": "aws/cwagent"}, codeInvalidParameter, "Log groups starting with AWS/ are reserved for AWS."},
		{"reserved prefix upper case", m{"logGroupName": "AWS/x"}, codeInvalidParameter, "Log groups starting with AWS/ are reserved for AWS."},
		{"/aws/ not reserved", m{"logGroupName": "/aws/lambda/fn"}, "", ""},
		{"wrong type", `{"logGroupName": 5}`, codeSerialization, ""},
		{"not json", `{"logGroupName": `, codeSerialization, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, s, "CreateLogGroup", tc.in)
			if tc.wantType == "" {
				if r.status != 200 || string(r.raw) != "{}" {
					t.Fatalf("got %d %s, want 200 {}", r.status, r.raw)
				}
				return
			}
			if r.status != 400 || r.errType() != tc.wantType || !strings.Contains(r.message(), tc.wantMsg) {
				t.Fatalf("got %d %s, want 400 %s %q", r.status, r.raw, tc.wantType, tc.wantMsg)
			}
			if r.header.Get("X-Amzn-Errortype") != tc.wantType {
				t.Errorf("X-Amzn-Errortype = %q", r.header.Get("X-Amzn-Errortype"))
			}
		})
	}
	// The tagged group echoes kmsKeyId and class; tags are listed.
	r := mustOK(t, s, "DescribeLogGroups", m{"logGroupNamePrefix": "tagged"})
	g := list(r.body["logGroups"])[0].(map[string]any)
	if g["kmsKeyId"] != "arn:aws:kms:us-east-1:123456789012:key/abc" || g["logGroupClass"] != "INFREQUENT_ACCESS" {
		t.Errorf("group = %v", g)
	}
	r = mustOK(t, s, "ListTagsLogGroup", m{"logGroupName": "tagged"})
	if fmt.Sprint(r.body["tags"]) != "map[env:dev team:a]" {
		t.Errorf("tags = %v", r.body["tags"])
	}
}

func TestDeleteLogGroup(t *testing.T) {
	s := newTestServer(t, Config{})
	setupStream(t, s, "g", "s")
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": events(nowMs())})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "protected", "deletionProtectionEnabled": true})
	tests := []struct {
		name, group, wantType, wantMsg string
	}{
		{"ok", "g", "", ""},
		{"again", "g", codeResourceNotFound, msgGroupNotFound},
		{"missing", "nope", codeResourceNotFound, msgGroupNotFound},
		{"protected", "protected", codeValidation, msgDeletionProtected},
	}
	for _, tc := range tests {
		r := call(t, s, "DeleteLogGroup", m{"logGroupName": tc.group})
		if tc.wantType == "" {
			if r.status != 200 {
				t.Fatalf("%s: %d %s", tc.name, r.status, r.raw)
			}
			continue
		}
		if r.errType() != tc.wantType || !strings.Contains(r.message(), tc.wantMsg) {
			t.Errorf("%s: got %s", tc.name, r.raw)
		}
	}
	// A recreated group is empty and old stream data is gone.
	setupStream(t, s, "g", "s")
	r := mustOK(t, s, "GetLogEvents", m{"logGroupName": "g", "logStreamName": "s", "startFromHead": true})
	if n := len(list(r.body["events"])); n != 0 {
		t.Errorf("recreated stream has %d events", n)
	}
}

func TestDescribeLogGroups(t *testing.T) {
	s := newTestServer(t, Config{})
	var names []string
	for i := 0; i < 7; i++ {
		n := fmt.Sprintf("/app/svc-%d", i)
		names = append(names, n)
		mustOK(t, s, "CreateLogGroup", m{"logGroupName": n})
	}
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "other", "logGroupClass": "DELIVERY"})
	mustOK(t, s, "PutRetentionPolicy", m{"logGroupName": "/app/svc-1", "retentionInDays": 30})

	pageAll := func(in m) ([]string, int) {
		gs, pages := pageItems(t, s, "DescribeLogGroups", in, "logGroups", 1000)
		var got []string
		for _, g := range gs {
			got = append(got, g["logGroupName"].(string))
		}
		return got, pages
	}
	tests := []struct {
		name      string
		in        m
		want      []string
		wantPages int
	}{
		{"all default", m{}, append(append([]string{}, names...), "other"), 1},
		{"limit 3", m{"limit": 3}, append(append([]string{}, names...), "other"), 3},
		{"prefix", m{"logGroupNamePrefix": "/app/svc-", "limit": 2}, names, 4},
		{"pattern", m{"logGroupNamePattern": "svc-3"}, []string{"/app/svc-3"}, 1},
		{"class", m{"logGroupClass": "DELIVERY"}, []string{"other"}, 1},
		{"identifiers", m{"logGroupIdentifiers": []string{"other", "arn:aws:logs:us-east-1:123456789012:log-group:/app/svc-2"}}, []string{"/app/svc-2", "other"}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, pages := pageAll(tc.in)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) || pages != tc.wantPages {
				t.Fatalf("got %v in %d pages, want %v in %d", got, pages, tc.want, tc.wantPages)
			}
		})
	}

	r := mustOK(t, s, "DescribeLogGroups", m{"logGroupNamePrefix": "/app/svc-1"})
	g := list(r.body["logGroups"])[0].(map[string]any)
	want := map[string]string{
		"arn":             "arn:aws:logs:us-east-1:123456789012:log-group:/app/svc-1:*",
		"logGroupArn":     "arn:aws:logs:us-east-1:123456789012:log-group:/app/svc-1",
		"retentionInDays": "30",
		"storedBytes":     "0",
		"logGroupClass":   "STANDARD",
		"creationTime":    itoa(nowMs()),
	}
	for k, v := range want {
		if fmt.Sprint(g[k]) != v {
			t.Errorf("%s = %v, want %s", k, g[k], v)
		}
	}
	// A pattern restricts the fields to arn, creationTime and logGroupName.
	r = mustOK(t, s, "DescribeLogGroups", m{"logGroupNamePattern": "svc-1"})
	if g := list(r.body["logGroups"])[0].(map[string]any); len(g) != 3 {
		t.Errorf("pattern output = %v", g)
	}
	// DELIVERY groups get one-day retention.
	r = mustOK(t, s, "DescribeLogGroups", m{"logGroupNamePrefix": "other"})
	if g := list(r.body["logGroups"])[0].(map[string]any); fmt.Sprint(g["retentionInDays"]) != "1" {
		t.Errorf("DELIVERY retention = %v", g["retentionInDays"])
	}

	errs := []struct {
		name, typ, msg string
		in             m
	}{
		{"prefix and pattern", codeInvalidParameter, msgPrefixPatternExclusive, m{"logGroupNamePrefix": "a", "logGroupNamePattern": "b"}},
		{"identifiers and prefix", codeInvalidParameter, msgIdentifiersExclusive, m{"logGroupIdentifiers": []string{"other"}, "logGroupNamePrefix": "o"}},
		{"identifiers and pattern", codeInvalidParameter, msgIdentifiersExclusive, m{"logGroupIdentifiers": []string{"other"}, "logGroupNamePattern": "o"}},
		{"identifiers and class", codeInvalidParameter, msgIdentifiersExclusive, m{"logGroupIdentifiers": []string{"other"}, "logGroupClass": "STANDARD"}},
		{"limit 0", codeInvalidParameter, "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", m{"limit": 0}},
		{"limit 51", codeInvalidParameter, "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50", m{"limit": 51}},
		{"bad token", codeInvalidParameter, msgInvalidNextToken, m{"nextToken": "garbage"}},
	}
	for _, tc := range errs {
		r := call(t, s, "DescribeLogGroups", tc.in)
		if r.status != 400 || r.errType() != tc.typ || r.message() != tc.msg {
			t.Errorf("%s: got %d %s", tc.name, r.status, r.raw)
		}
	}
}

func TestRetentionPolicy(t *testing.T) {
	s := newTestServer(t, Config{})
	setupStream(t, s, "g", "s")
	day := int64(86_400_000)
	// Events 10, 5 and 1 days old plus a current one.
	for _, e := range []m{
		{"timestamp": nowMs() - 10*day, "message": "ten"},
		{"timestamp": nowMs() - 5*day, "message": "five"},
		{"timestamp": nowMs() - day - 1000, "message": "one"},
		{"timestamp": nowMs(), "message": "now"},
	} {
		mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{e}})
	}
	for _, tc := range []struct {
		days int
		ok   bool
	}{{0, false}, {2, false}, {4000, false}, {1, true}, {3653, true}, {7, true}} {
		r := call(t, s, "PutRetentionPolicy", m{"logGroupName": "g", "retentionInDays": tc.days})
		if (r.status == 200) != tc.ok {
			t.Fatalf("retention %d: %d %s", tc.days, r.status, r.raw)
		}
		if !tc.ok && !strings.Contains(r.message(), "Member must satisfy enum value set: [1, 3, 5, 7, 14, 30,") {
			t.Errorf("retention %d message: %s", tc.days, r.message())
		}
	}
	readAll := func() []string {
		r := mustOK(t, s, "FilterLogEvents", m{"logGroupName": "g"})
		var out []string
		for _, e := range list(r.body["events"]) {
			out = append(out, e.(map[string]any)["message"].(string))
		}
		return out
	}
	// Retention 7 days hides the ten-day-old event on reads.
	if got := fmt.Sprint(readAll()); got != "[five one now]" {
		t.Fatalf("retention 7: %s", got)
	}
	r := mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{
		{"timestamp": nowMs() - 8*day, "message": "expired"},
		{"timestamp": nowMs() - 7*day - 1000, "message": "expired too"},
		{"timestamp": nowMs() - 6*day, "message": "kept"},
	}})
	if ri := r.body["rejectedLogEventsInfo"].(map[string]any); fmt.Sprint(ri) != "map[expiredLogEventEndIndex:2]" {
		t.Errorf("rejected = %v", ri)
	}
	mustOK(t, s, "PutRetentionPolicy", m{"logGroupName": "g", "retentionInDays": 3})
	if got := fmt.Sprint(readAll()); got != "[one now]" {
		t.Fatalf("retention 3: %s", got)
	}
	// The sweep deletes whole expired chunks and lowers storedBytes.
	before := groupStoredBytes(t, s, "g")
	n, err := s.sweepOnce()
	if err != nil || n != 3 {
		t.Fatalf("sweep deleted %d chunks, err %v; want 3 (ten, five, kept)", n, err)
	}
	after := groupStoredBytes(t, s, "g")
	if after >= before || after != int64(len("one")+len("now")+2*26) {
		t.Errorf("storedBytes %d -> %d", before, after)
	}
	mustOK(t, s, "DeleteRetentionPolicy", m{"logGroupName": "g"})
	if got := fmt.Sprint(readAll()); got != "[one now]" {
		t.Fatalf("after delete policy: %s", got)
	}
	if r := call(t, s, "DeleteRetentionPolicy", m{"logGroupName": "nope"}); r.errType() != codeResourceNotFound {
		t.Errorf("missing group: %s", r.raw)
	}
	if r := call(t, s, "PutRetentionPolicy", m{"logGroupName": "nope", "retentionInDays": 1}); r.errType() != codeResourceNotFound {
		t.Errorf("missing group: %s", r.raw)
	}
}

func groupStoredBytes(t *testing.T, s *Server, name string) int64 {
	t.Helper()
	r := mustOK(t, s, "DescribeLogGroups", m{"logGroupNamePrefix": name})
	return num(t, list(r.body["logGroups"])[0].(map[string]any)["storedBytes"])
}

func TestTags(t *testing.T) {
	s := newTestServer(t, Config{})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "g", "tags": m{"a": "1"}})
	arn := "arn:aws:logs:us-east-1:123456789012:log-group:g"
	mustOK(t, s, "TagResource", m{"resourceArn": arn, "tags": m{"b": "2", "a": "one"}})
	r := mustOK(t, s, "ListTagsForResource", m{"resourceArn": arn})
	if fmt.Sprint(r.body["tags"]) != "map[a:one b:2]" {
		t.Errorf("tags = %v", r.body["tags"])
	}
	mustOK(t, s, "UntagResource", m{"resourceArn": arn, "tagKeys": []string{"a"}})
	mustOK(t, s, "TagLogGroup", m{"logGroupName": "g", "tags": m{"c": "3"}})
	mustOK(t, s, "UntagLogGroup", m{"logGroupName": "g", "tags": []string{"b"}})
	r = mustOK(t, s, "ListTagsLogGroup", m{"logGroupName": "g"})
	if fmt.Sprint(r.body["tags"]) != "map[c:3]" {
		t.Errorf("tags = %v", r.body["tags"])
	}
	many := m{}
	for i := 0; i < 50; i++ {
		many[fmt.Sprintf("k%02d", i)] = "v"
	}
	r = call(t, s, "TagResource", m{"resourceArn": arn, "tags": many})
	if r.errType() != codeTooManyTags || r.body["resourceName"] != arn {
		t.Errorf("50 more tags: %s", r.raw)
	}
	errs := []struct {
		name, op, typ string
		in            m
	}{
		{"unknown group", "TagResource", codeResourceNotFound, m{"resourceArn": "arn:aws:logs:us-east-1:123456789012:log-group:nope", "tags": m{"a": "b"}}},
		{"other account", "ListTagsForResource", codeInvalidParameter, m{"resourceArn": "arn:aws:logs:us-east-1:999999999999:log-group:g"}},
		{"not an arn", "ListTagsForResource", codeInvalidParameter, m{"resourceArn": "g"}},
		{"missing tags", "TagResource", codeInvalidParameter, m{"resourceArn": arn}},
		{"legacy unknown", "ListTagsLogGroup", codeResourceNotFound, m{"logGroupName": "nope"}},
		// DescribeLogGroups's arn, with ":*": live AWS answers ValidationException
		// "Invalid resourceArn" (boto/boto3#4104); we answered InvalidParameterException.
		{"arn with :* (list)", "ListTagsForResource", codeValidation, m{"resourceArn": arn + ":*"}},
		{"arn with :* (tag)", "TagResource", codeValidation, m{"resourceArn": arn + ":*", "tags": m{"a": "b"}}},
		{"arn with :* (untag)", "UntagResource", codeValidation, m{"resourceArn": arn + ":*", "tagKeys": []string{"a"}}},
	}
	for _, tc := range errs {
		if r := call(t, s, tc.op, tc.in); r.errType() != tc.typ || tc.typ == codeValidation && r.message() != "Invalid resourceArn" {
			t.Errorf("%s: %s", tc.name, r.raw)
		}
	}
}

// TestDeletionProtection: PutLogGroupDeletionProtection turns protection on
// and off (by name or ARN), so that a protected group can be deleted once it
// is off. A review found the operation unserved: a group created protected
// could never be deleted.
func TestDeletionProtection(t *testing.T) {
	s := newTestServer(t, Config{})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "p", "deletionProtectionEnabled": true})
	if r := call(t, s, "DeleteLogGroup", m{"logGroupName": "p"}); r.errType() != codeValidation || r.message() != msgDeletionProtected {
		t.Fatalf("protected: %s", r.raw)
	}
	protected := func() any {
		r := mustOK(t, s, "DescribeLogGroups", m{"logGroupNamePrefix": "p"})
		return list(r.body["logGroups"])[0].(map[string]any)["deletionProtectionEnabled"]
	}
	mustOK(t, s, "PutLogGroupDeletionProtection", m{"logGroupIdentifier": "arn:aws:logs:us-east-1:123456789012:log-group:p", "deletionProtectionEnabled": false})
	if p := protected(); p != nil {
		t.Errorf("deletionProtectionEnabled = %v after turning it off", p)
	}
	mustOK(t, s, "PutLogGroupDeletionProtection", m{"logGroupIdentifier": "p", "deletionProtectionEnabled": true})
	if p := protected(); p != true {
		t.Errorf("deletionProtectionEnabled = %v after turning it on", p)
	}
	mustOK(t, s, "PutLogGroupDeletionProtection", m{"logGroupIdentifier": "p", "deletionProtectionEnabled": false})
	mustOK(t, s, "DeleteLogGroup", m{"logGroupName": "p"})
	for _, tc := range []struct {
		in       m
		wantType string
	}{
		{m{"logGroupIdentifier": "p", "deletionProtectionEnabled": true}, codeResourceNotFound},
		{m{"logGroupIdentifier": "g"}, codeInvalidParameter},
		{m{"deletionProtectionEnabled": true}, codeInvalidParameter},
	} {
		if r := call(t, s, "PutLogGroupDeletionProtection", tc.in); r.status != 400 || r.errType() != tc.wantType {
			t.Errorf("%v: %s, want %s", tc.in, r.raw, tc.wantType)
		}
	}
}
