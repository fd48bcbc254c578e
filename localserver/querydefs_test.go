package localserver

import (
	"database/sql"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const testClientToken = "0123456789abcdef0123456789abcdef-tok"

// TestQueryDefinitionErrors: bad input to the three operations is refused with the
// model's error and the field named.
func TestQueryDefinitionErrors(t *testing.T) {
	s := newTestServer(t, Config{})
	tooMany := make([]m, maxQueryParameters+1)
	for i := range tooMany {
		tooMany[i] = m{"name": "p" + itoa(int64(i))}
	}
	cases := []struct {
		name, op string
		in       m
		code     string
		msg      string // substring
	}{
		{"put without name", "PutQueryDefinition", m{"queryString": "fields @message"}, codeInvalidParameter, "at 'name' failed to satisfy constraint: Member must not be null"},
		{"put without query", "PutQueryDefinition", m{"name": "n"}, codeInvalidParameter, "at 'queryString' failed to satisfy constraint: Member must not be null"},
		{"put empty query", "PutQueryDefinition", m{"name": "n", "queryString": ""}, codeInvalidParameter, "'queryString' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"put long name", "PutQueryDefinition", m{"name": strings.Repeat("n", 256), "queryString": "q"}, codeInvalidParameter, "at 'name' failed to satisfy constraint: Member must have length less than or equal to 255"},
		{"put long query", "PutQueryDefinition", m{"name": "n", "queryString": strings.Repeat("q", 10001)}, codeInvalidParameter, "less than or equal to 10000"},
		{"put bad language", "PutQueryDefinition", m{"name": "n", "queryString": "q", "queryLanguage": "KQL"}, codeInvalidParameter, "'queryLanguage' failed to satisfy constraint: Member must satisfy enum value set: [CWLI, SQL, PPL]"},
		{"put short client token", "PutQueryDefinition", m{"name": "n", "queryString": "q", "clientToken": "short"}, codeInvalidParameter, "at 'clientToken'"},
		{"put bad group name", "PutQueryDefinition", m{"name": "n", "queryString": "q", "logGroupNames": []string{"ok", "bad name"}}, codeInvalidParameter, "at 'logGroupNames.2.member'"},
		{"put bad parameter name", "PutQueryDefinition", m{"name": "n", "queryString": "q", "parameters": []m{{"name": "1x"}}}, codeInvalidParameter, "at 'parameters.1.member.name'"},
		{"put parameter without name", "PutQueryDefinition", m{"name": "n", "queryString": "q", "parameters": []m{{"defaultValue": "v"}}}, codeInvalidParameter, "at 'parameters.1.member.name' failed to satisfy constraint: Member must not be null"},
		{"put too many parameters", "PutQueryDefinition", m{"name": "n", "queryString": "q", "parameters": tooMany}, codeInvalidParameter, "at 'parameters' failed to satisfy constraint: Member must have length less than or equal to 20"},
		{"update unknown id", "PutQueryDefinition", m{"name": "n", "queryString": "q", "queryDefinitionId": "11111111-2222-4333-8444-555555555555"}, codeResourceNotFound, msgQueryDefinitionNotFound},
		{"describe maxResults 0", "DescribeQueryDefinitions", m{"maxResults": 0}, codeInvalidParameter, "at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"describe maxResults 1001", "DescribeQueryDefinitions", m{"maxResults": 1001}, codeInvalidParameter, "Member must have value less than or equal to 1000"},
		{"describe empty prefix", "DescribeQueryDefinitions", m{"queryDefinitionNamePrefix": ""}, codeInvalidParameter, "at 'queryDefinitionNamePrefix'"},
		{"describe bad language", "DescribeQueryDefinitions", m{"queryLanguage": "cwli"}, codeInvalidParameter, "at 'queryLanguage'"},
		{"describe forged token", "DescribeQueryDefinitions", m{"nextToken": "garbage"}, codeInvalidParameter, msgInvalidNextToken},
		{"delete without id", "DeleteQueryDefinition", m{}, codeInvalidParameter, "at 'queryDefinitionId' failed to satisfy constraint: Member must not be null"},
		{"delete unknown id", "DeleteQueryDefinition", m{"queryDefinitionId": "nope"}, codeResourceNotFound, msgQueryDefinitionNotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := call(t, s, c.op, c.in)
			if r.status != 400 || r.errType() != c.code || !strings.Contains(r.message(), c.msg) {
				t.Errorf("%s: %d %s %q, want %s containing %q", c.op, r.status, r.errType(), r.message(), c.code, c.msg)
			}
		})
	}
}

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// describeDefs lists every definition DescribeQueryDefinitions answers for in (all pages).
func describeDefs(t *testing.T, s *Server, in m) []map[string]any {
	t.Helper()
	items, _ := pageItems(t, s, "DescribeQueryDefinitions", in, "queryDefinitions", 100)
	return items
}

// TestQueryDefinitionRoundTrip: create, describe, update (which replaces every value),
// delete.
func TestQueryDefinitionRoundTrip(t *testing.T) {
	s := newTestServer(t, Config{})
	r := mustOK(t, s, "PutQueryDefinition", m{"name": "ops/errors/5xx", "queryString": "fields @message | filter status >= 500",
		"logGroupNames": []string{"/app/web", "/app/api"}, "parameters": []m{{"name": "status", "defaultValue": "500", "description": "the status"}}})
	id, _ := r.body["queryDefinitionId"].(string)
	if !uuidRe.MatchString(id) {
		t.Fatalf("queryDefinitionId %q is not a UUID", id)
	}
	defs := describeDefs(t, s, m{})
	if len(defs) != 1 {
		t.Fatalf("describe: %v", defs)
	}
	d := defs[0]
	if d["queryDefinitionId"] != id || d["name"] != "ops/errors/5xx" || d["queryString"] != "fields @message | filter status >= 500" ||
		d["queryLanguage"] != "CWLI" || num(t, d["lastModified"]) != nowMs() {
		t.Errorf("definition = %v", d)
	}
	if g := list(d["logGroupNames"]); len(g) != 2 || g[0] != "/app/web" || g[1] != "/app/api" {
		t.Errorf("logGroupNames = %v", d["logGroupNames"])
	}
	if p := list(d["parameters"]); len(p) != 1 || p[0].(map[string]any)["defaultValue"] != "500" || p[0].(map[string]any)["description"] != "the status" {
		t.Errorf("parameters = %v", d["parameters"])
	}

	// An update keeps nothing it does not name: the log groups and parameters go.
	r = mustOK(t, s, "PutQueryDefinition", m{"queryDefinitionId": id, "name": "ops/renamed", "queryString": "stats count(*)", "queryLanguage": "PPL"})
	if r.body["queryDefinitionId"] != id {
		t.Errorf("update answered %s", r.raw)
	}
	d = describeDefs(t, s, m{})[0]
	if d["name"] != "ops/renamed" || d["queryString"] != "stats count(*)" || d["queryLanguage"] != "PPL" {
		t.Errorf("after update: %v", d)
	}
	if _, ok := d["logGroupNames"]; ok {
		t.Errorf("update kept logGroupNames: %v", d)
	}
	if _, ok := d["parameters"]; ok {
		t.Errorf("update kept parameters: %v", d)
	}

	r = mustOK(t, s, "DeleteQueryDefinition", m{"queryDefinitionId": id})
	if r.body["success"] != true {
		t.Errorf("delete answered %s", r.raw)
	}
	if defs := describeDefs(t, s, m{}); len(defs) != 0 {
		t.Errorf("after delete: %v", defs)
	}
	if r := call(t, s, "DeleteQueryDefinition", m{"queryDefinitionId": id}); r.errType() != codeResourceNotFound {
		t.Errorf("second delete: %s", r.raw)
	}
}

// TestQueryDefinitionClientToken: a create repeated with its client token answers the same
// definition and adds none; another token creates another definition.
func TestQueryDefinitionClientToken(t *testing.T) {
	s := newTestServer(t, Config{})
	in := m{"name": "n", "queryString": "fields @message", "clientToken": testClientToken}
	a := mustOK(t, s, "PutQueryDefinition", in).body["queryDefinitionId"]
	b := mustOK(t, s, "PutQueryDefinition", in).body["queryDefinitionId"]
	if a != b {
		t.Errorf("repeated create answered %v then %v", a, b)
	}
	in["clientToken"] = testClientToken + "-2"
	c := mustOK(t, s, "PutQueryDefinition", in).body["queryDefinitionId"]
	if c == a {
		t.Error("another token answered the same definition")
	}
	if n := len(describeDefs(t, s, m{})); n != 2 {
		t.Errorf("%d definitions, want 2", n)
	}
}

// TestDescribeQueryDefinitionsPaging: name order, prefix and language filters, pages of
// maxResults, and tokens bound to their listing.
func TestDescribeQueryDefinitionsPaging(t *testing.T) {
	s := newTestServer(t, Config{})
	for _, d := range []struct{ name, lang string }{
		{"team/b", "CWLI"}, {"team/a", "SQL"}, {"other", "CWLI"}, {"team/a", "CWLI"}, {"team/c|pipe", "CWLI"},
	} {
		mustOK(t, s, "PutQueryDefinition", m{"name": d.name, "queryString": "q", "queryLanguage": d.lang})
	}
	names := func(items []map[string]any) string {
		var out []string
		for _, it := range items {
			out = append(out, it["name"].(string)+":"+it["queryLanguage"].(string))
		}
		return strings.Join(out, ",")
	}
	cases := []struct {
		name  string
		in    m
		want  string
		pages int
	}{
		{"all", m{}, "", 1},
		{"prefix", m{"queryDefinitionNamePrefix": "team/"}, "", 1},
		{"prefix pages", m{"queryDefinitionNamePrefix": "team/", "maxResults": 1}, "", 4},
		{"language", m{"queryLanguage": "SQL"}, "team/a:SQL", 1},
		{"prefix and language pages", m{"queryDefinitionNamePrefix": "team", "queryLanguage": "CWLI", "maxResults": 2}, "team/a:CWLI,team/b:CWLI,team/c|pipe:CWLI", 2},
	}
	all := describeDefs(t, s, m{})
	if got := names(all); !strings.HasPrefix(got, "other:CWLI,team/a:") || !strings.HasSuffix(got, "team/b:CWLI,team/c|pipe:CWLI") {
		t.Fatalf("all = %s", got)
	}
	cases[0].want = names(all)
	cases[1].want = names(all[1:])
	cases[2].want = names(all[1:])
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			items, pages := pageItems(t, s, "DescribeQueryDefinitions", c.in, "queryDefinitions", 10)
			if got := names(items); got != c.want || pages != c.pages {
				t.Errorf("got %s in %d pages, want %s in %d", got, pages, c.want, c.pages)
			}
		})
	}

	// A token answered for one listing is refused for another.
	r := mustOK(t, s, "DescribeQueryDefinitions", m{"queryDefinitionNamePrefix": "team/", "maxResults": 1})
	tok, _ := r.body["nextToken"].(string)
	for _, other := range []m{
		{"nextToken": tok},
		{"nextToken": tok, "queryDefinitionNamePrefix": "team/b"},
		{"nextToken": tok, "queryDefinitionNamePrefix": "team/", "queryLanguage": "CWLI"},
	} {
		if r := call(t, s, "DescribeQueryDefinitions", other); r.errType() != codeInvalidParameter || r.message() != msgInvalidNextToken {
			t.Errorf("%v: %s", other, r.raw)
		}
	}
	if r := call(t, s, "DescribeQueryDefinitions", m{"nextToken": tok, "queryDefinitionNamePrefix": "team/", "maxResults": 3}); r.status != 200 {
		t.Errorf("same listing, other page size: %s", r.raw)
	}
}

