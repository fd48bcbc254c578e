package sigv4

import (
	"crypto/sha256"
	"crypto/subtle"
)

// tokenMatches reports whether the session tokens a request carries are exactly one, want.
// Both are hashed first, so that the comparison takes the same time whatever their lengths
// and contents; an empty want matches nothing.
func tokenMatches(got []string, want string) bool {
	if len(got) != 1 || want == "" {
		return false
	}
	g, w := sha256.Sum256([]byte(got[0])), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}
