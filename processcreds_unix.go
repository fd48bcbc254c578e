//go:build unix

package cwlogs

import (
	"context"
	"os/exec"
	"syscall"
)

// shellCommand runs command with /bin/sh -c, as the AWS SDKs do, in a process
// group of its own, so that a timeout stops the commands the shell started
// too, not only the shell.
func shellCommand(ctx context.Context, command string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", command)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	return cmd
}
