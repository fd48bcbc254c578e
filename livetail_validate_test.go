package cwlogs

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/cwlogs/cwlogs/sigv4"
)

func TestStartLiveTailValidate(t *testing.T) {
	const arn = "arn:aws:logs:us-east-1:123456789012:log-group:app"
	n := func(k int, s string) []string {
		out := make([]string, k)
		for i := range out {
			out[i] = s
		}
		return out
	}
	tests := []struct {
		name         string
		in           *StartLiveTailInput
		field, value string // "" field: valid
		reason       string
	}{
		{"nil", nil, "input", "nil", "is required"},
		{"no groups", &StartLiveTailInput{}, "logGroupIdentifiers", "0 identifiers", "must hold 1 to 10"},
		{"empty groups", &StartLiveTailInput{LogGroupIdentifiers: []string{}}, "logGroupIdentifiers", "0 identifiers", "must hold 1 to 10"},
		{"11 groups", &StartLiveTailInput{LogGroupIdentifiers: n(11, arn)}, "logGroupIdentifiers", "11 identifiers", "must hold 1 to 10"},
		{"10 groups", &StartLiveTailInput{LogGroupIdentifiers: n(10, arn)}, "", "", ""},
		{"empty identifier", &StartLiveTailInput{LogGroupIdentifiers: []string{arn, ""}}, "logGroupIdentifiers[1]", `""`, "is required"},
		{"identifier with *", &StartLiveTailInput{LogGroupIdentifiers: []string{arn + ":*"}}, "logGroupIdentifiers[0]", `"` + arn + `:*"`, `contains '*'`},
		{"identifier too long", &StartLiveTailInput{LogGroupIdentifiers: []string{strings.Repeat("a", 2049)}}, "logGroupIdentifiers[0]", "", "is 2049 characters long; the maximum is 2048"},
		{"identifier of 2048", &StartLiveTailInput{LogGroupIdentifiers: []string{strings.Repeat("a", 2048)}}, "", "", ""},
		{"names and prefixes", &StartLiveTailInput{LogGroupIdentifiers: []string{arn}, LogStreamNames: []string{"a"}, LogStreamNamePrefixes: []string{"b", "c"}},
			"logStreamNamePrefixes", "2 prefixes", "must not be combined with logStreamNames (1 names)"},
		{"names with two groups", &StartLiveTailInput{LogGroupIdentifiers: n(2, arn), LogStreamNames: []string{"a"}},
			"logStreamNames", "1 names", "only with a single log group, not with 2"},
		{"prefixes with two groups", &StartLiveTailInput{LogGroupIdentifiers: n(2, arn), LogStreamNamePrefixes: []string{"a"}},
			"logStreamNamePrefixes", "1 prefixes", "only with a single log group"},
		{"empty names", &StartLiveTailInput{LogGroupIdentifiers: []string{arn}, LogStreamNames: []string{}}, "logStreamNames", "0 names", "must hold 1 to 100 names"},
		{"101 prefixes", &StartLiveTailInput{LogGroupIdentifiers: []string{arn}, LogStreamNamePrefixes: n(101, "p")}, "logStreamNamePrefixes", "101 prefixes", "must hold 1 to 100 prefixes"},
		{"100 names", &StartLiveTailInput{LogGroupIdentifiers: []string{arn}, LogStreamNames: n(100, "s")}, "", "", ""},
		{"name with colon", &StartLiveTailInput{LogGroupIdentifiers: []string{arn}, LogStreamNames: []string{"ok", "a:b"}}, "logStreamNames[1]", `"a:b"`, "':' and '*' are not allowed"},
		{"empty prefix", &StartLiveTailInput{LogGroupIdentifiers: []string{arn}, LogStreamNamePrefixes: []string{""}}, "logStreamNamePrefixes[0]", `""`, "is required"},
		{"prefix too long", &StartLiveTailInput{LogGroupIdentifiers: []string{arn}, LogStreamNamePrefixes: []string{strings.Repeat("p", 513)}}, "logStreamNamePrefixes[0]", "", "the maximum is 512"},
		{"pattern too long", &StartLiveTailInput{LogGroupIdentifiers: []string{arn}, LogEventFilterPattern: strings.Repeat("x", 1025)}, "logEventFilterPattern", "", "the maximum is 1024"},
		{"pattern not UTF-8", &StartLiveTailInput{LogGroupIdentifiers: []string{arn}, LogEventFilterPattern: "\xff"}, "logEventFilterPattern", `"\xff"`, "not valid UTF-8"},
		{"pattern of 1024", &StartLiveTailInput{LogGroupIdentifiers: []string{arn}, LogEventFilterPattern: strings.Repeat("x", 1024)}, "", "", ""},
		{"everything", &StartLiveTailInput{LogGroupIdentifiers: []string{"app"}, LogStreamNamePrefixes: []string{"web-"}, LogEventFilterPattern: "%ERROR|WARN%"}, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("validate: %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a *ValidationError", err)
			}
			if ve.Operation != "StartLiveTail" || ve.Field != tt.field || (tt.value != "" && ve.Value != tt.value) || !strings.Contains(ve.Reason, tt.reason) {
				t.Errorf("got %s / %s / %s, want %s / %s / …%s…", ve.Field, ve.Value, ve.Reason, tt.field, tt.value, tt.reason)
			}
			if !errors.Is(err, ErrInvalidParameter) {
				t.Error("not ErrInvalidParameter")
			}
		})
	}
	// Nothing is sent for an invalid input.
	f := newFakeLogs(t, nil)
	if _, err := newTestClient(t, f).StartLiveTail(context.Background(), &StartLiveTailInput{}); err == nil || len(f.requests()) != 0 {
		t.Errorf("err %v, %d requests", err, len(f.requests()))
	}
}

