package conformance

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestAWSCLI runs the real AWS CLI, v1 and v2 in parallel, each against its own server with
// strict credentials, through every operation the server serves. Each step is one or a few
// CLI invocations whose JSON output is decoded and compared with values derived from the
// data the script wrote.
func TestAWSCLI(t *testing.T) {
	t.Parallel() // beside TestMotoDifferential; the CLI processes dominate the run time
	for _, major := range []int{1, 2} {
		t.Run(fmt.Sprintf("v%d", major), func(t *testing.T) {
			t.Parallel()
			cli := findCLI(t, major)
			t.Logf("%s at %s", cli.version, cli.path)
			srv := startServer(t)
			cli.configure(t, srv.URL(), testAccessKeyID, testSecretAccessKey)
			start := time.Now()
			runCLIScript(t, cli)
			t.Logf("%d CLI invocations in %v", cli.calls.Load(), time.Since(start).Round(time.Millisecond))
		})
	}
}

// cliEvent is one event the script stores.
type cliEvent struct {
	stream string
	ts     int64
	msg    string
}

// CLI output shapes (the API's members; NextToken is the CLI's own pagination token).
type (
	cliGroup struct {
		LogGroupName    string `json:"logGroupName"`
		CreationTime    int64  `json:"creationTime"`
		RetentionInDays *int   `json:"retentionInDays"`
		Arn             string `json:"arn"`
		KmsKeyID        string `json:"kmsKeyId"`
		LogGroupClass   string `json:"logGroupClass"`
	}
	cliGroups struct {
		LogGroups []cliGroup `json:"logGroups"`
		NextToken string     `json:"NextToken"`
	}
	cliStream struct {
		LogStreamName       string `json:"logStreamName"`
		CreationTime        int64  `json:"creationTime"`
		FirstEventTimestamp int64  `json:"firstEventTimestamp"`
		LastEventTimestamp  int64  `json:"lastEventTimestamp"`
		LastIngestionTime   int64  `json:"lastIngestionTime"`
		Arn                 string `json:"arn"`
	}
	cliStreams struct {
		LogStreams []cliStream `json:"logStreams"`
		NextToken  string      `json:"NextToken"`
	}
	cliGetEvents struct {
		Events []struct {
			Timestamp     int64  `json:"timestamp"`
			Message       string `json:"message"`
			IngestionTime int64  `json:"ingestionTime"`
		} `json:"events"`
		NextForwardToken  string `json:"nextForwardToken"`
		NextBackwardToken string `json:"nextBackwardToken"`
	}
	cliFiltered struct {
		Events []struct {
			LogStreamName string `json:"logStreamName"`
			Timestamp     int64  `json:"timestamp"`
			Message       string `json:"message"`
			IngestionTime int64  `json:"ingestionTime"`
			EventID       string `json:"eventId"`
		} `json:"events"`
		NextToken string `json:"NextToken"`
	}
	cliPut struct {
		NextSequenceToken     string `json:"nextSequenceToken"`
		RejectedLogEventsInfo *struct {
			TooNewLogEventStartIndex *int `json:"tooNewLogEventStartIndex"`
			TooOldLogEventEndIndex   *int `json:"tooOldLogEventEndIndex"`
			ExpiredLogEventEndIndex  *int `json:"expiredLogEventEndIndex"`
		} `json:"rejectedLogEventsInfo"`
	}
	cliTags struct {
		Tags map[string]string `json:"tags"`
	}
)

func (g cliGroups) names() []string {
	var n []string
	for _, x := range g.LogGroups {
		n = append(n, x.LogGroupName)
	}
	return n
}

func (s cliStreams) names() []string {
	var n []string
	for _, x := range s.LogStreams {
		n = append(n, x.LogStreamName)
	}
	return n
}

func (e cliGetEvents) messages() []string {
	var m []string
	for _, x := range e.Events {
		m = append(m, x.Message)
	}
	return m
}

