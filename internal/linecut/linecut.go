// Package linecut helps cut an unfinished line of text into events: where a
// piece may end without splitting what the next bytes would complete.
package linecut

import "unicode/utf8"

// Keep returns how many bytes at the end of b belong with the bytes that
// follow: the start of an unfinished UTF-8 character, or a trailing '\r'
// that may be half of a "\r\n" line ending. Cutting b before them never
// splits a character or a line ending.
func Keep(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return len(b) - i
			}
			break
		}
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return 1
	}
	return 0
}
