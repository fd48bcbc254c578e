package insights_test

import (
	"fmt"

	"github.com/cwlogs/cwlogs/localserver/insights"
)

// A caller that masks data gives each record its text before masking when the query
// calls unmask(@message), and only then.
func ExampleQuery_Unmasks() {
	q, err := insights.Parse("fields @message, unmask(@message) as clear")
	if err != nil {
		panic(err)
	}
	run := q.NewRun(insights.Options{})
	rec := &insights.Record{Timestamp: 1000, Message: "to ******", Ptr: "p"}
	if q.Unmasks() {
		rec.Unmasked = "to a@b.io"
	}
	run.Add(rec)
	fmt.Println(q.Unmasks(), run.Result().Rows)
	// Output:
	// true [[{@message to ******} {clear to a@b.io} {@ptr p}]]
}
