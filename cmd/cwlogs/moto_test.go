package main

import (
	"strings"
	"testing"

	"github.com/cwlogs/cwlogs/internal/testpeer"
)

// TestWriteCommandsMoto runs the write commands against moto_server and
// checks their effect with the read commands.
func TestWriteCommandsMoto(t *testing.T) {
	endpoint := testpeer.Moto(t)
	c := newCLI(t, "")
	g := []string{"--endpoint-url", endpoint}
	run := func(want int, stdin string, args ...string) result {
		t.Helper()
		return c.mustRun(want, stdin, append(args, g...)...)
	}

	r := run(0, "", "create-group", "moto-app", "--tag", "team=x", "--retention", "7")
	if r.stdout != "created log group moto-app (retention 7 days)\n" {
		t.Errorf("create-group: %q", r.stdout)
	}
	r = run(1, "", "create-group", "moto-app")
	if !strings.HasPrefix(r.stderr, "cwlogs: ResourceAlreadyExistsException: ") {
		t.Errorf("duplicate group: %q", r.stderr)
	}
	run(0, "", "create-stream", "moto-app", "s1")
	r = run(1, "", "create-stream", "moto-app", "s1")
	if !strings.HasPrefix(r.stderr, "cwlogs: ResourceAlreadyExistsException: ") {
		t.Errorf("duplicate stream: %q", r.stderr)
	}
	r = run(0, "", "put", "moto-app", "s1", "hello moto", `with "quotes"`)
	if !strings.Contains(r.stderr, "events=2 sent=2 ") {
		t.Errorf("put summary: %q", r.stderr)
	}
	run(0, "line one\nline two\n", "put", "moto-app", "s1")
	r = run(0, "", "get", "moto-app", "s1", "--output", "json")
	for _, m := range []string{`"message":"hello moto"`, `"message":"with \"quotes\""`, `"message":"line one"`, `"message":"line two"`} {
		if !strings.Contains(r.stdout, m) {
			t.Errorf("get: %s missing in\n%s", m, r.stdout)
		}
	}
	r = run(0, "", "groups", "--output", "json", "--prefix", "moto-")
	if !strings.Contains(r.stdout, `"logGroupName":"moto-app"`) || !strings.Contains(r.stdout, `"retentionInDays":7`) {
		t.Errorf("groups: %s", r.stdout)
	}
	run(0, "", "tag", "moto-app", "env=prod", "owner=sre")
	run(0, "", "untag", "moto-app", "owner")
	r = run(0, "", "tags", "moto-app", "--output", "json")
	if !strings.Contains(r.stdout, `"tags":{"env":"prod","team":"x"}`) || !strings.Contains(r.stdout, `"resourceArn":"arn:aws:logs:`) {
		t.Errorf("tags after tag and untag: %s", r.stdout)
	}
	run(0, "", "retention", "moto-app", "never")
	r = run(0, "", "groups", "--output", "json", "--prefix", "moto-")
	if !strings.Contains(r.stdout, `"retentionInDays":null`) {
		t.Errorf("groups after retention never: %s", r.stdout)
	}
	r = run(1, "", "put", "moto-app", "missing", "x")
	if !strings.Contains(r.stderr, "dropped=1") || !strings.Contains(r.stderr, "cwlogs: ResourceNotFoundException: ") {
		t.Errorf("put to a missing stream: %q", r.stderr)
	}
	run(0, "", "put", "--create", "moto-new", "s", "created")
	r = run(0, "", "get", "moto-new", "s")
	if !strings.HasSuffix(r.stdout, "  created\n") {
		t.Errorf("get after put --create: %q", r.stdout)
	}
	run(0, "", "delete-stream", "moto-app", "s1")
	r = run(1, "", "delete-stream", "moto-app", "s1")
	if !strings.HasPrefix(r.stderr, "cwlogs: ResourceNotFoundException: ") {
		t.Errorf("delete missing stream: %q", r.stderr)
	}
	run(0, "", "delete-group", "moto-app")
	run(0, "", "delete-group", "moto-new")
	r = run(1, "", "delete-group", "moto-app")
	if !strings.HasPrefix(r.stderr, "cwlogs: ResourceNotFoundException: ") {
		t.Errorf("delete missing group: %q", r.stderr)
	}
	r = run(0, "", "groups", "--prefix", "moto-")
	if r.stdout != "NAME  CREATED  RETENTION  STORED BYTES\n" {
		t.Errorf("groups at the end: %q", r.stdout)
	}
}
