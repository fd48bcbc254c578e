package cwlogs

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cwlogs/cwlogs/sigv4"
)

// STS holds what the role providers need to call AWS STS. The zero value
// needs Region at least.
type STS struct {
	// Region is the STS region the call is signed for and, without Endpoint,
	// sent to (https://sts.<region>.<partition suffix>). Required.
	Region string
	// Endpoint overrides the STS URL, e.g. a local emulator.
	Endpoint string
	// Client sends the requests; nil means a client that does not follow redirects.
	Client *http.Client
	// Retry is the retry policy of one call: its MaxAttempts, MaxBackoff and
	// Retryable apply (the retry quota does not); the zero value means the
	// defaults (3 attempts; throttling, 5xx and connection errors retried).
	Retry RetryPolicy
	// Now is the clock for signing; nil means time.Now.
	Now func() time.Time
	// Timeout bounds each attempt; 0 means DefaultAttemptTimeout.
	Timeout time.Duration
}

// now reads the clock.
func (s *STS) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// sessionName returns name, or a default one from the clock.
func (s *STS) sessionName(name string) string {
	if name != "" {
		return name
	}
	return "cwlogs-session-" + strconv.FormatInt(s.now().Unix(), 10)
}

// endpoint returns the URL to send STS calls to.
func (s *STS) endpoint() (string, error) {
	if s.Endpoint != "" {
		u, err := parseEndpoint(s.Endpoint)
		if err != nil {
			return "", err
		}
		return u.String(), nil
	}
	if s.Region == "" || !isHostLabel(s.Region) {
		return "", &ValidationError{Operation: "AssumeRole", Field: "region", Value: showValue(s.Region), Reason: "is required to call STS (the profile's region or AWS_REGION)"}
	}
	return "https://sts." + s.Region + "." + partitionOf(s.Region).dnsSuffix + "/", nil
}

// stsCredentialsResult is the part of AssumeRole and AssumeRoleWithWebIdentity
// answers that matters here.
type stsCredentialsResult struct {
	Credentials struct {
		AccessKeyID     string `xml:"AccessKeyId"`
		SecretAccessKey string
		SessionToken    string
		Expiration      string
	}
}

type stsResponse struct {
	Result   stsCredentialsResult `xml:",any"`
	Metadata struct {
		RequestID string `xml:"RequestId"`
	} `xml:"ResponseMetadata"`
}

type stsErrorResponse struct {
	Error struct {
		Code    string
		Message string
	}
	RequestID string `xml:"RequestId"`
}

// call sends one STS Query-protocol action and returns the credentials in its
// answer. creds signs the request; nil sends it unsigned
// (AssumeRoleWithWebIdentity needs no credentials).
func (s *STS) call(ctx context.Context, action string, params url.Values, creds CredentialsProvider) (Credentials, error) {
	op := "sts:" + action
	endpoint, err := s.endpoint()
	if err != nil {
		return Credentials{}, err
	}
	params.Set("Action", action)
	params.Set("Version", "2011-06-15")
	body := []byte(params.Encode())
	var signer sigv4.Signer
	var out Credentials
	err = credsCall(ctx, op, s.Client, s.Retry, s.Timeout, func(ctx context.Context) (*http.Request, error) {
		return s.newRequest(ctx, op, endpoint, body, creds, &signer)
	}, func(status int, h http.Header, raw []byte) (err error) {
		out, err = decodeSTSAnswer(op, status, h, raw)
		return err
	})
	return out, err
}

// newRequest builds one STS request, signed with the credentials of creds
// unless it is nil. A failure of creds is a *sourceError, which ends the call
// (the source has its own retries); the attempt's timeout starts after it.
func (s *STS) newRequest(ctx context.Context, op, endpoint string, body []byte, creds CredentialsProvider, signer *sigv4.Signer) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, &OpError{Operation: op, Attempts: 1, Err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("Accept", "text/xml")
	if creds == nil {
		return req, nil
	}
	c, err := creds.Retrieve(ctx)
	if err != nil {
		return nil, &sourceError{op: op, err: err}
	}
	region := s.Region
	if region == "" {
		region = "us-east-1"
	}
	sc := sigv4.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
	if err := signer.SignRequest(req, body, sc, "sts", region, s.now()); err != nil {
		return nil, &sourceError{op: op, err: fmt.Errorf("signing: %w", err)}
	}
	return req, nil
}

// sourceError is a failure to get or use the credentials that sign an STS
// call: it is not retried here (the source has its own retries).
type sourceError struct {
	op  string
	err error
}

func (e *sourceError) Error() string { return e.op + ": source credentials: " + e.err.Error() }
func (e *sourceError) Unwrap() error { return e.err }

// statusCode is the error code of an answer whose body names none: the
// status text, or UnknownError.
func statusCode(status int) string {
	if t := http.StatusText(status); t != "" {
		return t
	}
	return "UnknownError"
}

