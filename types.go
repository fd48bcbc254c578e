package cwlogs

import "time"

// InputLogEvent is one event to upload with PutLogEvents.
type InputLogEvent struct {
	// Timestamp is the event time in milliseconds since the Unix epoch.
	Timestamp int64
	// Message is the raw log message (UTF-8). It must not be empty.
	Message string
}

// Millis converts t to the milliseconds-since-epoch form used on the wire.
func Millis(t time.Time) int64 { return t.UnixMilli() }

// CreateLogGroupInput is the input of CreateLogGroup.
type CreateLogGroupInput struct {
	LogGroupName string            // required
	KmsKeyID     string            // optional ARN of a KMS key
	Tags         map[string]string // optional, 1–50 entries
	// LogGroupClass is STANDARD (the default when empty), INFREQUENT_ACCESS or DELIVERY.
	LogGroupClass string
}

// CreateLogStreamInput is the input of CreateLogStream.
type CreateLogStreamInput struct {
	LogGroupName  string
	LogStreamName string
}

// DeleteLogGroupInput is the input of DeleteLogGroup.
type DeleteLogGroupInput struct {
	LogGroupName string
}

// DeleteLogStreamInput is the input of DeleteLogStream.
type DeleteLogStreamInput struct {
	LogGroupName  string
	LogStreamName string
}

// PutLogEventsInput is the input of PutLogEvents.
type PutLogEventsInput struct {
	LogGroupName  string
	LogStreamName string
	// LogEvents must hold 1–10,000 events in chronological order.
	LogEvents []InputLogEvent
	// SequenceToken is deprecated: the service has ignored it since 2023.
	// It is passed through when set.
	SequenceToken string
	// LogFormat, when set, is sent as the x-amzn-logs-format request header
	// (signed, as the AWS SDKs sign it), not in the body. The one value is
	// LogFormatEMF: the service then extracts CloudWatch metrics from the
	// events written in the Embedded Metric Format (package emf). "": no header.
	LogFormat string
}

// LogFormatEMF is the PutLogEventsInput.LogFormat of events in the CloudWatch
// Embedded Metric Format.
const LogFormatEMF = "json/emf"

// RejectedLogEventsInfo reports events the service refused while storing the rest.
// A nil field means no event was rejected for that reason.
type RejectedLogEventsInfo struct {
	// TooNewLogEventStartIndex is the index of the first event that was too new.
	TooNewLogEventStartIndex *int `json:"tooNewLogEventStartIndex,omitempty"`
	// TooOldLogEventEndIndex is one past the index of the last event that was too old.
	TooOldLogEventEndIndex *int `json:"tooOldLogEventEndIndex,omitempty"`
	// ExpiredLogEventEndIndex is one past the index of the last event older than the retention.
	ExpiredLogEventEndIndex *int `json:"expiredLogEventEndIndex,omitempty"`
}

// PutLogEventsOutput is the output of PutLogEvents.
type PutLogEventsOutput struct {
	NextSequenceToken     string                 `json:"nextSequenceToken,omitempty"`
	RejectedLogEventsInfo *RejectedLogEventsInfo `json:"rejectedLogEventsInfo,omitempty"`
}

// DescribeLogGroupsInput is the input of DescribeLogGroups. All fields are optional.
type DescribeLogGroupsInput struct {
	LogGroupNamePrefix  string
	LogGroupNamePattern string
	LogGroupClass       string
	Limit               int // 0 means the service default (50)
	NextToken           string
	// LogGroupIdentifiers lists 1–50 log group names or ARNs to describe; it cannot be
	// combined with the prefix, the pattern or the class. Nil or empty: not sent.
	LogGroupIdentifiers []string
	// IncludeLinkedAccounts, in a monitoring account, also returns the log groups of the
	// source accounts in AccountIdentifiers (at most 20 account ids of 12 digits; none: all).
	IncludeLinkedAccounts bool
	AccountIdentifiers    []string
}

// LogGroup describes a log group.
type LogGroup struct {
	LogGroupName      string `json:"logGroupName"`
	CreationTime      int64  `json:"creationTime,omitempty"`
	RetentionInDays   int    `json:"retentionInDays,omitempty"`
	MetricFilterCount int    `json:"metricFilterCount,omitempty"`
	Arn               string `json:"arn,omitempty"`
	LogGroupArn       string `json:"logGroupArn,omitempty"`
	StoredBytes       int64  `json:"storedBytes,omitempty"`
	KmsKeyID          string `json:"kmsKeyId,omitempty"`
	LogGroupClass     string `json:"logGroupClass,omitempty"`
	// DataProtectionStatus is ACTIVATED, DELETED, ARCHIVED or DISABLED when the group has
	// or had a data protection policy.
	DataProtectionStatus string `json:"dataProtectionStatus,omitempty"`
	// InheritedProperties lists account-level settings the group inherits, such as
	// ACCOUNT_DATA_PROTECTION.
	InheritedProperties []string `json:"inheritedProperties,omitempty"`
	// DeletionProtectionEnabled: DeleteLogGroup fails until protection is turned off
	// (PutLogGroupDeletionProtection, through Action).
	DeletionProtectionEnabled        bool `json:"deletionProtectionEnabled,omitempty"`
	BearerTokenAuthenticationEnabled bool `json:"bearerTokenAuthenticationEnabled,omitempty"`
}

