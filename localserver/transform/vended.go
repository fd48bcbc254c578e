package transform

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/cwlogs/cwlogs/localserver/internal/jsonnum"
)

// The parsers of AWS vended logs, as the user guide's "Built-in processors for AWS vended
// logs" describes them
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Transformation-BuiltIn.html):
// each reads the whole message ("This processor accepts only @message as the input"), must
// be the first processor, and puts what it extracts at the root. The page gives one example
// event and its transformed form for each; vended_test.go holds them as test cases. What the
// page does not show (lines of another shape, empty fields) is this package's choice, said at
// each parser.
//
// parseToOCSF stays refused (config.go): its mapping of each source to the OCSF classes is
// large, and AWS's exact output is not documented field by field, so nothing here could be
// checked against it.

// vendedIn is the shape of every vended parser: ParseCloudfront, ParseVPC, ParseRoute53,
// ParseWAF and ParsePostgres have the one member source (botocore logs/2014-03-28).
type vendedIn struct {
	Source *string `json:"source"`
}

// vendedParsers are the parsers of AWS vended logs by processor name: the one list that
// build (processors.go) and Parse's rules (config.go: a parser, which must be the first
// processor and the only one of its kind) read.
var vendedParsers = map[string]func(msg string) (*object, error){
	"parseCloudfront": parseCloudfront, "parseVPC": parseVPC, "parseRoute53": parseRoute53,
	"parseWAF": parseWAF, "parsePostgres": parsePostgres,
}

// isVended reports whether name is a parser of AWS vended logs.
func isVended(name string) bool { return vendedParsers[name] != nil }

// buildVended checks a vended parser's members: source, when given, must be @message ("No
// other value than @message is allowed for source", API_ParseVPC and the others). parse is
// the parser's entry in vendedParsers.
func buildVended(c *checker, parse func(string) (*object, error), raw json.RawMessage) (func(*event) error, error) {
	var in vendedIn
	if err := decodeStrict(c.field, raw, &in); err != nil {
		return nil, err
	}
	c.str(in.Source, "source", 1, maxKeyLen)
	if in.Source != nil && *in.Source != "@message" && c.err == nil {
		c.fail("source", *in.Source, "must be @message: a parser of AWS vended logs reads the whole log event")
	}
	return func(e *event) error {
		o, err := parse(e.msg)
		if err != nil {
			return err
		}
		// The first processor (Parse's rule): the event has no field yet, so the parsed
		// object is the event.
		e.root = o
		return nil
	}, nil
}

// toNumber is s as a JSON number: as written when it already is one ("1.0" stays "1.0",
// as the user guide shows Route 53's version), else decimal text Go parses ("000", "+5",
// ".5", "5.") rewritten canonically. Anything else (hexadecimal, Inf, NaN, "-") is not a
// number, and neither is one beyond float64's range.
func toNumber(s string) (json.Number, bool) {
	if jsonnum.Is(s) {
		if f, _ := strconv.ParseFloat(s, 64); math.IsInf(f, 0) {
			return "", false // 1e999: no reader of the event could hold it
		}
		return json.Number(s), true
	}
	if s == "" || strings.Trim(s, "+-.0123456789eE") != "" {
		return "", false
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return json.Number(strconv.FormatInt(i, 10)), true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return "", false
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), true
}

