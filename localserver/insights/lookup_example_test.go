package insights_test

import (
	"fmt"

	"github.com/cwlogs/cwlogs/localserver/insights"
)

// A query's lookup command enriches events from a lookup table bound at the query's start.
func ExampleQuery_BindLookups() {
	users, err := insights.ParseLookupTable("id,name,team\nu1,Ann,eng\nu2,Bob,ops\n")
	if err != nil {
		panic(err)
	}
	q, err := insights.Parse("lookup users id as uid OUTPUT name, team | fields uid, name, team")
	if err != nil {
		panic(err)
	}
	fmt.Println(q.LookupTables())
	bound, err := q.BindLookups(map[string]*insights.LookupTable{"users": users})
	if err != nil {
		panic(err)
	}
	run := bound.NewRun(insights.Options{})
	run.Add(&insights.Record{Timestamp: 2, Message: `{"uid":"u2"}`, Ptr: "p2"})
	run.Add(&insights.Record{Timestamp: 1, Message: `{"uid":"u9"}`, Ptr: "p1"})
	for _, row := range run.Result().Rows {
		fmt.Println(row)
	}
	// Output:
	// [users]
	// [{name Bob} {team ops} {uid u2} {@ptr p2}]
	// [{uid u9} {@ptr p1}]
}
