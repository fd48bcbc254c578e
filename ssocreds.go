package cwlogs

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cwlogs/cwlogs/internal/atomicfile"
)

// SSOCredentialsProvider gets role credentials from IAM Identity Center (AWS
// SSO) with the access token that `aws sso login` left in the token cache, as
// the AWS CLI does for profiles with sso_session (or the legacy sso_start_url).
// For an sso_session it refreshes the token through SSO OIDC when it is within
// 15 minutes of expiry and the cache holds a refresh token, and writes the new
// token back to the cache. It never starts a login: without a valid token the
// error says which `aws sso login` to run.
type SSOCredentialsProvider struct {
	// AccountID and RoleName select the role (sso_account_id, sso_role_name). Required.
	AccountID string
	RoleName  string
	// Region is the IAM Identity Center region (sso_region). Required.
	Region string
	// StartURL is the portal's start URL (sso_start_url). Required.
	StartURL string
	// SessionName is the [sso-session NAME] the token belongs to; empty for a
	// legacy profile, whose token cache key is the start URL.
	SessionName string
	// Profile names the profile in the "aws sso login" hint; may be empty.
	Profile string
	// CacheDir holds the token cache; empty means ~/.aws/sso/cache.
	CacheDir string
	// PortalEndpoint and OIDCEndpoint override https://portal.sso.<region>.<suffix>
	// and https://oidc.<region>.<suffix>, e.g. for tests.
	PortalEndpoint string
	OIDCEndpoint   string
	// Client sends the requests; nil means a client that does not follow redirects.
	Client *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Timeout bounds each request; 0 means DefaultAttemptTimeout.
	Timeout time.Duration
	// Retry is the retry policy of each call (MaxAttempts, MaxBackoff and
	// Retryable apply); the zero value means the defaults: 3 attempts,
	// throttling (TooManyRequestsException), 5xx and connection errors retried.
	Retry RetryPolicy
}

// ssoToken is a token cache file of the AWS CLI; unknown members are kept
// when the file is rewritten after a refresh.
type ssoToken struct {
	AccessToken           string `json:"accessToken"`
	ExpiresAt             string `json:"expiresAt"`
	RefreshToken          string `json:"refreshToken,omitempty"`
	ClientID              string `json:"clientId,omitempty"`
	ClientSecret          string `json:"clientSecret,omitempty"`
	RegistrationExpiresAt string `json:"registrationExpiresAt,omitempty"`
}

// ssoRefreshWindow is how long before expiry a token is refreshed, as in botocore.
const ssoRefreshWindow = 15 * time.Minute

// parseSSOToken decodes a token cache file and its expiry. Its errors never
// quote the file.
func parseSSOToken(raw []byte) (ssoToken, time.Time, error) {
	var tok ssoToken
	if err := json.Unmarshal(raw, &tok); err != nil || tok.AccessToken == "" {
		return ssoToken{}, time.Time{}, errors.New("is not a token file")
	}
	exp, err := parseAWSTime(tok.ExpiresAt)
	if err != nil {
		return ssoToken{}, time.Time{}, errors.New("has no valid expiresAt")
	}
	return tok, exp, nil
}

func (p *SSOCredentialsProvider) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// cachePath returns the token cache file: the SHA-1 of the session name (or,
// for a legacy profile, of the start URL), in hex, as the AWS CLI names it.
func (p *SSOCredentialsProvider) cachePath() (string, error) {
	dir := p.CacheDir
	if dir == "" {
		dir = homeFile(".aws", "sso", "cache")
	}
	if dir == "" {
		return "", fmt.Errorf("%w: no home directory for the SSO token cache (set HOME, or CacheDir)", ErrNoCredentials)
	}
	key := p.StartURL
	if p.SessionName != "" {
		key = p.SessionName
	}
	sum := sha1.Sum([]byte(key))
	return filepath.Join(dir, hex.EncodeToString(sum[:])+".json"), nil
}

