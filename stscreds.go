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

// endpoint returns the URL to send the STS action op ("sts:AssumeRole") to.
func (s *STS) endpoint(op string) (string, error) {
	if s.Endpoint != "" {
		u, err := parseEndpoint(s.Endpoint)
		if err != nil {
			return "", err
		}
		return u.String(), nil
	}
	if s.Region == "" || !isHostLabel(s.Region) {
		return "", &ValidationError{Operation: op, Field: "region", Value: showValue(s.Region), Reason: "is required to call STS (the profile's region or AWS_REGION)"}
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
	AssumedRoleUser assumedRoleUser
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
// answer, and the assumed-role user. creds signs the request; nil sends it
// unsigned (AssumeRoleWithWebIdentity needs no credentials).
func (s *STS) call(ctx context.Context, action string, params url.Values, creds CredentialsProvider) (Credentials, *assumedRoleUser, error) {
	op := "sts:" + action
	endpoint, err := s.endpoint(op)
	if err != nil {
		return Credentials{}, nil, err
	}
	params.Set("Action", action)
	params.Set("Version", "2011-06-15")
	body := []byte(params.Encode())
	var signer sigv4.Signer
	var out Credentials
	var user *assumedRoleUser
	err = credsCall(ctx, op, s.Client, s.Retry, s.Timeout, func(ctx context.Context) (*http.Request, error) {
		return s.newRequest(ctx, op, endpoint, body, creds, &signer)
	}, func(status int, h http.Header, raw []byte) (err error) {
		if status/100 != 2 { // an answer echoing the request must not carry its secrets into the error
			raw = scrubSecrets(raw, params.Get("TokenCode"), params.Get("WebIdentityToken"))
		}
		out, user, err = decodeSTSAnswer(op, status, h, raw)
		return err
	})
	return out, user, err
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

// scrubSecrets replaces in b every occurrence of each secret, as sent, percent-encoded or
// with JSON-escaped slashes, with [redacted]: for error answers that echo the request.
func scrubSecrets(b []byte, secrets ...string) []byte {
	for _, s := range secrets {
		if s == "" {
			continue
		}
		for _, form := range []string{s, url.QueryEscape(s), strings.ReplaceAll(s, "/", `\/`)} {
			b = bytes.ReplaceAll(b, []byte(form), []byte("[redacted]")) // no markup: the XML or JSON answer must still parse
		}
	}
	return b
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
// credentials and assumed-role user of a 2xx answer, else an *APIError from the
// XML error document (or the status text when the body is not one).
func decodeSTSAnswer(op string, status int, header http.Header, raw []byte) (Credentials, *assumedRoleUser, error) {
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
		return Credentials{}, nil, ae
	}
	var out stsResponse
	if err := xml.Unmarshal(raw, &out); err != nil {
		return Credentials{}, nil, &DecodeError{Operation: op, Err: err}
	}
	rc := out.Result.Credentials
	if rc.AccessKeyID == "" || rc.SecretAccessKey == "" {
		return Credentials{}, nil, &DecodeError{Operation: op, Err: errors.New("the answer holds no credentials")}
	}
	c := Credentials{AccessKeyID: rc.AccessKeyID, SecretAccessKey: rc.SecretAccessKey, SessionToken: rc.SessionToken}
	if rc.Expiration != "" {
		var err error
		if c.Expires, err = time.Parse(time.RFC3339, rc.Expiration); err != nil {
			return Credentials{}, nil, &DecodeError{Operation: op, Err: fmt.Errorf("the Expiration %q is not an RFC 3339 time", rc.Expiration)}
		}
	}
	return c, &out.Result.AssumedRoleUser, nil
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
	// SerialNumber is the MFA device whose code the role requires (the
	// profile's mfa_serial); empty for none.
	SerialNumber string
	// TokenCode returns the current code of the MFA device serialNumber, for
	// example typed at a prompt. Required with SerialNumber; it is called only
	// when STS is, not when Cache holds a good session.
	TokenCode func(ctx context.Context, serialNumber string) (string, error)
	// Cache, when not nil, keeps the role's session in files shared with the
	// AWS CLI (see [RoleCache]); nil keeps it in memory only.
	Cache *RoleCache
}

// ErrMFACodeNeeded is returned (wrapped) when a role needs an MFA code and no
// TokenCode function was given to ask for it.
var ErrMFACodeNeeded = errors.New("cwlogs: the role needs an MFA code and nothing was set up to ask for one")

// Retrieve implements CredentialsProvider.
func (p *AssumeRoleProvider) Retrieve(ctx context.Context) (Credentials, error) {
	if p.Source == nil || p.RoleARN == "" {
		return Credentials{}, fmt.Errorf("%w: AssumeRoleProvider needs Source and RoleARN", ErrNoCredentials)
	}
	args := roleArgs(p.RoleARN, p.RoleSessionName, p.Duration)
	if p.ExternalID != "" {
		args["ExternalId"] = p.ExternalID
	}
	if p.SerialNumber != "" {
		args["SerialNumber"] = p.SerialNumber
	}
	return cachedRole(p.Cache, "AssumeRole "+p.RoleARN, args, func() (Credentials, *assumedRoleUser, error) {
		v := stsParams(args, p.STS.sessionName(p.RoleSessionName))
		if p.SerialNumber != "" {
			if p.TokenCode == nil {
				return Credentials{}, nil, fmt.Errorf("cwlogs: sts:AssumeRole %s: MFA device %s: %w", p.RoleARN, p.SerialNumber, ErrMFACodeNeeded)
			}
			code, err := p.TokenCode(ctx, p.SerialNumber)
			if err != nil {
				return Credentials{}, nil, fmt.Errorf("cwlogs: sts:AssumeRole %s: MFA code for %s: %w", p.RoleARN, p.SerialNumber, err)
			}
			v.Set("TokenCode", strings.TrimSpace(code))
		}
		return p.STS.call(ctx, "AssumeRole", v, p.Source)
	})
}

// roleArgs returns the AssumeRole arguments every role call has, as botocore
// keys its cache: the role, the session name when one is set, the duration
// when set.
func roleArgs(roleARN, sessionName string, d time.Duration) map[string]string {
	args := map[string]string{"RoleArn": roleARN}
	if sessionName != "" {
		args["RoleSessionName"] = sessionName
	}
	if d > 0 {
		args["DurationSeconds"] = strconv.Itoa(int(d / time.Second))
	}
	return args
}

// stsParams returns the query parameters of args, with sessionName (the one
// set, or a generated one).
func stsParams(args map[string]string, sessionName string) url.Values {
	v := url.Values{"RoleSessionName": {sessionName}}
	for k, a := range args {
		if k != "RoleSessionName" {
			v.Set(k, a)
		}
	}
	return v
}

// cachedRole returns the session cached under args in cache, else calls
// assume and caches its credentials. source names the call in Credentials.Source.
func cachedRole(cache *RoleCache, source string, args map[string]string, assume func() (Credentials, *assumedRoleUser, error)) (Credentials, error) {
	var key string
	if cache != nil {
		key = roleCacheKey(args)
		if c, ok := cache.load(key); ok {
			c.Source = source + " (cached)"
			return c, nil
		}
	}
	c, user, err := assume()
	if err != nil {
		return Credentials{}, err
	}
	if cache != nil {
		cache.store(key, c, user)
	}
	c.Source = source
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
	// Cache, when not nil, keeps the role's session in files shared with the
	// AWS CLI (see [RoleCache]); nil keeps it in memory only.
	Cache *RoleCache
}

// Retrieve implements CredentialsProvider.
func (p *WebIdentityRoleProvider) Retrieve(ctx context.Context) (Credentials, error) {
	if p.RoleARN == "" || p.TokenFile == "" {
		return Credentials{}, fmt.Errorf("%w: WebIdentityRoleProvider needs RoleARN and TokenFile", ErrNoCredentials)
	}
	// botocore never sends a duration for web identity roles, so it is left
	// out of the cache key: the session is shared with the AWS CLI either way.
	args := roleArgs(p.RoleARN, p.RoleSessionName, 0)
	return cachedRole(p.Cache, "AssumeRoleWithWebIdentity "+p.RoleARN, args, func() (Credentials, *assumedRoleUser, error) {
		tok, err := os.ReadFile(p.TokenFile)
		if err != nil {
			return Credentials{}, nil, fmt.Errorf("cwlogs: sts:AssumeRoleWithWebIdentity: web identity token file: %w", cause(err))
		}
		v := stsParams(args, p.STS.sessionName(p.RoleSessionName))
		if p.Duration > 0 {
			v.Set("DurationSeconds", strconv.Itoa(int(p.Duration/time.Second)))
		}
		v.Set("WebIdentityToken", strings.TrimSpace(string(tok)))
		return p.STS.call(ctx, "AssumeRoleWithWebIdentity", v, nil)
	})
}

// String implements fmt.Stringer without revealing the token.
func (p *WebIdentityRoleProvider) String() string {
	return "WebIdentityRoleProvider{" + p.RoleARN + "}"
}
