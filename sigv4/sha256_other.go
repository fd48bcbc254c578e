//go:build !amd64 || !gc || purego

package sigv4

// useSHANI and useSSSE3 are false: crypto/sha256 does all the hashing, and Go the hex.
const (
	useSHANI = false
	useSSSE3 = false
)

func blockSHANI(*shaState, []byte) { panic("sigv4: no SHA extensions") }

func blockSHANIx2(*shaState, []byte, *shaState, []byte) { panic("sigv4: no SHA extensions") }

func hexSSSE3(*[64]byte, *[32]byte) { panic("sigv4: no SSSE3") }
