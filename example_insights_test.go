package cwlogs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/cwlogs/cwlogs"
)

// insightsExampleServer answers StartQuery with "q-1", GetQueryResults with
// Running and then finalStatus (with two rows when Complete), and
// DescribeQueries with one query.
func insightsExampleServer(finalStatus string) *httptest.Server {
	var mu sync.Mutex
	polls := 0
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", cwlogs.ContentType)
		switch strings.TrimPrefix(r.Header.Get("X-Amz-Target"), cwlogs.TargetPrefix+".") {
		case "StartQuery":
			fmt.Fprint(w, `{"queryId":"q-1"}`)
		case "GetQueryResults":
			mu.Lock()
			polls++
			n := polls
			mu.Unlock()
			switch {
			case n == 1:
				fmt.Fprint(w, `{"status":"Running"}`)
			case finalStatus == cwlogs.QueryStatusComplete:
				fmt.Fprint(w, `{"status":"Complete","statistics":{"recordsMatched":2,"recordsScanned":40,"bytesScanned":2048},"results":[`+
					`[{"field":"@timestamp","value":"2024-06-01 12:00:01.000"},{"field":"@message","value":"GET /health 200"},{"field":"@ptr","value":"p1"}],`+
					`[{"field":"@timestamp","value":"2024-06-01 12:00:00.000"},{"field":"@message","value":"GET / 500"},{"field":"@ptr","value":"p2"}]]}`)
			default:
				fmt.Fprintf(w, `{"status":%q}`, finalStatus)
			}
		case "DescribeQueries":
			fmt.Fprint(w, `{"queries":[{"queryId":"q-1","queryString":"fields @message","status":"Complete","createTime":1717243200000,"logGroupName":"/app/web"}]}`)
		default:
			fmt.Fprint(w, `{}`)
		}
	}))
}

// RunQuery starts a Logs Insights query, waits for it to end and returns its rows.
func ExampleClient_RunQuery() {
	srv := insightsExampleServer(cwlogs.QueryStatusComplete)
	defer srv.Close()
	c, err := cwlogs.New("us-east-1", "AKIDEXAMPLE", "secret", cwlogs.WithEndpoint(srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // ends (and stops) the query if it runs longer
	defer cancel()
	end := time.Date(2024, 6, 1, 13, 0, 0, 0, time.UTC)
	res, err := c.RunQuery(ctx, &cwlogs.StartQueryInput{
		LogGroupName: "/app/web",
		StartTime:    end.Add(-time.Hour), // sent in whole seconds
		EndTime:      end,
		QueryString:  "fields @timestamp, @message | sort @timestamp desc | limit 20",
	}, &cwlogs.QueryOptions{PollInterval: 10 * time.Millisecond}) // nil: 100 ms, doubling up to 5 s
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, row := range res.Rows {
		fmt.Println(row.Get("@timestamp"), row.Get("@message"))
	}
	fmt.Printf("%s: %.0f of %.0f records matched\n", res.Status, res.Statistics.RecordsMatched, res.Statistics.RecordsScanned)
	// Output:
	// 2024-06-01 12:00:01.000 GET /health 200
	// 2024-06-01 12:00:00.000 GET / 500
	// Complete: 2 of 40 records matched
}

// A query that ends other than Complete returns a *QueryError.
func ExampleQueryError() {
	srv := insightsExampleServer(cwlogs.QueryStatusTimeout)
	defer srv.Close()
	c, err := cwlogs.New("us-east-1", "AKIDEXAMPLE", "secret", cwlogs.WithEndpoint(srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = c.RunQuery(context.Background(), &cwlogs.StartQueryInput{
		LogGroupNames: []string{"/app/web", "/app/worker"},
		StartTime:     time.Unix(1717200000, 0),
		EndTime:       time.Unix(1717243200, 0),
		QueryString:   "stats count(*) by bin(1h)",
	}, &cwlogs.QueryOptions{PollInterval: 10 * time.Millisecond})
	var qe *cwlogs.QueryError
	if errors.As(err, &qe) {
		fmt.Println("query", qe.QueryID, "ended:", qe.Status)
	}
	// Output:
	// query q-1 ended: Timeout
}

// DescribeQueriesIter lists the recent queries of a log group, page after page.
func ExampleClient_DescribeQueriesIter() {
	srv := insightsExampleServer(cwlogs.QueryStatusComplete)
	defer srv.Close()
	c, err := cwlogs.New("us-east-1", "AKIDEXAMPLE", "secret", cwlogs.WithEndpoint(srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	for q, err := range c.DescribeQueriesIter(context.Background(), &cwlogs.DescribeQueriesInput{LogGroupName: "/app/web"}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(q.QueryID, q.Status, time.UnixMilli(q.CreateTime).UTC().Format(time.RFC3339), q.QueryString)
	}
	// Output:
	// q-1 Complete 2024-06-01T12:00:00Z fields @message
}
