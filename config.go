package cwlogs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// osEnv reads environment variables.
type osEnv struct{ get func(string) string }

func (e osEnv) getenv(k string) string {
	if e.get == nil {
		return os.Getenv(k)
	}
	return e.get(k)
}

func (e osEnv) first(keys ...string) (key, val string) {
	for _, k := range keys {
		if v := e.getenv(k); v != "" {
			return k, v
		}
	}
	return "", ""
}

func (e osEnv) profile() string {
	if _, p := e.first("AWS_PROFILE", "AWS_DEFAULT_PROFILE"); p != "" {
		return p
	}
	return "default"
}

func homeFile(parts ...string) string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ""
	}
	return filepath.Join(append([]string{home}, parts...)...)
}

func (e osEnv) credentialsFile() string {
	if f := e.getenv("AWS_SHARED_CREDENTIALS_FILE"); f != "" {
		return expandHome(f)
	}
	return homeFile(".aws", "credentials")
}

func (e osEnv) configFile() string {
	if f := e.getenv("AWS_CONFIG_FILE"); f != "" {
		return expandHome(f)
	}
	return homeFile(".aws", "config")
}

func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if h := homeFile(); h != "" {
			return filepath.Join(h, p[1:])
		}
	}
	return p
}

// settings returns the settings of profile, looked up in getenv first.
func (sf *sharedFiles) settings(getenv func(string) string, profile string) settings {
	return settings{getenv: getenv, profile: func(k string) string { return sf.setting(profile, k) }}
}

// settings looks settings up in the environment, then in one profile.
type settings struct {
	getenv  func(string) string
	profile func(key string) string // the profile's value of key, or ""
}

// lookup returns the value of the variable envName, else of the profile's
// key (none when key is ""), trimmed, and the name it was found under, for
// error messages.
func (s settings) lookup(envName, key string) (name, value string) {
	if v := strings.TrimSpace(s.getenv(envName)); v != "" || key == "" {
		return envName, v
	}
	return key, strings.TrimSpace(s.profile(key))
}

// boolean reads an AWS boolean setting; found is false when it is unset.
func (s settings) boolean(envName, key string) (value, found bool, err error) {
	name, v := s.lookup(envName, key)
	if v == "" {
		return false, false, nil
	}
	value, err = parseBool(name, v)
	return value, err == nil, err
}

// count reads a whole number of at least 1; 0 when unset.
func (s settings) count(envName, key string) (int, error) {
	name, v := s.lookup(envName, key)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, &ValidationError{Operation: "NewFromEnvironment", Field: name, Value: showValue(v), Reason: "must be a whole number of at least 1"}
	}
	return n, nil
}

// parseBool parses the AWS config booleans "true"/"false" (any case).
func parseBool(name, v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, &ValidationError{Operation: "NewFromEnvironment", Field: name, Value: showValue(v), Reason: "must be true or false"}
}

