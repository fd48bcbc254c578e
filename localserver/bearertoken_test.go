package localserver

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestPutBearerTokenAuthenticationValidation(t *testing.T) {
	s := newTestServer(t, Config{})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "g"})
	tests := []struct {
		name     string
		in       any
		wantType string
		wantMsg  string // a substring
	}{
		{"no identifier", m{"bearerTokenAuthenticationEnabled": true}, codeInvalidParameter, "Value null at 'logGroupIdentifier' failed to satisfy constraint: Member must not be null"},
		{"no flag", m{"logGroupIdentifier": "g"}, codeInvalidParameter, "Value null at 'bearerTokenAuthenticationEnabled' failed to satisfy constraint: Member must not be null"},
		{"neither", m{}, codeInvalidParameter, "2 validation errors detected"},
		{"empty identifier", m{"logGroupIdentifier": "", "bearerTokenAuthenticationEnabled": true}, codeInvalidParameter, "at 'logGroupIdentifier' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"identifier too long", m{"logGroupIdentifier": "/" + strings.Repeat("a", 2048), "bearerTokenAuthenticationEnabled": true}, codeInvalidParameter, "at 'logGroupIdentifier' failed to satisfy constraint: Member must have length less than or equal to 2048"},
		{"flag not a boolean", `{"logGroupIdentifier":"g","bearerTokenAuthenticationEnabled":"yes"}`, codeSerialization, ""},
		{"missing group", m{"logGroupIdentifier": "nope", "bearerTokenAuthenticationEnabled": true}, codeResourceNotFound, msgGroupNotFound},
		{"missing group by ARN", m{"logGroupIdentifier": "arn:aws:logs:us-east-1:123456789012:log-group:nope", "bearerTokenAuthenticationEnabled": false}, codeResourceNotFound, msgGroupNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, s, "PutBearerTokenAuthentication", tc.in)
			if r.status != 400 || r.errType() != tc.wantType || !strings.Contains(r.message(), tc.wantMsg) {
				t.Fatalf("got %d %s %q, want 400 %s containing %q", r.status, r.errType(), r.message(), tc.wantType, tc.wantMsg)
			}
		})
	}
}

// describeGroup is the DescribeLogGroups answer for the one group named name.
func describeGroup(t *testing.T, s *Server, name string) map[string]any {
	t.Helper()
	gs := list(mustOK(t, s, "DescribeLogGroups", m{"logGroupNamePrefix": name}).body["logGroups"])
	if len(gs) != 1 {
		t.Fatalf("DescribeLogGroups %q: %d groups", name, len(gs))
	}
	return gs[0].(map[string]any)
}

