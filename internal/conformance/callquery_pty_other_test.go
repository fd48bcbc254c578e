//go:build !linux

package conformance

import (
	"errors"
	"os/exec"
)

// ptySupported: runOnPTY works here.
const ptySupported = false

func runOnPTY(cmd *exec.Cmd) (string, error) {
	return "", errors.New("pseudo-terminals are used on Linux only")
}
