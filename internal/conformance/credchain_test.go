package conformance

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/internal/testpeer"
)

// The credential chain, differentially: for each layout of environment
// variables and ~/.aws files, cwlogs.NewFromEnvironment must sign its requests
// with the same access key that botocore (the AWS CLI's engine) resolves.
// Both talk to the same stand-ins for STS, the IAM Identity Center portal and
// the container credentials endpoint, which hand out a distinct key per role;
// the key cwlogs used is read off the Authorization header of a real request.

// credPeers are the stand-ins both resolvers call.
type credPeers struct {
	sts, sso, container, logs *httptest.Server
	mu                        sync.Mutex
	calls                     []string // "AssumeRole role signer" and the like
	logsKey                   string   // the access key of the last Logs request
}

func roleKey(prefix, role string) string {
	name := role[strings.LastIndexByte(role, '/')+1:]
	return prefix + strings.ToUpper(strings.NewReplacer("-", "", "_", "").Replace(name))
}

func credentialOf(r *http.Request) string {
	a := r.Header.Get("Authorization")
	_, rest, ok := strings.Cut(a, "Credential=")
	if !ok {
		return ""
	}
	key, _, _ := strings.Cut(rest, "/")
	return key
}

func startCredPeers(t *testing.T) *credPeers {
	p := &credPeers{}
	record := func(s string) {
		p.mu.Lock()
		p.calls = append(p.calls, s)
		p.mu.Unlock()
	}
	p.sts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
		record(action + " " + role + " " + credentialOf(r))
		fmt.Fprintf(w, `<%[1]sResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><%[1]sResult><Credentials><AccessKeyId>%[2]s</AccessKeyId><SecretAccessKey>secret-%[2]s</SecretAccessKey><SessionToken>token-%[2]s</SessionToken><Expiration>%[3]s</Expiration></Credentials><AssumedRoleUser><Arn>%[4]s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser></%[1]sResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></%[1]sResponse>`,
			action, key, time.Now().Add(time.Hour).UTC().Format(time.RFC3339), role)
	}))
	p.sso = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
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
	p.container = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record("container " + r.Header.Get("Authorization"))
		fmt.Fprintf(w, `{"AccessKeyId":"ASIACONTAINER","SecretAccessKey":"s","Token":"t","Expiration":%q}`, time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	}))
	p.logs = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.logsKey = credentialOf(r)
		p.mu.Unlock()
		w.Header().Set("Content-Type", cwlogs.ContentType)
		fmt.Fprint(w, "{}")
	}))
	for _, s := range []*httptest.Server{p.sts, p.sso, p.container, p.logs} {
		t.Cleanup(s.Close)
	}
	return p
}

func (p *credPeers) takeCalls() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.calls
	p.calls = nil
	sort.Strings(c)
	return c
}

// botocoreScript prints the access key botocore resolves, or "ERROR <type>".
const botocoreScript = `
import botocore.session
try:
    c = botocore.session.Session().get_credentials()
    print(c.get_frozen_credentials().access_key if c else "NONE")
except Exception as e:
    print("ERROR " + type(e).__name__ + ": " + str(e).splitlines()[0][:200])
`

type credCase struct {
	name        string
	credentials string            // ~/.aws/credentials
	config      string            // ~/.aws/config
	env         map[string]string // besides the common ones
	files       map[string]string // extra files under HOME: name -> content ("{HOME}" expanded)
	ssoToken    string            // sso-session name or start URL whose token is cached
	want        string            // the access key both must use ("ERROR" for a failure)
}

