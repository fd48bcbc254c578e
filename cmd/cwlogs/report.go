package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cwlogs/cwlogs"
)

// Report prints err on stderr the way the AWS CLI users expect and returns
// the exit status: 0 success or help, 2 usage and configuration errors and
// input rejected before any request, 1 service and network errors, 130 when
// interrupted (except tail --follow, serve, and put once every line it read
// was stored, which end cleanly with 0).
func (m *Main) Report(ctx context.Context, err error) int {
	if err == nil || errors.Is(err, errHelpShown) {
		return exitOK
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(m.Stderr, m.forStderr(ue.Error()))
		if ue.cmd != "" {
			fmt.Fprintf(m.Stderr, "Run 'cwlogs %s --help' for usage.\n", ue.cmd)
		} else {
			fmt.Fprintln(m.Stderr, "Run 'cwlogs help' for usage.")
		}
		return exitUsage
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		fmt.Fprintln(m.Stderr, "cwlogs: interrupted")
		return exitInterrupted
	}
	fmt.Fprintln(m.Stderr, m.forStderr(errorText(err)))
	var ce *configError
	var ve *cwlogs.ValidationError
	if errors.As(err, &ce) || errors.As(err, &ve) || errors.Is(err, cwlogs.ErrNoCredentials) {
		return exitUsage // no credentials found (e.g. an SSO token to renew) is a configuration error
	}
	return exitFailure
}

// forStderr prepares an error's text for stderr. Errors echo what they were given (a
// service error its request's values, a usage error the argument): on a terminal their
// control characters are shown, not acted on.
func (m *Main) forStderr(s string) string {
	if isTerminal(m.Stderr) {
		return termSafe(s)
	}
	return s
}

// errorText renders an error as "cwlogs: Code: Message" for service errors,
// and the error's own text otherwise (already prefixed "cwlogs:").
func errorText(err error) string {
	var ae *cwlogs.APIError
	var cre *cwlogs.CredentialsError
	if !errors.As(err, &cre) && errors.As(err, &ae) { // a credential error keeps its whole story (which STS call, which role)
		code := ae.Code
		if code == "" {
			code = fmt.Sprintf("HTTP %d", ae.StatusCode)
		}
		if ae.Message == "" {
			return "cwlogs: " + code
		}
		return "cwlogs: " + code + ": " + ae.Message
	}
	s := strings.ReplaceAll(err.Error(), ": cwlogs: ", ": ")
	if !strings.HasPrefix(s, "cwlogs") {
		s = "cwlogs: " + s
	}
	return s
}