func (e cliFiltered) messages() []string {
	var m []string
	for _, x := range e.Events {
		m = append(m, x.Message)
	}
	return m
}

func eventsJSON(evs []cliEvent) string {
	type in struct {
		Timestamp int64  `json:"timestamp"`
		Message   string `json:"message"`
	}
	var list []in
	for _, e := range evs {
		list = append(list, in{e.ts, e.msg})
	}
	b, _ := json.Marshal(list)
	return string(b)
}

func ms(v int64) string { return strconv.FormatInt(v, 10) }

func equalStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

// cliScript holds the data the script wrote.
type cliScript struct {
	cli    *awsCLI
	now    time.Time
	base   int64 // first event of the app streams
	events []cliEvent
}

// eventsWhere lists, in timestamp order, the stored events that pass keep.
func (s *cliScript) eventsWhere(keep func(cliEvent) bool) []cliEvent {
	var out []cliEvent
	for _, e := range s.events {
		if keep(e) {
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b cliEvent) int { return int(a.ts - b.ts) })
	return out
}

// messagesWhere lists, in timestamp order, the messages of stored events that pass keep.
func (s *cliScript) messagesWhere(keep func(cliEvent) bool) []string {
	var out []string
	for _, e := range s.eventsWhere(keep) {
		out = append(out, e.msg)
	}
	return out
}

// stream lists the stored events of one stream in timestamp order.
func (s *cliScript) stream(name string) []cliEvent {
	return s.eventsWhere(func(e cliEvent) bool { return e.stream == name })
}

const (
	cliGroupApp  = "/conf/app"
	cliKmsKey    = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	cliGroupArn  = "arn:aws:logs:us-east-1:123456789012:log-group:/conf/app"
	msgRNFGroup  = "The specified log group does not exist."
	msgRNFStream = "The specified log stream does not exist."
	codeRNF      = "ResourceNotFoundException"
	codeExists   = "ResourceAlreadyExistsException"
	codeInvalid  = "InvalidParameterException"
)

