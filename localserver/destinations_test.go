package localserver

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	testTarget  = "arn:aws:kinesis:us-east-1:123456789012:stream/RecipientStream"
	testTarget2 = "arn:aws:firehose:us-east-1:123456789012:deliverystream/Other"
	testRole    = "arn:aws:iam::123456789012:role/CWLtoKinesisRole"
	testAccess  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"logs:PutSubscriptionFilter","Resource":"*"}]}`
)

func destArn(name string) string { return "arn:aws:logs:us-east-1:123456789012:destination:" + name }

// jsonNum is n as the test decoder decodes JSON numbers.
func jsonNum(n int64) json.Number { return json.Number(itoa(n)) }

// TestDestinationErrors: bad input to the four operations is refused with the model's
// error and the field named; a missing destination is ResourceNotFoundException.
func TestDestinationErrors(t *testing.T) {
	s := newTestServer(t, Config{})
	mustOK(t, s, "PutDestination", m{"destinationName": "d", "targetArn": testTarget, "roleArn": testRole})
	tooMany := m{}
	for i := range 51 {
		tooMany[fmt.Sprintf("k%02d", i)] = "v"
	}
	cases := []struct {
		name, op string
		in       m
		code     string
		msg      string // substring
	}{
		{"put without name", "PutDestination", m{"targetArn": testTarget, "roleArn": testRole}, codeInvalidParameter, "Value null at 'destinationName' failed to satisfy constraint: Member must not be null"},
		{"put empty name", "PutDestination", m{"destinationName": "", "targetArn": testTarget, "roleArn": testRole}, codeInvalidParameter, "at 'destinationName' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"put name with colon", "PutDestination", m{"destinationName": "a:b", "targetArn": testTarget, "roleArn": testRole}, codeInvalidParameter, "Value 'a:b' at 'destinationName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*"},
		{"put name with star", "PutDestination", m{"destinationName": "a*", "targetArn": testTarget, "roleArn": testRole}, codeInvalidParameter, "pattern: [^:*]*"},
		{"put long name", "PutDestination", m{"destinationName": strings.Repeat("n", 513), "targetArn": testTarget, "roleArn": testRole}, codeInvalidParameter, "at 'destinationName' failed to satisfy constraint: Member must have length less than or equal to 512"},
		{"put without target", "PutDestination", m{"destinationName": "d", "roleArn": testRole}, codeInvalidParameter, "Value null at 'targetArn' failed to satisfy constraint: Member must not be null"},
		{"put empty target", "PutDestination", m{"destinationName": "d", "targetArn": "", "roleArn": testRole}, codeInvalidParameter, "at 'targetArn' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"put without role", "PutDestination", m{"destinationName": "d", "targetArn": testTarget}, codeInvalidParameter, "Value null at 'roleArn' failed to satisfy constraint: Member must not be null"},
		{"put empty role", "PutDestination", m{"destinationName": "d", "targetArn": testTarget, "roleArn": ""}, codeInvalidParameter, "at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"put nothing", "PutDestination", m{}, codeInvalidParameter, "3 validation errors detected"},
		{"put empty tags", "PutDestination", m{"destinationName": "d", "targetArn": testTarget, "roleArn": testRole, "tags": m{}}, codeInvalidParameter, "at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"put 51 tags", "PutDestination", m{"destinationName": "d", "targetArn": testTarget, "roleArn": testRole, "tags": tooMany}, codeInvalidParameter, "at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{"put bad tag key", "PutDestination", m{"destinationName": "d", "targetArn": testTarget, "roleArn": testRole, "tags": m{"a!": "v"}}, codeInvalidParameter, "Map keys must satisfy constraint"},
		{"policy without name", "PutDestinationPolicy", m{"accessPolicy": testAccess}, codeInvalidParameter, "Value null at 'destinationName' failed to satisfy constraint: Member must not be null"},
		{"policy without policy", "PutDestinationPolicy", m{"destinationName": "d"}, codeInvalidParameter, "Value null at 'accessPolicy' failed to satisfy constraint: Member must not be null"},
		{"policy empty policy", "PutDestinationPolicy", m{"destinationName": "d", "accessPolicy": ""}, codeInvalidParameter, "at 'accessPolicy' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"policy not json", "PutDestinationPolicy", m{"destinationName": "d", "accessPolicy": "{nope"}, codeInvalidParameter, msgPolicyNotJSON},
		{"policy json but not an object", "PutDestinationPolicy", m{"destinationName": "d", "accessPolicy": `["Statement"]`}, codeInvalidParameter, msgPolicyNotJSON},
		{"policy json null", "PutDestinationPolicy", m{"destinationName": "d", "accessPolicy": "null"}, codeInvalidParameter, msgPolicyNotJSON},
		{"policy too long", "PutDestinationPolicy", m{"destinationName": "d", "accessPolicy": `{"Sid":"` + strings.Repeat("x", maxAccessPolicyBytes) + `"}`}, codeInvalidParameter, msgAccessPolicyTooLong},
		{"policy bad name", "PutDestinationPolicy", m{"destinationName": "a:b", "accessPolicy": testAccess}, codeInvalidParameter, "at 'destinationName'"},
		{"policy missing destination", "PutDestinationPolicy", m{"destinationName": "missing", "accessPolicy": testAccess}, codeResourceNotFound, msgDestinationNotFound},
		{"describe limit 0", "DescribeDestinations", m{"limit": 0}, codeInvalidParameter, "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"describe limit 51", "DescribeDestinations", m{"limit": 51}, codeInvalidParameter, "Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50"},
		{"describe empty prefix", "DescribeDestinations", m{"DestinationNamePrefix": ""}, codeInvalidParameter, "at 'DestinationNamePrefix' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"describe bad prefix", "DescribeDestinations", m{"DestinationNamePrefix": "a*"}, codeInvalidParameter, "at 'DestinationNamePrefix' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{"describe empty token", "DescribeDestinations", m{"nextToken": ""}, codeInvalidParameter, "at 'nextToken'"},
		{"describe forged token", "DescribeDestinations", m{"nextToken": "garbage"}, codeInvalidParameter, msgInvalidNextToken},
		{"delete without name", "DeleteDestination", m{}, codeInvalidParameter, "Value null at 'destinationName' failed to satisfy constraint: Member must not be null"},
		{"delete bad name", "DeleteDestination", m{"destinationName": "a*"}, codeInvalidParameter, "at 'destinationName'"},
		{"delete missing", "DeleteDestination", m{"destinationName": "missing"}, codeResourceNotFound, msgDestinationNotFound},
		{"tag missing destination", "TagResource", m{"resourceArn": destArn("missing"), "tags": m{"k": "v"}}, codeResourceNotFound, msgDestinationNotFound},
		{"untag missing destination", "UntagResource", m{"resourceArn": destArn("missing"), "tagKeys": []string{"k"}}, codeResourceNotFound, msgDestinationNotFound},
		{"list tags missing destination", "ListTagsForResource", m{"resourceArn": destArn("missing")}, codeResourceNotFound, msgDestinationNotFound},
		{"tag destination arn with :*", "TagResource", m{"resourceArn": destArn("d") + ":*", "tags": m{"k": "v"}}, codeValidation, "Invalid resourceArn"},
		{"list tags of destination arn with :*", "ListTagsForResource", m{"resourceArn": destArn("d") + ":*"}, codeValidation, "Invalid resourceArn"},
		{"tag destination of another account", "TagResource", m{"resourceArn": "arn:aws:logs:us-east-1:111122223333:destination:d", "tags": m{"k": "v"}}, codeInvalidParameter, "is not a valid log group ARN"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := call(t, s, c.op, c.in)
			if r.status != 400 || r.errType() != c.code || !strings.Contains(r.message(), c.msg) {
				t.Errorf("%s: %d %s %q, want %s containing %q", c.op, r.status, r.errType(), r.message(), c.code, c.msg)
			}
		})
	}
	// None of the refused requests changed the destination.
	if ds := describeDests(t, s, m{}); len(ds) != 1 || ds[0]["accessPolicy"] != nil || ds[0]["targetArn"] != testTarget {
		t.Errorf("after the refusals: %v", ds)
	}
}

// describeDests lists every destination DescribeDestinations answers for in (all pages).
func describeDests(t *testing.T, s *Server, in m) []map[string]any {
	t.Helper()
	items, _ := pageItems(t, s, "DescribeDestinations", in, "destinations", 100)
	return items
}

// TestDestinationLifecycle: create (no accessPolicy), set the policy, update (keeps the
// creation time and the policy), describe, delete.
func TestDestinationLifecycle(t *testing.T) {
	now := testNow
	s := newTestServer(t, Config{Now: func() time.Time { return now }})
	r := mustOK(t, s, "PutDestination", m{"destinationName": "demo", "targetArn": testTarget, "roleArn": testRole})
	want := `{"destination":{"destinationName":"demo","targetArn":"` + testTarget + `","roleArn":"` + testRole +
		`","arn":"` + destArn("demo") + `","creationTime":` + itoa(testNow.UnixMilli()) + `}}`
	if string(r.raw) != want {
		t.Errorf("PutDestination:\n got %s\nwant %s", r.raw, want)
	}
	if r := mustOK(t, s, "PutDestinationPolicy", m{"destinationName": "demo", "accessPolicy": testAccess, "forceUpdate": true}); string(r.raw) != "{}" {
		t.Errorf("PutDestinationPolicy answered %s", r.raw)
	}
	now = now.Add(time.Minute)
	r = mustOK(t, s, "PutDestination", m{"destinationName": "demo", "targetArn": testTarget2, "roleArn": testRole + "2"})
	d, _ := r.body["destination"].(map[string]any)
	if d["targetArn"] != testTarget2 || d["roleArn"] != testRole+"2" || d["accessPolicy"] != testAccess ||
		d["creationTime"] != jsonNum(testNow.UnixMilli()) {
		t.Errorf("update: %s", r.raw)
	}
	ds := describeDests(t, s, m{})
	if len(ds) != 1 || ds[0]["targetArn"] != testTarget2 || ds[0]["accessPolicy"] != testAccess || ds[0]["arn"] != destArn("demo") ||
		ds[0]["creationTime"] != jsonNum(testNow.UnixMilli()) {
		t.Errorf("describe after update: %v", ds)
	}
	// A second policy replaces the first.
	mustOK(t, s, "PutDestinationPolicy", m{"destinationName": "demo", "accessPolicy": `{"Statement":[]}`})
	if ds := describeDests(t, s, m{}); ds[0]["accessPolicy"] != `{"Statement":[]}` {
		t.Errorf("second policy: %v", ds)
	}
	if r := mustOK(t, s, "DeleteDestination", m{"destinationName": "demo"}); string(r.raw) != "{}" {
		t.Errorf("DeleteDestination answered %s", r.raw)
	}
	if ds := describeDests(t, s, m{}); len(ds) != 0 {
		t.Errorf("after delete: %v", ds)
	}
	// A destination created again is new: new creation time, no policy.
	r = mustOK(t, s, "PutDestination", m{"destinationName": "demo", "targetArn": testTarget, "roleArn": testRole})
	if d, _ := r.body["destination"].(map[string]any); d["accessPolicy"] != nil || d["creationTime"] != jsonNum(now.UnixMilli()) {
		t.Errorf("created again: %s", r.raw)
	}
}

// TestDestinationArnRegion: the arn is in the request's region and partition.
func TestDestinationArnRegion(t *testing.T) {
	s := newTestServer(t, Config{AccountID: "111122223333"})
	if got, want := s.destinationArn("cn-north-1", "d"), "arn:aws-cn:logs:cn-north-1:111122223333:destination:d"; got != want {
		t.Errorf("destinationArn = %q, want %q", got, want)
	}
	r := mustOK(t, s, "PutDestination", m{"destinationName": "d", "targetArn": testTarget, "roleArn": testRole})
	if d, _ := r.body["destination"].(map[string]any); d["arn"] != "arn:aws:logs:us-east-1:111122223333:destination:d" {
		t.Errorf("arn: %s", r.raw)
	}
}

// TestDescribeDestinationsPaging: ASCII order, prefix filter, pages of limit with tokens
// bound to their listing.
func TestDescribeDestinationsPaging(t *testing.T) {
	s := newTestServer(t, Config{})
	names := []string{"b", "a-2", "a-1", "A", "a_3", "c/x", "a-10"}
	for _, n := range names {
		mustOK(t, s, "PutDestination", m{"destinationName": n, "targetArn": testTarget, "roleArn": testRole})
	}
	nameList := func(ds []map[string]any) string {
		var out []string
		for _, d := range ds {
			out = append(out, d["destinationName"].(string))
		}
		return strings.Join(out, ",")
	}
	cases := []struct {
		name      string
		in        m
		want      string
		wantPages int
	}{
		{"all", m{}, "A,a-1,a-10,a-2,a_3,b,c/x", 1},
		{"limit 2", m{"limit": 2}, "A,a-1,a-10,a-2,a_3,b,c/x", 4},
		{"prefix a-", m{"DestinationNamePrefix": "a-"}, "a-1,a-10,a-2", 1},
		{"prefix a- limit 1", m{"DestinationNamePrefix": "a-", "limit": 1}, "a-1,a-10,a-2", 3},
		{"prefix is case sensitive", m{"DestinationNamePrefix": "B"}, "", 1},
		{"prefix c/", m{"DestinationNamePrefix": "c/"}, "c/x", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			items, pages := pageItems(t, s, "DescribeDestinations", c.in, "destinations", 20)
			if got := nameList(items); got != c.want || pages != c.wantPages {
				t.Errorf("got %s in %d pages, want %s in %d", got, pages, c.want, c.wantPages)
			}
		})
	}
	// The last page carries no nextToken; a token is refused for another prefix.
	r := mustOK(t, s, "DescribeDestinations", m{"limit": 7})
	if _, ok := r.body["nextToken"]; ok {
		t.Errorf("a complete page has a nextToken: %s", r.raw)
	}
	tok := mustOK(t, s, "DescribeDestinations", m{"limit": 1}).body["nextToken"]
	if r := call(t, s, "DescribeDestinations", m{"limit": 1, "nextToken": tok, "DestinationNamePrefix": "a"}); r.message() != msgInvalidNextToken {
		t.Errorf("a token for another prefix: %s", r.raw)
	}
	// The prefix member is DestinationNamePrefix, as the model spells it: the lower-case
	// spelling is no member and filters nothing.
	if ds := describeDests(t, s, m{"destinationNamePrefix": "b"}); len(ds) != len(names) {
		t.Errorf("destinationNamePrefix filtered: %v", ds)
	}
}

