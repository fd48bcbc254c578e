package localserver

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

const ltArnPrefix = "arn:aws:logs:us-east-1:123456789012:lookup-table:"

func ltArn(name string) string { return ltArnPrefix + name }

const ltUsers = "id,name,team\nu1,Ann,eng\nu2,\"Bob, Jr.\",ops\n"

func TestLookupTableValidation(t *testing.T) {
	s := newTestServer(t, Config{}) // the default limits admit a body over 10 MB for these operations (bodyLimit)
	mustOK(t, s, "CreateLookupTable", m{"lookupTableName": "exists", "tableBody": "a\n1\n"})
	big := "a\n" + strings.Repeat("x\n", 10<<20/2)
	for _, c := range []struct {
		name, op string
		in       m
		code     string
		msg      string // part of the message
	}{
		{"name missing", "CreateLookupTable", m{"tableBody": "a"}, codeInvalidParameter, "'lookupTableName' failed to satisfy constraint: Member must not be null"},
		{"name with hyphen", "CreateLookupTable", m{"lookupTableName": "a-b", "tableBody": "a"}, codeInvalidParameter, "Value 'a-b' at 'lookupTableName'"},
		{"name too long", "CreateLookupTable", m{"lookupTableName": strings.Repeat("a", 257), "tableBody": "a"}, codeInvalidParameter, "less than or equal to 256"},
		{"description too long", "CreateLookupTable", m{"lookupTableName": "t", "tableBody": "a", "description": strings.Repeat("d", 1025)}, codeInvalidParameter, "'description'"},
		{"kmsKeyId too long", "CreateLookupTable", m{"lookupTableName": "t", "tableBody": "a", "kmsKeyId": strings.Repeat("k", 257)}, codeInvalidParameter, "'kmsKeyId'"},
		{"body missing", "CreateLookupTable", m{"lookupTableName": "t"}, codeInvalidParameter, "'tableBody' failed to satisfy constraint: Member must not be null"},
		{"body empty", "CreateLookupTable", m{"lookupTableName": "t", "tableBody": ""}, codeInvalidParameter, "'tableBody'"},
		{"short row", "CreateLookupTable", m{"lookupTableName": "t", "tableBody": "a,b\n1,2\n3\n"}, codeInvalidParameter, "tableBody: line 3"},
		{"bare quote", "CreateLookupTable", m{"lookupTableName": "t", "tableBody": "a,b\n1,x\"y\n"}, codeInvalidParameter, "tableBody: line 2"},
		{"duplicate column", "CreateLookupTable", m{"lookupTableName": "t", "tableBody": "a,a\n"}, codeInvalidParameter, `names column "a" twice`},
		{"too large", "CreateLookupTable", m{"lookupTableName": "t", "tableBody": big}, codeInvalidParameter, "the limit is 10485760"},
		{"tags empty", "CreateLookupTable", m{"lookupTableName": "t", "tableBody": "a", "tags": m{}}, codeInvalidParameter, "'tags'"},
		{"exists", "CreateLookupTable", m{"lookupTableName": "exists", "tableBody": "a"}, codeResourceAlreadyExists, "already exists"},
		{"get: arn missing", "GetLookupTable", m{}, codeInvalidParameter, "'lookupTableArn'"},
		{"get: not a lookup table ARN", "GetLookupTable", m{"lookupTableArn": "arn:aws:logs:us-east-1:123456789012:destination:exists"}, codeInvalidParameter, "not a valid lookup table ARN"},
		{"get: another account", "GetLookupTable", m{"lookupTableArn": "arn:aws:logs:us-east-1:111122223333:lookup-table:exists"}, codeInvalidParameter, "not a valid lookup table ARN"},
		{"get: missing", "GetLookupTable", m{"lookupTableArn": ltArn("nope")}, codeResourceNotFound, "does not exist"},
		{"update: missing", "UpdateLookupTable", m{"lookupTableArn": ltArn("nope"), "tableBody": "a"}, codeResourceNotFound, "does not exist"},
		{"update: body missing", "UpdateLookupTable", m{"lookupTableArn": ltArn("exists")}, codeInvalidParameter, "'tableBody'"},
		{"update: bad body", "UpdateLookupTable", m{"lookupTableArn": ltArn("exists"), "tableBody": "a,\n"}, codeInvalidParameter, "column 2 of the header row has no name"},
		{"delete: missing", "DeleteLookupTable", m{"lookupTableArn": ltArn("nope")}, codeResourceNotFound, "does not exist"},
		{"describe: maxResults", "DescribeLookupTables", m{"maxResults": 101}, codeInvalidParameter, "'maxResults'"},
		{"describe: prefix", "DescribeLookupTables", m{"lookupTableNamePrefix": "a b"}, codeInvalidParameter, "'lookupTableNamePrefix'"},
		{"describe: token", "DescribeLookupTables", m{"nextToken": "garbage"}, codeInvalidParameter, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := call(t, s, c.op, c.in)
			if r.errType() != c.code || !strings.Contains(r.message(), c.msg) {
				t.Errorf("%s: %d %s, want %s containing %q", c.op, r.status, r.raw, c.code, c.msg)
			}
			if len(r.raw) > 2000 {
				t.Errorf("the answer is %d bytes: it quotes the body", len(r.raw))
			}
		})
	}
}

