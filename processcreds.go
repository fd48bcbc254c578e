package cwlogs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"time"
)

// DefaultProcessTimeout is how long a [ProcessCredentialsProvider] lets its
// command run when Timeout is zero.
const DefaultProcessTimeout = time.Minute

// maxProcessOutput bounds the output read from a credential process.
const maxProcessOutput = 64 << 10

// ProcessCredentialsProvider runs an external command that prints credentials
// as JSON on its standard output, as the AWS CLI's credential_process setting
// does (IAM Roles Anywhere's aws_signing_helper, vaults, device-certificate
// exchanges on gateways):
//
//	{"Version": 1, "AccessKeyId": "…", "SecretAccessKey": "…",
//	 "SessionToken": "…", "Expiration": "2026-11-27T12:00:00Z"}
//
// Version must be 1; SessionToken and Expiration (RFC 3339) are optional.
// Credentials without Expiration never expire. The command runs on every
// Retrieve; the client wraps the provider in a [CredentialsCache], so it runs
// again only shortly before the credentials expire.
//
// Errors name the profile and the exit status but never the command line or
// its output, either of which may hold secrets.
type ProcessCredentialsProvider struct {
	// Command is the command line, run by /bin/sh -c (cmd.exe /C on Windows)
	// as the AWS SDKs run it. Required.
	Command string
	// Timeout bounds one run; 0 means DefaultProcessTimeout. The command is
	// also stopped when Retrieve's context ends.
	Timeout time.Duration
	// Stderr receives the command's standard error; nil means os.Stderr, as
	// with the AWS SDK for Go.
	Stderr io.Writer
	// Name describes the provider in errors and in Credentials.Source, e.g.
	// `profile "edge"`; empty means "credential_process".
	Name string
}

// processOutput is the JSON a credential process prints.
type processOutput struct {
	Version         int
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string
	Expiration      string
}

// Retrieve implements CredentialsProvider.
func (p ProcessCredentialsProvider) Retrieve(ctx context.Context) (Credentials, error) {
	name := p.Name
	if name == "" {
		name = "credential_process"
	}
	fail := func(format string, args ...any) (Credentials, error) {
		return Credentials{}, fmt.Errorf("cwlogs: %s: "+format, append([]any{name}, args...)...)
	}
	if p.Command == "" {
		return fail("%w: the command is empty", ErrNoCredentials)
	}
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = DefaultProcessTimeout
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := shellCommand(ctx, p.Command) // per OS: the shell, and stopping its whole process tree
	cmd.WaitDelay = time.Second         // do not wait long for grandchildren holding the pipes
	var out limitedBuffer
	out.limit = maxProcessOutput
	cmd.Stdout = &out
	cmd.Stderr = p.Stderr
	if cmd.Stderr == nil {
		cmd.Stderr = os.Stderr
	}
	err := cmd.Run()
	if errors.Is(err, exec.ErrWaitDelay) && cmd.ProcessState != nil && cmd.ProcessState.Success() {
		// The command succeeded but left a background child holding its
		// output: what it printed before exiting is what counts.
		err = nil
	}
	switch {
	case err != nil && parent.Err() != nil:
		return fail("the credential process was stopped: %w", parent.Err())
	case err != nil && ctx.Err() != nil:
		return fail("the credential process did not finish within %v: %w", timeout, ctx.Err())
	case err != nil:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fail("the credential process failed: %s", ee.ProcessState)
		}
		return fail("cannot run the credential process: %w", cause(err))
	case out.over:
		return fail("the credential process printed more than %d bytes", maxProcessOutput)
	}
	c, err := parseProcessOutput(out.buf.Bytes())
	if err != nil {
		return fail("%w", err)
	}
	c.Source = name
	return c, nil
}

// parseProcessOutput decodes and checks the output of a credential process.
// Its errors never quote the output, except an Expiration value.
func parseProcessOutput(raw []byte) (Credentials, error) {
	fail := func(format string, args ...any) (Credentials, error) {
		return Credentials{}, fmt.Errorf(format, args...)
	}
	var po processOutput
	if err := json.Unmarshal(raw, &po); err != nil {
		// The error text of encoding/json names types and offsets, never values.
		return fail("the credential process's output is not the expected JSON: %v", err)
	}
	if po.Version != 1 {
		return fail("the credential process's output has Version %d; only 1 is supported", po.Version)
	}
	if po.AccessKeyID == "" || po.SecretAccessKey == "" {
		return fail("the credential process's output lacks AccessKeyId or SecretAccessKey")
	}
	c := Credentials{AccessKeyID: po.AccessKeyID, SecretAccessKey: po.SecretAccessKey, SessionToken: po.SessionToken}
	if po.Expiration != "" {
		t, err := time.Parse(time.RFC3339, po.Expiration)
		if err != nil {
			return fail("the credential process's Expiration %s is not an RFC 3339 time", strconv.Quote(po.Expiration))
		}
		c.Expires = t
	}
	return c, nil
}

// String implements fmt.Stringer without revealing the command line.
func (p ProcessCredentialsProvider) String() string {
	if p.Name != "" {
		return "ProcessCredentialsProvider{" + p.Name + "}"
	}
	return "ProcessCredentialsProvider"
}

// GoString implements fmt.GoStringer (%#v) without revealing the command line.
func (p ProcessCredentialsProvider) GoString() string { return "cwlogs." + p.String() }

// limitedBuffer keeps the first limit bytes written to it and records whether
// more came; writes never fail, so the process is not killed by a broken pipe.
// The buffer is a field, not embedded, so that io.Copy cannot bypass Write
// through bytes.Buffer's ReadFrom.
type limitedBuffer struct {
	buf   bytes.Buffer
	limit int
	over  bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if room := b.limit - b.buf.Len(); n > room {
		b.over = true
		p = p[:max(room, 0)]
	}
	b.buf.Write(p)
	return n, nil
}
