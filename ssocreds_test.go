package cwlogs

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSSO is IAM Identity Center's portal (GetRoleCredentials) and SSO OIDC
// (CreateToken with a refresh token) for tests.
type fakeSSO struct {
	portal, oidc *httptest.Server
	mu           sync.Mutex
	validToken   string // the bearer token the portal accepts
	portalFail   []int  // statuses the portal answers first, one per call
	refreshes    []map[string]string
	portalCalls  []string // "account/role token"
}

func newFakeSSO(t *testing.T) *fakeSSO {
	f := &fakeSSO{validToken: "tok-1"}
	f.portal = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := r.Header.Get("X-Amz-Sso_bearer_token")
		q := r.URL.Query()
		f.mu.Lock()
		f.portalCalls = append(f.portalCalls, q.Get("account_id")+"/"+q.Get("role_name")+" "+tok)
		valid := f.validToken
		f.mu.Unlock()
		if r.URL.Path != "/federation/credentials" || r.Method != http.MethodGet {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		f.mu.Lock()
		var fail int
		if len(f.portalFail) > 0 {
			fail, f.portalFail = f.portalFail[0], f.portalFail[1:]
		}
		f.mu.Unlock()
		if fail != 0 {
			w.Header().Set("X-Amzn-Errortype", "TooManyRequestsException")
			w.WriteHeader(fail)
			io.WriteString(w, `{"message":"slow down"}`)
			return
		}
		if tok != valid {
			w.Header().Set("X-Amzn-Errortype", "UnauthorizedException:http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"message":"Session token not found or invalid"}`)
			return
		}
		fmt.Fprintf(w, `{"roleCredentials":{"accessKeyId":%q,"secretAccessKey":%q,"sessionToken":"SSOTOKEN","expiration":%d}}`,
			testAKID, testSecret, time.Now().Add(time.Hour).UnixMilli())
	}))
	f.oidc = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in map[string]string
		json.NewDecoder(r.Body).Decode(&in)
		f.mu.Lock()
		f.refreshes = append(f.refreshes, in)
		f.mu.Unlock()
		if r.URL.Path != "/token" || in["grantType"] != "refresh_token" || in["refreshToken"] != "refresh-1" || in["clientSecret"] != "client-secret" {
			w.Header().Set("X-Amzn-Errortype", "InvalidGrantException")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"invalid_grant"}`)
			return
		}
		f.mu.Lock()
		f.validToken = "tok-2"
		f.mu.Unlock()
		io.WriteString(w, `{"accessToken":"tok-2","expiresIn":28800,"refreshToken":"refresh-2","tokenType":"Bearer"}`)
	}))
	t.Cleanup(f.portal.Close)
	t.Cleanup(f.oidc.Close)
	return f
}

// writeSSOCache writes a token cache file under home for key (the session
// name, or the start URL of a legacy profile) and returns its path.
func writeSSOCache(t *testing.T, home, key string, doc map[string]string) string {
	t.Helper()
	dir := filepath.Join(home, ".aws", "sso", "cache")
	os.MkdirAll(dir, 0o700)
	sum := sha1.Sum([]byte(key))
	path := filepath.Join(dir, hex.EncodeToString(sum[:])+".json")
	b, _ := json.Marshal(doc)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const ssoConfig = `[default]
