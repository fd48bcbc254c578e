package main

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
)

// seedEvents stores events with fixed offsets from base through the library,
// so that the CLI's read commands have known data.
func seedEvents(t *testing.T, endpoint string, group, stream string, base time.Time, evs map[int64]string) {
	t.Helper()
	cl := seedClient(t, endpoint)
	in := &cwlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: stream}
	for _, off := range slices.Sorted(maps.Keys(evs)) {
		in.LogEvents = append(in.LogEvents, cwlogs.InputLogEvent{Timestamp: base.UnixMilli() + off, Message: evs[off]})
	}
	out, err := cl.PutLogEvents(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if out.RejectedLogEventsInfo != nil {
		t.Fatalf("seed events rejected: %+v", out.RejectedLogEventsInfo)
	}
}

// goldenBase is the time of the seeded events: ten minutes ago, whole second.
func goldenBase() time.Time { return time.Now().Add(-10 * time.Minute).Truncate(time.Second) }

// TestGoldenLocal runs every command against the local server and compares
// the transcript (commands, exit statuses, stdout, stderr) with
// testdata/local.golden.
func TestGoldenLocal(t *testing.T) {
	url := startLocal(t)
	c := newCLI(t, url)
	base := goldenBase()
	n := &normalizer{}
	n.label(base, 0, 500, 1000, 1500, 2000, 2500)
	n.literal(url, "<ENDPOINT>")
	tr := &transcript{t: t, norm: n}
	ms := func(off int64) string { return strconv.FormatInt(base.UnixMilli()+off, 10) }
	rfc := func(off int64) string { return time.UnixMilli(base.UnixMilli() + off).UTC().Format(time.RFC3339Nano) }

	steps := []struct {
		want int
		args []string
	}{
		{0, []string{"create-group", "app", "--tag", "team=payments", "--tag", "env=test", "--retention", "30"}},
		{1, []string{"create-group", "app"}},
		{0, []string{"create-group", "other"}},
		{0, []string{"--output", "json", "create-group", "other-json", "--tag", "a=b"}},
		{0, []string{"create-stream", "app", "web-1"}},
		{0, []string{"create-stream", "app", "web-2"}},
		{0, []string{"create-stream", "app", "web-3", "--output=json"}},
		{1, []string{"create-stream", "missing-group", "s"}},
	}
	for _, s := range steps {
		tr.add(c.mustRun(s.want, "", s.args...))
	}

	seedEvents(t, url, "app", "web-1", base, map[int64]string{
		0:    "GET /index.html 200",
		1000: `{"level":"error","msg":"boom","status":500}`,
		2000: "GET /login 500",
	})
	seedEvents(t, url, "app", "web-2", base, map[int64]string{
		500:  "worker started",
		1500: "ERROR timeout talking to db",
		2500: "first line\nsecond line",
	})

	steps = []struct {
		want int
		args []string
	}{
		{0, []string{"groups"}},
		{0, []string{"groups", "--prefix", "ot"}},
		{0, []string{"groups", "--output", "json"}},
		{0, []string{"streams", "app"}},
		{0, []string{"streams", "app", "--order-by", "last-event"}},
		{0, []string{"streams", "app", "--prefix", "web-1", "--output", "json"}},
		{0, []string{"streams", "app", "--prefix", "web-3", "--output", "json"}},
		{2, []string{"streams", "app", "--prefix", "web", "--order-by", "last-event"}},
		{2, []string{"streams", "app", "--order-by", "size"}},
		{1, []string{"streams", "missing-group"}},
		{0, []string{"get", "app", "web-1"}},
		{0, []string{"get", "app", "web-1", "--head", "--limit", "2"}},
		{0, []string{"get", "app", "web-1", "--limit", "1"}},
		{0, []string{"get", "app", "web-1", "--start", rfc(1000), "--end", ms(2000)}},
		{0, []string{"get", "--output", "json", "app", "web-2"}},
		{0, []string{"get", "app", "web-2", "--start", "1h"}},
		{1, []string{"get", "app", "nope"}},
		{2, []string{"get", "app", "web-1", "--start", "yesterday"}},
		{2, []string{"get", "app", "web-1", "--limit", "0"}},
		{0, []string{"filter", "app"}},
		{0, []string{"filter", "app", "--pattern", "ERROR"}},
		{0, []string{"filter", "app", "--pattern", `{ $.level = "error" }`}},
		{0, []string{"filter", "app", "--stream", "web-2", "--stream", "web-3", "--output", "json"}},
		{0, []string{"filter", "app", "--start", ms(1000), "--end", ms(2000), "--limit", "2"}},
		{0, []string{"filter", "app", "--start", ms(1000), "--end", ms(2000)}}, // --end is exclusive
		{1, []string{"filter", "app", "--pattern", `{ $.level = `}},
		{0, []string{"filter", "app", "--stream-prefix", "web-2"}},
		{0, []string{"filter", "app", "--log-stream-names", "web-1", "--filter-pattern", "GET"}},
		{0, []string{"filter", "app", "--log-stream-names", "web-2", "web-3", "--output", "json"}},
		{2, []string{"tail", "app", "--stream", "web-1", "web-3", "--since", "1h"}},
		{2, []string{"filter", "app", "--stream", "web-1", "--stream-prefix", "web"}},
		{2, []string{"filter", "app", "--log-stream-names", "web-1", "--log-stream-name-prefix", "web"}},
		{2, []string{"tail", "app", "--pattern", "GET", "--filter-pattern", "POST"}},
		{0, []string{"tail", "app", "--since", "1h", "--log-stream-name-prefix", "web-1", "--filter-pattern", "GET"}},
		{0, []string{"tail", "app", "--since", "1h"}},
		{0, []string{"tail", "app", "--since", ms(1500), "--pattern", "?ERROR ?error"}},
		{0, []string{"tail", "app", "--stream", "web-1", "--output", "json", "--since", rfc(0)}},
		{0, []string{"tags", "app"}},
		{0, []string{"tag", "app", "env=prod", "owner=sre"}},
		{0, []string{"tags", "app", "--output", "json"}},
		{0, []string{"untag", "app", "env", "--output", "json"}},
		{0, []string{"tags", "app"}},
		{1, []string{"tags", "missing-group"}},
		{1, []string{"tag", "missing-group", "a=b"}},
		{2, []string{"tag", "app", "novalue"}},
		{2, []string{"untag", "app"}},
		{0, []string{"retention", "app", "7"}},
		{0, []string{"groups", "--prefix", "app"}},
		{0, []string{"retention", "app", "never", "--output", "json"}},
		{0, []string{"groups", "--prefix", "app", "--output", "json"}},
		{2, []string{"retention", "app", "8"}},
		{1, []string{"retention", "missing-group", "7"}},
		{0, []string{"put", "app", "web-3", "deployed", "version 2"}},
		{0, []string{"get", "app", "web-3"}},
		{1, []string{"put", "app", "missing-stream", "lost"}},
		{0, []string{"put", "--create", "new-group", "new-stream", "--output", "json", "created on the fly"}},
		{0, []string{"get", "new-group", "new-stream"}},
		{0, []string{"delete-stream", "app", "web-3"}},
		{1, []string{"delete-stream", "app", "web-3"}},
		{0, []string{"delete-group", "other"}},
		{1, []string{"delete-group", "other"}},
		{0, []string{"delete-group", "other-json", "--output", "json"}},
		{0, []string{"groups"}},
	}
	for _, s := range steps {
		tr.add(c.mustRun(s.want, "", s.args...))
	}
	// put reads stdin when no message is given; blank lines are skipped.
	tr.add(c.mustRun(0, "one\n\ntwo\r\nthree", "put", "app", "web-1"))
	tr.add(c.mustRun(0, "", "get", "app", "web-1", "--limit", "3"))
	tr.check("local")
}

