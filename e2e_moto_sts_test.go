package cwlogs_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/internal/testpeer"
)

// TestAssumeRoleMoto calls moto_server's STS, a real implementation of the
// Query protocol and its XML answers: AssumeRole signed with source keys,
// AssumeRoleWithWebIdentity unsigned, and a role profile through
// NewFromEnvironment whose credentials then create a log group.
func TestAssumeRoleMoto(t *testing.T) {
	ep := testpeer.Moto(t)
	ctx := context.Background()
	sts := cwlogs.STS{Region: "us-east-1", Endpoint: ep}
	before := time.Now()
	p := &cwlogs.AssumeRoleProvider{STS: sts, RoleARN: "arn:aws:iam::123456789012:role/logs-writer", RoleSessionName: "gw",
		Source:   cwlogs.StaticCredentialsProvider{Credentials: cwlogs.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}},
		Duration: 15 * time.Minute, ExternalID: "ext-1"}
	c, err := p.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.AccessKeyID, "ASIA") || c.SecretAccessKey == "" || c.SessionToken == "" {
		t.Fatalf("moto's AssumeRole gave %v", c)
	}
	if d := c.Expires.Sub(before); d < 14*time.Minute || d > 16*time.Minute {
		t.Errorf("Expires %v is not 15 minutes after the call (DurationSeconds)", c.Expires)
	}

	tokenFile := filepath.Join(t.TempDir(), "token")
	os.WriteFile(tokenFile, []byte("eyJhbGciOiJSUzI1NiJ9.e30.c2ln"), 0o600)
	w := &cwlogs.WebIdentityRoleProvider{STS: sts, RoleARN: "arn:aws:iam::123456789012:role/irsa", TokenFile: tokenFile}
	if c, err := w.Retrieve(ctx); err != nil || !strings.HasPrefix(c.AccessKeyID, "ASIA") || c.SessionToken == "" {
		t.Fatalf("moto's AssumeRoleWithWebIdentity: %v, %v", c, err)
	}

	dir := t.TempDir()
	creds, cfg := filepath.Join(dir, "credentials"), filepath.Join(dir, "config")
	os.WriteFile(creds, []byte("[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base\n"), 0o600)
	os.WriteFile(cfg, []byte("[profile writer]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/logs-writer\nsource_profile = base\n"), 0o600)
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	t.Setenv("AWS_CONFIG_FILE", cfg)
	t.Setenv("AWS_PROFILE", "writer")
	t.Setenv("AWS_ENDPOINT_URL", ep) // moto serves STS and Logs on one port
	client, err := cwlogs.NewFromEnvironment(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.CreateLogGroup(ctx, &cwlogs.CreateLogGroupInput{LogGroupName: "from-role"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(client.String(), "AssumeRoleProvider") {
		t.Errorf("client %v does not use the role", client)
	}
}
