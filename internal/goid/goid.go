// Package goid reads the id of the calling goroutine, which package ship and
// ship/spool use to tell when a method is called from their own OnError
// goroutine (a call that must not wait for that goroutine).
package goid

import (
	"bytes"
	"runtime"
	"strconv"
)

// ID returns the id of the calling goroutine (0 if it cannot be read). It
// formats the goroutine's stack header, which costs about a microsecond.
func ID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b, ok := bytes.CutPrefix(b, []byte("goroutine "))
	if !ok {
		return 0
	}
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		return 0
	}
	return id
}