func TestLookupTableCRUD(t *testing.T) {
	now := testNow
	s := newTestServer(t, Config{Now: func() time.Time { return now }})
	r := mustOK(t, s, "CreateLookupTable", m{"lookupTableName": "users", "description": "who", "tableBody": ltUsers,
		"kmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/k1", "tags": m{"env": "test"}})
	if r.body["lookupTableArn"] != ltArn("users") || num(t, r.body["createdAt"]) != testNow.UnixMilli() {
		t.Errorf("CreateLookupTable: %s", r.raw)
	}
	r = mustOK(t, s, "GetLookupTable", m{"lookupTableArn": ltArn("users")})
	want := fmt.Sprintf(`{"lookupTableArn":%q,"lookupTableName":"users","description":"who","tableBody":%q,"sizeBytes":%d,"lastUpdatedTime":%d,"kmsKeyId":"arn:aws:kms:us-east-1:123456789012:key/k1"}`,
		ltArn("users"), ltUsers, len(ltUsers), testNow.UnixMilli())
	if string(r.raw) != want {
		t.Errorf("GetLookupTable:\n%s\nwant\n%s", r.raw, want)
	}
	r = mustOK(t, s, "DescribeLookupTables", m{})
	want = fmt.Sprintf(`{"lookupTables":[{"lookupTableArn":%q,"lookupTableName":"users","description":"who","tableFields":["id","name","team"],"recordsCount":2,"sizeBytes":%d,"lastUpdatedTime":%d,"kmsKeyId":"arn:aws:kms:us-east-1:123456789012:key/k1"}]}`,
		ltArn("users"), len(ltUsers), testNow.UnixMilli())
	if string(r.raw) != want {
		t.Errorf("DescribeLookupTables:\n%s\nwant\n%s", r.raw, want)
	}

	// Update replaces the body; description kept when left out, kmsKeyId "" removes it.
	now = now.Add(time.Minute)
	body := "id,name\nu3,Cy\n"
	r = mustOK(t, s, "UpdateLookupTable", m{"lookupTableArn": ltArn("users"), "tableBody": body, "kmsKeyId": ""})
	if num(t, r.body["lastUpdatedTime"]) != now.UnixMilli() || r.body["lookupTableArn"] != ltArn("users") {
		t.Errorf("UpdateLookupTable: %s", r.raw)
	}
	r = mustOK(t, s, "GetLookupTable", m{"lookupTableArn": ltArn("users")})
	if r.body["tableBody"] != body || r.body["description"] != "who" || r.body["kmsKeyId"] != nil || num(t, r.body["sizeBytes"]) != int64(len(body)) {
		t.Errorf("after update: %s", r.raw)
	}
	r = mustOK(t, s, "DescribeLookupTables", m{})
	lt := list(r.body["lookupTables"])[0].(map[string]any)
	if num(t, lt["recordsCount"]) != 1 || len(list(lt["tableFields"])) != 2 {
		t.Errorf("described after update: %s", r.raw)
	}

	// Tags through the tagging operations.
	mustOK(t, s, "TagResource", m{"resourceArn": ltArn("users"), "tags": m{"team": "a"}})
	mustOK(t, s, "UntagResource", m{"resourceArn": ltArn("users"), "tagKeys": []string{"env"}})
	r = mustOK(t, s, "ListTagsForResource", m{"resourceArn": ltArn("users")})
	if tags, _ := r.body["tags"].(map[string]any); len(tags) != 1 || tags["team"] != "a" {
		t.Errorf("tags: %s", r.raw)
	}
	if r := call(t, s, "ListTagsForResource", m{"resourceArn": ltArn("nope")}); r.errType() != codeResourceNotFound {
		t.Errorf("tags of a missing table: %s", r.raw)
	}

	// Delete, then the name is free again and starts without the old tags.
	mustOK(t, s, "DeleteLookupTable", m{"lookupTableArn": ltArn("users")})
	if r := call(t, s, "GetLookupTable", m{"lookupTableArn": ltArn("users")}); r.errType() != codeResourceNotFound {
		t.Errorf("after delete: %s", r.raw)
	}
	mustOK(t, s, "CreateLookupTable", m{"lookupTableName": "users", "tableBody": "a"})
	r = mustOK(t, s, "ListTagsForResource", m{"resourceArn": ltArn("users")})
	if tags, _ := r.body["tags"].(map[string]any); len(tags) != 0 {
		t.Errorf("a recreated table has the old tags: %s", r.raw)
	}
	r = mustOK(t, s, "GetLookupTable", m{"lookupTableArn": ltArn("users")})
	if _, ok := r.body["description"]; ok {
		t.Errorf("no description was given: %s", r.raw)
	}
}

