package cwlogs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"
)

// Credentials are AWS credentials with an optional expiry. The String and
// GoString methods redact the secret parts, so a Credentials value can be
// printed or logged safely.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string    // empty for long-term credentials
	Expires         time.Time // zero: never expires
	Source          string    // where they came from, e.g. "static", "env", "shared file ~/.aws/credentials"
}

// String implements fmt.Stringer without revealing the secret key or token.
func (c Credentials) String() string {
	akid := c.AccessKeyID
	if len(akid) > 4 {
		akid = akid[:4] + "…"
	}
	s := "Credentials{AccessKeyID: " + akid + ", SecretAccessKey: <redacted>"
	if c.SessionToken != "" {
		s += ", SessionToken: <redacted>"
	}
	if !c.Expires.IsZero() {
		s += ", Expires: " + c.Expires.UTC().Format(time.RFC3339)
	}
	if c.Source != "" {
		s += ", Source: " + c.Source
	}
	return s + "}"
}

// GoString implements fmt.GoStringer (%#v) without revealing secrets.
func (c Credentials) GoString() string { return "cwlogs." + c.String() }

// Format implements fmt.Formatter: %#v prints GoString, every other verb String
// (%q quoted), so that no verb (%d and %x print a struct's string fields
// otherwise) shows a secret.
func (c Credentials) Format(f fmt.State, verb rune) {
	s := c.String()
	switch {
	case verb == 'v' && f.Flag('#'):
		s = c.GoString()
	case verb == 'q':
		s = strconv.Quote(s)
	}
	io.WriteString(f, s)
}

// MarshalJSON encodes the credentials as their String, secrets redacted, so that a
// logger encoding values with encoding/json cannot reveal them.
func (c Credentials) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }

// HasKeys reports whether both the access key ID and the secret key are set.
func (c Credentials) HasKeys() bool { return c.AccessKeyID != "" && c.SecretAccessKey != "" }

// Expired reports whether the credentials have expired at now.
func (c Credentials) Expired(now time.Time) bool {
	return !c.Expires.IsZero() && !now.Before(c.Expires)
}

// CredentialsProvider supplies credentials. Retrieve is called before every
// request attempt, so providers that fetch from a remote source should be
// wrapped in a [CredentialsCache]; the client does this itself for providers
// other than [StaticCredentialsProvider]. Implementations must be safe for
// concurrent use.
type CredentialsProvider interface {
	Retrieve(ctx context.Context) (Credentials, error)
}

// CredentialsProviderFunc adapts a function to [CredentialsProvider].
type CredentialsProviderFunc func(ctx context.Context) (Credentials, error)

// Retrieve calls f.
func (f CredentialsProviderFunc) Retrieve(ctx context.Context) (Credentials, error) { return f(ctx) }

// StaticCredentialsProvider returns fixed credentials.
type StaticCredentialsProvider struct {
	Credentials Credentials
}

// Retrieve returns the fixed credentials, or an error if a key is missing.
func (p StaticCredentialsProvider) Retrieve(context.Context) (Credentials, error) {
	c := p.Credentials
	if !c.HasKeys() {
		return Credentials{}, errors.New("cwlogs: static credentials: access key ID and secret access key are required")
	}
	if c.Source == "" {
		c.Source = "static"
	}
	return c, nil
}

// String implements fmt.Stringer without revealing secrets.
func (p StaticCredentialsProvider) String() string {
	return "StaticCredentialsProvider{" + p.Credentials.String() + "}"
}

// EnvCredentialsProvider reads AWS_ACCESS_KEY_ID (or AWS_ACCESS_KEY),
// AWS_SECRET_ACCESS_KEY (or AWS_SECRET_KEY) and AWS_SESSION_TOKEN on every
// Retrieve. The session token is used only when both keys are set.
type EnvCredentialsProvider struct {
	// Getenv looks up a variable; nil means os.Getenv.
	Getenv func(string) string
}

// ErrNoCredentials is returned (wrapped) when a provider finds no credentials.
var ErrNoCredentials = errors.New("cwlogs: no credentials found")

// Retrieve implements CredentialsProvider.
func (p EnvCredentialsProvider) Retrieve(context.Context) (Credentials, error) {
	c, ok := envCredentials(p.Getenv)
	if !ok {
		return Credentials{}, fmt.Errorf("%w: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set", ErrNoCredentials)
	}
	return c, nil
}