// TestDestinationTags: TagResource, UntagResource and ListTagsForResource take a
// destination ARN (of any region of this account); PutDestination's tags are added; the
// 50-tag limit holds; the tags go with the destination.
func TestDestinationTags(t *testing.T) {
	s := newTestServer(t, Config{})
	arn := destArn("tagged")
	listTags := func() string {
		t.Helper()
		return string(mustOK(t, s, "ListTagsForResource", m{"resourceArn": arn}).raw)
	}
	mustOK(t, s, "PutDestination", m{"destinationName": "tagged", "targetArn": testTarget, "roleArn": testRole, "tags": m{"team": "a", "env": "dev"}})
	if got := listTags(); got != `{"tags":{"env":"dev","team":"a"}}` {
		t.Errorf("after PutDestination: %s", got)
	}
	mustOK(t, s, "TagResource", m{"resourceArn": arn, "tags": m{"env": "prod", "cost": "1"}})
	if got := listTags(); got != `{"tags":{"cost":"1","env":"prod","team":"a"}}` {
		t.Errorf("after TagResource: %s", got)
	}
	mustOK(t, s, "UntagResource", m{"resourceArn": arn, "tagKeys": []string{"team", "absent"}})
	if got := listTags(); got != `{"tags":{"cost":"1","env":"prod"}}` {
		t.Errorf("after UntagResource: %s", got)
	}
	// An update's tags are added too.
	mustOK(t, s, "PutDestination", m{"destinationName": "tagged", "targetArn": testTarget, "roleArn": testRole, "tags": m{"v": "2"}})
	if got := listTags(); got != `{"tags":{"cost":"1","env":"prod","v":"2"}}` {
		t.Errorf("after an update with tags: %s", got)
	}
	// Another region's ARN names the same destination (the server keeps one set of them).
	if r := mustOK(t, s, "ListTagsForResource", m{"resourceArn": "arn:aws:logs:eu-west-1:123456789012:destination:tagged"}); !strings.Contains(string(r.raw), `"v":"2"`) {
		t.Errorf("eu-west-1 ARN: %s", r.raw)
	}
	// A log group of the same name is another resource.
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "tagged", "tags": m{"group": "yes"}})
	if r := mustOK(t, s, "ListTagsForResource", m{"resourceArn": "arn:aws:logs:us-east-1:123456789012:log-group:tagged"}); string(r.raw) != `{"tags":{"group":"yes"}}` {
		t.Errorf("group tags: %s", r.raw)
	}
	many := m{}
	for i := range 48 { // with the three it has, 51
		many[fmt.Sprintf("k%02d", i)] = "v"
	}
	r := call(t, s, "TagResource", m{"resourceArn": arn, "tags": many})
	if r.errType() != codeTooManyTags || r.body["resourceName"] != arn {
		t.Errorf("51st tag: %s", r.raw)
	}
	delete(many, "k00")
	mustOK(t, s, "TagResource", m{"resourceArn": arn, "tags": many}) // 50
	mustOK(t, s, "DeleteDestination", m{"destinationName": "tagged"})
	mustOK(t, s, "PutDestination", m{"destinationName": "tagged", "targetArn": testTarget, "roleArn": testRole})
	if got := listTags(); got != `{"tags":{}}` {
		t.Errorf("a destination created again kept the old tags: %s", got)
	}
}

