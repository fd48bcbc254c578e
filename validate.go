package cwlogs

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Validation of inputs against the constraints of the CloudWatch Logs service
// model (botocore data/logs/2014-03-28/service-2.json). Model patterns are
// applied to the whole value, as the service does.

// maxShownValue bounds how much of an offending value a ValidationError quotes.
const maxShownValue = 64

func showValue(s string) string {
	if utf8.RuneCountInString(s) > maxShownValue {
		r := []rune(s)
		s = string(r[:maxShownValue]) + "…"
	}
	return strconv.Quote(s)
}

func verr(op, field, value, reason string) *ValidationError {
	return &ValidationError{Operation: op, Field: field, Value: value, Reason: reason}
}

func verrf(op, field, value, format string, args ...any) *ValidationError {
	return verr(op, field, value, fmt.Sprintf(format, args...))
}

// checkLen checks a string length in characters (Unicode code points) and
// that the string is valid UTF-8.
func checkLen(op, field, s string, min, max int) *ValidationError {
	if !utf8.ValidString(s) {
		return verr(op, field, showValue(s), "is not valid UTF-8")
	}
	n := utf8.RuneCountInString(s)
	if n < min {
		if min == 1 && n == 0 {
			return verr(op, field, `""`, "is required and must not be empty")
		}
		return verrf(op, field, showValue(s), "must be at least %d characters long", min)
	}
	if max > 0 && n > max {
		return verrf(op, field, showValue(s), "is %d characters long; the maximum is %d", n, max)
	}
	return nil
}

func isLogGroupNameByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' ||
		b == '.' || b == '-' || b == '_' || b == '/' || b == '#'
}

// validLogGroupName checks LogGroupName: 1–512 characters of [\.\-_/#A-Za-z0-9].
func validLogGroupName(op, field, s string) *ValidationError {
	if e := checkLen(op, field, s, 1, MaxLogGroupNameLen); e != nil {
		return e
	}
	for i := 0; i < len(s); i++ {
		if !isLogGroupNameByte(s[i]) {
			r, _ := utf8.DecodeRuneInString(s[i:])
			return verrf(op, field, showValue(s), "contains %q at byte %d; allowed are A-Z a-z 0-9 . - _ / #", r, i)
		}
	}
	return nil
}

// validLogStreamName checks LogStreamName: 1–512 characters, no ':' or '*'.
func validLogStreamName(op, field, s string) *ValidationError {
	if e := checkLen(op, field, s, 1, MaxLogStreamNameLen); e != nil {
		return e
	}
	if i := strings.IndexAny(s, ":*"); i >= 0 {
		return verrf(op, field, showValue(s), "contains %q; ':' and '*' are not allowed", s[i])
	}
	return nil
}

// validIdent checks 1–max characters of [\w<extra>]: letters, digits, '_' and the bytes of extra.
func validIdent(op, field, s string, max int, extra string) *ValidationError {
	if e := checkLen(op, field, s, 1, max); e != nil {
		return e
	}
	for i := 0; i < len(s); i++ {
		if b := s[i]; !isAlnum(b) && b != '_' && strings.IndexByte(extra, b) < 0 {
			r, _ := utf8.DecodeRuneInString(s[i:])
			return verrf(op, field, showValue(s), "contains %q; allowed are letters, digits and _ %s", r, strings.Join(strings.Split(extra, ""), " "))
		}
	}
	return nil
}

// validLogGroupIdentifier checks LogGroupIdentifier: 1–2048 characters of [\w#+=/:,.@-].
func validLogGroupIdentifier(op, field, s string) *ValidationError {
	return validIdent(op, field, s, MaxLogGroupIdentifierLen, "#+=/:,.@-")
}

// validResourceArn checks AmazonResourceName: 1–1011 characters of [\w+=/:,.@-].
func validResourceArn(op, field, s string) *ValidationError {
	return validIdent(op, field, s, MaxResourceArnLen, "+=/:,.@-")
}

// isTagText reports whether s matches the model's tag pattern ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$
// (letters, separators, numbers and _.:/=+-@), without the regexp package.
func isTagText(s string) bool {
	for _, r := range s {
		switch {
		case unicode.IsLetter(r), unicode.Is(unicode.Z, r), unicode.IsNumber(r), strings.ContainsRune("_.:/=+-@", r):
		default:
			return false
		}
	}
	return true
}

