//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package dirlock

import "os"

// Lock opens the file at path (created with perm if missing). On this
// system there is no lock: two holders are not detected.
func Lock(path string, perm os.FileMode) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, perm)
}
