package insights

import (
	"errors"
	"strings"
	"testing"
)

// unmaskRecords: the first event had an address masked, the second nothing masked (no
// Unmasked), the third failed its transformation.
var unmaskRecords = []Record{
	{Timestamp: 3000, Message: `{"user":"*******","n":1}`, Unmasked: `{"user":"a@b.io","n":1}`, LogStream: "s", Ptr: "p3"},
	{Timestamp: 2000, Message: "plain", LogStream: "s", Ptr: "p2"},
	{Timestamp: 1000, Message: "not json", LogStream: "t", Ptr: "p1", TransformationError: "processor 0 (parseJSON): not a JSON object"},
}

func TestUnmask(t *testing.T) {
	for _, c := range []struct {
		name, q string
		want    []string
	}{
		{"the documented query", "fields @timestamp, @message, unmask(@message) | sort @timestamp desc | limit 2", []string{
			`@timestamp=1970-01-01 00:00:03.000; @message={"user":"*******","n":1}; unmask(@message)={"user":"a@b.io","n":1}`,
			"@timestamp=1970-01-01 00:00:02.000; @message=plain; unmask(@message)=plain",
		}},
		{"alias, function name in capitals", "fields UNMASK(@message) as clear | limit 1", []string{
			`clear={"user":"a@b.io","n":1}`,
		}},
		{"in filter", `filter unmask(@message) like "a@b.io" | fields @ptr as p`, []string{"p=p3"}},
		{"masked text in filter", `filter @message like "a@b.io" | fields @ptr as p`, nil},
		{"in stats by", "stats count(*) as n by unmask(@message) as m | limit 1", []string{
			`m={"user":"a@b.io","n":1}; n=1`,
		}},
		{"in an aggregation", "stats max(strlen(unmask(@message))) as longest, max(strlen(@message)) as masked", []string{
			"longest=23; masked=24",
		}},
		{"discovered fields stay masked", "fields user, unmask(@message) like 'a@b' as found | limit 1", []string{
			"user=*******; found=1",
		}},
		{"a @message the query made", `fields "made" as @message | fields unmask(@message) as u | limit 1`, []string{
			"@message=made; u=made",
		}},
		{"after stats by @message", "stats count(*) by @message | fields unmask(@message) as u | limit 1", []string{
			`@message={"user":"*******","n":1}; count(*)=1; u={"user":"*******","n":1}`,
		}},
		{"@transformationError", "filter ispresent(@transformationError) | fields @logStream, @transformationError", []string{
			"@logStream=t; @transformationError=processor 0 (parseJSON): not a JSON object",
		}},
		{"@transformationError missing", "fields @transformationError, @logStream | limit 1", []string{
			"@logStream=s",
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, _ := runQuery(t, c.q, false, unmaskRecords, Options{})
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("%s\n got %q\nwant %q", c.q, got, c.want)
			}
		})
	}
}

func TestUnmaskParseErrors(t *testing.T) {
	for _, c := range []struct{ q, bad, msg string }{
		{"fields unmask()", "unmask()", "takes 1 arguments"},
		{"fields unmask(@message, 1)", "unmask(@message, 1)", "takes 1 arguments"},
		{"fields unmask(user)", "user", "unmask() takes @message"},
		{"fields unmask(@timestamp)", "@timestamp", "unmask() takes @message"},
		{`fields unmask("@message")`, `"@message"`, "unmask() takes @message"},
		{"fields unmask(tolower(@message))", "tolower(@message)", "unmask() takes @message"},
		{"stats count(*) by @logStream | fields unmask(@message)", "@message", "Unknown symbols found in or after stats: @message"},
	} {
		_, err := Parse(c.q)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %v, want a *SyntaxError", c.q, err)
			continue
		}
		if got := c.q[se.Start:se.End]; got != c.bad || !strings.Contains(se.Msg, c.msg) {
			t.Errorf("Parse(%q): error %q at %q, want %q at %q", c.q, se.Msg, got, c.msg, c.bad)
		}
	}
}

func TestQueryUnmasks(t *testing.T) {
	for _, c := range []struct {
		q    string
		want bool
	}{
		{"", false},
		{"fields @message | filter @message like /x/ | stats count(*) by @logStream", false},
		{"fields unmask(@message)", true},
		{"display unmask(@message)", true},
		{"filter not (strlen(unmask(@message)) > 3)", true},
		{"filter 1 in [2, strlen(unmask(@message))]", true},
		{"filter unmask(@message) like 'x'", true},
		{"fields 1 - strlen(unmask(@message)) as d", true},
		{"stats count(*) by unmask(@message)", true},
		{"stats count_distinct(unmask(@message))", true},
		{"sort unmask(@message) desc", true},
		{"dedup unmask(@message)", true},
		{`parse unmask(@message) "a=*" as a`, true},
		{"fields @message as unmask", false},
	} {
		q, err := Parse(c.q)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.q, err)
			continue
		}
		if got := q.Unmasks(); got != c.want {
			t.Errorf("Query(%q).Unmasks() = %v, want %v", c.q, got, c.want)
		}
		if got := q.NewRun(Options{}).Unmasks(); got != c.want {
			t.Errorf("Run(%q).Unmasks() = %v, want %v", c.q, got, c.want)
		}
	}
}
