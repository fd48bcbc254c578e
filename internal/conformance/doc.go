// Package conformance holds the conformance suites of the local CloudWatch Logs server
// (package localserver). It has no exported API: everything is in its tests, run by
// `go test ./...` on every CI run.
//
//   - cli_test.go: the real AWS CLI, v1 (pip) and v2 (Debian awscli), against the server for
//     every operation it serves, with strict SigV4 credentials so that the CLI's signatures
//     are verified. The CLI paths come from CWLOGS_AWS_CLI_V1 / CWLOGS_AWS_CLI_V2 when set,
//     else from detection; a missing CLI skips locally and fails when CI=true.
//     Both CLIs are Python scripts, and starting one costs about a second of CPU, four
//     fifths of it Python importing awscli and botocore; so commands run in long-lived
//     runner processes (internal/testpeer's AWSCLIRunner and awscli_runner.py) that import the
//     installed awscli once and then call awscli.clidriver.main() per command, with its
//     own argv, environment and captured stdout/stderr. TestAWSCLIRunnerMatchesProcess
//     checks, for each CLI, that a runner prints byte for byte what the executable prints
//     and exits as it does; CWLOGS_AWS_CLI_PROCESS=1 runs every command as a process.
//   - motodiff_test.go: one scripted sequence of raw JSON requests sent through
//     (*cwlogs.Client).Invoke to moto_server and to the server, compared field by field.
//     Every known difference is listed in a table with the side that follows AWS; an
//     unlisted difference fails, and so does a listed one that no longer occurs.
//     motodiff_filters_test.go does the same for the metric and subscription filter
//     operations, with a table of its own, as do motodiff_ops_test.go (KMS association,
//     ListLogGroups, resource policies), motodiff_export_test.go (the export tasks, and the
//     objects each side wrote to its bucket) and motodiff_delivery_test.go (delivery
//     sources, delivery destinations and their policies, deliveries, their tags).
//   - cli_export_test.go and cli_delivery_test.go: the export task and delivery operations
//     through AWS CLI v1 (Debian's v2 predates them), with verified signatures too.
//   - seed_test.go: the twelve test cases of the original Electric Imp library
//     (AWSCloudWatchLogs tests/agent.test.nut) through the project's client, both the
//     seed-style Action API and the typed API, expecting AWS's exact messages.
//   - credchain_test.go: the client's credential chain against botocore (the AWS CLI's
//     engine): for 25 layouts of environment variables and ~/.aws files (keys, profiles,
//     credential_process, role chains, MFA roles, web identity, IAM Identity Center, the
//     container endpoint) cwlogs.NewFromEnvironment must sign with the access key botocore resolves,
//     after the same calls to stand-ins for STS, the SSO portal and the container endpoint,
//     which verify every signature with the key's secret and session token.
//     A missing python3/botocore skips locally and fails when CI=true.
//   - rolecache_test.go: role sessions cached in ~/.aws/cli/cache are shared with the real
//     AWS CLI (v1) in both directions, for a role that needs an MFA code.
//   - rules_test.go: answers recorded from live AWS (status, __type, exact message) that the
//     scripted suites do not reach, sent as raw JSON through (*cwlogs.Client).Invoke.
//
// Set CWLOGS_MOTO_DIFF_MD=FILE to have the differential suite write its difference table as
// Markdown, and CWLOGS_MOTO_DIFF_PRINT=1 to log both servers' raw answers.
//
// The aws-sdk-go-v2 suite lives in the nested module internal/interop (server_sdk_test.go).
package conformance
