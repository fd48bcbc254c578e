package localserver

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// dsTags are the tags giving a group the data source name (and type, unless "").
func dsTags(name, typ string) m {
	t := m{tagDataSourceName: name}
	if typ != "" {
		t[tagDataSourceType] = typ
	}
	return t
}

// aggregateSummaries pages ListAggregateLogGroupSummaries with in and returns each
// summary as "count identifiers" and the pages read.
func aggregateSummaries(t *testing.T, s *Server, in m) ([]string, int) {
	t.Helper()
	items, pages := pageItems(t, s, "ListAggregateLogGroupSummaries", in, "aggregateLogGroupSummaries", 100)
	var got []string
	for _, it := range items {
		ids, _ := json.Marshal(it["groupingIdentifiers"])
		got = append(got, fmt.Sprintf("%d %s", num(t, it["logGroupCount"]), ids))
	}
	return got, pages
}

func TestListAggregateLogGroupSummaries(t *testing.T) {
	s := newTestServer(t, Config{})
	for _, g := range []m{
		{"logGroupName": "/app/api-1", "tags": dsTags("myapp", "access")},
		{"logGroupName": "/app/api-2", "tags": dsTags("myapp", "access")},
		{"logGroupName": "/app/api-3", "logGroupClass": "INFREQUENT_ACCESS", "tags": dsTags("myapp", "access")},
		{"logGroupName": "/app/audit", "tags": dsTags("myapp", "audit")},
		{"logGroupName": "/batch/jobs", "tags": dsTags("batch", "")},
		{"logGroupName": "/svc/nginx", "tags": dsTags("nginx", "access")},
		{"logGroupName": "/svc/reserved-aws", "tags": dsTags("AWS_thing", "x")},
		{"logGroupName": "/svc/reserved-amazon", "tags": dsTags("amazon_vpc", "flow")},
		{"logGroupName": "/svc/type-only", "tags": m{tagDataSourceType: "access"}},
		{"logGroupName": "/plain"},
	} {
		mustOK(t, s, "CreateLogGroup", g)
	}
	id := func(name, typ string) string {
		if typ == "" {
			return fmt.Sprintf(`[{"key":"dataSource.Name","value":%q}]`, name)
		}
		return fmt.Sprintf(`[{"key":"dataSource.Name","value":%q},{"key":"dataSource.Type","value":%q}]`, name, typ)
	}
	all := []string{"1 " + id("batch", ""), "3 " + id("myapp", "access"), "1 " + id("myapp", "audit"), "1 " + id("nginx", "access")}
	by := "DATA_SOURCE_NAME_AND_TYPE"
	tests := []struct {
		name      string
		in        m
		want      []string
		wantPages int
	}{
		{"all", m{"groupBy": by}, all, 1},
		{"with format", m{"groupBy": "DATA_SOURCE_NAME_TYPE_AND_FORMAT"}, all, 1},
		{"limit 1", m{"groupBy": by, "limit": 1}, all, 4},
		{"limit 3", m{"groupBy": by, "limit": 3}, all, 2},
		{"class", m{"groupBy": by, "logGroupClass": "STANDARD"}, []string{"1 " + id("batch", ""), "2 " + id("myapp", "access"), "1 " + id("myapp", "audit"), "1 " + id("nginx", "access")}, 1},
		{"class IA", m{"groupBy": by, "logGroupClass": "INFREQUENT_ACCESS"}, []string{"1 " + id("myapp", "access")}, 1},
		{"pattern", m{"groupBy": by, "logGroupNamePattern": "^/app/api"}, []string{"3 " + id("myapp", "access")}, 1},
		{"pattern alternatives", m{"groupBy": by, "logGroupNamePattern": "audit|nginx"}, []string{"1 " + id("myapp", "audit"), "1 " + id("nginx", "access")}, 1},
		{"data source name", m{"groupBy": by, "dataSources": []m{{"name": "myapp"}}}, []string{"3 " + id("myapp", "access"), "1 " + id("myapp", "audit")}, 1},
		{"data source name and type", m{"groupBy": by, "dataSources": []m{{"name": "myapp", "type": "audit"}}}, []string{"1 " + id("myapp", "audit")}, 1},
		{"names OR, types AND", m{"groupBy": by, "dataSources": []m{{"name": "myapp"}, {"name": "nginx", "type": "access"}}}, []string{"3 " + id("myapp", "access"), "1 " + id("nginx", "access")}, 1},
		{"typed filter drops untyped", m{"groupBy": by, "dataSources": []m{{"name": "batch"}, {"name": "myapp", "type": "audit"}}}, []string{"1 " + id("myapp", "audit")}, 1},
		{"exact, case-sensitive", m{"groupBy": by, "dataSources": []m{{"name": "MyApp"}}}, nil, 1},
		{"reserved names are no data source", m{"groupBy": by, "dataSources": []m{{"name": "amazon_vpc"}, {"name": "AWS_thing"}}}, nil, 1},
		{"linked accounts ignored", m{"groupBy": by, "includeLinkedAccounts": true, "accountIdentifiers": []string{"123456789012"}}, all, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, pages := aggregateSummaries(t, s, tc.in)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") || pages != tc.wantPages {
				t.Fatalf("got %d pages:\n%s\nwant %d:\n%s", pages, strings.Join(got, "\n"), tc.wantPages, strings.Join(tc.want, "\n"))
			}
		})
	}

	// No data source anywhere: an empty list, no token.
	if r := mustOK(t, s, "ListAggregateLogGroupSummaries", m{"groupBy": by, "logGroupNamePattern": "plain"}); string(r.raw) != `{"aggregateLogGroupSummaries":[]}` {
		t.Errorf("no data source: %s", r.raw)
	}
	// A token is good only for the listing it was given for.
	r := mustOK(t, s, "ListAggregateLogGroupSummaries", m{"groupBy": by, "limit": 1})
	tok := r.body["nextToken"].(string)
	for _, in := range []m{
		{"groupBy": "DATA_SOURCE_NAME_TYPE_AND_FORMAT", "nextToken": tok},
		{"groupBy": by, "logGroupClass": "STANDARD", "nextToken": tok},
		{"groupBy": by, "dataSources": []m{{"name": "myapp"}}, "nextToken": tok},
		{"groupBy": by, "includeLinkedAccounts": false, "nextToken": tok},
		{"groupBy": by, "accountIdentifiers": []string{}, "nextToken": tok},
		{"groupBy": by, "logGroupNamePattern": "app", "nextToken": tok},
	} {
		if r := call(t, s, "ListAggregateLogGroupSummaries", in); r.errType() != codeInvalidParameter || r.message() != msgInvalidNextToken {
			t.Errorf("%v: %d %s %q", in, r.status, r.errType(), r.message())
		}
	}
	// ListLogGroups' dataSources filter selects the same groups.
	got, _ := listNames(t, s, m{"dataSources": []m{{"name": "myapp", "type": "access"}, {"name": "batch"}}})
	if want := []string{"/app/api-1", "/app/api-2", "/app/api-3"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ListLogGroups by data source: %q, want %q", got, want)
	}
	got, _ = listNames(t, s, m{"dataSources": []m{{"name": "batch"}}, "limit": 1})
	if want := []string{"/batch/jobs"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ListLogGroups by untyped data source: %q, want %q", got, want)
	}
	// Tagging a group gives it its data source; untagging takes it away.
	arn := "arn:aws:logs:us-east-1:123456789012:log-group:/plain"
	mustOK(t, s, "TagResource", m{"resourceArn": arn, "tags": dsTags("nginx", "access")})
	if got, _ := aggregateSummaries(t, s, m{"groupBy": by, "dataSources": []m{{"name": "nginx"}}}); fmt.Sprint(got) != fmt.Sprint([]string{"2 " + id("nginx", "access")}) {
		t.Errorf("after tagging: %q", got)
	}
	mustOK(t, s, "UntagResource", m{"resourceArn": arn, "tagKeys": []string{tagDataSourceName}})
	if got, _ := aggregateSummaries(t, s, m{"groupBy": by, "dataSources": []m{{"name": "nginx"}}}); fmt.Sprint(got) != fmt.Sprint([]string{"1 " + id("nginx", "access")}) {
		t.Errorf("after untagging: %q", got)
	}
}

