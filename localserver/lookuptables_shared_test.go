package localserver

import (
	"context"
	"crypto/sha256"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/cwlogs/cwlogs/localserver/insights"
)

// bigLookupBody is a lookup table of n rows keyed by id.
func bigLookupBody(n int) string {
	var b strings.Builder
	b.WriteString("id,name\n")
	for i := range n {
		b.WriteString("u" + strconv.Itoa(i) + ",n" + strconv.Itoa(i) + "\n")
	}
	return b.String()
}

// TestLookupTableSharedByQueries: the queries started over one table share its parsed
// copy and index, so a query starting while another holds the table neither parses nor
// indexes it again; an updated table is parsed anew, and the next query sees the update.
func TestLookupTableSharedByQueries(t *testing.T) {
	s := newTestServer(t, Config{})
	mustOK(t, s, "CreateLookupTable", m{"lookupTableName": "big", "tableBody": bigLookupBody(5000)})
	q, err := insights.Parse("lookup big id as uid OUTPUT name")
	if err != nil {
		t.Fatal(err)
	}
	bind := func() *insights.Query {
		bq, aerr := s.queryLookupTables(context.Background(), q)
		if aerr != nil {
			t.Fatalf("queryLookupTables: %s", aerr.Message)
		}
		return bq
	}
	held := bind() // a running query holding the table, which keeps it in use
	for range 3 {
		runtime.GC() // the cache holds tables weakly: a collection must not drop one in use
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		bind()
		runtime.ReadMemStats(&after)
		if n := after.Mallocs - before.Mallocs; n > 100 {
			t.Fatalf("a second query over a table in use: %d allocations, want it shared (at most 100)", n)
		}
	}
	runtime.KeepAlive(held)

	mustOK(t, s, "UpdateLookupTable", m{"lookupTableArn": ltArn("big"), "tableBody": "id,name\nu1,updated\n"})
	run := bind().NewRun(insights.Options{})
	run.Add(&insights.Record{Message: `{"uid":"u1"}`, Ptr: "p"})
	if rows := run.Result().Rows; len(rows) != 1 || !strings.Contains(strings.Join(fieldStrings(rows[0]), ";"), "name=updated") {
		t.Errorf("after UpdateLookupTable: %v, want name=updated", rows)
	}
}

func fieldStrings(r []insights.Field) []string {
	var out []string
	for _, f := range r {
		out = append(out, f.Name+"="+f.Value)
	}
	return out
}

// TestSharedLookupTable: one parsed table a content while it is in use, another for
// another content, and the entry dropped once no query holds the table.
func TestSharedLookupTable(t *testing.T) {
	body := []byte("k,v\nshared-table-test," + t.Name() + "\n")
	a, err := sharedLookupTable(body)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := sharedLookupTable(append([]byte(nil), body...)); b != a {
		t.Errorf("same content: a second parsed table")
	}
	if c, _ := sharedLookupTable([]byte("k,v\nother,x\n")); c == a {
		t.Errorf("another content: the same table")
	}
	if _, err := sharedLookupTable([]byte("k,k\n")); err == nil {
		t.Errorf("an invalid body was accepted")
	}
	runtime.KeepAlive(a)
	a = nil
	key := sha256.Sum256(body)
	for i := 0; ; i++ {
		runtime.GC()
		parsedLookupTables.mu.Lock()
		_, ok := parsedLookupTables.m[key]
		parsedLookupTables.mu.Unlock()
		if !ok {
			break
		}
		if i == 20 {
			t.Fatalf("the entry of a table no query holds was not dropped")
		}
	}
}

// BenchmarkQueryLookupTables binds a query to a table of about 10 MB (640,000 rows) while
// another query holds it: what StartQuery pays for a lookup table in use.
func BenchmarkQueryLookupTables(b *testing.B) {
	s := newTestServer(b, Config{})
	mustOK(b, s, "CreateLookupTable", m{"lookupTableName": "big", "tableBody": bigLookupBody(640_000)})
	q, err := insights.Parse("lookup big id as uid OUTPUT name")
	if err != nil {
		b.Fatal(err)
	}
	held, aerr := s.queryLookupTables(context.Background(), q)
	if aerr != nil {
		b.Fatal(aerr.Message)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, aerr := s.queryLookupTables(context.Background(), q); aerr != nil {
			b.Fatal(aerr.Message)
		}
	}
	runtime.KeepAlive(held)
}
