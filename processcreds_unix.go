//go:build unix

package cwlogs

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// shellCommand runs command with /bin/sh -c, as the AWS SDKs do. Without a
// controlling terminal it runs in a process group of its own, so that a
// timeout stops the commands the shell started too, not only the shell. With
// one it stays in the caller's group: a helper that asks for an MFA code on
// /dev/tty must remain in the terminal's foreground group, or reading would
// stop it; its stragglers are then left to WaitDelay.
func shellCommand(ctx context.Context, command string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", command)
	if tty, err := os.Open("/dev/tty"); err == nil {
		tty.Close()
		return cmd
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); !errors.Is(err, syscall.ESRCH) {
			return err
		}
		return os.ErrProcessDone
	}
	return cmd
}