// TestGoldenUsage covers help, version, completion and the usage errors,
// which need no server.
func TestGoldenUsage(t *testing.T) {
	c := newCLI(t, "http://127.0.0.1:1")
	tr := &transcript{t: t, norm: &normalizer{}}
	steps := []struct {
		want int
		args []string
	}{
		{0, []string{"help"}},
		{0, []string{"--help"}},
		{2, nil},
		{2, []string{"frobnicate"}},
		{2, []string{"--verbose", "groups"}},
		{2, []string{"--output", "yaml", "groups"}},
		{2, []string{"groups", "--region"}},
		{2, []string{"--utc", "--local", "groups"}},
		{2, []string{"groups", "--bogus"}},
		{2, []string{"groups", "extra"}},
		{2, []string{"get", "app"}},
		{2, []string{"create-group", "a", "b"}},
		{2, []string{"create-group", "app", "--tag", "novalue"}},
		{2, []string{"create-group", "app", "--retention", "10"}},
		{2, []string{"filter", "app", "--end", "2024-13-01"}},
		{2, []string{"tail", "app", "--since", "5 minutes"}},
		{2, []string{"put", "app"}},
		{2, []string{"put", "app", "s", "--timeout", "5", "x"}},
		{2, []string{"serve", "--memory", "--data", "/tmp/x"}},
		{2, []string{"serve", "--access-key-id", "AKID"}},
		{2, []string{"completion", "tcsh"}},
		{2, []string{"help", "nope"}},
		{2, []string{"create-group", "bad name*"}},
		{2, []string{"call"}},
		{2, []string{"call", "describe-log-groupz"}},
		{2, []string{"call", "PutMetricFilter", "{"}},
		{0, []string{"help", "tail"}},
	}
	for _, info := range commands {
		steps = append(steps, struct {
			want int
			args []string
		}{0, []string{info.name, "--help"}})
	}
	for _, s := range steps {
		tr.add(c.mustRun(s.want, "", s.args...))
	}
	tr.check("usage")
}

// TestVersion checks the version output, which varies with the Go version.
func TestVersion(t *testing.T) {
	c := newCLI(t, "")
	for _, args := range [][]string{{"version"}, {"--version"}, {"-v"}} {
		r := c.mustRun(0, "", args...)
		if !strings.HasPrefix(r.stdout, "cwlogs "+cwlogs.Version+" (go") {
			t.Errorf("%v: got %q", args, r.stdout)
		}
	}
	r := c.mustRun(0, "", "version", "--output", "json")
	if !strings.HasPrefix(r.stdout, `{"version":"`+cwlogs.Version+`","go":"go`) {
		t.Errorf("version json: got %q", r.stdout)
	}
}