func TestLookupTablePagingAndLimit(t *testing.T) {
	s := newTestServer(t, Config{})
	for i := range maxLookupTables {
		name := fmt.Sprintf("t%03d", maxLookupTables-1-i) // created in reverse: listed sorted
		if i%2 == 1 {
			name = "x" + name
		}
		mustOK(t, s, "CreateLookupTable", m{"lookupTableName": name, "tableBody": "a"})
	}
	if r := call(t, s, "CreateLookupTable", m{"lookupTableName": "more", "tableBody": "a"}); r.errType() != codeLimitExceeded {
		t.Errorf("table %d: %d %s", maxLookupTables+1, r.status, r.raw)
	}
	items, pages := pageItems(t, s, "DescribeLookupTables", m{"maxResults": 7}, "lookupTables", 100)
	if len(items) != maxLookupTables || pages != (maxLookupTables+6)/7 {
		t.Fatalf("%d tables in %d pages", len(items), pages)
	}
	for i := 1; i < len(items); i++ {
		if items[i-1]["lookupTableName"].(string) >= items[i]["lookupTableName"].(string) {
			t.Fatalf("not sorted: %v then %v", items[i-1]["lookupTableName"], items[i]["lookupTableName"])
		}
	}
	items, _ = pageItems(t, s, "DescribeLookupTables", m{"lookupTableNamePrefix": "x", "maxResults": 100}, "lookupTables", 10)
	if len(items) != maxLookupTables/2 {
		t.Errorf("prefix x: %d tables", len(items))
	}
	items, pages = pageItems(t, s, "DescribeLookupTables", m{}, "lookupTables", 10)
	if len(items) != maxLookupTables || pages != 2 {
		t.Errorf("default page size: %d tables in %d pages, want 50 a page", len(items), pages)
	}
	// A token of one listing is refused by another.
	r := mustOK(t, s, "DescribeLookupTables", m{"maxResults": 1})
	if r := call(t, s, "DescribeLookupTables", m{"lookupTableNamePrefix": "x", "nextToken": r.body["nextToken"]}); r.errType() != codeInvalidParameter {
		t.Errorf("token of another listing: %s", r.raw)
	}
}

// lookupFixture creates group app with events carrying uid and returns the base time (ms).
func lookupFixture(t *testing.T, s *Server) int64 {
	t.Helper()
	setupStream(t, s, "app", "s")
	base := nowMs() - 60_000
	var evs []m
	for i, msg := range []string{`{"uid":"u1","n":1}`, `{"uid":"u2","n":2}`, `{"uid":"U1","n":3}`, `{"n":4}`, `{"uid":"u1","name":"old","n":5}`} {
		evs = append(evs, m{"timestamp": base + int64(i), "message": msg})
	}
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "app", "logStreamName": "s", "logEvents": evs})
	return base
}

func lookupQuery(t *testing.T, s *Server, base int64, q string) *response {
	t.Helper()
	return call(t, s, "StartQuery", m{"logGroupName": "app", "startTime": base / 1000, "endTime": base/1000 + 10, "queryString": q})
}

