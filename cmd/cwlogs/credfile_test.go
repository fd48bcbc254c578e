package main

import (
	"reflect"
	"strings"
	"testing"
)

// parseCredentialsFile reads a credentials file as serve --credentials-file does:
// the secrets of all its keys by id, and the session tokens of the temporary ones.
func parseCredentialsFile(name, data string) (creds, tokens map[string]string, err error) {
	var r keyRing
	if err := r.readCredentialsFile(name, data); err != nil {
		return nil, nil, err
	}
	creds, tokens = map[string]string{}, map[string]string{}
	for id, k := range r.keys {
		creds[id] = k.secret
		if k.token != "" {
			tokens[id] = k.token
		}
	}
	return creds, tokens, nil
}

// TestKeyRing: the rule serve's keys follow, wherever they come from (flags or the
// credentials file): a key is temporary (one session token) or long-term (none); the
// same key may be given again only with the same secret and the same token or lack of
// one. Errors say where the key was given, both times, and show no secret or token.
// The rule was written three times (flags, file, and where the two were merged), with
// errors that did not say where the conflicting keys were.
func TestKeyRing(t *testing.T) {
	flag1, flag2, file3, file7 := flagKey(0), flagKey(1), fileKey("creds", 3), fileKey("creds", 7)
	type key struct {
		id, secret, token string
		src               keySource
	}
	for _, tc := range []struct {
		name      string
		keys      []key
		err       string            // wanted error ("": none)
		longTerm  map[string]string // wanted keys, when no error
		temporary map[string]tempCredential
	}{
		{name: "file plain, flag temporary",
			keys: []key{{"ASIA1", "SECRET1", "TOKEN1", flag1}, {"ASIA1", "SECRET1", "", file3}},
			err:  "creds:3: access key id ASIA1 is given both with and without --session-token (first given with it at --access-key-id #1)"},
		{name: "flag plain, file temporary",
			keys: []key{{"ASIA1", "SECRET1", "", flag1}, {"ASIA1", "SECRET1", "TOKEN1", file3}},
			err:  "creds:3: access key id ASIA1 is given both with and without aws_session_token (first given without it at --access-key-id #1)"},
		{name: "file temporary, then plain in the file",
			keys: []key{{"ASIA1", "SECRET1", "TOKEN1", file3}, {"ASIA1", "SECRET1", "", file7}},
			err:  "creds:7: access key id ASIA1 is given both with and without aws_session_token (first given with it at creds:3)"},
		{name: "two tokens, flag and file",
			keys: []key{{"ASIA1", "SECRET1", "TOKEN1", flag1}, {"ASIA1", "SECRET1", "TOKEN2", file3}},
			err:  "creds:3: access key id ASIA1 given twice with different session tokens (first at --access-key-id #1)"},
		{name: "two tokens, two flags",
			keys: []key{{"ASIA1", "SECRET1", "TOKEN1", flag1}, {"ASIA1", "SECRET1", "TOKEN2", flag2}},
			err:  "--access-key-id #2: access key id ASIA1 given twice with different session tokens (first at --access-key-id #1)"},
		{name: "same token, other secret",
			keys: []key{{"ASIA1", "SECRET1", "TOKEN1", file3}, {"ASIA1", "SECRET2", "TOKEN1", file7}},
			err:  "creds:7: access key id ASIA1 given twice with different secrets (first at creds:3)"},
		{name: "white space in a token",
			keys: []key{{"ASIA1", "SECRET1", "TOKEN1 x", flag1}},
			err:  "--access-key-id #1: --session-token for ASIA1 contains white space"},
		{name: "white space in a secret",
			keys: []key{{"AKID1", "SECRET1 x", "", file3}},
			err:  "creds:3: secret access key for AKID1 contains white space"},
		{name: "same token twice, flag and file",
			keys: []key{
				{"ASIA1", "SECRET1", "TOKEN1", flag1}, {"AKID2", "SECRET2", "", flag2},
				{"ASIA1", "SECRET1", "TOKEN1", file3}, {"AKID2", "SECRET2", "", file7},
			},
			longTerm:  map[string]string{"AKID2": "SECRET2"},
			temporary: map[string]tempCredential{"ASIA1": {secret: "SECRET1", token: "TOKEN1"}}},
		{name: "long-term keys only",
			keys:     []key{{"AKID1", "SECRET1", "", flag1}, {"AKID2", "SECRET2", "", file3}},
			longTerm: map[string]string{"AKID1": "SECRET1", "AKID2": "SECRET2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r keyRing
			var err error
			for _, k := range tc.keys {
				if err = r.add(k.id, k.secret, k.token, k.src); err != nil {
					break
				}
			}
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "TOKEN") {
					t.Errorf("a secret or a token is shown: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := r.longTerm(); !reflect.DeepEqual(got, tc.longTerm) {
				t.Errorf("long-term keys %v, want %v", got, tc.longTerm)
			}
			if got := r.temporary(); !reflect.DeepEqual(got, tc.temporary) {
				t.Error("temporary keys differ") // tempCredential prints redacted
			}
		})
	}
}
