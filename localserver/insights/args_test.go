package insights

import (
	"strings"
	"testing"
)

// TestNestedCallArguments checks calls nested in the arguments of calls, which share the
// Run's argument stack: each call must see its own arguments, whatever its arguments'
// calls pushed and popped meanwhile, across records, and in stats by and stats outputs.
func TestNestedCallArguments(t *testing.T) {
	for _, c := range []struct {
		name, q string
		want    []string
	}{
		{"nested", `fields concat(toupper(level), "-", substr(concat(user.name, "xyz"), 1, strlen(level) - 3), "-", strlen(concat(level, level))) as x | limit 2`, []string{
			"x=ERROR-nn-10", "x=INFO-o-8",
		}},
		{"variadic over calls", `filter ispresent(latency) | fields greatest(abs(latency - 100), strlen(concat(level, user.name, level))) as g, least(abs(0 - latency), 60) as l`, []string{
			"g=150; l=60", "g=50; l=50", "g=25; l=60",
		}},
		{"stats by a nested call", `filter ispresent(user.name) | stats count(*) as n by concat(toupper(user.name), strlen(concat(user.name, "!"))) as who`, []string{
			"who=ANN4; n=2", "who=BOB4; n=1",
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, _ := runQuery(t, c.q, false, testRecords, Options{})
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("%s:\n%s\nwant:\n%s", c.q, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}
