package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/cwlogs/cwlogs/internal/credchain"
)

// ttySession is cwlogs running with a pseudo-terminal as its controlling
// terminal (and as its stdin when asked).
type ttySession struct {
	t      *testing.T
	cmd    *exec.Cmd
	master *os.File
	slave  *os.File // kept open to read the terminal's modes
	stderr bytes.Buffer
	mu     sync.Mutex
	seen   []byte // what the terminal showed
}

func startOnTTY(t *testing.T, env []string, stdinIsTTY bool, args ...string) *ttySession {
	t.Helper()
	s := &ttySession{t: t}
	s.master, s.slave = openPTY(t)
	s.cmd = exec.Command(binPath, args...)
	s.cmd.Env = env
	s.cmd.Stdin = strings.NewReader("not the code\n")
	if stdinIsTTY {
		s.cmd.Stdin = s.slave
	}
	s.cmd.Stdout, s.cmd.Stderr = &s.stderr, &s.stderr
	s.cmd.ExtraFiles = []*os.File{s.slave} // fd 3
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 3}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		buf := make([]byte, 256)
		for {
			n, err := s.master.Read(buf)
			s.mu.Lock()
			s.seen = append(s.seen, buf[:n]...)
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return s
}

func (s *ttySession) terminal() string { s.mu.Lock(); defer s.mu.Unlock(); return string(s.seen) }

// waitFor waits until the terminal shows text.
func (s *ttySession) waitFor(text string) {
	s.t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(s.terminal(), text); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			s.cmd.Process.Kill()
			s.t.Fatalf("the terminal never showed %q: %q (output %q)", text, s.terminal(), s.stderr.String())
		}
	}
}

func (s *ttySession) typeText(text string) { s.master.Write([]byte(text)) }

// wait returns the exit status.
func (s *ttySession) wait() int {
	s.t.Helper()
	err := s.cmd.Wait()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	s.t.Fatal(err)
	return -1
}

// echoOn reports whether the terminal echoes what is typed.
func (s *ttySession) echoOn() bool {
	var tio syscall.Termios
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, s.slave.Fd(), syscall.TCGETS, uintptr(unsafe.Pointer(&tio))); errno != 0 {
		s.t.Fatalf("TCGETS: %v", errno)
	}
	return tio.Lflag&syscall.ECHO != 0
}

// TestMFAPrompt: a role profile with mfa_serial asks for the code at the
// controlling terminal, as aws does ("Enter MFA code for SERIAL: ", typed
// without echo) and before put reads stdin, even when stdin is that terminal;
// Ctrl-C at the prompt ends the command (130) with the echo back on; the
// session lands in ~/.aws/cli/cache, so the next command asks nothing and
// calls no STS; with no terminal and no cached session the error says what to
// do.
func TestMFAPrompt(t *testing.T) {
	peers := credchain.StartPeers(t)
	layout := credchain.Case{
		Credentials: "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = s\n",
		Config:      "[default]\nrole_arn = arn:aws:iam::123456789012:role/human\nsource_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/dev\n",
	}
	home := t.TempDir()
	env := []string{"PATH=" + os.Getenv("PATH"), "TZ=UTC"}
	for k, v := range layout.Setup(t, home, peers) {
		env = append(env, k+"="+v)
	}
	cacheDir := filepath.Join(home, ".aws", "cli", "cache")
	const prompt = "Enter MFA code for arn:aws:iam::123456789012:mfa/dev: "
	const wantCall = "AssumeRole arn:aws:iam::123456789012:role/human AKIABASE session=default external= duration= mfa=arn:aws:iam::123456789012:mfa/dev"

	// Ctrl-C at the prompt: exit 130, echo restored, no STS call.
	s := startOnTTY(t, env, false, "groups")
	s.waitFor(prompt)
	if s.echoOn() {
		t.Errorf("echo on while the prompt waits")
	}
	s.typeText("\x03")
	if code := s.wait(); code != 130 || !s.echoOn() {
		t.Errorf("Ctrl-C at the prompt: exit %d, echo on %v; want 130, true (output %q)", code, s.echoOn(), s.stderr.String())
	}
	if calls := peers.TakeCalls(); len(calls) != 0 {
		t.Errorf("Ctrl-C at the prompt: STS calls %q", calls)
	}

	// put with stdin on the same terminal: the code is asked for before
	// stdin is read, is not echoed, and is not sent as an event.
	s = startOnTTY(t, env, true, "put", "g", "s")
	s.waitFor(prompt)
	s.typeText(credchain.MFACode + "\n")
	time.Sleep(100 * time.Millisecond) // the prompt is done with the terminal
	s.typeText("hello\n\x04")
	if code := s.wait(); code != 0 {
		t.Fatalf("put on a terminal: exit %d: %s", code, s.stderr.String())
	}
	if strings.Contains(s.terminal(), credchain.MFACode) {
		t.Errorf("the MFA code was echoed: %q", s.terminal())
	}
	bodies := strings.Join(peers.LogsBodies(), "\n")
	if !strings.Contains(bodies, `"message":"hello"`) || strings.Contains(bodies, credchain.MFACode) {
		t.Errorf("events sent: %s; want hello and not the MFA code", bodies)
	}
	if calls := peers.TakeCalls(); strings.Join(calls, "|") != wantCall {
		t.Fatalf("STS calls %q, want %q", calls, wantCall)
	}
	if files, _ := filepath.Glob(filepath.Join(cacheDir, "*.json")); len(files) != 1 {
		t.Fatalf("cache files %q, want one in ~/.aws/cli/cache", files)
	}

	// No terminal (a new session without one): the cached session, no STS.
	run := func() (string, error) {
		cmd := exec.Command(binPath, "delete-group", "g")
		cmd.Env = env
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run(); err != nil {
		t.Fatalf("with the session cached: %v: %s", err, out)
	}
	if calls := peers.TakeCalls(); len(calls) != 0 {
		t.Fatalf("with the session cached, STS calls %q", calls)
	}
	// No terminal and no session: a clear error, nothing read from stdin.
	os.RemoveAll(cacheDir)
	out, err := run()
	if err == nil || !strings.Contains(out, "no terminal to ask at") || !strings.Contains(out, "arn:aws:iam::123456789012:mfa/dev") {
		t.Fatalf("no terminal: err %v, output %q", err, out)
	}
	if calls := peers.TakeCalls(); len(calls) != 0 {
		t.Errorf("no terminal: STS calls %q", calls)
	}
}
