package localserver

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// listNames pages ListLogGroups with in and returns the names listed and the pages read.
func listNames(t *testing.T, s *Server, in m) ([]string, int) {
	t.Helper()
	gs, pages := pageItems(t, s, "ListLogGroups", in, "logGroups", 1000)
	var got []string
	for _, g := range gs {
		got = append(got, g["logGroupName"].(string))
	}
	return got, pages
}

func TestListLogGroups(t *testing.T) {
	s := newTestServer(t, Config{})
	for _, g := range []m{
		{"logGroupName": "/aws/lambda/fn-a", "tags": m{"env": "prod", "team": "a"}},
		{"logGroupName": "/aws/lambda/fn-b", "tags": m{"env": "Production"}},
		{"logGroupName": "/app/discovery", "tags": m{"env": "dev"}},
		{"logGroupName": "/app/web", "logGroupClass": "INFREQUENT_ACCESS", "tags": m{"env": "staging", "team": "b"}},
		{"logGroupName": "LAMBDA-upper"},
		{"logGroupName": "axb-dot"},
		{"logGroupName": "delivery", "logGroupClass": "DELIVERY"},
		{"logGroupName": "notag"},
		{"logGroupName": "empty-value", "tags": m{"env": ""}},
	} {
		mustOK(t, s, "CreateLogGroup", g)
	}
	all := []string{"/app/discovery", "/app/web", "/aws/lambda/fn-a", "/aws/lambda/fn-b", "LAMBDA-upper", "axb-dot", "delivery", "empty-value", "notag"}
	tag := func(key string, values ...string) m {
		f := m{"key": key}
		if values != nil {
			f["values"] = values
		}
		return f
	}
	tests := []struct {
		name      string
		in        m
		want      []string
		wantPages int
	}{
		{"all, ASCII order", m{}, all, 1},
		{"limit 2", m{"limit": 2}, all, 5},
		{"limit 1000", m{"limit": 1000}, all, 1},
		{"substring, case-sensitive", m{"logGroupNamePattern": "lambda"}, []string{"/aws/lambda/fn-a", "/aws/lambda/fn-b"}, 1},
		{"prefix", m{"logGroupNamePattern": "^/app"}, []string{"/app/discovery", "/app/web"}, 1},
		{"prefix is anchored", m{"logGroupNamePattern": "^lambda"}, nil, 1},
		{"alternatives", m{"logGroupNamePattern": "^/aws/lambda|discovery"}, []string{"/app/discovery", "/aws/lambda/fn-a", "/aws/lambda/fn-b"}, 1},
		{"dot is a wildcard", m{"logGroupNamePattern": "b.dot"}, []string{"axb-dot"}, 1},
		{"pattern with limit", m{"logGroupNamePattern": "^/ap|^/aw", "limit": 1}, []string{"/app/discovery", "/app/web", "/aws/lambda/fn-a", "/aws/lambda/fn-b"}, 4},
		{"class", m{"logGroupClass": "INFREQUENT_ACCESS"}, []string{"/app/web"}, 1},
		{"class and pattern", m{"logGroupClass": "STANDARD", "logGroupNamePattern": "app"}, []string{"/app/discovery"}, 1},
		{"tag key", m{"logGroupTags": []m{tag("team")}}, []string{"/app/web", "/aws/lambda/fn-a"}, 1},
		{"tag key, any or no value", m{"logGroupTags": []m{tag("env", []string{}...)}}, []string{"/app/discovery", "/app/web", "/aws/lambda/fn-a", "/aws/lambda/fn-b", "empty-value"}, 1},
		{"tag exact, case-sensitive", m{"logGroupTags": []m{tag("env", "prod")}}, []string{"/aws/lambda/fn-a"}, 1},
		{"tag exact, case differs", m{"logGroupTags": []m{tag("env", "production")}}, nil, 1},
		{"tag wildcard, case-insensitive", m{"logGroupTags": []m{tag("env", "prod*")}}, []string{"/aws/lambda/fn-a", "/aws/lambda/fn-b"}, 1},
		{"tag suffix wildcard", m{"logGroupTags": []m{tag("env", "*ING")}}, []string{"/app/web"}, 1},
		{"tag any of values", m{"logGroupTags": []m{tag("env", "dev", "staging")}}, []string{"/app/discovery", "/app/web"}, 1},
		{"tag negation", m{"logGroupTags": []m{tag("env", "!prod")}}, []string{"/app/discovery", "/app/web", "/aws/lambda/fn-b", "empty-value"}, 1},
		{"tag negated wildcard", m{"logGroupTags": []m{tag("env", "!prod*")}}, []string{"/app/discovery", "/app/web", "empty-value"}, 1},
		{"tag filters all hold", m{"logGroupTags": []m{tag("env", "prod*"), tag("team")}}, []string{"/aws/lambda/fn-a"}, 1},
		{"tags and pattern", m{"logGroupTags": []m{tag("env")}, "logGroupNamePattern": "^/app", "limit": 1}, []string{"/app/discovery", "/app/web"}, 2},
		{"data source", m{"dataSources": []m{{"name": "amazon_vpc", "type": "flow"}}}, nil, 1},
		{"field index", m{"fieldIndexNames": []string{"requestId"}}, nil, 1},
		{"linked accounts", m{"includeLinkedAccounts": true, "accountIdentifiers": []string{"123456789012"}}, all, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, pages := listNames(t, s, tc.in)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) || pages != tc.wantPages {
				t.Fatalf("got %q in %d pages, want %q in %d", got, pages, tc.want, tc.wantPages)
			}
		})
	}

	// Exactly LogGroupSummary's members; nextToken omitted on the last page.
	r := mustOK(t, s, "ListLogGroups", m{"logGroupNamePattern": "web"})
	want := `{"logGroups":[{"logGroupName":"/app/web","logGroupArn":"arn:aws:logs:us-east-1:123456789012:log-group:/app/web","logGroupClass":"INFREQUENT_ACCESS"}]}`
	if string(r.raw) != want {
		t.Errorf("summary:\n got %s\nwant %s", r.raw, want)
	}
	// The default limit is 50.
	for i := range 51 {
		mustOK(t, s, "CreateLogGroup", m{"logGroupName": fmt.Sprintf("many-%02d", i)})
	}
	r = mustOK(t, s, "ListLogGroups", m{})
	if n := len(list(r.body["logGroups"])); n != 50 || r.body["nextToken"] == nil {
		t.Errorf("default page: %d groups, nextToken %v; want 50 and a token", n, r.body["nextToken"])
	}
}

