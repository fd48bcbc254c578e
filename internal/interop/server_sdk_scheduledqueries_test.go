package interop

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/cwlogs/cwlogs/localserver"
)

// sdkClock is a localserver Config.Now that moves only when told to.
type sdkClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *sdkClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *sdkClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestServerSDKScheduledQueries runs the scheduled query operations through aws-sdk-go-v2's
// client against a server whose clock the test moves: every member of GetScheduledQuery's,
// UpdateScheduledQuery's, ListScheduledQueries' and GetScheduledQueryHistory's answers
// decodes into the SDK's types (enums, int64 millisecond times, pointers nil when absent),
// both paginators page, and a rate(1 minute) query runs when the clock passes its trigger:
// it writes its results to the "bucket" directory, masked by the group's data protection
// policy except where the query unmasks, and its record's destination is COMPLETE, then
// CLIENT_ERROR once it names a bucket that does not exist; a query that unmasks an
// Infrequent Access group fails with the reason. The errors are the SDK's typed
// ConflictException, ResourceNotFoundException and ValidationException.
//
// The server's runner sleeps on the real clock until the next trigger it computed, and
// wakes at once when a scheduled query is created, updated or deleted: after moving the
// clock the test updates a DISABLED query to wake it. The clock moves about two minutes
// ahead of the real one in all, within the signatures' 5-minute skew.
func TestServerSDKScheduledQueries(t *testing.T) {
	clk := &sdkClock{t: time.Now().Truncate(time.Second)}
	exports := t.TempDir()
	if err := os.Mkdir(filepath.Join(exports, "sdk-bucket"), 0o755); err != nil {
		t.Fatal(err)
	}
	srv := startStrictServerWith(t, func(cfg *localserver.Config) {
		cfg.Now = clk.Now
		cfg.ExportDir = exports
	})
	c := sdkClient(srv.URL(), sdkAccessKeyID, sdkSecret)
	ctx := context.Background()
	const (
		group = "sdk-sq"
		role  = "arn:aws:iam::" + sdkAccount + ":role/sq"
		query = "filter @message like /ERROR/ | fields @timestamp, @message, unmask(@message) as clear | sort @timestamp asc"
		dest  = "s3://sdk-bucket/results"
	)
	groupArn := "arn:aws:logs:us-east-1:" + sdkAccount + ":log-group:" + group
	if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	// The group's data protection policy (sdkDPDoc) masks the e-mail address.
	if _, err := c.PutDataProtectionPolicy(ctx, &cloudwatchlogs.PutDataProtectionPolicyInput{LogGroupIdentifier: aws.String(group), PolicyDocument: aws.String(sdkDPDoc)}); err != nil {
		t.Fatal(err)
	}
	t0 := clk.Now()
	msgs := []string{"INFO up", "ERROR disk full for a@b.io", "INFO still up", "ERROR disk gone"}
	var evs []types.InputLogEvent
	for i, m := range msgs {
		evs = append(evs, types.InputLogEvent{Timestamp: aws.Int64(t0.Add(time.Duration(i-30) * time.Second).UnixMilli()), Message: aws.String(m)})
	}
	if _, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s"), LogEvents: evs}); err != nil {
		t.Fatal(err)
	}

	s3dest := func(uri string) *types.DestinationConfiguration {
		return &types.DestinationConfiguration{S3Configuration: &types.S3Configuration{DestinationIdentifier: aws.String(uri),
			RoleArn: aws.String(role), OwnerAccountId: aws.String(sdkAccount)}}
	}
	created, err := c.CreateScheduledQuery(ctx, &cloudwatchlogs.CreateScheduledQueryInput{
		Name: aws.String("sdk/errors"), Description: aws.String("errors every minute"), QueryLanguage: types.QueryLanguageCwli,
		QueryString: aws.String(query), LogGroupIdentifiers: []string{groupArn}, ScheduleExpression: aws.String("rate(1 minute)"),
		Timezone: aws.String("UTC"), StartTimeOffset: aws.Int64(300), DestinationConfiguration: s3dest(dest),
		ExecutionRoleArn: aws.String(role), State: types.ScheduledQueryStateEnabled, Tags: map[string]string{"team": "obs"},
	})
	if err != nil {
		t.Fatal(err)
	}
	arnRE := regexp.MustCompile(`^arn:aws:logs:us-east-1:` + sdkAccount + `:scheduled-query:([0-9a-f-]{36})$`)
	m := arnRE.FindStringSubmatch(aws.ToString(created.ScheduledQueryArn))
	if m == nil || created.State != types.ScheduledQueryStateEnabled {
		t.Fatalf("CreateScheduledQuery: %s", asJSON(created))
	}
	sqArn, sqID := m[0], m[1]
	createdMs := t0.UnixMilli()
	for _, in := range []*cloudwatchlogs.CreateScheduledQueryInput{
		{Name: aws.String("sdk/daily"), QueryLanguage: types.QueryLanguageCwli, QueryString: aws.String("stats count(*) as n"),
			LogGroupIdentifiers: []string{group}, ScheduleExpression: aws.String("cron(0 8 * * ? *)"), Timezone: aws.String("Europe/Paris"),
			StartTimeOffset: aws.Int64(3600), EndTimeOffset: aws.Int64(600),
			ExecutionRoleArn: aws.String(role), State: types.ScheduledQueryStateDisabled},
		{Name: aws.String("sdk/waker"), QueryLanguage: types.QueryLanguageCwli, QueryString: aws.String("fields @message"),
			LogGroupIdentifiers: []string{group}, ScheduleExpression: aws.String("rate(1 day)"), ExecutionRoleArn: aws.String(role),
			State: types.ScheduledQueryStateDisabled},
	} {
		if _, err := c.CreateScheduledQuery(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	// EndTimeOffset, newer than the botocore model, is kept and answered.
	if g, err := c.GetScheduledQuery(ctx, &cloudwatchlogs.GetScheduledQueryInput{Identifier: aws.String("sdk/daily")}); err != nil ||
		aws.ToInt64(g.StartTimeOffset) != 3600 || aws.ToInt64(g.EndTimeOffset) != 600 {
		t.Errorf("GetScheduledQuery sdk/daily: %v %s", err, asJSON(g))
	}
	// wake updates sdk/waker (DISABLED, it never runs), which wakes the runner.
	wake := func(t *testing.T) {
		t.Helper()
		if _, err := c.UpdateScheduledQuery(ctx, &cloudwatchlogs.UpdateScheduledQueryInput{Identifier: aws.String("sdk/waker"),
			QueryLanguage: types.QueryLanguageCwli, QueryString: aws.String("fields @message"), LogGroupIdentifiers: []string{group},
			ScheduleExpression: aws.String("rate(1 day)"), ExecutionRoleArn: aws.String(role), State: types.ScheduledQueryStateDisabled}); err != nil {
			t.Fatal(err)
		}
	}
	// runs waits until sdk/errors has n ended runs and returns its history, newest first.
	runs := func(t *testing.T, n int) []types.TriggerHistoryRecord {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			h, err := c.GetScheduledQueryHistory(ctx, &cloudwatchlogs.GetScheduledQueryHistoryInput{Identifier: aws.String("sdk/errors"),
				StartTime: aws.Int64(0), EndTime: aws.Int64(clk.Now().UnixMilli())})
			if err != nil {
				t.Fatal(err)
			}
			ended := 0
			for _, r := range h.TriggerHistory {
				if r.ExecutionStatus != types.ExecutionStatusRunning {
					ended++
				}
			}
			if ended >= n {
				return h.TriggerHistory
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d runs ended after 10 s, want %d: %s", ended, n, asJSON(h.TriggerHistory))
			}
		}
	}

	t.Run("Get", func(t *testing.T) {
		for _, ident := range []string{"sdk/errors", sqArn} {
			g, err := c.GetScheduledQuery(ctx, &cloudwatchlogs.GetScheduledQueryInput{Identifier: aws.String(ident)})
			if err != nil {
				t.Fatal(err)
			}
			want := &cloudwatchlogs.GetScheduledQueryOutput{
				ScheduledQueryArn: aws.String(sqArn), Name: aws.String("sdk/errors"), Description: aws.String("errors every minute"),
				QueryLanguage: types.QueryLanguageCwli, QueryString: aws.String(query), LogGroupIdentifiers: []string{groupArn},
				ScheduleExpression: aws.String("rate(1 minute)"), Timezone: aws.String("UTC"), StartTimeOffset: aws.Int64(300),
				DestinationConfiguration: s3dest(dest), State: types.ScheduledQueryStateEnabled, ExecutionRoleArn: aws.String(role),
				CreationTime: aws.Int64(createdMs), LastUpdatedTime: aws.Int64(createdMs),
			}
			g.ResultMetadata = want.ResultMetadata
			if asJSON(g) != asJSON(want) {
				t.Errorf("GetScheduledQuery %s:\n got %s\nwant %s", ident, asJSON(g), asJSON(want))
			}
		}
		tags, err := c.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(sqArn)})
		if err != nil || !maps.Equal(tags.Tags, map[string]string{"team": "obs"}) {
			t.Errorf("ListTagsForResource: %s %v", asJSON(tags), err)
		}
	})

	t.Run("ListPaginator", func(t *testing.T) {
		list := func(state types.ScheduledQueryState) ([]types.ScheduledQuerySummary, int) {
			p := cloudwatchlogs.NewListScheduledQueriesPaginator(c, &cloudwatchlogs.ListScheduledQueriesInput{MaxResults: aws.Int32(1), State: state})
			var all []types.ScheduledQuerySummary
			pages := 0
			for p.HasMorePages() && pages <= 10 {
				out, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				all = append(all, out.ScheduledQueries...)
			}
			return all, pages
		}
		all, pages := list("")
		var names []string
		for _, s := range all {
			names = append(names, aws.ToString(s.Name))
		}
		if want := []string{"sdk/daily", "sdk/errors", "sdk/waker"}; !slices.Equal(names, want) || pages != 3 {
			t.Errorf("%d pages %q, want 3 pages %q", pages, names, want)
		}
		if len(all) == 3 {
			want := types.ScheduledQuerySummary{ScheduledQueryArn: aws.String(sqArn), Name: aws.String("sdk/errors"), State: types.ScheduledQueryStateEnabled,
				ScheduleExpression: aws.String("rate(1 minute)"), Timezone: aws.String("UTC"), DestinationConfiguration: s3dest(dest),
				CreationTime: aws.Int64(createdMs), LastUpdatedTime: aws.Int64(createdMs)}
			if asJSON(all[1]) != asJSON(want) {
				t.Errorf("summary:\n got %s\nwant %s", asJSON(all[1]), asJSON(want))
			}
			if d := all[0]; d.State != types.ScheduledQueryStateDisabled || aws.ToString(d.Timezone) != "Europe/Paris" || d.DestinationConfiguration != nil {
				t.Errorf("sdk/daily summary: %s", asJSON(d))
			}
		}
		if dis, _ := list(types.ScheduledQueryStateDisabled); len(dis) != 2 {
			t.Errorf("DISABLED: %s", asJSON(dis))
		}
	})

	t.Run("Runs", func(t *testing.T) {
		// A query that unmasks an Infrequent Access group is stored but its runs fail, as
		// StartQuery refuses it.
		if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("sdk-sq-ia"), LogGroupClass: types.LogGroupClassInfrequentAccess}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.CreateScheduledQuery(ctx, &cloudwatchlogs.CreateScheduledQueryInput{Name: aws.String("sdk/ia"), QueryLanguage: types.QueryLanguageCwli,
			QueryString: aws.String("fields unmask(@message)"), LogGroupIdentifiers: []string{"sdk-sq-ia"}, ScheduleExpression: aws.String("rate(1 minute)"),
			ExecutionRoleArn: aws.String(role), DestinationConfiguration: s3dest(dest)}); err != nil {
			t.Fatal(err)
		}

		// The first trigger is one period after the creation.
		clk.advance(61 * time.Second)
		wake(t)
		h := runs(t, 1)
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			ia, err := c.GetScheduledQueryHistory(ctx, &cloudwatchlogs.GetScheduledQueryHistoryInput{Identifier: aws.String("sdk/ia"),
				StartTime: aws.Int64(0), EndTime: aws.Int64(clk.Now().UnixMilli()), ExecutionStatuses: []types.ExecutionStatus{types.ExecutionStatusFailed}})
			if err != nil {
				t.Fatal(err)
			}
			if len(ia.TriggerHistory) == 1 {
				r := ia.TriggerHistory[0]
				if aws.ToInt64(r.TriggeredTimestamp) != createdMs+60_000 || r.Destinations != nil ||
					!strings.Contains(aws.ToString(r.ErrorMessage), "sdk-sq-ia is of the INFREQUENT_ACCESS class") {
					t.Errorf("run of sdk/ia: %s", asJSON(r))
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("sdk/ia: no Failed run after 10 s: %s", asJSON(ia))
			}
		}
		if _, err := c.DeleteScheduledQuery(ctx, &cloudwatchlogs.DeleteScheduledQueryInput{Identifier: aws.String("sdk/ia")}); err != nil {
			t.Fatal(err)
		}
		trigger := createdMs + 60_000
		if len(h) != 1 {
			t.Fatalf("history %s, want one run", asJSON(h))
		}
		r := h[0]
		if r.ExecutionStatus != types.ExecutionStatusComplete || aws.ToInt64(r.TriggeredTimestamp) != trigger || r.ErrorMessage != nil ||
			len(r.Destinations) != 1 || aws.ToString(r.QueryId) == "" {
			t.Fatalf("run: %s, want Complete triggered at %d with one destination", asJSON(r), trigger)
		}
		key := "results/" + sqID + "/" + aws.ToString(r.QueryId) + ".json"
		d := r.Destinations[0]
		if d.DestinationType != types.ScheduledQueryDestinationTypeS3 || aws.ToString(d.DestinationIdentifier) != dest ||
			d.Status != types.ActionStatusComplete || aws.ToString(d.ProcessedIdentifier) != "s3://sdk-bucket/"+key || d.ErrorMessage != nil {
			t.Errorf("destination: %s", asJSON(d))
		}
		raw, err := os.ReadFile(filepath.Join(exports, "sdk-bucket", filepath.FromSlash(key)))
		if err != nil {
			t.Fatal(err)
		}
		var obj struct {
			ScheduledQueryArn string              `json:"scheduledQueryArn"`
			StartTime         int64               `json:"startTime"`
			EndTime           int64               `json:"endTime"`
			Results           []map[string]string `json:"results"`
		}
		if err := json.Unmarshal(raw, &obj); err != nil {
			t.Fatalf("results object: %v: %s", err, raw)
		}
		var got []string
		for _, row := range obj.Results {
			got = append(got, row["@message"]+" | "+row["clear"])
		}
		// A run's results are masked as StartQuery's are, unless the query unmasks.
		if obj.ScheduledQueryArn != sqArn || obj.StartTime != trigger-300_000 || obj.EndTime != trigger ||
			!slices.Equal(got, []string{"ERROR disk full for ****** | ERROR disk full for a@b.io", "ERROR disk gone | ERROR disk gone"}) {
			t.Errorf("results object: %s", raw)
		}
		g, err := c.GetScheduledQuery(ctx, &cloudwatchlogs.GetScheduledQueryInput{Identifier: aws.String("sdk/errors")})
		if err != nil || aws.ToInt64(g.LastTriggeredTime) != trigger || g.LastExecutionStatus != types.ExecutionStatusComplete {
			t.Errorf("GetScheduledQuery after a run: %s %v", asJSON(g), err)
		}

		// Now to a bucket that does not exist (UpdateScheduledQuery restarts the rate).
		updatedMs := clk.Now().UnixMilli()
		up, err := c.UpdateScheduledQuery(ctx, &cloudwatchlogs.UpdateScheduledQueryInput{Identifier: aws.String(sqArn),
			QueryLanguage: types.QueryLanguageCwli, QueryString: aws.String(query), LogGroupIdentifiers: []string{group},
			ScheduleExpression: aws.String("rate(1 minute)"), StartTimeOffset: aws.Int64(300), DestinationConfiguration: s3dest("s3://sdk-missing"),
			ExecutionRoleArn: aws.String(role)})
		if err != nil {
			t.Fatal(err)
		}
		// PUT semantics: the description and time zone it leaves out are gone; the state is
		// ENABLED; the last run is kept.
		if up.Description != nil || up.Timezone != nil || up.State != types.ScheduledQueryStateEnabled ||
			aws.ToInt64(up.LastUpdatedTime) != updatedMs || aws.ToInt64(up.CreationTime) != createdMs ||
			aws.ToInt64(up.LastTriggeredTime) != trigger || up.LastExecutionStatus != types.ExecutionStatusComplete ||
			!slices.Equal(up.LogGroupIdentifiers, []string{group}) || aws.ToString(up.DestinationConfiguration.S3Configuration.DestinationIdentifier) != "s3://sdk-missing" {
			t.Errorf("UpdateScheduledQuery: %s", asJSON(up))
		}
		clk.advance(61 * time.Second)
		wake(t)
		h = runs(t, 2)
		if len(h) != 2 || aws.ToInt64(h[0].TriggeredTimestamp) != updatedMs+60_000 || h[0].ExecutionStatus != types.ExecutionStatusComplete || len(h[0].Destinations) != 1 {
			t.Fatalf("history %s, want the new run first", asJSON(h))
		}
		if d := h[0].Destinations[0]; d.Status != types.ActionStatusClientError || aws.ToString(d.ErrorMessage) != "The specified bucket does not exist" ||
			d.ProcessedIdentifier != nil || aws.ToString(d.DestinationIdentifier) != "s3://sdk-missing" {
			t.Errorf("destination of a missing bucket: %s", asJSON(d))
		}

		p := cloudwatchlogs.NewGetScheduledQueryHistoryPaginator(c, &cloudwatchlogs.GetScheduledQueryHistoryInput{Identifier: aws.String("sdk/errors"),
			StartTime: aws.Int64(createdMs), EndTime: aws.Int64(clk.Now().UnixMilli()), MaxResults: aws.Int32(1)})
		var ids []string
		for pages := 0; p.HasMorePages() && pages <= 10; pages++ {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(out.Name) != "sdk/errors" || aws.ToString(out.ScheduledQueryArn) != sqArn || len(out.TriggerHistory) != 1 {
				t.Errorf("history page %d: %s", pages, asJSON(out))
			}
			for _, r := range out.TriggerHistory {
				ids = append(ids, aws.ToString(r.QueryId))
			}
		}
		if want := []string{aws.ToString(h[0].QueryId), aws.ToString(h[1].QueryId)}; !slices.Equal(ids, want) {
			t.Errorf("paginator: %q, want %q (newest first)", ids, want)
		}
		failed, err := c.GetScheduledQueryHistory(ctx, &cloudwatchlogs.GetScheduledQueryHistoryInput{Identifier: aws.String("sdk/errors"),
			StartTime: aws.Int64(0), EndTime: aws.Int64(clk.Now().UnixMilli()), ExecutionStatuses: []types.ExecutionStatus{types.ExecutionStatusFailed}})
		if err != nil || len(failed.TriggerHistory) != 0 || failed.NextToken != nil {
			t.Errorf("Failed runs: %s %v", asJSON(failed), err)
		}
	})

	t.Run("Errors", func(t *testing.T) {
		valid := cloudwatchlogs.CreateScheduledQueryInput{Name: aws.String("sdk/errors"), QueryLanguage: types.QueryLanguageCwli,
			QueryString: aws.String(query), LogGroupIdentifiers: []string{group}, ScheduleExpression: aws.String("rate(1 hour)"),
			ExecutionRoleArn: aws.String(role)}
		_, err := c.CreateScheduledQuery(ctx, &valid)
		wantErr[*types.ConflictException](t, "duplicate name", err, "A scheduled query named sdk/errors already exists.")
		for _, tc := range []struct {
			name string
			mod  func(in *cloudwatchlogs.CreateScheduledQueryInput)
			part string
		}{
			{"bad schedule", func(in *cloudwatchlogs.CreateScheduledQueryInput) {
				in.ScheduleExpression = aws.String("rate(0 minutes)")
			}, "Invalid scheduleExpression"},
			{"bad time zone", func(in *cloudwatchlogs.CreateScheduledQueryInput) { in.Timezone = aws.String("Mars/Olympus") }, "Invalid timezone"},
			{"bad role", func(in *cloudwatchlogs.CreateScheduledQueryInput) {
				in.ExecutionRoleArn = aws.String("arn:aws:iam::1:user/x")
			}, "Invalid executionRoleArn"},
			{"SQL", func(in *cloudwatchlogs.CreateScheduledQueryInput) { in.QueryLanguage = types.QueryLanguageSql }, "queryLanguage SQL is not supported"},
			{"bad query", func(in *cloudwatchlogs.CreateScheduledQueryInput) { in.QueryString = aws.String("fields | |") }, "not a valid Logs Insights query"},
			{"negative offset", func(in *cloudwatchlogs.CreateScheduledQueryInput) { in.StartTimeOffset = aws.Int64(-1) }, "Invalid startTimeOffset -1"},
		} {
			in := valid
			in.Name = aws.String("sdk/new")
			tc.mod(&in)
			_, err := c.CreateScheduledQuery(ctx, &in)
			wantErrContains[*types.ValidationException](t, tc.name, err, tc.part)
		}
		in := valid
		in.Name, in.LogGroupIdentifiers = aws.String("sdk/new"), []string{"sdk-missing"}
		_, err = c.CreateScheduledQuery(ctx, &in)
		wantErr[*types.ResourceNotFoundException](t, "missing group", err, "The specified log group does not exist.")
		_, err = c.GetScheduledQuery(ctx, &cloudwatchlogs.GetScheduledQueryInput{Identifier: aws.String("sdk/nope")})
		wantErr[*types.ResourceNotFoundException](t, "get missing", err, "The specified scheduled query does not exist.")
		_, err = c.ListScheduledQueries(ctx, &cloudwatchlogs.ListScheduledQueriesInput{NextToken: aws.String("garbage")})
		wantErrContains[*types.ValidationException](t, "bad token", err, "nextToken")
		_, err = c.GetScheduledQueryHistory(ctx, &cloudwatchlogs.GetScheduledQueryHistoryInput{Identifier: aws.String("sdk/errors"),
			StartTime: aws.Int64(0), EndTime: aws.Int64(1), MaxResults: aws.Int32(1001)})
		wantErrContains[*types.ValidationException](t, "maxResults 1001", err, "maxResults")

		if _, err := c.DeleteScheduledQuery(ctx, &cloudwatchlogs.DeleteScheduledQueryInput{Identifier: aws.String(sqArn)}); err != nil {
			t.Fatal(err)
		}
		for _, ident := range []string{"sdk/errors", sqArn} {
			_, err = c.GetScheduledQuery(ctx, &cloudwatchlogs.GetScheduledQueryInput{Identifier: aws.String(ident)})
			wantErr[*types.ResourceNotFoundException](t, "get deleted "+ident, err, "The specified scheduled query does not exist.")
		}
		_, err = c.GetScheduledQueryHistory(ctx, &cloudwatchlogs.GetScheduledQueryHistoryInput{Identifier: aws.String("sdk/errors"), StartTime: aws.Int64(0), EndTime: aws.Int64(1)})
		wantErr[*types.ResourceNotFoundException](t, "history of a deleted query", err, "The specified scheduled query does not exist.")
		_, err = c.DeleteScheduledQuery(ctx, &cloudwatchlogs.DeleteScheduledQueryInput{Identifier: aws.String("sdk/errors")})
		wantErr[*types.ResourceNotFoundException](t, "delete twice", err, "The specified scheduled query does not exist.")
	})
}