// TestQueryDefinitionLimit: a create beyond maxQueryDefinitions is LimitExceededException;
// an update at the limit succeeds.
func TestQueryDefinitionLimit(t *testing.T) {
	s := newTestServer(t, Config{})
	first := mustOK(t, s, "PutQueryDefinition", m{"name": "first", "queryString": "q"}).body["queryDefinitionId"]
	// Fill up to the limit directly: a thousand requests would be slow.
	if _, err := s.st.w.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO query_definitions(id, name, query_string, query_language, last_modified) SELECT 'id' || i, 'n' || i, 'q', 'CWLI', 0 FROM n`,
		maxQueryDefinitions-1); err != nil {
		t.Fatal(err)
	}
	r := call(t, s, "PutQueryDefinition", m{"name": "one more", "queryString": "q"})
	if r.errType() != codeLimitExceeded || r.message() != msgLimitExceeded {
		t.Errorf("create at the limit: %s", r.raw)
	}
	mustOK(t, s, "PutQueryDefinition", m{"queryDefinitionId": first, "name": "first", "queryString": "q2"})
	mustOK(t, s, "DeleteQueryDefinition", m{"queryDefinitionId": first})
	mustOK(t, s, "PutQueryDefinition", m{"name": "one more", "queryString": "q"})
}

// TestMigrateV5QueryDefinitions: a database of schema version 5 (before query
// definitions) is migrated and keeps its groups; definitions then survive a restart.
func TestMigrateV5QueryDefinitions(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(strings.Join(migrations[:5], ";\n") + `; PRAGMA user_version = 5`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO log_groups(id, name, creation_time, class) VALUES (1, 'old', ?, 'STANDARD')`, nowMs()); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s := newTestServer(t, Config{DataDir: dir})
	id := mustOK(t, s, "PutQueryDefinition", m{"name": "saved", "queryString": "fields @message", "logGroupNames": []string{"old"}}).body["queryDefinitionId"]
	if r := mustOK(t, s, "DescribeLogGroups", m{}); len(list(r.body["logGroups"])) != 1 {
		t.Errorf("groups after migration: %s", r.raw)
	}
	if err := s.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	s2 := newTestServer(t, Config{DataDir: dir})
	defs := describeDefs(t, s2, m{})
	if len(defs) != 1 || defs[0]["queryDefinitionId"] != id || list(defs[0]["logGroupNames"])[0] != "old" {
		t.Errorf("after restart: %v", defs)
	}
}

// FuzzQueryDefToken: DescribeQueryDefinitions tokens round-trip their listing's scope and
// position, decode only for the scope they were made for, and never panic on arbitrary
// text.
func FuzzQueryDefToken(f *testing.F) {
	f.Add("", "id", "team/a|b", "x")
	f.Add(encodeQueryDefToken("s", "i", "n"), "s", "i", "n")
	f.Fuzz(func(t *testing.T, tok, scope, id, name string) {
		if i, n, ok := decodeQueryDefToken(tok, scope); ok && encodeQueryDefToken(scope, i, n) != tok {
			t.Fatalf("token %q re-encodes differently", tok)
		}
		if strings.Contains(scope, "|") || strings.Contains(id, "|") {
			return // scopes are hex digests and ids UUIDs
		}
		i, n, ok := decodeQueryDefToken(encodeQueryDefToken(scope, id, name), scope)
		if !ok || i != id || n != name {
			t.Fatalf("round trip (%q, %q, %q) -> (%q, %q, %v)", scope, id, name, i, n, ok)
		}
		if _, _, ok := decodeQueryDefToken(encodeQueryDefToken(scope+"x", id, name), scope); ok {
			t.Fatalf("a token of scope %q decoded for %q", scope+"x", scope)
		}
	})
}
