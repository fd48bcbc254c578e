// Package credchain holds the layouts of environment variables and ~/.aws
// files on which the client's credential chain is compared with botocore (the
// AWS CLI's engine, internal/conformance) and aws-sdk-go-v2 (internal/interop),
// and the stand-ins for STS, the IAM Identity Center portal, the container
// credentials endpoint and CloudWatch Logs that every resolver calls.
package credchain

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/sigv4"
)

// Peers are the stand-ins every resolver calls.
type Peers struct {
	STS, SSO, Container, Logs *httptest.Server
	mu                        sync.Mutex
	calls                     []string // "AssumeRole role signer" and the like
	logsKey                   string   // the access key of the last Logs request
	logsBodies                []string // the bodies of the Logs requests
}

func roleKey(prefix, role string) string {
	name := role[strings.LastIndexByte(role, '/')+1:]
	return prefix + strings.ToUpper(strings.NewReplacer("-", "", "_", "").Replace(name))
}

// secretOf and tokenOf are the secret and session token that go with an
// access key the layouts or the stand-ins hand out: static keys have secret
// "s" and no token; STS keys "secret-KEY" and "token-KEY"; SSO and container
// keys "s" and "t".
func secretOf(key string) (string, bool) {
	switch {
	case strings.HasPrefix(key, "ASIAROLE"), strings.HasPrefix(key, "ASIAWEB"):
		return "secret-" + key, true
	case strings.HasPrefix(key, "AKIA"), strings.HasPrefix(key, "ASIASSO"), key == "ASIACONTAINER":
		return "s", true
	}
	return "", false
}

func tokenOf(key string) string {
	switch {
	case strings.HasPrefix(key, "ASIAROLE"), strings.HasPrefix(key, "ASIAWEB"):
		return "token-" + key
	case strings.HasPrefix(key, "ASIASSO"), key == "ASIACONTAINER":
		return "t"
	}
	return ""
}

// verified returns the access key that signed r, after checking its SigV4
// signature with the key's secret and its X-Amz-Security-Token, or a
// "BAD(...)" string saying what is wrong.
func verified(r *http.Request, body []byte) string {
	id, err := (&sigv4.Verifier{Credentials: secretOf}).Verify(r, body)
	if err != nil {
		return "BAD(" + err.Error() + ")"
	}
	if got, want := r.Header.Get("X-Amz-Security-Token"), tokenOf(id.AccessKeyID); got != want {
		return "BAD(session token " + strconv.Quote(got) + " for " + id.AccessKeyID + ")"
	}
	return id.AccessKeyID
}

// sessionName shows a role session name as the layouts set it, or "default"
// for a resolver's own generated name.
func sessionName(n string) string {
	if n == "" || strings.Contains(n, "-session-") || strings.HasPrefix(n, "aws-go-sdk-") || strings.Trim(n, "0123456789") == "" {
		return "default" // generated: botocore-session-…, cwlogs-session-…, aws-sdk-go-v2's nanoseconds
	}
	return n
}