// loginHint is the command that gets a fresh token.
func (p *SSOCredentialsProvider) loginHint() string {
	if p.Profile != "" && p.Profile != "default" {
		return "run `aws sso login --profile " + p.Profile + "`"
	}
	return "run `aws sso login`"
}

// Retrieve implements CredentialsProvider.
func (p *SSOCredentialsProvider) Retrieve(ctx context.Context) (Credentials, error) {
	const op = "sso:GetRoleCredentials"
	if p.AccountID == "" || p.RoleName == "" || p.Region == "" || p.StartURL == "" {
		return Credentials{}, fmt.Errorf("%w: SSO profile needs sso_account_id, sso_role_name, sso_region and sso_start_url", ErrNoCredentials)
	}
	if !isHostLabel(p.Region) {
		return Credentials{}, &ValidationError{Operation: op, Field: "sso_region", Value: showValue(p.Region), Reason: "is not a valid region name"}
	}
	token, err := p.token(ctx)
	if err != nil {
		return Credentials{}, err
	}
	base := p.PortalEndpoint
	if base == "" {
		base = "https://portal.sso." + p.Region + "." + partitionOf(p.Region).dnsSuffix
	}
	q := url.Values{"account_id": {p.AccountID}, "role_name": {p.RoleName}}
	endpoint := strings.TrimSuffix(base, "/") + "/federation/credentials?" + q.Encode()
	var out struct {
		RoleCredentials struct {
			AccessKeyID     string `json:"accessKeyId"`
			SecretAccessKey string `json:"secretAccessKey"`
			SessionToken    string `json:"sessionToken"`
			Expiration      int64  `json:"expiration"` // epoch milliseconds
		} `json:"roleCredentials"`
	}
	err = p.callJSON(ctx, op, &out, []string{token}, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
		if err == nil {
			req.Header.Set("X-Amz-Sso_bearer_token", token)
		}
		return req, err
	})
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.StatusCode == http.StatusUnauthorized {
			// A login is needed, as with a missing or expired token.
			return Credentials{}, fmt.Errorf("%w: the SSO token was refused (%w); %s", ErrNoCredentials, err, p.loginHint())
		}
		return Credentials{}, err
	}
	rc := out.RoleCredentials
	if rc.AccessKeyID == "" || rc.SecretAccessKey == "" {
		return Credentials{}, &DecodeError{Operation: op, Err: errors.New("the answer holds no credentials")}
	}
	c := Credentials{AccessKeyID: rc.AccessKeyID, SecretAccessKey: rc.SecretAccessKey, SessionToken: rc.SessionToken,
		Source: "SSO " + p.AccountID + "/" + p.RoleName}
	if rc.Expiration > 0 {
		c.Expires = time.UnixMilli(rc.Expiration)
	}
	return c, nil
}

// token returns a valid access token from the cache, refreshing it first
// when it is near expiry and can be refreshed.
func (p *SSOCredentialsProvider) token(ctx context.Context) (string, error) {
	path, err := p.cachePath()
	if err != nil {
		return "", err
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%w: no SSO token for %s (%v); %s", ErrNoCredentials, p.StartURL, cause(err), p.loginHint())
	}
	tok, exp, err := parseSSOToken(raw)
	if err != nil {
		return "", fmt.Errorf("%w: the SSO token cache %s %v; %s", ErrNoCredentials, path, err, p.loginHint())
	}
	now := p.now()
	if now.Add(ssoRefreshWindow).Before(exp) {
		return tok.AccessToken, nil
	}
	if p.SessionName != "" && tok.RefreshToken != "" && tok.ClientID != "" && tok.ClientSecret != "" {
		regExp, err := parseAWSTime(tok.RegistrationExpiresAt)
		if err == nil && now.Before(regExp) {
			fresh, err := p.refresh(ctx, path, raw, tok)
			if err == nil {
				return fresh, nil
			}
			if !now.Before(exp) {
				return "", fmt.Errorf("%w: the SSO token expired and could not be refreshed (%v); %s", ErrNoCredentials, err, p.loginHint())
			}
		}
	}
	if !now.Before(exp) {
		return "", fmt.Errorf("%w: the SSO token expired at %s; %s", ErrNoCredentials, exp.UTC().Format(time.RFC3339), p.loginHint())
	}
	return tok.AccessToken, nil // near expiry but still valid
}