func TestListLogGroupsValidation(t *testing.T) {
	s := newTestServer(t, Config{})
	const pat = `(\^?[\.\-_\/#A-Za-z0-9]{3,24})(\|\^?[\.\-_\/#A-Za-z0-9]{3,24}){0,4}`
	six := "abc|abd|abe|abf|abg|abh"
	tests := []struct {
		name    string
		in      any
		wantMsg string // exact unless prefixed with "~"
	}{
		{"limit 0", m{"limit": 0}, "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"limit 1001", m{"limit": 1001}, "1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000"},
		{"pattern too short", m{"logGroupNamePattern": "ab"}, "2 validation errors detected: Value 'ab' at 'logGroupNamePattern' failed to satisfy constraint: Member must satisfy regular expression pattern: " + pat +
			"; Value 'ab' at 'logGroupNamePattern' failed to satisfy constraint: Member must have length greater than or equal to 3"},
		{"pattern alternative too short", m{"logGroupNamePattern": "abc|de"}, "1 validation error detected: Value 'abc|de' at 'logGroupNamePattern' failed to satisfy constraint: Member must satisfy regular expression pattern: " + pat},
		{"pattern six alternatives", m{"logGroupNamePattern": six}, "1 validation error detected: Value '" + six + "' at 'logGroupNamePattern' failed to satisfy constraint: Member must satisfy regular expression pattern: " + pat},
		{"pattern with *", m{"logGroupNamePattern": "app*"}, "~Member must satisfy regular expression pattern: " + pat},
		{"pattern alternative too long", m{"logGroupNamePattern": strings.Repeat("a", 25)}, "~Member must satisfy regular expression pattern: " + pat},
		{"bad class", m{"logGroupClass": "COLD"}, "1 validation error detected: Value 'COLD' at 'logGroupClass' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, INFREQUENT_ACCESS, DELIVERY]"},
		{"bad account", m{"accountIdentifiers": []string{"12345"}}, "~Value '12345' at 'accountIdentifiers.1.member' failed to satisfy constraint: Member must satisfy regular expression pattern: ^\\d{12}$"},
		{"empty token", m{"nextToken": ""}, "1 validation error detected: Value '' at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"bad token", m{"nextToken": "garbage"}, msgInvalidNextToken},
		{"no data sources", m{"dataSources": []m{}}, "1 validation error detected: Value '[]' at 'dataSources' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"data source without name", m{"dataSources": []m{{"type": "flow"}}}, "1 validation error detected: Value null at 'dataSources.1.member.name' failed to satisfy constraint: Member must not be null"},
		{"six data sources", m{"dataSources": []m{{"name": "a"}, {"name": "b"}, {"name": "c"}, {"name": "d"}, {"name": "e"}, {"name": "f", "type": "t"}}},
			"1 validation error detected: Value '[DataSourceFilter(name=a, type=null), DataSourceFilter(name=b, type=null), DataSourceFilter(name=c, type=null), " +
				"DataSourceFilter(name=d, type=null), DataSourceFilter(name=e, type=null), DataSourceFilter(name=f, type=t)]' at 'dataSources' failed to satisfy constraint: Member must have length less than or equal to 5"},
		{"no field index names", m{"fieldIndexNames": []string{}}, "~at 'fieldIndexNames' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"bad field index name", m{"fieldIndexNames": []string{"a b"}}, "~Value 'a b' at 'fieldIndexNames.1.member' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"},
		{"no tag filters", m{"logGroupTags": []m{}}, "1 validation error detected: Value '[]' at 'logGroupTags' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"tag filter without key", m{"logGroupTags": []m{{"values": []string{"x"}}}}, "1 validation error detected: Value null at 'logGroupTags.1.member.key' failed to satisfy constraint: Member must not be null"},
		{"tag filter six values", m{"logGroupTags": []m{{"key": "k", "values": []string{"a", "b", "c", "d", "e", "f"}}}},
			"1 validation error detected: Value '[a, b, c, d, e, f]' at 'logGroupTags.1.member.values' failed to satisfy constraint: Member must have length less than or equal to 5"},
		{"tag filter bad value", m{"logGroupTags": []m{{"key": "k", "values": []string{"a*b"}}}},
			"~Value 'a*b' at 'logGroupTags.1.member.values.1.member' failed to satisfy constraint: Member must satisfy regular expression pattern: ^!?\\*?([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)\\*?$"},
		{"six tag filters", m{"logGroupTags": []m{{"key": "a"}, {"key": "b"}, {"key": "c"}, {"key": "d"}, {"key": "e"}, {"key": "f", "values": []string{"x"}}}},
			"1 validation error detected: Value '[TagFilter(key=a, values=null), TagFilter(key=b, values=null), TagFilter(key=c, values=null), TagFilter(key=d, values=null), " +
				"TagFilter(key=e, values=null), TagFilter(key=f, values=[x])]' at 'logGroupTags' failed to satisfy constraint: Member must have length less than or equal to 5"},
		{"tag filter wrong type", `{"logGroupTags":[{"key":5}]}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			typ := codeInvalidParameter
			if tc.wantMsg == "" {
				typ = codeSerialization
			}
			checkAnswer(t, call(t, s, "ListLogGroups", tc.in), typ, tc.wantMsg)
		})
	}
}

// TestListLogGroupsTokensBound: a ListLogGroups token is good only for the listing it was
// answered for (the same filters; any limit), as the server's other describe tokens are;
// anything else is "The specified nextToken is invalid.". A DescribeLogGroups token is not
// a ListLogGroups token.
func TestListLogGroupsTokensBound(t *testing.T) {
	s := newTestServer(t, Config{})
	for _, g := range []m{
		{"logGroupName": "a-app", "tags": m{"env": "prod"}},
		{"logGroupName": "b-app", "tags": m{"env": "prod"}},
		{"logGroupName": "c-app", "logGroupClass": "INFREQUENT_ACCESS", "tags": m{"env": "prod"}},
	} {
		mustOK(t, s, "CreateLogGroup", g)
	}
	token := func(op string, in m) string {
		in["limit"] = 1
		r := mustOK(t, s, op, in)
		tok, ok := r.body["nextToken"].(string)
		if !ok {
			t.Fatalf("%s %v: no nextToken: %s", op, in, r.raw)
		}
		return tok
	}
	plain := token("ListLogGroups", m{})
	pattern := token("ListLogGroups", m{"logGroupNamePattern": "app"})
	tagged := token("ListLogGroups", m{"logGroupTags": []m{{"key": "env", "values": []string{"prod"}}}})
	describe := token("DescribeLogGroups", m{})
	tests := []struct {
		name string
		in   m
		ok   bool
	}{
		{"same listing", m{"nextToken": plain}, true},
		{"same listing, other limit", m{"nextToken": plain, "limit": 5}, true},
		{"with a pattern", m{"nextToken": plain, "logGroupNamePattern": "app"}, false},
		{"with a class", m{"nextToken": plain, "logGroupClass": "STANDARD"}, false},
		{"same pattern", m{"nextToken": pattern, "logGroupNamePattern": "app"}, true},
		{"other pattern", m{"nextToken": pattern, "logGroupNamePattern": "^a-a"}, false},
		{"pattern token without pattern", m{"nextToken": pattern}, false},
		{"same tags", m{"nextToken": tagged, "logGroupTags": []m{{"key": "env", "values": []string{"prod"}}}}, true},
		{"other tag values", m{"nextToken": tagged, "logGroupTags": []m{{"key": "env", "values": []string{"dev"}}}}, false},
		{"tag token without tags", m{"nextToken": tagged}, false},
		{"with linked accounts", m{"nextToken": plain, "includeLinkedAccounts": true}, false},
		{"DescribeLogGroups token", m{"nextToken": describe}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, s, "ListLogGroups", tc.in)
			if tc.ok {
				if r.status != 200 {
					t.Fatalf("got %d %s, want 200", r.status, r.raw)
				}
				return
			}
			checkAnswer(t, r, codeInvalidParameter, msgInvalidNextToken)
		})
	}
	// A ListLogGroups token is not a DescribeLogGroups token either.
	checkAnswer(t, call(t, s, "DescribeLogGroups", m{"nextToken": plain}), codeInvalidParameter, msgInvalidNextToken)
}

// TestListLogGroupsAfterRestart: ListLogGroups reads the stored groups, and a token
// answered before a restart still pages the same listing after it.
func TestListLogGroupsAfterRestart(t *testing.T) {
	cfg := Config{DataDir: t.TempDir(), Now: func() time.Time { return testNow }}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []string{"a", "b", "c"} {
		mustOK(t, s, "CreateLogGroup", m{"logGroupName": g + "-group", "tags": m{"k": g}})
	}
	r := mustOK(t, s, "ListLogGroups", m{"limit": 1, "logGroupTags": []m{{"key": "k"}}})
	tok := r.body["nextToken"].(string)
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	s2 := newTestServer(t, cfg)
	got, _ := listNames(t, s2, m{"nextToken": tok, "logGroupTags": []m{{"key": "k"}}})
	if fmt.Sprint(got) != "[b-group c-group]" {
		t.Errorf("after restart: %q", got)
	}
}
