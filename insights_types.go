package cwlogs

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Statuses of a CloudWatch Logs Insights query (QueryStatus in the model).
// Scheduled and Running are the states of a query still under way; the others
// are terminal. The service reports Unknown when it cannot tell the state of a
// query (its results have expired, say).
const (
	QueryStatusScheduled = "Scheduled"
	QueryStatusRunning   = "Running"
	QueryStatusComplete  = "Complete"
	QueryStatusFailed    = "Failed"
	QueryStatusCancelled = "Cancelled"
	QueryStatusTimeout   = "Timeout"
	QueryStatusUnknown   = "Unknown"
)

// Query languages (QueryLanguage in the model): Logs Insights QL (the
// service default), OpenSearch SQL and OpenSearch PPL.
const (
	QueryLanguageCWLI = "CWLI"
	QueryLanguageSQL  = "SQL"
	QueryLanguagePPL  = "PPL"
)

// Limits of the Insights operations (service model).
const (
	// MaxQueryStringLen is the longest query string (characters).
	MaxQueryStringLen = 10000
	// MaxQueryLogGroups is the largest number of LogGroupNames or
	// LogGroupIdentifiers of one StartQuery.
	MaxQueryLogGroups = 50
	// MaxQueryLimit is the largest Limit of StartQuery (the service default is 10,000).
	MaxQueryLimit = 100000
	// MaxQueryResultsItems is the largest MaxItems of GetQueryResults.
	MaxQueryResultsItems = 10000
	// MaxQueryIDLen is the longest query id.
	MaxQueryIDLen = 256
	// MaxDescribeQueriesResults is the largest MaxResults of DescribeQueries.
	MaxDescribeQueriesResults = 1000
)

// StartQueryInput is the input of StartQuery.
//
// The service takes the time range in whole seconds since the epoch, both ends
// inclusive to the millisecond: the range ends at the first millisecond of the
// endTime second, not at its last (the CloudWatch team in aws/aws-sdk#280:
// "inclusive but not at second level"). The range sent covers the one asked
// for: StartTime is rounded down to its second (its Unix() value) and EndTime up
// to the next whole second, so that an EndTime of time.Now() (12:00:00.900, say:
// sent as 12:00:01) does not leave out the events of the last fraction of a
// second. Events after a fractional EndTime, up to and including the next whole
// second, may therefore be included; give whole seconds
// (EndTime.Truncate(time.Second)) for an exact range.
type StartQueryInput struct {
	// QueryLanguage is QueryLanguageCWLI, QueryLanguageSQL or QueryLanguagePPL;
	// empty means the service default (CWLI).
	QueryLanguage string
	// At most one of LogGroupName, LogGroupNames (1–50 names) and
	// LogGroupIdentifiers (1–50 names or ARNs) may be set. None may be, when the
	// query string selects its log groups itself (a SOURCE command, or SQL).
	// An empty slice counts as not set.
	LogGroupName        string
	LogGroupNames       []string
	LogGroupIdentifiers []string
	// StartTime and EndTime bound the events queried (required; see above).
	StartTime time.Time
	EndTime   time.Time
	// QueryString is the query, 0–10,000 characters, e.g.
	// "fields @timestamp, @message | sort @timestamp desc | limit 20".
	QueryString string
	// Limit is the largest number of events returned, 1–100,000; 0 means the
	// service default (10,000). A limit command in the query string also counts.
	Limit int
}

// StartQueryOutput is the output of StartQuery.
type StartQueryOutput struct {
	QueryID string `json:"queryId"`
}

// GetQueryResultsInput is the input of GetQueryResults.
type GetQueryResultsInput struct {
	QueryID string // required, as StartQuery returned it
	// NextToken asks for the next page of a query's results (it expires after an hour).
	NextToken string
	// MaxItems is the largest number of rows in the answer, 1–10,000; 0 means
	// not sent (the service returns up to 10,000).
	MaxItems int
}

// ResultField is one field of a query result row.
type ResultField struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

// QueryRow is one row of query results: its fields in the order the service
// returned them. Fields without a value in an event are absent from its row.
type QueryRow []ResultField

// Get returns the value of field in the row, or "" when the row lacks it.
func (r QueryRow) Get(field string) string {
	v, _ := r.Lookup(field)
	return v
}

// Lookup returns the value of field and whether the row has it. A field
// that occurs twice yields its first value.
func (r QueryRow) Lookup(field string) (string, bool) {
	for _, f := range r {
		if f.Field == field {
			return f.Value, true
		}
	}
	return "", false
}

// Map returns the row as a map from field to value (the first of duplicates).
func (r QueryRow) Map() map[string]string {
	m := make(map[string]string, len(r))
	for i := len(r) - 1; i >= 0; i-- {
		m[r[i].Field] = r[i].Value
	}
	return m
}

