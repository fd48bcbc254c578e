package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tokenRefused is what cwlogs prints when the server refuses a key for its session token.
const tokenRefused = "cwlogs: UnrecognizedClientException: The security token included in the request is invalid."

// servedKeyCase is a key a client sends to cwlogs serve and how "cwlogs groups" with it ends.
type servedKeyCase struct {
	name, id, secret, token string
	want                    int    // exit status
	stderr                  string // prefix of what is printed on stderr
}

// checkServedKeys runs "cwlogs groups" against p with each case's key, then stops p and
// checks that its log counts one temporary key and shows none of the secrets (its token
// and secret key).
func checkServedKeys(t *testing.T, p *serveProc, cases []servedKeyCase, secrets ...string) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newCLI(t, p.url)
			c.env["AWS_ACCESS_KEY_ID"], c.env["AWS_SECRET_ACCESS_KEY"], c.env["AWS_SESSION_TOKEN"] = tc.id, tc.secret, tc.token
			r := c.mustRun(tc.want, "", "groups", "--output", "json")
			if !strings.HasPrefix(r.stderr, tc.stderr) {
				t.Errorf("stderr %q, want prefix %q", r.stderr, tc.stderr)
			}
		})
	}
	p.stop(t)
	log := p.stderr.String()
	shown := slices.ContainsFunc(secrets, func(s string) bool { return strings.Contains(log, s) })
	if !strings.Contains(log, "1 temporary") || shown {
		t.Errorf("serve's log should count the temporary key and show neither its token nor its secret:\n%s", log)
	}
}

// TestServeSessionToken: a key given --session-token is served only to clients sending
// that token (AWS_SESSION_TOKEN); a missing or other one is refused as AWS refuses it. The
// other keys keep being accepted with or without a token. The token is never printed.
// serve had no way to configure temporary credentials: any token, or none, was accepted.
func TestServeSessionToken(t *testing.T) {
	const token = "IQoJb3JpZ2luX2VjEXAMPLE/serve+token=="
	p := startServe(t, "--memory",
		"--access-key-id", "ASIASERVETEST", "--secret-access-key", "temp-secret", "--session-token", token,
		"--access-key-id", "AKIDSERVETEST", "--secret-access-key", "long-secret")
	checkServedKeys(t, p, []servedKeyCase{
		{"temporary key with its token", "ASIASERVETEST", "temp-secret", token, 0, ""},
		{"temporary key without a token", "ASIASERVETEST", "temp-secret", "", 1, tokenRefused},
		{"temporary key with another token", "ASIASERVETEST", "temp-secret", token + "x", 1, tokenRefused},
		{"long-term key", "AKIDSERVETEST", "long-secret", "", 0, ""},
		{"long-term key with a token", "AKIDSERVETEST", "long-secret", "unchecked", 0, ""},
	}, token, "temp-secret")
}