func envCredentials(getenv func(string) string) (Credentials, bool) {
	if getenv == nil {
		getenv = os.Getenv
	}
	first := func(names ...string) string {
		for _, n := range names {
			if v := getenv(n); v != "" {
				return v
			}
		}
		return ""
	}
	c := Credentials{
		AccessKeyID:     first("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY"),
		SecretAccessKey: first("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY"),
		Source:          "env",
	}
	if !c.HasKeys() {
		return Credentials{}, false
	}
	c.SessionToken = getenv("AWS_SESSION_TOKEN")
	return c, true
}

// SharedCredentialsProvider reads a profile's credentials from the shared files
// as the AWS CLI does: its role (through STS, or IAM Identity Center for SSO
// profiles), else AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE, else static
// keys in the credentials file, the output of the profile's
// credential_process (see [ProcessCredentialsProvider]), static keys in the
// config file. It reads the files on every Retrieve; the client caches the
// result. STS and SSO are called in $AWS_REGION (else the profile's region),
// at the endpoints configured as for [NewFromEnvironment]
// (AWS_ENDPOINT_URL_STS/_SSO/_SSO_OIDC, AWS_ENDPOINT_URL, the profile's
// services section or endpoint_url), with default HTTP and retry settings;
// NewFromEnvironment uses the client's.
type SharedCredentialsProvider struct {
	// CredentialsFile is the credentials file; empty means
	// $AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials.
	CredentialsFile string
	// ConfigFile is the config file; empty means $AWS_CONFIG_FILE or ~/.aws/config.
	ConfigFile string
	// Profile is the profile name; empty means $AWS_PROFILE, $AWS_DEFAULT_PROFILE or "default".
	Profile string
	// MFATokenCode asks for the code of a role's MFA device (mfa_serial), as
	// [WithMFATokenCode] does; nil refuses such roles unless RoleCache holds
	// a good session.
	MFATokenCode func(ctx context.Context, serialNumber string) (string, error)
	// RoleCache, when not nil, keeps the sessions of assumed roles in files
	// shared with the AWS CLI; nil keeps none (every Retrieve calls STS).
	RoleCache *RoleCache
}

// Retrieve implements CredentialsProvider.
func (p SharedCredentialsProvider) Retrieve(ctx context.Context) (Credentials, error) {
	env := osEnv{}
	profile := p.Profile
	if profile == "" {
		profile = env.profile()
	}
	credFile, cfgFile := p.CredentialsFile, p.ConfigFile
	if credFile == "" {
		credFile = env.credentialsFile()
	}
	if cfgFile == "" {
		cfgFile = env.configFile()
	}
	cf, err := loadSharedFiles(credFile, cfgFile)
	if err != nil {
		return Credentials{}, err
	}
	region := cf.setting(profile, "region")
	if _, r := env.first("AWS_REGION", "AWS_DEFAULT_REGION"); r != "" {
		region = r
	}
	endpoint, err := cf.endpoints(env, cf.settings(env.getenv, profile))
	if err != nil {
		return Credentials{}, err
	}
	src, err := cf.provider(profile, chainEnv{getenv: env.getenv, region: region, endpoint: endpoint, mfa: p.MFATokenCode, roleCache: p.RoleCache})
	if err != nil {
		return Credentials{}, err
	}
	return src.Retrieve(ctx)
}

// DefaultExpiryWindow is how long before expiry a [CredentialsCache] refreshes
// credentials when its ExpiryWindow is zero.
const DefaultExpiryWindow = time.Minute

// CredentialsCache caches the credentials of another provider and refreshes
// them ExpiryWindow before they expire. Credentials without an expiry are
// fetched once. Concurrent callers share one refresh, each waiting no longer
// than its own context allows; all of them get that refresh's result. If a
// refresh fails while the cached credentials are still valid, the cached ones
// are returned. Make one with [NewCredentialsCache]; the zero value has no
// provider and its Retrieve returns ErrNoCredentials.
type CredentialsCache struct {
	// ExpiryWindow: refresh this long before Expires; 0 means DefaultExpiryWindow.
	ExpiryWindow time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time

	// st is held by pointer so that printing a CredentialsCache (any verb,
	// through reflection too) shows an address, never the provider or the
	// cached keys; nil in the zero value.
	st *cacheState
}

