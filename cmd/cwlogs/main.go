package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, restore the default behaviour so that a
		// second Ctrl-C ends a command that is still shutting down.
		<-ctx.Done()
		stop()
	}()
	m := NewMain()
	err := m.Run(ctx, os.Args[1:])
	stop()
	os.Exit(m.Report(ctx, err))
}

// Main is the cwlogs program: its standard streams, environment and the
// global flags of one invocation.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads the environment (NO_COLOR, TERM, XDG_DATA_HOME); the client
	// itself reads the process environment through cwlogs.NewFromEnvironment.
	Getenv func(string) string

	g   globals
	out *printer
	// mfaPromptOK is set while client gets the first credentials: the only
	// time an MFA code may be asked for.
	mfaPromptOK atomic.Bool
}

// NewMain returns a Main wired to the process's standard streams.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
}

// Run runs the command line args (without the program name).
func (m *Main) Run(ctx context.Context, args []string) error {
	g, rest, err := extractGlobals(args)
	if err != nil {
		return err
	}
	m.g = g
	m.out = newPrinter(m)

	if len(rest) == 0 {
		return &usageError{msg: "missing command"}
	}
	name := rest[0]
	switch name {
	case "-h", "-help", "--help":
		m.printTopUsage(m.Stdout)
		return nil
	case "-v", "-version", "--version":
		name = "version"
	case "--":
		return &usageError{msg: "missing command"}
	}
	if len(name) > 0 && name[0] == '-' {
		return &usageError{msg: fmt.Sprintf("unknown global flag %s (global flags: --%s)", name, strings.Join(slices.Concat(globalValueFlags, globalBoolFlags), ", --"))}
	}
	info := lookupCommand(name)
	if info == nil {
		return &usageError{msg: fmt.Sprintf("unknown command %q (run 'cwlogs help' for the list)", name)}
	}
	if g.output == "table" && info != callInfo && info != helpInfo {
		return usagef(name, "--output table is for call only: want text or json")
	}
	return info.new(m).Run(ctx, rest[1:])
}

// errHelpShown means help was printed at the user's request: exit 0.
var errHelpShown = errors.New("help shown")

// Exit statuses.
const (
	exitOK          = 0
	exitFailure     = 1 // service, network or other runtime errors
	exitUsage       = 2 // bad command line or bad input detected before any request
	exitInterrupted = 130
)
