package insights

import (
	"encoding/csv"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// usersCSV is a lookup table keyed by id, with a duplicate id (the first row wins) and a
// key that differs from another only by case.
const usersCSV = "id,name,email,department\n" +
	"u1,Ann,ann@example.com,eng\n" +
	"u2,\"Bob, Jr.\",bob@example.com,\n" +
	"U1,ANN UPPER,upper@example.com,ops\n" +
	"u1,Ann Again,again@example.com,sales\n" +
	"7,Seven,seven@example.com,num\n"

func mustTable(t *testing.T, body string) *LookupTable {
	t.Helper()
	tbl, err := ParseLookupTable(body)
	if err != nil {
		t.Fatalf("ParseLookupTable: %v", err)
	}
	return tbl
}

// runLookup parses src, binds it to tables and evaluates it over recs (each a message).
func runLookup(t *testing.T, src string, tables map[string]*LookupTable, msgs ...string) []string {
	t.Helper()
	q, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	bq, err := q.BindLookups(tables)
	if err != nil {
		t.Fatalf("BindLookups(%q): %v", src, err)
	}
	run := bq.NewRun(Options{})
	for i, m := range msgs {
		run.Add(&Record{Timestamp: int64(1000 - i), Message: m, Ptr: "p"})
	}
	var out []string
	for _, r := range run.Result().Rows {
		var parts []string
		for _, f := range r {
			if f.Name == "@ptr" || f.Name == "@timestamp" {
				continue
			}
			parts = append(parts, f.Name+"="+f.Value)
		}
		out = append(out, strings.Join(parts, "; "))
	}
	return out
}

func TestLookupEvaluate(t *testing.T) {
	tables := map[string]*LookupTable{
		"users":     mustTable(t, usersCSV),
		"user_data": mustTable(t, usersCSV),
		"pairs":     mustTable(t, "a,b,out\nx,y,xy\nx,z,xz\n"),
		"123":       mustTable(t, "k,v\nq,from a table named 123\n"),
	}
	for _, c := range []struct {
		name, q string
		msgs    []string
		want    []string
	}{
		{"enriches, first row of a key wins",
			"lookup users id as uid OUTPUT name, email | fields uid, name, email",
			[]string{`{"uid":"u1"}`},
			[]string{"name=Ann; email=ann@example.com; uid=u1"}}, // outputs come first, as parse's
		{"missing key: the event passes unchanged",
			"lookup users id as uid OUTPUT name | fields uid, name",
			[]string{`{"uid":"nobody"}`, `{"other":1}`},
			[]string{"uid=nobody", ""}},
		{"match is case-sensitive",
			"lookup users id as uid OUTPUT name | fields uid, name",
			[]string{`{"uid":"U1"}`, `{"uid":"u1 "}`},
			[]string{"name=ANN UPPER; uid=U1", "uid=u1 "}},
		{"OUTPUT overwrites an existing field, and sets it to null without a match",
			"lookup users id as uid OUTPUT name | fields name",
			[]string{`{"uid":"u2","name":"old"}`, `{"uid":"none","name":"dropped"}`, `{"name":"no key, dropped"}`},
			[]string{"name=Bob, Jr.", "", ""}},
		{"OUTPUTNEW keeps a value, fills an absent or empty field, leaves a field without a match",
			"lookup users id as uid OUTPUTNEW name, department | fields uid, name, department",
			[]string{`{"uid":"u1","name":"kept"}`, `{"uid":"u1","name":""}`, `{"uid":"u1"}`, `{"uid":"none","name":"left"}`, `{"name":"no key, left"}`},
			[]string{"name=kept; department=eng; uid=u1", "name=Ann; department=eng; uid=u1", "name=Ann; department=eng; uid=u1",
				"name=left; uid=none", "name=no key, left"}},
		{"the reference's example: fields before lookup",
			"fields action, status, name, email, department | lookup user_data id OUTPUT name, email, department",
			[]string{`{"id":"u2","action":"get","status":200}`},
			[]string{"action=get; status=200; name=Bob, Jr.; email=bob@example.com; department="}},
		{"empty cell sets an empty value",
			"lookup users id as uid OUTPUT department | fields uid, department",
			[]string{`{"uid":"u2"}`},
			[]string{"department=; uid=u2"}},
		{"numeric JSON value matches its text",
			"lookup users id as n OUTPUT name | fields name",
			[]string{`{"n":7}`},
			[]string{"name=Seven"}},
		{"without as the event field has the column's name",
			"lookup users id OUTPUT email | fields email",
			[]string{`{"id":"u2"}`},
			[]string{"email=bob@example.com"}},
		{"composite key must match every pair",
			"lookup pairs a as f1, b as f2 OUTPUT out | fields out",
			[]string{`{"f1":"x","f2":"z"}`, `{"f1":"x","f2":"q"}`, `{"f1":"x"}`},
			[]string{"out=xz", "", ""}},
		{"default columns gain the outputs",
			"filter uid = 'u1' | lookup users id as uid OUTPUT department",
			[]string{`{"uid":"u1"}`},
			[]string{`@message={"uid":"u1"}; department=eng`}},
		{"outputs feed later commands",
			"lookup users id as uid OUTPUT department | stats count(*) as n by department | sort department asc",
			[]string{`{"uid":"u1"}`, `{"uid":"u1"}`, `{"uid":"u2"}`},
			[]string{"department=; n=1", "department=eng; n=2"}},
		{"after stats on its outputs",
			"stats count(*) as n by uid | lookup users id as uid OUTPUT name | sort uid asc",
			[]string{`{"uid":"u1"}`, `{"uid":"u2"}`, `{"uid":"u2"}`},
			[]string{"uid=u1; n=1; name=Ann", "uid=u2; n=2; name=Bob, Jr."}},
		{"keywords and table of digits",
			"LOOKUP 123 `k` AS key Output v | fields v",
			[]string{`{"key":"q"}`},
			[]string{"v=from a table named 123"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := runLookup(t, c.q, tables, c.msgs...)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

func TestLookupParseMalformed(t *testing.T) {
	checkMalformed(t, []malformedCase{
		{"lookup", 6, 6, "expected the name of a lookup table"},
		{"lookup 'users' id OUTPUT name", 7, 14, "expected the name of a lookup table"},
		{"lookup users", 12, 12, "expected a field of lookup table users"},
		{"lookup users id", 15, 15, "expected OUTPUT"},
		{"lookup users id as OUTPUT name", 19, 25, "expected a log field after as"},
		{"lookup users id as", 18, 18, "expected a log field after as"},
		{"lookup users id as uid OUTPUTS name", 23, 30, "expected OUTPUT or OUTPUTNEW"},
		{"lookup users id as uid OUTPUTNEW name as n", 38, 40, "expected | or the end"},
		{"lookup users id as outputnew OUTPUT name", 19, 28, "expected a log field after as"},
		{"lookup users id as uid OUTPUT", 29, 29, "to output"},
		{"lookup users id as uid OUTPUT name as n", 35, 37, "expected | or the end"},
		{"lookup users id as uid OUTPUT name, name", 36, 40, "output twice"},
		{"lookup users id, OUTPUT name", 17, 23, "expected a field of lookup table users"},
		{"stats count(*) by a | lookup users id as uid OUTPUT name", 41, 44, "Unknown symbols found in or after stats: uid"},
		{"dedup a | lookup users id OUTPUT name", 10, 16, "only limit can follow dedup"},
	})
}

func TestLookupBind(t *testing.T) {
	tables := map[string]*LookupTable{"users": mustTable(t, usersCSV)}
	q, err := Parse("lookup users id as uid OUTPUT name | lookup other k OUTPUT v | lookup users id OUTPUT email")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(q.LookupTables(), ","); got != "users,other" {
		t.Errorf("LookupTables() = %s, want users,other", got)
	}
	_, err = q.BindLookups(tables)
	var me *MissingTableError
	if !errors.As(err, &me) || me.Name != "other" {
		t.Errorf("BindLookups without table other = %v, want *MissingTableError for other", err)
	}

	for _, c := range []struct {
		q          string
		start, end int
	}{
		{"lookup users nosuch as uid OUTPUT name", 13, 19},
		{"lookup users id as uid OUTPUT name, Email", 36, 41}, // column names are case-sensitive
	} {
		q, err := Parse(c.q)
		if err != nil {
			t.Fatal(err)
		}
		_, err = q.BindLookups(tables)
		var se *SyntaxError
		if !errors.As(err, &se) || se.Start != c.start || se.End != c.end || !strings.Contains(se.Msg, "has no field") {
			t.Errorf("BindLookups(%q) = %v, want a *SyntaxError at [%d,%d)", c.q, err, c.start, c.end)
		}
	}

	// The error lists the table's fields quoted (a space written after a comma of the
	// header is part of the next name), and at most 20 of them.
	for _, c := range []struct{ body, q, want string }{
		{"id, name\nu1,Ann\n", "lookup spaced id as uid OUTPUT name",
			`lookup table spaced has no field name (its fields: "id", " name")`},
		{wideHeader(999, "last"), "lookup spaced nosuch OUTPUT c1",
			`(its fields: "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10", "c11", "c12", "c13", "c14", "c15", "c16", "c17", "c18", "c19" and 980 more)`},
	} {
		q, err := Parse(c.q)
		if err != nil {
			t.Fatal(err)
		}
		_, err = q.BindLookups(map[string]*LookupTable{"spaced": mustTable(t, c.body)})
		var se *SyntaxError
		if !errors.As(err, &se) || !strings.HasSuffix(se.Msg, c.want) {
			t.Errorf("BindLookups(%q) = %v, want a *SyntaxError ending %s", c.q, err, c.want)
		}
	}

	// An unbound query matches nothing (and the bound copy leaves q as it was).
	q, _ = Parse("lookup users id as uid OUTPUT name | fields name")
	if _, err := q.BindLookups(tables); err != nil {
		t.Fatal(err)
	}
	run := q.NewRun(Options{})
	run.Add(&Record{Message: `{"uid":"u1"}`, Ptr: "p"})
	if rows := run.Result().Rows; len(rows) != 1 || len(rows[0]) != 1 || rows[0][0].Name != "@ptr" {
		t.Errorf("unbound lookup gave %v, want one empty row", rows)
	}
}

func TestParseLookupTable(t *testing.T) {
	for _, c := range []struct {
		name, body string
		fields     string // the header, joined by |
		rows       int
		line       int    // the error's line; -1 when it parses
		msg        string // part of the error
	}{
		{"header only", "a,b", "a|b", 0, -1, ""},
		{"CRLF, blank line and BOM", "\uFEFFa,b\r\n1,2\r\n\r\n3,4\r\n", "a|b", 2, -1, ""},
		{"quoted comma, newline and quote", "a,b\n\"x,y\",\"line1\nline2 \"\"q\"\"\"\n", "a|b", 1, -1, ""},
		{"empty", "", "", 0, 0, "no header row"},
		{"only blank lines", "\n\n", "", 0, 0, "no header row"},
		{"short row", "a,b\n1,2\n3\n", "", 0, 3, "as many fields as the header"},
		{"long row", "a,b\n1,2,3\n", "", 0, 2, "as many fields as the header"},
		{"bare quote", "a,b\n1,x\"y\n", "", 0, 2, "quote"},
		{"unclosed quote", "a,b\n1,\"x\n", "", 0, 2, "not closed"},
		{"text after closing quote", "a,b\n1,\"x\"y\n", "", 0, 2, "not closed"},
		{"empty column name", "a,,c\n", "", 0, 1, "column 2 of the header row has no name"},
		{"duplicate column", "a,b,a\n", "", 0, 1, `names column "a" twice`},
		{"duplicate at the end of a wide header", wideHeader(100_000, "c99998"), "", 0, 1, `names column "c99998" twice`},
		{"CR line endings", "a,b\r1,2\r", "", 0, 1, "carriage return (CR)"},
		{"CR in an unquoted value", "a,b\n1,x\ry\n", "", 0, 2, "carriage return (CR)"},
		{"CR before CRLF", "a,b\r\n1,2\r\r\n", "", 0, 2, "carriage return (CR)"},
		{"CR ending the body", "a,b\n1,2\r", "", 0, 2, "carriage return (CR)"},
		{"CR in a quoted value", "a,b\r\n1,\"x\ry\"\r\n\"q\"\"\r\",2\r\n", "a|b", 2, -1, ""},
		{"invalid UTF-8", "a,b\n1,2\n\xff,3\n", "", 0, 3, "not valid UTF-8"},
		{"too large", "a\n" + strings.Repeat("x\n", MaxLookupTableBytes/2), "", 0, 0, "the limit is 10485760"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tbl, err := ParseLookupTable(c.body)
			if c.line < 0 {
				if err != nil {
					t.Fatalf("ParseLookupTable: %v", err)
				}
				if got := strings.Join(tbl.Fields, "|"); got != c.fields || len(tbl.Rows) != c.rows {
					t.Errorf("fields %s, %d rows; want %s, %d", got, len(tbl.Rows), c.fields, c.rows)
				}
				return
			}
			var te *TableError
			if !errors.As(err, &te) {
				t.Fatalf("ParseLookupTable = %v, want a *TableError", err)
			}
			if te.Line != c.line || !strings.Contains(te.Msg, c.msg) {
				t.Errorf("error line %d %q, want line %d containing %q", te.Line, te.Msg, c.line, c.msg)
			}
		})
	}
	tbl := mustTable(t, "a,b\n\"x,y\",\"l1\nl2 \"\"q\"\"\"\n")
	if got := tbl.Rows[0]; got[0] != "x,y" || got[1] != "l1\nl2 \"q\"" {
		t.Errorf("quoted row = %q", got)
	}
}

// FuzzParseLookupTable checks that ParseLookupTable never panics, that every error is a
// *TableError, that a table it accepts has named, distinct columns and rows as long as
// its header, and that the table written back as RFC 4180 CSV (encoding/csv's Writer,
// quoting where needed, after a byte-order mark) parses to the same table: no value is
// lost, split, joined or changed by the parser's own rules (BOM, blank lines, quotes).
func FuzzParseLookupTable(f *testing.F) {
	for _, s := range []string{usersCSV, "a,b\r\n\"x\"\"y\",2\r\n", "a\n\"", "\uFEFFk\n\n", "a,a\n", "a,b\n1\n",
		"\uFEFF\uFEFFa\n", "a\n\"\"\n", "a,b\n\" x\",\"\r\n\"\n", "a\n\\.\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		tbl, err := ParseLookupTable(body)
		if err != nil {
			var te *TableError
			if !errors.As(err, &te) {
				t.Fatalf("%T is not a *TableError", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, n := range tbl.Fields {
			if n == "" || seen[n] {
				t.Fatalf("header %q has an empty or repeated name", tbl.Fields)
			}
			seen[n] = true
		}
		for _, r := range tbl.Rows {
			if len(r) != len(tbl.Fields) {
				t.Fatalf("row %q is not as long as header %q", r, tbl.Fields)
			}
		}
		var out strings.Builder
		out.WriteString("\uFEFF")
		w := csv.NewWriter(&out)
		w.Write(tbl.Fields)
		w.Flush()
		for _, r := range tbl.Rows {
			if len(r) == 1 && r[0] == "" {
				out.WriteString("\"\"\n") // the Writer would write a blank line, which is skipped
				continue
			}
			w.Write(r)
			w.Flush()
		}
		w.Flush()
		if len(out.String()) > MaxLookupTableBytes {
			return
		}
		again, err := ParseLookupTable(out.String())
		if err != nil {
			t.Fatalf("the table written back %q: %v", out.String(), err)
		}
		if !slices.Equal(again.Fields, tbl.Fields) || !slices.EqualFunc(again.Rows, tbl.Rows, slices.Equal) {
			t.Fatalf("written back as %q, the table %q %q parses as %q %q", out.String(), tbl.Fields, tbl.Rows, again.Fields, again.Rows)
		}
	})
}

// TestLookupIndexShared: the queries bound to one table share the index of its key
// columns (built by the first), so binding a query to a large table already indexed
// costs little; another list of key columns gets its own index.
func TestLookupIndexShared(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,team,name\n")
	for i := range 2000 {
		b.WriteString("u" + strconv.Itoa(i) + ",t" + strconv.Itoa(i%7) + ",n" + strconv.Itoa(i) + "\n")
	}
	tables := map[string]*LookupTable{"users": mustTable(t, b.String())}
	byID, err := Parse("lookup users id as uid OUTPUT name")
	if err != nil {
		t.Fatal(err)
	}
	byTeam, err := Parse("lookup users team, id as uid OUTPUT name")
	if err != nil {
		t.Fatal(err)
	}
	bind := func(q *Query) {
		if _, err := q.BindLookups(tables); err != nil {
			t.Fatal(err)
		}
	}
	bind(byID)
	if n := testing.AllocsPerRun(10, func() { bind(byID) }); n > 50 {
		t.Errorf("binding to an indexed table: %v allocations, want the index shared (at most 50)", n)
	}
	// A second index, as right as the first.
	bind(byTeam)
	if got := runLookup(t, "lookup users team as tm, id as uid OUTPUT name | fields name", tables,
		`{"uid":"u12","tm":"t5"}`, `{"uid":"u12","tm":"t4"}`); strings.Join(got, "|") != "name=n12|" {
		t.Errorf("composite key after a single-column index: %q", got)
	}
	if got := runLookup(t, "lookup users id as uid OUTPUT team | fields team", tables, `{"uid":"u12"}`); strings.Join(got, "|") != "team=t5" {
		t.Errorf("single key after a composite index: %q", got)
	}
}

// TestLookupIndexConcurrent binds and runs queries over one table from several
// goroutines at once, with two lists of key columns (run with -race): the shared indexes
// are built once each and read by every query.
func TestLookupIndexConcurrent(t *testing.T) {
	tbl := mustTable(t, "a,b,out\nx,y,xy\nx,z,xz\n")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			q := "lookup t a as f1 OUTPUT out | fields out"
			want := "out=xy"
			if i%2 == 1 {
				q, want = "lookup t a as f1, b as f2 OUTPUT out | fields out", "out=xz"
			}
			pq, err := Parse(q)
			if err != nil {
				t.Error(err)
				return
			}
			bq, err := pq.BindLookups(map[string]*LookupTable{"t": tbl})
			if err != nil {
				t.Error(err)
				return
			}
			run := bq.NewRun(Options{})
			run.Add(&Record{Message: `{"f1":"x","f2":"z"}`, Ptr: "p"})
			rows := run.Result().Rows
			if len(rows) != 1 || len(rows[0]) < 1 || rows[0][0].Name+"="+rows[0][0].Value != want {
				t.Errorf("%s: %v, want %s", q, rows, want)
			}
		})
	}
	wg.Wait()
}

// TestLookupReferenceExamples parses and binds every query of the lookup reference's
// examples (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Lookup.html)
// to tables with the columns the reference names.
func TestLookupReferenceExamples(t *testing.T) {
	tables := map[string]*LookupTable{
		"user_data":        mustTable(t, "id,user_id,name,username,email,department\n"),
		"known_hosts":      mustTable(t, "ip_address,hostname,region\n"),
		"network_services": mustTable(t, "ip_address,port,service_name,owner\n"),
		"employees":        mustTable(t, "department,role,office,manager\n"),
	}
	for _, q := range []string{
		"fields action, status, name, email, department\n| lookup user_data id OUTPUT name, email, department",
		"fields user_id, action, username, email, department\n| lookup user_data user_id OUTPUT username, email, department\n| stats count(*) by email",
		"fields user_id, action\n| lookup user_data user_id OUTPUT username, email, department\n| filter department = \"Engineering\"",
		"fields srcAddr, hostname\n| lookup known_hosts ip_address as srcAddr OUTPUTNEW hostname, region",
		"fields @timestamp, srcAddr, dstAddr, dstPort\n| lookup network_services ip_address as srcAddr, port as dstPort OUTPUT service_name, owner\n| filter ispresent(service_name)",
		"fields @timestamp, department, role\n| lookup employees department, role OUTPUT office, manager",
	} {
		pq, err := Parse(q)
		if err != nil {
			t.Errorf("Parse(%q): %v", q, err)
			continue
		}
		if _, err := pq.BindLookups(tables); err != nil {
			t.Errorf("BindLookups(%q): %v", q, err)
		}
	}
}