// NewFromEnvironment creates a client configured the way the AWS CLI and SDKs
// configure themselves. Options given in code win over the environment, the
// environment over the shared files.
//
//   - Profile: [WithProfile], AWS_PROFILE, AWS_DEFAULT_PROFILE, else "default".
//     Files: AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials) with
//     [name] sections and AWS_CONFIG_FILE (default ~/.aws/config) with
//     [default] and [profile name] sections. Settings are looked up in the
//     config file's profile, then in the credentials file's.
//   - Region: [WithRegion], AWS_REGION, AWS_DEFAULT_REGION, profile "region".
//   - Credentials: [WithCredentialsProvider]; else AWS_ACCESS_KEY_ID (or
//     AWS_ACCESS_KEY) + AWS_SECRET_ACCESS_KEY (or AWS_SECRET_KEY) +
//     AWS_SESSION_TOKEN; else the profile's role (role_arn with
//     source_profile, credential_source or web_identity_token_file, assumed
//     through STS: see [AssumeRoleProvider], [WebIdentityRoleProvider]); else
//     AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE (EKS service accounts);
//     else its IAM Identity Center role (sso_account_id and sso_role_name,
//     with sso_session or sso_start_url and the token of `aws sso login`:
//     see [SSOCredentialsProvider]); else the profile's aws_access_key_id,
//     aws_secret_access_key, aws_session_token in the credentials file, its
//     credential_process (run on first use and again before the credentials
//     expire; see [ProcessCredentialsProvider]), its keys in the config file;
//     else the container endpoint of AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or
//     AWS_CONTAINER_CREDENTIALS_FULL_URI (ECS, EKS Pod Identity; see
//     [ContainerCredentialsProvider]); else the EC2 instance role, from the
//     instance metadata service (IMDSv2, falling back to IMDSv1; asked
//     here, each of its three requests limited to one second, unless
//     AWS_EC2_METADATA_DISABLED=true; AWS_METADATA_SERVICE_TIMEOUT,
//     AWS_METADATA_SERVICE_NUM_ATTEMPTS, AWS_EC2_METADATA_SERVICE_ENDPOINT[_MODE]
//     and AWS_EC2_METADATA_V1_DISABLED, or the profile's equivalents, tune
//     it; see [IMDSCredentialsProvider]). With WithProfile the profile comes first,
//     as with the CLI's --profile. A role with mfa_serial needs
//     [WithMFATokenCode] (or [WithRoleCache] holding a good session), and
//     [WithRoleCache] shares role sessions with the AWS CLI. STS is called in the client's region, at AWS_ENDPOINT_URL_STS,
//     AWS_ENDPOINT_URL or the profile's sts service endpoint when set (SSO:
//     AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL_SSO_OIDC).
//   - Endpoint: [WithEndpoint]; else, unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS
//     or the profile's ignore_configured_endpoint_urls is true:
//     AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, AWS_ENDPOINT_URL, the profile's
//     services section (cloudwatch_logs = / endpoint_url = ...), the
//     profile's endpoint_url; else the partition's default host, with
//     AWS_USE_FIPS_ENDPOINT / use_fips_endpoint and AWS_USE_DUALSTACK_ENDPOINT
//     / use_dualstack_endpoint.
//   - Retries: [WithMaxAttempts] / [WithRetryPolicy], AWS_MAX_ATTEMPTS,
//     profile max_attempts; [WithRetryMode], AWS_RETRY_MODE / retry_mode:
//     standard, adaptive (client-side rate limiting, see [RetryModeAdaptive])
//     or legacy (the standard mode here).
//   - TLS: [WithCABundle], AWS_CA_BUNDLE, the profile's ca_bundle: a PEM file
//     of certificate authorities that replaces the system's for HTTPS
//     endpoints (ignored with [WithHTTPClient]).
//
// Invalid values give a *ValidationError naming the variable or setting.
func NewFromEnvironment(ctx context.Context, opts ...Option) (*Client, error) {
	return newFromEnv(ctx, osEnv{}, opts)
}

