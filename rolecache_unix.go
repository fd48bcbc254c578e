//go:build unix

package cwlogs

import (
	"io/fs"
	"os"
	"syscall"
)

// trustedCacheFile reports whether a role cache file may be used: owned by
// the user running the program and writable by nobody else, so that another
// user who can write to the cache directory cannot plant credentials (which
// would send the logs to an account of theirs). The AWS CLI's files (mkstemp,
// 0600) pass.
func trustedCacheFile(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid() && fi.Mode().Perm()&0o022 == 0
}