// DescribeLogGroupsOutput is one page of DescribeLogGroups.
type DescribeLogGroupsOutput struct {
	LogGroups []LogGroup `json:"logGroups"`
	NextToken string     `json:"nextToken,omitempty"`
}

// Values of DescribeLogStreamsInput.OrderBy.
const (
	OrderByLogStreamName = "LogStreamName"
	OrderByLastEventTime = "LastEventTime"
)

// DescribeLogStreamsInput is the input of DescribeLogStreams.
type DescribeLogStreamsInput struct {
	LogGroupName        string // this or LogGroupIdentifier
	LogGroupIdentifier  string
	LogStreamNamePrefix string
	OrderBy             string // OrderByLogStreamName (default) or OrderByLastEventTime
	Descending          bool
	Limit               int // 0 means the service default (50)
	NextToken           string
}

// LogStream describes a log stream.
type LogStream struct {
	LogStreamName       string `json:"logStreamName"`
	CreationTime        int64  `json:"creationTime,omitempty"`
	FirstEventTimestamp int64  `json:"firstEventTimestamp,omitempty"`
	LastEventTimestamp  int64  `json:"lastEventTimestamp,omitempty"`
	LastIngestionTime   int64  `json:"lastIngestionTime,omitempty"`
	UploadSequenceToken string `json:"uploadSequenceToken,omitempty"`
	Arn                 string `json:"arn,omitempty"`
	StoredBytes         int64  `json:"storedBytes,omitempty"`
}

// DescribeLogStreamsOutput is one page of DescribeLogStreams.
type DescribeLogStreamsOutput struct {
	LogStreams []LogStream `json:"logStreams"`
	NextToken  string      `json:"nextToken,omitempty"`
}

// GetLogEventsInput is the input of GetLogEvents.
type GetLogEventsInput struct {
	LogGroupName       string // this or LogGroupIdentifier
	LogGroupIdentifier string
	LogStreamName      string
	StartTime          *int64 // inclusive, ms since epoch; nil means unbounded
	EndTime            *int64 // exclusive, ms since epoch; nil means unbounded
	Limit              int    // 0 means the service default
	NextToken          string
	// StartFromHead reads from the oldest event first. The service default is false (the tail).
	// Iterators set it to true when following forward tokens.
	StartFromHead bool
	// Unmask shows fields masked by a data protection policy (needs logs:Unmask).
	Unmask bool
}

// OutputLogEvent is an event returned by GetLogEvents.
type OutputLogEvent struct {
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
}

// GetLogEventsOutput is one page of GetLogEvents.
type GetLogEventsOutput struct {
	Events            []OutputLogEvent `json:"events"`
	NextForwardToken  string           `json:"nextForwardToken,omitempty"`
	NextBackwardToken string           `json:"nextBackwardToken,omitempty"`
}

// FilterLogEventsInput is the input of FilterLogEvents.
type FilterLogEventsInput struct {
	LogGroupName        string // this or LogGroupIdentifier
	LogGroupIdentifier  string
	LogStreamNames      []string // 1–100 names, or use LogStreamNamePrefix
	LogStreamNamePrefix string
	StartTime           *int64 // ms since epoch
	EndTime             *int64 // ms since epoch
	FilterPattern       string // empty matches every event
	Limit               int    // 0 means the service default (10,000)
	NextToken           string
	Unmask              bool // show fields masked by a data protection policy (needs logs:Unmask)
}

// FilteredLogEvent is an event returned by FilterLogEvents.
type FilteredLogEvent struct {
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId"`
}

// FilterLogEventsOutput is one page of FilterLogEvents.
type FilterLogEventsOutput struct {
	Events    []FilteredLogEvent `json:"events"`
	NextToken string             `json:"nextToken,omitempty"`
	// SearchedLogStreams has been empty on AWS since May 2020 (some emulators fill it).
	SearchedLogStreams []SearchedLogStream `json:"searchedLogStreams,omitempty"`
}

// SearchedLogStream is an entry of FilterLogEventsOutput.SearchedLogStreams.
type SearchedLogStream struct {
	LogStreamName      string `json:"logStreamName"`
	SearchedCompletely bool   `json:"searchedCompletely"`
}

// PutRetentionPolicyInput is the input of PutRetentionPolicy.
type PutRetentionPolicyInput struct {
	LogGroupName    string
	RetentionInDays int // one of RetentionDays
}

// RetentionDays lists the values PutRetentionPolicy accepts.
var RetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// DeleteRetentionPolicyInput is the input of DeleteRetentionPolicy.
type DeleteRetentionPolicyInput struct {
	LogGroupName string
}

// TagResourceInput is the input of TagResource.
type TagResourceInput struct {
	ResourceArn string
	Tags        map[string]string
}

// UntagResourceInput is the input of UntagResource.
type UntagResourceInput struct {
	ResourceArn string
	TagKeys     []string
}

// ListTagsForResourceInput is the input of ListTagsForResource.
type ListTagsForResourceInput struct {
	ResourceArn string
}

// ListTagsForResourceOutput is the output of ListTagsForResource.
type ListTagsForResourceOutput struct {
	Tags map[string]string `json:"tags"`
}
