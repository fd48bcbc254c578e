//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package main

import "syscall"

// The ioctls that get and set a terminal's modes.
const ioctlGetTermios, ioctlSetTermios = syscall.TIOCGETA, syscall.TIOCSETA
