package sigv4

import (
	"crypto/hmac"
	"fmt"
	"net/http"
	"net/url"
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

// Identity is what a verified (or, without credentials, well-formed) signature says.
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
// header value and checks that it is well formed. Errors are *VerifyError with the code
// and message AWS answers: MissingAuthenticationTokenException for a value that is not a
// SigV4 one (it does not start with "AWS4-"), IncompleteSignatureException for a malformed
// one.
func ParseAuthorization(v string) (*Authorization, error) {
	if !isSigV4(v) {
		return nil, &VerifyError{Code: CodeMissingAuthenticationToken, Message: msgMissingToken}
	}
	f, err := parseAuthFields(v)
	if err != nil {
		return nil, err
	}
	if err := f.complete(v, true); err != nil {
		return nil, err
	}
	signed, err := splitSignedHeaders(f.signedHeaders)
	if err != nil {
		return nil, err
	}
	if err := checkAlgorithm(f.algorithm); err != nil {
		return nil, err
	}
	c, err := splitCredential(f.credential)
	if err != nil {
		return nil, err
	}
	if c[0] == "" || len(c[1]) != 8 || c[2] == "" || c[3] == "" || c[4] != "aws4_request" {
		return nil, incomplete(fmt.Sprintf("Credential should be scoped to a valid region, service and date: %q.", clip(f.credential)))
	}
	if len(f.signature) != 64 || !isLowerHex(f.signature) {
		return nil, incomplete("Signature must be 64 lowercase hexadecimal digits.")
	}
	return &Authorization{AccessKeyID: c[0], Date: c[1], Region: c[2], Service: c[3], SignedHeaders: signed, Signature: f.signature}, nil
}

func incomplete(msg string) error { return &VerifyError{Code: CodeIncompleteSignature, Message: msg} }

// isSigV4 reports whether an Authorization value claims a SigV4 family signature: AWS answers
// any other (none, "Bearer …", "AWS4") as a request without authentication.
func isSigV4(v string) bool {
	return strings.HasPrefix(strings.TrimLeft(v, " \t"), "AWS4-")
}

// authFields are the parts of a SigV4 Authorization header, not yet checked.
type authFields struct {
	algorithm, credential, signedHeaders, signature  string
	haveCredential, haveSignedHeaders, haveSignature bool
}

// parseAuthFields splits an Authorization value as AWS does: the algorithm, then
// name=value components separated by commas and/or white space, the last of a name
// winning. A component without '=' is IncompleteSignatureException.
func parseAuthFields(v string) (authFields, error) {
	v = strings.TrimSpace(v)
	var f authFields
	i := strings.IndexAny(v, " \t")
	if i < 0 {
		f.algorithm = v
		return f, nil
	}
	f.algorithm = v[:i]
	rest := v[i:]
	for rest != "" {
		j := strings.IndexFunc(rest, isComponentSep)
		if j < 0 {
			j = len(rest)
		}
		part := rest[:j]
		if j < len(rest) {
			rest = rest[j+1:]
		} else {
			rest = ""
		}
		if part == "" {
			continue
		}
		name, val, ok := strings.Cut(part, "=")
		if !ok {
			return f, incomplete(fmt.Sprintf("'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.", clip(part), clip(v)))
		}
		switch name {
		case "Credential":
			f.credential, f.haveCredential = val, true
		case "SignedHeaders":
			f.signedHeaders, f.haveSignedHeaders = val, true
		case "Signature":
			f.signature, f.haveSignature = val, true
		}
	}
	return f, nil
}

func isComponentSep(c rune) bool { return c == ',' || c == ' ' || c == '\t' }

// complete reports the components (and, for a request, the date header) the value v lacks,
// in AWS's order and words.
func (f *authFields) complete(v string, haveDate bool) error {
	var msg []string
	if !f.haveCredential {
		msg = append(msg, "Authorization header requires 'Credential' parameter.")
	}
	if !f.haveSignature {
		msg = append(msg, "Authorization header requires 'Signature' parameter.")
	}
	if !f.haveSignedHeaders {
		msg = append(msg, "Authorization header requires 'SignedHeaders' parameter.")
	}
	if !haveDate {
		msg = append(msg, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if msg == nil {
		return nil
	}
	return incomplete(strings.Join(msg, " ") + " Authorization=" + clip(strings.TrimSpace(v)))
}

// splitSignedHeaders splits a SignedHeaders value. The names must be lower case, distinct
// and sorted, as SigV4 requires and every SDK sends: a name listed many times would make the
// verifier copy its header as often.
func splitSignedHeaders(v string) ([]string, error) {
	if v == "" {
		return nil, nil // and then host is not signed
	}
	signed := strings.Split(v, ";")
	for i, h := range signed {
		if h == "" || h != strings.ToLower(h) || i > 0 && h <= signed[i-1] {
			return nil, incomplete("SignedHeaders must be distinct lower-case header names in sorted order.")
		}
	}
	return signed, nil
}

func checkAlgorithm(alg string) error {
	if alg != Algorithm {
		return incomplete(fmt.Sprintf("Unsupported AWS 'algorithm': '%s' (only %s for now).", clip(alg), Algorithm))
	}
	return nil
}

// splitCredential splits a Credential value into key ID, date, region, service and
// terminator; AWS ignores trailing slashes.
func splitCredential(v string) ([5]string, error) {
	var c [5]string
	f := strings.Split(strings.TrimRight(v, "/"), "/")
	if len(f) != 5 {
		return c, incomplete(fmt.Sprintf("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", clip(v)))
	}
	copy(c[:], f)
	return c, nil
}

// clip shortens a value quoted in an error message, so that a huge header does not make a
// huge answer (or log line).
func clip(s string) string {
	const max = 512
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
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

// Verifier checks SigV4 signatures (Authorization headers, or presigned query strings) on
// received requests. It is safe for concurrent use once configured.
type Verifier struct {
	// Credentials returns the secret key for an access key ID; a key whose secret is
	// empty is unknown. When nil, the Verifier only checks that the signature is well
	// formed and the time is within MaxSkew (the behaviour of moto and LocalStack).
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
	// RequireSigned lists the names of headers that a request carrying them must sign: a
	// header the receiver acts on but the signature does not cover could be changed by
	// anyone who has seen the request. The local server lists x-amz-target, which
	// chooses the operation and which every AWS SDK and the AWS CLI sign. Checked only
	// when Credentials is set.
	RequireSigned []string
	// SessionToken, when set, returns the session token that must accompany an access key:
	// temporary credentials (an STS-issued key, secret and token) are valid only together.
	// For a key for which it returns ok, a request must carry exactly that token, in its
	// X-Amz-Security-Token header or, presigned, query parameter; a missing or different
	// one is refused as AWS refuses it, UnrecognizedClientException "The security token
	// included in the request is invalid." (the answer for an unknown key). The comparison
	// takes the same time whatever the token sent. A key for which it returns false (a
	// long-term key), or that is looked up while SessionToken is nil, is accepted with or
	// without a token, which is then not checked. Consulted only when Credentials is set,
	// and only for keys Credentials knows.
	SessionToken func(accessKeyID string) (token string, ok bool)
}

// Verify checks r's signature against body (the exact bytes received). r.Host must be the
// Host the client sent. Errors are *VerifyError, with the code and message AWS answers; the
// checks are made in AWS's order (the first failing one answers): a SigV4 Authorization
// header; its components and a date; the date's format and skew; host among the signed
// headers; the algorithm; the credential's form and scope; the access key (and its session
// token, see SessionToken); the headers that must be signed (RequireSigned); the body's
// hash; the signature. The checks before the body's hash are those of [Verifier.CheckHeaders].
//
// A presigned request, whose signature is in the query string (X-Amz-Algorithm,
// X-Amz-Credential, X-Amz-Date, X-Amz-SignedHeaders, X-Amz-Signature and, with temporary
// credentials, X-Amz-Security-Token), is verified likewise. As AWS's services other than S3
// do, it is judged by the same skew window around X-Amz-Date; X-Amz-Expires is not read.
func (v *Verifier) Verify(r *http.Request, body []byte) (*Identity, error) {
	h, err := v.checkHeaders(r)
	if err != nil {
		return h.id, err
	}
	return v.verifyBody(r, &h, body)
}

// HeaderCheck is what [Verifier.CheckHeaders] found in a request's headers, for
// [Verifier.VerifyBody] to complete the verification without making those checks again.
type HeaderCheck struct{ h checkedHeaders }

// CheckHeaders makes the checks of [Verifier.Verify] that need no body: everything up to
// and including the headers that must be signed (RequireSigned), in the same order and with
// the same errors, from r's headers and query string alone. A receiver calls it before
// reading the body, so that a request without a signature, with a malformed one, an unknown
// access key (or a wrong session token), another region or service, or a time outside the
// skew window is refused without its body being read; then [Verifier.VerifyBody] completes
// the verification with what CheckHeaders found, the headers parsed and looked up once. A
// request CheckHeaders refuses, Verify refuses with the same error; one it accepts may still
// be refused by VerifyBody (the body's hash, the signature itself). With an error the
// HeaderCheck is nil.
func (v *Verifier) CheckHeaders(r *http.Request) (*HeaderCheck, error) {
	h, err := v.checkHeaders(r)
	if err != nil {
		return nil, err
	}
	return &HeaderCheck{h}, nil
}

// VerifyBody completes [Verifier.Verify] for a request whose headers c, from CheckHeaders(r),
// passed: the skew window again (time may have passed while the body was read), the body's
// hash and the signature. Its result is Verify's for r and body.
func (v *Verifier) VerifyBody(r *http.Request, c *HeaderCheck, body []byte) (*Identity, error) {
	if err := v.checkSkew(c.h.id.Time, c.h.amz); err != nil {
		return c.h.id, err
	}
	return v.verifyBody(r, &c.h, body)
}

// verifyBody makes the checks of Verify after the headers'.
func (v *Verifier) verifyBody(r *http.Request, h *checkedHeaders, body []byte) (*Identity, error) {
	if v.Credentials == nil {
		return h.id, nil
	}
	id, a := h.id, h.auth
	payload := sum256(body)
	if hv, ok := r.Header["X-Amz-Content-Sha256"]; ok {
		// Signers that send this header (botocore, aws-c-auth) sign its value as the
		// payload hash: it must be the body's. A signature over the body's hash with
		// another value in the header would otherwise pass.
		var want [64]byte
		encodeHex32(&want, &payload)
		for _, v := range hv {
			if !strings.EqualFold(strings.TrimSpace(v), string(want[:])) {
				return id, &VerifyError{Code: CodeInvalidSignature, Message: "The provided 'x-amz-content-sha256' header does not match what was computed."}
			}
		}
	}
	if h.in.signatures > 1 {
		// X-Amz-Signature is the one parameter the signature does not cover: another
		// value would ride along unsigned.
		return id, &VerifyError{Code: CodeInvalidSignature, Message: msgSignatureMismatch}
	}
	if r.URL.RawQuery != "" {
		// A pair that does not parse (a bad escape, a ';') is left out of the canonical
		// query, and past net/url's limit on the number of parameters all are: the
		// signature would not cover what the query still holds.
		if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
			return id, &VerifyError{Code: CodeInvalidSignature, Message: msgSignatureMismatch}
		}
	}
	s := v.Signer
	if s == nil {
		s = &defaultVerifySigner
	}
	key := s.keyCache().get(a.AccessKeyID, h.secret, a.Date, a.Region, a.Service)
	path := uriPath(r.URL)
	matches := func(normalize bool) bool {
		creq := s.canonicalRequestFor(r, path, normalize, h.in.presigned, a.SignedHeaders, &payload)
		want := s.signature(creq, key, []byte(h.amz), nil)
		return hmac.Equal(want[:], []byte(a.Signature))
	}
	if !matches(s.NormalizeURIPath) && (s.NormalizeURIPath || normalizePath(path) == path || !matches(true)) {
		return id, &VerifyError{Code: CodeInvalidSignature, Message: msgSignatureMismatch}
	}
	return id, nil
}

// checkSkew refuses a signing time t (amz in the X-Amz-Date form) outside the skew window.
func (v *Verifier) checkSkew(t time.Time, amz string) error {
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
		return &VerifyError{Code: CodeInvalidSignature, Message: fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %d min.)",
			amz, n.Add(-skew).Format(TimeFormat), n.Format(TimeFormat), mins)}
	case t.After(n.Add(skew)):
		return &VerifyError{Code: CodeInvalidSignature, Message: fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + %d min.)",
			amz, n.Add(skew).Format(TimeFormat), n.Format(TimeFormat), mins)}
	}
	return nil
}

