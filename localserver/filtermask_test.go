package localserver

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// FilterLogEvents' filter pattern matches the text it returns: masked by the data
// protection policies in force at each event's ingestion unless unmask is true
// (filterReader, ops_filter.go). GetLogGroupFields finds the fields of the masked text.

// filterAll pages FilterLogEvents (in, with limit when positive) to its end and returns
// the messages.
func filterAll(t *testing.T, s *Server, in m, limit int) []string {
	t.Helper()
	req := m{}
	for k, v := range in {
		req[k] = v
	}
	if limit > 0 {
		req["limit"] = limit
	}
	var got []string
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("paging does not end")
		}
		r := mustOK(t, s, "FilterLogEvents", req)
		got = append(got, messagesOf(r)...)
		tok, ok := r.body["nextToken"].(string)
		if !ok {
			return got
		}
		req["nextToken"] = tok
	}
}

// TestFilterLogEventsMatchesMasked: without unmask, a filter pattern naming a masked value
// finds only the events ingested while no policy masked it, and one matching the
// asterisks only the masked events; with unmask, patterns match the sent text. Each case
// reads in one page and one event a page (the events a pattern drops must not end or
// break the paging).
func TestFilterLogEventsMatchesMasked(t *testing.T) {
	eachDPStore(t, func(t *testing.T, store *dpStore) {
		s, clock := store.s, store.clock
		setupStream(t, s, "h", "s")
		put := func(group, msg string) {
			t.Helper()
			mustOK(t, s, "PutLogEvents", m{"logGroupName": group, "logStreamName": "s", "logEvents": []m{{"timestamp": clock.UnixMilli() - 1000, "message": msg}}})
			clock.Add(time.Second)
		}
		const sent = " a@b.io 10.0.0.1"
		put("g", "before"+sent)
		mustOK(t, s, "PutDataProtectionPolicy", m{"logGroupIdentifier": "g", "policyDocument": dpDoc("", "EmailAddress")})
		put("g", "group"+sent)
		put("h", "other"+sent)
		mustOK(t, s, "PutAccountPolicy", m{"policyName": "acct", "policyType": policyDataProtection, "policyDocument": dpDoc("", "IpAddress")})
		put("g", "both"+sent)
		put("h", "account"+sent)
		mustOK(t, s, "DeleteDataProtectionPolicy", m{"logGroupIdentifier": "g"})
		mustOK(t, s, "DeleteAccountPolicy", m{"policyName": "acct", "policyType": policyDataProtection})
		put("g", "after"+sent)
		store.restart()
		s = store.s

		cases := []struct {
			name    string
			group   string
			pattern string
			unmask  bool
			want    []string
		}{
			{"masked value", "g", `"a@b.io"`, false, []string{"before a@b.io 10.0.0.1", "after a@b.io 10.0.0.1"}},
			{"masked value, unmask", "g", `"a@b.io"`, true, []string{
				"before a@b.io 10.0.0.1", "group a@b.io 10.0.0.1", "both a@b.io 10.0.0.1", "after a@b.io 10.0.0.1"}},
			{"asterisks", "g", `%\*{6}%`, false, []string{"group ****** 10.0.0.1", "both ****** ********"}},
			{"asterisks, unmask", "g", `%\*{6}%`, true, nil},
			{"account policy's value", "g", `"10.0.0.1"`, false, []string{
				"before a@b.io 10.0.0.1", "group ****** 10.0.0.1", "after a@b.io 10.0.0.1"}},
			{"exclusion of the masked value", "g", `-"a@b.io"`, false, []string{"group ****** 10.0.0.1", "both ****** ********"}},
			{"no pattern", "g", "", false, []string{
				"before a@b.io 10.0.0.1", "group ****** 10.0.0.1", "both ****** ********", "after a@b.io 10.0.0.1"}},
			{"other group, account policy only", "h", `"10.0.0.1"`, false, []string{"other a@b.io 10.0.0.1"}},
			{"other group, its email", "h", `"a@b.io"`, false, []string{"other a@b.io 10.0.0.1", "account a@b.io ********"}},
		}
		for _, c := range cases {
			for _, limit := range []int{0, 1} {
				in := m{"logGroupName": c.group, "unmask": c.unmask}
				if c.pattern != "" {
					in["filterPattern"] = c.pattern
				}
				if got := filterAll(t, s, in, limit); !slices.Equal(got, c.want) {
					t.Errorf("%s (limit %d):\n got %q\nwant %q", c.name, limit, got, c.want)
				}
			}
		}
	})
}

