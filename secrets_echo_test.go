package cwlogs_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
)

// Regression tests of a secrets audit: each case failed before its fix. mark is in every
// secret; no error or printed value may contain it.
const mark = "SECRETMARK"

func noMark(t *testing.T, what, out string) {
	t.Helper()
	if strings.Contains(out, mark) {
		t.Errorf("%s shows a secret: %s", what, out)
	}
}

// TestCredentialsCacheNeverPrinted: a cache held its provider and the cached keys in
// plain fields, which %#v (and a wrong verb on a struct holding it) printed.
func TestCredentialsCacheNeverPrinted(t *testing.T) {
	cc := cwlogs.NewCredentialsCache(cwlogs.StaticCredentialsProvider{Credentials: cwlogs.Credentials{
		AccessKeyID: "AKID", SecretAccessKey: mark + "KEY", SessionToken: mark + "TOKEN"}})
	for _, when := range []string{"before Retrieve", "after Retrieve"} {
		for _, v := range []any{cc, struct{ c *cwlogs.CredentialsCache }{cc}, struct{ C *cwlogs.CredentialsCache }{cc}} {
			for _, f := range []string{"%v", "%+v", "%#v", "%s", "%d"} {
				noMark(t, fmt.Sprintf("%s of %T %s", f, v, when), fmt.Sprintf(f, v))
			}
		}
		if _, err := cc.Retrieve(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSSOErrorAnswersEchoingTheRequest: an SSO portal or OIDC answer that echoes the
// request (bearer token, refresh token, client secret) was copied into the error.
func TestSSOErrorAnswersEchoingTheRequest(t *testing.T) {
	for _, tc := range []struct {
		name    string
		expired bool // the cached token: expired means the OIDC refresh is called
		json    bool
	}{{"portal, HTML", false, false}, {"portal, JSON", false, true}, {"OIDC, HTML", true, false}, {"OIDC, JSON", true, true}} {
		t.Run(tc.name, func(t *testing.T) {
			echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				echoed := string(b) + " bearer=" + r.Header.Get("X-Amz-Sso_bearer_token")
				w.WriteHeader(400)
				if tc.json {
					q := strings.ReplaceAll(strconv.Quote(echoed), "/", `\/`) // as JSON encoders that escape slashes do
					fmt.Fprintf(w, `{"error":"invalid_request","error_description":%s,"message":%s}`, q, q)
					return
				}
				fmt.Fprintf(w, "<html>Bad request: %s</html>", echoed)
			}))
			defer echo.Close()
			dir := t.TempDir()
			sum := sha1.Sum([]byte("sess"))
			exp := time.Now().Add(time.Hour)
			if tc.expired {
				exp = time.Now().Add(-time.Hour)
			}
			token := fmt.Sprintf(`{"accessToken":"%sACCESS","expiresAt":%q,"refreshToken":"%sREFRESH","clientId":"cid","clientSecret":"%s/CLIENT","registrationExpiresAt":"2099-01-01T00:00:00Z"}`,
				mark, exp.UTC().Format(time.RFC3339), mark, mark)
			if err := os.WriteFile(filepath.Join(dir, hex.EncodeToString(sum[:])+".json"), []byte(token), 0o600); err != nil {
				t.Fatal(err)
			}
			p := &cwlogs.SSOCredentialsProvider{AccountID: "123456789012", RoleName: "r", Region: "us-east-1",
				StartURL: "https://x/start", SessionName: "sess", CacheDir: dir, PortalEndpoint: echo.URL, OIDCEndpoint: echo.URL,
				Retry: cwlogs.RetryPolicy{MaxAttempts: 1}}
			_, err := p.Retrieve(context.Background())
			if err == nil {
				t.Fatal("no error")
			}
			noMark(t, "the error", err.Error())
		})
	}
}

// TestSTSErrorAnswersEchoingTheRequest: an STS error whose Message echoes the request
// carried the web identity token or the MFA code into the error.
func TestSTSErrorAnswersEchoingTheRequest(t *testing.T) {
	sts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.WriteHeader(400)
		fmt.Fprintf(w, `<ErrorResponse><Error><Code>ValidationError</Code><Message>bad request %s</Message></Error></ErrorResponse>`,
			strings.ReplaceAll(string(b), "&", "&amp;"))
	}))
	defer sts.Close()
	tokf := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokf, []byte(mark+"WEB/IDENTITY"), 0o600); err != nil {
		t.Fatal(err)
	}
	web := &cwlogs.WebIdentityRoleProvider{STS: cwlogs.STS{Endpoint: sts.URL, Region: "us-east-1"}, RoleARN: "arn:aws:iam::1:role/r", TokenFile: tokf}
	_, err := web.Retrieve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "bad request") {
		t.Fatalf("web identity: %v, want the STS message", err)
	}
	noMark(t, "web identity error", err.Error())
	mfa := &cwlogs.AssumeRoleProvider{STS: cwlogs.STS{Endpoint: sts.URL, Region: "us-east-1"}, RoleARN: "arn:aws:iam::1:role/r",
		Source:       cwlogs.StaticCredentialsProvider{Credentials: cwlogs.Credentials{AccessKeyID: "AKID", SecretAccessKey: "x"}},
		SerialNumber: "arn:aws:iam::1:mfa/u", TokenCode: func(context.Context, string) (string, error) { return mark + "123456", nil }}
	_, err = mfa.Retrieve(context.Background())
	if err == nil {
		t.Fatal("MFA: no error")
	}
	noMark(t, "MFA error", err.Error())
}

// TestContainerURLPasswordNotShown: a refused AWS_CONTAINER_CREDENTIALS_FULL_URI was
// quoted with its password.
func TestContainerURLPasswordNotShown(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_REGION", "us-east-1")
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"} {
		t.Setenv(k, "")
	}
	for _, u := range []string{"http://user:" + mark + "@10.1.2.3/creds", "ftp://user:" + mark + "@127.0.0.1/creds"} {
		t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", u)
		_, err := cwlogs.NewFromEnvironment(context.Background())
		if err == nil {
			t.Fatalf("%s accepted", u)
		}
		noMark(t, "the error", err.Error())
	}
}
