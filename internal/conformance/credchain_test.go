package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/internal/credchain"
	"github.com/cwlogs/cwlogs/internal/testpeer"
)

// TestCredentialChainMatchesBotocore: for each layout of environment variables
// and ~/.aws files (internal/credchain), cwlogs.NewFromEnvironment must sign a
// real request with the access key that botocore (the AWS CLI's engine)
// resolves, after the same calls to the stand-ins for STS, the SSO portal and
// the container endpoint. The key cwlogs used is read off the Authorization
// header the Logs stand-in received.
func TestCredentialChainMatchesBotocore(t *testing.T) {
	python := testpeer.Botocore(t)
	if python == "" {
		return
	}
	peers := credchain.StartPeers(t)
	for _, tc := range credchain.Cases() {
		t.Run(tc.Name, func(t *testing.T) {
			env := tc.Setup(t, t.TempDir(), peers)

			// botocore, in a clean environment.
			cmd := exec.Command(python, "-c", credchain.BotocoreScript)
			cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
			for k, v := range env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			var out, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("botocore: %v: %s", err, stderr.String())
			}
			boto := strings.TrimSpace(out.String())
			botoCalls := peers.TakeCalls()

			// cwlogs, in the same environment: the key on the wire.
			credchain.SetEnv(t, env)
			got := ""
			c, err := cwlogs.NewFromEnvironment(context.Background(), cwlogs.WithMFATokenCode(func(context.Context, string) (string, error) {
				return credchain.MFACode, nil
			}))
			if err == nil {
				err = c.DeleteLogGroup(context.Background(), &cwlogs.DeleteLogGroupInput{LogGroupName: "g"})
			}
			if err != nil {
				got = "ERROR " + err.Error()
			} else {
				got = peers.LogsKey()
			}
			ourCalls := peers.TakeCalls()

			if tc.Want == "ERROR" {
				// No credentials anywhere: botocore finds none (None), cwlogs says so.
				if boto != "NONE" || !errors.Is(err, cwlogs.ErrNoCredentials) {
					t.Fatalf("cwlogs %q, botocore %q; want ErrNoCredentials and None", got, boto)
				}
				return
			}

			if credchain.First(got) != credchain.First(boto) || credchain.First(got) != tc.Want {
				t.Fatalf("cwlogs used %q, botocore %q; want %q", got, boto, tc.Want)
			}
			if fmt.Sprint(ourCalls) != fmt.Sprint(botoCalls) {
				t.Errorf("calls to STS/SSO/container differ:\n cwlogs:   %q\n botocore: %q", ourCalls, botoCalls)
			}
		})
	}
}
