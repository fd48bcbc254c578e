//go:build race

package cwlogs

// raceEnabled: the race detector makes sync.Pool drop items at random, so a pooled
// path's allocations are not those of a normal build.
const raceEnabled = true
