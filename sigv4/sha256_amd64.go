//go:build gc && !purego

package sigv4

import (
	"crypto/fips140"
	"os"
	"strings"
)

// useSHANI reports whether the signer hashes with the SHA extensions itself: an amd64
// processor that has them (with SSSE3 and SSE4.1), outside FIPS 140-3 mode, where only the
// validated module's SHA-256 may be used. GODEBUG=cpu.sha=off (or cpu.ssse3, cpu.sse41,
// cpu.all) turns it off, as it does crypto/sha256's use of them.
var useSHANI = hasSHANI() && !fips140.Enabled() && !cpuOff("sha", "ssse3", "sse41")

// useSSSE3 reports whether hex is encoded with SSSE3.
var useSSSE3 = hasSSSE3() && !cpuOff("ssse3")

const (
	cpuidSSSE3 = 1 << 9  // leaf 1, ECX
	cpuidSSE41 = 1 << 19 // leaf 1, ECX
	cpuidSHA   = 1 << 29 // leaf 7 subleaf 0, EBX
)

func hasSSSE3() bool {
	_, _, ecx1, _ := cpuid(1, 0)
	return ecx1&cpuidSSSE3 != 0
}

func hasSHANI() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	_, ebx7, _, _ := cpuid(7, 0)
	return ecx1&cpuidSSSE3 != 0 && ecx1&cpuidSSE41 != 0 && ebx7&cpuidSHA != 0
}

// cpuOff reports whether GODEBUG turns any of the named CPU features off (cpu.name=off or
// cpu.all=off, the last setting of each winning), as the Go runtime reads it for its own use
// of them.
func cpuOff(names ...string) bool {
	off := map[string]bool{}
	for _, f := range strings.Split(os.Getenv("GODEBUG"), ",") {
		key, value, ok := strings.Cut(f, "=")
		if !ok || !strings.HasPrefix(key, "cpu.") || (value != "on" && value != "off") {
			continue
		}
		feature := strings.TrimPrefix(key, "cpu.")
		if feature == "all" {
			clear(off)
			if value == "off" {
				for _, n := range names {
					off[n] = true
				}
			}
			continue
		}
		off[feature] = value == "off"
	}
	for _, n := range names {
		if off[n] {
			return true
		}
	}
	return false
}

// cpuid executes CPUID with the leaf eaxArg and subleaf ecxArg.
//
//go:noescape
func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

// blockSHANI hashes the whole 64-byte blocks of p into st with the SHA extensions.
//
//go:noescape
func blockSHANI(st *shaState, p []byte)

// blockSHANIx2 hashes the first whole blocks of pa into a and of pb into b, the two hashes
// interleaved: as many blocks of each as the shorter of pa and pb has.
//
//go:noescape
func blockSHANIx2(a *shaState, pa []byte, b *shaState, pb []byte)

// hexSSSE3 is encodeHex32 with SSSE3: PSHUFB looks the digits of 16 nibbles up at once.
//
//go:noescape
func hexSSSE3(dst *[64]byte, src *[32]byte)