// cacheState is what a CredentialsCache holds.
type cacheState struct {
	provider CredentialsProvider
	mu       sync.Mutex
	creds    Credentials
	ok       bool
	flight   *refreshFlight // the refresh in progress, if any
	gen      uint64         // incremented by Invalidate
}

// refreshFlight is one refresh that concurrent callers wait for.
type refreshFlight struct {
	done      chan struct{}
	creds     Credentials
	err       error
	cancelled bool   // the refresher's own context ended: its error is not the source's
	gen       uint64 // cacheState.gen when the refresh started
}

// NewCredentialsCache wraps p in a cache.
func NewCredentialsCache(p CredentialsProvider) *CredentialsCache {
	return &CredentialsCache{st: &cacheState{provider: p}}
}

// Retrieve returns cached credentials, refreshing them when needed. While a
// refresh runs, other callers get the cached credentials if they are still
// valid, else wait for the refresh.
func (cc *CredentialsCache) Retrieve(ctx context.Context) (Credentials, error) {
	if cc.st == nil || cc.st.provider == nil {
		return Credentials{}, fmt.Errorf("%w: CredentialsCache has no provider (use NewCredentialsCache)", ErrNoCredentials)
	}
	now := time.Now
	if cc.Now != nil {
		now = cc.Now
	}
	window := cc.ExpiryWindow
	if window == 0 {
		window = DefaultExpiryWindow
	}
	c := cc.st
	for {
		c.mu.Lock()
		t := now()
		if c.ok && (c.creds.Expires.IsZero() || t.Add(window).Before(c.creds.Expires)) {
			creds := c.creds
			c.mu.Unlock()
			return creds, nil
		}
		if f := c.flight; f != nil {
			if c.ok && !c.creds.Expired(t) {
				creds := c.creds // refreshing ahead of expiry: these still work
				c.mu.Unlock()
				return creds, nil
			}
			c.mu.Unlock()
			select {
			case <-f.done:
			case <-ctx.Done():
				return Credentials{}, ctx.Err()
			}
			if f.cancelled && ctx.Err() == nil {
				continue // the refresher gave up, not the source: refresh ourselves
			}
			return f.creds, f.err
		}
		f := &refreshFlight{done: make(chan struct{}), gen: c.gen}
		c.flight = f
		c.mu.Unlock()
		return c.refresh(ctx, f, now)
	}
}

var errProviderPanicked = errors.New("cwlogs: credentials provider panicked")

// refresh runs flight f. Whatever happens, even a panic in the provider, the
// flight ends and its waiters are released.
func (c *cacheState) refresh(ctx context.Context, f *refreshFlight, now func() time.Time) (creds Credentials, err error) {
	f.err = errProviderPanicked // what waiters get if Retrieve panics
	defer func() {
		c.mu.Lock()
		if c.flight == f { // Invalidate may have detached it, and a newer one started
			c.flight = nil
		}
		c.mu.Unlock()
		close(f.done)
	}()
	fresh, err := c.provider.Retrieve(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	f.err = nil
	switch {
	case err == nil:
		if c.gen == f.gen { // not fetched before an Invalidate: cache them
			c.creds, c.ok = fresh, true
		}
		f.creds = fresh
	case c.ok && !c.creds.Expired(now()):
		f.creds = c.creds // the refresh failed but the cached ones are still valid
	default:
		f.err = err
		f.cancelled = ctx.Err() != nil
	}
	return f.creds, f.err
}

// Invalidate drops the cached credentials so the next Retrieve refreshes them.
func (cc *CredentialsCache) Invalidate() {
	c := cc.st
	if c == nil {
		return
	}
	c.mu.Lock()
	c.ok = false
	c.creds = Credentials{}
	c.gen++
	c.flight = nil // a refresh in flight fetched from before: later callers start anew
	c.mu.Unlock()
}

// String implements fmt.Stringer without revealing secrets.
func (c *CredentialsCache) String() string { return "CredentialsCache" }

// GoString implements fmt.GoStringer (%#v) without revealing secrets.
func (c *CredentialsCache) GoString() string { return "&cwlogs.CredentialsCache{}" }
