package cwlogs

import (
	"context"
	"net/http"
	"time"
)

// Option configures a [Client] in [New] and [NewFromEnvironment].
type Option func(*options)

type options struct {
	endpoint       string
	sessionToken   string
	httpClient     *http.Client
	retry          RetryPolicy
	maxAttempts    int
	clock          func() time.Time
	creds          CredentialsProvider
	region         string
	profile        string
	attemptTimeout time.Duration
	fips           *bool
	dualStack      *bool
	userAgent      string
	caBundle       string // PEM file of trusted certificate authorities
	caBundleField  string // where caBundle came from, for errors
	mfa            func(ctx context.Context, serialNumber string) (string, error)
	roleCache      *RoleCache
	hostPrefix     *bool // nil: prefix the default endpoints only
	gzipLevel      int   // WithGzip's level; 0: no compression
	retryMode      RetryMode
	retryModeSet   bool // WithRetryMode was given: AWS_RETRY_MODE is not read
}

// WithEndpoint sends requests to url (for example "http://127.0.0.1:4566"
// for a local server) instead of the default https://logs.<region>.<partition
// suffix>. The URL needs an http or https scheme and a host; a path is kept.
// It cannot be combined with FIPS or dual-stack endpoints.
func WithEndpoint(url string) Option { return func(o *options) { o.endpoint = url } }

// WithSessionToken adds a session token to the credentials given to [New]
// (temporary credentials from STS). It is sent as X-Amz-Security-Token and signed.
func WithSessionToken(token string) Option { return func(o *options) { o.sessionToken = token } }

// WithHTTPClient sets the HTTP client. nil (the default) means a client using
// http.DefaultTransport that does not follow redirects.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.httpClient = c } }

// WithCABundle makes the client trust only the certificate authorities in the
// PEM file path for HTTPS endpoints, as the AWS CLI's --ca-bundle does (a
// TLS-inspecting proxy, a local endpoint with its own certificate). It has no
// effect with [WithHTTPClient]. Empty (the default) means the system's roots,
// or AWS_CA_BUNDLE / the profile's ca_bundle in [NewFromEnvironment].
func WithCABundle(path string) Option {
	return func(o *options) { o.caBundle, o.caBundleField = path, "caBundle" }
}

// WithRetryPolicy sets the retry policy; its zero fields take the defaults
// described on [RetryPolicy].
func WithRetryPolicy(p RetryPolicy) Option {
	return func(o *options) { o.retry = p }
}

// WithRetryMode sets the retry mode (the zero value, [RetryModeStandard], is
// the default). [RetryModeAdaptive] adds the SDKs' client-side rate limiter:
// after the service has throttled an attempt, every attempt of the client's
// calls waits for a token of a bucket that fills at a rate cut by each
// throttling answer and grown back by the others (a wait ctx ends as a
// backoff does; a call whose ctx has already ended makes no attempt, takes no
// token and returns an [*OpError] of 0 attempts). It overrides
// AWS_RETRY_MODE and the profile's retry_mode.
// Another value makes [New] and [NewFromEnvironment] fail with a
// *ValidationError naming it.
func WithRetryMode(m RetryMode) Option {
	return func(o *options) { o.retryMode, o.retryModeSet = m, true }
}

// WithMaxAttempts sets the maximum number of attempts per call (1 disables
// retries; 0 keeps the default of 3). It overrides RetryPolicy.MaxAttempts and
// AWS_MAX_ATTEMPTS.
func WithMaxAttempts(n int) Option { return func(o *options) { o.maxAttempts = n } }

// WithClock sets the clock used for signing and expiry checks; nil means time.Now.
func WithClock(now func() time.Time) Option { return func(o *options) { o.clock = now } }

// WithCredentialsProvider sets the source of credentials. In [New] it replaces
// the access key arguments, which may then be empty. Providers other than
// [StaticCredentialsProvider] and [*CredentialsCache] are wrapped in a
// [CredentialsCache].
func WithCredentialsProvider(p CredentialsProvider) Option { return func(o *options) { o.creds = p } }

