package cwlogs

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeIMDS is an EC2 instance metadata service for tests: IMDSv2 tokens (or
// none, with v1 set), one role, and the credentials of the test client.
type fakeIMDS struct {
	v1Only     bool          // answer the token PUT with 405, as a service without IMDSv2
	tokenCode  int           // if not 0, the token PUT's status
	tokenDelay time.Duration // if not 0, how long the token PUT takes (a hop limit of 1 drops it)
	role       string        // empty: no instance role (404 on the list)
	answer     string        // the role's credentials document; empty: a valid one
	mu         sync.Mutex
	paths      []string
	missingTok int // requests without the session token while v2 is offered
}

func (f *fakeIMDS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.paths = append(f.paths, r.Method+" "+r.URL.Path)
	f.mu.Unlock()
	if r.URL.Path == "/latest/api/token" {
		if f.tokenDelay > 0 {
			select {
			case <-time.After(f.tokenDelay):
			case <-r.Context().Done():
			}
		}
		switch {
		case r.Method != http.MethodPut:
			w.WriteHeader(http.StatusMethodNotAllowed)
		case f.tokenCode != 0:
			w.WriteHeader(f.tokenCode)
		case f.v1Only:
			w.WriteHeader(http.StatusMethodNotAllowed)
		case r.Header.Get("X-Aws-Ec2-Metadata-Token-Ttl-Seconds") == "":
			w.WriteHeader(http.StatusBadRequest)
		default:
			fmt.Fprint(w, "TOKEN-123")
		}
		return
	}
	if !f.v1Only && r.Header.Get("X-Aws-Ec2-Metadata-Token") != "TOKEN-123" {
		f.mu.Lock()
		f.missingTok++
		f.mu.Unlock()
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	const prefix = "/latest/meta-data/iam/security-credentials/"
	switch {
	case r.URL.Path == prefix && f.role != "":
		fmt.Fprintln(w, f.role)
	case r.URL.Path == prefix+f.role && f.role != "":
		if f.answer != "" {
			fmt.Fprint(w, f.answer)
			return
		}
		fmt.Fprintf(w, `{"Code":"Success","LastUpdated":"2026-11-27T05:00:00Z","Type":"AWS-HMAC","AccessKeyId":%q,"SecretAccessKey":%q,"Token":"IMDSTOKEN","Expiration":%q}`,
			testAKID, testSecret, time.Now().Add(6*time.Hour).UTC().Format(time.RFC3339))
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func TestIMDSCredentialsProvider(t *testing.T) {
	for _, tc := range []struct {
		name    string
		f       *fakeIMDS
		v1Off   bool
		wantErr string
	}{
		{"IMDSv2", &fakeIMDS{role: "app-role"}, false, ""},
		{"IMDSv1 fallback", &fakeIMDS{v1Only: true, role: "app-role"}, false, ""},
		{"IMDSv1 refused", &fakeIMDS{v1Only: true, role: "app-role"}, true, "HTTP 405"},
		{"token forbidden: IMDSv1", &fakeIMDS{tokenCode: 403, v1Only: true, role: "app-role"}, false, ""},
		{"token forbidden, IMDSv1 refused", &fakeIMDS{tokenCode: 403, role: "app-role"}, true, "HTTP 403 Forbidden (IMDSv2 session token)"},
		{"token times out: IMDSv1", &fakeIMDS{tokenDelay: time.Second, v1Only: true, role: "app-role"}, false, ""},
		{"no instance role", &fakeIMDS{}, false, "no instance role"},
		{"failure code", &fakeIMDS{role: "r", answer: `{"Code":"AssumeRoleUnauthorizedAccess","Message":"x"}`}, false, "code AssumeRoleUnauthorizedAccess"},
		{"not JSON", &fakeIMDS{role: "r", answer: `SECRETSECRET`}, false, "not the expected JSON"},
		{"bad expiration", &fakeIMDS{role: "r", answer: `{"Code":"Success","AccessKeyId":"A","SecretAccessKey":"S","Expiration":"soon"}`}, false, "not an RFC 3339 time"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.f)
			defer srv.Close()
			p := &IMDSCredentialsProvider{Endpoint: srv.URL, DisableV1Fallback: tc.v1Off, Timeout: 200 * time.Millisecond}
			c, err := p.Retrieve(context.Background())
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "SECRET") {
					t.Errorf("the error shows the answer: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.AccessKeyID != testAKID || c.SecretAccessKey != testSecret || c.SessionToken != "IMDSTOKEN" || c.Expires.IsZero() {
				t.Fatalf("credentials %#v", c)
			}
			if tc.f.missingTok != 0 {
				t.Errorf("%d requests lacked the IMDSv2 token", tc.f.missingTok)
			}
			if !strings.Contains(c.Source, "app-role") {
				t.Errorf("Source %q does not name the role", c.Source)
			}
		})
	}
}

// TestNewFromEnvironmentIMDS: with no credentials in the environment or the
// profile, the client uses the instance role's, refreshing them through its
// cache; off EC2 (nothing listening) NewFromEnvironment fails at once with
// ErrNoCredentials; AWS_EC2_METADATA_DISABLED skips the service.
func TestNewFromEnvironmentIMDS(t *testing.T) {
	imds := &fakeIMDS{role: "gateway"}
	srv := httptest.NewServer(imds)
	defer srv.Close()
	setupHome(t, "", "[default]\nregion = us-east-1\n")
	os.Unsetenv("AWS_EC2_METADATA_DISABLED")
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", srv.URL)
	f := newFakeLogs(t, nil)
	t.Setenv("AWS_ENDPOINT_URL", f.srv.URL)
	c, err := NewFromEnvironment(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := c.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range f.requests() {
		if r.VerifyErr != nil || r.Token != "IMDSTOKEN" {
			t.Fatalf("request not signed with the instance role's credentials: %v, token %q", r.VerifyErr, r.Token)
		}
	}
	imds.mu.Lock()
	n := len(imds.paths)
	imds.mu.Unlock()
	if n != 3 { // token, role list, role: once, for six hours
		t.Errorf("IMDS was asked %d times (%v), want 3", n, imds.paths)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", closed)
	start := time.Now()
	_, err = NewFromEnvironment(context.Background())
	if !errors.Is(err, ErrNoCredentials) || !strings.Contains(err.Error(), "EC2 instance metadata service") {
		t.Fatalf("off EC2: err = %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("off EC2 the error took %v", d)
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", srv.URL)
	if _, err = NewFromEnvironment(context.Background()); !errors.Is(err, ErrNoCredentials) || !strings.Contains(err.Error(), "AWS_EC2_METADATA_DISABLED") {
		t.Fatalf("disabled: err = %v", err)
	}
	// A profile setting that cwlogs refuses is reported, not bypassed by IMDS.
	setupHome(t, "", "[default]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/x\n")
	os.Unsetenv("AWS_EC2_METADATA_DISABLED")
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", srv.URL)
	if _, err = NewFromEnvironment(context.Background()); err == nil || !strings.Contains(err.Error(), "role_arn") {
		t.Fatalf("role profile: err = %v", err)
	}
}

// TestContainerCredentials covers the ECS / EKS Pod Identity endpoint: the
// authorization token (the file wins and is read on every retrieval), the
// URL checks, and its place in NewFromEnvironment's chain.
func TestContainerCredentials(t *testing.T) {
	var mu sync.Mutex
	var auths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auths = append(auths, r.Header.Get("Authorization"))
		mu.Unlock()
		if r.URL.Path != "/v2/credentials/abc" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		fmt.Fprintf(w, `{"AccessKeyId":%q,"SecretAccessKey":%q,"Token":"TASKTOKEN","Expiration":%q,"RoleArn":"arn:aws:iam::1:role/task"}`,
			testAKID, testSecret, time.Now().Add(30*time.Second).UTC().Format(time.RFC3339))
	}))
	defer srv.Close()
	tokenFile := filepath.Join(t.TempDir(), "token")
	os.WriteFile(tokenFile, []byte("file-token-1\n"), 0o600)

	setupHome(t, "", "[default]\nregion = us-east-1\n")
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", srv.URL+"/v2/credentials/abc")
	t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "env-token")
	t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tokenFile)
	f := newFakeLogs(t, nil)
	t.Setenv("AWS_ENDPOINT_URL", f.srv.URL)
	c, err := NewFromEnvironment(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g"}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(tokenFile, []byte("file-token-2"), 0o600)
	// The credentials expire within the cache's refresh window: fetched again.
	if err := c.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g"}); err != nil {
		t.Fatal(err)
	}
	for _, r := range f.requests() {
		if r.VerifyErr != nil || r.Token != "TASKTOKEN" {
			t.Fatalf("request not signed with the task's credentials: %v, token %q", r.VerifyErr, r.Token)
		}
	}
	mu.Lock()
	got := strings.Join(auths, ",")
	mu.Unlock()
	if got != "file-token-1,file-token-2" {
		t.Errorf("Authorization headers %q, want the file's token, re-read", got)
	}

	// Static keys in the profile come before the container endpoint.
	setupHome(t, "[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s\n", "[default]\nregion = us-east-1\n")
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", srv.URL+"/v2/credentials/abc")
	c, err = NewFromEnvironment(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if creds, _ := c.retrieve(context.Background()); creds.AccessKeyID != "AKIDPROFILE" {
		t.Errorf("profile keys should win over the container endpoint, got %s", creds.AccessKeyID)
	}

	for _, tc := range []struct{ uri, wantErr string }{
		{"http://example.com/creds", "must use https, or http to a loopback address"},
		{"ftp://127.0.0.1/x", "must be an absolute http or https URL"},
		{"/relative", "must be an absolute http or https URL"},
	} {
		setupHome(t, "", "[default]\nregion = us-east-1\n")
		t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", tc.uri)
		_, err := NewFromEnvironment(context.Background())
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != "AWS_CONTAINER_CREDENTIALS_FULL_URI" || !strings.Contains(ve.Reason, tc.wantErr) {
			t.Errorf("%s: err = %v, want a ValidationError: %s", tc.uri, err, tc.wantErr)
		}
	}
	for _, ok := range []string{"https://creds.example.com/x", "http://169.254.170.2/v2/x", "http://169.254.170.23/v1/credentials", "http://[fd00:ec2::23]/x", "http://localhost:8080/x", "http://[::1]:1/x"} {
		if err := checkContainerURL(ok); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	rel, err := containerProviderFromEnv(func(k string) string {
		return map[string]string{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/x", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://example.com"}[k]
	})
	if err != nil || rel.URL != "http://169.254.170.2/v2/credentials/x" {
		t.Errorf("relative URI: %v, %v; it should win over the full URI", rel, err)
	}
	bad := &ContainerCredentialsProvider{URL: srv.URL + "/v2/credentials/abc", AuthToken: "a\r\nX-Injected: 1"}
	if _, err := bad.Retrieve(context.Background()); err == nil || !strings.Contains(err.Error(), "line break") {
		t.Errorf("token with a line break: err = %v", err)
	}
	if s := fmt.Sprintf("%v", &ContainerCredentialsProvider{URL: "http://127.0.0.1/x", AuthToken: "SECRETTOKEN"}); strings.Contains(s, "SECRET") {
		t.Errorf("formatting reveals the token: %s", s)
	}
}

// TestIMDSProviderFromEnv reads the IMDS settings as the AWS CLI does: the
// environment first, then the profile's keys.
func TestIMDSProviderFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		profile map[string]string
		want    *IMDSCredentialsProvider
		wantErr string
	}{
		{"defaults", nil, nil, &IMDSCredentialsProvider{}, ""},
		{"disabled", map[string]string{"AWS_EC2_METADATA_DISABLED": "TRUE"}, nil, nil, ""},
		{"environment", map[string]string{"AWS_METADATA_SERVICE_TIMEOUT": "3", "AWS_METADATA_SERVICE_NUM_ATTEMPTS": "2",
			"AWS_EC2_METADATA_V1_DISABLED": "true", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9"}, nil,
			&IMDSCredentialsProvider{Timeout: 3 * time.Second, Attempts: 2, DisableV1Fallback: true, Endpoint: "http://127.0.0.1:9"}, ""},
		{"profile", nil, map[string]string{"metadata_service_timeout": "5", "metadata_service_num_attempts": "4",
			"ec2_metadata_v1_disabled": "true", "ec2_metadata_service_endpoint_mode": "IPv6"},
			&IMDSCredentialsProvider{Timeout: 5 * time.Second, Attempts: 4, DisableV1Fallback: true, Endpoint: DefaultIMDSEndpointIPv6}, ""},
		{"environment beats profile", map[string]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv4"}, map[string]string{"ec2_metadata_service_endpoint_mode": "IPv6"},
			&IMDSCredentialsProvider{}, ""},
		{"bad timeout", map[string]string{"AWS_METADATA_SERVICE_TIMEOUT": "0.5"}, nil, nil, "AWS_METADATA_SERVICE_TIMEOUT"},
		{"bad mode", nil, map[string]string{"ec2_metadata_service_endpoint_mode": "IPv5"}, nil, "ec2_metadata_service_endpoint_mode"},
		{"bad v1 flag", map[string]string{"AWS_EC2_METADATA_V1_DISABLED": "yes"}, nil, nil, "AWS_EC2_METADATA_V1_DISABLED"},
		{"only true disables", map[string]string{"AWS_EC2_METADATA_DISABLED": "1"}, nil, &IMDSCredentialsProvider{}, ""},
	} {
		got, err := settings{getenv: func(k string) string { return tc.env[k] }, profile: func(k string) string { return tc.profile[k] }}.imdsProvider()
		if tc.wantErr != "" {
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != tc.wantErr {
				t.Errorf("%s: err = %v, want a ValidationError for %s", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil || (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
			t.Errorf("%s: got %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
}

// TestContainerRetriesAndRedaction: a failing agent is tried again, a 4xx is
// not, and neither the token nor a password in the URL is ever printed.
func TestContainerRetriesAndRedaction(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	status := http.StatusServiceUnavailable
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n, st := calls, status
		mu.Unlock()
		if n < 3 {
			w.WriteHeader(st)
			return
		}
		fmt.Fprintf(w, `{"AccessKeyId":"A","SecretAccessKey":"S"}`)
	}))
	defer srv.Close()
	p := &ContainerCredentialsProvider{URL: srv.URL + "/creds", Timeout: time.Second}
	if c, err := p.Retrieve(context.Background()); err != nil || c.AccessKeyID != "A" {
		t.Fatalf("after two 503s: %v, %v", c, err)
	}
	mu.Lock()
	calls, status = 0, http.StatusForbidden
	mu.Unlock()
	if _, err := p.Retrieve(context.Background()); err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("403: err = %v", err)
	}
	mu.Lock()
	n := calls
	mu.Unlock()
	if n != 1 {
		t.Errorf("a 403 was tried %d times, want 1", n)
	}
	secretive := ContainerCredentialsProvider{URL: "http://user:SECRETPASS@127.0.0.1/x", AuthToken: "SECRETTOKEN"}
	for _, s := range []string{fmt.Sprintf("%v %+v %#v %s", secretive, secretive, secretive, secretive), fmt.Sprintf("%v %+v %#v", &secretive, &secretive, &secretive)} {
		if strings.Contains(s, "SECRET") {
			t.Errorf("formatting reveals a secret: %s", s)
		}
	}
}
