package patterns_test

import (
	"fmt"

	"github.com/cwlogs/cwlogs/localserver/patterns"
)

func Example() {
	c := patterns.New(patterns.Options{})
	for i, m := range []string{
		"2023-01-01 19:00:01 [INFO] Calling DynamoDB to store for resource id 12342342k124-12345",
		"2023-01-01 19:00:02 [INFO] Calling DynamoDB to store for resource id 324892398123-12345",
		"2023-01-01 19:00:03 [ERROR] Calling DynamoDB failed: throttled",
	} {
		c.Add(m, int64(i))
	}
	for _, p := range c.Patterns() {
		fmt.Printf("%d %s %q\n", p.Count(), p.Severity(), p)
		for _, t := range p.Tokens() {
			if t.Dynamic {
				fmt.Printf("  %d %s %v\n", t.Position, t.InferredName, t.Enumerations)
			}
		}
	}
	// Output:
	// 2 INFO "<*> <*> [INFO] Calling DynamoDB to store for resource id <*>"
	//   1 Time-1 map[2023-01-01:2]
	//   2 Time-2 map[19:00:01:1 19:00:02:1]
	//   3 ID-3 map[12342342k124-12345:1 324892398123-12345:1]
	// 1 ERROR "<*> <*> [ERROR] Calling DynamoDB failed: throttled"
	//   1 Time-1 map[2023-01-01:1]
	//   2 Time-2 map[19:00:03:1]
}