// The default page is 50 summaries.
func TestListAggregateLogGroupSummariesDefaultLimit(t *testing.T) {
	s := newTestServer(t, Config{})
	for i := range 51 {
		mustOK(t, s, "CreateLogGroup", m{"logGroupName": fmt.Sprintf("g%02d", i), "tags": dsTags(fmt.Sprintf("src%02d", i), "t")})
	}
	r := mustOK(t, s, "ListAggregateLogGroupSummaries", m{"groupBy": "DATA_SOURCE_NAME_AND_TYPE"})
	if n := len(list(r.body["aggregateLogGroupSummaries"])); n != 50 || r.body["nextToken"] == nil {
		t.Fatalf("default page: %d summaries, nextToken %v", n, r.body["nextToken"])
	}
	r = mustOK(t, s, "ListAggregateLogGroupSummaries", m{"groupBy": "DATA_SOURCE_NAME_AND_TYPE", "nextToken": r.body["nextToken"]})
	if sums := list(r.body["aggregateLogGroupSummaries"]); len(sums) != 1 || !strings.Contains(fmt.Sprint(sums[0]), "src50") || r.body["nextToken"] != nil {
		t.Fatalf("second page: %v, nextToken %v", sums, r.body["nextToken"])
	}
}

func TestListAggregateLogGroupSummariesValidation(t *testing.T) {
	s := newTestServer(t, Config{})
	by := "DATA_SOURCE_NAME_AND_TYPE"
	tests := []struct {
		name    string
		in      any
		wantMsg string // a substring
	}{
		{"no groupBy", m{}, "1 validation error detected: Value null at 'groupBy' failed to satisfy constraint: Member must not be null"},
		{"bad groupBy", m{"groupBy": "NAME"}, "1 validation error detected: Value 'NAME' at 'groupBy' failed to satisfy constraint: Member must satisfy enum value set: [DATA_SOURCE_NAME_TYPE_AND_FORMAT, DATA_SOURCE_NAME_AND_TYPE]"},
		{"limit 0", m{"groupBy": by, "limit": 0}, "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"limit 51", m{"groupBy": by, "limit": 51}, "Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50"},
		{"bad class", m{"groupBy": by, "logGroupClass": "COLD"}, "Value 'COLD' at 'logGroupClass' failed to satisfy constraint: Member must satisfy enum value set"},
		{"bad pattern", m{"groupBy": by, "logGroupNamePattern": "ab"}, "at 'logGroupNamePattern' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{"bad account", m{"groupBy": by, "accountIdentifiers": []string{"1"}}, "Value '1' at 'accountIdentifiers.1.member' failed to satisfy constraint"},
		{"no data sources", m{"groupBy": by, "dataSources": []m{}}, "Value '[]' at 'dataSources' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"data source without name", m{"groupBy": by, "dataSources": []m{{"type": "t"}}}, "Value null at 'dataSources.1.member.name' failed to satisfy constraint: Member must not be null"},
		{"six data sources", m{"groupBy": by, "dataSources": []m{{"name": "a"}, {"name": "b"}, {"name": "c"}, {"name": "d"}, {"name": "e"}, {"name": "f"}}}, "at 'dataSources' failed to satisfy constraint: Member must have length less than or equal to 5"},
		{"empty token", m{"groupBy": by, "nextToken": ""}, "Value '' at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"bad token", m{"groupBy": by, "nextToken": "garbage"}, msgInvalidNextToken},
		{"two errors", m{"limit": 0}, "2 validation errors detected"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, s, "ListAggregateLogGroupSummaries", tc.in)
			if r.status != 400 || r.errType() != codeInvalidParameter || !strings.Contains(r.message(), tc.wantMsg) {
				t.Fatalf("got %d %s %q, want InvalidParameterException containing %q", r.status, r.errType(), r.message(), tc.wantMsg)
			}
		})
	}
	// A data source filter of the wrong shape is a serialization error.
	if r := call(t, s, "ListAggregateLogGroupSummaries", `{"groupBy":"DATA_SOURCE_NAME_AND_TYPE","dataSources":[{"name":5}]}`); r.errType() != codeSerialization {
		t.Errorf("wrong shape: %d %s %q", r.status, r.errType(), r.message())
	}
}

// An empty cw:datasource:type is no type, as an empty cw:datasource:name is no data
// source: such a group counts with the untyped groups of its name.
func TestDataSourceEmptyType(t *testing.T) {
	s := newTestServer(t, Config{})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "untyped", "tags": m{tagDataSourceName: "batch"}})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "empty-type", "tags": m{tagDataSourceName: "batch", tagDataSourceType: ""}})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "empty-name", "tags": m{tagDataSourceName: "", tagDataSourceType: "t"}})
	got, _ := aggregateSummaries(t, s, m{"groupBy": "DATA_SOURCE_NAME_AND_TYPE"})
	if want := []string{`2 [{"key":"dataSource.Name","value":"batch"}]`}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("summaries: %q, want %q", got, want)
	}
	if r := call(t, s, "GetLogFields", m{"dataSourceName": "batch", "dataSourceType": ""}); r.errType() != codeResourceNotFound {
		t.Errorf("GetLogFields with an empty type: %d %s %q", r.status, r.errType(), r.message())
	}
}
