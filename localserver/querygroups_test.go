package localserver

import (
	"slices"
	"testing"
)

func TestListLogGroupsForQuery(t *testing.T) {
	s := newTestServer(t, Config{})
	base := insightsFixture(t, s)
	arn := func(name string) string { return s.groupArn("us-east-1", name) } // signedRequest's region
	q := func(in m) string {
		in["startTime"], in["endTime"], in["queryString"] = base/1000, base/1000+10, "fields @message"
		return startQuery(t, s, in)
	}
	byNames := q(m{"logGroupNames": []string{"web", "app", "web"}})
	byARN := q(m{"logGroupIdentifiers": []string{arn("app")}})
	byName := q(m{"logGroupName": "app"})
	waitQuery(t, s, byNames, nil)

	for _, tc := range []struct {
		name string
		in   m
		want []string // nil: an error of type code
		code string
	}{
		{"names, in order, each once", m{"queryId": byNames}, []string{arn("web"), arn("app")}, ""},
		{"logGroupIdentifiers, an ARN", m{"queryId": byARN, "maxResults": 500}, []string{arn("app")}, ""},
		{"logGroupName", m{"queryId": byName, "maxResults": 50}, []string{arn("app")}, ""},
		{"unknown query", m{"queryId": "00000000-0000-0000-0000-000000000000"}, nil, codeResourceNotFound},
		{"no queryId", m{}, nil, codeInvalidParameter},
		{"maxResults below 50", m{"queryId": byNames, "maxResults": 49}, nil, codeInvalidParameter},
		{"maxResults above 500", m{"queryId": byNames, "maxResults": 501}, nil, codeInvalidParameter},
		{"a token never issued", m{"queryId": byNames, "nextToken": "x"}, nil, codeInvalidParameter},
		{"an empty token", m{"queryId": byNames, "nextToken": ""}, nil, codeInvalidParameter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, s, "ListLogGroupsForQuery", tc.in)
			if tc.want == nil {
				if r.errType() != tc.code {
					t.Fatalf("answer %d %s, want %s", r.status, r.raw, tc.code)
				}
				return
			}
			if r.status != 200 {
				t.Fatalf("answer %d %s", r.status, r.raw)
			}
			var got []string
			for _, x := range list(r.body["logGroupIdentifiers"]) {
				got = append(got, x.(string))
			}
			if !slices.Equal(got, tc.want) || r.body["nextToken"] != nil {
				t.Errorf("answer %s, want logGroupIdentifiers %q and no nextToken", r.raw, tc.want)
			}
		})
	}
}
