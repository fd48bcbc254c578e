//go:build !race

package cwlogs

// raceEnabled: see compress_race_on_test.go.
const raceEnabled = false