// StartPeers starts the stand-ins; they stop when t ends.
func StartPeers(t testing.TB) *Peers {
	p := &Peers{}
	record := func(s string) {
		p.mu.Lock()
		p.calls = append(p.calls, s)
		p.mu.Unlock()
	}
	p.STS = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		action, role := form.Get("Action"), form.Get("RoleArn")
		key := roleKey("ASIAROLE", role)
		if action == "AssumeRoleWithWebIdentity" {
			key = roleKey("ASIAWEB", role)
			if form.Get("WebIdentityToken") != "oidc-token" {
				w.WriteHeader(400)
				fmt.Fprint(w, `<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>bad token</Message></Error></ErrorResponse>`)
				return
			}
		}
		signer := "unsigned"
		if action == "AssumeRole" {
			if signer = verified(r, body); strings.HasPrefix(signer, "BAD") {
				w.WriteHeader(403)
				fmt.Fprint(w, `<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>bad signature</Message></Error></ErrorResponse>`)
				record(action + " " + role + " " + signer)
				return
			}
		}
		call := fmt.Sprintf("%s %s %s session=%s external=%s duration=%s", action, role, signer,
			sessionName(form.Get("RoleSessionName")), form.Get("ExternalId"), form.Get("DurationSeconds"))
		if serial := form.Get("SerialNumber"); serial != "" {
			call += " mfa=" + serial
			if form.Get("TokenCode") != MFACode {
				w.WriteHeader(403)
				fmt.Fprint(w, `<ErrorResponse><Error><Code>AccessDenied</Code><Message>MultiFactorAuthentication failed with invalid MFA one time pass code.</Message></Error></ErrorResponse>`)
				record(call + " BAD(code " + strconv.Quote(form.Get("TokenCode")) + ")")
				return
			}
		}
		record(call)
		fmt.Fprintf(w, `<%[1]sResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><%[1]sResult><Credentials><AccessKeyId>%[2]s</AccessKeyId><SecretAccessKey>secret-%[2]s</SecretAccessKey><SessionToken>token-%[2]s</SessionToken><Expiration>%[3]s</Expiration></Credentials><AssumedRoleUser><Arn>%[4]s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser></%[1]sResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></%[1]sResponse>`,
			action, key, time.Now().Add(time.Hour).UTC().Format(time.RFC3339), role)
	}))
	p.SSO = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.Method != http.MethodGet || r.URL.Path != "/federation/credentials" {
			w.WriteHeader(404)
			return
		}
		if r.Header.Get("X-Amz-Sso_bearer_token") != "sso-access-token" {
			w.Header().Set("X-Amzn-Errortype", "UnauthorizedException")
			w.WriteHeader(401)
			fmt.Fprint(w, `{"message":"Session token not found or invalid"}`)
			return
		}
		record("GetRoleCredentials " + q.Get("account_id") + "/" + q.Get("role_name"))
		key := roleKey("ASIASSO", q.Get("role_name"))
		fmt.Fprintf(w, `{"roleCredentials":{"accessKeyId":%q,"secretAccessKey":"s","sessionToken":"t","expiration":%d}}`, key, time.Now().Add(time.Hour).UnixMilli())
	}))
	p.Container = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record("container " + r.Header.Get("Authorization"))
		fmt.Fprintf(w, `{"AccessKeyId":"ASIACONTAINER","SecretAccessKey":"s","Token":"t","Expiration":%q}`, time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	}))
	p.Logs = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		key := verified(r, body)
		p.mu.Lock()
		p.logsKey = key
		p.logsBodies = append(p.logsBodies, string(body))
		p.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		fmt.Fprint(w, "{}")
	}))
	for _, s := range []*httptest.Server{p.STS, p.SSO, p.Container, p.Logs} {
		t.Cleanup(s.Close)
	}
	return p
}

// TakeCalls returns, sorted, the calls the stand-ins got since the last TakeCalls.
func (p *Peers) TakeCalls() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.calls
	p.calls = nil
	p.logsKey = ""
	p.logsBodies = nil
	sort.Strings(c)
	return c
}

// MFACode is the code the STS stand-in takes for any MFA device; every
// resolver is set up to answer it when asked.
const MFACode = "246810"

// BotocoreScript prints the access key botocore resolves, or "ERROR <type>".
// Asked for an MFA code, it answers MFACode, as a user at the AWS CLI's
// prompt would.
const BotocoreScript = `
import botocore.session
try:
    s = botocore.session.Session()
    s.get_component('credential_provider').get_provider('assume-role')._prompter = lambda prompt: "` + MFACode + `"
    c = s.get_credentials()
    print(c.get_frozen_credentials().access_key if c else "NONE")
except Exception as e:
    print("ERROR " + type(e).__name__ + ": " + (str(e).splitlines() or [""])[0][:200])
`

// Case is one layout of environment variables and files.
type Case struct {
	Name        string
	Credentials string            // ~/.aws/credentials
	Config      string            // ~/.aws/config
	Env         map[string]string // besides the common ones
	Files       map[string]string // extra files under HOME: name -> content ("{HOME}" expanded)
	SSOToken    string            // sso-session name or start URL whose token is cached
	Want        string            // the access key the AWS CLI uses ("ERROR" when it finds none)
}

