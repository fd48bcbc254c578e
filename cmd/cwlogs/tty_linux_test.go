package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// openPTY opens a pseudo-terminal pair (Linux /dev/ptmx).
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		m.Close()
		t.Skipf("unlockpt: %v", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		m.Close()
		t.Skipf("ptsname: %v", e)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Skipf("open pts: %v", err)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s
}

// runOnTTY runs cwlogs with stderr on a terminal, and stdout too unless
// stdout is given, and returns what the terminal received.
func runOnTTY(t *testing.T, c *cli, stdin io.Reader, stdout io.Writer, args ...string) string {
	t.Helper()
	out, err := runOnTTYErr(t, c, stdin, stdout, args...)
	if err != nil {
		t.Fatalf("cwlogs %v on a terminal: %v", args, err)
	}
	return out
}

// runOnTTYErr is runOnTTY for a command that may fail: it returns the error of its run.
func runOnTTYErr(t *testing.T, c *cli, stdin io.Reader, stdout io.Writer, args ...string) (string, error) {
	t.Helper()
	master, slave := openPTY(t)
	cmd := exec.Command(binPath, args...)
	cmd.Env = c.environ()
	cmd.Stdin = stdin
	cmd.Stdout, cmd.Stderr = stdout, slave
	if stdout == nil {
		cmd.Stdout = slave
	}
	var out bytes.Buffer
	done := make(chan struct{})
	go func() {
		io.Copy(&out, master) // ends with EIO once the slave side is closed
		close(done)
	}()
	err := cmd.Run()
	slave.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		master.Close()
		<-done
	}
	return out.String(), err
}

// TestErrorsOnTerminal: an error's text reaches a terminal with its control characters
// shown, not acted on. A service error echoes the request's values (here a log group name
// holding ESC [2J, "clear the screen"), and a review found them printed raw.
func TestErrorsOnTerminal(t *testing.T) {
	c := newCLI(t, startLocal(t))
	out, err := runOnTTYErr(t, c, nil, nil, "call", "CreateLogGroup", `{"logGroupName": "a\u001b[2Jb"}`)
	if err == nil {
		t.Fatalf("CreateLogGroup with an invalid name succeeded: %q", out)
	}
	if !strings.Contains(out, `a\x1b[2Jb`) || strings.ContainsRune(out, 0x1b) {
		t.Errorf("terminal received %q, want ESC shown as \\x1b", out)
	}
	if !strings.Contains(out, "InvalidParameterException") {
		t.Errorf("terminal received %q, want the service error", out)
	}
	// Piped, the text is unchanged.
	r := c.mustRun(1, "", "call", "CreateLogGroup", `{"logGroupName": "a\u001b[2Jb"}`)
	if !strings.ContainsRune(r.stderr, 0x1b) {
		t.Errorf("piped stderr %q lost its ESC", r.stderr)
	}
}

func TestColorOnTerminal(t *testing.T) {
	c := newCLI(t, startLocal(t))
	c.env["TERM"] = "xterm"
	c.mustRun(0, "", "create-group", "tty")
	out := runOnTTY(t, c, nil, nil, "groups")
	if !strings.Contains(out, "\x1b[1mNAME") {
		t.Errorf("no bold header on a terminal: %q", out)
	}
	if out := runOnTTY(t, c, nil, nil, "groups", "--no-color"); strings.Contains(out, "\x1b[") {
		t.Errorf("--no-color: %q", out)
	}
	c.env["NO_COLOR"] = "1"
	if out := runOnTTY(t, c, nil, nil, "groups"); strings.Contains(out, "\x1b[") {
		t.Errorf("NO_COLOR: %q", out)
	}
}

// TestProgressOnTerminal: a put that lasts over a second shows a progress
// line on a terminal's stderr, erased at the end; never when stderr is not
// a terminal (checked by the golden tests, whose stderr is a pipe).
func TestProgressOnTerminal(t *testing.T) {
	c := newCLI(t, startLocal(t))
	c.mustRun(0, "", "create-group", "prog")
	c.mustRun(0, "", "create-stream", "prog", "s")
	pr, pw := io.Pipe()
	go func() {
		for i := 0; i < 15; i++ {
			fmt.Fprintf(pw, "line %d\n", i)
			time.Sleep(100 * time.Millisecond)
		}
		pw.Close()
	}()
	out := runOnTTY(t, c, pr, nil, "put", "prog", "s")
	if !strings.Contains(out, "\r\x1b[Kcwlogs: put ") {
		t.Errorf("no progress line: %q", out)
	}
	if !strings.Contains(out, "events=15 sent=15") {
		t.Errorf("summary: %q", out)
	}
}

// TestReadProgressOnTerminal: a get that lasts over a second, with stdout
// redirected and stderr on a terminal, shows a read counter on stderr.
func TestReadProgressOnTerminal(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		time.Sleep(700 * time.Millisecond)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if n <= 2 {
			fmt.Fprintf(w, `{"events":[{"timestamp":1000,"message":"m%d","ingestionTime":1}],"nextForwardToken":"f/%d","nextBackwardToken":"b/0"}`, n, n)
			return
		}
		fmt.Fprintf(w, `{"events":[],"nextForwardToken":"f/2","nextBackwardToken":"b/0"}`)
	}))
	defer srv.Close()
	c := newCLI(t, srv.URL)
	var stdout bytes.Buffer
	term := runOnTTY(t, c, nil, &stdout, "get", "g", "s")
	if !strings.Contains(term, "cwlogs: read ") {
		t.Errorf("no progress on the terminal: %q", term)
	}
	if strings.Contains(stdout.String(), "cwlogs: read") || strings.Count(stdout.String(), "\n") != 2 {
		t.Errorf("stdout: %q", stdout.String())
	}
}
