package cwlogs

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/sigv4"
)

// fakeSTS answers AssumeRole and AssumeRoleWithWebIdentity. It verifies
// AssumeRole signatures against its users (access key -> secret) and hands out
// the test client's keys (testAKID/testSecret) unless roleKeys says otherwise.
type fakeSTS struct {
	srv      *httptest.Server
	users    map[string]string    // access key ID -> secret, for AssumeRole's signature
	roleKeys map[string][2]string // role ARN -> access key ID, secret it hands out
	fail     []int                // statuses to answer first, one per call
	mu       sync.Mutex
	calls    []url.Values
	signers  []string // access key ID of each signed call ("" unsigned)
}

func newFakeSTS(t *testing.T) *fakeSTS {
	f := &fakeSTS{users: map[string]string{}, roleKeys: map[string][2]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSTS) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	f.mu.Lock()
	f.calls = append(f.calls, form)
	var status int
	if len(f.fail) > 0 {
		status, f.fail = f.fail[0], f.fail[1:]
	}
	f.mu.Unlock()
	stsError := func(code int, c, msg string) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(code)
		var esc strings.Builder
		xml.EscapeText(&esc, []byte(msg))
		fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>req-sts-1</RequestId></ErrorResponse>`, c, esc.String())
	}
	switch status {
	case 0:
	case 400:
		stsError(400, "Throttling", "Rate exceeded")
		return
	default:
		stsError(status, "InternalFailure", "boom")
		return
	}
	if r.Header.Get("Content-Type") != "application/x-www-form-urlencoded; charset=utf-8" || form.Get("Version") != "2011-06-15" {
		stsError(400, "InvalidParameterValue", "bad request shape")
		return
	}
	signer := ""
	switch form.Get("Action") {
	case "AssumeRole":
		v := &sigv4.Verifier{Credentials: func(akid string) (string, bool) { s, ok := f.users[akid]; return s, ok }}
		id, err := v.Verify(r, body)
		if err != nil || id.Service != "sts" {
			stsError(403, "SignatureDoesNotMatch", fmt.Sprintf("%v (service %v)", err, id))
			return
		}
		signer = id.AccessKeyID
	case "AssumeRoleWithWebIdentity":
		if r.Header.Get("Authorization") != "" {
			stsError(400, "InvalidParameterValue", "AssumeRoleWithWebIdentity must not be signed")
			return
		}
		if form.Get("WebIdentityToken") != "oidc-token" {
			stsError(403, "InvalidIdentityToken", "bad token")
			return
		}
	default:
		stsError(400, "InvalidAction", "unknown action")
		return
	}
	if serial := form.Get("SerialNumber"); serial != "" && form.Get("TokenCode") != mfaCode(serial) {
		stsError(403, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.")
		return
	}
	f.mu.Lock()
	f.signers = append(f.signers, signer)
	f.mu.Unlock()
	keys, ok := f.roleKeys[form.Get("RoleArn")]
	if !ok {
		keys = [2]string{testAKID, testSecret}
	}
	action := form.Get("Action")
	fmt.Fprintf(w, `<%sResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><%sResult><Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey><SessionToken>ROLETOKEN-%s</SessionToken><Expiration>%s</Expiration></Credentials><AssumedRoleUser><Arn>x</Arn><AssumedRoleId>y</AssumedRoleId></AssumedRoleUser></%sResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></%sResponse>`,
		action, action, keys[0], keys[1], form.Get("RoleSessionName"), time.Now().Add(time.Hour).UTC().Format(time.RFC3339), action, action)
}

// mfaCode is the code the fake STS takes for an MFA device.
func mfaCode(serial string) string { return fmt.Sprintf("%06d", len(serial)*7919%1000000) }

func (f *fakeSTS) log() ([]url.Values, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.calls...), append([]string(nil), f.signers...)
}

func TestAssumeRoleProvider(t *testing.T) {
	f := newFakeSTS(t)
	f.users["AKIDSOURCE"] = "source-secret"
	sts := STS{Region: "eu-west-1", Endpoint: f.srv.URL}
	p := &AssumeRoleProvider{STS: sts, Source: StaticCredentialsProvider{Credentials: Credentials{AccessKeyID: "AKIDSOURCE", SecretAccessKey: "source-secret"}},
		RoleARN: "arn:aws:iam::123456789012:role/logs", RoleSessionName: "gw-7", ExternalID: "ext", Duration: 15 * time.Minute}
	c, err := p.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.AccessKeyID != testAKID || c.SessionToken != "ROLETOKEN-gw-7" || c.Expires.IsZero() || !strings.Contains(c.Source, "role/logs") {
		t.Fatalf("credentials %#v", c)
	}
	calls, signers := f.log()
	want := url.Values{"Action": {"AssumeRole"}, "Version": {"2011-06-15"}, "RoleArn": {p.RoleARN}, "RoleSessionName": {"gw-7"}, "ExternalId": {"ext"}, "DurationSeconds": {"900"}}
	if calls[0].Encode() != want.Encode() || signers[0] != "AKIDSOURCE" {
		t.Errorf("request %v signed by %q, want %v signed by AKIDSOURCE", calls[0], signers[0], want)
	}

	// Retries: a 500 and a throttling error, then success.
	f.fail = []int{500, 400}
	sts.Retry = RetryPolicy{MaxAttempts: 3, MaxBackoff: time.Millisecond}
	p.STS = sts
	if _, err := p.Retrieve(context.Background()); err != nil {
		t.Fatalf("after a 500 and a throttle: %v", err)
	}
	// An access error is not retried and keeps STS's code and request id.
	f.users = map[string]string{}
	n := len(f.calls)
	_, err = p.Retrieve(context.Background())
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != "SignatureDoesNotMatch" || ae.StatusCode != 403 || ae.RequestID != "req-sts-1" || ae.Operation != "sts:AssumeRole" {
		t.Fatalf("err = %#v", err)
	}
	if len(f.calls) != n+1 {
		t.Errorf("%d calls for a 403, want 1", len(f.calls)-n)
	}
	if strings.Contains(fmt.Sprint(err), "source-secret") {
		t.Errorf("error reveals the source secret: %v", err)
	}
	// Missing region without an endpoint: a clear error, nothing sent.
	noRegion := &AssumeRoleProvider{Source: p.Source, RoleARN: p.RoleARN}
	var ve *ValidationError
	if _, err := noRegion.Retrieve(context.Background()); !errors.As(err, &ve) || ve.Field != "region" {
		t.Errorf("no region: err = %v", err)
	}
}

// TestNewFromEnvironmentRoles resolves role profiles the way the AWS CLI does,
// against a fake STS (AWS_ENDPOINT_URL_STS) and a fake Logs endpoint that only
// accepts the role's keys.
func TestNewFromEnvironmentRoles(t *testing.T) {
	tokenFile := filepath.Join(t.TempDir(), "token")
	os.WriteFile(tokenFile, []byte("oidc-token\n"), 0o600)
	const credsFile = `[base]
aws_access_key_id = AKIDBASE
aws_secret_access_key = base-secret
[self]
aws_access_key_id = AKIDSELF
aws_secret_access_key = self-secret
`
	config := `[default]
region = us-east-1
[profile app]
role_arn = arn:aws:iam::1:role/app
source_profile = base
role_session_name = app-session
[profile chained]
role_arn = arn:aws:iam::1:role/chained
source_profile = middle
[profile middle]
role_arn = arn:aws:iam::1:role/middle
source_profile = base
[profile self]
role_arn = arn:aws:iam::1:role/self
source_profile = self
[profile keysandrole]
aws_access_key_id = AKIDBOTH
aws_secret_access_key = both-secret
role_arn = arn:aws:iam::1:role/never-assumed
source_profile = base
[profile viakeysandrole]
role_arn = arn:aws:iam::1:role/outer
source_profile = keysandrole
[profile fromenv]
role_arn = arn:aws:iam::1:role/fromenv
credential_source = Environment
[profile ec2role]
role_arn = arn:aws:iam::1:role/ec2role
credential_source = Ec2InstanceMetadata
[profile web]
role_arn = arn:aws:iam::1:role/web
web_identity_token_file = ` + tokenFile + `
[profile loop1]
role_arn = arn:aws:iam::1:role/l1
source_profile = loop2
[profile loop2]
role_arn = arn:aws:iam::1:role/l2
source_profile = loop1
[profile nosource]
role_arn = arn:aws:iam::1:role/x
[profile badsource]
role_arn = arn:aws:iam::1:role/x
credential_source = Laptop
[profile badduration]
role_arn = arn:aws:iam::1:role/x
source_profile = base
duration_seconds = 60
[profile mfa]
role_arn = arn:aws:iam::1:role/x
source_profile = base
mfa_serial = arn:aws:iam::1:mfa/me
`
	imds := httptest.NewServer(&fakeIMDS{role: "instance"})
	defer imds.Close()
	for _, tc := range []struct {
		name    string
		profile string
		env     map[string]string
		signers []string // who signed each STS call, in order
		wantErr string
		opts    []Option
	}{
		{"source profile", "app", nil, []string{"AKIDBASE"}, "", nil},
		{"chained roles", "chained", nil, []string{"AKIDBASE", "AKIDMIDDLE"}, "", nil},
		{"own static keys", "self", nil, []string{"AKIDSELF"}, "", nil},
		{"source with keys and a role: its keys", "viakeysandrole", nil, []string{"AKIDBOTH"}, "", nil},
		{"credential_source Environment", "fromenv", map[string]string{"AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "env-secret"}, []string{"AKIDENV"}, "", nil},
		{"credential_source Ec2InstanceMetadata", "ec2role", map[string]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.URL, "AWS_EC2_METADATA_DISABLED": "false"}, []string{testAKID}, "", nil},
		{"web identity profile", "web", nil, []string{""}, "", nil},
		{"web identity environment", "default", map[string]string{"AWS_ROLE_ARN": "arn:aws:iam::1:role/irsa", "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile}, []string{""}, "", nil},
		{"loop", "loop1", nil, nil, "source_profile loop: loop1 -> loop2 -> loop1", nil},
		{"no source", "nosource", nil, nil, "has role_arn but no source_profile", nil},
		{"bad credential_source", "badsource", nil, nil, "must be Environment, Ec2InstanceMetadata or EcsContainer", nil},
		{"bad duration", "badduration", nil, nil, "from 900 to 43200", nil},
		{"mfa without a way to ask", "mfa", nil, nil, "uses mfa_serial and nothing was set up to ask for the code", nil},
		{"mfa", "mfa", nil, []string{"AKIDBASE"}, "", []Option{WithMFATokenCode(func(_ context.Context, serial string) (string, error) {
			return " " + mfaCode(serial) + "\n", nil // as typed
		})}},
		{"mfa wrong code", "mfa", nil, nil, "AccessDenied", []Option{WithMFATokenCode(func(context.Context, string) (string, error) { return "000000", nil })}},
		{"mfa prompt fails", "mfa", nil, nil, "MFA code for arn:aws:iam::1:mfa/me: no terminal", []Option{WithMFATokenCode(func(context.Context, string) (string, error) {
			return "", errors.New("no terminal")
		})}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			setupHome(t, credsFile, config)
			t.Setenv("AWS_REGION", "eu-west-1")
			sts := newFakeSTS(t)
			sts.users = map[string]string{"AKIDBASE": "base-secret", "AKIDSELF": "self-secret", "AKIDENV": "env-secret", "AKIDMIDDLE": "middle-secret", "AKIDBOTH": "both-secret", testAKID: testSecret}
			sts.roleKeys["arn:aws:iam::1:role/middle"] = [2]string{"AKIDMIDDLE", "middle-secret"}
			logs := newFakeLogs(t, nil)
			t.Setenv("AWS_PROFILE", tc.profile)
			t.Setenv("AWS_ENDPOINT_URL_STS", sts.srv.URL)
			t.Setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", logs.srv.URL)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			opts := tc.opts
			if tc.env["AWS_ACCESS_KEY_ID"] != "" {
				// Environment keys win over AWS_PROFILE but not over an
				// explicit profile, as with the CLI's --profile.
				opts = append(opts, WithProfile(tc.profile))
			}
			c, err := NewFromEnvironment(context.Background(), opts...)
			if err == nil && tc.wantErr != "" {
				err = c.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g"}) // errors that only STS gives
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if calls, _ := sts.log(); len(calls) != 0 {
				t.Fatalf("STS was called %d times before the first request", len(calls))
			}
			for range 3 {
				if err := c.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g"}); err != nil {
					t.Fatal(err)
				}
			}
			for _, r := range logs.requests() {
				if r.VerifyErr != nil || !strings.HasPrefix(r.Token, "ROLETOKEN-") {
					t.Fatalf("Logs request not signed with the role's credentials: %v, token %q", r.VerifyErr, r.Token)
				}
			}
			calls, signers := sts.log()
			if fmt.Sprint(signers) != fmt.Sprint(tc.signers) {
				t.Errorf("STS calls signed by %q, want %q (one round for three requests)", signers, tc.signers)
			}
			if tc.profile == "app" && calls[0].Get("RoleSessionName") != "app-session" {
				t.Errorf("role_session_name not used: %v", calls[0])
			}
			if tc.profile == "mfa" && (calls[0].Get("SerialNumber") != "arn:aws:iam::1:mfa/me" || calls[0].Get("TokenCode") != mfaCode("arn:aws:iam::1:mfa/me")) {
				t.Errorf("MFA device and code not sent (trimmed): %v", calls[0])
			}
			if tc.profile == "web" && !strings.HasPrefix(calls[0].Get("RoleSessionName"), "cwlogs-session-") {
				t.Errorf("default session name: %v", calls[0])
			}
		})
	}
}

// TestSTSTimeoutsAndTransportErrors: a stalled STS costs one attempt timeout
// per attempt, not the caller's whole deadline, and is retried; a TLS
// certificate error is not retried.
func TestSTSTimeoutsAndTransportErrors(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	release := make(chan struct{})
	stall := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		mu.Unlock()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer stall.Close()
	defer close(release) // before Close, which waits for the handlers
	src := StaticCredentialsProvider{Credentials: Credentials{AccessKeyID: "A", SecretAccessKey: "S"}}
	p := &AssumeRoleProvider{STS: STS{Region: "us-east-1", Endpoint: stall.URL, Timeout: 100 * time.Millisecond,
		Retry: RetryPolicy{MaxAttempts: 2, MaxBackoff: time.Millisecond}}, Source: src, RoleARN: "arn:aws:iam::1:role/r"}
	start := time.Now()
	_, err := p.Retrieve(context.Background())
	var oe *OpError
	if !errors.Is(err, ErrAttemptTimeout) || !errors.As(err, &oe) || oe.Attempts != 2 {
		t.Fatalf("stalled STS: err = %v, want an attempt timeout after 2 attempts", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("stalled STS took %v", d)
	}
	mu.Lock()
	n := calls
	mu.Unlock()
	if n != 2 {
		t.Errorf("%d calls, want 2", n)
	}

	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer tlsSrv.Close()
	p.STS = STS{Region: "us-east-1", Endpoint: tlsSrv.URL, Retry: RetryPolicy{MaxAttempts: 3, MaxBackoff: time.Millisecond}}
	_, err = p.Retrieve(context.Background())
	if !errors.As(err, &oe) || oe.Attempts != 1 || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("untrusted certificate: err = %v, want one attempt", err)
	}
}

// TestSTSSlowSource: fetching the source credentials does not count against
// the STS attempt's timeout, and a source failure is reported once, without a
// doubled prefix.
func TestSTSSlowSource(t *testing.T) {
	f := newFakeSTS(t)
	f.users["AKIDSLOW"] = "slow-secret"
	slow := CredentialsProviderFunc(func(ctx context.Context) (Credentials, error) {
		time.Sleep(300 * time.Millisecond)
		return Credentials{AccessKeyID: "AKIDSLOW", SecretAccessKey: "slow-secret"}, nil
	})
	p := &AssumeRoleProvider{STS: STS{Region: "us-east-1", Endpoint: f.srv.URL, Timeout: 100 * time.Millisecond}, Source: slow, RoleARN: "arn:aws:iam::1:role/r"}
	if _, err := p.Retrieve(context.Background()); err != nil {
		t.Fatalf("slow source: %v", err)
	}
	n := 0
	failing := CredentialsProviderFunc(func(context.Context) (Credentials, error) { n++; return Credentials{}, errors.New("source down") })
	p = &AssumeRoleProvider{STS: STS{Region: "us-east-1", Endpoint: f.srv.URL}, Source: failing, RoleARN: "arn:aws:iam::1:role/r"}
	_, err := p.Retrieve(context.Background())
	if err == nil || n != 1 || strings.Count(err.Error(), "source credentials") != 1 {
		t.Fatalf("failing source: %v after %d tries", err, n)
	}
}
