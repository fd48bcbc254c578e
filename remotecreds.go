package cwlogs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// DefaultMetadataTimeout bounds each request to the EC2 instance metadata
// service when the provider's Timeout is zero. It is short, as in the AWS CLI:
// off AWS the service does not answer.
const DefaultMetadataTimeout = time.Second

// DefaultContainerTimeout and DefaultContainerAttempts are the container
// provider's defaults, as botocore's: a busy agent gets 3 tries of 2 s, one
// second apart.
const (
	DefaultContainerTimeout  = 2 * time.Second
	DefaultContainerAttempts = 3
)

// remoteCredentials is the JSON the container endpoint and IMDS answer with.
type remoteCredentials struct {
	Code            string // IMDS only: "Success"
	Message         string // IMDS only, on failure
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	Token           string
	Expiration      string
}

// parseRemoteCredentials decodes and checks a credentials document of the
// container endpoint or IMDS; source names where it came from. Its errors
// never quote the document, except an Expiration value.
func parseRemoteCredentials(source string, raw []byte) (Credentials, error) {
	var r remoteCredentials
	if err := json.Unmarshal(raw, &r); err != nil {
		return Credentials{}, fmt.Errorf("cwlogs: %s: the answer is not the expected JSON: %v", source, err)
	}
	if r.Code != "" && r.Code != "Success" {
		return Credentials{}, fmt.Errorf("cwlogs: %s: credentials not available: code %s", source, r.Code)
	}
	if r.AccessKeyID == "" || r.SecretAccessKey == "" {
		return Credentials{}, fmt.Errorf("cwlogs: %s answered without AccessKeyId or SecretAccessKey", source)
	}
	c := Credentials{AccessKeyID: r.AccessKeyID, SecretAccessKey: r.SecretAccessKey, SessionToken: r.Token, Source: source}
	if r.Expiration != "" {
		t, err := time.Parse(time.RFC3339, r.Expiration)
		if err != nil {
			return Credentials{}, fmt.Errorf("cwlogs: %s: Expiration %q is not an RFC 3339 time", source, r.Expiration)
		}
		c.Expires = t
	}
	return c, nil
}

// metadataClient is the HTTP client of the metadata providers: no proxy (the
// endpoints are link-local or loopback) and no redirects.
var metadataClient = &http.Client{
	Transport:     &http.Transport{Proxy: nil}, // each request's context bounds the dial too
	CheckRedirect: noRedirects,
}

// getMetadata sends req with a timeout and returns the body of a 200 answer
// (at most 64 KiB). Other statuses give an error with the status only: the
// body of a credentials endpoint is never shown.
func getMetadata(hc *http.Client, req *http.Request, timeout time.Duration, source string) ([]byte, int, error) {
	if hc == nil {
		hc = metadataClient
	}
	if timeout <= 0 {
		timeout = DefaultMetadataTimeout
	}
	ctx, cancel := context.WithTimeout(req.Context(), timeout)
	defer cancel()
	resp, err := hc.Do(req.WithContext(ctx))
	if err != nil {
		return nil, 0, fmt.Errorf("cwlogs: %s: %w", source, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, resp.StatusCode, fmt.Errorf("cwlogs: %s: reading the answer: %w", source, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, resp.StatusCode, fmt.Errorf("cwlogs: %s: HTTP %s", source, resp.Status)
	}
	return body, resp.StatusCode, nil
}

// ContainerCredentialsProvider gets credentials from the endpoint that Amazon
// ECS, EKS Pod Identity and other container hosts provide, as the AWS CLI does.
// [NewFromEnvironment] uses it when AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or
// AWS_CONTAINER_CREDENTIALS_FULL_URI is set and the profile has no credentials.
type ContainerCredentialsProvider struct {
	// URL is the endpoint: "http://169.254.170.2" + the relative URI, or the
	// full URI, which must use HTTPS or name a loopback address or one of the
	// ECS and EKS link-local hosts.
	URL string
	// AuthToken is sent as the Authorization header when not empty.
	// AuthTokenFile, when not empty, is read on every Retrieve and wins (EKS
	// Pod Identity rotates the file).
	AuthToken     string
	AuthTokenFile string
	// Client sends the request; nil means a client without proxy or redirects.
	Client *http.Client
	// Timeout bounds each attempt; 0 means DefaultContainerTimeout.
	Timeout time.Duration
	// Attempts is how many times a failed request is tried, one second
	// apart; 0 means DefaultContainerAttempts. A 4xx answer is not retried.
	Attempts int
}

// containerHosts are the link-local hosts a plain-HTTP full URI may name, as
// in the AWS SDKs: ECS, and EKS Pod Identity over IPv4 and IPv6.
var containerHosts = []string{"169.254.170.2", "169.254.170.23", "fd00:ec2::23"}

// containerProviderFromEnv returns the container provider the environment
// configures, or nil when none is.
func containerProviderFromEnv(getenv func(string) string) (*ContainerCredentialsProvider, error) {
	p := &ContainerCredentialsProvider{AuthToken: getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN"), AuthTokenFile: getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")}
	if rel := getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); rel != "" {
		p.URL = "http://169.254.170.2" + rel
		return p, nil
	}
	full := getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI")
	if full == "" {
		return nil, nil
	}
	if err := checkContainerURL(full); err != nil {
		return nil, &ValidationError{Operation: "NewFromEnvironment", Field: "AWS_CONTAINER_CREDENTIALS_FULL_URI", Value: showValue(redactURL(full)), Reason: err.Error()}
	}
	p.URL = full
	return p, nil
}

func checkContainerURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return errors.New("must be an absolute http or https URL")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		for _, h := range containerHosts {
			if host == h {
				return nil
			}
		}
		if host == "localhost" {
			return nil
		}
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			return nil
		}
		return errors.New("must use https, or http to a loopback address or the ECS/EKS link-local host")
	}
	return errors.New("must be an absolute http or https URL")
}

// Retrieve implements CredentialsProvider.
func (p *ContainerCredentialsProvider) Retrieve(ctx context.Context) (Credentials, error) {
	const source = "container credentials endpoint"
	if err := checkContainerURL(p.URL); err != nil {
		return Credentials{}, fmt.Errorf("cwlogs: %s %s: %v", source, redactURL(p.URL), err)
	}
	token := p.AuthToken
	if p.AuthTokenFile != "" {
		b, err := os.ReadFile(p.AuthTokenFile)
		if err != nil {
			return Credentials{}, fmt.Errorf("cwlogs: %s: authorization token file: %w", source, err)
		}
		token = strings.TrimSpace(string(b))
	}
	if strings.ContainsAny(token, "\r\n") {
		return Credentials{}, fmt.Errorf("cwlogs: %s: the authorization token holds a line break", source)
	}
	timeout, attempts := p.Timeout, p.Attempts
	if timeout <= 0 {
		timeout = DefaultContainerTimeout
	}
	if attempts <= 0 {
		attempts = DefaultContainerAttempts
	}
	var err error
	for i := range attempts {
		if i > 0 {
			if serr := sleepCtx(ctx, time.Second); serr != nil {
				return Credentials{}, fmt.Errorf("cwlogs: %s: %w", source, serr)
			}
		}
		req, rerr := http.NewRequestWithContext(ctx, http.MethodGet, p.URL, nil)
		if rerr != nil {
			return Credentials{}, fmt.Errorf("cwlogs: %s: %w", source, rerr)
		}
		if token != "" {
			req.Header.Set("Authorization", token)
		}
		req.Header.Set("Accept", "application/json")
		var body []byte
		var status int
		body, status, err = getMetadata(p.Client, req, timeout, source)
		if err == nil {
			return parseRemoteCredentials(source, body)
		}
		if status/100 == 4 || ctx.Err() != nil {
			break
		}
	}
	return Credentials{}, err
}

// redactURL shows raw with any password replaced, for messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<unparsable URL>"
	}
	return u.Redacted()
}

// String implements fmt.Stringer without revealing the token or a password
// in the URL.
func (p ContainerCredentialsProvider) String() string {
	return "ContainerCredentialsProvider{" + redactURL(p.URL) + "}"
}

// GoString implements fmt.GoStringer (%#v) without revealing secrets.
func (p ContainerCredentialsProvider) GoString() string { return "cwlogs." + p.String() }

// DefaultIMDSEndpoint and DefaultIMDSEndpointIPv6 are the EC2 instance
// metadata service's addresses.
const (
	DefaultIMDSEndpoint     = "http://169.254.169.254"
	DefaultIMDSEndpointIPv6 = "http://[fd00:ec2::254]"
)

// IMDSCredentialsProvider gets the credentials of the EC2 instance's role from
// the instance metadata service, with an IMDSv2 session token (falling back to
// IMDSv1 when the service does not offer tokens), as the AWS CLI does.
// [NewFromEnvironment] tries it last, unless AWS_EC2_METADATA_DISABLED is true.
type IMDSCredentialsProvider struct {
	// Endpoint is the service's base URL; empty means
	// AWS_EC2_METADATA_SERVICE_ENDPOINT, else DefaultIMDSEndpoint.
	Endpoint string
	// Client sends the requests; nil means a client without proxy or redirects.
	Client *http.Client
	// Timeout bounds each request; 0 means DefaultMetadataTimeout.
	Timeout time.Duration
	// DisableV1Fallback refuses IMDSv1 (AWS_EC2_METADATA_V1_DISABLED).
	DisableV1Fallback bool
	// Attempts is how many times the whole retrieval is tried; 0 means 1
	// (AWS_METADATA_SERVICE_NUM_ATTEMPTS).
	Attempts int
}

