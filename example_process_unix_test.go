//go:build unix

package cwlogs_test

import (
	"context"
	"fmt"
	"log"

	"github.com/cwlogs/cwlogs"
)

// A credential process prints credentials as JSON (IAM Roles Anywhere's
// aws_signing_helper credential-process, a vault, a device certificate
// exchange); profiles name it with credential_process.
func ExampleProcessCredentialsProvider() {
	p := cwlogs.ProcessCredentialsProvider{
		Command: `echo '{"Version": 1, "AccessKeyId": "AKIDEXAMPLE", "SecretAccessKey": "secret"}'`,
		Name:    "device-creds",
	}
	c, err := p.Retrieve(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c) // secrets are redacted
	// Output: Credentials{AccessKeyID: AKID…, SecretAccessKey: <redacted>, Source: device-creds}
}
