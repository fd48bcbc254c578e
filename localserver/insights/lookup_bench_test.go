package insights

import (
	"fmt"
	"strings"
	"testing"
)

// benchTableBody is a lookup table of about 10 MB (MaxLookupTableBytes): 5 columns,
// about 100 bytes a row.
func benchTableBody() string {
	var b strings.Builder
	b.WriteString("id,name,email,team,note\n")
	for i := 0; b.Len() < MaxLookupTableBytes-200; i++ {
		fmt.Fprintf(&b, "user%07d,Name %d,user%d@example.com,team%d,\"a note, with a comma and \"\"quotes\"\" %d\"\n", i, i, i, i%50, i)
	}
	return b.String()
}

// BenchmarkParseLookupTable parses a 10 MB table.
func BenchmarkParseLookupTable(b *testing.B) {
	body := benchTableBody()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseLookupTable(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBindLookups binds a query to a parsed 10 MB table (the index of its key).
func BenchmarkBindLookups(b *testing.B) {
	tbl, err := ParseLookupTable(benchTableBody())
	if err != nil {
		b.Fatal(err)
	}
	q, err := Parse("lookup users id as uid OUTPUT name, team")
	if err != nil {
		b.Fatal(err)
	}
	tables := map[string]*LookupTable{"users": tbl}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := q.BindLookups(tables); err != nil {
			b.Fatal(err)
		}
	}
}

// wideHeader is a header row of n distinct column names, then last.
func wideHeader(n int, last string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "c%d,", i)
	}
	b.WriteString(last + "\n")
	return b.String()
}

// BenchmarkParseLookupTableWideHeader parses a header of 40,001 columns (a 10 MB body
// may hold a million): the check that no name repeats must not be quadratic.
func BenchmarkParseLookupTableWideHeader(b *testing.B) {
	body := wideHeader(40_000, "last")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseLookupTable(body); err != nil {
			b.Fatal(err)
		}
	}
}
