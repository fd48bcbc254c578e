package emf

import "time"

// SetClock replaces the clock SetTimestamp checks timestamps against.
func SetClock(f func() time.Time) { now = f }
