package cwlogs

import (
	"strconv"
	"time"
)

// Validation of the Insights inputs against the service model.

func validQueryLanguage(op, l string) *ValidationError {
	switch l {
	case "", QueryLanguageCWLI, QueryLanguageSQL, QueryLanguagePPL:
		return nil
	}
	return verr(op, "queryLanguage", showValue(l), "must be CWLI, SQL or PPL")
}

func validQueryStatus(op, field, s string) *ValidationError {
	switch s {
	case "", QueryStatusScheduled, QueryStatusRunning, QueryStatusComplete, QueryStatusFailed,
		QueryStatusCancelled, QueryStatusTimeout, QueryStatusUnknown:
		return nil
	}
	return verr(op, field, showValue(s), "must be Scheduled, Running, Complete, Failed, Cancelled, Timeout or Unknown")
}

func validQueryID(op, id string) *ValidationError {
	return checkLen(op, "queryId", id, 1, MaxQueryIDLen)
}

// queryTime checks a StartQuery time and returns it in seconds since the epoch.
func queryTime(op, field string, t time.Time) (int64, *ValidationError) {
	if t.IsZero() {
		return 0, verr(op, field, "0001-01-01T00:00:00Z", "is required")
	}
	s := t.Unix()
	if s < 0 {
		return 0, verr(op, field, t.UTC().Format(time.RFC3339Nano), "must not be before 1970-01-01T00:00:00Z")
	}
	return s, nil
}

// endSecond is a StartQuery EndTime in seconds since the epoch, rounded up: the
// whole second at or after t.
func endSecond(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

func (in *StartQueryInput) validate() error {
	const op = "StartQuery"
	if in == nil {
		return verr(op, "input", "nil", "is required")
	}
	if e := validQueryLanguage(op, in.QueryLanguage); e != nil {
		return e
	}
	// At most one way of naming the log groups.
	var set []string
	if in.LogGroupName != "" {
		set = append(set, "logGroupName")
	}
	if len(in.LogGroupNames) > 0 {
		set = append(set, "logGroupNames")
	}
	if len(in.LogGroupIdentifiers) > 0 {
		set = append(set, "logGroupIdentifiers")
	}
	if len(set) > 1 {
		n := len(in.LogGroupIdentifiers)
		if set[1] == "logGroupNames" {
			n = len(in.LogGroupNames)
		}
		return verr(op, set[1], strconv.Itoa(n)+" entries",
			"must not be combined with "+set[0]+"; give at most one of logGroupName, logGroupNames and logGroupIdentifiers")
	}
	if in.LogGroupName != "" {
		if e := validLogGroupName(op, "logGroupName", in.LogGroupName); e != nil {
			return e
		}
	}
	if n := len(in.LogGroupNames); n > MaxQueryLogGroups {
		return verrf(op, "logGroupNames", strconv.Itoa(n)+" names", "holds more than %d log groups", MaxQueryLogGroups)
	}
	for i, s := range in.LogGroupNames {
		if e := validLogGroupName(op, "logGroupNames["+strconv.Itoa(i)+"]", s); e != nil {
			return e
		}
	}
	if n := len(in.LogGroupIdentifiers); n > MaxQueryLogGroups {
		return verrf(op, "logGroupIdentifiers", strconv.Itoa(n)+" identifiers", "holds more than %d log groups", MaxQueryLogGroups)
	}
	for i, s := range in.LogGroupIdentifiers {
		if e := validLogGroupIdentifier(op, "logGroupIdentifiers["+strconv.Itoa(i)+"]", s); e != nil {
			return e
		}
	}
	start, e := queryTime(op, "startTime", in.StartTime)
	if e != nil {
		return e
	}
	if _, e := queryTime(op, "endTime", in.EndTime); e != nil {
		return e
	}
	end := endSecond(in.EndTime)
	if start > end {
		return verrf(op, "endTime", strconv.FormatInt(end, 10)+" ("+in.EndTime.UTC().Format(time.RFC3339)+")",
			"is before startTime %d (%s); times are sent in whole seconds", start, in.StartTime.UTC().Format(time.RFC3339))
	}
	if e := checkLen(op, "queryString", in.QueryString, 0, MaxQueryStringLen); e != nil {
		return e
	}
	return nilIfNil(validCount(op, "limit", in.Limit, MaxQueryLimit, "the service default of 10000"))
}

func (in *GetQueryResultsInput) validate() error {
	const op = "GetQueryResults"
	if in == nil {
		return verr(op, "input", "nil", "is required")
	}
	if e := validQueryID(op, in.QueryID); e != nil {
		return e
	}
	if e := checkLen(op, "nextToken", in.NextToken, 0, 1024); e != nil {
		return e
	}
	return nilIfNil(validCount(op, "maxItems", in.MaxItems, MaxQueryResultsItems, "not sent"))
}

func (in *StopQueryInput) validate() error {
	const op = "StopQuery"
	if in == nil {
		return verr(op, "input", "nil", "is required")
	}
	return nilIfNil(validQueryID(op, in.QueryID))
}

func (in *DescribeQueriesInput) validate() error {
	const op = "DescribeQueries"
	if in == nil {
		return nil
	}
	if in.LogGroupName != "" {
		if e := validLogGroupName(op, "logGroupName", in.LogGroupName); e != nil {
			return e
		}
	}
	if e := validQueryStatus(op, "status", in.Status); e != nil {
		return e
	}
	if e := validCount(op, "maxResults", in.MaxResults, MaxDescribeQueriesResults, "the service default"); e != nil {
		return e
	}
	return nilIfNil(validQueryLanguage(op, in.QueryLanguage))
}

func (in *GetLogRecordInput) validate() error {
	const op = "GetLogRecord"
	if in == nil {
		return verr(op, "input", "nil", "is required")
	}
	if in.LogRecordPointer == "" {
		return verr(op, "logRecordPointer", `""`, "is required (the @ptr field of a query result)")
	}
	return nilIfNil(checkLen(op, "logRecordPointer", in.LogRecordPointer, 1, 0))
}