// QueryStatistics reports how much a query scanned and matched. The service
// sends them as floating-point numbers.
type QueryStatistics struct {
	RecordsMatched          float64 `json:"recordsMatched"`
	RecordsScanned          float64 `json:"recordsScanned"`
	EstimatedRecordsSkipped float64 `json:"estimatedRecordsSkipped"`
	BytesScanned            float64 `json:"bytesScanned"`
	EstimatedBytesSkipped   float64 `json:"estimatedBytesSkipped"`
	LogGroupsScanned        float64 `json:"logGroupsScanned"`
}

// GetQueryResultsOutput is the output of GetQueryResults. While Status is
// Scheduled or Running, Results are partial.
type GetQueryResultsOutput struct {
	QueryLanguage string          `json:"queryLanguage,omitempty"`
	Results       []QueryRow      `json:"results"`
	Statistics    QueryStatistics `json:"statistics"`
	Status        string          `json:"status"` // one of the QueryStatus* constants
	// EncryptionKey is the KMS key the results are encrypted with, if any.
	EncryptionKey string `json:"encryptionKey,omitempty"`
	// NextToken, when set, asks for more rows of a complete query.
	NextToken string `json:"nextToken,omitempty"`
}

// StopQueryInput is the input of StopQuery.
type StopQueryInput struct {
	QueryID string // required
}

// StopQueryOutput is the output of StopQuery.
type StopQueryOutput struct {
	// Success reports whether the query was stopped.
	Success bool `json:"success"`
}

// DescribeQueriesInput is the input of DescribeQueries. All fields are optional.
type DescribeQueriesInput struct {
	LogGroupName  string // only the queries of this log group
	Status        string // only queries of this status (a QueryStatus* constant)
	MaxResults    int    // 1–1,000; 0 means the service default
	NextToken     string
	QueryLanguage string // only queries in this language (a QueryLanguage* constant)
}

// QueryInfo describes a query in DescribeQueries.
type QueryInfo struct {
	QueryLanguage string `json:"queryLanguage,omitempty"`
	QueryID       string `json:"queryId"`
	QueryString   string `json:"queryString"`
	Status        string `json:"status"`
	CreateTime    int64  `json:"createTime,omitempty"` // milliseconds since the epoch
	LogGroupName  string `json:"logGroupName,omitempty"`
	// QueryDuration is how long the query ran, in milliseconds.
	QueryDuration int64   `json:"queryDuration,omitempty"`
	BytesScanned  float64 `json:"bytesScanned,omitempty"`
	UserIdentity  string  `json:"userIdentity,omitempty"` // the ARN of who ran it
}

// UnmarshalJSON decodes a QueryInfo, taking createTime and queryDuration in
// milliseconds also as numbers with a fraction (moto_server sends them so),
// which are truncated.
func (q *QueryInfo) UnmarshalJSON(b []byte) error {
	type plain QueryInfo
	var w struct {
		*plain
		CreateTime    json.Number `json:"createTime"`
		QueryDuration json.Number `json:"queryDuration"`
	}
	w.plain = (*plain)(q)
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	var err error
	if q.CreateTime, err = wholeMillis("createTime", w.CreateTime); err != nil {
		return err
	}
	q.QueryDuration, err = wholeMillis("queryDuration", w.QueryDuration)
	return err
}

// wholeMillis converts a JSON number of milliseconds to int64, truncating a
// fraction; "" (absent) is 0.
func wholeMillis(field string, n json.Number) (int64, error) {
	if n == "" {
		return 0, nil
	}
	if i, err := n.Int64(); err == nil {
		return i, nil
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || f >= math.MaxInt64 || f <= math.MinInt64 {
		return 0, fmt.Errorf("cwlogs: %s %s is not a number of milliseconds", field, strconv.Quote(string(n)))
	}
	return int64(f), nil
}

// DescribeQueriesOutput is one page of DescribeQueries.
type DescribeQueriesOutput struct {
	Queries   []QueryInfo `json:"queries"`
	NextToken string      `json:"nextToken,omitempty"`
}

// GetLogRecordInput is the input of GetLogRecord.
type GetLogRecordInput struct {
	// LogRecordPointer is the @ptr field of a query result row (required).
	LogRecordPointer string
	// Unmask shows fields masked by a data protection policy (needs logs:Unmask).
	Unmask bool
}

// GetLogRecordOutput is the output of GetLogRecord: every field of the event,
// the unparsed event in @message.
type GetLogRecordOutput struct {
	LogRecord map[string]string `json:"logRecord"`
}

// QueryCompileError is the position and text of a syntax error in a query,
// as a MalformedQueryException reports it (see [APIError.QueryCompileError]).
type QueryCompileError struct {
	Location QueryCompileErrorLocation `json:"location"`
	Message  string                    `json:"message"`
}

// QueryCompileErrorLocation is where in the query string a compile error lies
// (character offsets).
type QueryCompileErrorLocation struct {
	StartCharOffset int `json:"startCharOffset"`
	EndCharOffset   int `json:"endCharOffset"`
}
