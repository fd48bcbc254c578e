//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package spool

import "os"

// lockFile opens the file at path. On this system there is no lock: two
// Spools on one directory are not detected.
func lockFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
}
