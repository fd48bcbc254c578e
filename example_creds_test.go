package cwlogs_test

import (
	"context"
	"encoding/pem"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/cwlogs/cwlogs"
)

// NewFromEnvironment finds region, endpoint and credentials as the AWS CLI
// does: environment variables, then the profile in ~/.aws (static keys, a
// role, IAM Identity Center, credential_process), then the container
// endpoint and the EC2 instance role.
func ExampleNewFromEnvironment() {
	ctx := context.Background()
	c, err := cwlogs.NewFromEnvironment(ctx, cwlogs.WithProfile("edge-gateway"))
	if err != nil {
		log.Fatal(err) // names what is missing: region, profile, credentials
	}
	fmt.Println(c.Region(), c.Endpoint())
}

// A CredentialsCache calls its provider once, then again only shortly
// before the credentials expire.
func ExampleCredentialsCache() {
	calls := 0
	cache := cwlogs.NewCredentialsCache(cwlogs.CredentialsProviderFunc(func(context.Context) (cwlogs.Credentials, error) {
		calls++
		return cwlogs.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret", Expires: time.Now().Add(time.Hour)}, nil
	}))
	for range 3 {
		c, _ := cache.Retrieve(context.Background())
		fmt.Println(c.AccessKeyID)
	}
	fmt.Println("provider calls:", calls)
	// Output:
	// AKIDEXAMPLE
	// AKIDEXAMPLE
	// AKIDEXAMPLE
	// provider calls: 1
}

// An AssumeRoleProvider signs STS AssumeRole with its source credentials; the
// client refreshes the role's credentials before they expire. Here STS is a
// local stand-in.
func ExampleAssumeRoleProvider() {
	sts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId>`+
			`<SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration>`+
			`</Credentials></AssumeRoleResult></AssumeRoleResponse>`)
	}))
	defer sts.Close()
	role := &cwlogs.AssumeRoleProvider{
		STS:     cwlogs.STS{Region: "eu-west-1", Endpoint: sts.URL},
		Source:  cwlogs.StaticCredentialsProvider{Credentials: cwlogs.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}},
		RoleARN: "arn:aws:iam::123456789012:role/logs-writer",
	}
	c, err := role.Retrieve(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.AccessKeyID, c.Expires.Year(), c.Source)
	// The role's credentials sign the client's requests:
	_, _ = cwlogs.New("eu-west-1", "", "", cwlogs.WithCredentialsProvider(role))
	// Output: ASIAEXAMPLE 2099 AssumeRole arn:aws:iam::123456789012:role/logs-writer
}

// A role that needs an MFA code, with its session kept in a RoleCache: the
// second provider (the next run of a program, or the AWS CLI when Dir is
// ~/.aws/cli/cache) uses the cached session without calling STS or asking for
// a code again. Here STS is a local stand-in.
func ExampleRoleCache() {
	sts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		fmt.Println("STS called with MFA code", r.PostForm.Get("TokenCode"))
		fmt.Fprint(w, `<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId>`+
			`<SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration>`+
			`</Credentials></AssumeRoleResult></AssumeRoleResponse>`)
	}))
	defer sts.Close()
	dir, _ := os.MkdirTemp("", "cli-cache")
	defer os.RemoveAll(dir)
	for range 2 {
		role := &cwlogs.AssumeRoleProvider{
			STS:          cwlogs.STS{Region: "eu-west-1", Endpoint: sts.URL},
			Source:       cwlogs.StaticCredentialsProvider{Credentials: cwlogs.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}},
			RoleARN:      "arn:aws:iam::123456789012:role/admin",
			SerialNumber: "arn:aws:iam::123456789012:mfa/alice",
			TokenCode: func(ctx context.Context, serial string) (string, error) {
				return "123456", nil // a real program asks its user
			},
			Cache: &cwlogs.RoleCache{Dir: dir},
		}
		c, err := role.Retrieve(context.Background())
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(c.AccessKeyID, c.Source)
	}
	// Output:
	// STS called with MFA code 123456
	// ASIAEXAMPLE AssumeRole arn:aws:iam::123456789012:role/admin
	// ASIAEXAMPLE AssumeRole arn:aws:iam::123456789012:role/admin (cached)
}

// WithCABundle trusts a private certificate authority, for a TLS-inspecting
// proxy or a local endpoint with its own certificate. Here the endpoint is a
// local HTTPS stand-in whose certificate is written to a PEM file.
func ExampleWithCABundle() {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		fmt.Fprint(w, `{"logGroups":[{"logGroupName":"app"}]}`)
	}))
	defer srv.Close()
	dir, err := os.MkdirTemp("", "ca")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	bundle := filepath.Join(dir, "private-ca.pem")
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(bundle, cert, 0o600); err != nil {
		log.Fatal(err)
	}

	c, err := cwlogs.New("us-east-1", "AKIDEXAMPLE", "secret",
		cwlogs.WithEndpoint(srv.URL), cwlogs.WithCABundle(bundle))
	if err != nil {
		log.Fatal(err)
	}
	out, err := c.DescribeLogGroups(context.Background(), &cwlogs.DescribeLogGroupsInput{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.LogGroups[0].LogGroupName)
	// Output: app
}
