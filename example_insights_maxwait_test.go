package cwlogs_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cwlogs/cwlogs"
)

// MaxWait gives a query a time to end, counted from StartQuery's answer; a query
// still running then is stopped (StopQuery) and returned with a *QueryWaitError
// and what its last poll had. StartQuery and the fetch of a complete query's rows
// are not cut short: use ctx's deadline to bound the whole call.
func ExampleQueryOptions_maxWait() {
	srv := insightsExampleServer(cwlogs.QueryStatusRunning) // a query that never ends
	defer srv.Close()
	c, err := cwlogs.New("us-east-1", "AKIDEXAMPLE", "secret", cwlogs.WithEndpoint(srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := c.RunQuery(context.Background(), &cwlogs.StartQueryInput{
		LogGroupName: "/app/web",
		StartTime:    time.Unix(1717200000, 0),
		EndTime:      time.Unix(1717243200, 0),
		QueryString:  "stats count(*) by bin(1h)",
	}, &cwlogs.QueryOptions{PollInterval: 10 * time.Millisecond, MaxWait: 50 * time.Millisecond})
	var we *cwlogs.QueryWaitError
	if errors.As(err, &we) {
		fmt.Printf("query %s still %s after %v; %d rows so far\n", we.QueryID, we.Status, we.MaxWait, len(res.Rows))
	}
	// Output:
	// query q-1 still Running after 50ms; 0 rows so far
}
