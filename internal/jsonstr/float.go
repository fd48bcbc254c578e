package jsonstr

import (
	"math"
	"strconv"
)

// AppendFloat appends the finite number f exactly as encoding/json writes a
// float64: the shortest form that reads back as f, in exponent form only below
// 1e-6 or from 1e21 on, with "e-7" rather than "e-07". NaN and ±Inf, which
// JSON cannot hold, are the caller's to handle.
func AppendFloat(dst []byte, f float64) []byte {
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if n := len(dst); format == 'e' && n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
		dst[n-2] = dst[n-1] // e-07 → e-7
		dst = dst[:n-1]
	}
	return dst
}