func runCLIScript(t *testing.T, cli *awsCLI) {
	now := time.Now()
	s := &cliScript{cli: cli, now: now, base: now.Add(-5 * time.Minute).UnixMilli()}
	b := s.base
	appEvents := []cliEvent{
		{"app-a", b + 0, "ERROR disk full on /dev/sda"},
		{"app-b", b + 10, "WARN slow request path=/api"},
		{"app-a", b + 20, "INFO user login ok"},
		{"app-b", b + 30, "ERROR timeout calling db"},
		{"app-a", b + 40, `{"level":"error","status":500,"user":"alice"}`},
		{"app-b", b + 50, `{"level":"info","status":200,"user":"bob"}`},
		{"app-a", b + 60, `127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /index.html HTTP/1.0" 200 2326`},
		{"app-b", b + 70, `10.0.0.2 - bob [10/Oct/2000:13:55:37 -0700] "POST /api HTTP/1.1" 404 12`},
	}
	recent := now.Add(-20 * time.Second).UnixMilli()
	webEvents := []cliEvent{
		{"web-1", recent, "GET /health 200"},
		{"web-1", recent + 1, "GET /health 200 again"},
		{"web-1", recent + 2, "GET /ready 503"},
	}

	t.Run("CreateLogGroup", func(t *testing.T) {
		cli.ok(t, nil, "create-log-group", "--log-group-name", cliGroupApp, "--tags", "env=test,team=logs", "--kms-key-id", cliKmsKey)
		cli.ok(t, nil, "create-log-group", "--log-group-name", "/conf/billing")
		if cli.major == 1 {
			// CLI v2 2.9.19's model predates logGroupClass (2023-11) and rejects the option.
			cli.ok(t, nil, "create-log-group", "--log-group-name", "/conf/cache", "--log-group-class", "INFREQUENT_ACCESS")
		} else {
			cli.ok(t, nil, "create-log-group", "--log-group-name", "/conf/cache")
		}
		cli.ok(t, nil, "create-log-group", "--log-group-name", "/other/x")
		cli.fail(t, codeExists, "CreateLogGroup", "The specified log group already exists", "create-log-group", "--log-group-name", "/conf/billing")
	})

	t.Run("DescribeLogGroups", func(t *testing.T) {
		var all cliGroups
		cli.ok(t, &all, "describe-log-groups")
		equalStrings(t, "all groups", all.names(), []string{"/conf/app", "/conf/billing", "/conf/cache", "/other/x"})
		for _, g := range all.LogGroups {
			if g.Arn != "arn:aws:logs:us-east-1:123456789012:log-group:"+g.LogGroupName+":*" {
				t.Errorf("%s: arn %q", g.LogGroupName, g.Arn)
			}
			if d := time.Since(time.UnixMilli(g.CreationTime)); d < 0 || d > 5*time.Minute {
				t.Errorf("%s: creationTime %d is not recent", g.LogGroupName, g.CreationTime)
			}
			if g.RetentionInDays != nil {
				t.Errorf("%s: retentionInDays %d without a policy", g.LogGroupName, *g.RetentionInDays)
			}
			wantKms := ""
			if g.LogGroupName == cliGroupApp {
				wantKms = cliKmsKey
			}
			if g.KmsKeyID != wantKms {
				t.Errorf("%s: kmsKeyId %q, want %q", g.LogGroupName, g.KmsKeyID, wantKms)
			}
			if cli.major == 1 { // v2 2.9.19 does not know logGroupClass and drops it
				wantClass := "STANDARD"
				if g.LogGroupName == "/conf/cache" {
					wantClass = "INFREQUENT_ACCESS"
				}
				if g.LogGroupClass != wantClass {
					t.Errorf("%s: logGroupClass %q, want %q", g.LogGroupName, g.LogGroupClass, wantClass)
				}
			}
		}
		var prefix, pattern cliGroups
		cli.ok(t, &prefix, "describe-log-groups", "--log-group-name-prefix", "/conf/")
		equalStrings(t, "prefix /conf/", prefix.names(), []string{"/conf/app", "/conf/billing", "/conf/cache"})
		cli.ok(t, &pattern, "describe-log-groups", "--log-group-name-pattern", "ach")
		equalStrings(t, "pattern ach", pattern.names(), []string{"/conf/cache"})
		cli.fail(t, codeInvalid, "DescribeLogGroups", "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.",
			"describe-log-groups", "--log-group-name-prefix", "/conf", "--log-group-name-pattern", "app")
	})

	t.Run("DescribeLogGroupsPagination", func(t *testing.T) {
		// --max-items 3 with pages of 2: the CLI follows the server's nextToken to the second
		// page, stops inside it and resumes from there.
		var first, rest cliGroups
		cli.ok(t, &first, "describe-log-groups", "--max-items", "3", "--page-size", "2")
		equalStrings(t, "max-items 3", first.names(), []string{"/conf/app", "/conf/billing", "/conf/cache"})
		if first.NextToken == "" {
			t.Fatal("max-items 3 of 4: no NextToken")
		}
		cli.ok(t, &rest, "describe-log-groups", "--page-size", "2", "--starting-token", first.NextToken)
		equalStrings(t, "after starting-token", rest.names(), []string{"/other/x"})
		if rest.NextToken != "" {
			t.Errorf("last page: NextToken %q", rest.NextToken)
		}
	})

	t.Run("CreateLogStream", func(t *testing.T) {
		for _, name := range []string{"app-a", "app-b", "web-1"} {
			cli.ok(t, nil, "create-log-stream", "--log-group-name", cliGroupApp, "--log-stream-name", name)
		}
		cli.fail(t, codeExists, "CreateLogStream", "The specified log stream already exists",
			"create-log-stream", "--log-group-name", cliGroupApp, "--log-stream-name", "app-a")
		cli.fail(t, codeRNF, "CreateLogStream", msgRNFGroup, "create-log-stream", "--log-group-name", "/no/such", "--log-stream-name", "x")
	})

	t.Run("PutLogEvents", func(t *testing.T) {
		for _, stream := range []string{"app-a", "app-b"} {
			var evs []cliEvent
			for _, e := range appEvents {
				if e.stream == stream {
					evs = append(evs, e)
				}
			}
			var out cliPut
			cli.ok(t, &out, "put-log-events", "--log-group-name", cliGroupApp, "--log-stream-name", stream, "--log-events", eventsJSON(evs))
			if out.NextSequenceToken == "" || out.RejectedLogEventsInfo != nil {
				t.Errorf("%s: put output %+v", stream, out)
			}
			s.events = append(s.events, evs...)
		}
		var out cliPut
		cli.ok(t, &out, "put-log-events", "--log-group-name", cliGroupApp, "--log-stream-name", "web-1", "--log-events", eventsJSON(webEvents))
		s.events = append(s.events, webEvents...)
		// One too-old, one valid and one too-new event: the valid one is stored.
		mixed := []cliEvent{
			{"app-a", now.Add(-15 * 24 * time.Hour).UnixMilli(), "too old"},
			{"app-a", b + 80, "accepted between rejected"},
			{"app-a", now.Add(3 * time.Hour).UnixMilli(), "too new"},
		}
		var rej cliPut
		cli.ok(t, &rej, "put-log-events", "--log-group-name", cliGroupApp, "--log-stream-name", "app-a", "--log-events", eventsJSON(mixed))
		r := rej.RejectedLogEventsInfo
		if r == nil || r.TooOldLogEventEndIndex == nil || *r.TooOldLogEventEndIndex != 1 ||
			r.TooNewLogEventStartIndex == nil || *r.TooNewLogEventStartIndex != 2 || r.ExpiredLogEventEndIndex != nil {
			b, _ := json.Marshal(r)
			t.Errorf("rejectedLogEventsInfo = %s, want {tooNewLogEventStartIndex:2, tooOldLogEventEndIndex:1}", b)
		}
		s.events = append(s.events, mixed[1])
		cli.fail(t, codeRNF, "PutLogEvents", msgRNFStream, "put-log-events", "--log-group-name", cliGroupApp,
			"--log-stream-name", "nope", "--log-events", eventsJSON(webEvents[:1]))
		unordered := []cliEvent{{"app-a", b + 90, "later"}, {"app-a", b + 85, "earlier"}}
		cli.fail(t, codeInvalid, "PutLogEvents", "Log events in a single PutLogEvents request must be in chronological order.",
			"put-log-events", "--log-group-name", cliGroupApp, "--log-stream-name", "app-a", "--log-events", eventsJSON(unordered))
	})

	t.Run("DescribeLogStreams", func(t *testing.T) {
		var all cliStreams
		cli.ok(t, &all, "describe-log-streams", "--log-group-name", cliGroupApp)
		equalStrings(t, "streams by name", all.names(), []string{"app-a", "app-b", "web-1"})
		for _, st := range all.LogStreams {
			evs := s.stream(st.LogStreamName)
			if st.FirstEventTimestamp != evs[0].ts || st.LastEventTimestamp != evs[len(evs)-1].ts {
				t.Errorf("%s: first/last event %d/%d, want %d/%d", st.LogStreamName, st.FirstEventTimestamp, st.LastEventTimestamp, evs[0].ts, evs[len(evs)-1].ts)
			}
			if st.LastIngestionTime < st.CreationTime || time.Since(time.UnixMilli(st.LastIngestionTime)) > 5*time.Minute {
				t.Errorf("%s: lastIngestionTime %d, creationTime %d", st.LogStreamName, st.LastIngestionTime, st.CreationTime)
			}
			if want := cliGroupArn + ":log-stream:" + st.LogStreamName; st.Arn != want {
				t.Errorf("%s: arn %q, want %q", st.LogStreamName, st.Arn, want)
			}
		}
		var byTime, prefixDesc cliStreams
		cli.ok(t, &byTime, "describe-log-streams", "--log-group-name", cliGroupApp, "--order-by", "LastEventTime", "--descending")
		equalStrings(t, "by LastEventTime descending", byTime.names(), []string{"web-1", "app-a", "app-b"})
		cli.ok(t, &prefixDesc, "describe-log-streams", "--log-group-name", cliGroupApp, "--log-stream-name-prefix", "app", "--descending")
		equalStrings(t, "prefix app descending", prefixDesc.names(), []string{"app-b", "app-a"})
		cli.fail(t, codeInvalid, "DescribeLogStreams", "Cannot order by LastEventTime with a logStreamNamePrefix.",
			"describe-log-streams", "--log-group-name", cliGroupApp, "--order-by", "LastEventTime", "--log-stream-name-prefix", "app")
	})

	t.Run("DescribeLogStreamsPagination", func(t *testing.T) {
		// Pages of one stream ordered by LastEventTime ascending; the CLI stops after two.
		var first, rest cliStreams
		args := []string{"describe-log-streams", "--log-group-name", cliGroupApp, "--order-by", "LastEventTime", "--page-size", "1"}
		cli.ok(t, &first, append(args, "--max-items", "2")...)
		equalStrings(t, "max-items 2", first.names(), []string{"app-b", "app-a"})
		if first.NextToken == "" {
			t.Fatal("max-items 2 of 3: no NextToken")
		}
		cli.ok(t, &rest, append(args, "--starting-token", first.NextToken)...)
		equalStrings(t, "after starting-token", rest.names(), []string{"web-1"})
	})

	t.Run("GetLogEvents", func(t *testing.T) { s.getLogEvents(t) })
	t.Run("FilterLogEvents", func(t *testing.T) { s.filterLogEvents(t) })
	t.Run("Tail", func(t *testing.T) { s.tail(t) })

	t.Run("RetentionPolicy", func(t *testing.T) {
		cli.ok(t, nil, "put-retention-policy", "--log-group-name", cliGroupApp, "--retention-in-days", "7")
		var g cliGroups
		cli.ok(t, &g, "describe-log-groups", "--log-group-name-prefix", cliGroupApp)
		if len(g.LogGroups) != 1 || g.LogGroups[0].RetentionInDays == nil || *g.LogGroups[0].RetentionInDays != 7 {
			t.Errorf("after put-retention-policy 7: %+v", g.LogGroups)
		}
		cli.fail(t, codeInvalid, "PutRetentionPolicy", "1 validation error detected: Value '8' at 'retentionInDays' failed to satisfy constraint: *",
			"put-retention-policy", "--log-group-name", cliGroupApp, "--retention-in-days", "8")
		cli.ok(t, nil, "delete-retention-policy", "--log-group-name", cliGroupApp)
		var after cliGroups // fresh: json.Unmarshal would decode into the old elements
		cli.ok(t, &after, "describe-log-groups", "--log-group-name-prefix", cliGroupApp)
		if len(after.LogGroups) != 1 || after.LogGroups[0].RetentionInDays != nil {
			t.Errorf("after delete-retention-policy: %+v", after.LogGroups)
		}
	})

	t.Run("Tags", func(t *testing.T) {
		check := func(what string, got cliTags, want map[string]string) {
			t.Helper()
			if fmt.Sprint(got.Tags) != fmt.Sprint(want) {
				t.Errorf("%s: tags %v, want %v", what, got.Tags, want)
			}
		}
		list := func(args ...string) cliTags {
			var out cliTags // fresh: json.Unmarshal merges into an existing map
			cli.ok(t, &out, args...)
			return out
		}
		cli.ok(t, nil, "tag-resource", "--resource-arn", cliGroupArn, "--tags", "k=v,env=prod")
		check("after tag-resource", list("list-tags-for-resource", "--resource-arn", cliGroupArn),
			map[string]string{"env": "prod", "k": "v", "team": "logs"})
		cli.ok(t, nil, "untag-resource", "--resource-arn", cliGroupArn, "--tag-keys", "team", "k")
		check("after untag-resource", list("list-tags-for-resource", "--resource-arn", cliGroupArn), map[string]string{"env": "prod"})
		cli.ok(t, nil, "tag-log-group", "--log-group-name", cliGroupApp, "--tags", "legacy=yes")
		check("after tag-log-group", list("list-tags-log-group", "--log-group-name", cliGroupApp),
			map[string]string{"env": "prod", "legacy": "yes"})
		cli.ok(t, nil, "untag-log-group", "--log-group-name", cliGroupApp, "--tags", "env")
		check("after untag-log-group", list("list-tags-log-group", "--log-group-name", cliGroupApp), map[string]string{"legacy": "yes"})
	})

	t.Run("MetricFilters", func(t *testing.T) { s.metricFilters(t) })
	t.Run("SubscriptionFilters", func(t *testing.T) { s.subscriptionFilters(t) })
	t.Run("Destinations", func(t *testing.T) { s.destinations(t) })

	t.Run("Signatures", func(t *testing.T) {
		cli.with("AWS_SECRET_ACCESS_KEY=wrong-secret").fail(t, "InvalidSignatureException", "DescribeLogGroups",
			"The request signature we calculated does not match the signature you provided.*", "describe-log-groups")
		cli.with("AWS_ACCESS_KEY_ID=AKIAUNKNOWN000000000").fail(t, "UnrecognizedClientException", "DescribeLogGroups",
			"The security token included in the request is invalid.", "describe-log-groups")
	})

	t.Run("Delete", func(t *testing.T) {
		cli.ok(t, nil, "delete-log-stream", "--log-group-name", cliGroupApp, "--log-stream-name", "app-b")
		cli.fail(t, codeRNF, "DeleteLogStream", msgRNFStream, "delete-log-stream", "--log-group-name", cliGroupApp, "--log-stream-name", "app-b")
		cli.ok(t, nil, "delete-log-group", "--log-group-name", "/other/x")
		cli.fail(t, codeRNF, "DeleteLogGroup", msgRNFGroup, "delete-log-group", "--log-group-name", "/other/x")
		var g cliGroups
		var st cliStreams
		cli.ok(t, &g, "describe-log-groups")
		equalStrings(t, "groups after delete", g.names(), []string{"/conf/app", "/conf/billing", "/conf/cache"})
		cli.ok(t, &st, "describe-log-streams", "--log-group-name", cliGroupApp)
		equalStrings(t, "streams after delete", st.names(), []string{"app-a", "web-1"})
	})
}