func validTagKey(op, field, k string) *ValidationError {
	if e := checkLen(op, field, k, 1, MaxTagKeyLen); e != nil {
		return e
	}
	if !isTagText(k) {
		return verr(op, field, showValue(k), `must match ^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$`)
	}
	return nil
}

func validTags(op, field string, tags map[string]string, required bool) *ValidationError {
	if len(tags) == 0 {
		if required {
			return verr(op, field, "{}", "must hold 1 to 50 tags")
		}
		return nil
	}
	if len(tags) > MaxTags {
		return verrf(op, field, strconv.Itoa(len(tags))+" tags", "holds more than %d tags", MaxTags)
	}
	// Check in key order so the reported error is deterministic.
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		if e := validTagKey(op, field+" key", k); e != nil {
			return e
		}
		v := tags[k]
		if e := checkLen(op, field+"["+strconv.Quote(k)+"]", v, 0, MaxTagValueLen); e != nil {
			return e
		}
		if !isTagText(v) {
			return verr(op, field+"["+strconv.Quote(k)+"]", showValue(v), `must match ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)
		}
	}
	return nil
}

func validLogGroupClass(op, field, c string) *ValidationError {
	switch c {
	case "", LogGroupClassStandard, LogGroupClassInfrequentAccess, LogGroupClassDelivery:
		return nil
	}
	return verr(op, field, showValue(c), "must be STANDARD, INFREQUENT_ACCESS or DELIVERY")
}

func validLimit(op string, limit, max int) *ValidationError {
	return validCount(op, "limit", limit, max, "the service default")
}

// validCount checks an optional count field: 0 (which means zeroMeans) or 1 to max.
func validCount(op, field string, n, max int, zeroMeans string) *ValidationError {
	if n < 0 || n > max {
		return verrf(op, field, strconv.Itoa(n), "must be between 1 and %d (0 means %s)", max, zeroMeans)
	}
	return nil
}

func validTime(op, field string, t *int64) *ValidationError {
	if t != nil && *t < 0 {
		return verr(op, field, strconv.FormatInt(*t, 10), "must not be negative (milliseconds since the epoch)")
	}
	return nil
}

// validGroupRef checks that exactly one of logGroupName and logGroupIdentifier is set.
func validGroupRef(op, name, ident string) *ValidationError {
	switch {
	case name != "" && ident != "":
		return verr(op, "logGroupIdentifier", showValue(ident), "must not be combined with logGroupName "+showValue(name))
	case name == "" && ident == "":
		return verr(op, "logGroupName", `""`, "one of logGroupName and logGroupIdentifier is required")
	case name != "":
		return validLogGroupName(op, "logGroupName", name)
	default:
		return validLogGroupIdentifier(op, "logGroupIdentifier", ident)
	}
}

func (in *CreateLogGroupInput) validate() error {
	const op = "CreateLogGroup"
	if in == nil {
		return verr(op, "input", "nil", "is required")
	}
	if e := validLogGroupName(op, "logGroupName", in.LogGroupName); e != nil {
		return e
	}
	if strings.HasPrefix(in.LogGroupName, "aws/") {
		return verr(op, "logGroupName", showValue(in.LogGroupName), `must not start with "aws/" (reserved for AWS)`)
	}
	if e := checkLen(op, "kmsKeyId", in.KmsKeyID, 0, MaxKmsKeyIDLen); e != nil {
		return e
	}
	if e := validTags(op, "tags", in.Tags, false); e != nil {
		return e
	}
	if e := validLogGroupClass(op, "logGroupClass", in.LogGroupClass); e != nil {
		return e
	}
	return nil
}

func (in *CreateLogStreamInput) validate() error {
	const op = "CreateLogStream"
	if in == nil {
		return verr(op, "input", "nil", "is required")
	}
	if e := validLogGroupName(op, "logGroupName", in.LogGroupName); e != nil {
		return e
	}
	if e := validLogStreamName(op, "logStreamName", in.LogStreamName); e != nil {
		return e
	}
	return nil
}

func (in *DeleteLogGroupInput) validate() error {
	const op = "DeleteLogGroup"
	if in == nil {
		return verr(op, "input", "nil", "is required")
	}
	if e := validLogGroupName(op, "logGroupName", in.LogGroupName); e != nil {
		return e
	}
	return nil
}

func (in *DeleteLogStreamInput) validate() error {
	const op = "DeleteLogStream"
	if in == nil {
		return verr(op, "input", "nil", "is required")
	}
	if e := validLogGroupName(op, "logGroupName", in.LogGroupName); e != nil {
		return e
	}
	if e := validLogStreamName(op, "logStreamName", in.LogStreamName); e != nil {
		return e
	}
	return nil
}

// spanMargin narrows the window of valid events for the span check, so that
// a client clock a few minutes off never refuses a batch the service takes.
const spanMargin = 5 * time.Minute

// checkSpan refuses a batch (validated, so in chronological order) whose
// valid events — at most MaxEventAge old and MaxEventFuture ahead of now, the
// window narrowed by spanMargin at both ends — span more than MaxBatchSpan:
// the service refuses the whole batch then. It rejects the other events one
// by one and stores the rest, so they do not count.
func (in *PutLogEventsInput) checkSpan(now time.Time) error {
	evs := in.LogEvents
	lo := now.Add(-MaxEventAge + spanMargin).UnixMilli()
	hi := now.Add(MaxEventFuture - spanMargin).UnixMilli()
	// In chronological order, the valid events are evs[first:end].
	first := sort.Search(len(evs), func(i int) bool { return evs[i].Timestamp >= lo })
	end := sort.Search(len(evs), func(i int) bool { return evs[i].Timestamp > hi })
	if first >= end {
		return nil
	}
	f := evs[first].Timestamp
	i := first + sort.Search(end-first, func(i int) bool { return evs[first+i].Timestamp-f > MaxBatchSpan.Milliseconds() })
	if i == end {
		return nil
	}
	return verrf("PutLogEvents", "logEvents["+strconv.Itoa(i)+"].timestamp", strconv.FormatInt(evs[i].Timestamp, 10),
		"is more than 24 hours after logEvents[%d].timestamp %d; the valid events of a batch (at most 14 days old, 2 hours ahead) may span at most 24 hours", first, f)
}

func (in *PutLogEventsInput) validate() error {
	const op = "PutLogEvents"
	if in == nil {
		return verr(op, "input", "nil", "is required")
	}
	if e := validLogGroupName(op, "logGroupName", in.LogGroupName); e != nil {
		return e
	}
	if e := validLogStreamName(op, "logStreamName", in.LogStreamName); e != nil {
		return e
	}
	if in.LogFormat != "" && in.LogFormat != LogFormatEMF {
		return verr(op, "LogFormat", strconv.Quote(in.LogFormat), `must be "" or "`+LogFormatEMF+`" (the x-amzn-logs-format header)`)
	}
	n := len(in.LogEvents)
	if n == 0 {
		return verr(op, "logEvents", "[]", "must hold at least 1 event (nothing was sent)")
	}
	if n > MaxBatchEvents {
		return verrf(op, "logEvents", strconv.Itoa(n)+" events", "holds more than %d events", MaxBatchEvents)
	}
	total := 0
	for i := range in.LogEvents {
		ev := &in.LogEvents[i]
		if ev.Message == "" {
			return verr(op, "logEvents["+strconv.Itoa(i)+"].message", `""`, "must not be empty")
		}
		if ev.Timestamp < 0 {
			return verr(op, "logEvents["+strconv.Itoa(i)+"].timestamp", strconv.FormatInt(ev.Timestamp, 10), "must not be negative (milliseconds since the epoch)")
		}
		if i > 0 && ev.Timestamp < in.LogEvents[i-1].Timestamp {
			return verrf(op, "logEvents["+strconv.Itoa(i)+"].timestamp", strconv.FormatInt(ev.Timestamp, 10),
				"is earlier than logEvents[%d].timestamp %d; events must be in chronological order", i-1, in.LogEvents[i-1].Timestamp)
		}
		size := wireLen(ev.Message) + EventOverheadBytes
		if size > MaxEventBytes {
			return verrf(op, "logEvents["+strconv.Itoa(i)+"].message", strconv.Itoa(size-EventOverheadBytes)+" bytes",
				"is too large: %d bytes with the %d-byte overhead exceeds the limit of %d", size, EventOverheadBytes, MaxEventBytes)
		}
		total += size
		if total > MaxBatchBytes {
			return verrf(op, "logEvents", strconv.Itoa(n)+" events",
				"batch too large: %d bytes (messages plus %d bytes per event) after logEvents[%d] exceeds the limit of %d",
				total, EventOverheadBytes, i, MaxBatchBytes)
		}
	}
	return nil
}

func (in *DescribeLogGroupsInput) validate() error {
	const op = "DescribeLogGroups"
	if in == nil {
		return nil
	}
	if in.LogGroupNamePrefix != "" {
		if e := validLogGroupName(op, "logGroupNamePrefix", in.LogGroupNamePrefix); e != nil {
			return e
		}
		if in.LogGroupNamePattern != "" {
			return verr(op, "logGroupNamePattern", showValue(in.LogGroupNamePattern), "must not be combined with logGroupNamePrefix")
		}
	}
	if in.LogGroupNamePattern != "" {
		if e := validLogGroupName(op, "logGroupNamePattern", in.LogGroupNamePattern); e != nil {
			return e
		}
	}
	if e := validLogGroupClass(op, "logGroupClass", in.LogGroupClass); e != nil {
		return e
	}
	if len(in.LogGroupIdentifiers) > 0 {
		for _, f := range []struct{ name, value string }{
			{"logGroupNamePrefix", in.LogGroupNamePrefix}, {"logGroupNamePattern", in.LogGroupNamePattern}, {"logGroupClass", in.LogGroupClass},
		} {
			if f.value != "" {
				return verr(op, f.name, showValue(f.value), "must not be combined with logGroupIdentifiers")
			}
		}
		if len(in.LogGroupIdentifiers) > MaxDescribeLogGroupIdentifiers {
			return verrf(op, "logGroupIdentifiers", strconv.Itoa(len(in.LogGroupIdentifiers))+" identifiers", "must hold 1 to %d", MaxDescribeLogGroupIdentifiers)
		}
		for i, s := range in.LogGroupIdentifiers {
			if e := validLogGroupIdentifier(op, "logGroupIdentifiers["+strconv.Itoa(i)+"]", s); e != nil {
				return e
			}
		}
	}
	if len(in.AccountIdentifiers) > MaxAccountIdentifiers {
		return verrf(op, "accountIdentifiers", strconv.Itoa(len(in.AccountIdentifiers))+" ids", "must hold at most %d", MaxAccountIdentifiers)
	}
	for i, s := range in.AccountIdentifiers {
		if len(s) != 12 || strings.Trim(s, "0123456789") != "" {
			return verr(op, "accountIdentifiers["+strconv.Itoa(i)+"]", showValue(s), "must be 12 digits")
		}
	}
	return nilIfNil(validLimit(op, in.Limit, MaxDescribeLimit))
}

func (in *DescribeLogStreamsInput) validate() error {
	const op = "DescribeLogStreams"
	if in == nil {
		return verr(op, "input", "nil", "is required")
	}
	if e := validGroupRef(op, in.LogGroupName, in.LogGroupIdentifier); e != nil {
		return e
	}
	if in.LogStreamNamePrefix != "" {
		if e := validLogStreamName(op, "logStreamNamePrefix", in.LogStreamNamePrefix); e != nil {
			return e
		}
	}
	switch in.OrderBy {
	case "", OrderByLogStreamName:
	case OrderByLastEventTime:
		if in.LogStreamNamePrefix != "" {
			return verr(op, "orderBy", showValue(in.OrderBy), "LastEventTime cannot be combined with logStreamNamePrefix")
		}
	default:
		return verr(op, "orderBy", showValue(in.OrderBy), "must be LogStreamName or LastEventTime")
	}
	return nilIfNil(validLimit(op, in.Limit, MaxDescribeLimit))
}

func (in *GetLogEventsInput) validate() error {
	const op = "GetLogEvents"
	if in == nil {
		return verr(op, "input", "nil", "is required")
	}
	if e := validGroupRef(op, in.LogGroupName, in.LogGroupIdentifier); e != nil {
		return e
	}
	if e := validLogStreamName(op, "logStreamName", in.LogStreamName); e != nil {
		return e
	}
	if e := validTime(op, "startTime", in.StartTime); e != nil {
		return e
	}
	if e := validTime(op, "endTime", in.EndTime); e != nil {
		return e
	}
	return nilIfNil(validLimit(op, in.Limit, MaxEventsLimit))
}

func (in *FilterLogEventsInput) validate() error {
	const op = "FilterLogEvents"
	if in == nil {
		return verr(op, "input", "nil", "is required")
	}
	if e := validGroupRef(op, in.LogGroupName, in.LogGroupIdentifier); e != nil {
		return e
	}
	if in.LogStreamNames != nil {
		if len(in.LogStreamNames) == 0 || len(in.LogStreamNames) > MaxFilterLogStreamNames {
			return verrf(op, "logStreamNames", strconv.Itoa(len(in.LogStreamNames))+" names", "must hold 1 to %d names", MaxFilterLogStreamNames)
		}
		if in.LogStreamNamePrefix != "" {
			return verr(op, "logStreamNamePrefix", showValue(in.LogStreamNamePrefix), "must not be combined with logStreamNames")
		}
		for i, s := range in.LogStreamNames {
			if e := validLogStreamName(op, "logStreamNames["+strconv.Itoa(i)+"]", s); e != nil {
				return e
			}
		}
	}
	if in.LogStreamNamePrefix != "" {
		if e := validLogStreamName(op, "logStreamNamePrefix", in.LogStreamNamePrefix); e != nil {
			return e
		}
	}
	if e := validTime(op, "startTime", in.StartTime); e != nil {
		return e
	}
	if e := validTime(op, "endTime", in.EndTime); e != nil {
		return e
	}
	if e := checkLen(op, "filterPattern", in.FilterPattern, 0, MaxFilterPatternLen); e != nil {
		return e
	}
	return nilIfNil(validLimit(op, in.Limit, MaxEventsLimit))
}

func (in *PutRetentionPolicyInput) validate() error {
	const op = "PutRetentionPolicy"
	if in == nil {
		return verr(op, "input", "nil", "is required")
	}
	if e := validLogGroupName(op, "logGroupName", in.LogGroupName); e != nil {
		return e
	}
	if !slices.Contains(RetentionDays, in.RetentionInDays) {
		return verrf(op, "retentionInDays", strconv.Itoa(in.RetentionInDays), "must be one of %v", RetentionDays)
	}
	return nil
}

func (in *DeleteRetentionPolicyInput) validate() error {
	const op = "DeleteRetentionPolicy"
	if in == nil {
		return verr(op, "input", "nil", "is required")
	}
	return nilIfNil(validLogGroupName(op, "logGroupName", in.LogGroupName))
}

func (in *TagResourceInput) validate() error {
	const op = "TagResource"
	if in == nil {
		return verr(op, "input", "nil", "is required")
	}
	if e := validResourceArn(op, "resourceArn", in.ResourceArn); e != nil {
		return e
	}
	return nilIfNil(validTags(op, "tags", in.Tags, true))
}

func (in *UntagResourceInput) validate() error {
	const op = "UntagResource"
	if in == nil {
		return verr(op, "input", "nil", "is required")
	}
	if e := validResourceArn(op, "resourceArn", in.ResourceArn); e != nil {
		return e
	}
	if len(in.TagKeys) > MaxTags {
		return verrf(op, "tagKeys", strconv.Itoa(len(in.TagKeys))+" keys", "holds more than %d keys", MaxTags)
	}
	for i, k := range in.TagKeys {
		if e := validTagKey(op, "tagKeys["+strconv.Itoa(i)+"]", k); e != nil {
			return e
		}
	}
	return nil
}

func (in *ListTagsForResourceInput) validate() error {
	const op = "ListTagsForResource"
	if in == nil {
		return verr(op, "input", "nil", "is required")
	}
	return nilIfNil(validResourceArn(op, "resourceArn", in.ResourceArn))
}

// nilIfNil converts a nil *ValidationError to a nil error interface.
func nilIfNil(e *ValidationError) error {
	if e == nil {
		return nil
	}
	return e
}