func TestPutBearerTokenAuthentication(t *testing.T) {
	s := newTestServer(t, Config{})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "app"})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "other"})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "ia", "logGroupClass": "INFREQUENT_ACCESS"})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "dlv", "logGroupClass": "DELIVERY"})

	// Off by default: the member is absent, as deletionProtectionEnabled is.
	if g := describeGroup(t, s, "app"); g["bearerTokenAuthenticationEnabled"] != nil {
		t.Fatalf("new group shows %v", g["bearerTokenAuthenticationEnabled"])
	}
	r := mustOK(t, s, "PutBearerTokenAuthentication", m{"logGroupIdentifier": "app", "bearerTokenAuthenticationEnabled": true})
	if len(r.body) != 0 {
		t.Errorf("answer %s, want no member", r.raw)
	}
	if g := describeGroup(t, s, "app"); g["bearerTokenAuthenticationEnabled"] != true {
		t.Fatalf("after enabling: %v", g["bearerTokenAuthenticationEnabled"])
	}
	if g := describeGroup(t, s, "other"); g["bearerTokenAuthenticationEnabled"] != nil {
		t.Fatalf("another group shows %v", g["bearerTokenAuthenticationEnabled"])
	}
	// Idempotent; by ARN as by name.
	for _, id := range []string{"app", "arn:aws:logs:us-east-1:123456789012:log-group:app"} {
		mustOK(t, s, "PutBearerTokenAuthentication", m{"logGroupIdentifier": id, "bearerTokenAuthenticationEnabled": true})
	}
	// Not a LogGroupSummary member.
	if r := mustOK(t, s, "ListLogGroups", m{"logGroupNamePattern": "^app"}); strings.Contains(string(r.raw), "bearer") {
		t.Errorf("ListLogGroups shows the flag: %s", r.raw)
	}
	// The restricted DescribeLogGroups answer (logGroupNamePattern) does not show it.
	if r := mustOK(t, s, "DescribeLogGroups", m{"logGroupNamePattern": "app"}); strings.Contains(string(r.raw), "bearer") {
		t.Errorf("restricted answer shows the flag: %s", r.raw)
	}
	mustOK(t, s, "PutBearerTokenAuthentication", m{"logGroupIdentifier": "app", "bearerTokenAuthenticationEnabled": false})
	if g := describeGroup(t, s, "app"); g["bearerTokenAuthenticationEnabled"] != nil {
		t.Fatalf("after disabling: %v", g["bearerTokenAuthenticationEnabled"])
	}

	// Infrequent Access groups accept it; DELIVERY groups are refused it, but may turn it off.
	mustOK(t, s, "PutBearerTokenAuthentication", m{"logGroupIdentifier": "ia", "bearerTokenAuthenticationEnabled": true})
	r = call(t, s, "PutBearerTokenAuthentication", m{"logGroupIdentifier": "dlv", "bearerTokenAuthenticationEnabled": true})
	if r.errType() != codeInvalidOperation || r.message() != msgBearerTokenDelivery {
		t.Fatalf("DELIVERY group: %d %s %q", r.status, r.errType(), r.message())
	}
	mustOK(t, s, "PutBearerTokenAuthentication", m{"logGroupIdentifier": "dlv", "bearerTokenAuthenticationEnabled": false})
	if g := describeGroup(t, s, "dlv"); g["bearerTokenAuthenticationEnabled"] != nil {
		t.Fatalf("DELIVERY group shows %v", g["bearerTokenAuthenticationEnabled"])
	}
}

// The flag is stored: a restarted server still shows it.
func TestBearerTokenAuthenticationPersists(t *testing.T) {
	dir := t.TempDir()
	s := newTestServer(t, Config{DataDir: dir})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "app"})
	mustOK(t, s, "PutBearerTokenAuthentication", m{"logGroupIdentifier": "app", "bearerTokenAuthenticationEnabled": true})
	if err := s.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	s2 := newTestServer(t, Config{DataDir: dir})
	if g := describeGroup(t, s2, "app"); g["bearerTokenAuthenticationEnabled"] != true {
		t.Fatalf("after restart: %v", g["bearerTokenAuthenticationEnabled"])
	}
}

// TestMigrateBearerTokenAuthentication: a database of the schema version before the flag
// is migrated; its groups describe without the flag (off) and can turn it on.
func TestMigrateBearerTokenAuthentication(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	prev := slices.IndexFunc(migrations, func(m string) bool { return strings.Contains(m, "bearer_token_auth") })
	if prev < 0 {
		t.Fatal("no migration adds bearer_token_auth")
	}
	if _, err := db.Exec(strings.Join(migrations[:prev], ";\n") + fmt.Sprintf("; PRAGMA user_version = %d", prev)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO log_groups(id, name, creation_time, class) VALUES (1, 'old', ?, 'STANDARD')`, nowMs()); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s := newTestServer(t, Config{DataDir: dir})
	if g := describeGroup(t, s, "old"); g["bearerTokenAuthenticationEnabled"] != nil {
		t.Fatalf("old group after migration: %v", g)
	}
	mustOK(t, s, "PutBearerTokenAuthentication", m{"logGroupIdentifier": "old", "bearerTokenAuthenticationEnabled": true})
	if g := describeGroup(t, s, "old"); g["bearerTokenAuthenticationEnabled"] != true {
		t.Fatalf("old group after enabling: %v", g)
	}
}
