package interop

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/internal/credchain"
)

// sdkDiffers lists the layouts where aws-sdk-go-v2's config.LoadDefaultConfig
// resolves another identity than the AWS CLI (botocore) does; cwlogs follows
// the AWS CLI there. An unlisted difference fails, and so does a listed one
// that no longer occurs.
var sdkDiffers = map[string]string{
	"credential_process beats config-file keys": "the SDK merges both files and prefers any static keys to " +
		"credential_process; botocore reads keys from the credentials file, then credential_process, then the config file",
	"source with keys and a role: its keys": "the SDK assumes the source profile's own role; botocore uses the " +
		"source profile's static keys when it has them",
}

// noDuration removes the requested session duration from a call's record.
var noDuration = regexp.MustCompile(` duration=[0-9]*`)

// TestCredentialChainMatchesSDK: for each layout of internal/credchain,
// cwlogs.NewFromEnvironment signs with the access key that aws-sdk-go-v2's
// config.LoadDefaultConfig resolves, except where the SDK and the AWS CLI
// disagree (sdkDiffers), and makes the same calls to the stand-ins.
func TestCredentialChainMatchesSDK(t *testing.T) {
	peers := credchain.StartPeers(t)
	for _, tc := range credchain.Cases() {
		t.Run(tc.Name, func(t *testing.T) {
			credchain.SetEnv(t, tc.Setup(t, t.TempDir(), peers))
			ctx := context.Background()

			sdk := ""
			cfg, err := config.LoadDefaultConfig(ctx, config.WithAssumeRoleCredentialOptions(func(o *stscreds.AssumeRoleOptions) {
				o.TokenProvider = func() (string, error) { return credchain.MFACode, nil }
			}))
			if err == nil {
				creds, rerr := cfg.Credentials.Retrieve(ctx)
				err = rerr
				sdk = creds.AccessKeyID
			}
			if err != nil {
				sdk = "ERROR " + err.Error()
			}
			sdkCalls := peers.TakeCalls()

			got := ""
			c, err := cwlogs.NewFromEnvironment(ctx, cwlogs.WithMFATokenCode(func(context.Context, string) (string, error) {
				return credchain.MFACode, nil
			}))
			if err == nil {
				err = c.DeleteLogGroup(ctx, &cwlogs.DeleteLogGroupInput{LogGroupName: "g"})
			}
			if err != nil {
				got = "ERROR " + err.Error()
			} else {
				got = peers.LogsKey()
			}
			ourCalls := peers.TakeCalls()

			if credchain.First(got) != tc.Want {
				t.Fatalf("cwlogs used %q, want %q (the AWS CLI's)", got, tc.Want)
			}
			if tc.Want == "ERROR" && !errors.Is(err, cwlogs.ErrNoCredentials) {
				t.Fatalf("no credentials: err = %v, want ErrNoCredentials", err)
			}
			why, listed := sdkDiffers[tc.Name]
			// aws-sdk-go-v2 asks STS for 900 s sessions by default where the AWS CLI
			// (and cwlogs) leave STS's default of an hour: a setting, not an identity,
			// so the duration is left out here (the botocore differential compares it).
			sdkC := noDuration.ReplaceAllString(fmt.Sprint(sdkCalls), "")
			ourC := noDuration.ReplaceAllString(fmt.Sprint(ourCalls), "")
			same := credchain.First(sdk) == credchain.First(got) && sdkC == ourC
			switch {
			case !same && !listed:
				t.Errorf("aws-sdk-go-v2 used %q after %q; cwlogs %q after %q", sdk, sdkCalls, got, ourCalls)
			case same && listed:
				t.Errorf("listed difference no longer occurs (%s): both use %q", why, got)
			}
		})
	}
}
