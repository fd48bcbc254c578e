//go:build !race

package noloss_test

// raceOn reports whether the race detector is on.
const raceOn = false
