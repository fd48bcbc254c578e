package follow

import "fmt"

// Error reports a failed operation of a Follower: Op is "open", "stat",
// "read" (of the followed file), "write" or "flush" (the destination),
// "state" (reading the state file at start, or removing its stale temporary
// files) or "checkpoint" (writing it).
// Path is the followed file; Err, for the state file, names that file. A
// Glob reports with Op "scan" (reading its directory; Path is the pattern),
// "destination" (its newDst failed for Path) and "state" (creating or
// reading its StateDir, or removing stale temporary files there; Path is
// that directory).
type Error struct {
	Op   string
	Path string
	Err  error
}

// Error implements error.
func (e *Error) Error() string { return fmt.Sprintf("follow: %s: %s: %v", e.Path, e.Op, e.Err) }

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// GapReason says why lines may have been lost.
type GapReason string

// Reasons of a GapError.
const (
	// GapTruncated: the file became shorter than the offset read so far
	// while the Follower ran (copytruncate); it is read again from offset 0.
	// Lines written between the copy and the truncation are in neither file:
	// the known hazard of copytruncate.
	GapTruncated GapReason = "file truncated"
	// GapShrunk: at start, the checkpointed file is shorter than the
	// checkpoint offset (truncated while stopped); read from offset 0.
	GapShrunk GapReason = "file shorter than the checkpoint"
	// GapOldFileMissing: at start, the path names another file than the
	// checkpoint, and the checkpointed file was not found in the path's
	// directory (deleted, compressed or moved elsewhere): its lines after the
	// checkpoint offset were not shipped. The new file is read from offset 0.
	GapOldFileMissing GapReason = "rotated while stopped, old file not found"
	// GapRemovedWhileStopped: at a Glob's start, the file of a state file of
	// StateDir is neither at its path nor, by its identity, in the directory
	// under another name (deleted, compressed or moved elsewhere while the
	// Glob was stopped): its lines after the checkpoint offset, if any, were
	// not shipped. The state file is removed.
	GapRemovedWhileStopped GapReason = "removed while stopped"
)

// GapError reports that lines of Path may have been lost. It is given to
// Options.OnError; the Follower goes on.
type GapError struct {
	Path   string
	Reason GapReason
	// Offset is the offset of the first byte that may be missing (the
	// checkpoint offset, or the offset read up to before a truncation).
	Offset int64
}

// Error implements error.
func (e *GapError) Error() string {
	return fmt.Sprintf("follow: %s: lines may be lost: %s (after offset %d)", e.Path, e.Reason, e.Offset)
}
