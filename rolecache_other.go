//go:build !unix

package cwlogs

import "io/fs"

// trustedCacheFile accepts every regular file where ownership cannot be read
// as on Unix; the files are under the user's profile directory.
func trustedCacheFile(fi fs.FileInfo) bool { return true }
