package conformance

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/internal/testpeer"
)

// Commands of the AWS CLI run in testpeer.AWSCLIRunner's runner processes (a process start
// costs about a second of CPU, four fifths of the whole), unless CWLOGS_AWS_CLI_PROCESS=1 or
// the CLI is not a Python script. Tests that need the executable itself (a terminal, a
// signal, a stream read while it runs, --version) run it.

// cliExitError is a non-zero exit status reported by a runner, as *exec.ExitError is a
// process's.
type cliExitError struct{ code int }

func (e *cliExitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// runInRunner runs `aws FULL...` with c's environment in c's runner; ok is false when c's
// commands run as processes.
func (c *awsCLI) runInRunner(full []string) (stdout, stderr []byte, ok bool, err error) {
	r, err := testpeer.AWSCLIRunnerFor(c.path, c.version)
	if err != nil || r == nil {
		return nil, nil, err != nil, err
	}
	stdout, stderr, code, err := r.Run(c.env, full)
	if err == nil && code != 0 {
		err = &cliExitError{code}
	}
	return stdout, stderr, true, err
}

// errIsExit reports whether err is a non-zero exit status, from a runner or a process, and
// returns the status.
func errIsExit(err error) (int, bool) {
	var ce *cliExitError
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ce):
		return ce.code, true
	case errors.As(err, &ee):
		return ee.ExitCode(), true
	}
	return 0, false
}

// TestAWSCLIRunnerMatchesProcess: for each CLI, the commands a runner runs print, byte for
// byte, what the executable prints, and exit as it does: output in JSON, text and table,
// non-ASCII messages and arguments, a query, a service error, an argument error, --version,
// help (run as a process), an environment that changes from one command to the next (wrong
// credentials, then right), and commands after one with --debug, which must print nothing
// of the logging it set up (the runner also puts the logging configuration back after each
// command, which this does not see: a leftover handler writes to the old command's stderr).
func TestAWSCLIRunnerMatchesProcess(t *testing.T) {
	t.Parallel()
	for _, major := range []int{1, 2} {
		t.Run(fmt.Sprintf("v%d", major), func(t *testing.T) {
			t.Parallel()
			cli := findCLI(t, major)
			runner, err := testpeer.AWSCLIRunnerFor(cli.path, cli.version)
			if err != nil {
				t.Fatal(err)
			}
			if runner == nil {
				t.Skipf("%s runs every command as a process (not a Python script, or CWLOGS_AWS_CLI_PROCESS=1): nothing to compare", cli.path)
			}
			srv := startServer(t)
			cli.configure(t, srv.URL(), testAccessKeyID, testSecretAccessKey)
			ep := []string{"--endpoint-url", srv.URL()}
			now := strconv.FormatInt(time.Now().UnixMilli(), 10)
			for _, setup := range [][]string{
				{"logs", "create-log-group", "--log-group-name", "g"},
				{"logs", "create-log-stream", "--log-group-name", "g", "--log-stream-name", "s"},
				{"logs", "put-log-events", "--log-group-name", "g", "--log-stream-name", "s", "--log-events",
					`[{"timestamp":` + now + `,"message":"héllo ✓ \"quoted\" tab\there"},{"timestamp":` + now + `,"message":"二行目"}]`},
			} {
				if _, stderr, err := cli.execProcess(append(setup, ep...)); err != nil {
					t.Fatalf("aws %s: %v: %s", shellJoin(setup), err, stderr)
				}
			}
			bad := cli.with("AWS_SECRET_ACCESS_KEY=not-the-secret")
			svcErr := map[int]int{1: 255, 2: 254}[major] // a service error's exit status
			argErr := map[int]int{1: 2, 2: 252}[major]   // an argument error's
			debug := []string{"logs", "describe-log-groups", "--debug"}
			for _, tc := range []struct {
				cli    *awsCLI
				args   []string
				code   int      // the process's exit status, checked so that a case cannot pass by failing alike
				before []string // run in the runner first, unchecked: what it leaves must not show
			}{
				{cli, []string{"logs", "describe-log-groups"}, 0, nil},
				{cli, []string{"logs", "describe-log-groups", "--output", "text"}, 0, nil},
				{cli, []string{"logs", "describe-log-groups", "--output", "table"}, 0, nil},
				{cli, []string{"logs", "get-log-events", "--log-group-name", "g", "--log-stream-name", "s", "--output", "json"}, 0, nil},
				{cli, []string{"logs", "get-log-events", "--log-group-name", "g", "--log-stream-name", "s", "--output", "text"}, 0, nil},
				{cli, []string{"logs", "get-log-events", "--log-group-name", "g", "--log-stream-name", "s", "--output", "table"}, 0, nil},
				{cli, []string{"logs", "describe-log-streams", "--log-group-name", "g", "--query", "logStreams[].{n: logStreamName, first: firstEventTimestamp}"}, 0, nil},
				{cli, []string{"logs", "put-retention-policy", "--log-group-name", "g", "--retention-in-days", "7"}, 0, nil},
				{cli, []string{"logs", "create-log-group", "--log-group-name", "g"}, svcErr, nil},
				{bad, []string{"logs", "describe-log-groups"}, svcErr, nil},
				{cli, []string{"logs", "describe-log-groups", "--limit", "1"}, 0, nil},
				{cli, []string{"logs", "create-log-group"}, argErr, nil},
				{cli, []string{"logs", "no-such-command"}, argErr, nil},
				{cli, []string{"--version"}, 0, nil},
				{cli, []string{"logs", "describe-log-groups", "--log-group-name-prefix", "é✓"}, svcErr, nil}, // the message quotes it
				{cli, []string{"logs", "describe-log-groups", "--query", "logGroups[?logGroupName != '二行目'].logGroupName"}, 0, nil},
				{cli, []string{"logs", "describe-log-groups", "help"}, 0, nil}, // a process on both sides: the pager writes to fd 1
				{cli, []string{"logs", "describe-log-groups"}, 0, debug},       // nothing of --debug shows
				{bad, []string{"logs", "describe-log-groups"}, svcErr, debug},
			} {
				if tc.before != nil {
					if _, stderr, _, err := tc.cli.runInRunner(append(slices.Clone(tc.before), ep...)); err != nil {
						if _, exit := errIsExit(err); !exit {
							t.Fatalf("aws %s: %v: %s", shellJoin(tc.before), err, stderr)
						}
					}
				}
				full := append(append([]string(nil), tc.args...), ep...)
				pOut, pErr, pRunErr := tc.cli.execProcess(full)
				rOut, rErr, _, rRunErr := tc.cli.runInRunner(full)
				pCode, pExit := errIsExit(pRunErr)
				rCode, rExit := errIsExit(rRunErr)
				if (pRunErr != nil && !pExit) || (rRunErr != nil && !rExit) {
					t.Fatalf("aws %s: process: %v, runner: %v", shellJoin(tc.args), pRunErr, rRunErr)
				}
				if pCode != tc.code {
					t.Errorf("aws %s: the process exited %d, want %d (stderr %q)", shellJoin(tc.args), pCode, tc.code, pErr)
				}
				if rCode != pCode || !bytes.Equal(rOut, pOut) || !bytes.Equal(rErr, pErr) {
					t.Errorf("aws %s:\nprocess: exit %d\nstdout %q\nstderr %q\nrunner: exit %d\nstdout %q\nstderr %q",
						shellJoin(tc.args), pCode, pOut, pErr, rCode, rOut, rErr)
				}
			}
		})
	}
}
