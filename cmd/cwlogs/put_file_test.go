//go:build unix

// The checkpoint checks read the file's inode (syscall.Stat_t), as ship/follow records it on unix.

package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// putFollower is a "cwlogs put --file" process.
type putFollower struct {
	t      *testing.T
	cmd    *exec.Cmd
	stderr strings.Builder
}

func startPutFile(t *testing.T, c *cli, args ...string) *putFollower {
	t.Helper()
	p := &putFollower{t: t, cmd: exec.Command(binPath, append([]string{"put"}, args...)...)}
	p.cmd.Env = c.environ()
	p.cmd.Stderr = &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.cmd.Process.Kill() })
	return p
}

// interrupt sends SIGINT and waits for a clean exit.
func (p *putFollower) interrupt() string {
	p.t.Helper()
	p.cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			p.t.Fatalf("put after SIGINT: %v; stderr %s", err, p.stderr.String())
		}
	case <-time.After(30 * time.Second):
		p.t.Fatalf("put did not exit after SIGINT; stderr %s", p.stderr.String())
	}
	return p.stderr.String()
}

// waitCheckpoint waits until the state file names the file at path with
// offset its size: every line of it was delivered (the checkpoint advances
// only after a successful flush).
func waitCheckpoint(t *testing.T, state, path string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		var s struct {
			ID     struct{ Ino uint64 } `json:"id"`
			Offset int64                `json:"offset"`
		}
		b, err := os.ReadFile(state)
		if err == nil && json.Unmarshal(b, &s) == nil &&
			s.ID.Ino == fi.Sys().(*syscall.Stat_t).Ino && s.Offset == fi.Size() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("state %s: %s; want the inode and size of %s", state, b, path)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func writeLog(t *testing.T, name, s string) {
	t.Helper()
	f, err := os.OpenFile(name, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// TestPutFile: put --file follows a file across a rename rotation while
// running and one while stopped, over two runs sharing a --state file: the
// stream holds every line once, in order.
func TestPutFile(t *testing.T) {
	c := newCLI(t, startLocal(t))
	dir := t.TempDir()
	path, state := filepath.Join(dir, "app.log"), filepath.Join(dir, "app.state")
	writeLog(t, path, "a\nb\n")
	args := []string{"--create", "--file", path, "--state", state, "--from-start", "pf", "host"}
	p := startPutFile(t, c, args...)
	// The first checkpoint (offset 0) says that put opened the file; the
	// rotation then makes it flush and checkpoint the new file at once.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(state); err == nil {
			break
		} else if time.Now().After(deadline) {
			t.Fatal(err)
		}
	}
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	writeLog(t, path, "c\n")
	waitCheckpoint(t, state, path)
	if sum := p.interrupt(); !strings.Contains(sum, "events=3 sent=3 ") {
		t.Errorf("run 1 summary: %q", sum)
	}

	writeLog(t, path, "d\n")
	if err := os.Rename(path, path+".2"); err != nil {
		t.Fatal(err)
	}
	writeLog(t, path, "e\n")
	p = startPutFile(t, c, args...)
	waitCheckpoint(t, state, path)
	if sum := p.interrupt(); !strings.Contains(sum, "events=2 sent=2 ") || strings.Contains(sum, "lost") {
		t.Errorf("run 2 summary: %q", sum)
	}
	r := c.mustRun(0, "", "get", "pf", "host", "--output", "json")
	var got []string
	for line := range strings.Lines(r.stdout) {
		var e struct{ Message string }
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		got = append(got, e.Message)
	}
	if strings.Join(got, " ") != "a b c d e" {
		t.Errorf("stream holds %q, want a b c d e", got)
	}
}

// TestPutFileUsage: --file refuses MESSAGE arguments; --state and
// --from-start need --file.
func TestPutFileUsage(t *testing.T) {
	c := newCLI(t, "http://127.0.0.1:1")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"put", "--file", "x.log", "g", "s", "hello"}, `--file "x.log": the lines come from the file: give no MESSAGE arguments`},
		{[]string{"put", "--state", "st", "g", "s"}, `--state "st": give --file too`},
		{[]string{"put", "--from-start", "g", "s"}, "--from-start: give --file too"},
	} {
		if r := c.mustRun(2, "", tc.args...); !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: stderr %q, want %q", tc.args, r.stderr, tc.want)
		}
	}
}