region = us-east-1
[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = LogsWriter
[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 444455556666
sso_role_name = LogsWriter
[profile mismatch]
sso_session = corp
sso_region = eu-west-1
sso_account_id = 1
sso_role_name = r
[profile partial]
sso_session = corp
sso_role_name = LogsWriter
[profile viarole]
role_arn = arn:aws:iam::1:role/behind-sso
source_profile = dev
[sso-session corp]
sso_region = us-east-2
sso_start_url = https://corp.awsapps.com/start
sso_registration_scopes = sso:account:access
`

func TestSSOCredentials(t *testing.T) {
	future := time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339)
	soon := time.Now().Add(5 * time.Minute).UTC().Format(time.RFC3339)
	past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	refreshable := func(expiresAt string) map[string]string {
		return map[string]string{"startUrl": "https://corp.awsapps.com/start", "region": "us-east-2", "accessToken": "tok-1",
			"expiresAt": expiresAt, "refreshToken": "refresh-1", "clientId": "client-1", "clientSecret": "client-secret",
			"registrationExpiresAt": future}
	}
	badRefresh := refreshable(soon)
	badRefresh["refreshToken"] = "refresh-revoked"
	oldRegistration := refreshable(soon)
	oldRegistration["registrationExpiresAt"] = past
	legacyRefreshable := refreshable(soon)
	for _, tc := range []struct {
		name       string
		profile    string
		cacheKey   string
		cache      map[string]string // nil: no cache file
		portalCall string            // the expected GetRoleCredentials calls
		refreshed  bool
		wantErr    string
		portalFail []int
	}{
		{"sso_session, valid token", "dev", "corp", map[string]string{"accessToken": "tok-1", "expiresAt": future}, "111122223333/LogsWriter tok-1", false, "", nil},
		{"legacy profile", "legacy", "https://legacy.awsapps.com/start", map[string]string{"accessToken": "tok-1", "expiresAt": "2099-01-01T00:00:00UTC"}, "444455556666/LogsWriter tok-1", false, "", nil},
		{"near expiry: refreshed", "dev", "corp", refreshable(soon), "111122223333/LogsWriter tok-2", true, "", nil},
		{"expired: refreshed", "dev", "corp", refreshable(past), "111122223333/LogsWriter tok-2", true, "", nil},
		{"expired, no refresh token", "dev", "corp", map[string]string{"accessToken": "tok-1", "expiresAt": past}, "", false, "the SSO token expired at", nil},
		{"no token cached", "dev", "corp", nil, "", false, "run `aws sso login --profile dev`", nil},
		{"token refused by the portal", "dev", "corp", map[string]string{"accessToken": "stale", "expiresAt": future}, "111122223333/LogsWriter stale", false, "UnauthorizedException", nil},
		{"region differs from the session's", "mismatch", "corp", nil, "", false, `sets sso_region "eu-west-1", which differs`, nil},
		{"role without account", "partial", "corp", nil, "", false, "lacks sso_account_id", nil},
		{"role behind SSO", "viarole", "corp", map[string]string{"accessToken": "tok-1", "expiresAt": future}, "111122223333/LogsWriter tok-1", false, "", nil},
		{"refresh refused, token still valid", "dev", "corp", badRefresh, "111122223333/LogsWriter tok-1", true, "", nil},
		{"registration expired: no refresh", "dev", "corp", oldRegistration, "111122223333/LogsWriter tok-1", false, "", nil},
		{"legacy profile: never refreshed", "legacy", "https://legacy.awsapps.com/start", legacyRefreshable, "444455556666/LogsWriter tok-1", false, "", nil},
		{"throttled, then served", "dev", "corp", map[string]string{"accessToken": "tok-1", "expiresAt": future},
			"111122223333/LogsWriter tok-1,111122223333/LogsWriter tok-1,111122223333/LogsWriter tok-1", false, "", []int{429, 503}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := setupHome(t, "", ssoConfig)
			sso := newFakeSSO(t)
			sts := newFakeSTS(t)
			sts.users[testAKID] = testSecret
			logs := newFakeLogs(t, nil)
			var cachePath string
			if tc.cache != nil {
				cachePath = writeSSOCache(t, home, tc.cacheKey, tc.cache)
			}
			t.Setenv("AWS_PROFILE", tc.profile)
			t.Setenv("AWS_ENDPOINT_URL_SSO", sso.portal.URL)
			t.Setenv("AWS_ENDPOINT_URL_SSO_OIDC", sso.oidc.URL)
			t.Setenv("AWS_ENDPOINT_URL_STS", sts.srv.URL)
			t.Setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", logs.srv.URL)
			t.Setenv("AWS_MAX_ATTEMPTS", "3")
			t.Setenv("AWS_REGION", "eu-central-1")
			sso.portalFail = tc.portalFail
			c, err := NewFromEnvironment(context.Background(), WithRetryPolicy(RetryPolicy{MaxBackoff: time.Millisecond}))
			if err == nil {
				err = c.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g"})
			}
			sso.mu.Lock()
			calls, refreshes := strings.Join(sso.portalCalls, ","), len(sso.refreshes)
			sso.mu.Unlock()
			if calls != tc.portalCall {
				t.Errorf("portal calls %q, want %q", calls, tc.portalCall)
			}
			if (refreshes > 0) != tc.refreshed {
				t.Errorf("%d token refreshes, want refreshed=%v", refreshes, tc.refreshed)
			}
			if tc.wantErr != "" {
				if !errors.Is(err, ErrNoCredentials) && !strings.Contains(fmt.Sprint(err), "UnauthorizedException") || !strings.Contains(fmt.Sprint(err), tc.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tc.wantErr)
				}
				for _, secret := range []string{"tok-1", "stale", "client-secret", "refresh-1"} {
					if strings.Contains(err.Error(), secret) {
						t.Errorf("the error reveals %q: %v", secret, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range logs.requests() {
				if r.VerifyErr != nil || (r.Token != "SSOTOKEN" && !strings.HasPrefix(r.Token, "ROLETOKEN-")) {
					t.Fatalf("Logs request not signed with the SSO role's credentials: %v, token %q", r.VerifyErr, r.Token)
				}
			}
			if tc.profile == "viarole" {
				if _, signers := sts.log(); len(signers) != 1 || signers[0] != testAKID {
					t.Errorf("AssumeRole signed by %q, want the SSO credentials", signers)
				}
			}
			if strings.Contains(tc.portalCall, "tok-2") { // the refreshed token was saved
				raw, _ := os.ReadFile(cachePath)
				var doc map[string]string
				json.Unmarshal(raw, &doc)
				exp, _ := time.Parse(time.RFC3339, doc["expiresAt"])
				if doc["accessToken"] != "tok-2" || doc["refreshToken"] != "refresh-2" || doc["startUrl"] != "https://corp.awsapps.com/start" ||
					time.Until(exp) < 7*time.Hour {
					t.Errorf("cache after refresh: %v", doc)
				}
				if fi, err := os.Stat(cachePath); err != nil || fi.Mode().Perm() != 0o600 {
					t.Errorf("cache file mode %v, %v", fi.Mode(), err)
				}
			}
		})
	}
}

func FuzzParseSSOToken(f *testing.F) {
	f.Add([]byte(`{"accessToken":"t","expiresAt":"2026-11-27T12:00:00Z"}`))
	f.Add([]byte(`{"accessToken":"t","expiresAt":"2026-11-27T12:00:00UTC"}`))
	f.Add([]byte(`{"accessToken":"","expiresAt":"x"}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		tok, exp, err := parseSSOToken(raw)
		if err != nil {
			if tok != (ssoToken{}) || !exp.IsZero() {
				t.Fatalf("error %v with a token", err)
			}
			if strings.Contains(err.Error(), string(raw)) && len(raw) > 3 {
				t.Fatalf("error quotes the file: %v", err)
			}
			return
		}
		if tok.AccessToken == "" || exp.IsZero() {
			t.Fatalf("success without token or expiry: %+v %v", tok, exp)
		}
	})
}