func TestLookupTableQuery(t *testing.T) {
	s := newTestServer(t, Config{})
	base := lookupFixture(t, s)
	mustOK(t, s, "CreateLookupTable", m{"lookupTableName": "users", "tableBody": ltUsers})

	r := lookupQuery(t, s, base, "lookup users id as uid OUTPUT name, team | fields n, uid, name, team | sort n asc")
	if r.status != 200 {
		t.Fatalf("StartQuery: %s", r.raw)
	}
	got := rowsOf(waitQuery(t, s, r.body["queryId"].(string), nil))
	want := []string{
		"name=Ann; team=eng; n=1; uid=u1",
		"name=Bob, Jr.; team=ops; n=2; uid=u2",
		"n=3; uid=U1",                     // case-sensitive: no match
		"n=4",                             // no key: unchanged
		"name=Ann; team=eng; n=5; uid=u1", // OUTPUT overwrites name
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// OUTPUTNEW keeps an event's value (n=5's name "old") and leaves events without a
	// match; OUTPUT sets the output of an event without a match to null (n=5 once its
	// key no longer matches).
	r = lookupQuery(t, s, base, "lookup users id as uid OUTPUTNEW name | fields n, name | sort n asc")
	if r.status != 200 {
		t.Fatalf("StartQuery: %s", r.raw)
	}
	want = []string{"name=Ann; n=1", "name=Bob, Jr.; n=2", "n=3", "n=4", "name=old; n=5"}
	if got := rowsOf(waitQuery(t, s, r.body["queryId"].(string), nil)); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("OUTPUTNEW rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	r = lookupQuery(t, s, base, "filter n = 5 | lookup users id as n OUTPUT name | fields n, name")
	if got := rowsOf(waitQuery(t, s, r.body["queryId"].(string), nil)); strings.Join(got, "|") != "n=5" {
		t.Errorf("OUTPUT without a match: rows %q, want n=5 alone (name set to null)", got)
	}

	// A column the table lacks: MalformedQueryException at the column.
	r = lookupQuery(t, s, base, "lookup users id as uid OUTPUT email")
	if r.errType() != codeMalformedQuery || !strings.Contains(r.message(), "has no field email") || !strings.Contains(string(r.raw), `"startCharOffset":30`) {
		t.Errorf("unknown column: %s", r.raw)
	}
	// Syntax: MalformedQueryException.
	if r := lookupQuery(t, s, base, "lookup users id as uid"); r.errType() != codeMalformedQuery {
		t.Errorf("no OUTPUT: %s", r.raw)
	}
	// A deleted table: the query fails to start.
	mustOK(t, s, "DeleteLookupTable", m{"lookupTableArn": ltArn("users")})
	r = lookupQuery(t, s, base, "lookup users id as uid OUTPUT name")
	if r.errType() != codeResourceNotFound || !strings.Contains(r.message(), "Lookup table users does not exist") {
		t.Errorf("deleted table: %s", r.raw)
	}
}

// TestLookupTableQuerySnapshot: a query reads its table once, when it starts; an update
// while it runs does not reach it.
func TestLookupTableQuerySnapshot(t *testing.T) {
	s := newTestServer(t, Config{})
	base := lookupFixture(t, s)
	mustOK(t, s, "CreateLookupTable", m{"lookupTableName": "users", "tableBody": ltUsers})
	reg := s.queries()
	updated := make(chan *response, 1)
	reg.mu.Lock()
	reg.beforeScan = func(ctx context.Context) {
		updated <- call(t, s, "UpdateLookupTable", m{"lookupTableArn": ltArn("users"), "tableBody": "id,name\nu1,Changed\n"})
	}
	reg.mu.Unlock()
	r := lookupQuery(t, s, base, "filter n = 1 | lookup users id as uid OUTPUT name | fields name")
	if r.status != 200 {
		t.Fatalf("StartQuery: %s", r.raw)
	}
	got := rowsOf(waitQuery(t, s, r.body["queryId"].(string), nil))
	if u := <-updated; u.status != 200 {
		t.Fatalf("UpdateLookupTable: %s", u.raw)
	}
	if strings.Join(got, "|") != "name=Ann" {
		t.Errorf("rows %q, want the table as of the query's start", got)
	}
	reg.mu.Lock()
	reg.beforeScan = nil
	reg.mu.Unlock()
	r = lookupQuery(t, s, base, "filter n = 1 | lookup users id as uid OUTPUT name | fields name")
	if got := rowsOf(waitQuery(t, s, r.body["queryId"].(string), nil)); strings.Join(got, "|") != "name=Changed" {
		t.Errorf("after the update: rows %q", got)
	}
}

func TestLookupTableSurvivesRestart(t *testing.T) {
	cfg := Config{DataDir: t.TempDir(), Now: func() time.Time { return testNow }}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mustOK(t, s, "CreateLookupTable", m{"lookupTableName": "users", "tableBody": ltUsers, "tags": m{"k": "v"}})
	before := mustOK(t, s, "DescribeLookupTables", m{}).raw
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	s2 := newTestServer(t, cfg)
	if after := mustOK(t, s2, "DescribeLookupTables", m{}).raw; string(after) != string(before) {
		t.Errorf("after restart:\n%s\nbefore:\n%s", after, before)
	}
	if r := mustOK(t, s2, "GetLookupTable", m{"lookupTableArn": ltArn("users")}); r.body["tableBody"] != ltUsers {
		t.Errorf("body after restart: %s", r.raw)
	}
	if r := mustOK(t, s2, "ListTagsForResource", m{"resourceArn": ltArn("users")}); r.body["tags"].(map[string]any)["k"] != "v" {
		t.Errorf("tags after restart: %s", r.raw)
	}
}