// TestSubscriptionToDestination: PutSubscriptionFilter takes a destination ARN, with or
// without roleArn, whether or not the destination exists here (it normally belongs to
// another account).
func TestSubscriptionToDestination(t *testing.T) {
	s := newTestServer(t, Config{})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "g"})
	mustOK(t, s, "PutDestination", m{"destinationName": "central", "targetArn": testTarget, "roleArn": testRole})
	mustOK(t, s, "PutSubscriptionFilter", m{"logGroupName": "g", "filterName": "local", "filterPattern": "", "destinationArn": destArn("central")})
	mustOK(t, s, "PutSubscriptionFilter", m{"logGroupName": "g", "filterName": "remote", "filterPattern": "ERROR",
		"destinationArn": "arn:aws:logs:us-east-1:111122223333:destination:central", "roleArn": testRole})
	r := mustOK(t, s, "DescribeSubscriptionFilters", m{"logGroupName": "g"})
	fs := list(r.body["subscriptionFilters"])
	if len(fs) != 2 || fs[0].(map[string]any)["destinationArn"] != destArn("central") {
		t.Errorf("filters: %s", r.raw)
	}
}

// TestDestinationsPersist: destinations, their policies and tags survive a restart on the
// same data directory.
func TestDestinationsPersist(t *testing.T) {
	dir := t.TempDir()
	s := newTestServer(t, Config{DataDir: dir})
	mustOK(t, s, "PutDestination", m{"destinationName": "kept", "targetArn": testTarget, "roleArn": testRole, "tags": m{"k": "v"}})
	mustOK(t, s, "PutDestinationPolicy", m{"destinationName": "kept", "accessPolicy": testAccess})
	mustOK(t, s, "PutDestination", m{"destinationName": "gone", "targetArn": testTarget, "roleArn": testRole})
	mustOK(t, s, "DeleteDestination", m{"destinationName": "gone"})
	if err := s.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	s2 := newTestServer(t, Config{DataDir: dir})
	ds := describeDests(t, s2, m{})
	if len(ds) != 1 || ds[0]["destinationName"] != "kept" || ds[0]["accessPolicy"] != testAccess || ds[0]["creationTime"] != jsonNum(testNow.UnixMilli()) {
		t.Errorf("after restart: %v", ds)
	}
	if r := mustOK(t, s2, "ListTagsForResource", m{"resourceArn": destArn("kept")}); string(r.raw) != `{"tags":{"k":"v"}}` {
		t.Errorf("tags after restart: %s", r.raw)
	}
}

// TestMigrateV6Destinations: a database of schema version 6 (before destinations) is
// migrated and keeps its groups.
func TestMigrateV6Destinations(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(strings.Join(migrations[:6], ";\n") + `; PRAGMA user_version = 6`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO log_groups(id, name, creation_time, class) VALUES (1, 'old', ?, 'STANDARD')`, nowMs()); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s := newTestServer(t, Config{DataDir: dir})
	mustOK(t, s, "PutDestination", m{"destinationName": "new", "targetArn": testTarget, "roleArn": testRole})
	if r := mustOK(t, s, "DescribeLogGroups", m{}); len(list(r.body["logGroups"])) != 1 {
		t.Errorf("groups after migration: %s", r.raw)
	}
}
