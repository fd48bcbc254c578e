package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/internal/credchain"
)

// TestMFAPrompt: a role profile with mfa_serial asks for the code at the
// controlling terminal, as aws does ("Enter MFA code for SERIAL: ", typed
// without echo), even when stdin carries other data; the session lands in
// ~/.aws/cli/cache, so the next command asks nothing and calls no STS; with
// no terminal and no cached session the error says what to do.
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
	const prompt = "Enter MFA code for arn:aws:iam::123456789012:mfa/dev: "
	const wantCall = "AssumeRole arn:aws:iam::123456789012:role/human AKIABASE session=default external= duration= mfa=arn:aws:iam::123456789012:mfa/dev"

	// On a terminal: the prompt, the code typed, no echo.
	master, slave := openPTY(t)
	cmd := exec.Command(binPath, "delete-group", "g")
	cmd.Env = env
	cmd.Stdin = strings.NewReader("not the code\n")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.ExtraFiles = []*os.File{slave} // fd 3
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 3}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	var (
		mu   sync.Mutex
		seen []byte
	)
	go func() {
		buf := make([]byte, 256)
		for {
			n, err := master.Read(buf)
			mu.Lock()
			seen = append(seen, buf[:n]...)
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	terminal := func() string { mu.Lock(); defer mu.Unlock(); return string(seen) }
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(terminal(), prompt); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no MFA prompt on the terminal: %q (stderr %q)", terminal(), stderr.String())
		}
	}
	master.Write([]byte(credchain.MFACode + "\n"))
	if err := cmd.Wait(); err != nil {
		t.Fatalf("cwlogs: %v: %s", err, stderr.String())
	}
	time.Sleep(50 * time.Millisecond) // the last bytes of the terminal
	if strings.Contains(terminal(), credchain.MFACode) {
		t.Errorf("the MFA code was echoed: %q", terminal())
	}
	if calls := peers.TakeCalls(); strings.Join(calls, "|") != wantCall {
		t.Fatalf("STS calls %q, want %q", calls, wantCall)
	}
	if files, _ := filepath.Glob(filepath.Join(home, ".aws", "cli", "cache", "*.json")); len(files) != 1 {
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
	os.RemoveAll(filepath.Join(home, ".aws", "cli", "cache"))
	out, err := run()
	if err == nil || !strings.Contains(out, "no terminal to ask at") || !strings.Contains(out, "arn:aws:iam::123456789012:mfa/dev") {
		t.Fatalf("no terminal: err %v, output %q", err, out)
	}
	if calls := peers.TakeCalls(); len(calls) != 0 {
		t.Errorf("no terminal: STS calls %q", calls)
	}
}
