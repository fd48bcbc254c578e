package interop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/cwlogs/cwlogs/localserver"
)

// Conformance of the local server (package localserver) with aws-sdk-go-v2's cloudwatchlogs
// client: every operation the server serves, the SDK's paginators, its typed errors, and its
// signatures verified by a server with strict credentials.

const (
	sdkAccessKeyID = "AKIASDKCONFORMANCE01"
	sdkSecret      = "sdk/conformance+Secret/0123456789EXAMPLE"
	sdkAccount     = "123456789012"
)

// startStrictServer starts an in-memory localserver on 127.0.0.1:0 that verifies every
// signature against sdkAccessKeyID/sdkSecret.
func startStrictServer(t *testing.T) string {
	t.Helper()
	return startStrictServerWith(t, nil).URL()
}

// startStrictServerWith is startStrictServer with the configuration changed by mod
// (nil: unchanged) before the server starts.
func startStrictServerWith(t *testing.T, mod func(*localserver.Config)) *localserver.Server {
	t.Helper()
	cfg := localserver.Config{
		Memory:      true,
		Credentials: map[string]string{sdkAccessKeyID: sdkSecret},
		AccountID:   sdkAccount,
	}
	if mod != nil {
		mod(&cfg)
	}
	s, err := localserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		s.Shutdown(context.Background())
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return s
}

// sdkClient is the configuration the README recommends: BaseEndpoint, static credentials,
// a fixed region; an answer is the server's first answer. The one retry allowed is for the
// SDK's own transport race, a response body read failing with net.ErrClosed on the client
// side (aws-sdk-go-v2 #2737; with one attempt, 2% of the -race runs of the paginator
// subtests failed on it, in a review).
func sdkClient(url, akid, secret string) *cloudwatchlogs.Client {
	return cloudwatchlogs.New(cloudwatchlogs.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider(akid, secret, ""),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 2
			o.Retryables = []retry.IsErrorRetryable{retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
				return aws.BoolTernary(errors.Is(err, net.ErrClosed))
			})}
		}),
	})
}

// wantErr checks that err is (via errors.As) a *T with the given message.
func wantErr[T interface {
	error
	ErrorMessage() string
}](t *testing.T, what string, err error, message string) {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Errorf("%s: error %v (%T), want %T", what, err, err, target)
		return
	}
	if target.ErrorMessage() != message {
		t.Errorf("%s: message %q, want %q", what, target.ErrorMessage(), message)
	}
}