// TestFilterLogEventsPolicyBetweenPages: a group without any policy is matched on its
// stored text; once a policy is put between two pages, the next page matches the events
// ingested since masked, and those before as sent.
func TestFilterLogEventsPolicyBetweenPages(t *testing.T) {
	s, clock := dpServer(t, Config{})
	put := func(msg string) {
		t.Helper()
		mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{{"timestamp": clock.UnixMilli() - 1000, "message": msg}}})
		clock.Add(time.Second)
	}
	put("one a@b.io")
	put("two a@b.io")
	in := m{"logGroupName": "g", "filterPattern": `"a@b.io"`, "limit": 1}
	asterisks := m{"logGroupName": "g", "filterPattern": `"******"`, "limit": 1}
	r := mustOK(t, s, "FilterLogEvents", in)
	r2 := mustOK(t, s, "FilterLogEvents", asterisks)
	if got := messagesOf(r); !slices.Equal(got, []string{"one a@b.io"}) {
		t.Fatalf("first page %q", got)
	}
	if got := messagesOf(r2); len(got) != 0 {
		t.Fatalf("asterisks before any policy: %q", got)
	}
	mustOK(t, s, "PutDataProtectionPolicy", m{"logGroupIdentifier": "g", "policyDocument": dpDoc("", "EmailAddress")})
	put("three a@b.io")
	in["nextToken"] = r.body["nextToken"]
	if got := filterAll(t, s, in, 1); !slices.Equal(got, []string{"two a@b.io"}) {
		t.Errorf("the pages after the policy: %q", got)
	}
	if tok, ok := r2.body["nextToken"]; ok {
		asterisks["nextToken"] = tok
	}
	if got := filterAll(t, s, asterisks, 1); !slices.Equal(got, []string{"three ******"}) {
		t.Errorf("asterisks after the policy: %q", got)
	}
}

// TestGetLogGroupFieldsMasked: the fields of JSON messages are found in the masked text,
// as queries read it: a key that is masked data shows masked in the events ingested while
// a policy masked it.
func TestGetLogGroupFieldsMasked(t *testing.T) {
	s, clock := dpServer(t, Config{})
	put := func(msg string) {
		t.Helper()
		mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{{"timestamp": clock.UnixMilli() - 1000, "message": msg}}})
		clock.Add(time.Second)
	}
	put(`{"a@b.io":1,"user":"x@y.io"}`)
	mustOK(t, s, "PutDataProtectionPolicy", m{"logGroupIdentifier": "g", "policyDocument": dpDoc("", "EmailAddress")})
	put(`{"c@d.io":2,"user":"z@y.io"}`)
	put(`{"ip":"10.0.0.1"}`)
	r := mustOK(t, s, "GetLogGroupFields", m{"logGroupName": "g"})
	want := sysFields100 + ",user=67,******=33,a@b.io=33,ip=33"
	if got := fieldList(t, r); got != want {
		t.Errorf("fields = %s\nwant     %s", got, want)
	}
}

// TestFilterReaderPolicyDuringScan: a policy put while a scan runs, between two chunks.
// The chunks read before it were matched on their stored text (no policy masks them);
// once it is in the snapshot, the merger keeps every event and read matches the masked
// text, the events ingested before the policy reading as sent. A cancelled request stops
// masking within matchCheckBytes.
func TestFilterReaderPolicyDuringScan(t *testing.T) {
	s, _ := dpServer(t, Config{})
	type step struct {
		msg       string
		ingest    int64 // 0: before the policy, 1: at it
		prematch  bool
		readMsg   string
		readMatch bool
	}
	cases := []struct {
		group, pattern string
		before, during []step
	}{
		{"masked-value", `"a@b.io"`,
			[]step{{"x a@b.io", 0, true, "x a@b.io", true}, {"x c@d.io", 0, false, "", false}},
			[]step{{"y a@b.io", 1, true, "y ******", false}, {"z a@b.io", 0, true, "z a@b.io", true}}},
		{"asterisks", `"******"`,
			[]step{{"x a@b.io", 0, false, "", false}},
			[]step{{"y a@b.io", 1, true, "y ******", true}, {"z a@b.io", 0, true, "z a@b.io", false}}},
	}
	var g *groupRow
	for _, c := range cases {
		t.Run(c.group, func(t *testing.T) {
			setupStream(t, s, c.group, "s")
			var aerr *apiError
			if g, aerr = s.findGroup(t.Context(), s.st.r, c.group); aerr != nil {
				t.Fatal(aerr)
			}
			pat, aerr := eventFilter(&c.pattern)
			if aerr != nil {
				t.Fatal(aerr)
			}
			f := newFilterReader(s, g, pat, false)
			match := f.prematch()
			run := func(steps []step, at int64) {
				t.Helper()
				for _, st := range steps {
					if got := match(st.msg); got != st.prematch {
						t.Errorf("prematch(%q) = %v", st.msg, got)
					}
					if !st.prematch {
						continue // the merger drops it
					}
					msg, ok, err := f.read(t.Context(), st.msg, at-1+st.ingest)
					if err != nil || msg != st.readMsg || ok != st.readMatch {
						t.Errorf("read(%q) = %q, %v, %v; want %q, %v", st.msg, msg, ok, err, st.readMsg, st.readMatch)
					}
				}
			}
			run(c.before, s.dataProtection().lastChange+1)
			mustOK(t, s, "PutDataProtectionPolicy", m{"logGroupIdentifier": c.group, "policyDocument": dpDoc("", "EmailAddress")})
			vs := s.dataProtection().groups[g.id]
			run(c.during, vs[len(vs)-1].from)
		})
	}

	// A cancelled request, under the last group's policy.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	f := newFilterReader(s, g, nil, false)
	long := strings.Repeat("a@b.io ", matchCheckBytes/7+1)
	if _, _, err := f.read(ctx, long, math.MaxInt64-1); !errors.Is(err, context.Canceled) {
		t.Errorf("read with a cancelled ctx: %v", err)
	}
}
