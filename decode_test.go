package cwlogs

import (
	"errors"
	"net/http"
	"testing"
)

func TestParseAPIError(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		header    map[string]string
		body      string
		code, msg string
		reqID     string
	}{
		{"plain", 400, nil, `{"__type":"ResourceNotFoundException","message":"The specified log group does not exist."}`,
			"ResourceNotFoundException", "The specified log group does not exist.", ""},
		{"header wins", 400, map[string]string{"X-Amzn-Errortype": "ThrottlingException:http://internal.amazon.com/"}, `{"__type":"Other","message":"m"}`,
			"ThrottlingException", "m", ""},
		{"namespace and url stripped", 400, nil, `{"__type":"com.amazonaws.logs.v20140328#InvalidParameterException:http://x/y","Message":"M"}`,
			"InvalidParameterException", "M", ""},
		{"code key", 400, nil, `{"code":"AccessDeniedException","message":"no"}`, "AccessDeniedException", "no", ""},
		{"request id", 500, map[string]string{"x-amzn-RequestId": "abc-123"}, `{"__type":"ServiceUnavailableException"}`,
			"ServiceUnavailableException", "", "abc-123"},
		{"html body", 502, nil, "<html>Bad Gateway</html>", "UnknownError", "<html>Bad Gateway</html>", ""},
		{"empty body", 503, nil, "", "UnknownError", "Service Unavailable", ""},
		{"json without type", 400, nil, `{"message":"x"}`, "UnknownError", "x", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.header {
				h.Set(k, v)
			}
			e := parseAPIError("Op", tc.status, h, []byte(tc.body))
			if e.Code != tc.code || e.Message != tc.msg || e.StatusCode != tc.status || e.RequestID != tc.reqID || e.Operation != "Op" {
				t.Errorf("got %+v", e)
			}
		})
	}
}

func TestAPIErrorSentinels(t *testing.T) {
	for _, tc := range []struct {
		code string
		is   error
	}{
		{CodeResourceNotFound, ErrNotFound}, {CodeResourceAlreadyExists, ErrAlreadyExists},
		{CodeThrottling, ErrThrottled}, {CodeInvalidParameter, ErrInvalidParameter},
	} {
		var err error = &APIError{Code: tc.code}
		if !errors.Is(err, tc.is) {
			t.Errorf("%s does not match %v", tc.code, tc.is)
		}
		if errors.Is(err, errors.New("other")) {
			t.Error("matched an unrelated error")
		}
	}
}

func TestDecodeOutput(t *testing.T) {
	var out PutLogEventsOutput
	if err := decodeOutput("PutLogEvents", []byte(`{"nextSequenceToken":"t","rejectedLogEventsInfo":{"tooOldLogEventEndIndex":1}}`), &out); err != nil {
		t.Fatal(err)
	}
	if out.NextSequenceToken != "t" || out.RejectedLogEventsInfo == nil || *out.RejectedLogEventsInfo.TooOldLogEventEndIndex != 1 ||
		out.RejectedLogEventsInfo.TooNewLogEventStartIndex != nil {
		t.Errorf("got %+v", out)
	}
	for _, empty := range []string{"", "{}", " {} \n"} {
		if err := decodeOutput("X", []byte(empty), &out); err != nil {
			t.Errorf("decode %q: %v", empty, err)
		}
	}
	err := decodeOutput("X", []byte(`{"nextSequenceToken":5}`), &out)
	var de *DecodeError
	if !errors.As(err, &de) || de.Operation != "X" {
		t.Errorf("err = %v, want *DecodeError", err)
	}
}

// FuzzDecodeResponse checks that no response, however malformed, makes the
// decoders panic.
func FuzzDecodeResponse(f *testing.F) {
	f.Add(400, "ThrottlingException", []byte(`{"__type":"a#b:c","message":"m"}`))
	f.Add(200, "", []byte(`{"events":[{"timestamp":1,"message":"x","ingestionTime":2}],"nextForwardToken":"f/1"}`))
	f.Add(500, "#:", []byte("\xff\xfe<html>"))
	f.Add(200, "", []byte(`{"logGroups":[{"logGroupName":1}]}`))
	f.Add(200, "", []byte(`{"rejectedLogEventsInfo":{"tooNewLogEventStartIndex":-1e99}}`))
	f.Fuzz(func(t *testing.T, status int, errType string, body []byte) {
		h := http.Header{}
		h.Set("X-Amzn-Errortype", errType)
		e := parseAPIError("Op", status, h, body)
		if e.Code == "" {
			t.Fatal("empty code")
		}
		_ = e.Error()
		_ = decodeOutput("Op", body, &PutLogEventsOutput{})
		_ = decodeOutput("Op", body, &GetLogEventsOutput{})
		_ = decodeOutput("Op", body, &FilterLogEventsOutput{})
		_ = decodeOutput("Op", body, &DescribeLogGroupsOutput{})
		_ = decodeOutput("Op", body, &DescribeLogStreamsOutput{})
		_ = decodeOutput("Op", body, &ListTagsForResourceOutput{})
		_, _ = serverTime(string(body), string(body))
	})
}