// Cases returns the layouts, each with the access key the AWS CLI resolves.
func Cases() []Case {
	const process = `#!/bin/sh
echo '{"Version": 1, "AccessKeyId": "AKIAPROCESS", "SecretAccessKey": "s"}'
`
	// baseKeys is the credentials file of the layouts whose roles start
	// from the static keys of profile base.
	const baseKeys = "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = s\n"
	return []Case{
		{Name: "environment keys", Env: map[string]string{"AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "s"},
			Credentials: "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = s\n", Want: "AKIAENV"},
		{Name: "environment keys beat AWS_PROFILE", Env: map[string]string{"AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "s", "AWS_PROFILE": "p"},
			Credentials: "[p]\naws_access_key_id = AKIAFILE\naws_secret_access_key = s\n", Want: "AKIAENV"},
		{Name: "credentials file", Credentials: "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = s\n",
			Config: "[default]\naws_access_key_id = AKIACONFIG\naws_secret_access_key = s\n", Want: "AKIAFILE"},
		{Name: "config file", Config: "[profile p]\naws_access_key_id = AKIACONFIG\naws_secret_access_key = s\n",
			Env: map[string]string{"AWS_PROFILE": "p"}, Want: "AKIACONFIG"},
		{Name: "credential_process", Config: "[default]\ncredential_process = {HOME}/creds.sh\n", Files: map[string]string{"creds.sh": process}, Want: "AKIAPROCESS"},
		{Name: "credentials file beats credential_process", Credentials: "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = s\n",
			Config: "[default]\ncredential_process = {HOME}/creds.sh\n", Files: map[string]string{"creds.sh": process}, Want: "AKIAFILE"},
		{Name: "credential_process beats config-file keys",
			Config: "[default]\ncredential_process = {HOME}/creds.sh\naws_access_key_id = AKIACONFIG\naws_secret_access_key = s\n",
			Files:  map[string]string{"creds.sh": process}, Want: "AKIAPROCESS"},
		{Name: "role with source_profile", Credentials: baseKeys,
			Config: "[default]\nrole_arn = arn:aws:iam::123456789012:role/app\nsource_profile = base\n", Want: "ASIAROLEAPP"},
		{Name: "role options", Credentials: baseKeys,
			Config: "[default]\nrole_arn = arn:aws:iam::123456789012:role/opts\nsource_profile = base\nrole_session_name = gateway-7\nexternal_id = ext-1\nduration_seconds = 900\n",
			Want:   "ASIAROLEOPTS"},
		{Name: "role with mfa_serial", Credentials: baseKeys,
			Config: "[default]\nrole_arn = arn:aws:iam::123456789012:role/mfa\nsource_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/dev\n",
			Want:   "ASIAROLEMFA"},
		{Name: "role chain", Credentials: baseKeys,
			Config: "[default]\nrole_arn = arn:aws:iam::123456789012:role/outer\nsource_profile = middle\n[profile middle]\nrole_arn = arn:aws:iam::123456789012:role/inner\nsource_profile = base\n",
			Want:   "ASIAROLEOUTER"},
		{Name: "source with keys and a role: its keys",
			Config:      "[default]\nrole_arn = arn:aws:iam::123456789012:role/outer\nsource_profile = both\n[profile both]\naws_access_key_id = AKIABOTH\naws_secret_access_key = s\nrole_arn = arn:aws:iam::123456789012:role/ignored\nsource_profile = base\n",
			Credentials: baseKeys, Want: "ASIAROLEOUTER"},
		{Name: "role beats keys in the same profile", Config: "[default]\naws_access_key_id = AKIASELF\naws_secret_access_key = s\nrole_arn = arn:aws:iam::123456789012:role/self\nsource_profile = default\n",
			Want: "ASIAROLESELF"},
		{Name: "environment keys beat a role profile named by AWS_PROFILE", Env: map[string]string{"AWS_PROFILE": "r", "AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "s"},
			Config: "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/fromenv\ncredential_source = Environment\n", Want: "AKIAENV"},
		{Name: "web identity profile", Config: "[default]\nrole_arn = arn:aws:iam::123456789012:role/web\nweb_identity_token_file = {HOME}/token\n",
			Files: map[string]string{"token": "oidc-token"}, Want: "ASIAWEBWEB"},
		{Name: "web identity environment", Env: map[string]string{"AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/irsa", "AWS_WEB_IDENTITY_TOKEN_FILE": "{HOME}/token"},
			Files: map[string]string{"token": "oidc-token"}, Want: "ASIAWEBIRSA"},
		{Name: "web identity environment beats credentials file", Env: map[string]string{"AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/irsa", "AWS_WEB_IDENTITY_TOKEN_FILE": "{HOME}/token"},
			Credentials: "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = s\n", Files: map[string]string{"token": "oidc-token"}, Want: "ASIAWEBIRSA"},
		{Name: "sso_session", SSOToken: "corp",
			Config: "[default]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Writer\n[sso-session corp]\nsso_region = us-east-1\nsso_start_url = https://corp.awsapps.com/start\n",
			Want:   "ASIASSOWRITER"},
		{Name: "legacy sso", SSOToken: "https://legacy.awsapps.com/start",
			Config: "[default]\nsso_start_url = https://legacy.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 111122223333\nsso_role_name = Legacy\n",
			Want:   "ASIASSOLEGACY"},
		{Name: "role behind sso", SSOToken: "corp",
			Config: "[default]\nrole_arn = arn:aws:iam::123456789012:role/behind\nsource_profile = s\n[profile s]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Writer\n[sso-session corp]\nsso_region = us-east-1\nsso_start_url = https://corp.awsapps.com/start\n",
			Want:   "ASIAROLEBEHIND"},
		{Name: "web identity environment beats sso", SSOToken: "corp",
			Env:    map[string]string{"AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/irsa", "AWS_WEB_IDENTITY_TOKEN_FILE": "{HOME}/token"},
			Files:  map[string]string{"token": "oidc-token"},
			Config: "[default]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Writer\n[sso-session corp]\nsso_region = us-east-1\nsso_start_url = https://corp.awsapps.com/start\n",
			Want:   "ASIAWEBIRSA"},
		{Name: "login-only sso settings do not hide keys", Credentials: "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = s\n",
			Config: "[default]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n", Want: "AKIAFILE"},
		{Name: "container endpoint", Env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "{CONTAINER}/v2/credentials", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "auth-token"},
			Want: "ASIACONTAINER"},
		{Name: "profile keys beat the container endpoint", Env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "{CONTAINER}/v2/credentials"},
			Credentials: "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = s\n", Want: "AKIAFILE"},
		{Name: "no credentials", Want: "ERROR"},
	}
}

// LogsKey returns the access key that signed the last request the Logs
// stand-in got, once its signature and session token were verified, or
// "BAD(...)" (and "" before any request since the last TakeCalls).
func (p *Peers) LogsKey() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logsKey
}

