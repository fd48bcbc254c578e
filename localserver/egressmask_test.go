package localserver

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

// The data protection rules at the egress points other than the reads
// (dataprotection_test.go): Live Tail and exports.

// tailMessages reads sessionUpdates until want events have come (or 100 updates), then two
// more updates, which must be empty, and returns the events as "GROUP|message" (GROUP the
// log group name of the event's identifier).
func (ts *tailStream) tailMessages(t *testing.T, want int) []string {
	t.Helper()
	var got []string
	for i := 0; i < 100 && len(got) < want; i++ {
		for _, e := range ts.update(t).SessionResults {
			_, group, _ := strings.Cut(e.LogGroupIdentifier, ":log-group:")
			got = append(got, group+"|"+e.Message)
		}
	}
	for range 2 {
		for _, e := range ts.update(t).SessionResults {
			t.Errorf("an event more than the %d awaited: %+v", want, e)
		}
	}
	return got
}

// TestLiveTailMasking: Live Tail's events are masked by the policies (the group's and the
// account's) in force when they were ingested — each group's own — and a filter pattern
// matches the masked text: a pattern naming the masked value sees only the events ingested
// while no policy masked it, one matching the asterisks only those masked.
func TestLiveTailMasking(t *testing.T) {
	s, url := newTailServer(t, Config{})
	setupStream(t, s, "g", "s")
	setupStream(t, s, "h", "s")
	open := func(in m) *tailStream {
		ts := mustTail(t, s, url, in)
		ts.start(t)
		return ts
	}
	all := open(m{"logGroupIdentifiers": []string{tailArn("g"), tailArn("h")}})
	clear := open(m{"logGroupIdentifiers": []string{tailArn("g")}, "logEventFilterPattern": `"a@b.io"`})
	masked := open(m{"logGroupIdentifiers": []string{tailArn("g")}, "logEventFilterPattern": `%\*{6}%`})

	const sent = " a@b.io 10.0.0.1"
	put(t, s, "g", "s", "before"+sent)
	mustOK(t, s, "PutDataProtectionPolicy", m{"logGroupIdentifier": "g", "policyDocument": dpDoc("", "EmailAddress")})
	put(t, s, "g", "s", "group"+sent)
	put(t, s, "h", "s", "other"+sent)
	mustOK(t, s, "PutAccountPolicy", m{"policyName": "acct", "policyType": policyDataProtection, "policyDocument": dpDoc("", "IpAddress")})
	put(t, s, "g", "s", "both"+sent)
	put(t, s, "h", "s", "account"+sent)
	mustOK(t, s, "DeleteDataProtectionPolicy", m{"logGroupIdentifier": "g"})
	mustOK(t, s, "DeleteAccountPolicy", m{"policyName": "acct", "policyType": policyDataProtection})
	put(t, s, "g", "s", "after"+sent)

	cases := []struct {
		name string
		ts   *tailStream
		want []string
	}{
		{"no pattern", all, []string{
			"g|before a@b.io 10.0.0.1",
			"g|group ****** 10.0.0.1",
			"h|other a@b.io 10.0.0.1",
			"g|both ****** ********",
			"h|account a@b.io ********",
			"g|after a@b.io 10.0.0.1",
		}},
		{"pattern naming the masked value", clear, []string{"g|before a@b.io 10.0.0.1", "g|after a@b.io 10.0.0.1"}},
		{"pattern matching the asterisks", masked, []string{"g|group ****** 10.0.0.1", "g|both ****** ********"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.ts.tailMessages(t, len(c.want)); !slices.Equal(got, c.want) {
				t.Errorf("tailed\n %q\nwant\n %q", got, c.want)
			}
		})
	}
}

// TestExportMasking: exported objects hold the messages masked by the policies in force
// when each event was ingested, and an event ingested after a policy put while the export
// runs is masked too (the export reads the policies as it reads the events).
func TestExportMasking(t *testing.T) {
	s, dir := newExportServer(t, Config{})
	setupStream(t, s, "g", "a")
	setupStream(t, s, "g", "b")
	now := nowMs()
	putAt := func(stream string, ts int64, msg string) *response {
		return call(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": stream, "logEvents": []m{{"timestamp": ts, "message": msg}}})
	}
	const sent = " a@b.io 10.0.0.1"
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "a", "logEvents": []m{{"timestamp": now - 5, "message": "before" + sent}}})
	mustOK(t, s, "PutDataProtectionPolicy", m{"logGroupIdentifier": "g", "policyDocument": dpDoc("", "EmailAddress")})
	checkOK(t, putAt("a", now-4, "group"+sent))
	mustOK(t, s, "PutAccountPolicy", m{"policyName": "acct", "policyType": policyDataProtection,
		"policyDocument": dpDoc(`[{"Name":"Word","Regex":"after"}]`, "custom:Word")})
	mustOK(t, s, "DeleteDataProtectionPolicy", m{"logGroupIdentifier": "g"})
	checkOK(t, putAt("a", now-3, "after"+sent))
	mustOK(t, s, "DeleteAccountPolicy", m{"policyName": "acct", "policyType": policyDataProtection})

	// Once stream a's object is written, before stream b is read: a policy, then an event.
	hookErr := make(chan string, 1)
	s.exports.beforeCommit = func(ctx context.Context, key string) {
		if !strings.HasSuffix(key, "/a/000000.gz") {
			return
		}
		r := call(t, s, "PutDataProtectionPolicy", m{"logGroupIdentifier": "g", "policyDocument": dpDoc("", "IpAddress")})
		if r.status == 200 {
			r = putAt("b", now-2, "late"+sent)
		}
		if r.status != 200 {
			hookErr <- string(r.raw)
		}
		close(hookErr)
	}
	id := createExport(t, s, "g", 0, now, nil)
	if code, msg := taskStatus(waitExport(t, s, id)); code != exportCompleted {
		t.Fatalf("export: %s %q", code, msg)
	}
	select {
	case e, ok := <-hookErr:
		if ok {
			t.Fatalf("the hook's requests: %s", e)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the export committed no object of stream a")
	}
	files := bucketFiles(t, dir)
	want := map[string]string{
		"exportedlogs/" + id + "/a/000000.gz": exportLine(now-5, "before"+sent) + exportLine(now-4, "group ****** 10.0.0.1") +
			exportLine(now-3, "***** a@b.io 10.0.0.1"),
		"exportedlogs/" + id + "/b/000000.gz": exportLine(now-2, "late a@b.io ********"),
	}
	for _, k := range sortedKeys(want) {
		if files[k] != want[k] {
			t.Errorf("%s:\n got %q\nwant %q", k, files[k], want[k])
		}
	}
}

// checkOK fails unless r is a 200 answer.
func checkOK(t *testing.T, r *response) {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
}
