package main

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cwlogs/cwlogs"
)

// globals are the flags accepted before or after the command name.
type globals struct {
	region   string
	profile  string
	endpoint string
	caBundle string
	output   string // "text" (default), "json" or "table" (call only)
	// outputGiven: --output was given (call's default is json, not text).
	outputGiven bool
	utc         bool
	local       bool
	noColor     bool
	// gzip: PutLogEvents bodies are sent gzip-compressed (cwlogs.WithGzip).
	gzip bool
}

// globalValueFlags take a value; globalBoolFlags do not.
var (
	globalValueFlags = []string{"region", "profile", "endpoint-url", "ca-bundle", "output"}
	globalBoolFlags  = []string{"utc", "local", "no-color", "gzip"}
)

// extractGlobals removes the global flags from args wherever they appear
// before a "--" and returns them with the remaining arguments (the command
// name first). Both -flag and --flag, "--flag value" and "--flag=value" are
// accepted, as with the standard flag package.
func extractGlobals(args []string) (globals, []string, error) {
	g := globals{output: "text"}
	rest := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			rest = append(rest, a)
			continue
		}
		name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		name, value, hasValue := strings.Cut(name, "=")
		switch {
		case slices.Contains(globalValueFlags, name):
			if !hasValue {
				if i+1 >= len(args) {
					return g, nil, usagef("", "flag needs an argument: --%s", name)
				}
				i++
				value = args[i]
			}
			switch name {
			case "region":
				g.region = value
			case "profile":
				g.profile = value
			case "endpoint-url":
				g.endpoint = value
			case "ca-bundle":
				g.caBundle = value
			case "output":
				g.output, g.outputGiven = value, true
			}
		case slices.Contains(globalBoolFlags, name):
			b := true
			if hasValue {
				switch strings.ToLower(value) {
				case "true", "1":
				case "false", "0":
					b = false
				default:
					return g, nil, usagef("", "invalid boolean %q for --%s", value, name)
				}
			}
			switch name {
			case "utc":
				g.utc = b
			case "local":
				g.local = b
			case "no-color":
				g.noColor = b
			case "gzip":
				g.gzip = b
			}
		default:
			rest = append(rest, a)
		}
	}
	switch g.output {
	case "text", "json", "table":
	default:
		return g, nil, usagef("", "invalid --output %q: want text or json (call: json, text or table)", g.output)
	}
	if g.utc && g.local {
		return g, nil, usagef("", "--utc and --local cannot be combined")
	}
	return g, rest, nil
}

// configError is a problem with the configuration (region, credentials,
// profile, endpoint) found before any request: exit status 2.
type configError struct{ err error }

func (e *configError) Error() string { return e.err.Error() }
func (e *configError) Unwrap() error { return e.err }

// cliConfigErr words a settings error of cwlogs.NewFromEnvironment for the command line:
// without the library's function and option names, naming the flag that sets the value.
func cliConfigErr(err error) error {
	var ve *cwlogs.ValidationError
	if !errors.As(err, &ve) || (ve.Operation != "NewFromEnvironment" && ve.Operation != "New") {
		if text, ok := strings.CutPrefix(err.Error(), "cwlogs: NewFromEnvironment: "); ok {
			return &reworded{text: text, err: err} // "no credentials found: ..."
		}
		return err
	}
	if ve.Field == "region" && ve.Value == `""` {
		return errors.New("no region: give --region, or set AWS_REGION (or AWS_DEFAULT_REGION) or the profile's region")
	}
	field := ve.Field
	if flag, ok := map[string]string{"region": "--region", "caBundle": "--ca-bundle", "endpoint": "--endpoint-url", "profile": "--profile"}[ve.Field]; ok {
		field = ve.Field + " (" + flag + ")"
	}
	return fmt.Errorf("invalid %s %s: %s", field, ve.Value, ve.Reason)
}

// reworded is err with another text.
type reworded struct {
	text string
	err  error
}

func (e *reworded) Error() string { return e.text }
func (e *reworded) Unwrap() error { return e.err }

// client builds the CloudWatch Logs client the way the AWS CLI would: flags
// first, then the environment and the ~/.aws files; extra options come last.
func (m *Main) client(ctx context.Context, extra ...cwlogs.Option) (*cwlogs.Client, error) {
	var opts []cwlogs.Option
	if m.g.region != "" {
		opts = append(opts, cwlogs.WithRegion(m.g.region))
	}
	if m.g.profile != "" {
		opts = append(opts, cwlogs.WithProfile(m.g.profile))
	}
	if m.g.endpoint != "" {
		opts = append(opts, cwlogs.WithEndpoint(m.g.endpoint))
	}
	if m.g.caBundle != "" {
		opts = append(opts, cwlogs.WithCABundle(m.g.caBundle))
	}
	if m.g.gzip {
		opts = append(opts, cwlogs.WithGzip(gzip.DefaultCompression))
	}
	opts = append(opts, cwlogs.WithUserAgent("cwlogs-cli/"+cwlogs.Version))
	// As the AWS CLI: role sessions are kept in ~/.aws/cli/cache (shared with
	// aws), and a role with mfa_serial asks for its code at the terminal.
	opts = append(opts, cwlogs.WithRoleCache(""), cwlogs.WithMFATokenCode(m.mfaCode))
	opts = append(opts, extra...)
	c, err := cwlogs.NewFromEnvironment(ctx, opts...)
	if err != nil {
		return nil, &configError{err: cliConfigErr(err)}
	}
	// Get the credentials now, under the command's context: a role with
	// mfa_serial asks for its code here, before put reads stdin (which may be
	// the same terminal) or anything is printed, and Ctrl-C ends the prompt.
	m.mfaPromptOK.Store(true)
	_, err = c.Credentials(ctx)
	m.mfaPromptOK.Store(false)
	if err != nil {
		return nil, err
	}
	return c, nil
}
