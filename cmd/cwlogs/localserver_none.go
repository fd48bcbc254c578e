//go:build nolocalserver || !((linux && (386 || amd64 || arm || arm64 || loong64 || ppc64le || riscv64 || s390x)) || (darwin && (amd64 || arm64)) || (freebsd && (386 || amd64 || arm || arm64)) || (illumos && amd64) || (netbsd && amd64) || (openbsd && (amd64 || arm64)) || (windows && (386 || amd64 || arm64)))

package main

import (
	"fmt"
	"runtime"
)

// newLocalServer fails: this build has no local server, either because it was built with the
// tag nolocalserver (for gateways that only send logs: about 60% of the size)
// or because modernc.org/sqlite, its storage, does not support this platform.
func newLocalServer(serverConfig) (localServer, error) {
	return nil, &configError{err: fmt.Errorf("this build (%s/%s) has no local server: it was built "+
		"with -tags nolocalserver, or for a platform its SQLite storage does not support; "+
		"the other commands work against AWS or any --endpoint-url", runtime.GOOS, runtime.GOARCH)}
}
