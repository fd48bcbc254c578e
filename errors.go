package cwlogs

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes the service returns in __type, as sanitized by [APIError].
const (
	CodeMalformedQuery        = "MalformedQueryException"
	CodeResourceNotFound      = "ResourceNotFoundException"
	CodeResourceAlreadyExists = "ResourceAlreadyExistsException"
	CodeInvalidParameter      = "InvalidParameterException"
	CodeThrottling            = "ThrottlingException"
	CodeServiceUnavailable    = "ServiceUnavailableException"
	CodeLimitExceeded         = "LimitExceededException"
	CodeInvalidSignature      = "InvalidSignatureException"
	CodeUnrecognizedClient    = "UnrecognizedClientException"
	CodeAccessDenied          = "AccessDeniedException"
)

// Sentinel errors matched by [APIError.Is], for use with errors.Is.
var (
	ErrNotFound         = errors.New("cwlogs: resource not found")
	ErrAlreadyExists    = errors.New("cwlogs: resource already exists")
	ErrThrottled        = errors.New("cwlogs: throttled")
	ErrInvalidParameter = errors.New("cwlogs: invalid parameter")
)

// APIError is an error answer from the service (any non-2xx response), or an exception
// or error message the service sent on a 2xx answer's event stream (StartLiveTail's
// [CodeSessionTimeout] and [CodeSessionStreaming]; StatusCode is then the stream's 2xx).
type APIError struct {
	Operation  string // the Logs operation, e.g. "PutLogEvents", or "sts:AssumeRole" when getting role credentials
	Code       string // the __type, sanitized: no namespace before '#', nothing after ':'
	Message    string
	StatusCode int
	RequestID  string
	// EarlierAttemptUnconfirmed reports that the client retried the call and an
	// attempt before the one answered by this error may have reached the service:
	// its request was sent and then timed out, was cut off, or got a 5xx. The
	// service may then have acted on the call although this answer refuses it. It
	// is false when every earlier attempt was refused (4xx) or never sent, and in
	// errors not made by a Client's call.
	EarlierAttemptUnconfirmed bool
	// QueryCompileError is the position and text of the syntax error that a
	// MalformedQueryException of StartQuery (or RunQuery) reports; nil otherwise.
	QueryCompileError *QueryCompileError

	// skewCorrected is set when the client corrected its clock offset from
	// this error, so a retry is expected to succeed.
	skewCorrected bool
}

// Error implements error.
func (e *APIError) Error() string {
	s := fmt.Sprintf("cwlogs: %s: %s (HTTP %d", e.Operation, e.Code, e.StatusCode)
	if e.RequestID != "" {
		s += ", request id " + e.RequestID
	}
	s += ")"
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Is reports whether e matches one of the package's sentinel errors. An
// error of a credentials service (Operation "sts:…", "sso:…"), reached
// through a *CredentialsError, matches only ErrThrottled: its not-found or
// invalid-parameter codes say nothing about log groups or streams.
func (e *APIError) Is(target error) bool {
	if strings.Contains(e.Operation, ":") && target != ErrThrottled {
		return false
	}
	switch target {
	case ErrNotFound:
		return e.Code == CodeResourceNotFound
	case ErrAlreadyExists:
		return e.Code == CodeResourceAlreadyExists
	case ErrThrottled:
		return isThrottleCode(e.Code)
	case ErrInvalidParameter:
		return e.Code == CodeInvalidParameter || e.Code == "ValidationException"
	}
	return false
}

// IsNotFound reports whether err is a ResourceNotFoundException.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// IsAlreadyExists reports whether err is a ResourceAlreadyExistsException.
func IsAlreadyExists(err error) bool { return errors.Is(err, ErrAlreadyExists) }

// IsThrottling reports whether err is a throttling error.
func IsThrottling(err error) bool { return errors.Is(err, ErrThrottled) }

// IsInvalidParameter reports whether err is an InvalidParameterException or a ValidationException.
func IsInvalidParameter(err error) bool { return errors.Is(err, ErrInvalidParameter) }

// throttleCodes are the error codes the SDK standard retry mode treats as throttling.
var throttleCodes = map[string]bool{
	"Throttling": true, "ThrottlingException": true, "ThrottledException": true,
	"RequestThrottledException": true, "TooManyRequestsException": true,
	"ProvisionedThroughputExceededException": true, "TransactionInProgressException": true,
	"RequestLimitExceeded": true, "BandwidthLimitExceeded": true, "LimitExceededException": true,
	"RequestThrottled": true, "SlowDown": true, "PriorRequestNotComplete": true,
	"EC2ThrottledException": true,
}

func isThrottleCode(code string) bool { return throttleCodes[code] }

// ValidationError reports input rejected before any request was sent.
type ValidationError struct {
	Operation string // e.g. "PutLogEvents"
	Field     string // e.g. "logEvents[3].timestamp"
	Value     string // the offending value, shortened if long
	Reason    string // what constraint it breaks
}

// Error implements error.
func (e *ValidationError) Error() string {
	return fmt.Sprintf("cwlogs: %s: invalid %s %s: %s", e.Operation, e.Field, e.Value, e.Reason)
}

// Is makes a ValidationError match ErrInvalidParameter, unless it is a
// credentials provider's (Operation "sts:…", "sso:…"): a provider's settings
// are not a parameter of the Logs request, as with [APIError.Is].
func (e *ValidationError) Is(target error) bool {
	return target == ErrInvalidParameter && !strings.Contains(e.Operation, ":")
}

// OpError wraps a transport failure (connection, timeout, cancelled context) with the operation name.
type OpError struct {
	Operation string
	Attempts  int
	Err       error
	// NotSent reports that no attempt of the call sent its request, so that the
	// service cannot have acted on it: the HTTP client read none of any attempt's
	// body. This is so when no connection could be had — a refused connection, an
	// address that drops every packet (even when the attempt timeout or the caller's
	// deadline ends the dial, and its error hides the dial's), a failed TLS
	// handshake, a proxy that is unreachable or refuses CONNECT — and when the
	// caller's context ended before the request was written. It holds whatever the
	// http.Client's Transport, and for a transport goroutine left running too: the
	// body of an attempt that ended unread can no longer be read.
	//
	// When false, an attempt may have reached the service: its body was read (a
	// Transport that reads bodies before it connects counts as sending them). The
	// error then does not tell whether the service acted on the call, even when the
	// attempts that were sent got a refusal (4xx) before a later one failed. It is
	// false in errors not made by a Client's call (e.g. a credentials provider's).
	//
	// A call whose later attempt could not get credentials after an earlier attempt
	// was sent and got no answer or a 5xx also ends with an OpError, NotSent false,
	// rather than a [*CredentialsError] (see there): the earlier attempt may have
	// been acted on. Its Err is then ctx's error when the caller's ctx ended while
	// the credentials were fetched.
	NotSent bool
}

// Error implements error.
func (e *OpError) Error() string {
	if e.NotSent {
		return fmt.Sprintf("cwlogs: %s: after %d attempt(s), request not sent: %v", e.Operation, e.Attempts, e.Err)
	}
	return fmt.Sprintf("cwlogs: %s: after %d attempt(s): %v", e.Operation, e.Attempts, e.Err)
}

// Unwrap returns the underlying error.
func (e *OpError) Unwrap() error { return e.Err }
