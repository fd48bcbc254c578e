//go:build unix

package follow

import (
	"os"
	"syscall"
)

// identityOf returns the device and inode numbers of a file.
func identityOf(fi os.FileInfo) (identity, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return identity{}, false
	}
	return identity{Dev: uint64(st.Dev), Ino: uint64(st.Ino)}, true
}

// linked reports whether the file has a name (a directory entry); false
// once it is deleted, while it is held open.
func linked(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return !ok || uint64(st.Nlink) > 0
}
