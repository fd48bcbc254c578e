//go:build windows

package cwlogs

import (
	"context"
	"os/exec"
	"syscall"
)

// shellCommand runs command with cmd.exe, as the AWS SDKs do. The command line
// is given to cmd.exe verbatim (/S /C "…"), so that a quoted program path such
// as "C:\Program Files\helper.exe" --arg keeps its quotes; Go's own argument
// quoting would escape them in a way cmd.exe does not undo.
func shellCommand(ctx context.Context, command string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "cmd.exe")
	cmd.SysProcAttr = &syscall.SysProcAttr{CmdLine: `cmd.exe /d /s /c "` + command + `"`}
	return cmd
}