// isFieldSep reports whether r separates the fields of a line that spaceFields splits.
func isFieldSep(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\n' }

// spaceFields splits a line of fields separated by spaces or tabs, as CloudFront, Route 53
// and VPC flow logs write them; a run of separators counts as one, and CR and LF separate
// too (so a line's trailing newline makes no field).
func spaceFields(s string) []string { return strings.FieldsFunc(s, isFieldSep) }

// countSpaceFields is len(spaceFields(s)) without allocating: a line of another number of
// fields is refused before it is split (a 1 MB event of one-letter fields split into half a
// million strings first).
func countSpaceFields(s string) int {
	n, in := 0, false
	for i := 0; i < len(s); i++ {
		// The separators are ASCII, which no byte of a multi-byte UTF-8 sequence is.
		if isFieldSep(rune(s[i])) {
			in = false
		} else if !in {
			in = true
			n++
		}
	}
	return n
}

// wordList is names[i] per field, each either numeric (a JSON number when the value is one)
// or a string.
type wordList struct {
	names   []string
	numeric map[string]bool
}

// parseWords names the fields of line by l; numeric fields whose value is not a number
// ("-" for a value that is absent) stay strings. decode says whether a string value is
// URL-decoded ("Encoded field values are decoded"); a value that is not valid %-encoding
// stays as written.
func (l wordList) parseWords(what, line string, decode bool) (*object, error) {
	if n := countSpaceFields(line); n != len(l.names) {
		return nil, fmt.Errorf("the event has %d fields; a %s has %d, separated by spaces or tabs", n, what, len(l.names))
	}
	f := spaceFields(line)
	o := &object{m: make([]member, 0, len(f))}
	for i, v := range f {
		name := l.names[i]
		if l.numeric[name] {
			if n, ok := toNumber(v); ok {
				o.m = append(o.m, member{name, n})
				continue
			}
		}
		if decode {
			if d, err := url.PathUnescape(v); err == nil {
				v = d
			}
		}
		o.m = append(o.m, member{name, v})
	}
	o.reindex()
	return o, nil
}

// numericSet is the set of names, for wordList.numeric.
func numericSet(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// cloudfrontFields are the 33 fields of a CloudFront standard log (access log) record, in
// order, by the names the CloudFront developer guide gives them
// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html),
// which are the keys the user guide's parseCloudfront example shows. The numeric ones are
// those the example writes as numbers, plus the ones the developer guide describes as
// numbers that the example shows as "-": fle-encrypted-fields ("The number of field-level
// encryption fields that the server encrypted") and sc-range-start and sc-range-end (byte
// offsets).
var cloudfrontFields = wordList{
	names: []string{"date", "time", "x-edge-location", "sc-bytes", "c-ip", "cs-method", "cs(Host)",
		"cs-uri-stem", "sc-status", "cs(Referer)", "cs(User-Agent)", "cs-uri-query", "cs(Cookie)",
		"x-edge-result-type", "x-edge-request-id", "x-host-header", "cs-protocol", "cs-bytes", "time-taken",
		"x-forwarded-for", "ssl-protocol", "ssl-cipher", "x-edge-response-result-type", "cs-protocol-version",
		"fle-status", "fle-encrypted-fields", "c-port", "time-to-first-byte", "x-edge-detailed-result-type",
		"sc-content-type", "sc-content-len", "sc-range-start", "sc-range-end"},
	numeric: numericSet("sc-bytes", "sc-status", "cs-bytes", "time-taken", "fle-encrypted-fields", "c-port",
		"time-to-first-byte", "sc-content-len", "sc-range-start", "sc-range-end"),
}

// parseCloudfront: one record of 33 fields separated by tabs (as CloudFront writes them) or
// spaces (as the user guide's example shows them); %-encoded values are decoded
// (Mozilla/5.0%20(Windows… becomes Mozilla/5.0 (Windows…); the numeric fields are JSON
// numbers; "-" stays "-". A header line (#Version, #Fields) or a record of another number of
// fields fails the event (the page shows only the full record; our choice).
func parseCloudfront(msg string) (*object, error) {
	if strings.HasPrefix(msg, "#") {
		return nil, errors.New("the event is a header line (#…), not a CloudFront standard log record")
	}
	return cloudfrontFields.parseWords("CloudFront standard log record", msg, true)
}

// route53Fields are the fields of a Route 53 public DNS query log line
// (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/query-logs.html), by the
// user guide's parseRoute53 names; version is a number.
var route53Fields = wordList{
	names: []string{"version", "queryTimestamp", "hostZoneId", "queryName", "queryType", "responseCode",
		"protocol", "edgeLocation", "resolverIp", "ednsClientSubnet"},
	numeric: numericSet("version"),
}

// parseRoute53: a query log line of 10 fields; version a JSON number as written ("1.0");
// "-" (no EDNS client subnet) stays "-". A line of another number of fields, or whose
// version is not a number, fails the event ("This processor does not support Amazon Route 53
// Resolver logs", which are JSON). Values are not decoded further: the query log writes
// names as the DNS query carried them (our reading of "Encoded field values are decoded":
// there is no %-encoding in these lines to decode).
func parseRoute53(msg string) (*object, error) {
	o, err := route53Fields.parseWords("Route 53 query log line", msg, false)
	if err != nil {
		return nil, err
	}
	if _, ok := o.m[0].v.(json.Number); !ok {
		return nil, fmt.Errorf("version %q is not a number", o.m[0].v)
	}
	return o, nil
}

// vpcFields are the 14 fields of a VPC flow log record in the default format, version 2
// (https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html), by the user
// guide's parseVPC names. accountId stays a string, as the example shows it.
var vpcFields = wordList{
	names: []string{"version", "accountId", "interfaceId", "srcAddr", "dstAddr", "srcPort", "dstPort",
		"protocol", "packets", "bytes", "start", "end", "action", "logStatus"},
	numeric: numericSet("version", "srcPort", "dstPort", "protocol", "packets", "bytes", "start", "end"),
}

// parseVPC: a default-format flow log record of 14 fields; the numeric ones are JSON
// numbers, and "-" (a NODATA or SKIPDATA record's missing values) stays "-". A custom
// format ("This processor doesn't support custom log formats", API_ParseVPC) fails the
// event where it can be told from the default one: a record of another number of fields; a
// version other than 2 ("If you use the default format, the version is 2", the VPC user
// guide's flow log record fields; a custom one with fields of later versions has theirs); an
// action other than ACCEPT, REJECT or "-", or a log-status other than OK, NODATA or SKIPDATA
// (the values that guide lists), as when a custom format has other fields in those places;
// and a numeric field that holds something other than a number or "-".
func parseVPC(msg string) (*object, error) {
	o, err := vpcFields.parseWords("default-format VPC flow log record", msg, false)
	if err != nil {
		return nil, err
	}
	for _, mb := range o.m {
		if s, isStr := mb.v.(string); isStr && vpcFields.numeric[mb.k] && s != "-" {
			return nil, fmt.Errorf("%s %q is neither a number nor -", mb.k, s)
		}
	}
	if v := o.m[0].v; v != json.Number("2") {
		return nil, fmt.Errorf("version %v is not 2, the version of the default format (custom formats are not supported)", v)
	}
	if a := o.m[12].v.(string); a != "ACCEPT" && a != "REJECT" && a != "-" {
		return nil, fmt.Errorf("action %q is not ACCEPT, REJECT or - (custom formats are not supported)", a)
	}
	if s := o.m[13].v.(string); s != "OK" && s != "NODATA" && s != "SKIPDATA" {
		return nil, fmt.Errorf("logStatus %q is not OK, NODATA or SKIPDATA (custom formats are not supported)", s)
	}
	return o, nil
}

// postgresPrefix is RDS for PostgreSQL's log_line_prefix, %t:%r:%u@%d:[%p]: (not
// modifiable on RDS, https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Concepts.PostgreSQL.html),
// followed by the severity and a colon: the time with its zone name, the client's host and
// port (empty for a background process; an IPv6 host has colons of its own, hence the lazy
// match that backtracks), the user, the database, the process id, the level.
var postgresPrefix = regexp.MustCompile(`^([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)? [^ :]+):(.*?):([^@:]*)@([^:]*):\[([0-9]+)\]:([A-Z][A-Z0-9]*):`)

// maxPostgresPrefix bounds the bytes postgresPrefix is matched against (ours): the prefix
// and level take at most about 450 (a 253-byte host name and its port, user and database
// names of at most 63 bytes, PostgreSQL's NAMEDATALEN), and without the bound a 1 MB line
// that starts with a time but has no prefix after it took 150 ms to refuse, the lazy host
// match trying every colon of the line.
const maxPostgresPrefix = 1024

// parsePostgres: logTime, srcIp (host and port as written, "10.0.0.123(52834)"),
// userName, dbName, processId (a string, as the example shows it) and logLevel, the fields
// the user guide's example shows; the rest of the line (the message text) is not a field,
// as in that example. Empty fields (a background process has no host, user or database) are
// left out (our choice). A line that does not start with the prefix fails the event.
func parsePostgres(msg string) (*object, error) {
	head := msg
	if len(head) > maxPostgresPrefix {
		head = head[:maxPostgresPrefix]
	}
	m := postgresPrefix.FindStringSubmatch(head)
	if m == nil {
		return nil, errors.New("the event does not start with RDS for PostgreSQL's log line prefix (%t:%r:%u@%d:[%p]:LEVEL:)")
	}
	o := newObject()
	for i, name := range []string{"logTime", "srcIp", "userName", "dbName", "processId", "logLevel"} {
		if m[i+1] != "" {
			o.set(name, m[i+1])
		}
	}
	return o, nil
}

// parseWAF: the event is a WAF log record, a JSON object. httpRequest.headers, a list of
// {"name":…,"value":…}, becomes an object from each name to its value, and labels, a list
// of objects, one object of their members; both move to the front (httpRequest first, then
// labels; headers first within httpRequest), as the user guide's example shows them. A name
// that appears more than once (a repeated header such as Cookie, or several labels, each
// {"name":…}) gets the list of its values in order (our choice: the page's example has one
// label, and keeping one value would lose the others). Every other member is kept as it
// is. An event that is not a JSON object fails, and so does a header that is not an object
// with a string name and a value, or a label that is not an object. Headers or labels that
// are missing or not lists are left as they are, except that an httpRequest object still
// moves to the front ({"a":1,"httpRequest":{"uri":"/"}} becomes
// {"httpRequest":{"uri":"/"},"a":1}).
func parseWAF(msg string) (*object, error) {
	o, err := decodeObject(msg)
	if err != nil {
		return nil, errors.New("the event is not a JSON object")
	}
	front := newObject()
	if req, ok := o.get("httpRequest"); ok {
		if r, isObj := req.(*object); isObj {
			if hs, ok := r.get("headers"); ok {
				if list, isList := hs.([]any); isList {
					var headers grouper
					for i, h := range list {
						ho, isObj := h.(*object)
						if !isObj {
							return nil, fmt.Errorf("httpRequest.headers[%d] is not an object", i)
						}
						name, _ := ho.get("name")
						ns, isStr := name.(string)
						value, hasValue := ho.get("value")
						if !isStr || !hasValue {
							return nil, fmt.Errorf("httpRequest.headers[%d] has no string name and value", i)
						}
						headers.add(ns, value)
					}
					r.del("headers")
					r.m = append([]member{{"headers", headers.object()}}, r.m...)
					r.reindex()
				}
			}
			front.set("httpRequest", r)
		}
	}
	if ls, ok := o.get("labels"); ok {
		if list, isList := ls.([]any); isList {
			var labels grouper
			for i, l := range list {
				lo, isObj := l.(*object)
				if !isObj {
					return nil, fmt.Errorf("labels[%d] is not an object", i)
				}
				for _, mb := range lo.m {
					labels.add(mb.k, mb.v)
				}
			}
			front.set("labels", labels.object())
		}
	}
	for _, mb := range o.m {
		if _, moved := front.get(mb.k); !moved {
			front.set(mb.k, mb.v)
		}
	}
	return front, nil
}

// grouper builds an object from (name, value) pairs in order: a name seen once has its
// value, a name seen more than once the list of its values.
type grouper struct {
	keys []string
	vals map[string][]any
}

// add records v under k, whose bytes that are not valid UTF-8 become U+FFFD (validUTF8).
func (g *grouper) add(k string, v any) {
	if g.vals == nil {
		g.vals = map[string][]any{}
	}
	k = validUTF8(k)
	if _, seen := g.vals[k]; !seen {
		g.keys = append(g.keys, k)
	}
	g.vals[k] = append(g.vals[k], v)
}

// object is the object of the names in the order first seen.
func (g *grouper) object() *object {
	o := &object{m: make([]member, 0, len(g.keys))}
	for _, k := range g.keys {
		if vs := g.vals[k]; len(vs) == 1 {
			o.m = append(o.m, member{k, vs[0]})
		} else {
			o.m = append(o.m, member{k, vs})
		}
	}
	o.reindex()
	return o
}
