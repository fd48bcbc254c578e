// Command cwlogs works with Amazon CloudWatch Logs from the shell, with the
// habits of the AWS CLI, and runs a local CloudWatch Logs server.
//
//	cwlogs [global flags] COMMAND [arguments] [flags]
//
// Commands: create-group, create-stream, delete-group, delete-stream,
// groups, streams, retention, tags, tag, untag, put, get, filter, tail, query,
// call, serve, demo, version, completion, help. "cwlogs help COMMAND" (or
// "cwlogs COMMAND --help") shows a command's flags and an example.
//
// # Configuration
//
// Global flags are accepted before or after the command name (not after
// "--"): --region, --profile, --endpoint-url, --ca-bundle, --output
// text|json (call: json, text or table), --utc or --local, --no-color,
// --gzip (send PutLogEvents requests gzip-compressed, cwlogs.WithGzip at the
// default level). Everything else comes from the same environment
// variables and ~/.aws files as the library's cwlogs.NewFromEnvironment:
// AWS_REGION, AWS_DEFAULT_REGION, AWS_PROFILE, AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS,
// AWS_ENDPOINT_URL, AWS_MAX_ATTEMPTS, AWS_CA_BUNDLE, AWS_CONFIG_FILE,
// AWS_SHARED_CREDENTIALS_FILE and the profile settings (credential_process
// included), then the container credentials endpoint and the EC2 instance
// role. As with aws, the sessions of roles assumed through STS are kept in
// ~/.aws/cli/cache, shared with aws (a session either one started serves the
// other until 15 minutes before it expires), and a role with mfa_serial asks
// "Enter MFA code for SERIAL: " at the terminal, without echo, when it needs a
// new session: only as the command starts, before put reads stdin, and never
// on stdin itself (Ctrl-C there exits 130). As in botocore, a session that
// ends under a long put or tail --follow is not renewed by asking again: the
// command fails and says so.
//
// Times are ISO 8601 dates and times as aws logs tail --since reads them
// (2024-05-01T12:00:00Z, 2024-05-01 12:00, 2024-05-01T14:00+0200; UTC
// without a zone), a date (midnight UTC), epoch milliseconds, "now", or a
// duration before now (90s, 10m, 2h, 1d, 1w, 1h30m). Times are shown in UTC
// unless --local is given, as 2006-01-02T15:04:05.000Z07:00.
//
// # Output
//
// Text output is aligned columns for groups and streams and "TIME  [STREAM]
// MESSAGE" lines for events. Colour is used only when stdout is a terminal,
// and never with --no-color, NO_COLOR or TERM=dumb. Progress for long
// uploads and reads goes to stderr, only when stderr is a terminal.
//
// With --output json every result is printed as JSON Lines: one object per
// line, in the shapes below. Field names follow the CloudWatch Logs API; times
// are epoch milliseconds; fields are always present unless marked optional.
// New fields may be added; existing ones do not change.
//
//	groups:    {"logGroupName":S, "arn":S, "creationTime":N, "retentionInDays":N|null,
//	            "storedBytes":N, "logGroupClass":S}
//	streams:   {"logStreamName":S, "arn":S, "creationTime":N, "firstEventTimestamp":N|null,
//	            "lastEventTimestamp":N|null, "lastIngestionTime":N|null, "storedBytes":N}
//	get, filter, tail:
//	           {"logStreamName":S, "timestamp":N, "ingestionTime":N, "message":S,
//	            "eventId":S (filter and tail only, not tail --live),
//	            "logGroupName":S (tail --live of several groups only)}
//	create-group, create-stream, delete-group, delete-stream, retention, tag, untag:
//	           {"operation":S, "logGroupName":S, "logStreamName":S (optional),
//	            "tags":{S:S} (optional), "tagKeys":[S] (optional),
//	            "retentionInDays":N (optional)}
//	tags:      {"resourceArn":S, "tags":{S:S}}
//	query:     {FIELD:S, ...} one object per result row, its fields (@ptr included)
//	            in the service's order; the summary stays text on stderr
//	put:       {"events":N, "sent":N, "bytes":N, "batches":N, "retries":N, "rejected":N,
//	            "dropped":N, "reasons":{S:N} (optional: rejectedTooNew, rejectedTooOld,
//	            rejectedExpired, droppedEmpty, droppedTooLarge, droppedTooOld, droppedTooNew,
//	            droppedBufferFull, droppedRetryExhausted, droppedPermanentError, droppedClosed),
//	            "error":S (optional: the cause, when events were lost)}
//	demo:      {"step":N, "action":S, "params":{...}, "statusCode":N, "requestId":S,
//	            "body":S, "log":S}
//	version:   {"version":S, "go":S, "platform":S, "commit":S (optional)}
//
// call is the exception: it prints the service's answer as the AWS CLI does, byte for
// byte, in the AWS CLI's formats: JSON indented by 4 spaces (nothing for an empty answer),
// its default whatever --output the other commands default to; --output text, the AWS CLI's
// tab-separated lines; --output table, its boxed tables. --query EXPR applies a JMESPath
// expression first, as aws's --query (evaluated by github.com/jmespath/go-jmespath; where it
// and the AWS CLI's Python differ, cwlogs puts back the order of the members of objects and
// the floats whole in value, 0.0, but for the cases listed in the README).
//
// Errors are never JSON: they go to stderr as "cwlogs: Code: Message" for
// service errors (for example "cwlogs: ResourceNotFoundException: The
// specified log group does not exist.").
//
// # Exit status
//
// 0 on success (and for tail --follow, tail --live and serve stopped by SIGINT or
// SIGTERM, and put so stopped once every line it had read was stored); 1 for
// service and network errors, and for put when any event was not stored; 2 for usage errors, configuration errors (no region, no
// credentials — an SSO token to renew included —, unknown profile, bad
// endpoint) and input the client rejects before sending; 130 when another
// command is interrupted.
package main
