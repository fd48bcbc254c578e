package cwlogs

import "time"

// Service limits enforced by the client before a request is sent. They come
// from the CloudWatch Logs service model (botocore logs 2014-03-28) and the
// PutLogEvents API reference.
const (
	// MaxBatchEvents is the largest number of events in one PutLogEvents call.
	MaxBatchEvents = 10000
	// MaxBatchBytes is the largest PutLogEvents batch, counted as the sum of the
	// UTF-8 lengths of the messages plus EventOverheadBytes per event.
	MaxBatchBytes = 1048576
	// EventOverheadBytes is the per-event overhead the service adds when it
	// measures a batch.
	EventOverheadBytes = 26
	// MaxEventBytes is the largest single event (1 MB since April 2025). The
	// client counts the message's UTF-8 length plus EventOverheadBytes against
	// it, so the longest accepted message is MaxEventBytes-EventOverheadBytes
	// (1,048,550) bytes. Counting the overhead is the only choice that is never
	// wrong: a one-event batch is bounded by MaxBatchBytes, which includes the
	// overhead, so a longer message could not be sent in any batch.
	MaxEventBytes = 1048576
	// MaxBatchSpan is the largest distance between the oldest and the newest
	// valid event (see MaxEventAge, MaxEventFuture) of one PutLogEvents batch.
	MaxBatchSpan = 24 * time.Hour
	// MaxEventAge and MaxEventFuture bound the events PutLogEvents stores: at
	// most 14 days old, at most 2 hours ahead. Other events are rejected one by
	// one (RejectedLogEventsInfo) while the rest of the batch is stored.
	MaxEventAge    = 14 * 24 * time.Hour
	MaxEventFuture = 2 * time.Hour

	// MaxLogGroupNameLen is the longest log group name (characters).
	MaxLogGroupNameLen = 512
	// MaxLogStreamNameLen is the longest log stream name (characters).
	MaxLogStreamNameLen = 512
	// MaxLogGroupIdentifierLen is the longest log group identifier (name or ARN).
	MaxLogGroupIdentifierLen = 2048
	// MaxResourceArnLen is the longest resource ARN of the tagging operations.
	MaxResourceArnLen = 1011
	// MaxKmsKeyIDLen is the longest KMS key identifier.
	MaxKmsKeyIDLen = 256
	// MaxTags is the largest number of tags in one request.
	MaxTags = 50
	// MaxTagKeyLen and MaxTagValueLen bound a tag's key and value (characters).
	MaxTagKeyLen   = 128
	MaxTagValueLen = 256
	// MaxDescribeLimit is the largest Limit of DescribeLogGroups and DescribeLogStreams.
	MaxDescribeLimit = 50
	// MaxEventsLimit is the largest Limit of GetLogEvents and FilterLogEvents.
	MaxEventsLimit = 10000
	// MaxFilterLogStreamNames is the largest number of LogStreamNames in FilterLogEvents.
	MaxFilterLogStreamNames = 100
	// MaxDescribeLogGroupIdentifiers is the largest number of LogGroupIdentifiers in DescribeLogGroups.
	MaxDescribeLogGroupIdentifiers = 50
	// MaxAccountIdentifiers is the largest number of AccountIdentifiers in DescribeLogGroups.
	MaxAccountIdentifiers = 20
	// MaxFilterPatternLen is the longest filter pattern (characters).
	MaxFilterPatternLen = 1024
)

// Log group classes (values of LogGroupClass).
const (
	LogGroupClassStandard         = "STANDARD"
	LogGroupClassInfrequentAccess = "INFREQUENT_ACCESS"
	LogGroupClassDelivery         = "DELIVERY"
)