func credCases() []credCase {
	const process = `#!/bin/sh
echo '{"Version": 1, "AccessKeyId": "AKIAPROCESS", "SecretAccessKey": "s"}'
`
	return []credCase{
		{name: "environment keys", env: map[string]string{"AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "s"},
			credentials: "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = s\n", want: "AKIAENV"},
		{name: "environment keys beat AWS_PROFILE", env: map[string]string{"AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "s", "AWS_PROFILE": "p"},
			credentials: "[p]\naws_access_key_id = AKIAFILE\naws_secret_access_key = s\n", want: "AKIAENV"},
		{name: "credentials file", credentials: "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = s\n",
			config: "[default]\naws_access_key_id = AKIACONFIG\naws_secret_access_key = s\n", want: "AKIAFILE"},
		{name: "config file", config: "[profile p]\naws_access_key_id = AKIACONFIG\naws_secret_access_key = s\n",
			env: map[string]string{"AWS_PROFILE": "p"}, want: "AKIACONFIG"},
		{name: "credential_process", config: "[default]\ncredential_process = {HOME}/creds.sh\n", files: map[string]string{"creds.sh": process}, want: "AKIAPROCESS"},
		{name: "credentials file beats credential_process", credentials: "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = s\n",
			config: "[default]\ncredential_process = {HOME}/creds.sh\n", files: map[string]string{"creds.sh": process}, want: "AKIAFILE"},
		{name: "credential_process beats config-file keys",
			config: "[default]\ncredential_process = {HOME}/creds.sh\naws_access_key_id = AKIACONFIG\naws_secret_access_key = s\n",
			files:  map[string]string{"creds.sh": process}, want: "AKIAPROCESS"},
		{name: "role with source_profile", credentials: "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = s\n",
			config: "[default]\nrole_arn = arn:aws:iam::123456789012:role/app\nsource_profile = base\n", want: "ASIAROLEAPP"},
		{name: "role chain", credentials: "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = s\n",
			config: "[default]\nrole_arn = arn:aws:iam::123456789012:role/outer\nsource_profile = middle\n[profile middle]\nrole_arn = arn:aws:iam::123456789012:role/inner\nsource_profile = base\n",
			want:   "ASIAROLEOUTER"},
		{name: "source with keys and a role: its keys",
			config:      "[default]\nrole_arn = arn:aws:iam::123456789012:role/outer\nsource_profile = both\n[profile both]\naws_access_key_id = AKIABOTH\naws_secret_access_key = s\nrole_arn = arn:aws:iam::123456789012:role/ignored\nsource_profile = base\n",
			credentials: "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = s\n", want: "ASIAROLEOUTER"},
		{name: "role beats keys in the same profile", config: "[default]\naws_access_key_id = AKIASELF\naws_secret_access_key = s\nrole_arn = arn:aws:iam::123456789012:role/self\nsource_profile = default\n",
			want: "ASIAROLESELF"},
		{name: "environment keys beat a role profile named by AWS_PROFILE", env: map[string]string{"AWS_PROFILE": "r", "AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "s"},
			config: "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/fromenv\ncredential_source = Environment\n", want: "AKIAENV"},
		{name: "web identity profile", config: "[default]\nrole_arn = arn:aws:iam::123456789012:role/web\nweb_identity_token_file = {HOME}/token\n",
			files: map[string]string{"token": "oidc-token"}, want: "ASIAWEBWEB"},
		{name: "web identity environment", env: map[string]string{"AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/irsa", "AWS_WEB_IDENTITY_TOKEN_FILE": "{HOME}/token"},
			files: map[string]string{"token": "oidc-token"}, want: "ASIAWEBIRSA"},
		{name: "web identity environment beats credentials file", env: map[string]string{"AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/irsa", "AWS_WEB_IDENTITY_TOKEN_FILE": "{HOME}/token"},
			credentials: "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = s\n", files: map[string]string{"token": "oidc-token"}, want: "ASIAWEBIRSA"},
		{name: "sso_session", ssoToken: "corp",
			config: "[default]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Writer\n[sso-session corp]\nsso_region = us-east-1\nsso_start_url = https://corp.awsapps.com/start\n",
			want:   "ASIASSOWRITER"},
		{name: "legacy sso", ssoToken: "https://legacy.awsapps.com/start",
			config: "[default]\nsso_start_url = https://legacy.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 111122223333\nsso_role_name = Legacy\n",
			want:   "ASIASSOLEGACY"},
		{name: "role behind sso", ssoToken: "corp",
			config: "[default]\nrole_arn = arn:aws:iam::123456789012:role/behind\nsource_profile = s\n[profile s]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Writer\n[sso-session corp]\nsso_region = us-east-1\nsso_start_url = https://corp.awsapps.com/start\n",
			want:   "ASIAROLEBEHIND"},
		{name: "login-only sso settings do not hide keys", credentials: "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = s\n",
			config: "[default]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n", want: "AKIAFILE"},
		{name: "container endpoint", env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "{CONTAINER}/v2/credentials", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "auth-token"},
			want: "ASIACONTAINER"},
		{name: "profile keys beat the container endpoint", env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "{CONTAINER}/v2/credentials"},
			credentials: "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = s\n", want: "AKIAFILE"},
		{name: "no credentials", want: "ERROR"},
	}
}

func TestCredentialChainMatchesBotocore(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(python, "-c", "import botocore").Run()
	}
	if err != nil {
		testpeer.Missing(t, "python3 with botocore (the AWS CLI's engine, installed with moto) not found")
		return
	}
	peers := startCredPeers(t)
	for _, tc := range credCases() {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			expand := strings.NewReplacer("{HOME}", home, "{CONTAINER}", peers.container.URL).Replace
			write := func(name, content string, mode os.FileMode) {
				p := filepath.Join(home, name)
				os.MkdirAll(filepath.Dir(p), 0o700)
				if err := os.WriteFile(p, []byte(expand(content)), mode); err != nil {
					t.Fatal(err)
				}
			}
			write(".aws/credentials", tc.credentials, 0o600)
			write(".aws/config", tc.config, 0o600)
			for name, content := range tc.files {
				write(name, content, 0o700)
			}
			if tc.ssoToken != "" {
				sum := sha1.Sum([]byte(tc.ssoToken))
				write(".aws/sso/cache/"+hex.EncodeToString(sum[:])+".json",
					`{"startUrl": "x", "region": "us-east-1", "accessToken": "sso-access-token", "expiresAt": "`+
						time.Now().Add(2*time.Hour).UTC().Format(time.RFC3339)+`"}`, 0o600)
			}
			env := map[string]string{
				"HOME": home, "AWS_CONFIG_FILE": filepath.Join(home, ".aws/config"),
				"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(home, ".aws/credentials"),
				// botocore reads AWS_DEFAULT_REGION, the Go SDKs AWS_REGION.
				"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
				"AWS_ENDPOINT_URL_STS": peers.sts.URL, "AWS_ENDPOINT_URL_SSO": peers.sso.URL,
			}
			for k, v := range tc.env {
				env[k] = expand(v)
			}

			// botocore, in a clean environment.
			cmd := exec.Command(python, "-c", botocoreScript)
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
			if boto == "NONE" {
				boto = "ERROR no credentials" // botocore returns None where cwlogs reports ErrNoCredentials
			}
			botoCalls := peers.takeCalls()

			// cwlogs, in the same environment: the key on the wire.
			for _, k := range awsVars() {
				t.Setenv(k, "")
				os.Unsetenv(k)
			}
			for k, v := range env {
				t.Setenv(k, v)
			}
			t.Setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", peers.logs.URL)
			got := ""
			c, err := cwlogs.NewFromEnvironment(context.Background())
			if err == nil {
				err = c.DeleteLogGroup(context.Background(), &cwlogs.DeleteLogGroupInput{LogGroupName: "g"})
			}
			if err != nil {
				got = "ERROR " + err.Error()
			} else {
				peers.mu.Lock()
				got = peers.logsKey
				peers.mu.Unlock()
			}
			ourCalls := peers.takeCalls()

			first := func(s string) string { f, _, _ := strings.Cut(s, " "); return f }
			if first(got) != first(boto) || first(got) != tc.want {
				t.Fatalf("cwlogs used %q, botocore %q; want %q", got, boto, tc.want)
			}
			if fmt.Sprint(ourCalls) != fmt.Sprint(botoCalls) {
				t.Errorf("calls to STS/SSO/container differ:\n cwlogs:   %q\n botocore: %q", ourCalls, botoCalls)
			}
		})
	}
}

// awsVars lists the variables that could change the resolution; each case
// starts without them.
func awsVars() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") {
			out = append(out, k)
		}
	}
	return out
}