func TestServerSDK(t *testing.T) {
	url := startStrictServer(t)
	c := sdkClient(url, sdkAccessKeyID, sdkSecret)
	ctx := context.Background()
	now := time.Now()
	base := now.Add(-30 * time.Minute).UnixMilli()
	const group = "/sdk/app"
	groupArn := "arn:aws:logs:us-east-1:" + sdkAccount + ":log-group:" + group

	t.Run("CreateLogGroup", func(t *testing.T) {
		_, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group),
			Tags: map[string]string{"env": "test"}, KmsKeyId: aws.String("arn:aws:kms:us-east-1:" + sdkAccount + ":key/k1"),
			LogGroupClass: types.LogGroupClassStandard})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range []string{"/sdk/b", "/sdk/c", "/sdk/d", "/zzz/e"} {
			in := &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(g)}
			if g == "/sdk/d" {
				in.LogGroupClass = types.LogGroupClassInfrequentAccess
			}
			if _, err := c.CreateLogGroup(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		_, err = c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)})
		wantErr[*types.ResourceAlreadyExistsException](t, "duplicate group", err, "The specified log group already exists")
	})

	t.Run("DescribeLogGroupsPaginator", func(t *testing.T) {
		p := cloudwatchlogs.NewDescribeLogGroupsPaginator(c, &cloudwatchlogs.DescribeLogGroupsInput{Limit: aws.Int32(2)})
		var names []string
		pages := 0
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			if len(out.LogGroups) > 2 {
				t.Errorf("page %d: %d groups, limit 2", pages, len(out.LogGroups))
			}
			for _, g := range out.LogGroups {
				names = append(names, aws.ToString(g.LogGroupName))
				switch aws.ToString(g.LogGroupName) {
				case group:
					if aws.ToString(g.KmsKeyId) == "" || g.LogGroupClass != types.LogGroupClassStandard ||
						aws.ToString(g.Arn) != groupArn+":*" || aws.ToString(g.LogGroupArn) != groupArn {
						t.Errorf("%s: %+v", group, g)
					}
				case "/sdk/d":
					if g.LogGroupClass != types.LogGroupClassInfrequentAccess {
						t.Errorf("/sdk/d: class %q", g.LogGroupClass)
					}
				}
			}
			if pages > 10 {
				t.Fatal("paginator does not terminate")
			}
		}
		if want := []string{"/sdk/app", "/sdk/b", "/sdk/c", "/sdk/d", "/zzz/e"}; !slices.Equal(names, want) || pages != 3 {
			t.Errorf("%d pages: %q, want 3 pages: %q", pages, names, want)
		}
		pre, err := c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/zzz")})
		if err != nil || len(pre.LogGroups) != 1 || pre.NextToken != nil {
			t.Errorf("prefix /zzz: %+v %v", pre, err)
		}
		pat, err := c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("app")})
		if err != nil || len(pat.LogGroups) != 1 || aws.ToString(pat.LogGroups[0].LogGroupName) != group {
			t.Errorf("pattern app: %+v %v", pat, err)
		}
		_, err = c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/sdk"), LogGroupNamePattern: aws.String("app")})
		wantErr[*types.InvalidParameterException](t, "prefix and pattern", err, "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
	})

	streams := []string{"s1", "s2", "s3", "s4", "s5"}
	t.Run("CreateLogStream", func(t *testing.T) {
		for _, s := range streams {
			if _, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(s)}); err != nil {
				t.Fatal(err)
			}
		}
		_, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s1")})
		wantErr[*types.ResourceAlreadyExistsException](t, "duplicate stream", err, "The specified log stream already exists")
		_, err = c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("/sdk/missing"), LogStreamName: aws.String("s1")})
		wantErr[*types.ResourceNotFoundException](t, "stream in missing group", err, "The specified log group does not exist.")
	})

	// s1 holds 250 events, one per second; s2..s5 hold ten each, interleaved with s1's.
	const bigN = 250
	var s1Msgs []string
	type stored struct {
		stream, msg string
		ts          int64
	}
	var all []stored
	t.Run("PutLogEvents", func(t *testing.T) {
		var evs []types.InputLogEvent
		for i := range bigN {
			m := fmt.Sprintf("s1 event %03d level=%s", i, []string{"INFO", "WARN", "ERROR"}[i%3])
			ts := base + int64(i)*1000
			evs = append(evs, types.InputLogEvent{Timestamp: aws.Int64(ts), Message: aws.String(m)})
			s1Msgs = append(s1Msgs, m)
			all = append(all, stored{"s1", m, ts})
		}
		out, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s1"), LogEvents: evs})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.NextSequenceToken) == "" || out.RejectedLogEventsInfo != nil {
			t.Errorf("put s1: %+v", out)
		}
		for k, s := range streams[1:] {
			var evs []types.InputLogEvent
			for i := range 10 {
				m := fmt.Sprintf(`{"stream":"%s","n":%d,"ok":%t}`, s, i, i%2 == 0)
				ts := base + int64(i)*20_000 + int64(k)*100 + 500
				evs = append(evs, types.InputLogEvent{Timestamp: aws.Int64(ts), Message: aws.String(m)})
				all = append(all, stored{s, m, ts})
			}
			if _, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(s), LogEvents: evs}); err != nil {
				t.Fatal(err)
			}
		}
		slices.SortStableFunc(all, func(a, b stored) int { return int(a.ts - b.ts) })

		mixed := []types.InputLogEvent{
			{Timestamp: aws.Int64(now.Add(-15 * 24 * time.Hour).UnixMilli()), Message: aws.String("too old 1")},
			{Timestamp: aws.Int64(now.Add(-15 * 24 * time.Hour).UnixMilli()), Message: aws.String("too old 2")},
			{Timestamp: aws.Int64(now.Add(3 * time.Hour).UnixMilli()), Message: aws.String("too new")},
		}
		_, err = c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("/sdk/b"), LogStreamName: aws.String("x"), LogEvents: mixed})
		wantErr[*types.ResourceNotFoundException](t, "put to missing stream", err, "The specified log stream does not exist.")
		if _, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("/sdk/b"), LogStreamName: aws.String("x")}); err != nil {
			t.Fatal(err)
		}
		rej, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("/sdk/b"), LogStreamName: aws.String("x"), LogEvents: mixed})
		if err != nil {
			t.Fatal(err)
		}
		r := rej.RejectedLogEventsInfo
		if r == nil || aws.ToInt32(r.TooOldLogEventEndIndex) != 2 || aws.ToInt32(r.TooNewLogEventStartIndex) != 2 || r.ExpiredLogEventEndIndex != nil {
			t.Errorf("rejectedLogEventsInfo %+v, want tooOldLogEventEndIndex 2, tooNewLogEventStartIndex 2", r)
		}
		_, err = c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("/sdk/b"), LogStreamName: aws.String("x"),
			LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(base + 10), Message: aws.String("b")}, {Timestamp: aws.Int64(base), Message: aws.String("a")}}})
		wantErr[*types.InvalidParameterException](t, "out of order", err, "Log events in a single PutLogEvents request must be in chronological order.")
	})

	t.Run("DescribeLogStreamsPaginator", func(t *testing.T) {
		p := cloudwatchlogs.NewDescribeLogStreamsPaginator(c, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String(group),
			Limit: aws.Int32(2), OrderBy: types.OrderByLastEventTime, Descending: aws.Bool(true)})
		var names []string
		pages := 0
		for p.HasMorePages() && pages < 10 {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, s := range out.LogStreams {
				names = append(names, aws.ToString(s.LogStreamName))
				if aws.ToString(s.LogStreamName) == "s1" {
					if aws.ToInt64(s.FirstEventTimestamp) != base || aws.ToInt64(s.LastEventTimestamp) != base+(bigN-1)*1000 ||
						aws.ToInt64(s.LastIngestionTime) < aws.ToInt64(s.CreationTime) ||
						aws.ToString(s.Arn) != groupArn+":log-stream:s1" {
						t.Errorf("s1: %+v", s)
					}
				}
			}
		}
		// s1's last event is at base+249 s; s2..s5's at base+180.5 s + k*0.1 s.
		if want := []string{"s1", "s5", "s4", "s3", "s2"}; !slices.Equal(names, want) || pages != 3 {
			t.Errorf("%d pages %q, want 3 pages %q", pages, names, want)
		}
		_, err := c.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("/sdk/missing")})
		wantErr[*types.ResourceNotFoundException](t, "streams of missing group", err, "The specified log group does not exist.")
	})

	getInput := func() *cloudwatchlogs.GetLogEventsInput {
		return &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s1"),
			StartFromHead: aws.Bool(true), Limit: aws.Int32(40)}
	}
	const dataPages = (bigN + 39) / 40 // 7

	t.Run("GetLogEventsPaginatorStopOnDuplicateToken", func(t *testing.T) {
		p := cloudwatchlogs.NewGetLogEventsPaginator(c, getInput(), func(o *cloudwatchlogs.GetLogEventsPaginatorOptions) {
			o.StopOnDuplicateToken = true
		})
		var got []string
		pages := 0
		var last *cloudwatchlogs.GetLogEventsOutput
		for p.HasMorePages() {
			if pages > 3*dataPages {
				t.Fatal("paginator does not terminate with StopOnDuplicateToken")
			}
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, e := range out.Events {
				got = append(got, aws.ToString(e.Message))
			}
			last = out
		}
		if !slices.Equal(got, s1Msgs) {
			t.Errorf("got %d events, want the %d of s1 in order", len(got), len(s1Msgs))
		}
		// The data pages, then one empty page whose token repeats the one sent.
		if pages != dataPages+1 || len(last.Events) != 0 {
			t.Errorf("%d pages (last with %d events), want %d data pages and an empty one", pages, len(last.Events), dataPages)
		}
		if !strings.HasPrefix(aws.ToString(last.NextForwardToken), "f/") || !strings.HasPrefix(aws.ToString(last.NextBackwardToken), "b/") {
			t.Errorf("tokens %q %q", aws.ToString(last.NextForwardToken), aws.ToString(last.NextBackwardToken))
		}
	})

	t.Run("GetLogEventsPaginatorWithoutStop", func(t *testing.T) {
		// StopOnDuplicateToken=false (the SDK default): the paginator never stops at the end
		// of a stream, on AWS as here, because the service repeats the token. Bound it and
		// check that every page after the data is empty and carries the same token.
		p := cloudwatchlogs.NewGetLogEventsPaginator(c, getInput())
		const maxPages = dataPages + 4
		var got []string
		var tokens []string
		for i := 0; i < maxPages; i++ {
			if !p.HasMorePages() {
				t.Fatalf("paginator stopped after %d pages; the repeated token should keep it going", i)
			}
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range out.Events {
				got = append(got, aws.ToString(e.Message))
			}
			tokens = append(tokens, aws.ToString(out.NextForwardToken))
			if i >= dataPages && len(out.Events) != 0 {
				t.Errorf("page %d after the end: %d events", i+1, len(out.Events))
			}
		}
		if !slices.Equal(got, s1Msgs) {
			t.Errorf("got %d events, want the %d of s1 in order", len(got), len(s1Msgs))
		}
		end := tokens[dataPages-1]
		for i := dataPages; i < maxPages; i++ {
			if tokens[i] != end {
				t.Errorf("page %d: token %q, want the repeated end token %q", i+1, tokens[i], end)
			}
		}
		if slices.Contains(tokens[:dataPages-1], end) {
			t.Errorf("end token %q already returned before the end: %q", end, tokens)
		}
	})

	t.Run("GetLogEvents", func(t *testing.T) {
		// startTime inclusive, endTime exclusive.
		out, err := c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s1"),
			StartFromHead: aws.Bool(true), StartTime: aws.Int64(base + 10_000), EndTime: aws.Int64(base + 13_000)})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range out.Events {
			got = append(got, aws.ToString(e.Message))
		}
		if !slices.Equal(got, s1Msgs[10:13]) {
			t.Errorf("[base+10s, base+13s): %q, want %q", got, s1Msgs[10:13])
		}
		// Default startFromHead=false: the tail, ascending.
		tail, err := c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s1"), Limit: aws.Int32(3)})
		if err != nil {
			t.Fatal(err)
		}
		got = got[:0]
		for _, e := range tail.Events {
			got = append(got, aws.ToString(e.Message))
		}
		if !slices.Equal(got, s1Msgs[bigN-3:]) {
			t.Errorf("tail: %q, want %q", got, s1Msgs[bigN-3:])
		}
		_, err = c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s1"), NextToken: aws.String("f/123")})
		wantErr[*types.InvalidParameterException](t, "bad token", err, "The specified nextToken is invalid.")
		_, err = c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("nope")})
		wantErr[*types.ResourceNotFoundException](t, "missing stream", err, "The specified log stream does not exist.")
	})

	t.Run("FilterLogEventsPaginator", func(t *testing.T) {
		cases := []struct {
			name    string
			in      cloudwatchlogs.FilterLogEventsInput
			keep    func(stored) bool
			stopDup bool
		}{
			{"all", cloudwatchlogs.FilterLogEventsInput{}, func(stored) bool { return true }, false},
			{"ERROR", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String("ERROR")},
				func(e stored) bool { return strings.Contains(e.msg, "ERROR") }, true},
			{"?WARN ?ERROR", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String("?WARN ?ERROR")},
				func(e stored) bool { return strings.Contains(e.msg, "WARN") || strings.Contains(e.msg, "ERROR") }, false},
			{"JSON ok true", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String("{ $.ok IS TRUE && $.n >= 4 }")},
				func(e stored) bool {
					var v struct {
						N  int
						OK bool
					}
					return json.Unmarshal([]byte(e.msg), &v) == nil && v.OK && v.N >= 4
				}, false},
			{"streams s2 s3", cloudwatchlogs.FilterLogEventsInput{LogStreamNames: []string{"s2", "s3"}},
				func(e stored) bool { return e.stream == "s2" || e.stream == "s3" }, true},
			{"time range", cloudwatchlogs.FilterLogEventsInput{StartTime: aws.Int64(base + 100_000), EndTime: aws.Int64(base + 119_999)},
				func(e stored) bool { return e.ts >= base+100_000 && e.ts <= base+119_999 }, false},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				in := tc.in
				in.LogGroupName = aws.String(group)
				in.Limit = aws.Int32(30)
				p := cloudwatchlogs.NewFilterLogEventsPaginator(c, &in, func(o *cloudwatchlogs.FilterLogEventsPaginatorOptions) {
					o.StopOnDuplicateToken = tc.stopDup
				})
				var got, want []string
				for _, e := range all {
					if tc.keep(e) {
						want = append(want, e.stream+" "+e.msg)
					}
				}
				if len(want) == 0 {
					t.Fatal("no event matches (test bug)")
				}
				pages := 0
				for p.HasMorePages() {
					if pages > len(all)/30+3 {
						t.Fatal("paginator does not terminate")
					}
					out, err := p.NextPage(ctx)
					if err != nil {
						t.Fatal(err)
					}
					pages++
					if len(out.Events) > 30 {
						t.Errorf("page of %d events, limit 30", len(out.Events))
					}
					for _, e := range out.Events {
						got = append(got, aws.ToString(e.LogStreamName)+" "+aws.ToString(e.Message))
						if len(aws.ToString(e.EventId)) != 56 {
							t.Errorf("eventId %q", aws.ToString(e.EventId))
						}
					}
				}
				if !slices.Equal(got, want) {
					t.Errorf("got %d events, want %d:\n got %q\nwant %q", len(got), len(want), got, want)
				}
			})
		}
		_, err := c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group), FilterPattern: aws.String("{ $.n >= }")})
		var ipe *types.InvalidParameterException
		if !errors.As(err, &ipe) {
			t.Errorf("unparsable pattern: %v, want InvalidParameterException", err)
		}
		_, err = c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group), NextToken: aws.String("garbage")})
		wantErr[*types.InvalidParameterException](t, "bad token", err, "The specified nextToken is invalid.")
	})

	t.Run("RetentionPolicy", func(t *testing.T) {
		retention := func() *int32 {
			out, err := c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(group)})
			if err != nil || len(out.LogGroups) != 1 {
				t.Fatalf("describe %s: %+v %v", group, out, err)
			}
			return out.LogGroups[0].RetentionInDays
		}
		if _, err := c.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(group), RetentionInDays: aws.Int32(30)}); err != nil {
			t.Fatal(err)
		}
		if r := retention(); aws.ToInt32(r) != 30 {
			t.Errorf("retention %v, want 30", r)
		}
		_, err := c.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(group), RetentionInDays: aws.Int32(2)})
		var ipe *types.InvalidParameterException
		if !errors.As(err, &ipe) {
			t.Errorf("retention 2: %v, want InvalidParameterException", err)
		}
		_, err = c.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("/sdk/missing"), RetentionInDays: aws.Int32(30)})
		wantErr[*types.ResourceNotFoundException](t, "retention of missing group", err, "The specified log group does not exist.")
		if _, err := c.DeleteRetentionPolicy(ctx, &cloudwatchlogs.DeleteRetentionPolicyInput{LogGroupName: aws.String(group)}); err != nil {
			t.Fatal(err)
		}
		if r := retention(); r != nil {
			t.Errorf("retention %d after delete", *r)
		}
	})

	t.Run("Tags", func(t *testing.T) {
		list := func() map[string]string {
			out, err := c.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(groupArn)})
			if err != nil {
				t.Fatal(err)
			}
			return out.Tags
		}
		if _, err := c.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(groupArn), Tags: map[string]string{"a": "1", "b": "2"}}); err != nil {
			t.Fatal(err)
		}
		if got := list(); fmt.Sprint(got) != "map[a:1 b:2 env:test]" {
			t.Errorf("after TagResource: %v", got)
		}
		if _, err := c.UntagResource(ctx, &cloudwatchlogs.UntagResourceInput{ResourceArn: aws.String(groupArn), TagKeys: []string{"a", "env"}}); err != nil {
			t.Fatal(err)
		}
		if got := list(); fmt.Sprint(got) != "map[b:2]" {
			t.Errorf("after UntagResource: %v", got)
		}
		//lint:ignore SA1019 the deprecated tagging API is still served and tested
		if _, err := c.TagLogGroup(ctx, &cloudwatchlogs.TagLogGroupInput{LogGroupName: aws.String(group), Tags: map[string]string{"c": "3"}}); err != nil {
			t.Fatal(err)
		}
		//lint:ignore SA1019 the deprecated tagging API is still served and tested
		if _, err := c.UntagLogGroup(ctx, &cloudwatchlogs.UntagLogGroupInput{LogGroupName: aws.String(group), Tags: []string{"b"}}); err != nil {
			t.Fatal(err)
		}
		//lint:ignore SA1019 the deprecated tagging API is still served and tested
		legacy, err := c.ListTagsLogGroup(ctx, &cloudwatchlogs.ListTagsLogGroupInput{LogGroupName: aws.String(group)})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(legacy.Tags) != "map[c:3]" {
			t.Errorf("ListTagsLogGroup: %v", legacy.Tags)
		}
		_, err = c.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(groupArn + "-missing")})
		var rnf *types.ResourceNotFoundException
		if !errors.As(err, &rnf) {
			t.Errorf("tags of missing group: %v, want ResourceNotFoundException", err)
		}
	})

	t.Run("MetricFilters", func(t *testing.T) { sdkMetricFilters(t, ctx, c, group) })
	t.Run("SubscriptionFilters", func(t *testing.T) { sdkSubscriptionFilters(t, ctx, c, group) })
	t.Run("KmsKeys", func(t *testing.T) { sdkKmsKeys(t, ctx, c, group) })
	t.Run("ListLogGroups", func(t *testing.T) { sdkListLogGroups(t, ctx, c, group) })
	t.Run("ResourcePolicies", func(t *testing.T) { sdkResourcePolicies(t, ctx, c, group) })

	t.Run("Signatures", func(t *testing.T) {
		for _, tc := range []struct {
			name, akid, secret, code string
		}{
			{"wrong secret", sdkAccessKeyID, "not-the-secret", "InvalidSignatureException"},
			{"unknown key", "AKIAUNKNOWNKEY000000", sdkSecret, "UnrecognizedClientException"},
		} {
			_, err := sdkClient(url, tc.akid, tc.secret).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tc.code {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			}
		}
	})

	t.Run("Delete", func(t *testing.T) {
		if _, err := c.DeleteLogStream(ctx, &cloudwatchlogs.DeleteLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s5")}); err != nil {
			t.Fatal(err)
		}
		_, err := c.DeleteLogStream(ctx, &cloudwatchlogs.DeleteLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s5")})
		wantErr[*types.ResourceNotFoundException](t, "delete stream twice", err, "The specified log stream does not exist.")
		if _, err := c.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("/zzz/e")}); err != nil {
			t.Fatal(err)
		}
		_, err = c.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("/zzz/e")})
		wantErr[*types.ResourceNotFoundException](t, "delete group twice", err, "The specified log group does not exist.")
		out, err := c.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String(group)})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range out.LogStreams {
			names = append(names, aws.ToString(s.LogStreamName))
		}
		if want := []string{"s1", "s2", "s3", "s4"}; !slices.Equal(names, want) {
			t.Errorf("streams after delete: %q, want %q", names, want)
		}
	})
}

