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
