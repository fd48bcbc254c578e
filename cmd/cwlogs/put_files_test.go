//go:build unix

// The checkpoint checks read the file's inode (syscall.Stat_t), as ship/follow records it on unix.

package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/ship/follow"
)

// streamMessages returns the messages of group/stream, in order.
func streamMessages(t *testing.T, c *cli, group, stream string) string {
	t.Helper()
	r := c.mustRun(0, "", "get", group, stream, "--output", "json")
	var got []string
	for line := range strings.Lines(r.stdout) {
		var e struct{ Message string }
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		got = append(got, e.Message)
	}
	return strings.Join(got, " ")
}

// TestPutFiles: put --files follows the files there at start, a file that
// appears later (from its start), and rotations whose rotated name matches
// the pattern too, each file into its own stream, created by --create.
func TestPutFiles(t *testing.T) {
	c := newCLI(t, startLocal(t))
	dir, states := t.TempDir(), t.TempDir()
	a, b := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")
	stateOf := func(p string) string { return filepath.Join(states, follow.StateFileName(p)) }
	writeLog(t, a, "a1\n")
	writeLog(t, filepath.Join(dir, "notes.txt"), "n1\n")
	p := startPutFile(t, c, "--create", "--files", filepath.Join(dir, "*.log*"), "--state-dir", states, "--from-start",
		"--stream-template", "web/{name}", "pfs")
	waitFile(t, stateOf(a)) // a.log is open: its first checkpoint (offset 0) is written
	writeLog(t, b, "b1\nb2\n")
	waitFile(t, stateOf(b)) // b.log was found by a scan (within about a second) and opened
	// Rotations make each Follower flush and checkpoint at once, when it
	// opens the new file: the state then says every line was delivered.
	for _, p := range []string{a, b} {
		if err := os.Rename(p, p+".1"); err != nil {
			t.Fatal(err)
		}
	}
	writeLog(t, a, "a2\n")
	writeLog(t, b, "b3\n")
	waitCheckpoint(t, stateOf(a), a)
	waitCheckpoint(t, stateOf(b), b)
	// An empty new file, once followed, shows that a scan saw the rotated
	// names (a.log.1, b.log.1 match too): they must not be new files.
	c0 := filepath.Join(dir, "c.log")
	writeLog(t, c0, "")
	waitFile(t, stateOf(c0))
	if sum := p.interrupt(); !strings.Contains(sum, "events=5 sent=5 ") {
		t.Errorf("summary: %q", sum)
	}
	if got := streamMessages(t, c, "pfs", "web/a.log"); got != "a1 a2" {
		t.Errorf("stream web/a.log holds %q, want a1 a2", got)
	}
	if got := streamMessages(t, c, "pfs", "web/b.log"); got != "b1 b2 b3" {
		t.Errorf("stream web/b.log holds %q, want b1 b2 b3", got)
	}
	r := c.mustRun(0, "", "streams", "pfs")
	if strings.Contains(r.stdout, ".log.1") || strings.Contains(r.stdout, "notes") {
		t.Errorf("streams of pfs:\n%s\nwant web/a.log and web/b.log only", r.stdout)
	}
}

// waitFile waits until the file name exists.
func waitFile(t *testing.T, name string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(name); err == nil {
			return
		} else if time.Now().After(deadline) {
			t.Fatal(err)
		}
	}
}

// TestPutFilesUsage: --files takes GROUP only, and excludes --file and
// --state; --state-dir and --stream-template need it.
func TestPutFilesUsage(t *testing.T) {
	c := newCLI(t, "http://127.0.0.1:1")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"put", "--files", "*.log", "g", "s"}, `--files "*.log": give GROUP only, no STREAM or MESSAGE`},
		{[]string{"put", "--files", "*.log"}, `--files "*.log": give GROUP only`},
		{[]string{"put", "--files", "*.log", "--file", "a.log", "g"}, `give --file PATH or --files PATTERN, not both`},
		{[]string{"put", "--files", "*.log", "--state", "st", "g"}, `--state "st": with --files, give --state-dir DIR`},
		{[]string{"put", "--files", "/var/*/a.log", "g"}, `the directory is literal`},
		{[]string{"put", "--files", "*.log", "--stream-template", "web", "g"}, `--stream-template "web": must contain {name}`},
		{[]string{"put", "--state-dir", "d", "g", "s"}, `--state-dir "d": give --files too`},
		{[]string{"put", "--stream-template", "{name}", "g", "s"}, `--stream-template "{name}": give --files too`},
	} {
		if r := c.mustRun(2, "", tc.args...); !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: stderr %q, want %q", tc.args, r.stderr, tc.want)
		}
	}
}

// TestPutFilesFollowerError: an error that ends a file's follower (here a
// state file of another path) is printed once, the other files go on, and
// put exits with status 1.
func TestPutFilesFollowerError(t *testing.T) {
	c := newCLI(t, startLocal(t))
	dir, states := t.TempDir(), t.TempDir()
	a, b := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")
	writeLog(t, a, "a1\n")
	writeLog(t, b, "b1\n")
	bad := `{"version":1,"path":"/elsewhere/a.log","offset":0,"headLen":0,"headHash":0}`
	if err := os.WriteFile(filepath.Join(states, follow.StateFileName(a)), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	p := startPutFile(t, c, "--create", "--files", filepath.Join(dir, "*.log"), "--state-dir", states, "--from-start", "pfe")
	waitFile(t, filepath.Join(states, follow.StateFileName(b))) // b.log is followed
	p.cmd.Process.Signal(syscall.SIGINT)
	err := p.cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("put: %v, want exit status 1; stderr %s", err, p.stderr.String())
	}
	stderr := p.stderr.String()
	if n := strings.Count(stderr, "is the state of /elsewhere/a.log"); n != 1 {
		t.Errorf("the follower's error printed %d times, want once; stderr:\n%s", n, stderr)
	}
	if !strings.Contains(stderr, "1 of the files followed stopped") {
		t.Errorf("stderr:\n%s\nwant the count of the files stopped", stderr)
	}
}
