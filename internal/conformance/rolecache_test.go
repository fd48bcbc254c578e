//go:build unix

package conformance

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/internal/credchain"
)

// TestRoleCacheSharedWithAWSCLI: the AWS CLI (v1: Debian's v2.9 cannot be
// pointed at an STS stand-in) keeps assumed-role sessions in
// ~/.aws/cli/cache. A session it started, after asking for an MFA code, is
// used by cwlogs with WithRoleCache without calling STS or asking again; and
// a session cwlogs started is used by the AWS CLI the same way.
func TestRoleCacheSharedWithAWSCLI(t *testing.T) {
	cli := findCLI(t, 1)
	if cli == nil {
		return
	}
	peers := credchain.StartPeers(t)
	layout := credchain.Case{
		Credentials: "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = s\n",
		Config:      "[default]\nrole_arn = arn:aws:iam::123456789012:role/cached\nsource_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/dev\nduration_seconds = 3600\n",
	}
	home := t.TempDir()
	env := layout.Setup(t, home, peers)
	cacheDir := filepath.Join(home, ".aws", "cli", "cache")
	const wantKey, wantCall = "ASIAROLECACHED", "AssumeRole arn:aws:iam::123456789012:role/cached AKIABASE session=default external= duration=3600 mfa=arn:aws:iam::123456789012:mfa/dev"

	// awsCLI runs `aws logs delete-log-group` as the layout's user, with
	// stdin as what is typed at the MFA prompt. It has no controlling
	// terminal, so that getpass reads stdin.
	awsCLI := func(typed string) {
		t.Helper()
		cmd := exec.Command(cli.path, "logs", "delete-log-group", "--log-group-name", "g")
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "AWS_PAGER="}
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		cmd.Stdin = strings.NewReader(typed)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("aws: %v: %s", err, stderr.String())
		}
	}
	cwlogsCall := func(asked *int) {
		t.Helper()
		credchain.SetEnv(t, env)
		c, err := cwlogs.NewFromEnvironment(context.Background(), cwlogs.WithRoleCache(""),
			cwlogs.WithMFATokenCode(func(context.Context, string) (string, error) { *asked++; return credchain.MFACode, nil }))
		if err == nil {
			err = c.DeleteLogGroup(context.Background(), &cwlogs.DeleteLogGroupInput{LogGroupName: "g"})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	check := func(who string, wantCalls []string) {
		t.Helper()
		key := peers.LogsKey()
		if calls := peers.TakeCalls(); strings.Join(calls, "|") != strings.Join(wantCalls, "|") || key != wantKey {
			t.Fatalf("%s: signed with %q after STS calls %q; want %q after %q", who, key, calls, wantKey, wantCalls)
		}
	}

	// The AWS CLI starts the session (asking for the code), cwlogs reuses it.
	awsCLI(credchain.MFACode + "\n")
	check("aws, empty cache", []string{wantCall})
	if files, _ := filepath.Glob(filepath.Join(cacheDir, "*.json")); len(files) != 1 {
		t.Fatalf("the AWS CLI left cache files %q, want one", files)
	}
	asked := 0
	cwlogsCall(&asked)
	check("cwlogs after aws", nil)
	if asked != 0 {
		t.Errorf("cwlogs asked for an MFA code %d times with the AWS CLI's session cached", asked)
	}

	// cwlogs starts the session, the AWS CLI reuses it: nothing is typed, so
	// a prompt would fail the command.
	if err := os.RemoveAll(cacheDir); err != nil {
		t.Fatal(err)
	}
	cwlogsCall(&asked)
	check("cwlogs, empty cache", []string{wantCall})
	if asked != 1 {
		t.Errorf("cwlogs asked for an MFA code %d times, want 1", asked)
	}
	awsCLI("")
	check("aws after cwlogs", nil)
}
