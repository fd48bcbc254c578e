package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// errNoTerminal: there is no controlling terminal to ask at.
var errNoTerminal = errors.New("no terminal to ask at")

// errMFALater: a role needs a new MFA code after the command has started.
var errMFALater = errors.New("the role's session ended and a new one needs an MFA code, which cwlogs asks for only " +
	"when a command starts (as aws does): run the command again")

// mfaCode asks for the code of the MFA device serial at the controlling
// terminal, as the AWS CLI does: "Enter MFA code for SERIAL: ", typed without
// echo. It asks only while m.client gets the first credentials, before the
// command reads stdin or prints anything (never later: a session that expires
// under a long put or tail --follow is an error, as in botocore), and never
// reads stdin itself. It returns ctx.Err() when ctx ends first (Ctrl-C), with
// the echo restored and the terminal closed.
func (m *Main) mfaCode(ctx context.Context, serial string) (string, error) {
	if !m.mfaPromptOK.Load() {
		return "", errMFALater
	}
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return "", fmt.Errorf("%w (%v): start the role's session with `aws` first (cwlogs uses its cache, ~/.aws/cli/cache), or run cwlogs from a terminal", errNoTerminal, err)
	}
	defer tty.Close()
	// The echo goes off before the prompt shows, as in Python's getpass, so
	// that nothing typed as soon as the prompt appears is echoed. Through
	// SyscallConn, so that the file stays non-blocking and a read deadline
	// can end the read below (Fd would make it blocking).
	restore := func() {}
	if rc, err := tty.SyscallConn(); err == nil {
		restore = noEcho(rc)
	}
	defer fmt.Fprintln(tty)
	defer restore()
	fmt.Fprintf(tty, "Enter MFA code for %s: ", serial)

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
		// End the read, so that nothing is left reading the terminal (where
		// the terminal cannot be polled, the reader ends with the process).
		if tty.SetReadDeadline(time.Now()) == nil {
			<-got
		}
		return "", ctx.Err()
	}
	if a.err != nil && a.line == "" { // a last line without a newline is an answer
		return "", fmt.Errorf("reading the MFA code: %w", a.err)
	}
	return strings.TrimSpace(a.line), nil
}
