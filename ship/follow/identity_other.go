//go:build !unix

package follow

import "os"

// identityOf: no identity is kept on this system (see the package doc).
func identityOf(os.FileInfo) (identity, bool) { return identity{}, false }
