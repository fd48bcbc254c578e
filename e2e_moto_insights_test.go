package cwlogs_test

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
)

// TestInsightsMoto runs Insights queries against moto_server, which answers
// fields|sort|limit queries at once (status Complete) with @ptr and the fields
// asked for. It gives @timestamp as milliseconds where AWS gives
// "2006-01-02 15:04:05.000", so only @message and @ptr are compared.
func TestInsightsMoto(t *testing.T) {
	c := motoClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const group, stream = "/insights/moto", "s"
	if err := c.CreateLogGroup(ctx, &cwlogs.CreateLogGroupInput{LogGroupName: group}); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateLogStream(ctx, &cwlogs.CreateLogStreamInput{LogGroupName: group, LogStreamName: stream}); err != nil {
		t.Fatal(err)
	}
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	var evs []cwlogs.InputLogEvent
	for i := range 5 {
		evs = append(evs, cwlogs.InputLogEvent{Timestamp: base.Add(time.Duration(i) * time.Second).UnixMilli(), Message: "event " + strconv.Itoa(i)})
	}
	if _, err := c.PutLogEvents(ctx, &cwlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: stream, LogEvents: evs}); err != nil {
		t.Fatal(err)
	}
	fast := &cwlogs.QueryOptions{PollInterval: 10 * time.Millisecond}
	messages := func(res *cwlogs.QueryResult) []string {
		var m []string
		for _, r := range res.Rows {
			if _, ok := r.Lookup("@ptr"); !ok {
				t.Errorf("row %v has no @ptr", r)
			}
			m = append(m, r.Get("@message"))
		}
		return m
	}
	for _, tc := range []struct {
		name       string
		start, end time.Time
		query      string
		want       []string
	}{
		{"sort desc, limit", base.Add(-time.Minute), base.Add(time.Minute), "fields @timestamp, @message | sort @timestamp desc | limit 3",
			[]string{"event 4", "event 3", "event 2"}},
		{"sort asc", base.Add(-time.Minute), base.Add(time.Minute), "fields @message | sort @timestamp asc",
			[]string{"event 0", "event 1", "event 2", "event 3", "event 4"}},
		// Whole seconds, both ends inclusive: the range holds events 1 to 3.
		{"time range", base.Add(time.Second), base.Add(3 * time.Second), "fields @message | sort @timestamp asc",
			[]string{"event 1", "event 2", "event 3"}},
		// A fractional end is rounded up: events 1 to 4.
		{"end rounded up", base.Add(time.Second + 999*time.Millisecond), base.Add(3*time.Second + time.Millisecond), "fields @message | sort @timestamp asc",
			[]string{"event 1", "event 2", "event 3", "event 4"}},
		{"nothing in range", base.Add(time.Hour), base.Add(2 * time.Hour), "fields @message", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := c.RunQuery(ctx, &cwlogs.StartQueryInput{LogGroupNames: []string{group}, StartTime: tc.start, EndTime: tc.end,
				QueryString: tc.query}, fast)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != cwlogs.QueryStatusComplete || res.QueryID == "" {
				t.Errorf("result %+v", res)
			}
			if got := messages(res); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("messages %q, want %q", got, tc.want)
			}
		})
	}

	// The queries are listed by DescribeQueries, for their log group.
	var ids []string
	for q, err := range c.DescribeQueriesIter(ctx, &cwlogs.DescribeQueriesInput{LogGroupName: group, Status: cwlogs.QueryStatusComplete}) {
		if err != nil {
			t.Fatal(err)
		}
		if q.QueryString == "" || q.Status != cwlogs.QueryStatusComplete {
			t.Errorf("query %+v", q)
		}
		ids = append(ids, q.QueryID)
	}
	if len(ids) != 5 {
		t.Errorf("DescribeQueries listed %d queries, want 5", len(ids))
	}

	// A query of a log group that does not exist.
	_, err := c.RunQuery(ctx, &cwlogs.StartQueryInput{LogGroupName: "/insights/none", StartTime: base, EndTime: base,
		QueryString: "fields @message"}, fast)
	if !cwlogs.IsNotFound(err) {
		t.Errorf("error %v, want ResourceNotFoundException", err)
	}
	var ae *cwlogs.APIError
	if !errors.As(err, &ae) || ae.Operation != "StartQuery" {
		t.Errorf("error %v, want an APIError of StartQuery", err)
	}
}
