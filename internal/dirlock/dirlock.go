// Package dirlock locks a directory for one user at a time, across
// processes and within one: an exclusive lock on a file in it, taken
// without waiting and held until the file is closed or the process ends.
// It serves the local server's data directory and ship/spool's directory.
// Standard library only.
package dirlock

import "errors"

// ErrLocked: another holder, of this process or another, has the lock.
var ErrLocked = errors.New("locked")
