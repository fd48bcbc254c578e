package cwlogs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// writeScript writes an executable shell script into a temporary directory and
// returns its path.
func writeScript(t *testing.T, body string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the credential process tests use POSIX shell scripts")
	}
	p := filepath.Join(t.TempDir(), "creds.sh")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o700); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestProcessCredentialsProvider(t *testing.T) {
	exp := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		script  string
		timeout time.Duration
		want    Credentials
		wantErr string // substring of the error; "" means success
	}{
		{"full", `echo '{"Version":1,"AccessKeyId":"AKIDPROC","SecretAccessKey":"SECRETPROC","SessionToken":"TOKENPROC","Expiration":"2026-11-27T12:00:00Z"}'`, 0,
			Credentials{AccessKeyID: "AKIDPROC", SecretAccessKey: "SECRETPROC", SessionToken: "TOKENPROC", Expires: exp, Source: "test"}, ""},
		{"long-term keys, other members ignored", `printf '{"Version":1,"AccessKeyId":"AKIDPROC","SecretAccessKey":"SECRETPROC","AccountId":"123"}'`, 0,
			Credentials{AccessKeyID: "AKIDPROC", SecretAccessKey: "SECRETPROC", Source: "test"}, ""},
		{"version 2", `echo '{"Version":2,"AccessKeyId":"A","SecretAccessKey":"SECRETPROC"}'`, 0, Credentials{}, "Version 2; only 1 is supported"},
		{"missing version", `echo '{"AccessKeyId":"A","SecretAccessKey":"SECRETPROC"}'`, 0, Credentials{}, "Version 0"},
		{"no secret", `echo '{"Version":1,"AccessKeyId":"A"}'`, 0, Credentials{}, "lacks AccessKeyId or SecretAccessKey"},
		{"not JSON", `echo 'SECRETPROC is not json'`, 0, Credentials{}, "not the expected JSON"},
		{"wrong type", `echo '{"Version":1,"AccessKeyId":7,"SecretAccessKey":"SECRETPROC"}'`, 0, Credentials{}, "not the expected JSON"},
		{"bad expiration", `echo '{"Version":1,"AccessKeyId":"A","SecretAccessKey":"SECRETPROC","Expiration":"tomorrow"}'`, 0, Credentials{}, `Expiration "tomorrow" is not an RFC 3339 time`},
		{"exit status", `echo '{"Version":1,"AccessKeyId":"A","SecretAccessKey":"SECRETPROC"}'; exit 3`, 0, Credentials{}, "failed: exit status 3"},
		{"too much output", `head -c 70000 /dev/zero | tr '\0' x`, 0, Credentials{}, "more than 65536 bytes"},
		{"timeout", `sleep 30`, 100 * time.Millisecond, Credentials{}, "did not finish within 100ms"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := ProcessCredentialsProvider{Command: writeScript(t, tc.script) + " --password=SECRETARG", Timeout: tc.timeout, Name: "test", Stderr: &bytes.Buffer{}}
			start := time.Now()
			got, err := p.Retrieve(context.Background())
			if time.Since(start) > 10*time.Second {
				t.Errorf("Retrieve took %v", time.Since(start))
			}
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got != tc.want {
					t.Fatalf("got %#v, want %#v", got, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.HasPrefix(err.Error(), "cwlogs: test: ") {
				t.Fatalf("err = %v, want one starting with the provider's name and mentioning %q", err, tc.wantErr)
			}
			if errors.Is(err, ErrNoCredentials) {
				t.Errorf("a failing credential_process matches ErrNoCredentials: %v", err)
			}
			if s := fmt.Sprintf("%v %+v", err, err); strings.Contains(s, "SECRET") {
				t.Errorf("the error reveals the command line or its output: %s", s)
			}
		})
	}
}

func TestProcessCredentialsProviderContextAndStderr(t *testing.T) {
	var stderr bytes.Buffer
	p := ProcessCredentialsProvider{Command: writeScript(t, "echo diagnostics >&2; sleep 30"), Stderr: &stderr}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := p.Retrieve(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "credential_process: the credential process was stopped") {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(stderr.String(), "diagnostics") {
		t.Errorf("stderr = %q, want the process's diagnostics", stderr.String())
	}

	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Retrieve(canceled); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if _, err := (ProcessCredentialsProvider{}).Retrieve(context.Background()); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("empty command: err = %v, want ErrNoCredentials", err)
	}
	notFound := ProcessCredentialsProvider{Command: filepath.Join(t.TempDir(), "missing"), Stderr: &stderr}
	if _, err := notFound.Retrieve(context.Background()); err == nil || !strings.Contains(err.Error(), "exit status 127") {
		t.Errorf("missing command: err = %v, want the shell's exit status 127", err)
	}
	q := ProcessCredentialsProvider{Command: "get-creds --token SECRETARG", Name: `credential_process of profile "x"`}
	if s := fmt.Sprintf("%v %+v %#v", q, q, q); strings.Contains(s, "SECRET") {
		t.Errorf("formatting reveals the command line: %s", s)
	}
}