// TestServeSessionTokenBadFlags: a --session-token that belongs to no key, is empty or
// white-spaced, differs for one key, or goes with a key also given without one is a usage
// error (exit 2) that does not show the token.
func TestServeSessionTokenBadFlags(t *testing.T) {
	const token = "secret-session-token-value"
	creds := filepath.Join(t.TempDir(), "creds")
	if err := os.WriteFile(creds, []byte("ASIA1:s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tempCreds := filepath.Join(t.TempDir(), "temp-creds")
	if err := os.WriteFile(tempCreds, []byte("[t]\naws_access_key_id = ASIA2\naws_secret_access_key = s\naws_session_token = "+token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	key := func(id string, tok ...string) []string {
		args := []string{"--access-key-id", id, "--secret-access-key", "s"}
		for _, t := range tok {
			args = append(args, "--session-token", t)
		}
		return args
	}
	c := newCLI(t, "")
	for _, tc := range []struct {
		name string
		args []string
		msg  string
	}{
		{"before any key", append([]string{"--session-token", token}, key("ASIA1")...), "--session-token must follow the --access-key-id it belongs to"},
		{"empty", key("ASIA1", ""), "empty --session-token for ASIA1"},
		{"white space", key("ASIA1", token+" x"), "--session-token for ASIA1 contains white space"},
		{"two tokens", key("ASIA1", token, token+"2"), "--access-key-id #1: access key id ASIA1 given twice with different session tokens (first at --access-key-id #1)"},
		{"with and without", append(key("ASIA1", token), key("ASIA1")...), "--access-key-id #2: access key id ASIA1 is given both with and without --session-token (first given with it at --access-key-id #1)"},
		{"in the credentials file too", append(key("ASIA1", token), "--credentials-file", creds), "creds:1: access key id ASIA1 is given both with and without --session-token (first given with it at --access-key-id #1)"},
		{"temporary in the file, not in the flags", append(key("ASIA2"), "--credentials-file", tempCreds), "temp-creds:1: access key id ASIA2 is given both with and without aws_session_token (first given without it at --access-key-id #1)"},
		{"another token in the file", append(key("ASIA2", token+"2"), "--credentials-file", tempCreds), "temp-creds:1: access key id ASIA2 given twice with different session tokens (first at --access-key-id #1)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.mustRun(2, "", append([]string{"serve", "--memory"}, tc.args...)...)
			if !strings.Contains(r.stderr, tc.msg) {
				t.Errorf("stderr %q, want %q", r.stderr, tc.msg)
			}
			if strings.Contains(r.stderr, token) {
				t.Errorf("the token is shown: %s", r.stderr)
			}
		})
	}
}

// TestServeSessionTokenFromCredentialsFile: a credentials-file section with an
// aws_session_token makes its key temporary, as --session-token does, so
// `cwlogs serve --credentials-file ~/.aws/credentials` serves temporary keys
// as AWS does. Before, the file's tokens were ignored and any token accepted.
func TestServeSessionTokenFromCredentialsFile(t *testing.T) {
	const token = "IQoJb3JpZ2luX2VjEXAMPLE/file+token=="
	creds := filepath.Join(t.TempDir(), "credentials")
	data := "[sts]\naws_access_key_id = ASIAFILETEST\naws_secret_access_key = temp-secret\naws_session_token = " + token +
		"\n[long]\naws_access_key_id = AKIDFILETEST\naws_secret_access_key = long-secret\n"
	if err := os.WriteFile(creds, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	p := startServe(t, "--memory", "--credentials-file", creds)
	checkServedKeys(t, p, []servedKeyCase{
		{"temporary key with its token", "ASIAFILETEST", "temp-secret", token, 0, ""},
		{"temporary key without a token", "ASIAFILETEST", "temp-secret", "", 1, tokenRefused},
		{"temporary key with another token", "ASIAFILETEST", "temp-secret", "x" + token, 1, tokenRefused},
		{"long-term key", "AKIDFILETEST", "long-secret", "", 0, ""},
	}, token, "temp-secret")
}

// TestServeStrayArgumentNotShown: an argument serve does not expect (a secret or token
// whose flag name was left out, or the second half of one split at a space) is a usage
// error that does not show it. serve quoted every stray argument in its error.
func TestServeStrayArgumentNotShown(t *testing.T) {
	const secret = "wJalrXUtnFEMI-stray-secret"
	c := newCLI(t, "")
	for _, args := range [][]string{
		{"--access-key-id", "AKID1", secret},
		{"--access-key-id", "ASIA1", "--secret-access-key", "s", "--session-token", "first-half", secret},
	} {
		r := c.mustRun(2, "", append([]string{"serve", "--memory"}, args...)...)
		if strings.Contains(r.stderr, secret) || !strings.Contains(r.stderr, "1 unexpected argument(s): serve takes none") {
			t.Errorf("serve %q: stderr %q", args, r.stderr)
		}
	}
}