// WithRegion sets the region for [NewFromEnvironment], overriding AWS_REGION,
// AWS_DEFAULT_REGION and the profile's region. In [New] it overrides the
// region argument.
func WithRegion(region string) Option { return func(o *options) { o.region = region } }

// WithProfile selects the shared-config profile for [NewFromEnvironment],
// overriding AWS_PROFILE. An explicit profile's credentials take precedence
// over the credential environment variables, as in the AWS CLI's --profile.
func WithProfile(name string) Option { return func(o *options) { o.profile = name } }

// WithAttemptTimeout bounds each attempt (connect, send, read the whole
// response). 0 means [DefaultAttemptTimeout]; a negative value disables the
// bound (ctx and the HTTP client's own timeout still apply). A timed-out
// attempt is retried.
func WithAttemptTimeout(d time.Duration) Option { return func(o *options) { o.attemptTimeout = d } }

// WithFIPSEndpoint selects the FIPS endpoint (logs-fips.<region>...). In
// [NewFromEnvironment] it overrides AWS_USE_FIPS_ENDPOINT.
func WithFIPSEndpoint(on bool) Option { return func(o *options) { o.fips = &on } }

// WithDualStackEndpoint selects the dual-stack (IPv4 and IPv6) endpoint. In
// [NewFromEnvironment] it overrides AWS_USE_DUALSTACK_ENDPOINT.
func WithDualStackEndpoint(on bool) Option { return func(o *options) { o.dualStack = &on } }

// WithUserAgent sets the User-Agent header; empty means "cwlogs-go/<Version>".
func WithUserAgent(ua string) Option { return func(o *options) { o.userAgent = ua } }

// DefaultAttemptTimeout bounds one attempt when [WithAttemptTimeout] is not given.
const DefaultAttemptTimeout = 30 * time.Second

// Version is the version of this package, sent in the User-Agent.
const Version = "1.0.0"

// caBundleHTTPClient sets httpClient to a client trusting caBundle when a
// bundle is configured and no client was given. op names the constructor in
// errors.
func (o *options) caBundleHTTPClient(op string) error {
	if o.httpClient != nil || o.caBundle == "" {
		return nil
	}
	hc, err := caBundleClient(op, o.caBundleField, o.caBundle)
	if err != nil {
		return err
	}
	o.httpClient = hc
	return nil
}

// WithMFATokenCode lets [NewFromEnvironment] assume roles whose profile sets
// mfa_serial, as the AWS CLI does when it prompts "Enter MFA code for …":
// code is called with the device's serial number for its current code each
// time the role is assumed through STS (not while a [RoleCache] holds a good
// session). Without it, such a profile is refused unless [WithRoleCache] is
// set, and then fails when the cache has no good session.
func WithMFATokenCode(code func(ctx context.Context, serialNumber string) (string, error)) Option {
	return func(o *options) { o.mfa = code }
}

// WithRoleCache makes [NewFromEnvironment] keep the sessions of roles it
// assumes through STS (role_arn profiles, web identity) in dir, in the AWS
// CLI's format: see [RoleCache]. An empty dir means ~/.aws/cli/cache, where
// the AWS CLI keeps its own, so that the two share sessions. Without it,
// sessions are kept in memory only, as the AWS SDKs do.
func WithRoleCache(dir string) Option {
	return func(o *options) { o.roleCache = &RoleCache{Dir: dir} }
}

// retryPolicy is the retry policy of the client and of its STS and SSO calls:
// WithRetryPolicy's, with WithMaxAttempts' count when set.
func (o *options) retryPolicy() RetryPolicy {
	p := o.retry
	if o.maxAttempts > 0 {
		p.MaxAttempts = o.maxAttempts
	}
	return p
}
