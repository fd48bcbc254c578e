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

// DefaultMetadataTimeout bounds each request to the container credentials
// endpoint or the EC2 instance metadata service when a provider's Timeout is
// zero. It is short, as in the AWS CLI: off AWS these endpoints do not answer.
const DefaultMetadataTimeout = time.Second

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
		return Credentials{}, fmt.Errorf("%w: %s answered without AccessKeyId or SecretAccessKey", ErrNoCredentials, source)
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
	Transport:     &http.Transport{Proxy: nil, DialContext: (&net.Dialer{Timeout: DefaultMetadataTimeout}).DialContext},
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
	// Timeout bounds the request; 0 means DefaultMetadataTimeout.
	Timeout time.Duration
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
		return nil, &ValidationError{Operation: "NewFromEnvironment", Field: "AWS_CONTAINER_CREDENTIALS_FULL_URI", Value: showValue(full), Reason: err.Error()}
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
		return Credentials{}, fmt.Errorf("cwlogs: %s %q: %v", source, p.URL, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL, nil)
	if err != nil {
		return Credentials{}, fmt.Errorf("cwlogs: %s: %w", source, err)
	}
	token := p.AuthToken
	if p.AuthTokenFile != "" {
		b, err := os.ReadFile(p.AuthTokenFile)
		if err != nil {
			return Credentials{}, fmt.Errorf("cwlogs: %s: authorization token file: %w", source, cause(err))
		}
		token = strings.TrimSpace(string(b))
	}
	if strings.ContainsAny(token, "\r\n") {
		return Credentials{}, fmt.Errorf("cwlogs: %s: the authorization token holds a line break", source)
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	req.Header.Set("Accept", "application/json")
	body, _, err := getMetadata(p.Client, req, p.Timeout, source)
	if err != nil {
		return Credentials{}, err
	}
	return parseRemoteCredentials(source, body)
}

// String implements fmt.Stringer without revealing the token.
func (p *ContainerCredentialsProvider) String() string {
	return "ContainerCredentialsProvider{" + p.URL + "}"
}

// DefaultIMDSEndpoint is the EC2 instance metadata service's address.
const DefaultIMDSEndpoint = "http://169.254.169.254"

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
}

// Retrieve implements CredentialsProvider.
func (p *IMDSCredentialsProvider) Retrieve(ctx context.Context) (Credentials, error) {
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
	case (status == http.StatusNotFound || status == http.StatusMethodNotAllowed) && !p.DisableV1Fallback:
		// No IMDSv2 here: use IMDSv1.
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

// String implements fmt.Stringer.
func (p *IMDSCredentialsProvider) String() string { return "IMDSCredentialsProvider" }
