package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

func TestDemo(t *testing.T) {
	c := newCLI(t, "")
	// The demo needs no credentials, region or endpoint.
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"} {
		delete(c.env, k)
	}
	r := c.mustRun(0, "", "demo")
	if got := strings.Count(r.stdout, "statuscode: 200"); got != 6 {
		t.Errorf("%d steps with status 200, want 6", got)
	}
	n := &normalizer{}
	n.repl = append(n.repl, c.env["TMPDIR"], "<TMPDIR>")
	tr := &transcript{t: t, norm: n}
	r.stdout = regexp.MustCompile(`cwlogs-demo-\d+`).ReplaceAllString(r.stdout, "cwlogs-demo-<N>")
	tr.add(r)
	tr.check("demo")

	r = c.mustRun(0, "", "demo", "--output", "json")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d JSON lines, want 6:\n%s", len(lines), r.stdout)
	}
	wantActions := []string{"CreateLogGroup", "CreateLogStream", "PutLogEvents", "GetLogEvents", "DeleteLogStream", "DeleteLogGroup"}
	for i, l := range lines {
		var s demoStep
		if err := json.Unmarshal([]byte(l), &s); err != nil {
			t.Fatal(err)
		}
		if s.Action != wantActions[i] || s.StatusCode != 200 || s.RequestID == "" || s.Step != i+1 {
			t.Errorf("step %d: %+v", i+1, s)
		}
		if s.Action == "GetLogEvents" && !strings.Contains(s.Body, `He said \"hi\" \\ then left\nsecond line`) {
			t.Errorf("GetLogEvents body does not hold the escaped message: %s", s.Body)
		}
	}
	r = c.mustRun(2, "", "demo", "extra")
}
