//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package main

import (
	"syscall"
	"unsafe"
)

// isTTY reports whether fd is a terminal (getting its modes succeeds; /dev/null fails).
func isTTY(fd uintptr) bool {
	var t syscall.Termios
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, ioctlGetTermios, uintptr(unsafe.Pointer(&t)))
	return errno == 0
}

// termColumns returns the width of the terminal fd in columns; ok is false when fd is not a
// terminal.
func termColumns(fd uintptr) (cols int, ok bool) {
	var ws struct{ row, col, xpixel, ypixel uint16 }
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCGWINSZ, uintptr(unsafe.Pointer(&ws)))
	return int(ws.col), errno == 0
}

// noEcho turns off the echo of the terminal behind rc and returns what turns
// it back on (nothing happens when it is not a terminal).
func noEcho(rc syscall.RawConn) (restore func()) {
	var old syscall.Termios
	ok := false
	rc.Control(func(fd uintptr) {
		if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, ioctlGetTermios, uintptr(unsafe.Pointer(&old))); errno != 0 {
			return
		}
		t := old
		t.Lflag &^= syscall.ECHO
		_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, ioctlSetTermios, uintptr(unsafe.Pointer(&t)))
		ok = errno == 0
	})
	if !ok {
		return func() {}
	}
	return func() {
		rc.Control(func(fd uintptr) {
			syscall.Syscall(syscall.SYS_IOCTL, fd, ioctlSetTermios, uintptr(unsafe.Pointer(&old)))
		})
	}
}