func (s *cliScript) getLogEvents(t *testing.T) {
	cli := s.cli
	appA := s.stream("app-a")
	var want []string
	for _, e := range appA {
		want = append(want, e.msg)
	}
	get := func(out *cliGetEvents, extra ...string) {
		t.Helper()
		cli.ok(t, out, append([]string{"get-log-events", "--log-group-name", cliGroupApp, "--log-stream-name", "app-a"}, extra...)...)
	}
	var all, end cliGetEvents
	get(&all, "--start-from-head")
	equalStrings(t, "from head", all.messages(), want)
	for i, e := range all.Events {
		if e.Timestamp != appA[i].ts || e.IngestionTime <= 0 {
			t.Errorf("event %d: timestamp %d ingestionTime %d, want timestamp %d", i, e.Timestamp, e.IngestionTime, appA[i].ts)
		}
	}
	if !strings.HasPrefix(all.NextForwardToken, "f/") || !strings.HasPrefix(all.NextBackwardToken, "b/") {
		t.Errorf("tokens %q / %q, want f/… and b/…", all.NextForwardToken, all.NextBackwardToken)
	}
	// At the end of the stream the same token comes back with no events.
	get(&end, "--start-from-head", "--next-token", all.NextForwardToken)
	if len(end.Events) != 0 || end.NextForwardToken != all.NextForwardToken {
		t.Errorf("at end: %d events, token %q, want 0 events and %q", len(end.Events), end.NextForwardToken, all.NextForwardToken)
	}

	// Forward pages of 2 from the head.
	var p1, p2 cliGetEvents
	get(&p1, "--start-from-head", "--limit", "2")
	equalStrings(t, "head page 1", p1.messages(), want[:2])
	get(&p2, "--start-from-head", "--limit", "2", "--next-token", p1.NextForwardToken)
	equalStrings(t, "head page 2", p2.messages(), want[2:4])

	// Default (startFromHead false): the tail of the stream, ascending; then backwards.
	var tail, back cliGetEvents
	get(&tail, "--limit", "2")
	equalStrings(t, "tail page", tail.messages(), want[len(want)-2:])
	get(&back, "--limit", "2", "--next-token", tail.NextBackwardToken)
	equalStrings(t, "backward page", back.messages(), want[len(want)-4:len(want)-2])

	// startTime inclusive, endTime exclusive.
	var rng cliGetEvents
	get(&rng, "--start-from-head", "--start-time", ms(s.base+20), "--end-time", ms(s.base+60))
	equalStrings(t, "[base+20, base+60)", rng.messages(), []string{appA[1].msg, appA[2].msg})

	cli.fail(t, codeInvalid, "GetLogEvents", "The specified nextToken is invalid.",
		"get-log-events", "--log-group-name", cliGroupApp, "--log-stream-name", "app-a", "--next-token", "f/not-a-token")
}

