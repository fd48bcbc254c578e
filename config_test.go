package cwlogs

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// awsEnv lists every variable NewFromEnvironment reads; each test clears them.
var awsEnv = []string{"AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY", "AWS_SESSION_TOKEN",
	"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE",
	"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_MAX_ATTEMPTS",
	"AWS_RETRY_MODE", "AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT", "AWS_CA_BUNDLE",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_EC2_METADATA_DISABLED", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_V1_DISABLED"}

// setupHome makes a temporary HOME with the given ~/.aws files and a clean
// environment, in which the EC2 instance metadata service is disabled (tests
// that use it point AWS_EC2_METADATA_SERVICE_ENDPOINT at a fake and clear
// AWS_EC2_METADATA_DISABLED).
func setupHome(t *testing.T, credentials, config string) string {
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, k := range awsEnv {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	dir := filepath.Join(home, ".aws")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if credentials != "" {
		if err := os.WriteFile(filepath.Join(dir, "credentials"), []byte(credentials), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if config != "" {
		if err := os.WriteFile(filepath.Join(dir, "config"), []byte(config), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return home
}

const testCredFile = `# comment
[default]
aws_access_key_id = AKIDDEFAULT
aws_secret_access_key = secretdefault

[dev]
aws_access_key_id=AKIDDEV
aws_secret_access_key=secretdev
aws_session_token = tokendev
`

const testConfigFile = `[default]
region = eu-west-1
; comment

[profile dev]
region = ap-southeast-2
max_attempts = 7
services = local

[profile cfgkeys]
region = us-west-2
aws_access_key_id = AKIDCFG
aws_secret_access_key = secretcfg
endpoint_url = http://127.0.0.1:9000

[profile roles]
region = us-east-1
role_arn = arn:aws:iam::123456789012:role/x
source_profile = default

[profile sso]
region = us-east-1
sso_session = corp
sso_account_id = 111122223333
sso_role_name = r
aws_access_key_id = AKIDSSO
aws_secret_access_key = secretsso

[profile fips]
region = us-gov-east-1
use_fips_endpoint = true

[profile adaptive]
region = eu-west-1
retry_mode = adaptive
aws_access_key_id = AKIDADAPTIVE
aws_secret_access_key = secretadaptive

[profile badretry]
region = eu-west-1
retry_mode = fast

[services local]
cloudwatch_logs =
  endpoint_url = http://localhost:4566
s3 =
  endpoint_url = http://localhost:9999
`

func TestNewFromEnvironment(t *testing.T) {
	type want struct {
		region, endpoint, akid, token string
		attempts                      int
		adaptive                      bool // the adaptive retry mode's limiter is on
		errContains                   string
	}
	tests := []struct {
		name string
		env  map[string]string
		opts []Option
		want want
	}{
		{"default profile", nil, nil, want{region: "eu-west-1", endpoint: "https://logs.eu-west-1.amazonaws.com", akid: "AKIDDEFAULT", attempts: 3}},
		{"AWS_PROFILE with services section", map[string]string{"AWS_PROFILE": "dev"}, nil,
			want{region: "ap-southeast-2", endpoint: "http://localhost:4566", akid: "AKIDDEV", token: "tokendev", attempts: 7}},
		{"WithProfile", nil, []Option{WithProfile("dev")},
			want{region: "ap-southeast-2", endpoint: "http://localhost:4566", akid: "AKIDDEV", token: "tokendev", attempts: 7}},
		{"keys in config profile", map[string]string{"AWS_PROFILE": "cfgkeys"}, nil,
			want{region: "us-west-2", endpoint: "http://127.0.0.1:9000", akid: "AKIDCFG", attempts: 3}},
		{"env credentials and region win", map[string]string{"AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "s", "AWS_SESSION_TOKEN": "t", "AWS_REGION": "sa-east-1", "AWS_DEFAULT_REGION": "ca-central-1"}, nil,
			want{region: "sa-east-1", endpoint: "https://logs.sa-east-1.amazonaws.com", akid: "AKIDENV", token: "t", attempts: 3}},
		{"legacy env names", map[string]string{"AWS_ACCESS_KEY": "AKIDOLD", "AWS_SECRET_KEY": "s", "AWS_DEFAULT_REGION": "ca-central-1"}, nil,
			want{region: "ca-central-1", endpoint: "https://logs.ca-central-1.amazonaws.com", akid: "AKIDOLD", attempts: 3}},
		{"explicit profile beats env keys", map[string]string{"AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "s"}, []Option{WithProfile("dev")},
			want{region: "ap-southeast-2", endpoint: "http://localhost:4566", akid: "AKIDDEV", token: "tokendev", attempts: 7}},
		{"service endpoint env beats everything", map[string]string{"AWS_PROFILE": "dev", "AWS_ENDPOINT_URL": "http://general:1", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": "http://logs:2"}, nil,
			want{region: "ap-southeast-2", endpoint: "http://logs:2", akid: "AKIDDEV", token: "tokendev", attempts: 7}},
		{"general endpoint env beats services section", map[string]string{"AWS_PROFILE": "dev", "AWS_ENDPOINT_URL": "http://general:1"}, nil,
			want{region: "ap-southeast-2", endpoint: "http://general:1", akid: "AKIDDEV", token: "tokendev", attempts: 7}},
		{"ignore configured endpoints", map[string]string{"AWS_PROFILE": "dev", "AWS_ENDPOINT_URL": "http://general:1", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}, nil,
			want{region: "ap-southeast-2", endpoint: "https://logs.ap-southeast-2.amazonaws.com", akid: "AKIDDEV", token: "tokendev", attempts: 7}},
		{"WithEndpoint wins", map[string]string{"AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": "http://logs:2"}, []Option{WithEndpoint("http://code:3")},
			want{region: "eu-west-1", endpoint: "http://code:3", akid: "AKIDDEFAULT", attempts: 3}},
		{"AWS_MAX_ATTEMPTS", map[string]string{"AWS_MAX_ATTEMPTS": "5", "AWS_RETRY_MODE": "standard"}, nil,
			want{region: "eu-west-1", endpoint: "https://logs.eu-west-1.amazonaws.com", akid: "AKIDDEFAULT", attempts: 5}},
		{"WithMaxAttempts beats env", map[string]string{"AWS_MAX_ATTEMPTS": "5"}, []Option{WithMaxAttempts(2)},
			want{region: "eu-west-1", endpoint: "https://logs.eu-west-1.amazonaws.com", akid: "AKIDDEFAULT", attempts: 2}},
		{"WithRetryPolicy MaxAttempts beats env", map[string]string{"AWS_MAX_ATTEMPTS": "5"}, []Option{WithRetryPolicy(RetryPolicy{MaxAttempts: 4})},
			want{region: "eu-west-1", endpoint: "https://logs.eu-west-1.amazonaws.com", akid: "AKIDDEFAULT", attempts: 4}},
		{"WithRetryPolicy without MaxAttempts keeps env", map[string]string{"AWS_MAX_ATTEMPTS": "5"}, []Option{WithRetryPolicy(RetryPolicy{MaxBackoff: time.Second})},
			want{region: "eu-west-1", endpoint: "https://logs.eu-west-1.amazonaws.com", akid: "AKIDDEFAULT", attempts: 5}},
		{"fips profile, gov special case", map[string]string{"AWS_PROFILE": "fips", "AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "s"}, nil,
			want{region: "us-gov-east-1", endpoint: "https://logs.us-gov-east-1.amazonaws.com", akid: "A", attempts: 3}},
		{"fips and dual-stack env", map[string]string{"AWS_USE_FIPS_ENDPOINT": "TRUE", "AWS_USE_DUALSTACK_ENDPOINT": "true", "AWS_REGION": "us-east-2"}, nil,
			want{region: "us-east-2", endpoint: "https://logs-fips.us-east-2.api.aws", akid: "AKIDDEFAULT", attempts: 3}},
		{"AWS_RETRY_MODE adaptive", map[string]string{"AWS_RETRY_MODE": "adaptive"}, nil,
			want{region: "eu-west-1", endpoint: "https://logs.eu-west-1.amazonaws.com", akid: "AKIDDEFAULT", attempts: 3, adaptive: true}},
		{"AWS_RETRY_MODE in capitals", map[string]string{"AWS_RETRY_MODE": "Adaptive"}, nil,
			want{region: "eu-west-1", endpoint: "https://logs.eu-west-1.amazonaws.com", akid: "AKIDDEFAULT", attempts: 3, adaptive: true}},
		{"AWS_RETRY_MODE legacy is standard", map[string]string{"AWS_RETRY_MODE": "legacy"}, nil,
			want{region: "eu-west-1", endpoint: "https://logs.eu-west-1.amazonaws.com", akid: "AKIDDEFAULT", attempts: 3}},
		{"profile retry_mode adaptive", map[string]string{"AWS_PROFILE": "adaptive"}, nil,
			want{region: "eu-west-1", endpoint: "https://logs.eu-west-1.amazonaws.com", akid: "AKIDADAPTIVE", attempts: 3, adaptive: true}},
		{"AWS_RETRY_MODE beats the profile", map[string]string{"AWS_PROFILE": "adaptive", "AWS_RETRY_MODE": "standard"}, nil,
			want{region: "eu-west-1", endpoint: "https://logs.eu-west-1.amazonaws.com", akid: "AKIDADAPTIVE", attempts: 3}},
		{"WithRetryMode standard beats env", map[string]string{"AWS_RETRY_MODE": "adaptive"}, []Option{WithRetryMode(RetryModeStandard)},
			want{region: "eu-west-1", endpoint: "https://logs.eu-west-1.amazonaws.com", akid: "AKIDDEFAULT", attempts: 3}},
		{"WithRetryMode adaptive beats env", map[string]string{"AWS_RETRY_MODE": "standard"}, []Option{WithRetryMode(RetryModeAdaptive)},
			want{region: "eu-west-1", endpoint: "https://logs.eu-west-1.amazonaws.com", akid: "AKIDDEFAULT", attempts: 3, adaptive: true}},
		{"bad WithRetryMode", nil, []Option{WithRetryMode(-1)}, want{errContains: "invalid retryMode RetryMode(-1)"}},
		{"bad profile retry_mode", map[string]string{"AWS_PROFILE": "badretry"}, nil, want{errContains: `invalid retry_mode "fast"`}},
		{"bad max attempts", map[string]string{"AWS_MAX_ATTEMPTS": "zero"}, nil, want{errContains: "AWS_MAX_ATTEMPTS"}},
		{"bad retry mode", map[string]string{"AWS_RETRY_MODE": "fast"}, nil, want{errContains: "AWS_RETRY_MODE"}},
		{"bad fips bool", map[string]string{"AWS_USE_FIPS_ENDPOINT": "yes"}, nil, want{errContains: "AWS_USE_FIPS_ENDPOINT"}},
		{"fips with custom endpoint", map[string]string{"AWS_USE_FIPS_ENDPOINT": "true", "AWS_ENDPOINT_URL": "http://x:1"}, nil, want{errContains: "FIPS and custom endpoint"}},
		{"missing profile", map[string]string{"AWS_PROFILE": "nope"}, nil, want{errContains: `"nope"`}},
		{"SSO profile without its sso-session section", map[string]string{"AWS_PROFILE": "sso"}, nil, want{errContains: `names sso_session "corp", but`}},
		{"bad endpoint", map[string]string{"AWS_ENDPOINT_URL": "ftp://x"}, nil, want{errContains: "http:// or https://"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			setupHome(t, testCredFile, testConfigFile)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			c, err := NewFromEnvironment(context.Background(), tc.opts...)
			if tc.want.errContains != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want.errContains) {
					t.Fatalf("err = %v, want it to mention %q", err, tc.want.errContains)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			creds, err := c.retrieve(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			got := want{region: c.Region(), endpoint: c.Endpoint(), akid: creds.AccessKeyID, token: creds.SessionToken, attempts: c.retry.MaxAttempts,
				adaptive: c.limiter != nil}
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
			if s := fmt.Sprintf("%v %+v %#v %v", c, c, c, creds); strings.Contains(s, "secret") || strings.Contains(s, "tokendev") {
				t.Errorf("secret in formatted output: %s", s)
			}
		})
	}
}

func TestNewFromEnvironmentFileLocations(t *testing.T) {
	setupHome(t, "", "")
	dir := t.TempDir()
	cred := filepath.Join(dir, "c")
	cfg := filepath.Join(dir, "k")
	os.WriteFile(cred, []byte("[p]\naws_access_key_id=AKIDP\naws_secret_access_key=x\nregion=me-south-1\n"), 0o600)
	os.WriteFile(cfg, []byte("[profile p]\nregion = il-central-1\n"), 0o600)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", cred)
	t.Setenv("AWS_CONFIG_FILE", cfg)
	t.Setenv("AWS_DEFAULT_PROFILE", "p")
	c, err := NewFromEnvironment(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.Region() != "il-central-1" {
		t.Errorf("region %s: the config file should win over the credentials file", c.Region())
	}
	// No credentials anywhere: a clear error.
	setupHome(t, "", "[default]\nregion=us-east-1\n")
	_, err = NewFromEnvironment(context.Background())
	if !errors.Is(err, ErrNoCredentials) {
		t.Fatalf("err = %v, want ErrNoCredentials", err)
	}
	// No region anywhere.
	setupHome(t, testCredFile, "")
	_, err = NewFromEnvironment(context.Background())
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Field != "region" {
		t.Fatalf("err = %v, want a region ValidationError", err)
	}
}

func TestParseINIErrors(t *testing.T) {
	for _, bad := range []string{"[unterminated\n", "key = outside\n", "[s]\njunk line\n"} {
		if _, err := parseINI("f", bad); err == nil || !strings.Contains(err.Error(), "f:") {
			t.Errorf("parseINI(%q) err = %v, want a file:line error", bad, err)
		}
	}
}

func TestResolveEndpoint(t *testing.T) {
	tests := []struct {
		region     string
		fips, dual bool
		want       string
	}{
		{"us-east-1", false, false, "https://logs.us-east-1.amazonaws.com"},
		{"us-east-1", true, false, "https://logs-fips.us-east-1.amazonaws.com"},
		{"us-east-1", false, true, "https://logs.us-east-1.api.aws"},
		{"us-east-1", true, true, "https://logs-fips.us-east-1.api.aws"},
		{"cn-north-1", false, false, "https://logs.cn-north-1.amazonaws.com.cn"},
		{"cn-north-1", false, true, "https://logs.cn-north-1.api.amazonwebservices.com.cn"},
		{"cn-north-1", true, false, "https://logs-fips.cn-north-1.amazonaws.com.cn"},
		{"us-gov-west-1", false, false, "https://logs.us-gov-west-1.amazonaws.com"},
		{"us-gov-west-1", true, false, "https://logs.us-gov-west-1.amazonaws.com"},
		{"us-gov-east-1", true, true, "https://logs-fips.us-gov-east-1.api.aws"},
		{"us-iso-east-1", false, false, "https://logs.us-iso-east-1.c2s.ic.gov"},
		{"us-isob-east-1", false, false, "https://logs.us-isob-east-1.sc2s.sgov.gov"},
		{"eu-isoe-west-1", false, false, "https://logs.eu-isoe-west-1.cloud.adc-e.uk"},
		{"us-isof-south-1", false, false, "https://logs.us-isof-south-1.csp.hci.ic.gov"},
		{"eusc-de-east-1", false, false, "https://logs.eusc-de-east-1.amazonaws.eu"},
		{"local", false, false, "https://logs.local.amazonaws.com"},
	}
	for _, tc := range tests {
		got, err := ResolveEndpoint(tc.region, tc.fips, tc.dual)
		if err != nil || got != tc.want {
			t.Errorf("ResolveEndpoint(%s, fips=%v, dual=%v) = %s, %v; want %s", tc.region, tc.fips, tc.dual, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "us-east-1.evil.com", "a/b", "x y"} {
		if _, err := ResolveEndpoint(bad, false, false); err == nil {
			t.Errorf("ResolveEndpoint(%q) accepted", bad)
		}
	}
}

func TestNewArguments(t *testing.T) {
	for _, tc := range []struct {
		name         string
		region, k, s string
		opts         []Option
		field        string
	}{
		{"no region", "", "a", "b", nil, "region"},
		{"bad region", "us east", "a", "b", nil, "region"},
		{"no key", "us-east-1", "", "b", nil, "accessKeyID"},
		{"no secret", "us-east-1", "a", "", nil, "secretAccessKey"},
		{"bad endpoint", "us-east-1", "a", "b", []Option{WithEndpoint("127.0.0.1:4566")}, "endpoint"},
		{"endpoint with user", "us-east-1", "a", "b", []Option{WithEndpoint("http://u:p@h")}, "endpoint"},
		{"dual-stack with endpoint", "us-east-1", "a", "b", []Option{WithEndpoint("http://h"), WithDualStackEndpoint(true)}, "endpoint"},
		{"negative attempts", "us-east-1", "a", "b", []Option{WithMaxAttempts(-1)}, "maxAttempts"},
	} {
		_, err := New(tc.region, tc.k, tc.s, tc.opts...)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != tc.field {
			t.Errorf("%s: err = %v, want field %s", tc.name, err, tc.field)
		}
		if err != nil && strings.Contains(err.Error(), ":p@") {
			t.Errorf("%s: password leaked: %v", tc.name, err)
		}
	}
	c, err := New("cn-northwest-1", "a", "b", WithCredentialsProvider(StaticCredentialsProvider{Credentials{AccessKeyID: "x", SecretAccessKey: "y"}}))
	if err != nil || c.Endpoint() != "https://logs.cn-northwest-1.amazonaws.com.cn" {
		t.Fatalf("%v %v", c, err)
	}
}

func TestCredentialsRedacted(t *testing.T) {
	c := Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "topsecretvalue", SessionToken: "tokenvalue", Expires: time.Unix(0, 0), Source: "env"}
	for _, s := range []string{fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprint(&c),
		fmt.Sprintf("%v", StaticCredentialsProvider{c})} {
		if strings.Contains(s, "topsecret") || strings.Contains(s, "tokenvalue") || strings.Contains(s, "AKIDEXAMPLE") {
			t.Errorf("secret leaked: %s", s)
		}
	}
	cl, _ := New("us-east-1", "AKIDEXAMPLE", "topsecretvalue", WithSessionToken("tokenvalue"))
	for _, s := range []string{fmt.Sprintf("%v", cl), fmt.Sprintf("%+v", cl), fmt.Sprintf("%#v", cl)} {
		if strings.Contains(s, "topsecret") || strings.Contains(s, "tokenvalue") {
			t.Errorf("secret leaked by client: %s", s)
		}
	}
}

func TestCredentialsCache(t *testing.T) {
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	calls := 0
	failNext := false
	p := CredentialsProviderFunc(func(context.Context) (Credentials, error) {
		calls++
		if failNext {
			return Credentials{}, errors.New("sts down")
		}
		return Credentials{AccessKeyID: fmt.Sprint("AK", calls), SecretAccessKey: "s", Expires: now.Add(10 * time.Minute)}, nil
	})
	cache := NewCredentialsCache(p)
	cache.Now = func() time.Time { return now }
	ctx := context.Background()
	get := func() string {
		c, err := cache.Retrieve(ctx)
		if err != nil {
			return "err"
		}
		return c.AccessKeyID
	}
	first, second := get(), get()
	if first != "AK1" || second != "AK1" || calls != 1 {
		t.Fatalf("cached retrieval: calls %d", calls)
	}
	now = now.Add(9*time.Minute + time.Second) // inside the 1-minute expiry window: refresh
	if got := get(); got != "AK2" {
		t.Fatalf("refresh before expiry: got %s", got)
	}
	now = now.Add(9*time.Minute + time.Second)
	failNext = true
	if got := get(); got != "AK2" {
		t.Fatalf("refresh failure with valid creds: got %s, want the cached AK2", got)
	}
	now = now.Add(2 * time.Minute) // expired and the refresh fails
	if got := get(); got != "err" {
		t.Fatalf("expired and refresh failing: got %s", got)
	}
	failNext = false
	cache.Invalidate()
	if got := get(); got == "err" || got == "AK2" {
		t.Fatalf("after Invalidate: got %s", got)
	}
}

// TestCredentialsCacheConcurrent: callers share one refresh, a waiter leaves
// when its own context ends, a failed refresh is reported to every waiter
// without a refresh each, and the zero value reports ErrNoCredentials.
func TestCredentialsCacheConcurrent(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	calls := 0
	fail := true
	cache := NewCredentialsCache(CredentialsProviderFunc(func(ctx context.Context) (Credentials, error) {
		mu.Lock()
		calls++
		f := fail
		mu.Unlock()
		<-release
		if f {
			return Credentials{}, errors.New("source down")
		}
		return Credentials{AccessKeyID: "A", SecretAccessKey: "S"}, nil
	}))
	const waiters = 8
	errs := make(chan error, waiters)
	for range waiters {
		go func() { _, err := cache.Retrieve(context.Background()); errs <- err }()
	}
	// A caller with a short deadline does not wait for the others' refresh.
	for {
		mu.Lock()
		started := calls > 0
		mu.Unlock()
		if started {
			break
		}
		time.Sleep(time.Millisecond)
	}
	short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	start := time.Now()
	_, err := cache.Retrieve(short)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("short deadline: %v after %v", err, time.Since(start))
	}
	time.Sleep(20 * time.Millisecond) // let the other callers join the flight
	close(release)
	for range waiters {
		if err := <-errs; err == nil || !strings.Contains(err.Error(), "source down") {
			t.Errorf("waiter: err = %v, want the refresh's error", err)
		}
	}
	mu.Lock()
	n := calls
	fail = false
	mu.Unlock()
	if n > 2 { // the first flight, and at most one more if a caller arrived after it ended
		t.Errorf("%d refreshes for %d concurrent callers", n, waiters)
	}
	if c, err := cache.Retrieve(context.Background()); err != nil || c.AccessKeyID != "A" {
		t.Fatalf("after recovery: %v, %v", c, err)
	}
	var zero CredentialsCache
	if _, err := zero.Retrieve(context.Background()); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("zero CredentialsCache: err = %v", err)
	}
}

func TestCredentialsProviderUsedPerAttempt(t *testing.T) {
	f := newFakeLogs(t, nil)
	n := 0
	p := CredentialsProviderFunc(func(context.Context) (Credentials, error) {
		n++
		return Credentials{AccessKeyID: testAKID, SecretAccessKey: testSecret, SessionToken: "tok"}, nil
	})
	c, err := New("us-east-1", "", "", WithEndpoint(f.srv.URL), WithCredentialsProvider(p))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := c.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g"}); err != nil {
			t.Fatal(err)
		}
	}
	if n != 1 {
		t.Errorf("provider called %d times; credentials without expiry should be cached", n)
	}
	if r := f.requests()[1]; r.Token != "tok" || r.VerifyErr != nil {
		t.Errorf("token %q, verify %v", r.Token, r.VerifyErr)
	}
	bad, _ := New("us-east-1", "", "", WithEndpoint(f.srv.URL), WithCredentialsProvider(CredentialsProviderFunc(
		func(context.Context) (Credentials, error) { return Credentials{}, errors.New("no creds here") })))
	err = bad.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g"})
	if err == nil || !strings.Contains(err.Error(), "no creds here") || IsRetryable(err) {
		t.Fatalf("err = %v", err)
	}
	if len(f.requests()) != 2 {
		t.Error("a request was sent without credentials")
	}
}

func TestEnvAndSharedProviders(t *testing.T) {
	setupHome(t, testCredFile, testConfigFile)
	if _, err := (EnvCredentialsProvider{}).Retrieve(context.Background()); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("env provider without vars: %v", err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "E")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "S")
	if c, err := (EnvCredentialsProvider{}).Retrieve(context.Background()); err != nil || c.AccessKeyID != "E" || c.Source != "env" {
		t.Errorf("env provider: %v %v", c, err)
	}
	c, err := SharedCredentialsProvider{Profile: "dev"}.Retrieve(context.Background())
	if err != nil || c.AccessKeyID != "AKIDDEV" || c.SessionToken != "tokendev" {
		t.Errorf("shared provider: %v %v", c, err)
	}
}

// TestNewFromEnvironmentCABundle checks that AWS_CA_BUNDLE and ca_bundle make
// an HTTPS endpoint with a private certificate authority reachable, that
// without them it is refused, that WithHTTPClient wins, and that a bad bundle
// is a ValidationError naming the setting.
func TestNewFromEnvironmentCABundle(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, "{}") }))
	defer srv.Close()
	dir := t.TempDir()
	bundle := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	notPEM := filepath.Join(dir, "not.pem")
	os.WriteFile(notPEM, []byte("hello"), 0o600)
	call := func(opts ...Option) error {
		c, err := NewFromEnvironment(context.Background(), opts...)
		if err != nil {
			return err
		}
		return c.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g"})
	}
	c, err := New("us-east-1", "A", "S", WithEndpoint(srv.URL), WithCABundle(bundle))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g"}); err != nil {
		t.Fatalf("New with WithCABundle: %v", err)
	}
	for _, tc := range []struct {
		name, env, profile string
		opts               []Option
		wantErr            string
	}{
		{"no bundle: unknown authority", "", "", nil, "certificate signed by unknown authority"},
		{"AWS_CA_BUNDLE", bundle, "", nil, ""},
		{"profile ca_bundle", "", "ca_bundle = " + bundle, nil, ""},
		{"WithHTTPClient wins", bundle, "", []Option{WithHTTPClient(&http.Client{})}, "certificate signed by unknown authority"},
		{"missing file", filepath.Join(dir, "absent.pem"), "", nil, "AWS_CA_BUNDLE"},
		{"not PEM", "", "ca_bundle = " + notPEM, nil, "ca_bundle"},
		{"WithCABundle beats the environment", notPEM, "", []Option{WithCABundle(bundle)}, ""},
		{"WithCABundle missing file", bundle, "", []Option{WithCABundle(filepath.Join(dir, "absent.pem"))}, "caBundle"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			setupHome(t, "", "[default]\nregion = us-east-1\naws_access_key_id = A\naws_secret_access_key = S\n"+tc.profile+"\n")
			t.Setenv("AWS_ENDPOINT_URL", srv.URL)
			t.Setenv("AWS_MAX_ATTEMPTS", "1")
			if tc.env != "" {
				t.Setenv("AWS_CA_BUNDLE", tc.env)
			}
			err := call(tc.opts...)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.wantErr)
			}
			var ve *ValidationError
			if strings.Contains(tc.name, "file") || strings.Contains(tc.name, "PEM") || strings.Contains(tc.name, "WithCABundle") {
				if !errors.As(err, &ve) || ve.Field != tc.wantErr {
					t.Fatalf("err = %#v, want a ValidationError for %s", err, tc.wantErr)
				}
			}
		})
	}
}

