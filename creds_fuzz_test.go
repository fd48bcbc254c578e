package cwlogs

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The decoders of credentials documents (credential_process output, the
// container endpoint and IMDS, STS answers) must never panic, must return
// keys whenever they report success, and must not quote secrets in errors.

func FuzzParseProcessOutput(f *testing.F) {
	f.Add([]byte(`{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S","SessionToken":"T","Expiration":"2026-11-27T12:00:00Z"}`))
	f.Add([]byte(`{"Version":2}`))
	f.Add([]byte(`{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S","Expiration":"x"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := parseProcessOutput(raw)
		checkDecoded(t, c, err)
	})
}

func FuzzParseRemoteCredentials(f *testing.F) {
	f.Add([]byte(`{"Code":"Success","AccessKeyId":"A","SecretAccessKey":"S","Token":"T","Expiration":"2026-11-27T12:00:00Z"}`))
	f.Add([]byte(`{"Code":"Failure"}`))
	f.Add([]byte(`{"AccessKeyId":"A","SecretAccessKey":"S"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := parseRemoteCredentials("src", raw)
		checkDecoded(t, c, err)
	})
}

func FuzzDecodeSTSAnswer(f *testing.F) {
	f.Add(200, []byte(`<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>S</SecretAccessKey><SessionToken>T</SessionToken><Expiration>2026-11-27T12:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>`))
	f.Add(403, []byte(`<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message></Error><RequestId>r</RequestId></ErrorResponse>`))
	f.Add(500, []byte(`not xml`))
	f.Add(200, []byte(`<a><b>`))
	f.Fuzz(func(t *testing.T, status int, raw []byte) {
		if status < 100 || status > 999 {
			return
		}
		c, user, err := decodeSTSAnswer("sts:AssumeRole", status, http.Header{}, raw)
		if (err == nil) != (user != nil) {
			t.Fatalf("status %d: user %v with err %v", status, user, err)
		}
		if status/100 != 2 {
			var ae *APIError
			if !errors.As(err, &ae) || ae.StatusCode != status || ae.Code == "" {
				t.Fatalf("status %d: err = %#v, want an *APIError with a code", status, err)
			}
			return
		}
		checkDecoded(t, c, err)
	})
}

func checkDecoded(t *testing.T, c Credentials, err error) {
	t.Helper()
	if err != nil {
		if c != (Credentials{}) {
			t.Fatalf("error %v with credentials %v", err, c)
		}
		return
	}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		t.Fatalf("success without keys: %v", c)
	}
	if s := c.String(); strings.Contains(s, c.SecretAccessKey) && len(c.SecretAccessKey) > 8 {
		t.Fatalf("String reveals the secret: %s", s)
	}
}

// FuzzRoleCacheLoad: a role cache file, whatever it holds, is either a miss or
// keys with at least RoleCacheWindow left.
func FuzzRoleCacheLoad(f *testing.F) {
	f.Add([]byte(`{"Credentials": {"AccessKeyId": "A", "SecretAccessKey": "S", "SessionToken": "T", "Expiration": "2999-01-01T00:00:00UTC"}}`))
	f.Add([]byte(`{"Credentials": {"AccessKeyId": "A", "SecretAccessKey": "S", "Expiration": "2999-01-01T00:00:00+00:00"}}`))
	f.Add([]byte(`{"Credentials": {"AccessKeyId": "A", "SecretAccessKey": "S", "Expiration": "2000-01-01T00:00:00Z"}}`))
	f.Add([]byte(`[]`))
	dir := f.TempDir()
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	rc := &RoleCache{Dir: dir, Now: func() time.Time { return now }}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if err := os.WriteFile(filepath.Join(dir, "k.json"), raw, 0o600); err != nil {
			t.Fatal(err)
		}
		c, ok := rc.load("k")
		if ok && (!c.HasKeys() || c.Expires.Sub(now) < RoleCacheWindow) {
			t.Fatalf("load(%q) = %v, true", raw, c)
		}
		if !ok && c != (Credentials{}) {
			t.Fatalf("a miss returned %v", c)
		}
	})
}
