package cwlogs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// errorBody is the JSON error envelope of AWS JSON 1.1 services. The members
// are decoded as any and only string values used, so that a member of
// another type ("code": 400, an "error" object) does not discard the rest.
type errorBody struct {
	Type     any `json:"__type"`
	Code     any `json:"code"`
	Message  any `json:"message"`
	Message2 any `json:"Message"`
	// OAuth-style errors (SSO OIDC): {"error": "invalid_grant", "error_description": "..."}.
	Error       any `json:"error"`
	Description any `json:"error_description"`
	// CloudWatch Logs' MalformedQueryException: where the query is wrong. Kept raw, so
	// that a member of another shape does not discard the rest.
	QueryCompileError json.RawMessage `json:"queryCompileError"`
}

// firstString returns the first of vs that is a non-empty string, else "".
func firstString(vs ...any) string {
	for _, v := range vs {
		if s, ok := v.(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// sanitizeErrorCode strips a namespace before '#' and anything after ':',
// as the AWS SDKs do (smithy-rs sanitize_error_code, aws-sdk-go-v2 awsjson).
func sanitizeErrorCode(code string) string {
	if i := strings.IndexByte(code, ':'); i >= 0 {
		code = code[:i]
	}
	if i := strings.IndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	return strings.TrimSpace(code)
}

// maxErrorText bounds how much of a non-JSON error body is kept as the message.
const maxErrorText = 256

// parseAPIError builds an APIError from a non-2xx response. The code comes
// from the X-Amzn-Errortype header, else __type, else code; the message from
// message or Message. It never fails: an unparsable body yields
// Code "UnknownError" and a shortened copy of the body as the message.
func parseAPIError(op string, status int, h http.Header, body []byte) *APIError {
	e := &APIError{Operation: op, StatusCode: status, RequestID: h.Get("X-Amzn-Requestid")}
	if e.RequestID == "" {
		e.RequestID = h.Get("X-Amz-Request-Id")
	}
	code := h.Get("X-Amzn-Errortype")
	var eb errorBody
	trimmed := bytes.TrimSpace(body)
	parsed := len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &eb) == nil
	if parsed {
		if code == "" {
			code = firstString(eb.Type, eb.Code, eb.Error)
		}
		e.Message = firstString(eb.Message, eb.Message2, eb.Description)
	}
	e.Code = sanitizeErrorCode(code)
	if e.Code == "" {
		e.Code = "UnknownError"
	}
	if e.Code == CodeMalformedQuery && len(eb.QueryCompileError) > 0 {
		// nil when null or not of QueryCompileError's shape.
		if json.Unmarshal(eb.QueryCompileError, &e.QueryCompileError) != nil {
			e.QueryCompileError = nil
		}
	}
	if !parsed && len(trimmed) > 0 {
		e.Message = shortText(trimmed)
	}
	if e.Message == "" && !parsed {
		e.Message = http.StatusText(status)
	}
	return e
}

// shortText makes a safe, short, valid-UTF-8 message out of a raw body.
func shortText(b []byte) string {
	if len(b) > maxErrorText {
		b = b[:maxErrorText]
	}
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(b) == maxErrorText {
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "…"
	}
	return s
}

// decodeOutput decodes a 2xx JSON body into out. An empty body or {} leaves
// out unchanged.
func decodeOutput(op string, body []byte, out any) error {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || string(b) == "{}" {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return &DecodeError{Operation: op, Err: err}
	}
	return nil
}

// DecodeError reports a 2xx response whose body could not be read (the
// connection broke, it exceeded 64 MiB) or decoded. The service acted on the
// request, so the client does not send it again and IsRetryable is false:
// a PutLogEvents sent again would store its events twice.
type DecodeError struct {
	Operation string
	Err       error
}

// Error implements error.
func (e *DecodeError) Error() string {
	return fmt.Sprintf("cwlogs: %s: decoding response: %v", e.Operation, e.Err)
}

// Unwrap returns the read or JSON error.
func (e *DecodeError) Unwrap() error { return e.Err }
