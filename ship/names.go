package ship

import (
	"strings"
	"unicode/utf8"

	"github.com/cwlogs/cwlogs"
)

// checkNames validates the group and stream names as the service would, so
// that a bad name fails in New rather than on every request.
func checkNames(group, stream string) error {
	bad := func(field, v, reason string) error {
		if len(v) > 64 {
			v = v[:64] + "…"
		}
		return &cwlogs.ValidationError{Operation: "ship.New", Field: field, Value: `"` + v + `"`, Reason: reason}
	}
	if n := utf8.RuneCountInString(group); n < 1 || n > cwlogs.MaxLogGroupNameLen {
		return bad("group", group, "must be 1–512 characters long")
	}
	for i := 0; i < len(group); i++ {
		c := group[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._-/#", c) >= 0) {
			return bad("group", group, "may only hold A-Z a-z 0-9 . _ - / #")
		}
	}
	if n := utf8.RuneCountInString(stream); n < 1 || n > cwlogs.MaxLogStreamNameLen {
		return bad("stream", stream, "must be 1–512 characters long")
	}
	if strings.ContainsAny(stream, ":*") {
		return bad("stream", stream, "must not contain ':' or '*'")
	}
	return nil
}
