//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package localserver

import "os"

// lockFile opens the file at path. On this system there is no lock: two
// servers on one data directory are not detected.
func lockFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
}
