//go:build !nolocalserver && ((linux && (386 || amd64 || arm || arm64 || loong64 || ppc64le || riscv64 || s390x)) || (darwin && (amd64 || arm64)) || (freebsd && (386 || amd64 || arm || arm64)) || (illumos && amd64) || (netbsd && amd64) || (openbsd && (amd64 || arm64)) || (windows && (386 || amd64 || arm64)))

// The platforms above are those modernc.org/sqlite (v1.62) supports; elsewhere, and with the
// build tag nolocalserver, localserver_none.go takes this file's place.

package main

import "github.com/cwlogs/cwlogs/localserver"

// newLocalServer makes the local CloudWatch Logs server that serve and demo run.
func newLocalServer(cfg serverConfig) (localServer, error) {
	var temps localserver.TemporaryCredentials
	if len(cfg.TemporaryCredentials) > 0 {
		temps = make(localserver.TemporaryCredentials, len(cfg.TemporaryCredentials))
		for id, tc := range cfg.TemporaryCredentials {
			temps[id] = localserver.TemporaryCredential{SecretAccessKey: tc.secret, SessionToken: tc.token}
		}
	}
	srv, err := localserver.New(localserver.Config{Addr: cfg.Addr, DataDir: cfg.DataDir, ExportDir: cfg.ExportDir, Memory: cfg.Memory,
		Region: cfg.Region, AccountID: cfg.AccountID, Credentials: cfg.Credentials, TemporaryCredentials: temps,
		Logger: cfg.Logger})
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return srv, nil
}
