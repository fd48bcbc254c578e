package filterpattern_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cwlogs/cwlogs/localserver/filterpattern"
)

func TestParseLength(t *testing.T) {
	ok := strings.Repeat("a", filterpattern.MaxPatternLength)
	if _, err := filterpattern.Parse(ok); err != nil {
		t.Fatalf("Parse of a %d-character pattern: %v", len(ok), err)
	}
	// Characters, not bytes: 1024 two-byte letters are accepted.
	if _, err := filterpattern.Parse(strings.Repeat("é", filterpattern.MaxPatternLength)); err != nil {
		t.Fatalf("Parse of 1024 multi-byte characters: %v", err)
	}
	_, err := filterpattern.Parse(ok + "a")
	var se *filterpattern.SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("Parse of a %d-character pattern: error %v, want *SyntaxError", len(ok)+1, err)
	}
	if !strings.Contains(se.Msg, "1025 characters") || !strings.Contains(se.Msg, "maximum is 1024") {
		t.Errorf("Msg = %q, want it to give the length and the maximum", se.Msg)
	}
}

func TestSyntaxErrorMessage(t *testing.T) {
	_, err := filterpattern.Parse(`{ $.a = }`)
	if err == nil {
		t.Fatal("Parse succeeded")
	}
	want := `invalid filter pattern at position 8: expected a value after =`
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Error() = %q, want prefix %q", err.Error(), want)
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		r := recover()
		if _, ok := r.(*filterpattern.SyntaxError); !ok {
			t.Errorf("recover() = %v, want *SyntaxError", r)
		}
	}()
	filterpattern.MustParse("{")
}

// TestNeverMatchAll checks that the pattern kinds that emulators commonly
// treat as "match everything" are parsed and actually filter.
func TestNeverMatchAll(t *testing.T) {
	const junk = "this message matches nothing"
	for _, pattern := range []string{
		`{ $.x = 1 }`, `[a, b = 1]`, `?ERROR ?WARN`, `-this`, `%^ERROR%`, `"no such phrase"`, `{ $.x NOT EXISTS }`,
	} {
		p := mustParse(t, pattern)
		if p.MatchAll() || p.Match(junk) {
			t.Errorf("Parse(%q) matches %q (MatchAll=%v)", pattern, junk, p.MatchAll())
		}
	}
}

func TestZeroPattern(t *testing.T) {
	var p filterpattern.Pattern
	if !p.MatchAll() || !p.Match("x") || p.String() != "" || len(p.RequiredLiterals()) != 0 {
		t.Errorf("zero Pattern: MatchAll=%v Match=%v String=%q literals=%q", p.MatchAll(), p.Match("x"), p.String(), p.RequiredLiterals())
	}
}

func TestErrorTextIsValidUTF8(t *testing.T) {
	_, err := filterpattern.Parse(`{ $.a = @ééééééééééé }`)
	if err == nil {
		t.Fatal("Parse succeeded")
	}
	if !utf8.ValidString(err.Error()) {
		t.Errorf("error text %q is not valid UTF-8", err.Error())
	}
}

func TestRequiredLiteralsIsACopy(t *testing.T) {
	p := filterpattern.MustParse(`ERROR x`)
	p.RequiredLiterals()[0] = "changed"
	if got := p.RequiredLiterals()[0]; got != "ERROR" {
		t.Errorf("RequiredLiterals()[0] = %q after the caller modified a previous result", got)
	}
}
