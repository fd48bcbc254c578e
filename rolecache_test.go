package cwlogs

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/internal/testpeer"
)

// TestRoleCache: a role's session is stored in the AWS CLI's format, used by
// the next provider (a new program) without STS and without asking for an MFA
// code, and given up once it has less than RoleCacheWindow left.
func TestRoleCache(t *testing.T) {
	f := newFakeSTS(t)
	f.users["AKIDSOURCE"] = "source-secret"
	const role, serial = "arn:aws:iam::123456789012:role/ops", "arn:aws:iam::123456789012:mfa/dev"
	dir := filepath.Join(t.TempDir(), "cli", "cache")
	now := time.Now()
	cache := &RoleCache{Dir: dir, Now: func() time.Time { return now }}
	var asked atomic.Int32
	provider := func(externalID string, code func(context.Context, string) (string, error)) *AssumeRoleProvider {
		return &AssumeRoleProvider{STS: STS{Region: "us-east-1", Endpoint: f.srv.URL},
			Source:  StaticCredentialsProvider{Credentials: Credentials{AccessKeyID: "AKIDSOURCE", SecretAccessKey: "source-secret"}},
			RoleARN: role, ExternalID: externalID, SerialNumber: serial, TokenCode: code, Cache: cache}
	}
	prompt := func(_ context.Context, s string) (string, error) { asked.Add(1); return mfaCode(s), nil }
	stsCalls := func() int { c, _ := f.log(); return len(c) }
	retrieve := func(p *AssumeRoleProvider) Credentials {
		t.Helper()
		c, err := p.Retrieve(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if c.AccessKeyID != testAKID || c.SecretAccessKey != testSecret || !strings.HasPrefix(c.SessionToken, "ROLETOKEN-") {
			t.Fatalf("credentials %v", c)
		}
		return c
	}

	first := retrieve(provider("", prompt))
	if stsCalls() != 1 || asked.Load() != 1 {
		t.Fatalf("first use: %d STS calls, %d codes asked; want 1, 1", stsCalls(), asked.Load())
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) != 1 {
		t.Fatalf("cache files %v, want one", files)
	}
	if fi, err := os.Stat(files[0]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("cache file mode %v (%v), want 0600", fi.Mode(), err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("cache directory mode %v (%v), want 0700", fi.Mode(), err)
	}
	var doc struct{ Credentials map[string]string }
	raw, _ := os.ReadFile(files[0])
	if err := json.Unmarshal(raw, &doc); err != nil || doc.Credentials["SessionToken"] != first.SessionToken ||
		doc.Credentials["Expiration"] != first.Expires.UTC().Format("2006-01-02T15:04:05")+"UTC" {
		t.Errorf("cache file %s (%v)", raw, err)
	}

	// A new provider, as in the next program: the cached session, no STS, no code.
	c := retrieve(provider("", nil))
	if stsCalls() != 1 || asked.Load() != 1 || c.SessionToken != first.SessionToken || !c.Expires.Equal(first.Expires) || !strings.HasSuffix(c.Source, "(cached)") {
		t.Fatalf("second use: %d STS calls, %d codes, %v; want the cached session", stsCalls(), asked.Load(), c)
	}
	// Other arguments are another session.
	retrieve(provider("ext-1", prompt))
	if stsCalls() != 2 || asked.Load() != 2 {
		t.Fatalf("other external ID: %d STS calls, %d codes; want 2, 2", stsCalls(), asked.Load())
	}
	// Less than RoleCacheWindow left: STS again, and a code again; without a
	// way to ask, ErrMFACodeNeeded and no call.
	now = first.Expires.Add(-RoleCacheWindow + time.Second)
	if _, err := provider("", nil).Retrieve(context.Background()); !errors.Is(err, ErrMFACodeNeeded) || stsCalls() != 2 {
		t.Fatalf("spent session without a prompt: err %v, %d STS calls", err, stsCalls())
	}
	failing := func(context.Context, string) (string, error) { return "", errors.New("no terminal") }
	if _, err := provider("", failing).Retrieve(context.Background()); err == nil || !strings.Contains(err.Error(), "no terminal") || stsCalls() != 2 {
		t.Fatalf("failing prompt: err %v, %d STS calls", err, stsCalls())
	}
	retrieve(provider("", prompt))
	if stsCalls() != 3 || asked.Load() != 3 {
		t.Fatalf("spent session: %d STS calls, %d codes; want 3, 3", stsCalls(), asked.Load())
	}
	// A damaged file is a miss, and is replaced.
	now = time.Now()
	for _, damage := range []string{`{`, `{"Credentials": {"AccessKeyId": "A", "SecretAccessKey": "S", "Expiration": "soon"}}`, `{"Credentials": {"Expiration": "2999-01-01T00:00:00UTC"}}`} {
		os.WriteFile(files[0], []byte(damage), 0o600)
		n := stsCalls()
		retrieve(provider("", prompt))
		if stsCalls() != n+1 {
			t.Fatalf("damaged file %s used", damage)
		}
	}
	// A cache that cannot be written still gives credentials.
	blocked := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocked, nil, 0o600)
	p := provider("", prompt)
	p.Cache = &RoleCache{Dir: filepath.Join(blocked, "cache")}
	retrieve(p)

	// Web identity roles are cached the same way.
	tokenFile := filepath.Join(t.TempDir(), "token")
	os.WriteFile(tokenFile, []byte("oidc-token"), 0o600)
	for range 2 {
		w := &WebIdentityRoleProvider{STS: STS{Region: "us-east-1", Endpoint: f.srv.URL}, RoleARN: role, TokenFile: tokenFile, Cache: cache,
			Duration: 20 * time.Minute}
		if _, err := w.Retrieve(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	web := 0
	calls, _ := f.log()
	for _, c := range calls {
		if c.Get("Action") == "AssumeRoleWithWebIdentity" {
			web++
		}
	}
	if web != 1 {
		t.Errorf("web identity: %d calls to AssumeRoleWithWebIdentity for two providers, want 1", web)
	}
	// botocore sends no duration for web identity roles, and keys their
	// sessions by the role (and a session name) alone: so does cwlogs.
	if _, err := os.Stat(filepath.Join(dir, roleCacheKey(map[string]string{"RoleArn": role})+".json")); err != nil {
		t.Errorf("web identity session not under botocore's key: %v", err)
	}
	if calls[len(calls)-1].Get("DurationSeconds") != "1200" {
		t.Errorf("web identity call %v: the duration is still sent", calls[len(calls)-1])
	}
}

// TestRoleCacheKeyMatchesBotocore: the file names are botocore's, for the
// arguments profiles set, including strings Python's JSON escapes.
func TestRoleCacheKeyMatchesBotocore(t *testing.T) {
	python := testpeer.Botocore(t)
	if python == "" {
		return
	}
	cases := []map[string]string{
		{"RoleArn": "arn:aws:iam::123456789012:role/app"},
		{"RoleArn": "arn:aws:iam::123456789012:role/opts", "RoleSessionName": "gateway-7", "ExternalId": "ext-1", "DurationSeconds": "900"},
		{"RoleArn": "arn:aws:iam::123456789012:role/mfa", "SerialNumber": "arn:aws:iam::123456789012:mfa/dev", "DurationSeconds": "43200"},
		{"RoleArn": "arn:aws:iam::1:role/x", "ExternalId": "q\"uote\\back/slash\ttab\nnl\x01\x7f é € 😀"},
	}
	script := `
import json, sys
from botocore.credentials import AssumeRoleCredentialFetcher
for line in sys.stdin:
    args = json.loads(line)
    if "DurationSeconds" in args:
        args["DurationSeconds"] = int(args["DurationSeconds"])
    arn = args.pop("RoleArn")
    print(AssumeRoleCredentialFetcher(None, None, arn, extra_args=args)._cache_key)
`
	var in strings.Builder
	for _, c := range cases {
		b, _ := json.Marshal(c)
		in.Write(append(b, '\n'))
	}
	cmd := exec.Command(python, "-c", script)
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("botocore: %v", err)
	}
	want := strings.Fields(string(out))
	if len(want) != len(cases) {
		t.Fatalf("botocore printed %q", out)
	}
	for i, c := range cases {
		if got := roleCacheKey(c); got != want[i] {
			t.Errorf("%v: key %s, botocore %s", c, got, want[i])
		}
	}
}

// TestClientCredentials: Client.Credentials retrieves as a request would, and
// a failure is a *CredentialsError.
func TestClientCredentials(t *testing.T) {
	c, err := New("us-east-1", "AKIDX", "secret-x")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.Credentials(context.Background()); err != nil || got.AccessKeyID != "AKIDX" || got.SecretAccessKey != "secret-x" {
		t.Fatalf("Credentials() = %v, %v", got, err)
	}
	failing := CredentialsProviderFunc(func(context.Context) (Credentials, error) { return Credentials{}, errors.New("no way") })
	c, err = New("us-east-1", "", "", WithCredentialsProvider(failing))
	if err != nil {
		t.Fatal(err)
	}
	var ce *CredentialsError
	if _, err := c.Credentials(context.Background()); !errors.As(err, &ce) || !strings.Contains(err.Error(), "no way") {
		t.Fatalf("failing provider: err = %v", err)
	}
}
