//go:build !amd64 || purego

package sigv4

// useSHANI is false: crypto/sha256 does all the hashing.
const useSHANI = false

func blockSHANI(*shaState, []byte) { panic("sigv4: no SHA extensions") }

func hexSSSE3(*[64]byte, *[32]byte) { panic("sigv4: no SSSE3") }
