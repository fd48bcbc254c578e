//go:build !unix

package interop

import "time"

// cpuTime is 0 where getrusage is missing: the cpu-ns/op figures are then 0, and only ns/op
// is meaningful.
func cpuTime() time.Duration { return 0 }