// TestNewFromEnvironmentCredentialProcess runs a profile's credential_process
// through NewFromEnvironment: the requests are signed with its keys (the fake
// server verifies them), it runs once while the credentials are fresh, and
// again when they are within the refresh window of expiring.
func TestNewFromEnvironmentCredentialProcess(t *testing.T) {
	now := time.Now().UTC()
	for _, tc := range []struct {
		name       string
		expiration string
		wantRuns   string
	}{
		{"no expiry", "", "1"},
		{"fresh for an hour", now.Add(time.Hour).Format(time.RFC3339), "1"},
		{"within the refresh window", now.Add(30 * time.Second).Format(time.RFC3339), "3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			count := filepath.Join(dir, "runs")
			exp := ""
			if tc.expiration != "" {
				exp = `,"Expiration":"` + tc.expiration + `"`
			}
			script := writeScript(t, fmt.Sprintf(`echo x >> %q
echo '{"Version":1,"AccessKeyId":"%s","SecretAccessKey":"%s","SessionToken":"TOK"%s}'
`, count, testAKID, testSecret, exp))
			setupHome(t, "[other]\naws_access_key_id=A\naws_secret_access_key=B\n",
				"[profile edge]\nregion = eu-central-1\ncredential_process = "+script+" --role gateway\n")
			t.Setenv("AWS_PROFILE", "edge")
			f := newFakeLogs(t, nil)
			t.Setenv("AWS_ENDPOINT_URL", f.srv.URL)
			c, err := NewFromEnvironment(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(count); err == nil {
				t.Fatal("the credential process ran before the first request")
			}
			for range 3 {
				if err := c.CreateLogGroup(context.Background(), &CreateLogGroupInput{LogGroupName: "g"}); err != nil {
					t.Fatal(err)
				}
			}
			for _, r := range f.requests() {
				if r.VerifyErr != nil || r.Token != "TOK" {
					t.Fatalf("request not signed with the process's credentials: %v, token %q", r.VerifyErr, r.Token)
				}
			}
			runs, _ := os.ReadFile(count)
			if got := fmt.Sprint(bytes.Count(runs, []byte("x"))); got != tc.wantRuns {
				t.Errorf("the process ran %s times for 3 requests, want %s", got, tc.wantRuns)
			}
		})
	}
}

// TestSharedCredentialsOrder pins the AWS CLI's order within a profile: static
// keys in the credentials file, then credential_process, then static keys in
// the config file; a login-only SSO setting does not hide static keys.
func TestSharedCredentialsOrder(t *testing.T) {
	script := writeScript(t, `echo '{"Version":1,"AccessKeyId":"AKIDPROC","SecretAccessKey":"S"}'`)
	creds := "[both]\naws_access_key_id = AKIDCRED\naws_secret_access_key = S\n[ssokeys]\naws_access_key_id = AKIDCRED\naws_secret_access_key = S\n"
	config := "[profile both]\ncredential_process = " + script + "\n" +
		"[profile proc]\ncredential_process = " + script + "\naws_access_key_id = AKIDCFG\naws_secret_access_key = S\n" +
		"[profile ssokeys]\nsso_start_url = https://corp.awsapps.com/start\n" +
		"[profile none]\nregion = us-east-1\n"
	dir := t.TempDir()
	credFile, cfgFile := filepath.Join(dir, "credentials"), filepath.Join(dir, "config")
	os.WriteFile(credFile, []byte(creds), 0o600)
	os.WriteFile(cfgFile, []byte(config), 0o600)
	for _, tc := range []struct{ profile, akid, err string }{
		{"both", "AKIDCRED", ""},
		{"proc", "AKIDPROC", ""},
		{"ssokeys", "AKIDCRED", ""}, // sso_start_url alone only configures `aws sso login`
		{"none", "", "has no aws_access_key_id or credential_process"},
		{"absent", "", "not found"},
	} {
		p := SharedCredentialsProvider{CredentialsFile: credFile, ConfigFile: cfgFile, Profile: tc.profile}
		got, err := p.Retrieve(context.Background())
		if tc.err != "" {
			if !errors.Is(err, ErrNoCredentials) || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err = %v, want ErrNoCredentials mentioning %q", tc.profile, err, tc.err)
			}
			continue
		}
		if err != nil || got.AccessKeyID != tc.akid {
			t.Errorf("%s: got %v, %v; want key %s", tc.profile, got, err, tc.akid)
		}
	}
}
