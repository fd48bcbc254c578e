//go:build !unix

package follow

import "os"

// identityOf: no identity is kept on this system (see the package doc).
func identityOf(os.FileInfo) (identity, bool) { return identity{}, false }

// linked: without identities no claim is kept (see Glob); true.
func linked(os.FileInfo) bool { return true }
