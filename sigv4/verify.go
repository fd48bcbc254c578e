package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Error codes a [VerifyError] carries; they are the codes AWS services answer with.
const (
	CodeMissingAuthenticationToken = "MissingAuthenticationTokenException"
	CodeIncompleteSignature        = "IncompleteSignatureException"
	CodeUnrecognizedClient         = "UnrecognizedClientException"
	CodeInvalidSignature           = "InvalidSignatureException"
)

// msgMissingToken is AWS's message for a request without a SigV4 signature, as its
// JSON services answer it (HTTP 400, MissingAuthenticationTokenException). "Missing
// Authentication Token" is API Gateway's wording, not theirs.
const msgMissingToken = "Request is missing Authentication Token"

// VerifyError explains why a request's signature was refused. Code is the AWS error code to
// answer with (HTTP 400); Message never contains a secret.
type VerifyError struct {
	Code    string
	Message string
}

// Error implements error.
func (e *VerifyError) Error() string { return "sigv4: " + e.Code + ": " + e.Message }

// Identity is what a verified (or, without credentials, well-formed) Authorization header says.
type Identity struct {
	AccessKeyID string
	Date        string // YYYYMMDD of the credential scope
	Region      string
	Service     string
	Time        time.Time // the request's X-Amz-Date
}

// Authorization is a parsed SigV4 Authorization header.
type Authorization struct {
	AccessKeyID   string
	Date          string
	Region        string
	Service       string
	SignedHeaders []string // lower-case names, in the order given
	Signature     string   // lowercase hex
}

// ParseAuthorization parses an "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…"
// header value. Errors are *VerifyError: MissingAuthenticationTokenException for a value that
// is not a SigV4 one (it does not start with "AWS4-"), IncompleteSignatureException otherwise.
func ParseAuthorization(v string) (*Authorization, error) {
	if !isSigV4(v) {
		return nil, &VerifyError{Code: CodeMissingAuthenticationToken, Message: msgMissingToken}
	}
	incomplete := func(msg string) error { return &VerifyError{Code: CodeIncompleteSignature, Message: msg} }
	alg, rest, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok || alg != Algorithm {
		return nil, incomplete("Authorization header requires the " + Algorithm + " algorithm.")
	}
	a := &Authorization{}
	var haveCred, haveSigned, haveSig bool
	for part := range strings.SplitSeq(rest, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, incomplete(fmt.Sprintf("Authorization header requires each component to be of the form name=value; got %q.", strings.TrimSpace(part)))
		}
		switch name {
		case "Credential":
			f := strings.Split(val, "/")
			if len(f) != 5 || f[4] != "aws4_request" || f[0] == "" || len(f[1]) != 8 || f[2] == "" || f[3] == "" {
				return nil, incomplete(fmt.Sprintf("Credential should be scoped to a valid region, service and date: %q.", redactCredential(val)))
			}
			a.AccessKeyID, a.Date, a.Region, a.Service = f[0], f[1], f[2], f[3]
			haveCred = true
		case "SignedHeaders":
			if val == "" {
				return nil, incomplete("SignedHeaders must not be empty.")
			}
			a.SignedHeaders = strings.Split(val, ";")
			// Sorted, lower case, each once, as SigV4 requires and every SDK sends. A
			// name listed many times would make the verifier copy its header as often.
			for i, h := range a.SignedHeaders {
				if h == "" || h != strings.ToLower(h) || i > 0 && h <= a.SignedHeaders[i-1] {
					return nil, incomplete("SignedHeaders must be distinct lower-case header names in sorted order.")
				}
			}
			haveSigned = true
		case "Signature":
			if len(val) != 64 || !isLowerHex(val) {
				return nil, incomplete("Signature must be 64 lowercase hexadecimal digits.")
			}
			a.Signature = val
			haveSig = true
		}
	}
	var missing []string
	if !haveCred {
		missing = append(missing, "Authorization header requires 'Credential' parameter.")
	}
	if !haveSigned {
		missing = append(missing, "Authorization header requires 'SignedHeaders' parameter.")
	}
	if !haveSig {
		missing = append(missing, "Authorization header requires 'Signature' parameter.")
	}
	if len(missing) > 0 {
		return nil, incomplete(strings.Join(missing, " "))
	}
	return a, nil
}

// isSigV4 reports whether an Authorization value claims a SigV4 family signature: AWS answers
// any other (none, "Bearer …", "AWS4") as a request without authentication.
func isSigV4(v string) bool {
	return strings.HasPrefix(strings.TrimLeft(v, " \t"), "AWS4-")
}

