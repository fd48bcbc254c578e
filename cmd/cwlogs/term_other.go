//go:build !linux && !darwin && !freebsd && !netbsd && !openbsd && !dragonfly

package main

import "syscall"

// isTTY is false where terminals cannot be detected without extra packages:
// no colour and no progress output.
func isTTY(fd uintptr) bool { return false }

// termColumns cannot read a terminal's width here.
func termColumns(fd uintptr) (cols int, ok bool) { return 0, false }

// noEcho cannot turn off echo here: the MFA code is shown as it is typed.
func noEcho(rc syscall.RawConn) (restore func()) { return func() {} }