func newFromEnv(ctx context.Context, env osEnv, opts []Option) (*Client, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	const op = "NewFromEnvironment"
	profile, explicit := o.profile, o.profile != ""
	if !explicit {
		profile = env.profile()
	}
	sf, err := loadSharedFiles(env.credentialsFile(), env.configFile())
	if err != nil {
		return nil, err
	}
	if profile != "default" && !sf.hasProfile(profile) {
		return nil, &ValidationError{Operation: op, Field: "profile", Value: showValue(profile),
			Reason: fmt.Sprintf("not found in %s or %s", sf.credFile, sf.cfgFile)}
	}

	region := o.region
	if region == "" {
		_, region = env.first("AWS_REGION", "AWS_DEFAULT_REGION")
	}
	if region == "" {
		region = sf.setting(profile, "region")
	}
	if region == "" {
		return nil, &ValidationError{Operation: op, Field: "region", Value: `""`,
			Reason: "Invalid Configuration: Missing Region (set AWS_REGION, the profile's region, or use WithRegion)"}
	}

	set := sf.settings(env.getenv, profile)
	boolSetting := func(envName, key string, dst **bool) error {
		if *dst != nil {
			return nil
		}
		b, found, err := set.boolean(envName, key)
		if found {
			*dst = &b
		}
		return err
	}
	if err := boolSetting("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint", &o.fips); err != nil {
		return nil, err
	}
	if err := boolSetting("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint", &o.dualStack); err != nil {
		return nil, err
	}

	configuredEndpoint, err := sf.endpoints(env, set)
	if err != nil {
		return nil, err
	}
	if o.endpoint == "" {
		o.endpoint = configuredEndpoint(profile, "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "cloudwatch_logs")
	}

	if o.caBundle == "" {
		o.caBundleField, o.caBundle = set.lookup("AWS_CA_BUNDLE", "ca_bundle")
		o.caBundle = expandHome(o.caBundle)
	}
	if err := o.caBundleHTTPClient(op); err != nil {
		return nil, err
	}

	if o.maxAttempts == 0 && o.retry.MaxAttempts == 0 {
		if o.maxAttempts, err = set.count("AWS_MAX_ATTEMPTS", "max_attempts"); err != nil {
			return nil, err
		}
	}
	name, mode := set.lookup("AWS_RETRY_MODE", "retry_mode")
	switch strings.ToLower(mode) {
	case "", "standard", "legacy": // legacy, botocore's older mode (aws-sdk-go-v2 refuses it): the standard mode here
	case "adaptive":
		if !o.retryModeSet {
			o.retryMode = RetryModeAdaptive
		}
	default:
		return nil, &ValidationError{Operation: op, Field: name, Value: showValue(mode), Reason: "must be standard, adaptive or legacy"}
	}

	if o.creds == nil {
		// Roles are assumed through STS in the client's region; STS and SSO
		// are called with their own endpoint settings and the client's HTTP
		// client, retry policy and clock.
		ce := chainEnv{getenv: env.getenv, region: region, endpoint: configuredEndpoint, client: o.httpClient, retry: o.retryPolicy(),
			now: o.clock, timeout: o.attemptTimeout, mfa: o.mfa, roleCache: o.roleCache}
		envCreds, envOK := envCredentials(env.getenv)
		switch {
		case envOK && !explicit:
			o.creds = StaticCredentialsProvider{Credentials: envCreds}
		default:
			p, err := sf.provider(profile, ce)
			var empty *profileEmptyError
			switch {
			case err == nil:
				o.creds = p
			case !errors.As(err, &empty):
				// The profile names a source that is wrong or unusable: say so
				// rather than fall back to another identity.
				return nil, fmt.Errorf("cwlogs: %s: %w", op, err)
			case envOK:
				// An explicit profile without any credentials: the environment's.
				o.creds = StaticCredentialsProvider{Credentials: envCreds}
			default:
				if o.creds, err = remoteProvider(ctx, set, o.clock, err); err != nil {
					return nil, err
				}
			}
		}
	}
	return newClient(region, &o)
}

// endpoints returns a function giving a service's configured endpoint for a
// profile: envName (AWS_ENDPOINT_URL_<SERVICE>), AWS_ENDPOINT_URL, the
// profile's services section entry key, the profile's endpoint_url; "" for
// the default, and always when ignore_configured_endpoint_urls is true.
func (sf *sharedFiles) endpoints(env osEnv, set settings) (func(profile, envName, key string) string, error) {
	ignore, _, err := set.boolean("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "ignore_configured_endpoint_urls")
	return func(p, envName, key string) string {
		if ignore {
			return ""
		}
		if _, e := env.first(envName, "AWS_ENDPOINT_URL"); e != "" {
			return e
		}
		if e := sf.serviceEndpoint(p, key); e != "" {
			return e
		}
		return sf.setting(p, "endpoint_url")
	}, err
}

// remoteProvider is the end of the AWS CLI's credential chain, reached when the
// profile has no credentials (profileErr): the container credentials endpoint
// when the environment names one, else the EC2 instance metadata service,
// which is asked now, so that a machine off EC2 gets its "no credentials"
// error from NewFromEnvironment rather than from the first request.
// AWS_EC2_METADATA_DISABLED=true skips the service. set reads the settings.
func remoteProvider(ctx context.Context, set settings, clock func() time.Time, profileErr error) (CredentialsProvider, error) {
	const op = "NewFromEnvironment"
	const checked = "also checked AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
	cp, err := containerProviderFromEnv(set.getenv)
	if err != nil || cp != nil {
		return cp, err
	}
	imds, err := set.imdsProvider()
	if err != nil {
		return nil, err
	}
	if imds == nil {
		return nil, fmt.Errorf("cwlogs: %s: %w (%s; the EC2 instance metadata service is disabled by AWS_EC2_METADATA_DISABLED)", op, profileErr, checked)
	}
	cache := NewCredentialsCache(imds)
	cache.Now = clock
	if _, err := cache.Retrieve(ctx); err != nil {
		return nil, fmt.Errorf("cwlogs: %s: %w (%s; %w)", op, profileErr, checked, err)
	}
	return cache, nil
}

// caBundleClient returns an HTTP client that trusts only the certificate
// authorities in the PEM file path, named by setting name.
func caBundleClient(op, name, path string) (*http.Client, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, &ValidationError{Operation: op, Field: name, Value: showValue(path), Reason: "cannot be read: " + cause(err).Error()}
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, &ValidationError{Operation: op, Field: name, Value: showValue(path), Reason: "holds no PEM certificate"}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr, CheckRedirect: noRedirects}, nil
}

// cause returns what err wraps, or err itself: for errors such as *fs.PathError
// whose text would repeat a path or command line already shown or secret.
func cause(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}
