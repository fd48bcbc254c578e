package main

import (
	"context"
	"encoding/pem"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cwlogs/cwlogs/localserver"
)

// TestConfiguration checks that the CLI finds its region, credentials and
// endpoint as the AWS CLI does, and maps failures to exit statuses.
func TestConfiguration(t *testing.T) {
	url := startLocal(t)

	t.Run("profile files", func(t *testing.T) {
		c := newCLI(t, "")
		aws := c.withoutKeys()
		delete(c.env, "AWS_REGION")
		os.WriteFile(filepath.Join(aws, "config"), []byte("[profile dev]\nregion = ap-southeast-2\nendpoint_url = "+url+"\n"), 0o600)
		os.WriteFile(filepath.Join(aws, "credentials"), []byte("[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = dev-secret\n"), 0o600)
		c.mustRun(0, "", "--profile", "dev", "create-group", "from-profile")
		r := c.mustRun(0, "", "groups", "--profile", "dev", "--output", "json")
		if !strings.Contains(r.stdout, "arn:aws:logs:ap-southeast-2:") {
			t.Errorf("profile region not used: %s", r.stdout)
		}
		c.env["AWS_PROFILE"] = "dev"
		r = c.mustRun(0, "", "groups", "--region", "eu-central-1", "--output", "json")
		if !strings.Contains(r.stdout, "arn:aws:logs:eu-central-1:") {
			t.Errorf("--region does not override the profile: %s", r.stdout)
		}
		r = c.mustRun(2, "", "groups", "--profile", "nope")
		if !strings.Contains(r.stderr, "nope") {
			t.Errorf("unknown profile: %q", r.stderr)
		}
	})

	t.Run("missing region", func(t *testing.T) {
		c := newCLI(t, url)
		delete(c.env, "AWS_REGION")
		r := c.mustRun(2, "", "groups")
		if !strings.Contains(r.stderr, "no region: give --region") {
			t.Errorf("stderr: %q", r.stderr)
		}
	})

	t.Run("missing credentials", func(t *testing.T) {
		c := newCLI(t, url)
		delete(c.env, "AWS_ACCESS_KEY_ID")
		delete(c.env, "AWS_SECRET_ACCESS_KEY")
		r := c.mustRun(2, "", "groups")
		if r.stderr == "" || r.stdout != "" {
			t.Errorf("stdout %q stderr %q", r.stdout, r.stderr)
		}
	})

	t.Run("endpoint flag wins over the environment", func(t *testing.T) {
		c := newCLI(t, "http://127.0.0.1:1")
		c.mustRun(0, "", "groups", "--endpoint-url", url)
		c.mustRun(0, "", "--endpoint-url="+url, "groups")
	})

	t.Run("network error", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close() // nothing listens there now
		c := newCLI(t, "http://"+addr)
		c.env["AWS_MAX_ATTEMPTS"] = "1"
		r := c.mustRun(1, "", "groups")
		if !strings.HasPrefix(r.stderr, "cwlogs: ") || !strings.Contains(r.stderr, "connect") {
			t.Errorf("stderr: %q", r.stderr)
		}
	})

	t.Run("ca bundle", func(t *testing.T) {
		ls, err := localserver.New(localserver.Config{Memory: true})
		if err != nil {
			t.Fatal(err)
		}
		defer ls.Shutdown(context.Background())
		ts := httptest.NewTLSServer(ls)
		defer ts.Close()
		bundle := filepath.Join(t.TempDir(), "ca.pem")
		os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}), 0o600)
		c := newCLI(t, ts.URL)
		c.env["AWS_MAX_ATTEMPTS"] = "1"
		r := c.mustRun(1, "", "groups")
		if !strings.Contains(r.stderr, "certificate signed by unknown authority") {
			t.Errorf("without a bundle: stderr %q", r.stderr)
		}
		c.mustRun(0, "", "create-group", "tls", "--ca-bundle", bundle)
		c.env["AWS_CA_BUNDLE"] = bundle
		r = c.mustRun(0, "", "groups")
		if !strings.Contains(r.stdout, "tls") {
			t.Errorf("AWS_CA_BUNDLE: groups printed %q", r.stdout)
		}
		r = c.mustRun(2, "", "groups", "--ca-bundle", bundle+".missing")
		if !strings.Contains(r.stderr, "caBundle") || !strings.Contains(r.stderr, "cannot be read") {
			t.Errorf("missing bundle: stderr %q", r.stderr)
		}
	})

	t.Run("credential_process", func(t *testing.T) {
		c := newCLI(t, url)
		aws := c.withoutKeys()
		script := filepath.Join(aws, "creds.sh")
		os.WriteFile(script, []byte("#!/bin/sh\necho '{\"Version\":1,\"AccessKeyId\":\"AKIDPROC\",\"SecretAccessKey\":\"proc-secret\"}'\n"), 0o700)
		os.WriteFile(filepath.Join(aws, "config"), []byte("[default]\ncredential_process = "+script+"\n"), 0o600)
		c.mustRun(0, "", "create-group", "from-process")
		os.WriteFile(script, []byte("#!/bin/sh\nexit 4\n"), 0o700)
		r := c.mustRun(1, "", "groups")
		if !strings.Contains(r.stderr, "exit status 4") || strings.Contains(r.stderr, script) {
			t.Errorf("failing process: stderr %q", r.stderr)
		}
	})

	t.Run("sso profile without a login", func(t *testing.T) {
		c := newCLI(t, url)
		aws := c.withoutKeys()
		os.WriteFile(filepath.Join(aws, "config"), []byte("[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Writer\n"+
			"[sso-session corp]\nsso_region = us-east-1\nsso_start_url = https://corp.awsapps.com/start\n"), 0o600)
		r := c.mustRun(2, "", "groups", "--profile", "dev")
		if !strings.Contains(r.stderr, "aws sso login --profile dev") || !strings.Contains(r.stderr, "retrieving credentials") {
			t.Errorf("stderr: %q", r.stderr)
		}
	})

	t.Run("bad endpoint", func(t *testing.T) {
		c := newCLI(t, "")
		c.mustRun(2, "", "groups", "--endpoint-url", "ftp://example.com")
	})

	t.Run("global flags after --", func(t *testing.T) {
		c := newCLI(t, url)
		c.mustRun(0, "", "create-group", "dashes")
		c.mustRun(0, "", "create-stream", "dashes", "s")
		// After "--", --output is a message, not a flag.
		r := c.mustRun(0, "", "put", "dashes", "s", "--", "--output", "-x")
		if !strings.Contains(r.stderr, "events=2 sent=2") || r.stdout != "" {
			t.Errorf("put after --: stdout %q stderr %q", r.stdout, r.stderr)
		}
		r = c.mustRun(0, "", "get", "dashes", "s")
		if !strings.Contains(r.stdout, "  --output\n") || !strings.Contains(r.stdout, "  -x\n") {
			t.Errorf("get: %q", r.stdout)
		}
	})

	t.Run("local time zone", func(t *testing.T) {
		c := newCLI(t, url)
		c.env["TZ"] = "Asia/Kolkata"
		c.mustRun(0, "", "create-group", "tz")
		r := c.mustRun(0, "", "groups", "--prefix", "tz", "--local")
		if !strings.Contains(r.stdout, "+05:30") {
			t.Errorf("--local: %q", r.stdout)
		}
		r = c.mustRun(0, "", "groups", "--prefix", "tz")
		if !strings.Contains(r.stdout, "Z  ") {
			t.Errorf("default UTC: %q", r.stdout)
		}
	})
}