func (s *cliScript) filterLogEvents(t *testing.T) {
	cli := s.cli
	filter := func(extra ...string) cliFiltered {
		t.Helper()
		var out cliFiltered
		cli.ok(t, &out, append([]string{"filter-log-events", "--log-group-name", cliGroupApp}, extra...)...)
		return out
	}
	all := s.messagesWhere(func(cliEvent) bool { return true })
	got := filter()
	equalStrings(t, "no pattern", got.messages(), all)
	for i, e := range got.Events {
		if len(e.EventID) != 56 || strings.Trim(e.EventID, "0123456789") != "" {
			t.Errorf("event %d: eventId %q is not 56 digits", i, e.EventID)
		}
		if e.LogStreamName == "" || e.IngestionTime <= 0 {
			t.Errorf("event %d: %+v", i, e)
		}
	}

	has := func(sub string) func(cliEvent) bool {
		return func(e cliEvent) bool { return strings.Contains(e.msg, sub) }
	}
	patterns := []struct {
		pattern string
		want    func(cliEvent) bool
	}{
		{"ERROR", has("ERROR")},
		{"?WARN ?timeout", func(e cliEvent) bool { return has("WARN")(e) || has("timeout")(e) }},
		{"ERROR -disk", func(e cliEvent) bool { return has("ERROR")(e) && !has("disk")(e) }},
		{`"user login"`, has("user login")},
		{`{ $.status >= 500 }`, has(`"status":500`)},
		{`{ ($.level = "error") || ($.user = bo*) }`, has(`"level":`)},
		{`[ip, id, user, timestamp, request, status_code = 4*, bytes]`, has(`" 404 `)},
	}
	for _, p := range patterns {
		want := s.messagesWhere(p.want)
		if len(want) == 0 {
			t.Fatalf("pattern %s: the data set has no match (test bug)", p.pattern)
		}
		equalStrings(t, "pattern "+p.pattern, filter("--filter-pattern", p.pattern).messages(), want)
	}

	equalStrings(t, "stream app-b, ERROR", filter("--log-stream-names", "app-b", "--filter-pattern", "ERROR").messages(),
		s.messagesWhere(func(e cliEvent) bool { return e.stream == "app-b" && has("ERROR")(e) }))
	equalStrings(t, "prefix web", filter("--log-stream-name-prefix", "web").messages(),
		s.messagesWhere(func(e cliEvent) bool { return e.stream == "web-1" }))
	equalStrings(t, "time range", filter("--start-time", ms(s.base+20), "--end-time", ms(s.base+45)).messages(),
		s.messagesWhere(func(e cliEvent) bool { return e.ts >= s.base+20 && e.ts <= s.base+45 }))

	// Pagination: pages of 2 followed by the CLI, cut by --max-items 5 inside a page.
	first := filter("--max-items", "5", "--page-size", "2")
	equalStrings(t, "max-items 5", first.messages(), all[:5])
	if first.NextToken == "" {
		t.Fatal("max-items 5: no NextToken")
	}
	equalStrings(t, "after starting-token", filter("--page-size", "2", "--starting-token", first.NextToken).messages(), all[5:])

	cli.fail(t, codeInvalid, "FilterLogEvents", "Invalid filter pattern*",
		"filter-log-events", "--log-group-name", cliGroupApp, "--filter-pattern", "{ $.status >= }")
}

