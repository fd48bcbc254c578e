// Package cwlogs is a small, standard-library-only client for Amazon
// CloudWatch Logs. It re-creates the Electric Imp library AWSCloudWatchLogs
// 1.0.0 (with its signer AWSRequestV4 1.0.2, now package
// [github.com/cwlogs/cwlogs/sigv4]) and fixes what the original got wrong:
// messages are JSON-escaped, an empty event list is rejected before sending,
// sequenceToken is passed through, session tokens are supported, X-Amz-Date
// and the session token are signed, the caller's params are never modified,
// and every call has timeouts and retries.
//
// # From the seed to Go
//
// The seed's calls map onto Go as follows; the callback becomes the returned
// [*Response] and error, and asynchronous use becomes a goroutine:
//
//	Squirrel (AWSCloudWatchLogs 1.0.0)              Go (cwlogs)
//	logs <- AWSCloudWatchLogs(region, key, secret)  c, err := cwlogs.New(region, key, secret)
//	logs.action(AWS_CLOUDWATCH_LOGS_ACTION_CREATE_LOG_GROUP, params, cb)
//	                                                resp, err := c.Action(ctx, cwlogs.ActionCreateLogGroup, params)
//	..._CREATE_LOG_STREAM / _DELETE_LOG_GROUP / _DELETE_LOG_STREAM / _PUT_LOG_EVENTS
//	                                                cwlogs.ActionCreateLogStream / ActionDeleteLogGroup /
//	                                                ActionDeleteLogStream / ActionPutLogEvents
//	cb(response): response.statuscode               resp.StatusCode (also err is an *APIError when not 2xx)
//	              response.headers["x-amzn-requestid"]  resp.Header.Get("X-Amzn-RequestId")
//	              http.jsondecode(response.body)    json.Unmarshal(resp.Body, &v)
//	cb({error = "An error occurred while encoding..."})  err is a *ValidationError, nothing sent
//	statuscode 0–99 (transport error)               err is an *OpError (resp is nil)
//	asynchronous sendasync                          go func() { resp, err := c.Action(ctx, ...) }()
//
// Params take what the seed's users passed, a timestamp as a string of
// milliseconds included:
//
//	resp, err := c.Action(ctx, cwlogs.ActionPutLogEvents, map[string]any{
//		"logGroupName":  "testLogGroup",
//		"logStreamName": "testLogStream",
//		"logEvents": []map[string]any{
//			{"message": "hello", "timestamp": "1530000000123"},
//		},
//	})
//
// Beside Action, typed methods cover the seed's five actions and the read side
// the seed lacked: [Client.CreateLogGroup], [Client.CreateLogStream],
// [Client.DeleteLogGroup], [Client.DeleteLogStream], [Client.PutLogEvents],
// [Client.DescribeLogGroups], [Client.DescribeLogStreams],
// [Client.GetLogEvents], [Client.FilterLogEvents], [Client.PutRetentionPolicy],
// [Client.DeleteRetentionPolicy], [Client.TagResource],
// [Client.UntagResource], [Client.ListTagsForResource], and iterators over all
// pages ([Client.DescribeLogGroupsIter], [Client.DescribeLogStreamsIter],
// [Client.GetLogEventsIter], [Client.FilterLogEventsIter]). [Client.Invoke]
// sends a raw JSON body to any operation.
//
// # Logs Insights
//
// [Client.StartQuery], [Client.GetQueryResults], [Client.StopQuery],
// [Client.DescribeQueries] (and [Client.DescribeQueriesIter]) and
// [Client.GetLogRecord] are the Insights operations. Query times are
// time.Time values sent as whole seconds since the epoch, the start rounded
// down and the end up (see [StartQueryInput]). [Client.RunQuery] starts a query,
// polls GetQueryResults (first after 100 ms, then doubling up to 5 s;
// [QueryOptions]) until the query ends, and returns its rows ([QueryRow], with
// Get by field name) and statistics; a query that ends other than Complete is
// a [*QueryError], returned with the partial result. When ctx ends or a poll
// fails, RunQuery stops the query (StopQuery, best effort) and returns the last
// answered poll's result with an error wrapping ctx's (or the poll's); an
// answer without a status is a [*DecodeError].
//
// # Live Tail
//
// [Client.StartLiveTail] opens a Live Tail session: the service streams the events that
// up to 10 log groups ingest, in the AWS event-stream framing, about one update a second.
// It returns once the session has started ([LiveTailSession].Start); range over
// [LiveTailSession.Updates] for the updates and Close the session when done. The stream's
// exceptions end it with an [*APIError] ([CodeSessionTimeout], [CodeSessionStreaming]).
// The request goes to the operation's prefixed host (stream-logs.REGION...) on the
// default endpoints, to a custom endpoint as it is ([WithHostPrefix]).
//
// # Configuration
//
// [New] takes the seed's three arguments plus options: [WithEndpoint] (a
// local server such as "http://127.0.0.1:4566"), [WithSessionToken],
// [WithHTTPClient], [WithRetryPolicy], [WithMaxAttempts],
// [WithAttemptTimeout], [WithClock], [WithCredentialsProvider],
// [WithFIPSEndpoint], [WithDualStackEndpoint], [WithUserAgent],
// [WithCABundle], [WithHostPrefix], [WithGzip]. [NewFromEnvironment] loads region,
// credentials, endpoint and retry settings as the AWS CLI does (AWS_* variables, ~/.aws/config and ~/.aws/credentials
// with profiles); [WithMFATokenCode] answers the MFA prompt of role profiles
// with mfa_serial, and [WithRoleCache] shares role sessions with the AWS CLI
// (see [RoleCache]). Credentials come from a [CredentialsProvider]; see
// [StaticCredentialsProvider], [EnvCredentialsProvider],
// [SharedCredentialsProvider] and [CredentialsCache].
//
// The default endpoint is https://logs.<region>.amazonaws.com, partition
// aware (amazonaws.com.cn for cn-*, FIPS and dual-stack variants; see
// [ResolveEndpoint]). Every request is POST / with X-Amz-Target
// Logs_20140328.<Operation> and Content-Type application/x-amz-json-1.1,
// signed with SigV4 (host, content-length, content-type, x-amz-date,
// x-amz-target and x-amz-security-token when present). Each attempt is a new
// request signed with a fresh time.
//
// [WithGzip] sends PutLogEvents bodies gzip-compressed (Content-Encoding: gzip), as
// the CloudWatch agent does: on 1,000 JSON access-log lines, 5.7 times fewer bytes at
// gzip.BestSpeed for 2.7 times the CPU of an uncompressed request, 7.4 times at the
// default level for 5.5 times (BENCHMARKS.md). It is off by default, and no environment
// variable turns it on.
//
// # Retries
//
// Calls retry as the AWS SDKs' standard mode (see [RetryPolicy]): 3 attempts,
// full-jitter exponential backoff capped at 20 s, a retry quota, retries on
// throttling, HTTP 500, 502, 503 and 504, connection errors and timeouts,
// never on other 4xx. [WithRetryMode] (or AWS_RETRY_MODE=adaptive) selects
// the SDKs' adaptive mode instead: the standard mode plus a client-side rate
// limiter that, once the service has throttled an attempt, paces the client's
// attempts at a rate cut by each throttle and grown back along a CUBIC curve.
// ctx is honoured during backoff and while waiting for the limiter. When the
// service says the signature expired or is not yet current, the client
// corrects its clock offset from the response's Date header and retries.
// [IsRetryable] exposes the classification.
//
// # Limits
//
// Input is checked against the service model before sending; see the Max*
// constants. PutLogEvents takes 1–[MaxBatchEvents] events in chronological
// order, spanning at most [MaxBatchSpan], with non-empty messages, at most
// [MaxBatchBytes] per batch counting the UTF-8 length of each message plus
// [EventOverheadBytes], and at most [MaxEventBytes] per event counting the
// overhead too. Invalid UTF-8 in a message is sent as U+FFFD, as
// encoding/json does, and counted that way.
//
// # Errors
//
// Errors are typed for errors.As and errors.Is:
//   - [*ValidationError]: bad input, nothing was sent; names the field and value.
//   - [*APIError]: the service answered non-2xx, or ended a Live Tail stream
//     with an exception; Code (the sanitized __type),
//     Message, StatusCode, RequestID. [IsNotFound], [IsAlreadyExists],
//     [IsThrottling], [IsInvalidParameter] and the Err* sentinels match it.
//   - [*OpError]: a transport failure or cancelled context, with the operation
//     name, the number of attempts, and NotSent when none of them sent the
//     request (no connection could be had), so the service cannot have acted on it.
//     It also ends a retried call whose later attempt could not get credentials
//     after an earlier one was sent and got no answer or a 5xx.
//   - [*CredentialsError]: the credentials could not be had, and the service did
//     not act on the call.
//   - [*DecodeError]: a 2xx answer whose body was not the expected JSON (or,
//     for Live Tail, a stream that broke or fell silent).
//   - [*QueryError]: a query run by [Client.RunQuery] ended Failed, Cancelled,
//     Timeout or Unknown.
//
// Secrets never appear in errors or in the %v form of [Credentials] and
// [Client].
package cwlogs