// TestProfileErrorsAreNotBypassed: a profile whose credential settings are
// wrong is reported, even when the environment has keys and the profile was
// named explicitly; only a profile with no credential settings at all falls
// back to the environment's keys.
func TestProfileErrorsAreNotBypassed(t *testing.T) {
	setupHome(t, "", "[default]\nregion = us-east-1\n[profile bad]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Laptop\n[profile empty]\nregion = us-east-1\n")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
	t.Setenv("AWS_REGION", "us-east-1")
	if _, err := NewFromEnvironment(context.Background(), WithProfile("bad")); err == nil || !strings.Contains(err.Error(), "credential_source") {
		t.Fatalf("bad profile: err = %v, want the profile's error", err)
	}
	c, err := NewFromEnvironment(context.Background(), WithProfile("empty"))
	if err != nil {
		t.Fatal(err)
	}
	if creds, _ := c.retrieve(context.Background()); creds.AccessKeyID != "AKIDENV" {
		t.Errorf("empty profile: got %s, want the environment's keys", creds.AccessKeyID)
	}
}

// TestCredentialsCacheFlightEdges: a panicking provider does not jam the
// cache; callers keep using still-valid credentials while a refresh ahead of
// expiry runs; a source error that wraps DeadlineExceeded is shared, not
// retried by each waiter, while a refresher whose own context ended hands the
// refresh to a waiter.
func TestCredentialsCacheFlightEdges(t *testing.T) {
	panicky := NewCredentialsCache(CredentialsProviderFunc(func(context.Context) (Credentials, error) { panic("boom") }))
	func() {
		defer func() { recover() }()
		panicky.Retrieve(context.Background())
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	func() {
		defer func() { recover() }()
		panicky.Retrieve(ctx) // must not block on the first call's flight
	}()
	if ctx.Err() != nil {
		t.Fatal("a Retrieve after a panicking refresh waited for its context")
	}

	now := time.Now()
	release := make(chan struct{})
	var mu sync.Mutex
	calls := 0
	slow := NewCredentialsCache(CredentialsProviderFunc(func(context.Context) (Credentials, error) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n > 1 {
			<-release
		}
		return Credentials{AccessKeyID: fmt.Sprint("AK", n), SecretAccessKey: "S", Expires: now.Add(30 * time.Second)}, nil
	}))
	if c, _ := slow.Retrieve(context.Background()); c.AccessKeyID != "AK1" {
		t.Fatalf("first: %v", c)
	}
	// AK1 expires in 30 s, inside the 1-minute window: the next call refreshes
	// and blocks; meanwhile others get AK1 at once.
	go slow.Retrieve(context.Background())
	for {
		mu.Lock()
		n := calls
		mu.Unlock()
		if n == 2 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	if c, err := slow.Retrieve(context.Background()); err != nil || c.AccessKeyID != "AK1" || time.Since(start) > time.Second {
		t.Fatalf("during the refresh: %v, %v after %v", c, err, time.Since(start))
	}
	close(release)

	var srcCalls int
	var smu sync.Mutex
	gate := make(chan struct{})
	failing := NewCredentialsCache(CredentialsProviderFunc(func(context.Context) (Credentials, error) {
		smu.Lock()
		srcCalls++
		smu.Unlock()
		<-gate
		return Credentials{}, fmt.Errorf("sts: %w", context.DeadlineExceeded) // e.g. an attempt timeout
	}))
	errs := make(chan error, 5)
	for range 5 {
		go func() { _, err := failing.Retrieve(context.Background()); errs <- err }()
	}
	time.Sleep(50 * time.Millisecond)
	close(gate)
	for range 5 {
		<-errs
	}
	smu.Lock()
	n := srcCalls
	smu.Unlock()
	if n > 2 {
		t.Errorf("a source timeout made %d refreshes for 5 callers", n)
	}

	handoff := NewCredentialsCache(CredentialsProviderFunc(func(ctx context.Context) (Credentials, error) {
		select {
		case <-ctx.Done():
			return Credentials{}, ctx.Err()
		case <-time.After(100 * time.Millisecond):
			return Credentials{AccessKeyID: "AKH", SecretAccessKey: "S"}, nil
		}
	}))
	short, cancelShort := context.WithCancel(context.Background())
	go func() { handoff.Retrieve(short) }()
	time.Sleep(10 * time.Millisecond)
	cancelShort()
	if c, err := handoff.Retrieve(context.Background()); err != nil || c.AccessKeyID != "AKH" {
		t.Fatalf("after the refresher gave up: %v, %v", c, err)
	}
}

// TestCredentialsErrorIsTyped: a provider failure reaches the caller as a
// *CredentialsError naming the provider, with the provider's error inside.
func TestCredentialsErrorIsTyped(t *testing.T) {
	f := newFakeLogs(t, nil)
	sso := &SSOCredentialsProvider{AccountID: "1", RoleName: "r", Region: "us-east-1", StartURL: "https://x/start", CacheDir: t.TempDir()}
	c, err := New("us-east-1", "", "", WithEndpoint(f.srv.URL), WithCredentialsProvider(sso))
	if err != nil {
		t.Fatal(err)
	}
	err = c.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g"})
	var ce *CredentialsError
	if !errors.As(err, &ce) || ce.Provider != "*cwlogs.SSOCredentialsProvider" || !errors.Is(err, ErrNoCredentials) || IsRetryable(err) {
		t.Fatalf("err = %#v, want a *CredentialsError from the SSO provider wrapping ErrNoCredentials", err)
	}
	if len(f.requests()) != 0 {
		t.Error("a request was sent without credentials")
	}
}

// TestCredentialsServiceErrorsAreNotLogsErrors: a ResourceNotFoundException
// from the SSO portal, reached through a *CredentialsError, is not taken for
// a missing log group; a throttling error still reads as throttling.
func TestCredentialsServiceErrorsAreNotLogsErrors(t *testing.T) {
	code := "ResourceNotFoundException"
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amzn-Errortype", code)
		w.WriteHeader(400)
	}))
	defer portal.Close()
	dir := t.TempDir()
	sso := &SSOCredentialsProvider{AccountID: "1", RoleName: "r", Region: "us-east-1", StartURL: "https://x/start", CacheDir: dir,
		PortalEndpoint: portal.URL, Retry: RetryPolicy{MaxAttempts: 1}}
	path, _ := sso.cachePath()
	os.WriteFile(path, []byte(`{"accessToken":"t","expiresAt":"2099-01-01T00:00:00Z"}`), 0o600)
	f := newFakeLogs(t, nil)
	c, _ := New("us-east-1", "", "", WithEndpoint(f.srv.URL), WithCredentialsProvider(sso))
	err := c.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g"})
	var ae *APIError
	if IsNotFound(err) || IsInvalidParameter(err) || !errors.As(err, &ae) || ae.Operation != "sso:GetRoleCredentials" {
		t.Fatalf("err = %v: IsNotFound %v", err, IsNotFound(err))
	}
	code = "TooManyRequestsException"
	c, _ = New("us-east-1", "", "", WithEndpoint(f.srv.URL), WithCredentialsProvider(sso))
	if err := c.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g"}); !IsThrottling(err) {
		t.Fatalf("throttled portal: err = %v, want IsThrottling", err)
	}
}

