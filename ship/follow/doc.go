// Package follow follows a growing log file, as tail -F does, and writes its
// lines to a [Destination] such as a *ship.Shipper or a *ship.MultilineWriter,
// with an optional checkpoint so that a restart neither loses nor repeats
// lines.
//
// # Following
//
// A [Follower] polls: every [Options.PollInterval] (250 ms by default) it
// stats the path once; when nothing changed that is all it does (no busy
// loop, no goroutine of its own, standard library only, any system). New
// data is read to the end of the file and handed on as whole lines, several
// per Write. An unfinished last line (no "\n" yet) is held until its newline
// comes, or until the file is rotated or truncated, or the Follower stops
// without a state file: then it is handed on with a "\n" added. (With a state
// file, the checkpoint stays before it and the next run reads it whole.) A
// line that reaches [Options.MaxLineBytes] (1 MiB) before its "\n" is read
// is handed on in pieces without "\n", cut between UTF-8 characters, so the
// Follower's buffer stays bounded; the destination joins the pieces and
// applies its own size policy. (A line whose "\n" comes in the same read, of
// at most 64 KiB, is handed on whole: this matters only for a MaxLineBytes
// below 64 KiB.)
//
// Without a checkpoint the Follower starts at the end of the file (like
// tail -F), or at its start with [Options.FromStart]. A file that does not
// exist yet is waited for, and read from its start when it appears.
//
// # Rotation
//
//   - Rename and create (logrotate's default): when the path names another
//     file than the open one (os.SameFile), the old file is read to its end
//     and still read while it grows — a writer may write to it until it
//     reopens the path — until a poll finds it quiet and the new file not
//     empty, or for [Options.RotateWait] (5 s) at most. Then the new file is
//     read from offset 0. A file rotated twice within one poll (or while a
//     slow Flush blocks the Follower) is missed in between, as with tail -F.
//   - Copytruncate: when the file is shorter than the offset read so far, it
//     is read again from offset 0, and a [*GapError] is reported: lines
//     written between the copy and the truncation are in neither file (the
//     known hazard of copytruncate), and a truncated file that grew past the
//     old offset before the next poll cannot be told from a growing one.
//   - Path removed: the open file is kept (and read) until a file appears at
//     the path again.
//
// # Checkpoint
//
// With [Options.StateFile], the Follower flushes the destination every
// [Options.CheckpointInterval] (5 s) while new data comes, when it opens a
// new file, and when it stops; after a Flush that returns nil it writes the
// state: the file's identity and the offset of the end of what was handed on
// (the last complete line, or the last piece of a long line), or of the
// start of the record a HoldingDestination still holds (below). The state file
// is replaced atomically (temporary file, fsync, rename, directory fsync);
// a temporary file that a crash left (a minute old or more) is removed at
// the next start, by the Follower of that state file or the Glob of that
// StateDir.
// Without a state file the destination is flushed only when the Follower
// stops (a *ship.Shipper sends on its own, every FlushInterval).
//
// A state file belongs to one Follower: two Followers given the same one
// (even of the same path) do not corrupt it, as each write is the rename of
// a temporary file of its own, but each overwrites the other's checkpoint,
// and a restart resumes from whichever wrote last.
//
// Multi-line events: a destination that groups lines into records, a
// *ship.MultilineWriter, is a [HoldingDestination]: with a state file, a
// checkpoint flushes the records that are complete with FlushComplete and
// stays before the one still being grouped (its end not seen yet), which is
// not split: it is delivered whole once complete (the next line starts
// another, or its MultilineOptions.Timeout passes), and a later checkpoint
// passes it. When the Follower stops, it has the destination drop that record
// (DiscardPending) and the next run reads it again from the checkpoint and
// ships it whole, with the lines written after it, as it does an unfinished
// line; so a record is never shipped in two parts across a restart, and the
// checkpoint never covers a byte that is not in a delivered event. Run once
// without a restart, that last record is not shipped. The end of a file's
// content (rotation, truncation) ends its record: it is handed on then. A
// Follower whose file is no longer at its path when it stops (removed, or
// renamed by a rotation it has not finished: the next run may not find it),
// a Glob's Follower whose file is gone, one whose checkpoint is held back by
// a failed Flush, and one without a state file hand everything on when they
// stop.
//
// At start, a state whose file is at the path (same identity) and at least
// as long as the offset resumes there: no line lost, none sent twice. If the
// file was rotated while the Follower was stopped, the old file is looked
// for by its identity among the regular files of the path's directory
// (app.log.1, app.log-20250101, ...): found, it is finished from the offset
// first, then the new file is read from 0; not found (deleted, compressed,
// moved), the new file is read from 0 and a [*GapError] reports that lines
// may have been lost. A state file that cannot be read or is of another path
// stops Run with an [*Error].
//
// Identity: on unix the device and inode numbers (syscall.Stat_t), plus a
// hash of the file's first min(offset, 1024) bytes, which tells a new file
// that reused a deleted file's inode (or a file truncated and written again
// while stopped) from the checkpointed one — unless it starts with the same
// bytes. On other systems the state keeps no device and inode: the path and
// the head hash decide, and a rotated file is not looked for (its lines
// after the offset are reported as possibly lost).
//
// Delivery is at least once across restarts: when a Flush fails — a
// *ship.FlushError reporting loss, or any other error but Run's ctx's alone
// (a Flush cut short when Run's ctx ends: the final Flush waits for its
// events) — the checkpoint is not advanced, and stays where it is until the
// Follower is restarted (a later Flush would not report the earlier loss),
// so a restart sends again the lines after it, some of them possibly twice.
// The failure is reported to [Options.OnError] and counted in
// [Stats].FlushErrors. This rests on the destination: its Flush may return
// nil only when every byte written before the call was delivered (see
// [Destination]).
//
// # Many files
//
// A [Glob] follows every file matching a pattern such as /var/log/app/*.log,
// one Follower and one Destination per file, with a checkpoint per file in a
// state directory; a rotated file is finished by the Follower of its old
// name, never taken for a new file even when its new name matches.
//
// # Stopping and errors
//
// When Run's ctx ends, the Follower flushes what it handed on (but the record
// a HoldingDestination holds, see Checkpoint) and writes the last checkpoint
// within [Options.StopTimeout] (10 s), then returns. Errors
// are typed and name the followed path: Run returns an [*Error] for what
// stops it (state file unreadable, read error, a Write refused by the
// destination); what it goes on after — a [*GapError], a failed Flush,
// checkpoint or look at the path — goes to Options.OnError (by default the
// standard logger). Nothing is skipped silently.
package follow
