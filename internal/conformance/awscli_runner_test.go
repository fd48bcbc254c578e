package conformance

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/internal/testpeer"
)

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
				if _, stderr, code, err := testpeer.RunAWSCLIProcess(cli.path, cli.env, append(setup, ep...)); err != nil || code != 0 {
					t.Fatalf("aws %s: exit %d, %v: %s", shellJoin(setup), code, err, stderr)
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
					if _, stderr, _, err := runner.Run(tc.cli.env, append(slices.Clone(tc.before), ep...)); err != nil {
						t.Fatalf("aws %s: %v: %s", shellJoin(tc.before), err, stderr)
					}
				}
				full := append(append([]string(nil), tc.args...), ep...)
				pOut, pErr, pCode, pRunErr := testpeer.RunAWSCLIProcess(tc.cli.path, tc.cli.env, full)
				rOut, rErr, rCode, rRunErr := runner.Run(tc.cli.env, full)
				if pRunErr != nil || rRunErr != nil {
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
