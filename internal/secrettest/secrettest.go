// Package secrettest renders values every way a program might print or log them, for
// tests that check that no secret shows.
package secrettest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
)

// Verbs are the fmt verbs Render formats each value with: those of fmt.Stringer
// (%v %s %q %x %X), those that print a struct's fields instead (%d, %+v, %#v), and
// a width and precision.
var Verbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3v", "%T"}

// Render returns every value formatted with each of Verbs, wrapped in errors (%v
// and %w), encoded with encoding/json (when it can be), and logged through slog's
// text and JSON handlers, one rendering after another.
func Render(values ...any) string {
	var out bytes.Buffer
	for _, v := range values {
		for _, verb := range Verbs {
			fmt.Fprintf(&out, verb+"\n", v)
		}
		fmt.Fprintln(&out, fmt.Errorf("wrapped: %v", v), fmt.Errorf("wrapped: %w", errors.New(fmt.Sprint(v))))
		if j, err := json.Marshal(v); err == nil {
			out.Write(j)
			out.WriteByte('\n')
		}
	}
	for _, h := range []slog.Handler{slog.NewTextHandler(&out, nil), slog.NewJSONHandler(&out, nil)} {
		l := slog.New(h)
		for _, v := range values {
			l.Info("value", "v", v, slog.Any("any", v), slog.Group("g", "v", v))
		}
	}
	return out.String()
}