// imdsProvider returns the IMDS provider the environment and the profile's
// settings configure, as the AWS CLI reads them, or nil when
// AWS_EC2_METADATA_DISABLED is true.
func (s settings) imdsProvider() (*IMDSCredentialsProvider, error) {
	if strings.EqualFold(strings.TrimSpace(s.getenv("AWS_EC2_METADATA_DISABLED")), "true") {
		return nil, nil // as in botocore and the Go SDK, only "true" counts; other values are ignored
	}
	p := &IMDSCredentialsProvider{}
	var err error
	if p.DisableV1Fallback, _, err = s.boolean("AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled"); err != nil {
		return nil, err
	}
	secs, err := s.count("AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout")
	if err != nil {
		return nil, err
	}
	p.Timeout = time.Duration(secs) * time.Second
	if p.Attempts, err = s.count("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "metadata_service_num_attempts"); err != nil {
		return nil, err
	}
	_, p.Endpoint = s.lookup("AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint")
	if p.Endpoint == "" {
		switch name, mode := s.lookup("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ec2_metadata_service_endpoint_mode"); strings.ToLower(mode) {
		case "", "ipv4":
		case "ipv6":
			p.Endpoint = DefaultIMDSEndpointIPv6
		default:
			return nil, &ValidationError{Operation: "NewFromEnvironment", Field: name, Value: showValue(mode), Reason: "must be IPv4 or IPv6"}
		}
	}
	return p, nil
}

// Retrieve implements CredentialsProvider.
func (p *IMDSCredentialsProvider) Retrieve(ctx context.Context) (Credentials, error) {
	var c Credentials
	var err error
	for range max(p.Attempts, 1) {
		if c, err = p.retrieve(ctx); err == nil || ctx.Err() != nil {
			break
		}
	}
	return c, err
}

func (p *IMDSCredentialsProvider) retrieve(ctx context.Context) (Credentials, error) {
	const source = "EC2 instance metadata service"
	base := p.Endpoint
	if base == "" {
		base = os.Getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT")
	}
	if base == "" {
		base = DefaultIMDSEndpoint
	}
	base = strings.TrimSuffix(base, "/")
	get := func(method, path string, header http.Header) ([]byte, int, error) {
		req, err := http.NewRequestWithContext(ctx, method, base+path, nil)
		if err != nil {
			return nil, 0, fmt.Errorf("cwlogs: %s: %w", source, err)
		}
		for k, v := range header {
			req.Header[k] = v
		}
		return getMetadata(p.Client, req, p.Timeout, source)
	}
	tok, status, err := get(http.MethodPut, "/latest/api/token", http.Header{"X-Aws-Ec2-Metadata-Token-Ttl-Seconds": {"21600"}})
	h := http.Header{}
	switch {
	case err == nil:
		h.Set("X-Aws-Ec2-Metadata-Token", strings.TrimSpace(string(tok)))
	case !p.DisableV1Fallback && (status == http.StatusForbidden || status == http.StatusNotFound || status == http.StatusMethodNotAllowed ||
		status == 0 && ctx.Err() == nil && isTimeout(err) && !isDialError(err)):
		// No IMDSv2 here, or its answer cannot reach us (a container behind
		// a hop limit of 1): use IMDSv1, as botocore does.
	default:
		return Credentials{}, fmt.Errorf("%w (IMDSv2 session token)", err)
	}
	names, _, err := get(http.MethodGet, "/latest/meta-data/iam/security-credentials/", h)
	if err != nil {
		return Credentials{}, fmt.Errorf("%w (no instance role?)", err)
	}
	role, _, _ := strings.Cut(strings.TrimSpace(string(names)), "\n")
	role = strings.TrimSpace(role)
	if role == "" || strings.ContainsAny(role, "/?#") {
		return Credentials{}, fmt.Errorf("%w: %s lists no usable instance role", ErrNoCredentials, source)
	}
	body, _, err := get(http.MethodGet, "/latest/meta-data/iam/security-credentials/"+url.PathEscape(role), h)
	if err != nil {
		return Credentials{}, err
	}
	return parseRemoteCredentials(source+" (role "+role+")", body)
}

// isDialError reports whether err happened while connecting: off EC2 the
// service is unreachable, which IMDSv1 would not change.
func isDialError(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "dial"
}

// String implements fmt.Stringer.
func (p *IMDSCredentialsProvider) String() string { return "IMDSCredentialsProvider" }
