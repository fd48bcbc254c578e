package main

import (
	"errors"
	"testing"
)

// FuzzQuery runs --query over random expressions and answers: compiling (which walks
// go-jmespath's AST through reflection), evaluating it on the plain and the marked answer, and
// printing the result in the three formats must never panic, and must fail only with the errors
// the command reports (a usage error for the expression, a query or a format error for the
// result).
//
//	go test ./cmd/cwlogs -run '^$' -fuzz FuzzQuery -fuzztime 5m
func FuzzQuery(f *testing.F) {
	docs := []string{
		`{}`,
		`{"a": 1, "b": [1, 2.0, -0.0, 1e21, 12345678901234567890123], "c": {"d": null, "e": "x"}}`,
		`{"logGroups": [{"logGroupName": "app", "retentionInDays": 7, "storedBytes": 0, "tags": {"k": "v"}}, {"logGroupName": "web"}]}`,
		`{"events": [{"message": "ログ\u001b[31m", "timestamp": 1.0}, {"message": "b", "timestamp": 2}], "nextToken": null}`,
		`{"x": [[1, [2]], {"y": [{}]}, "s", true, null, 0.5, 1e999]}`,
	}
	exprs := []string{
		"@", "a", "a.b", "b[0]", "b[-1]", "b[1:3]", "b[::-1]", "b[::0]", "b[*]", "b[]", "c.*", "*.e",
		"b[?@ > `1`]", "b[?@ == `2`]", "logGroups[?retentionInDays >= `7`].logGroupName",
		"{x: a, y: b}", "[a, c]", "a || b", "a && b", "!a", "a | b", "&a", "`{\"k\": [1]}`", "'lit'",
		`"quoted"`, "length(@)", "sort(b)", "sort_by(logGroups, &logGroupName)", "max_by(events, &timestamp)",
		"map(&message, events)", "to_string(@)", "to_number('1.5')", "merge(c, `{\"z\": 1}`)", "sum(b)",
		"avg(b)", "keys(@)", "values(c)", "type(a)", "not_null(c.d, a)", "reverse(b)", "join(', ', [c.e])",
		"contains(b, `1`)", "starts_with(c.e, 'x')", "abs(a)", "ceil(`1.5`)", "floor(a)", "min(b)",
		"to_array(a)", "events[].[message, timestamp]", "x[][]", "x[1].y[0]", "(a)", "a[?b]",
	}
	for i, e := range exprs {
		f.Add(e, docs[i%len(docs)])
	}
	f.Fuzz(func(t *testing.T, expr, doc string) {
		if len(expr) > 200 || len(doc) > 4096 {
			return
		}
		q, err := compileQuery("call", expr)
		if err != nil {
			var ue *usageError
			if !errors.As(err, &ue) {
				t.Fatalf("compileQuery(%q): %v, not a usage error", expr, err)
			}
			return
		}
		a, err := newAnswer([]byte(doc))
		if err != nil {
			return
		}
		v, err := q.search(a)
		if err != nil {
			var qe *queryError
			if !errors.As(err, &qe) {
				t.Fatalf("search(%q, %s): %v, not a query error", expr, doc, err)
			}
			return
		}
		formatPyJSON(v, false)
		formatPyJSON(v, true)
		for _, err := range []error{
			func() error { _, err := formatText(v); return err }(),
			func() error { _, err := formatTable("Op", v, 80, tableStyle{}); return err }(),
			func() error { _, err := formatTable("Op", v, 20, tableStyle{color: true, safe: termSafe}); return err }(),
		} {
			var fe *formatError
			if err != nil && !errors.As(err, &fe) {
				t.Fatalf("formatting %q on %s: %v, not a format error", expr, doc, err)
			}
		}
	})
}
