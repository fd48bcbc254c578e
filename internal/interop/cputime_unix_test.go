//go:build unix

package interop

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time, user and system, this process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
