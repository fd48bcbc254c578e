package insights_test

import (
	"errors"
	"fmt"

	"github.com/cwlogs/cwlogs/localserver/insights"
)

func Example() {
	q, err := insights.Parse(`parse @message "user=* took *ms" as user, ms
		| stats count(*) as calls, avg(ms) as avgMs by user
		| sort avgMs desc`)
	if err != nil {
		panic(err)
	}
	run := q.NewRun(insights.Options{})
	for i, msg := range []string{"user=ann took 30ms", "user=bob took 120ms", "user=ann took 10ms"} {
		// Records are fed newest first.
		run.Add(&insights.Record{Timestamp: int64(3000 - i), Message: msg, LogGroup: "123456789012:app", LogStream: "s", Ptr: fmt.Sprint(i)})
	}
	res := run.Result()
	for _, row := range res.Rows {
		fmt.Println(row)
	}
	fmt.Println("matched", res.RecordsMatched, "of", res.RecordsScanned)
	// Output:
	// [{user bob} {calls 1} {avgMs 120}]
	// [{user ann} {calls 2} {avgMs 20}]
	// matched 3 of 3
}

func ExampleParse_error() {
	_, err := insights.Parse("fields @message | filter strlenn(@message) > 3")
	var se *insights.SyntaxError
	if errors.As(err, &se) {
		fmt.Println(se.Start, se.End, se.Msg)
	}
	// Output:
	// 25 32 unknown function strlenn()
}

// A running query's answer so far: Progress may be called from any goroutine while
// another feeds the run. Rows show as found when the query has no stats and no sort.
func ExampleRun_Progress() {
	q, err := insights.Parse(`filter @message like "ERROR" | fields @message`)
	if err != nil {
		panic(err)
	}
	run := q.NewRun(insights.Options{})
	for i, msg := range []string{"ERROR disk full", "INFO ok", "ERROR timeout", "INFO ok"} {
		run.Add(&insights.Record{Timestamp: int64(4000 - i), Message: msg, Ptr: fmt.Sprint(i)})
		if i == 1 {
			run.Publish() // Add publishes new rows by itself; the counts, every 1024 records
			p := run.Progress()
			fmt.Println("so far:", p.Rows, "matched", p.RecordsMatched, "of", p.RecordsScanned)
		}
	}
	res := run.Result()
	fmt.Println("final:", res.Rows, "matched", res.RecordsMatched, "of", res.RecordsScanned)
	// Output:
	// so far: [[{@message ERROR disk full} {@ptr 0}]] matched 1 of 2
	// final: [[{@message ERROR disk full} {@ptr 0}] [{@message ERROR timeout} {@ptr 2}]] matched 2 of 4
}

// A caller that scans storage can give every record in one Record, changed in place,
// when the run does not keep them (only a sort before the first stats does).
func ExampleRun_KeepsRecords() {
	for _, src := range []string{"stats count(*) by @logStream", "sort @timestamp asc | limit 2"} {
		q, err := insights.Parse(src)
		if err != nil {
			panic(err)
		}
		run := q.NewRun(insights.Options{})
		var shared insights.Record
		for i, stream := range []string{"a", "b", "a"} {
			rec := &shared
			if run.KeepsRecords() {
				rec = new(insights.Record)
			}
			*rec = insights.Record{Timestamp: int64(3000 - i), Message: "m", LogStream: stream, Ptr: fmt.Sprint(i)}
			run.Add(rec)
		}
		fmt.Println(run.KeepsRecords(), run.Result().Rows)
	}
	// Output:
	// false [[{@logStream a} {count(*) 2}] [{@logStream b} {count(*) 1}]]
	// true [[{@timestamp 1970-01-01 00:00:02.998} {@message m} {@ptr 2}] [{@timestamp 1970-01-01 00:00:02.999} {@message m} {@ptr 1}]]
}