// LogsBodies returns the bodies of the requests the Logs stand-in got since
// the last TakeCalls.
func (p *Peers) LogsBodies() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.logsBodies...)
}

// Setup writes the case's files under home and returns the environment
// variables every resolver must run with (HOME, the file locations, the region
// under both names, the STS and SSO endpoints, IMDS disabled, and the case's).
func (c Case) Setup(t testing.TB, home string, p *Peers) map[string]string {
	t.Helper()
	expand := strings.NewReplacer("{HOME}", home, "{CONTAINER}", p.Container.URL).Replace
	write := func(name, content string, mode os.FileMode) {
		path := filepath.Join(home, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(expand(content)), mode); err != nil {
			t.Fatal(err)
		}
	}
	write(".aws/credentials", c.Credentials, 0o600)
	write(".aws/config", c.Config, 0o600)
	for name, content := range c.Files {
		write(name, content, 0o700)
	}
	if c.SSOToken != "" {
		sum := sha1.Sum([]byte(c.SSOToken))
		write(".aws/sso/cache/"+hex.EncodeToString(sum[:])+".json",
			`{"startUrl": "x", "region": "us-east-1", "accessToken": "sso-access-token", "expiresAt": "`+
				time.Now().Add(2*time.Hour).UTC().Format(time.RFC3339)+`"}`, 0o600)
	}
	env := map[string]string{
		"HOME": home, "AWS_CONFIG_FILE": filepath.Join(home, ".aws/config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(home, ".aws/credentials"),
		// botocore reads AWS_DEFAULT_REGION, the Go SDKs AWS_REGION.
		"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_ENDPOINT_URL_STS": p.STS.URL, "AWS_ENDPOINT_URL_SSO": p.SSO.URL,
		"AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": p.Logs.URL,
	}
	for k, v := range c.Env {
		env[k] = expand(v)
	}
	return env
}

// SetEnv makes env the process's only AWS_* variables for the rest of t.
func SetEnv(t *testing.T, env map[string]string) {
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
}

// First returns the first word of a result: the access key, or "ERROR".
func First(s string) string { f, _, _ := strings.Cut(s, " "); return f }