// decodeSTSAnswer decodes an STS answer of status with body raw: the
// credentials of a 2xx answer, else an *APIError from the XML error document
// (or the status text when the body is not one).
func decodeSTSAnswer(op string, status int, header http.Header, raw []byte) (Credentials, error) {
	if status/100 != 2 {
		var er stsErrorResponse
		_ = xml.Unmarshal(raw, &er) // a body that is not XML leaves the code empty
		ae := &APIError{Operation: op, Code: er.Error.Code, Message: er.Error.Message, StatusCode: status, RequestID: er.RequestID}
		if ae.Code == "" {
			ae.Code = statusCode(status)
		}
		if ae.RequestID == "" {
			ae.RequestID = header.Get("X-Amzn-Requestid")
		}
		return Credentials{}, ae
	}
	var out stsResponse
	if err := xml.Unmarshal(raw, &out); err != nil {
		return Credentials{}, &DecodeError{Operation: op, Err: err}
	}
	rc := out.Result.Credentials
	if rc.AccessKeyID == "" || rc.SecretAccessKey == "" {
		return Credentials{}, &DecodeError{Operation: op, Err: errors.New("the answer holds no credentials")}
	}
	c := Credentials{AccessKeyID: rc.AccessKeyID, SecretAccessKey: rc.SecretAccessKey, SessionToken: rc.SessionToken}
	if rc.Expiration != "" {
		var err error
		if c.Expires, err = time.Parse(time.RFC3339, rc.Expiration); err != nil {
			return Credentials{}, &DecodeError{Operation: op, Err: fmt.Errorf("the Expiration %q is not an RFC 3339 time", rc.Expiration)}
		}
	}
	return c, nil
}

// AssumeRoleProvider gets temporary credentials for a role from AWS STS
// AssumeRole, signing the call with Source's credentials: the AWS CLI's
// role_arn profiles with source_profile or credential_source. Wrap it in a
// [CredentialsCache] (the client does) so that STS is called again only
// shortly before the role's credentials expire.
type AssumeRoleProvider struct {
	// STS says where and how to call AWS STS; its Region is required unless
	// Endpoint is set.
	STS STS
	// Source supplies the credentials that call AssumeRole. Required.
	Source CredentialsProvider
	// RoleARN is the role to assume. Required.
	RoleARN string
	// RoleSessionName names the session; empty means "cwlogs-session-<unix time>",
	// as botocore names its sessions.
	RoleSessionName string
	// ExternalID is passed when not empty (the profile's external_id).
	ExternalID string
	// Duration is the session's lifetime; 0 means STS's default (one hour).
	Duration time.Duration
}

// Retrieve implements CredentialsProvider.
func (p *AssumeRoleProvider) Retrieve(ctx context.Context) (Credentials, error) {
	if p.Source == nil || p.RoleARN == "" {
		return Credentials{}, fmt.Errorf("%w: AssumeRoleProvider needs Source and RoleARN", ErrNoCredentials)
	}
	v := url.Values{"RoleArn": {p.RoleARN}, "RoleSessionName": {p.STS.sessionName(p.RoleSessionName)}}
	if p.ExternalID != "" {
		v.Set("ExternalId", p.ExternalID)
	}
	if p.Duration > 0 {
		v.Set("DurationSeconds", strconv.Itoa(int(p.Duration/time.Second)))
	}
	c, err := p.STS.call(ctx, "AssumeRole", v, p.Source)
	if err != nil {
		return Credentials{}, err
	}
	c.Source = "AssumeRole " + p.RoleARN
	return c, nil
}

// String implements fmt.Stringer without revealing secrets.
func (p *AssumeRoleProvider) String() string { return "AssumeRoleProvider{" + p.RoleARN + "}" }

// WebIdentityRoleProvider gets temporary credentials for a role from AWS STS
// AssumeRoleWithWebIdentity with the OIDC token in TokenFile, read on every
// call: EKS IAM roles for service accounts (AWS_ROLE_ARN and
// AWS_WEB_IDENTITY_TOKEN_FILE) and web_identity_token_file profiles. The call
// is not signed.
type WebIdentityRoleProvider struct {
	// STS says where and how to call AWS STS; its Region is required unless
	// Endpoint is set.
	STS STS
	// RoleARN is the role to assume. Required.
	RoleARN string
	// TokenFile holds the OIDC token. Required.
	TokenFile string
	// RoleSessionName names the session; empty means "cwlogs-session-<unix time>".
	RoleSessionName string
	// Duration is the session's lifetime; 0 means STS's default (one hour).
	Duration time.Duration
}

// Retrieve implements CredentialsProvider.
func (p *WebIdentityRoleProvider) Retrieve(ctx context.Context) (Credentials, error) {
	if p.RoleARN == "" || p.TokenFile == "" {
		return Credentials{}, fmt.Errorf("%w: WebIdentityRoleProvider needs RoleARN and TokenFile", ErrNoCredentials)
	}
	tok, err := os.ReadFile(p.TokenFile)
	if err != nil {
		return Credentials{}, fmt.Errorf("cwlogs: sts:AssumeRoleWithWebIdentity: web identity token file: %w", cause(err))
	}
	v := url.Values{"RoleArn": {p.RoleARN}, "RoleSessionName": {p.STS.sessionName(p.RoleSessionName)}, "WebIdentityToken": {strings.TrimSpace(string(tok))}}
	if p.Duration > 0 {
		v.Set("DurationSeconds", strconv.Itoa(int(p.Duration/time.Second)))
	}
	c, err := p.STS.call(ctx, "AssumeRoleWithWebIdentity", v, nil)
	if err != nil {
		return Credentials{}, err
	}
	c.Source = "AssumeRoleWithWebIdentity " + p.RoleARN
	return c, nil
}

// String implements fmt.Stringer without revealing the token.
func (p *WebIdentityRoleProvider) String() string {
	return "WebIdentityRoleProvider{" + p.RoleARN + "}"
}
