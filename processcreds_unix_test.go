//go:build unix

package cwlogs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestProcessTreeAndStragglers: a timeout stops the commands the shell
// started, not only the shell; a command that succeeded but left a background
// child holding its output still counts.
func TestProcessTreeAndStragglers(t *testing.T) {
	if tty, err := os.Open("/dev/tty"); err == nil {
		tty.Close()
		t.Skip("with a controlling terminal the command stays in our process group (so it can prompt), and stragglers are left to WaitDelay")
	}
	pidFile := filepath.Join(t.TempDir(), "pid")
	p := ProcessCredentialsProvider{Command: writeScript(t, "sleep 30 &\necho $! > "+pidFile+"\nwait\n"), Timeout: 300 * time.Millisecond}
	start := time.Now()
	_, err := p.Retrieve(context.Background())
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "did not finish within 300ms") {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 900*time.Millisecond {
		t.Errorf("the timeout took %v: the tree was not stopped at once", d)
	}
	raw, _ := os.ReadFile(pidFile)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
	if pid <= 0 {
		t.Fatalf("no pid recorded: %q", raw)
	}
	deadline := time.Now().Add(2 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("the background sleep %d outlived the timeout", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}

	straggler := ProcessCredentialsProvider{Command: writeScript(t, `echo '{"Version":1,"AccessKeyId":"AKIDPROC","SecretAccessKey":"S"}'
sleep 3 &
`)}
	c, err := straggler.Retrieve(context.Background())
	if err != nil || c.AccessKeyID != "AKIDPROC" {
		t.Fatalf("a background child holding stdout: %v, %v", c, err)
	}
}

// alive reports whether process pid runs: it exists and, where /proc tells,
// is not a zombie waiting for a parent (PID 1 in a container may reap late).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	i := strings.LastIndexByte(string(stat), ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
}
