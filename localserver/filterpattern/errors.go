package filterpattern

import "fmt"

// SyntaxError reports a filter pattern that cannot be parsed. The server
// maps it to InvalidParameterException. Use errors.As to retrieve it.
type SyntaxError struct {
	// Pos is the 0-based byte offset in the pattern where the problem was
	// detected.
	Pos int
	// Msg describes the problem; it names the offending text.
	Msg string
}

// Error implements error.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid filter pattern at position %d: %s", e.Pos, e.Msg)
}

func errorf(pos int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}
