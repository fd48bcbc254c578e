package localserver

import (
	"context"
	"strings"
	"testing"
	"time"
)

const (
	testKeyArn   = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	testKeyArn2  = "arn:aws:kms:us-east-1:123456789012:key/0987dcba-09fe-87dc-65ba-ab0987654321"
	testGroupArn = "arn:aws:logs:us-east-1:123456789012:log-group:"
)

// groupKey is the kmsKeyId DescribeLogGroups shows for group (nil: none).
func groupKey(t *testing.T, s *Server, group string) any {
	t.Helper()
	r := mustOK(t, s, "DescribeLogGroups", m{"logGroupIdentifiers": []string{group}})
	gs := list(r.body["logGroups"])
	if len(gs) != 1 {
		t.Fatalf("DescribeLogGroups %s: %s", group, r.raw)
	}
	return gs[0].(map[string]any)["kmsKeyId"]
}

// TestAssociateKmsKey: the exactly-one-of rule of logGroupName and resourceIdentifier,
// both identifier forms, the model's shapes, a key that is not a key ARN (live AWS: "The
// specified KMS Key Id could not be found. '<group>'"), a missing group, and the key that
// DescribeLogGroups then shows.
func TestAssociateKmsKey(t *testing.T) {
	s := newTestServer(t, Config{})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "g"})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "by-arn"})
	long := strings.Repeat("k", 257)
	tests := []struct {
		name     string
		in       any
		wantType string
		wantMsg  string // exact unless prefixed with "~" (substring)
	}{
		{"by name", m{"logGroupName": "g", "kmsKeyId": testKeyArn}, "", ""},
		{"same key again", m{"logGroupName": "g", "kmsKeyId": testKeyArn}, "", ""},
		{"by log group arn", m{"resourceIdentifier": testGroupArn + "by-arn", "kmsKeyId": testKeyArn2}, "", ""},
		{"alias arn", m{"logGroupName": "by-arn", "kmsKeyId": "arn:aws:kms:us-east-1:123456789012:alias/logs"}, "", ""},
		{"query results", m{"resourceIdentifier": "arn:aws:logs:us-east-1:123456789012:query-result:*", "kmsKeyId": testKeyArn}, "", ""},
		{"missing key", m{"logGroupName": "g"}, codeInvalidParameter,
			"1 validation error detected: Value null at 'kmsKeyId' failed to satisfy constraint: Member must not be null"},
		{"key too long", m{"logGroupName": "g", "kmsKeyId": long}, codeInvalidParameter,
			"1 validation error detected: Value '" + long + "' at 'kmsKeyId' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"bad group name", m{"logGroupName": "a b", "kmsKeyId": testKeyArn}, codeInvalidParameter,
			"1 validation error detected: Value 'a b' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"},
		{"bad identifier", m{"resourceIdentifier": "arn:aws:logs:us-east-1:123456789012:log-group:a b", "kmsKeyId": testKeyArn}, codeInvalidParameter,
			"1 validation error detected: Value 'arn:aws:logs:us-east-1:123456789012:log-group:a b' at 'resourceIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=/:,.@\\-\\*]*"},
		{"empty identifier", m{"resourceIdentifier": "", "kmsKeyId": testKeyArn}, codeInvalidParameter,
			"1 validation error detected: Value '' at 'resourceIdentifier' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"both targets", m{"logGroupName": "g", "resourceIdentifier": testGroupArn + "g", "kmsKeyId": testKeyArn}, codeInvalidParameter, msgKmsTargetExclusive},
		{"no target", m{"kmsKeyId": testKeyArn}, codeInvalidParameter, msgKmsTargetMissing},
		{"key id, not arn", m{"logGroupName": "g", "kmsKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"}, codeInvalidParameter,
			"The specified KMS Key Id could not be found. 'g'"},
		{"alias name, not arn", m{"resourceIdentifier": testGroupArn + "g", "kmsKeyId": "alias/logs"}, codeInvalidParameter,
			"The specified KMS Key Id could not be found. 'g'"},
		{"empty key", m{"logGroupName": "g", "kmsKeyId": ""}, codeInvalidParameter, "The specified KMS Key Id could not be found. 'g'"},
		{"not a kms arn", m{"logGroupName": "g", "kmsKeyId": "arn:aws:s3:::bucket"}, codeInvalidParameter, "The specified KMS Key Id could not be found. 'g'"},
		{"missing group", m{"logGroupName": "nope", "kmsKeyId": testKeyArn}, codeResourceNotFound, msgGroupNotFound},
		{"missing group, bad key", m{"logGroupName": "nope", "kmsKeyId": "k"}, codeResourceNotFound, msgGroupNotFound},
		{"missing group by arn", m{"resourceIdentifier": testGroupArn + "nope", "kmsKeyId": testKeyArn}, codeResourceNotFound, msgGroupNotFound},
		{"group of another account", m{"resourceIdentifier": "arn:aws:logs:us-east-1:999999999999:log-group:g", "kmsKeyId": testKeyArn}, codeResourceNotFound, msgGroupNotFound},
		{"query results of another account", m{"resourceIdentifier": "arn:aws:logs:us-east-1:999999999999:query-result:*", "kmsKeyId": testKeyArn},
			codeInvalidParameter, "~is neither a log group ARN nor the query-result ARN"},
		{"not an arn", m{"resourceIdentifier": "g", "kmsKeyId": testKeyArn}, codeInvalidParameter, "~is neither a log group ARN nor the query-result ARN"},
		{"other resource", m{"resourceIdentifier": "arn:aws:logs:us-east-1:123456789012:destination:d", "kmsKeyId": testKeyArn}, codeInvalidParameter, "~is neither"},
		{"query results, key id", m{"resourceIdentifier": "arn:aws:logs:us-east-1:123456789012:query-result:*", "kmsKeyId": "k"}, codeInvalidParameter,
			"The specified KMS Key Id could not be found. 'arn:aws:logs:us-east-1:123456789012:query-result:*'"},
		{"wrong type", `{"logGroupName":"g","kmsKeyId":5}`, codeSerialization, ""},
		{"member case differs", m{"LogGroupName": "g", "kmsKeyId": testKeyArn}, codeInvalidParameter, msgKmsTargetMissing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkAnswer(t, call(t, s, "AssociateKmsKey", tc.in), tc.wantType, tc.wantMsg)
		})
	}
	if k := groupKey(t, s, "g"); k != testKeyArn {
		t.Errorf("g: kmsKeyId %v, want %s", k, testKeyArn)
	}
	if k := groupKey(t, s, "by-arn"); k != "arn:aws:kms:us-east-1:123456789012:alias/logs" {
		t.Errorf("by-arn: kmsKeyId %v, want the alias (the last key associated)", k)
	}
	// A new key replaces the old ("overrides any existing associations").
	mustOK(t, s, "AssociateKmsKey", m{"logGroupName": "g", "kmsKeyId": testKeyArn2})
	if k := groupKey(t, s, "g"); k != testKeyArn2 {
		t.Errorf("g after a second key: kmsKeyId %v, want %s", k, testKeyArn2)
	}
}

