package main

import (
	"bytes"
	"errors"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeJSONBytes decodes the bytes of a fileb:// input as Python's json.loads decodes bytes
// (json.detect_encoding), which is what aws does with them: UTF-32 or UTF-16 when a byte
// order mark or the zero bytes of the first characters say so, else UTF-8 (a UTF-8 byte
// order mark is dropped by the caller). It returns UTF-8.
func decodeJSONBytes(b []byte) ([]byte, error) {
	var enc string
	switch {
	case bytes.HasPrefix(b, []byte{0, 0, 0xfe, 0xff}):
		enc, b = "utf-32-be", b[4:]
	case bytes.HasPrefix(b, []byte{0xff, 0xfe, 0, 0}):
		enc, b = "utf-32-le", b[4:]
	case bytes.HasPrefix(b, []byte{0xfe, 0xff}):
		enc, b = "utf-16-be", b[2:]
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}):
		enc, b = "utf-16-le", b[2:]
	case bytes.HasPrefix(b, []byte{0xef, 0xbb, 0xbf}):
		return b, nil
	case len(b) >= 4 && b[0] == 0 && b[1] != 0:
		enc = "utf-16-be"
	case len(b) >= 4 && b[0] == 0:
		enc = "utf-32-be"
	case len(b) >= 4 && b[1] == 0 && (b[2] != 0 || b[3] != 0):
		enc = "utf-16-le"
	case len(b) >= 4 && b[1] == 0:
		enc = "utf-32-le"
	case len(b) == 2 && b[0] == 0:
		enc = "utf-16-be"
	case len(b) == 2 && b[1] == 0:
		enc = "utf-16-le"
	default:
		return b, nil
	}
	var out []byte
	switch enc {
	case "utf-16-be", "utf-16-le":
		if len(b)%2 != 0 {
			return nil, errors.New("not valid UTF-16: an odd number of bytes")
		}
		units := make([]uint16, len(b)/2)
		for i := range units {
			if enc == "utf-16-be" {
				units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
			} else {
				units[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
			}
		}
		for _, r := range utf16.Decode(units) {
			out = utf8.AppendRune(out, r)
		}
	default:
		if len(b)%4 != 0 {
			return nil, errors.New("not valid UTF-32: a length that is not a multiple of 4")
		}
		for i := 0; i < len(b); i += 4 {
			var r rune
			if enc == "utf-32-be" {
				r = rune(b[i])<<24 | rune(b[i+1])<<16 | rune(b[i+2])<<8 | rune(b[i+3])
			} else {
				r = rune(b[i+3])<<24 | rune(b[i+2])<<16 | rune(b[i+1])<<8 | rune(b[i])
			}
			if r < 0 || r > utf8.MaxRune {
				return nil, errors.New("not valid UTF-32: a code point beyond U+10FFFF")
			}
			out = utf8.AppendRune(out, r)
		}
	}
	return out, nil
}