// tail runs `aws logs tail`, a CLI v2 customization over FilterLogEvents (CLI v1 has none).
func (s *cliScript) tail(t *testing.T) {
	if s.cli.major != 2 {
		t.Skip("aws logs tail exists only in AWS CLI v2")
	}
	// The default "detailed" format prints "<ISO time> <stream> <message>" per event.
	lines := func(out string) []string {
		var msgs []string
		for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
			if l == "" {
				continue
			}
			f := strings.SplitN(l, " ", 3)
			if len(f) != 3 {
				t.Fatalf("tail line %q: want <time> <stream> <message>", l)
			}
			if _, err := time.Parse("2006-01-02T15:04:05.999999-07:00", f[0]); err != nil {
				t.Errorf("tail line %q: time: %v", l, err)
			}
			msgs = append(msgs, f[1]+" "+f[2])
		}
		return msgs
	}
	want := func(keep func(cliEvent) bool) []string {
		var out []string
		for _, e := range s.eventsWhere(keep) {
			out = append(out, e.stream+" "+e.msg)
		}
		return out
	}
	// Without --since, tail covers the last ten minutes; the app events are 5 min old at the start.
	if age := time.Since(time.UnixMilli(s.base)); age > 9*time.Minute {
		t.Fatalf("script too slow: the first events are %v old, beyond tail's default window", age)
	}
	equalStrings(t, "tail", lines(s.cli.text(t, "tail", cliGroupApp)), want(func(cliEvent) bool { return true }))
	equalStrings(t, "tail --filter-pattern ERROR", lines(s.cli.text(t, "tail", cliGroupApp, "--filter-pattern", "ERROR")),
		want(func(e cliEvent) bool { return strings.Contains(e.msg, "ERROR") }))
	// --since: a window reaching back 30 s before the web-1 events, which were written 20 s
	// before the script started, 4m40s after the last app event.
	web := s.stream("web-1")
	window := time.Since(time.UnixMilli(web[0].ts)) + 30*time.Second
	if time.Since(time.UnixMilli(s.base+80)) <= window+10*time.Second {
		t.Fatalf("script too slow: the --since window %v would reach the app events", window)
	}
	since := strconv.Itoa(int(window/time.Second)) + "s"
	equalStrings(t, "tail --since "+since, lines(s.cli.text(t, "tail", cliGroupApp, "--since", since)),
		want(func(e cliEvent) bool { return e.stream == "web-1" }))
	s.cli.fail(t, codeRNF, "FilterLogEvents", msgRNFGroup, "tail", "/no/such")
}