func redactCredential(v string) string {
	if i := strings.IndexByte(v, '/'); i >= 0 {
		return "…" + v[i:]
	}
	return "…"
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Verifier checks SigV4 Authorization headers on received requests. It is safe for
// concurrent use once configured.
type Verifier struct {
	// Credentials returns the secret key for an access key ID. When nil, the Verifier only
	// checks that the Authorization header is well formed and the time is within MaxSkew
	// (the behaviour of moto and LocalStack).
	Credentials func(accessKeyID string) (secret string, ok bool)
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// MaxSkew is the allowed distance between X-Amz-Date and Now; 0 means 5 minutes, as
	// CloudWatch Logs enforces.
	MaxSkew time.Duration
	// Signer holds the canonicalisation settings; nil means the defaults. A signature
	// over the normalized path (dot segments and duplicate slashes removed, as botocore
	// and so the AWS CLI sign for non-S3 services) is accepted as well as one over the
	// path as sent (as aws-sdk-go-v2 signs).
	Signer *Signer
	// Service, when set, is the service a credential scope must name (e.g. "logs");
	// "" accepts any.
	Service string
	// Region, when set, is the region a credential scope must name, as a regional AWS
	// endpoint requires; "" accepts any region name of lower-case letters, digits and '-'.
	Region string
}

// Verify checks r's signature against body (the exact bytes received). r.Host must be the
// Host the client sent. Errors are *VerifyError.
func (v *Verifier) Verify(r *http.Request, body []byte) (*Identity, error) {
	authz := r.Header.Get("Authorization")
	if !isSigV4(authz) {
		return nil, &VerifyError{Code: CodeMissingAuthenticationToken, Message: msgMissingToken}
	}
	a, err := ParseAuthorization(authz)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(a.SignedHeaders, "host") {
		return nil, &VerifyError{Code: CodeIncompleteSignature, Message: "'Host' must be a signed header."}
	}
	amz := r.Header.Get("X-Amz-Date")
	if amz == "" {
		// SigV4 lets the Date header carry the time instead; the string to sign then holds
		// that time in the X-Amz-Date form.
		d := r.Header.Get("Date")
		if d == "" {
			return nil, &VerifyError{Code: CodeIncompleteSignature, Message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."}
		}
		dt, err := http.ParseTime(d)
		if err != nil {
			return nil, &VerifyError{Code: CodeIncompleteSignature, Message: fmt.Sprintf("Date %q is not an HTTP date.", quoteScope(d))}
		}
		amz = dt.UTC().Format(TimeFormat)
	}
	t, err := time.Parse(TimeFormat, amz)
	if err != nil {
		return nil, &VerifyError{Code: CodeIncompleteSignature, Message: fmt.Sprintf("X-Amz-Date %q is not of the form YYYYMMDD'T'HHMMSS'Z'.", amz)}
	}
	if a.Date != amz[:8] {
		return nil, &VerifyError{Code: CodeInvalidSignature, Message: fmt.Sprintf("Credential should be scoped to a valid date: %s does not match the X-Amz-Date %s.", a.Date, amz)}
	}
	if v.Service != "" && a.Service != v.Service {
		return nil, &VerifyError{Code: CodeInvalidSignature, Message: fmt.Sprintf("Credential should be scoped to correct service: '%s'.", v.Service)}
	}
	if v.Region != "" && a.Region != v.Region || !isRegionName(a.Region) {
		return nil, &VerifyError{Code: CodeInvalidSignature, Message: fmt.Sprintf("Credential should be scoped to a valid region, not '%s'.", quoteScope(a.Region))}
	}
	id := &Identity{AccessKeyID: a.AccessKeyID, Date: a.Date, Region: a.Region, Service: a.Service, Time: t}

	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	skew := v.MaxSkew
	if skew == 0 {
		skew = 5 * time.Minute
	}
	n := now().UTC().Truncate(time.Second)
	mins := int(skew / time.Minute)
	switch {
	case t.Before(n.Add(-skew)):
		return id, &VerifyError{Code: CodeInvalidSignature, Message: fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %d min.)",
			amz, n.Add(-skew).Format(TimeFormat), n.Format(TimeFormat), mins)}
	case t.After(n.Add(skew)):
		return id, &VerifyError{Code: CodeInvalidSignature, Message: fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + %d min.)",
			amz, n.Add(skew).Format(TimeFormat), n.Format(TimeFormat), mins)}
	}
	if v.Credentials == nil {
		return id, nil
	}
	secret, ok := v.Credentials(a.AccessKeyID)
	if !ok {
		return id, &VerifyError{Code: CodeUnrecognizedClient, Message: "The security token included in the request is invalid."}
	}
	s := v.Signer
	if s == nil {
		s = &defaultVerifySigner
	}
	st := statePool.Get().(*state)
	defer statePool.Put(st)
	creds := Credentials{AccessKeyID: a.AccessKeyID, SecretAccessKey: secret}
	path := uriPath(r.URL)
	matches := func(normalize bool) bool {
		creq := s.canonicalRequestFor(r, path, normalize, a.SignedHeaders, body)
		want := s.signature(st, creq, creds, []byte(amz), []byte(a.Date), a.Region, a.Service)
		return hmac.Equal(want[:], []byte(a.Signature))
	}
	if !matches(s.NormalizeURIPath) && (s.NormalizeURIPath || normalizePath(path) == path || !matches(true)) {
		return id, &VerifyError{Code: CodeInvalidSignature, Message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}
	}
	return id, nil
}

// isRegionName reports whether s is made of lower-case letters, digits and '-'.
func isRegionName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return s != ""
}

// quoteScope shortens a scope element for an error message.
func quoteScope(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

var defaultVerifySigner Signer

// canonicalRequestFor rebuilds the canonical request of a received request from its path
// (normalized or not) and the headers its Authorization header lists.
func (s *Signer) canonicalRequestFor(r *http.Request, path string, normalize bool, signed []string, body []byte) []byte {
	var b []byte
	b = append(b, r.Method...)
	b = append(b, '\n')
	b = s.appendCanonicalPath(b, path, normalize)
	b = append(b, '\n')
	b = appendCanonicalQuery(b, r.URL.RawQuery)
	b = append(b, '\n')
	for _, name := range signed {
		b = append(b, name...)
		b = append(b, ':')
		switch name {
		case "host":
			b = appendStripSpaces(b, r.Host)
		case "content-length":
			if vs := r.Header.Values("Content-Length"); len(vs) > 0 {
				b = appendCleanValue(b, vs[0])
			} else {
				b = fmt.Appendf(b, "%d", r.ContentLength)
			}
		default:
			for i, v := range r.Header.Values(name) {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendCleanValue(b, v)
			}
		}
		b = append(b, '\n')
	}
	b = append(b, '\n')
	b = append(b, strings.Join(signed, ";")...)
	b = append(b, '\n')
	sum := sha256.Sum256(body)
	return appendHex32(b, &sum)
}