// TestSDKCorrectsSkewFromServerDate: aws-sdk-go-v2 corrects its clock from the Date header
// of an InvalidSignatureException answer, as against AWS. The server set Date from the
// wall clock while it judged signatures by Config.Now, so a server clock 10 minutes off
// failed every call; the Date header now carries the clock that judged.
func TestSDKCorrectsSkewFromServerDate(t *testing.T) {
	for _, off := range []time.Duration{10 * time.Minute, -10 * time.Minute} {
		t.Run(off.String(), func(t *testing.T) {
			s, err := localserver.New(localserver.Config{Memory: true,
				Credentials: map[string]string{sdkAccessKeyID: sdkSecret},
				Now:         func() time.Time { return time.Now().Add(off) }})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Shutdown(context.Background()) })
			var attempts atomic.Int32
			c := cloudwatchlogs.New(cloudwatchlogs.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL()),
				Credentials: credentials.NewStaticCredentialsProvider(sdkAccessKeyID, sdkSecret, "")},
				func(o *cloudwatchlogs.Options) {
					o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
						return st.Finalize.Add(middleware.FinalizeMiddlewareFunc("count", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
							attempts.Add(1)
							return next.HandleFinalize(ctx, in)
						}), middleware.After)
					})
				})
			if _, err := c.DescribeLogGroups(context.Background(), &cloudwatchlogs.DescribeLogGroupsInput{}); err != nil {
				t.Fatalf("server clock %v off: %v", off, err)
			}
			if n := attempts.Load(); n != 2 {
				t.Errorf("%d attempts, want 2 (one refused, one re-signed at the corrected time)", n)
			}
		})
	}
}