// refresh exchanges the refresh token for a new access token (SSO OIDC
// CreateToken) and rewrites the cache file, keeping its other members.
func (p *SSOCredentialsProvider) refresh(ctx context.Context, path string, raw []byte, tok ssoToken) (string, error) {
	const op = "sso-oidc:CreateToken"
	base := p.OIDCEndpoint
	if base == "" {
		base = "https://oidc." + p.Region + "." + partitionOf(p.Region).dnsSuffix
	}
	body, err := json.Marshal(map[string]string{"grantType": "refresh_token", "clientId": tok.ClientID,
		"clientSecret": tok.ClientSecret, "refreshToken": tok.RefreshToken})
	if err != nil {
		return "", err
	}
	var out struct {
		AccessToken  string `json:"accessToken"`
		ExpiresIn    int64  `json:"expiresIn"`
		RefreshToken string `json:"refreshToken"`
	}
	err = p.callJSON(ctx, op, &out, []string{tok.ClientSecret, tok.RefreshToken, tok.AccessToken}, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(base, "/")+"/token", bytes.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
		}
		return req, err
	})
	if err != nil {
		return "", err
	}
	if out.AccessToken == "" || out.ExpiresIn <= 0 {
		return "", &DecodeError{Operation: op, Err: errors.New("the answer holds no access token")}
	}
	// Rewrite the cache as the AWS CLI does, keeping members this code does
	// not know exactly as they were.
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		return "", err
	}
	set := func(k, v string) { doc[k], _ = json.Marshal(v) }
	set("accessToken", out.AccessToken)
	set("expiresAt", p.now().Add(time.Duration(out.ExpiresIn)*time.Second).UTC().Format(time.RFC3339))
	if out.RefreshToken != "" {
		set("refreshToken", out.RefreshToken)
	}
	if err := writeFileAtomic(path, doc); err != nil {
		return "", fmt.Errorf("cwlogs: %s: saving the refreshed SSO token: %w", op, err)
	}
	return out.AccessToken, nil
}

// callJSON sends the request newReq builds through credsCall, with a
// User-Agent, and decodes a 2xx JSON answer into out; other answers become an
// *APIError as the Logs client reads them (parseAPIError).
// secrets are what the request carries that an error answer echoing it must not show.
func (p *SSOCredentialsProvider) callJSON(ctx context.Context, op string, out any, secrets []string, newReq func(context.Context) (*http.Request, error)) error {
	return credsCall(ctx, op, p.Client, p.Retry, p.Timeout, func(ctx context.Context) (*http.Request, error) {
		req, err := newReq(ctx)
		if err != nil {
			return nil, &OpError{Operation: op, Attempts: 1, Err: err}
		}
		req.Header.Set("User-Agent", "cwlogs/"+Version)
		return req, nil
	}, func(status int, h http.Header, raw []byte) error {
		if status/100 != 2 {
			return parseAPIError(op, status, h, scrubSecrets(raw, secrets...))
		}
		if err := json.Unmarshal(raw, out); err != nil {
			return &DecodeError{Operation: op, Err: err}
		}
		return nil
	})
}

// writeFileAtomic writes doc as JSON to path through a temporary file in the
// same directory, readable by the owner only.
func writeFileAtomic(path string, doc any) error {
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, b, true) // its temporary file is created 0600
}

// String implements fmt.Stringer without revealing tokens.
func (p *SSOCredentialsProvider) String() string {
	return "SSOCredentialsProvider{" + p.AccountID + "/" + p.RoleName + "}"
}
