package cwlogs

import (
	"strings"
	"testing"
	"time"
)

// The parsers of configuration (the ~/.aws files, endpoint URLs, the times of
// the AWS CLI's cache files) must never panic and must keep their promises on
// any input.

func FuzzParseINI(f *testing.F) {
	f.Add("[default]\nregion = us-east-1\naws_access_key_id=A\n")
	f.Add("[profile p]\ns3 =\n  max_concurrent_requests = 10\n[services x]\nlogs =\n  endpoint_url = http://h\n")
	f.Add("# c\n; c\n[unterminated\n")
	f.Add("key = before any section\n[ a   b ]\nK = V = W\n")
	f.Fuzz(func(t *testing.T, data string) {
		secs, err := parseINI("f", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "cwlogs: f:") {
				t.Fatalf("error %q does not name the file and line", err)
			}
			return
		}
		for name, s := range secs {
			if s == nil || s.vals == nil {
				t.Fatalf("section %q has no values map", name)
			}
			for k := range s.vals {
				if k != strings.ToLower(k) {
					t.Fatalf("key %q of section %q is not lower case", k, name)
				}
			}
		}
	})
}

func FuzzParseEndpoint(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:4588", "https://logs.us-east-1.amazonaws.com/", "https://u:p@h/", "ftp://h", "http://h/a?b", "http://[::1]:9/x", "h:80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := parseEndpoint(raw)
		if err != nil {
			if ve, ok := err.(*ValidationError); !ok || ve.Field != "endpoint" {
				t.Fatalf("error %T %v, want a *ValidationError on endpoint", err, err)
			}
			// What precedes the last '@' may be user information, a password.
			msg := strings.ReplaceAll(err.Error(), "<redacted>@", "")
			if i := strings.LastIndexByte(raw, '@'); i > 0 && strings.Contains(msg, raw[:i+1]) {
				t.Fatalf("error %q shows the user information of %q", err, raw)
			}
			return
		}
		if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || !strings.HasPrefix(u.Path, "/") {
			t.Fatalf("parseEndpoint(%q) accepted %#v", raw, u)
		}
	})
}

func FuzzParseAWSTime(f *testing.F) {
	for _, s := range []string{"2026-11-27T12:00:00Z", "2026-11-27T12:00:00+02:00", "2026-11-27T12:00:00UTC", "2026-11-27T12:00:00.123456UTC", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := parseAWSTime(s)
		if err != nil {
			return
		}
		// Either form read back gives the same instant.
		back, err := parseAWSTime(tm.UTC().Format(time.RFC3339Nano))
		if err != nil || !back.Equal(tm) {
			t.Fatalf("parseAWSTime(%q) = %v, which does not read back (%v, %v)", s, tm, back, err)
		}
	})
}
