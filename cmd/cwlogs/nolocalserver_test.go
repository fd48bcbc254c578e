package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoLocalServerBuild: built with -tags nolocalserver (the gateway build: no SQLite, less
// than two thirds the size), serve and demo refuse with a usage error naming the reason,
// and the client commands still send and read events.
func TestNoLocalServerBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a second binary")
	}
	bin := filepath.Join(t.TempDir(), "cwlogs-nolocalserver")
	build := exec.Command("go", "build", "-tags", "nolocalserver", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build -tags nolocalserver: %v\n%s", err, out)
	}
	if out, err := exec.Command("go", "list", "-tags", "nolocalserver", "-deps", ".").Output(); err != nil {
		t.Fatal(err)
	} else if strings.Contains(string(out), "sqlite") || strings.Contains(string(out), "/localserver\n") {
		t.Errorf("the nolocalserver build still links the local server or SQLite:\n%s", out)
	}

	c := newCLI(t, startLocal(t))
	saved := binPath
	binPath = bin
	t.Cleanup(func() { binPath = saved })
	for _, cmd := range []string{"serve", "demo"} {
		r := c.mustRun(2, "", cmd)
		if !strings.Contains(r.stderr, "has no local server") || !strings.Contains(r.stderr, "nolocalserver") {
			t.Errorf("%s: stderr %q, want the reason", cmd, r.stderr)
		}
	}
	c.mustRun(0, "first\nsecond\n", "put", "--create", "gw", "s")
	if r := c.mustRun(0, "", "get", "gw", "s"); !strings.Contains(r.stdout, "first") || !strings.Contains(r.stdout, "second") {
		t.Errorf("get after put: %q", r.stdout)
	}
}