// checkedHeaders is what the header checks of a request found.
type checkedHeaders struct {
	in     sigInput
	amz    string // the signing time in the X-Amz-Date form
	auth   *Authorization
	id     *Identity
	secret string // of auth.AccessKeyID; "" without Credentials
}

// checkHeaders makes the checks that need no body, in AWS's order (see Verify).
func (v *Verifier) checkHeaders(r *http.Request) (checkedHeaders, error) {
	var h checkedHeaders
	f, err := requestSignature(r)
	if err != nil {
		return h, err
	}
	h.in = f
	t, ok := parseRequestTime(f.date, f.httpDate)
	if !ok {
		return h, incomplete(fmt.Sprintf("Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", clip(f.date)))
	}
	amz := t.Format(TimeFormat)
	h.amz = amz

	if err := v.checkSkew(t, amz); err != nil {
		return h, err
	}

	signed, err := splitSignedHeaders(f.signedHeaders)
	if err != nil {
		return h, err
	}
	if !slices.Contains(signed, "host") {
		return h, &VerifyError{Code: CodeInvalidSignature, Message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."}
	}
	if err := checkAlgorithm(f.algorithm); err != nil {
		return h, err
	}
	c, err := splitCredential(f.credential)
	if err != nil {
		return h, err
	}
	a := &Authorization{AccessKeyID: c[0], Date: c[1], Region: c[2], Service: c[3], SignedHeaders: signed, Signature: f.signature}
	if err := v.checkScope(c, amz); err != nil {
		return h, err
	}
	h.auth = a
	h.id = &Identity{AccessKeyID: a.AccessKeyID, Date: a.Date, Region: a.Region, Service: a.Service, Time: t}
	secret, known := "", a.AccessKeyID != ""
	if known && v.Credentials != nil {
		secret, known = v.Credentials(a.AccessKeyID)
		// An empty secret would make the signing key "AWS4" alone: anyone who knows the
		// key ID (it is in every request) could sign with it.
		known = known && secret != ""
		if known && v.SessionToken != nil {
			// Temporary credentials: the key is known only with its session token, as
			// AWS knows it (STS issues the two together).
			if want, ok := v.SessionToken(a.AccessKeyID); ok {
				known = tokenMatches(f.sessionTokens, want)
			}
		}
	}
	if !known {
		return h, &VerifyError{Code: CodeUnrecognizedClient, Message: msgInvalidToken}
	}
	h.secret = secret
	if len(a.Signature) != 64 || !isLowerHex(a.Signature) {
		// AWS compares the signature as given: one that is not 64 lowercase hexadecimal
		// digits does not match.
		return h, &VerifyError{Code: CodeInvalidSignature, Message: msgSignatureMismatch}
	}
	if v.Credentials == nil {
		return h, nil
	}
	for _, name := range v.RequireSigned {
		key := http.CanonicalHeaderKey(name)
		if _, present := r.Header[key]; present && !slices.Contains(signed, strings.ToLower(name)) {
			return h, &VerifyError{Code: CodeInvalidSignature, Message: "'" + key + "' must be a 'SignedHeader' in the AWS Authorization."}
		}
	}
	return h, nil
}

// msgInvalidToken is AWS's message for an unknown access key, or a temporary one without
// its session token (UnrecognizedClientException, HTTP 400, from its JSON services).
const msgInvalidToken = "The security token included in the request is invalid."

const msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

// checkScope checks the credential scope c (key ID, date, region, service, terminator) of a
// request signed at amz, and reports every fault in one InvalidSignatureException, in AWS's
// order and words.
func (v *Verifier) checkScope(c [5]string, amz string) error {
	var msg []string
	if v.Region != "" && c[2] != v.Region || !isRegionName(c[2]) {
		msg = append(msg, fmt.Sprintf("Credential should be scoped to a valid region, not '%s'.", quoteScope(c[2])))
	}
	switch {
	case v.Service != "" && c[3] != v.Service:
		msg = append(msg, fmt.Sprintf("Credential should be scoped to correct service: '%s'.", v.Service))
	case c[3] == "": // no service required; ours, AWS always has one
		msg = append(msg, "Credential should be scoped to a valid service, not ''.")
	}
	if c[4] != "aws4_request" {
		msg = append(msg, fmt.Sprintf("Credential should be scoped with a valid terminator: 'aws4_request', not '%s'.", quoteScope(c[4])))
	}
	if c[1] != amz[:8] {
		msg = append(msg, fmt.Sprintf("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			quoteScope(c[1]), amz[:8], amz))
	}
	if msg == nil {
		return nil
	}
	return &VerifyError{Code: CodeInvalidSignature, Message: strings.Join(msg, " ")}
}

// sigInput is what a request says of its signature, from its Authorization header or, for
// a presigned request, its query string.
type sigInput struct {
	authFields
	date      string // the signing time as sent
	httpDate  bool   // date is from the Date header
	presigned bool
	// signatures is the number of X-Amz-Signature values of a presigned request
	signatures int
	// sessionTokens are the X-Amz-Security-Token values: of the query string for a
	// presigned request, else of the header
	sessionTokens []string
}

// requestSignature reads the signature parts of r, and refuses (in AWS's words) a request
// that has none, or both kinds, or lacks a part.
func requestSignature(r *http.Request) (sigInput, error) {
	authz := r.Header.Get("Authorization")
	var q url.Values
	if r.URL.RawQuery != "" {
		q, _ = url.ParseQuery(r.URL.RawQuery)
	}
	if _, ok := q["X-Amz-Algorithm"]; ok {
		if authz != "" {
			return sigInput{}, &VerifyError{Code: CodeInvalidSignature, Message: "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."}
		}
		in := sigInput{presigned: true, date: q.Get("X-Amz-Date"), signatures: len(q["X-Amz-Signature"]), sessionTokens: q["X-Amz-Security-Token"]}
		in.algorithm = q.Get("X-Amz-Algorithm")
		in.credential, in.haveCredential = q.Get("X-Amz-Credential"), true
		in.signature, in.haveSignature = q.Get("X-Amz-Signature"), true
		in.signedHeaders, in.haveSignedHeaders = q.Get("X-Amz-SignedHeaders"), true
		var msg []string
		for _, p := range [...][2]string{{"X-Amz-Algorithm", in.algorithm}, {"X-Amz-Credential", in.credential},
			{"X-Amz-Signature", in.signature}, {"X-Amz-SignedHeaders", in.signedHeaders}, {"X-Amz-Date", in.date}} {
			if p[1] == "" {
				msg = append(msg, "AWS query-string parameters must include '"+p[0]+"'.")
			}
		}
		if msg != nil {
			return sigInput{}, incomplete(strings.Join(msg, " ") + " Re-examine the query-string parameters.")
		}
		return in, nil
	}
	if !isSigV4(authz) {
		return sigInput{}, &VerifyError{Code: CodeMissingAuthenticationToken, Message: msgMissingToken}
	}
	f, err := parseAuthFields(authz)
	if err != nil {
		return sigInput{}, err
	}
	in := sigInput{authFields: f, date: r.Header.Get("X-Amz-Date"), sessionTokens: r.Header["X-Amz-Security-Token"]}
	if in.date == "" {
		// SigV4 lets the Date header carry the time instead; the string to sign then holds
		// that time in the X-Amz-Date form.
		in.date, in.httpDate = r.Header.Get("Date"), true
	}
	if err := f.complete(authz, in.date != ""); err != nil {
		return sigInput{}, err
	}
	return in, nil
}

// parseRequestTime parses the signing time: X-Amz-Date's basic ISO 8601 form, or, from a
// Date header (httpDate), that form or an HTTP date.
func parseRequestTime(v string, httpDate bool) (time.Time, bool) {
	if t, err := time.Parse(TimeFormat, v); err == nil {
		return t, true
	}
	if httpDate {
		if t, err := http.ParseTime(v); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
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
// (normalized or not), the headers its signature lists and the SHA-256 of its body.
func (s *Signer) canonicalRequestFor(r *http.Request, path string, normalize, presigned bool, signed []string, payload *[32]byte) []byte {
	var b []byte
	b = append(b, r.Method...)
	b = append(b, '\n')
	b = s.appendCanonicalPath(b, path, normalize)
	b = append(b, '\n')
	skip := ""
	if presigned {
		skip = "X-Amz-Signature" // the one parameter a presigned request does not sign
	}
	b = appendCanonicalQuery(b, r.URL.RawQuery, skip)
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
	return appendHex32(b, payload)
}