// TestDisassociateKmsKey: the group's key goes, DescribeLogGroups omits kmsKeyId, and doing it
// again (a group without a key) succeeds, as live AWS answers.
func TestDisassociateKmsKey(t *testing.T) {
	s := newTestServer(t, Config{})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "g", "kmsKeyId": testKeyArn})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "h", "kmsKeyId": testKeyArn})
	tests := []struct {
		name     string
		in       any
		wantType string
		wantMsg  string
	}{
		{"by name", m{"logGroupName": "g"}, "", ""},
		{"again", m{"logGroupName": "g"}, "", ""},
		{"by arn", m{"resourceIdentifier": testGroupArn + "h"}, "", ""},
		{"kmsKeyId is not a member", `{"logGroupName":"g","kmsKeyId":5}`, "", ""},
		{"query results", m{"resourceIdentifier": "arn:aws:logs:us-east-1:123456789012:query-result:*"}, "", ""},
		{"both targets", m{"logGroupName": "g", "resourceIdentifier": testGroupArn + "g"}, codeInvalidParameter, msgKmsTargetExclusive},
		{"no target", m{}, codeInvalidParameter, msgKmsTargetMissing},
		{"missing group", m{"logGroupName": "nope"}, codeResourceNotFound, msgGroupNotFound},
		{"missing group by arn", m{"resourceIdentifier": testGroupArn + "nope"}, codeResourceNotFound, msgGroupNotFound},
		{"bad identifier", m{"resourceIdentifier": "arn:aws:iam::123456789012:role/r"}, codeInvalidParameter, "~is neither"},
		{"name too long", m{"logGroupName": strings.Repeat("a", 513)}, codeInvalidParameter,
			"~at 'logGroupName' failed to satisfy constraint: Member must have length less than or equal to 512"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkAnswer(t, call(t, s, "DisassociateKmsKey", tc.in), tc.wantType, tc.wantMsg)
		})
	}
	for _, g := range []string{"g", "h"} {
		if k := groupKey(t, s, g); k != nil {
			t.Errorf("%s: kmsKeyId %v after DisassociateKmsKey", g, k)
		}
	}
}

// TestKmsKeySurvivesRestart: the association is the group's kms_key_id column, in the
// database.
func TestKmsKeySurvivesRestart(t *testing.T) {
	cfg := Config{DataDir: t.TempDir(), Now: func() time.Time { return testNow }}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "g"})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "h", "kmsKeyId": testKeyArn})
	mustOK(t, s, "AssociateKmsKey", m{"logGroupName": "g", "kmsKeyId": testKeyArn2})
	mustOK(t, s, "DisassociateKmsKey", m{"logGroupName": "h"})
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	s2 := newTestServer(t, cfg)
	if k := groupKey(t, s2, "g"); k != testKeyArn2 {
		t.Errorf("g after restart: kmsKeyId %v", k)
	}
	if k := groupKey(t, s2, "h"); k != nil {
		t.Errorf("h after restart: kmsKeyId %v", k)
	}
}