// TestNoColorWhenPiped: output captured by a pipe never has escape codes,
// even with a colour-friendly TERM.
func TestNoColorWhenPiped(t *testing.T) {
	c := newCLI(t, startLocal(t))
	c.env["TERM"] = "xterm-256color"
	c.mustRun(0, "", "create-group", "plain")
	for _, args := range [][]string{{"groups"}, {"help"}, {"get", "plain", "x"}} {
		r := c.run("", args...)
		if strings.Contains(r.stdout+r.stderr, "\x1b[") {
			t.Errorf("%v: escape codes in piped output: %q", args, r.stdout+r.stderr)
		}
	}
}

// TestCompletionScripts checks the scripts with the shells' syntax checkers
// when the shells are installed, and that every command appears.
func TestCompletionScripts(t *testing.T) {
	c := newCLI(t, "")
	tr := &transcript{t: t, norm: &normalizer{}}
	for _, sh := range []struct{ name, check string }{{"bash", "-n"}, {"zsh", "-n"}, {"fish", "--no-execute"}} {
		r := c.mustRun(0, "", "completion", sh.name)
		tr.add(r)
		for _, info := range commands {
			if !strings.Contains(r.stdout, info.name) {
				t.Errorf("%s script lacks %s", sh.name, info.name)
			}
		}
		path, err := exec.LookPath(sh.name)
		if err != nil {
			t.Logf("%s not installed: syntax not checked", sh.name)
			continue
		}
		f := filepath.Join(t.TempDir(), "script")
		os.WriteFile(f, []byte(r.stdout), 0o600)
		if out, err := exec.Command(path, sh.check, f).CombinedOutput(); err != nil {
			t.Errorf("%s %s: %v\n%s", sh.name, sh.check, err, out)
		}
	}
	tr.check("completion")
}