// hostRecorder records where requests go and checks their signature, answering with a
// JSON error.
type hostRecorder struct {
	urlHost, host, target string
	verifyErr             error
}

func (h *hostRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(r.Body)
	h.urlHost, h.host, h.target = r.URL.Host, r.Host, r.Header.Get("X-Amz-Target")
	v := &sigv4.Verifier{Credentials: func(string) (string, bool) { return testSecret, true }}
	// Verify reads the request as a server would see it: Host is what was sent.
	sr := r.Clone(context.Background())
	if sr.Host == "" {
		sr.Host = r.URL.Host
	}
	_, h.verifyErr = v.Verify(sr, body)
	return &http.Response{StatusCode: 400, Header: http.Header{"Content-Type": {ContentType}}, ContentLength: -1,
		Body: io.NopCloser(strings.NewReader(`{"__type":"AccessDeniedException","message":"no"}`)), Request: r}, nil
}

func TestStartLiveTailHostPrefix(t *testing.T) {
	tests := []struct {
		name             string
		opts             []Option
		region           string
		liveTail, others string // hosts StartLiveTail and DescribeLogGroups go to
	}{
		{"default endpoint", nil, "us-west-2", "stream-logs.us-west-2.amazonaws.com", "logs.us-west-2.amazonaws.com"},
		{"FIPS", []Option{WithFIPSEndpoint(true)}, "us-east-1", "stream-logs-fips.us-east-1.amazonaws.com", "logs-fips.us-east-1.amazonaws.com"},
		{"China", nil, "cn-north-1", "stream-logs.cn-north-1.amazonaws.com.cn", "logs.cn-north-1.amazonaws.com.cn"},
		{"default, prefix off", []Option{WithHostPrefix(false)}, "us-west-2", "logs.us-west-2.amazonaws.com", "logs.us-west-2.amazonaws.com"},
		{"custom endpoint", []Option{WithEndpoint("http://127.0.0.1:4566")}, "us-east-1", "127.0.0.1:4566", "127.0.0.1:4566"},
		{"custom endpoint, prefix on", []Option{WithEndpoint("https://vpce.example.com"), WithHostPrefix(true)}, "us-east-1", "stream-vpce.example.com", "vpce.example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &hostRecorder{}
			opts := append([]Option{WithHTTPClient(&http.Client{Transport: rec}), WithMaxAttempts(1)}, tt.opts...)
			c, err := New(tt.region, testAKID, testSecret, opts...)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.StartLiveTail(context.Background(), ltInput)
			var ae *APIError
			if !errors.As(err, &ae) || ae.Code != CodeAccessDenied {
				t.Fatalf("err %v", err)
			}
			if rec.urlHost != tt.liveTail || (rec.host != "" && rec.host != tt.liveTail) || rec.verifyErr != nil {
				t.Errorf("StartLiveTail went to URL host %q, Host %q (signature: %v); want %q", rec.urlHost, rec.host, rec.verifyErr, tt.liveTail)
			}
			_, _ = c.DescribeLogGroups(context.Background(), nil)
			if rec.urlHost != tt.others || rec.target != "Logs_20140328.DescribeLogGroups" || rec.verifyErr != nil {
				t.Errorf("DescribeLogGroups went to %q (%v), want %q", rec.urlHost, rec.verifyErr, tt.others)
			}
		})
	}
}
