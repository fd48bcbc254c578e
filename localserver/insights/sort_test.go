package insights

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// sortRecords are n records, newest first, whose field k has few distinct values (many
// ties), is sometimes text and sometimes missing.
func sortRecords(n int) []Record {
	rng := rand.New(rand.NewPCG(1, 2))
	recs := make([]Record, n)
	for i := range recs {
		msg := fmt.Sprintf(`{"k":%d,"i":%d}`, rng.IntN(20), i)
		switch rng.IntN(10) {
		case 0:
			msg = fmt.Sprintf(`{"i":%d}`, i)
		case 1:
			msg = fmt.Sprintf(`{"k":"t%d","i":%d}`, rng.IntN(5), i)
		}
		recs[i] = Record{Timestamp: int64(n - i), Message: msg, Ptr: fmt.Sprint(i)}
	}
	return recs
}

// TestSortBounded checks that a sort whose later commands only need its first rows
// (sort | fields | limit) answers exactly what a full sort answers (a filter that keeps
// everything after the sort makes it keep every row), ties in arrival order, while
// holding at most twice the rows it can return.
func TestSortBounded(t *testing.T) {
	recs := sortRecords(5000)
	for _, c := range []struct {
		sort  string
		limit int
		opts  Options
	}{
		{"sort k asc", 7, Options{}},
		{"sort k desc", 7, Options{}},
		{"sort k desc, @timestamp asc", 300, Options{}},
		{"sort k asc", 100, Options{Limit: 30}},
		{"sort k", 4999, Options{}},
	} {
		bounded := c.sort + fmt.Sprintf(" | fields k, i | limit %d", c.limit)
		full := c.sort + fmt.Sprintf(" | filter 1 = 1 | fields k, i | limit %d", c.limit)
		got, _ := runQuery(t, bounded, true, recs, c.opts)
		want, _ := runQuery(t, full, true, recs, c.opts)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: bounded and full sorts differ:\n%.500s\nvs\n%.500s", bounded, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}

	q, err := Parse("sort k asc | limit 5")
	if err != nil {
		t.Fatal(err)
	}
	run := q.NewRun(Options{})
	most := 0
	for i := range recs {
		run.Add(&recs[i])
		s := run.head.(*counter).next.(*sorter)
		most = max(most, len(s.rows))
	}
	if most > 10 {
		t.Errorf("sort | limit 5 held %d rows at once, want at most 10", most)
	}
}

// BenchmarkSortLimit sorts 100,000 records for their first 20 (sort | limit), as a
// "top N" query does.
func BenchmarkSortLimit(b *testing.B) {
	benchQuery(b, "sort k desc | limit 20", sortRecords(100_000), 20, 20)
}