// TestBashCompletionBehaviour loads the bash script and asks it for
// completions, as bash would on <TAB>.
func TestBashCompletionBehaviour(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not installed")
	}
	script := newCLI(t, "").mustRun(0, "", "completion", "bash").stdout
	tests := []struct {
		line string // words; the last one is being completed
		want string
	}{
		{"cwlogs gr", "groups"},
		{"cwlogs --region us-east-1 str", "streams"},
		{"cwlogs streams app --order-by ", "last-event name"},
		{"cwlogs tail app --fo", "--follow"},
		{"cwlogs --output ", "json table text"},
		{"cwlogs completion ", "bash fish zsh"},
		{"cwlogs call put-metric-f", "put-metric-filter"},
		{"cwlogs call --paginate describe-log-g", "describe-log-groups"},
		{"cwlogs --region r call --cli-input-json {} --max-items 5 describe-log-s", "describe-log-streams"},
		{"cwlogs call start-live-t", ""}, // an event stream: call refuses it
		{"cwlogs call describe-log-groups desc", ""},
		{"cwlogs call describe-log-groups --pag", "--page-size --paginate"},
	}
	for _, tc := range tests {
		words := strings.Split(tc.line, " ")
		prog := script + `
COMP_WORDS=(` + quoteWords(words) + `)
COMP_CWORD=` + strconv.Itoa(len(words)-1) + `
_cwlogs
printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
`
		out, err := exec.Command(bash, "-c", prog).CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", tc.line, err, out)
		}
		if got := strings.TrimSpace(string(out)); got != tc.want {
			t.Errorf("%q: completions %q, want %q", tc.line, got, tc.want)
		}
	}
}

func quoteWords(ws []string) string {
	q := make([]string, len(ws))
	for i, w := range ws {
		q[i] = "'" + w + "'"
	}
	return strings.Join(q, " ")
}

// withoutKeys removes the test keys from c's environment, so that the
// credentials come from the ~/.aws files, and returns the ~/.aws directory
// (created) for them.
func (c *cli) withoutKeys() string {
	delete(c.env, "AWS_ACCESS_KEY_ID")
	delete(c.env, "AWS_SECRET_ACCESS_KEY")
	aws := filepath.Join(c.env["HOME"], ".aws")
	os.MkdirAll(aws, 0o700)
	return aws
}
