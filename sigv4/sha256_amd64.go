//go:build amd64 && !purego

package sigv4

import "crypto/fips140"

// useSHANI reports whether the signer hashes with the SHA extensions itself: an amd64
// processor that has them (with SSSE3 and SSE4.1), outside FIPS 140-3 mode, where only the
// validated module's SHA-256 may be used.
var useSHANI = hasSHANI() && !fips140.Enabled()

func hasSHANI() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	_, ebx7, _, _ := cpuid(7, 0)
	const ssse3, sse41, sha = 1 << 9, 1 << 19, 1 << 29
	return ecx1&ssse3 != 0 && ecx1&sse41 != 0 && ebx7&sha != 0
}

// cpuid executes CPUID with the leaf eaxArg and subleaf ecxArg.
//
//go:noescape
func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

// blockSHANI hashes the whole 64-byte blocks of p into st with the SHA extensions.
//
//go:noescape
func blockSHANI(st *shaState, p []byte)

// hexSSSE3 is encodeHex32 with SSSE3: PSHUFB looks the digits of 16 nibbles up at once.
//
//go:noescape
func hexSSSE3(dst *[64]byte, src *[32]byte)

var (
	hexDigits  = [16]byte{'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'}
	nibbleMask = [16]byte{15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15}
)
