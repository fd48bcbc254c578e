package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
)

// errNoTerminal: there is no controlling terminal to ask at.
var errNoTerminal = errors.New("no terminal to ask at")

// mfaCode asks for the code of the MFA device serial at the controlling
// terminal, as the AWS CLI does: "Enter MFA code for SERIAL: ", typed without
// echo. It never reads stdin, which may carry the events of put. It returns
// ctx.Err() when ctx ends first (Ctrl-C).
func (m *Main) mfaCode(ctx context.Context, serial string) (string, error) {
	tty, err := openTTY()
	if err != nil {
		return "", fmt.Errorf("%w (%v): start the role's session with `aws` first (cwlogs uses its cache, ~/.aws/cli/cache), or run cwlogs from a terminal", errNoTerminal, err)
	}
	defer tty.Close()
	fmt.Fprintf(tty, "Enter MFA code for %s: ", serial)
	restore := noEcho(tty.Fd())
	type answer struct {
		line string
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		line, err := bufio.NewReader(tty).ReadString('\n')
		got <- answer{line, err}
	}()
	var a answer
	select {
	case a = <-got:
	case <-ctx.Done():
		a.err = ctx.Err()
	}
	restore()
	fmt.Fprintln(tty)
	switch {
	case ctx.Err() != nil:
		return "", ctx.Err()
	case a.err != nil && a.line == "": // a last line without a newline is an answer
		return "", fmt.Errorf("reading the MFA code: %w", a.err)
	}
	return strings.TrimSpace(a.line), nil
}

// openTTY opens the controlling terminal.
func openTTY() (*os.File, error) { return os.OpenFile("/dev/tty", os.O_RDWR, 0) }