// TestCredentialsProviderInputIsNotALogsParameter: a provider that refuses
// its own settings (an STS role with no region to call, an SSO profile with a
// bad sso_region) gives a *ValidationError naming the field, but it is not an
// invalid parameter of the Logs request: IsInvalidParameter stays false, as
// the CredentialsError doc promises.
func TestCredentialsProviderInputIsNotALogsParameter(t *testing.T) {
	f := newFakeLogs(t, nil)
	providers := map[string]CredentialsProvider{
		"sts:AssumeRole": &AssumeRoleProvider{RoleARN: "arn:aws:iam::123456789012:role/r",
			Source: StaticCredentialsProvider{Credentials: Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET"}}},
		"sso:GetRoleCredentials": &SSOCredentialsProvider{AccountID: "1", RoleName: "r", Region: "not a region", StartURL: "https://x/start", CacheDir: t.TempDir()},
	}
	for op, p := range providers {
		t.Run(op, func(t *testing.T) {
			c, err := New("us-east-1", "", "", WithEndpoint(f.srv.URL), WithCredentialsProvider(p))
			if err != nil {
				t.Fatal(err)
			}
			err = c.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g"})
			var ce *CredentialsError
			var ve *ValidationError
			if !errors.As(err, &ce) || !errors.As(err, &ve) || ve.Operation != op {
				t.Fatalf("err = %v (%T), want a *CredentialsError wrapping a *ValidationError of %s", err, err, op)
			}
			if IsInvalidParameter(err) || errors.Is(err, ErrInvalidParameter) {
				t.Errorf("IsInvalidParameter(%v) = true; a provider's settings are not a Logs parameter", err)
			}
		})
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests reached the Logs endpoint; want none", n)
	}
}

// TestCredentialsCacheInvalidateDetachesFlight: a Retrieve after Invalidate does not wait
// for (nor take the result of) a refresh that started before it: it fetches anew.
func TestCredentialsCacheInvalidateDetachesFlight(t *testing.T) {
	cc, _, started, release := rotatingCache()
	defer close(release)
	go cc.Retrieve(context.Background())
	<-started
	cc.Invalidate()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if c, err := cc.Retrieve(ctx); err != nil || c.AccessKeyID != "AKID2" {
		t.Fatalf("Retrieve after Invalidate: %s, %v; want a fresh fetch (AKID2)", c.AccessKeyID, err)
	}
}

// TestCredentialsCacheInvalidateDuringRefresh: credentials fetched by a refresh that
// started before Invalidate (the keys were rotated meanwhile) are not cached: the next
// Retrieve fetches again. A concurrency review found the stale ones kept until expiry.
func TestCredentialsCacheInvalidateDuringRefresh(t *testing.T) {
	cc, calls, started, release := rotatingCache()
	done := make(chan Credentials)
	go func() { c, _ := cc.Retrieve(context.Background()); done <- c }()
	<-started
	cc.Invalidate()
	close(release)
	if c := <-done; c.AccessKeyID != "AKID1" {
		t.Errorf("the caller that started the refresh got %s", c.AccessKeyID)
	}
	c, err := cc.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.AccessKeyID == "AKID1" {
		t.Fatalf("Retrieve after Invalidate returned %s, fetched before it (provider calls: %d)", c.AccessKeyID, calls.Load())
	}
}

// rotatingCache is a CredentialsCache whose provider answers AKID1, AKID2, … on successive
// calls; the first call signals started and then waits for release to be closed.
func rotatingCache() (cc *CredentialsCache, calls *atomic.Int64, started <-chan struct{}, release chan struct{}) {
	calls = new(atomic.Int64)
	release = make(chan struct{})
	st := make(chan struct{}, 1)
	cc = NewCredentialsCache(CredentialsProviderFunc(func(ctx context.Context) (Credentials, error) {
		n := calls.Add(1)
		if n == 1 {
			st <- struct{}{}
			<-release
		}
		return Credentials{AccessKeyID: fmt.Sprintf("AKID%d", n), SecretAccessKey: "s"}, nil
	}))
	return cc, calls, st, release
}
