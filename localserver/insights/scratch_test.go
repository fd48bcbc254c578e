package insights

import (
	"bytes"
	"math"
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

// TestRowReuse checks queries whose records all go through one row (no sort before the
// first stats): nothing of a record's created fields shows in the next record's, and
// queries with sort, which keep rows, still see each record's own.
func TestRowReuse(t *testing.T) {
	for _, c := range []struct {
		name, q string
		want    []string
	}{
		{"parse leaves nothing behind", `parse @message "user=* id=" as u | fields coalesce(u, "-") as who, @logStream`, []string{
			"who=-; @logStream=s1", "who=-; @logStream=s2", "u=carl; who=carl; @logStream=s1", "u=dan; who=dan; @logStream=s1", "who=-; @logStream=s1", "who=-; @logStream=s3",
		}},
		{"stats over parsed fields", `parse @message "user=* id=" as u | stats count(u) as n, count(*) as all`, []string{"n=2; all=6"}},
		{"sort keeps each row", `parse @message "user=* id=" as u | filter ispresent(u) | sort u asc | fields u`, []string{"u=carl", "u=dan"}},
		{"sort after stats", `fields strlen(@logStream) as l | stats count(*) as n by @logStream | sort n desc`, []string{
			"@logStream=s1; n=4", "@logStream=s2; n=1", "@logStream=s3; n=1",
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

// TestKeepsRecords checks which queries keep the Records given to Add, and that the
// others give the same answer when every record comes in one Record changed in place.
func TestKeepsRecords(t *testing.T) {
	for _, c := range []struct {
		q     string
		keeps bool
	}{
		{"fields @message", false},
		{`parse @message "user=* id=" as u | filter ispresent(u) | dedup u`, false},
		{"stats count(*) by @logStream | sort @logStream asc", false},
		{"fields @message | limit 3", false},
		{"sort @timestamp asc", true},
		{"fields @message | sort @message | stats count(*)", true},
	} {
		t.Run(c.q, func(t *testing.T) {
			q, err := Parse(c.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := q.NewRun(Options{}).KeepsRecords(); got != c.keeps {
				t.Fatalf("KeepsRecords() = %v, want %v", got, c.keeps)
			}
			if c.keeps {
				return
			}
			want, _ := runQuery(t, c.q, true, testRecords, Options{})
			run := q.NewRun(Options{})
			var shared Record
			for _, r := range testRecords {
				shared = r
				run.Add(&shared)
			}
			got := renderRows(run.Result())
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("with one Record:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func renderRows(res *Result) []string {
	var out []string
	for _, r := range res.Rows {
		var parts []string
		for _, f := range r {
			parts = append(parts, f.Name+"="+f.Value)
		}
		out = append(out, strings.Join(parts, "; "))
	}
	return out
}

// TestGroupKeyIdentifies checks that group keys (stats by, dedup), made without the
// values' text, tell values apart exactly as their kind and text do.
func TestGroupKeyIdentifies(t *testing.T) {
	vals := []value{
		num(0), num(math.Copysign(0, -1)), num(1), num(-1), num(1.5), num(1e15), num(1e15 + 2), num(1e300), num(0.1 + 0.2),
		str("1"), str(""), str("0"), boolean(true), boolean(false), tstamp(0), tstamp(1), tstamp(1_700_000_000_123),
		tstamp(-1), {k: kPeriod, n: 60_000}, {k: kMonths, n: 3}, null,
	}
	for _, a := range vals {
		for _, b := range vals {
			var ka, kb bytes.Buffer
			groupKey(&ka, []value{a, str("x")})
			groupKey(&kb, []value{b, str("x")})
			same := a.k == b.k && a.String() == b.String()
			if (ka.String() == kb.String()) != same {
				t.Errorf("%#v and %#v: keys %q and %q; same kind and text: %v", a, b, ka.String(), kb.String(), same)
			}
		}
	}
}

// TestParseGroupNotInMatch checks that a named group that takes no part in a match gives
// an empty value, as it always has.
func TestParseGroupNotInMatch(t *testing.T) {
	got, _ := runQuery(t, `parse @message /(?<opt>zz)?user=(?<u>\w+)/ | filter ispresent(u) | fields concat("[", opt, "]") as o, u`, false, testRecords, Options{})
	want := []string{"opt=; u=carl; o=[]", "opt=; u=dan; o=[]"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
