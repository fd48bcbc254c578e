package transform

import (
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"testing"
)

// The user guide's examples for the parsers of AWS vended logs
// (CloudWatch-Logs-Transformation-BuiltIn.html), reconstructed as test data: the event it
// shows and the transformed event it shows, in the order it shows the keys.
const (
	docWAFEvent = `{
  "timestamp": 1576280412771,
  "formatVersion": 1,
  "webaclId": "arn:aws:wafv2:ap-southeast-2:111122223333:regional/webacl/STMTest/1EXAMPLE-2ARN-3ARN-4ARN-123456EXAMPLE",
  "terminatingRuleId": "STMTest_SQLi_XSS",
  "terminatingRuleType": "REGULAR",
  "action": "BLOCK",
  "terminatingRuleMatchDetails": [{"conditionType": "SQL_INJECTION", "sensitivityLevel": "HIGH", "location": "HEADER", "matchedData": ["10", "AND", "1"]}],
  "httpSourceName": "-",
  "httpSourceId": "-",
  "ruleGroupList": [],
  "rateBasedRuleList": [],
  "nonTerminatingMatchingRules": [],
  "httpRequest": {
    "clientIp": "1.1.1.1",
    "country": "AU",
    "headers": [
      {"name": "Host", "value": "localhost:1989"},
      {"name": "User-Agent", "value": "curl/7.61.1"},
      {"name": "Accept", "value": "*/*"},
      {"name": "x-stm-test", "value": "10 AND 1=1"}
    ],
    "uri": "/myUri", "args": "", "httpVersion": "HTTP/1.1", "httpMethod": "GET", "requestId": "rid"
  },
  "labels": [{"name": "value"}]
}`
	docWAFWant = `{"httpRequest":{"headers":{"Host":"localhost:1989","User-Agent":"curl/7.61.1","Accept":"*/*","x-stm-test":"10 AND 1=1"},` +
		`"clientIp":"1.1.1.1","country":"AU","uri":"/myUri","args":"","httpVersion":"HTTP/1.1","httpMethod":"GET","requestId":"rid"},` +
		`"labels":{"name":"value"},"timestamp":1576280412771,"formatVersion":1,` +
		`"webaclId":"arn:aws:wafv2:ap-southeast-2:111122223333:regional/webacl/STMTest/1EXAMPLE-2ARN-3ARN-4ARN-123456EXAMPLE",` +
		`"terminatingRuleId":"STMTest_SQLi_XSS","terminatingRuleType":"REGULAR","action":"BLOCK",` +
		`"terminatingRuleMatchDetails":[{"conditionType":"SQL_INJECTION","sensitivityLevel":"HIGH","location":"HEADER","matchedData":["10","AND","1"]}],` +
		`"httpSourceName":"-","httpSourceId":"-","ruleGroupList":[],"rateBasedRuleList":[],"nonTerminatingMatchingRules":[]}`

	docPostgresEvent = `2019-03-10 03:54:59 UTC:10.0.0.123(52834):postgres@logtestdb:[20175]:ERROR: column "wrong_column_name" does not exist at character 8`
	docPostgresWant  = `{"logTime":"2019-03-10 03:54:59 UTC","srcIp":"10.0.0.123(52834)","userName":"postgres","dbName":"logtestdb","processId":"20175","logLevel":"ERROR"}`

	docCloudfrontEvent = "2019-12-04  21:02:31   LAX1   392    192.0.2.24    GET    d111111abcdef8.cloudfront.net  /index.html    200    -  " +
		"Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/78.0.3904.108%20Safari/537.36  " +
		"-  -  Hit    SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==   d111111abcdef8.cloudfront.net  https  23 0.001  -  TLSv1.2    " +
		"ECDHE-RSA-AES128-GCM-SHA256    Hit    HTTP/2.0   -  -  11040  0.001  Hit    text/html  78 -  -"
	docCloudfrontWant = `{"date":"2019-12-04","time":"21:02:31","x-edge-location":"LAX1","sc-bytes":392,"c-ip":"192.0.2.24","cs-method":"GET",` +
		`"cs(Host)":"d111111abcdef8.cloudfront.net","cs-uri-stem":"/index.html","sc-status":200,"cs(Referer)":"-",` +
		`"cs(User-Agent)":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36",` +
		`"cs-uri-query":"-","cs(Cookie)":"-","x-edge-result-type":"Hit","x-edge-request-id":"SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==",` +
		`"x-host-header":"d111111abcdef8.cloudfront.net","cs-protocol":"https","cs-bytes":23,"time-taken":0.001,"x-forwarded-for":"-",` +
		`"ssl-protocol":"TLSv1.2","ssl-cipher":"ECDHE-RSA-AES128-GCM-SHA256","x-edge-response-result-type":"Hit","cs-protocol-version":"HTTP/2.0",` +
		`"fle-status":"-","fle-encrypted-fields":"-","c-port":11040,"time-to-first-byte":0.001,"x-edge-detailed-result-type":"Hit",` +
		`"sc-content-type":"text/html","sc-content-len":78,"sc-range-start":"-","sc-range-end":"-"}`

	docRoute53Event = `1.0 2017-12-13T08:15:50.235Z Z123412341234 example.com AAAA NOERROR TCP IAD12 192.0.2.0 198.51.100.0/24`
	docRoute53Want  = `{"version":1.0,"queryTimestamp":"2017-12-13T08:15:50.235Z","hostZoneId":"Z123412341234","queryName":"example.com",` +
		`"queryType":"AAAA","responseCode":"NOERROR","protocol":"TCP","edgeLocation":"IAD12","resolverIp":"192.0.2.0","ednsClientSubnet":"198.51.100.0/24"}`

	docVPCEvent = `2 123456789010 eni-abc123de 192.0.2.0 192.0.2.24 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK`
	docVPCWant  = `{"version":2,"accountId":"123456789010","interfaceId":"eni-abc123de","srcAddr":"192.0.2.0","dstAddr":"192.0.2.24",` +
		`"srcPort":20641,"dstPort":22,"protocol":6,"packets":20,"bytes":4249,"start":1418530010,"end":1418530070,"action":"ACCEPT","logStatus":"OK"}`
)

// cfRecord is a CloudFront record of 33 tab-separated fields: the documented example's,
// with the fields in set (by position) replaced.
func cfRecord(set map[int]string) string {
	f := spaceFields(docCloudfrontEvent)
	for i, v := range set {
		f[i] = v
	}
	return strings.Join(f, "\t")
}

func TestVendedParsers(t *testing.T) {
	cfTabs := cfRecord(nil)
	tests := []struct {
		name, proc, msg, want string
	}{
		{"WAF documented example", "parseWAF", docWAFEvent, docWAFWant},
		{"WAF repeated header and several labels", "parseWAF",
			`{"action":"ALLOW","httpRequest":{"headers":[{"name":"Cookie","value":"a=1"},{"name":"Host","value":"h"},{"name":"Cookie","value":"b=2"},{"name":"Cookie","value":"c=3"}]},` +
				`"labels":[{"name":"awswaf:managed:aws:bot-control:bot:verified"},{"name":"awswaf:111122223333:rule:x"}]}`,
			`{"httpRequest":{"headers":{"Cookie":["a=1","b=2","c=3"],"Host":"h"}},"labels":{"name":["awswaf:managed:aws:bot-control:bot:verified","awswaf:111122223333:rule:x"]},"action":"ALLOW"}`},
		{"WAF without headers or labels", "parseWAF", `{"action":"ALLOW","httpRequest":{"uri":"/"},"labels":"x"}`,
			`{"httpRequest":{"uri":"/"},"action":"ALLOW","labels":"x"}`},
		{"WAF empty lists", "parseWAF", `{"httpRequest":{"headers":[]},"labels":[]}`, `{"httpRequest":{"headers":{}},"labels":{}}`},
		{"WAF header value not a string", "parseWAF", `{"httpRequest":{"headers":[{"name":"n","value":null}]}}`, `{"httpRequest":{"headers":{"n":null}}}`},

		{"Postgres documented example", "parsePostgres", docPostgresEvent, docPostgresWant},
		{"Postgres background process", "parsePostgres", `2024-05-06 07:08:09 UTC::@:[411]:LOG:  checkpoint starting: time`,
			`{"logTime":"2024-05-06 07:08:09 UTC","processId":"411","logLevel":"LOG"}`},
		{"Postgres IPv6 client and level with a digit", "parsePostgres", `2024-05-06 07:08:09 UTC:2001:db8::1(5432):app@orders:[77]:DEBUG1: x:y@z:[1]:`,
			`{"logTime":"2024-05-06 07:08:09 UTC","srcIp":"2001:db8::1(5432)","userName":"app","dbName":"orders","processId":"77","logLevel":"DEBUG1"}`},
		{"Postgres longest host name, long statement", "parsePostgres",
			"2024-05-06 07:08:09.123 UTC:" + strings.Repeat("h", 253) + "(65535):" + strings.Repeat("u", 63) + "@" + strings.Repeat("d", 63) + ":[2147483647]:STATEMENT:  " + strings.Repeat("SELECT 1; ", 1000),
			`{"logTime":"2024-05-06 07:08:09.123 UTC","srcIp":"` + strings.Repeat("h", 253) + `(65535)","userName":"` + strings.Repeat("u", 63) +
				`","dbName":"` + strings.Repeat("d", 63) + `","processId":"2147483647","logLevel":"STATEMENT"}`},
		{"Postgres local socket, multi-line statement", "parsePostgres", "2024-05-06 07:08:09 UTC:[local]:rdsadmin@rdsadmin:[9]:STATEMENT:  SELECT 1\n\tFROM t",
			`{"logTime":"2024-05-06 07:08:09 UTC","srcIp":"[local]","userName":"rdsadmin","dbName":"rdsadmin","processId":"9","logLevel":"STATEMENT"}`},

		{"CloudFront documented example", "parseCloudfront", docCloudfrontEvent, docCloudfrontWant},
		{"CloudFront tabs as CloudFront writes them", "parseCloudfront", cfTabs, docCloudfrontWant},
		{"CloudFront numbers normalized, encoded query, bad escape kept", "parseCloudfront",
			cfRecord(map[int]string{8: "000", 11: "a=%E2%9C%93&b=%20c", 12: "x=%2", 18: "0.5"}),
			strings.NewReplacer(`"sc-status":200`, `"sc-status":0`, `"cs-uri-query":"-"`, `"cs-uri-query":"a=✓&b= c"`, `"cs(Cookie)":"-"`, `"cs(Cookie)":"x=%2"`, `"time-taken":0.001`, `"time-taken":0.5`).Replace(docCloudfrontWant)},
		{"CloudFront field-level encryption count", "parseCloudfront",
			cfRecord(map[int]string{24: "Processed", 25: "3"}),
			strings.NewReplacer(`"fle-status":"-"`, `"fle-status":"Processed"`, `"fle-encrypted-fields":"-"`, `"fle-encrypted-fields":3`).Replace(docCloudfrontWant)},
		{"CloudFront range numbers, non-numeric status kept", "parseCloudfront",
			cfRecord(map[int]string{8: "abc", 31: "0", 32: "1023"}),
			strings.NewReplacer(`"sc-status":200`, `"sc-status":"abc"`, `"sc-range-start":"-"`, `"sc-range-start":0`, `"sc-range-end":"-"`, `"sc-range-end":1023`).Replace(docCloudfrontWant)},

		{"Route 53 documented example", "parseRoute53", docRoute53Event, docRoute53Want},
		{"Route 53 no client subnet, tabs", "parseRoute53", "1.0\t2017-12-13T08:16:02.130Z\tZ123412341234\texample.com\tA\tNXDOMAIN\tUDP\tJFK5\t192.0.2.0\t-",
			`{"version":1.0,"queryTimestamp":"2017-12-13T08:16:02.130Z","hostZoneId":"Z123412341234","queryName":"example.com","queryType":"A",` +
				`"responseCode":"NXDOMAIN","protocol":"UDP","edgeLocation":"JFK5","resolverIp":"192.0.2.0","ednsClientSubnet":"-"}`},

		{"VPC documented example", "parseVPC", docVPCEvent, docVPCWant},
		{"VPC NODATA record", "parseVPC", `2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA`,
			`{"version":2,"accountId":"123456789010","interfaceId":"eni-1235b8ca123456789","srcAddr":"-","dstAddr":"-","srcPort":"-","dstPort":"-",` +
				`"protocol":"-","packets":"-","bytes":"-","start":1431280876,"end":1431280934,"action":"-","logStatus":"NODATA"}`},
		{"VPC trailing newline, large byte count", "parseVPC", "2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 49152 6 1 18446744073709551615 1 2 REJECT OK\n",
			`{"version":2,"accountId":"123456789010","interfaceId":"eni-1","srcAddr":"10.0.0.1","dstAddr":"10.0.0.2","srcPort":443,"dstPort":49152,` +
				`"protocol":6,"packets":1,"bytes":18446744073709551615,"start":1,"end":2,"action":"REJECT","logStatus":"OK"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, cfg := range []string{`[{"` + tc.proc + `":{}}]`, `[{"` + tc.proc + `":{"source":"@message"}}]`} {
				checkApply(t, cfg, tc.msg, tc.want)
			}
		})
	}
}

func TestVendedParserErrors(t *testing.T) {
	huge := strings.Repeat("x", 1<<20)
	tests := []struct {
		name, proc, msg, want string
	}{
		{"WAF not JSON", "parseWAF", `action=BLOCK`, "processor 0 (parseWAF): the event is not a JSON object"},
		{"WAF a JSON list", "parseWAF", `[{"action":"BLOCK"}]`, "processor 0 (parseWAF): the event is not a JSON object"},
		{"WAF header not an object", "parseWAF", `{"httpRequest":{"headers":["Host: h"]}}`, "processor 0 (parseWAF): httpRequest.headers[0] is not an object"},
		{"WAF header without a value", "parseWAF", `{"httpRequest":{"headers":[{"name":"Host","value":"h"},{"name":"X"}]}}`, "processor 0 (parseWAF): httpRequest.headers[1] has no string name and value"},
		{"WAF header name not a string", "parseWAF", `{"httpRequest":{"headers":[{"name":1,"value":"h"}]}}`, "processor 0 (parseWAF): httpRequest.headers[0] has no string name and value"},
		{"WAF label not an object", "parseWAF", `{"labels":["a"]}`, "processor 0 (parseWAF): labels[0] is not an object"},
		{"WAF huge non-JSON", "parseWAF", huge, "processor 0 (parseWAF): the event is not a JSON object"},
		{"WAF 201 headers", "parseWAF", `{"httpRequest":{"headers":[` + manyHeaders(200) + `]}}`, "processor 0 (parseWAF): the transformed event has more than 200 fields"},

		{"Postgres plain text", "parsePostgres", `ERROR: column does not exist`, "processor 0 (parsePostgres): the event does not start with RDS for PostgreSQL's log line prefix"},
		{"Postgres no level", "parsePostgres", `2019-03-10 03:54:59 UTC:10.0.0.123(52834):postgres@logtestdb:[20175]:`, "processor 0 (parsePostgres): the event does not start"},
		{"Postgres pid not a number", "parsePostgres", `2019-03-10 03:54:59 UTC:h(1):u@d:[x]:LOG: m`, "processor 0 (parsePostgres): the event does not start"},
		{"Postgres continuation line", "parsePostgres", "\tFROM t WHERE x", "processor 0 (parsePostgres): the event does not start"},
		{"Postgres huge", "parsePostgres", huge, "processor 0 (parsePostgres): the event does not start"},
		{"Postgres prefix longer than any RDS writes", "parsePostgres", "2019-03-10 03:54:59 UTC:" + strings.Repeat("h", 1000) + "(1):u@d:[1]:LOG: m", "processor 0 (parsePostgres): the event does not start"},

		{"CloudFront header line", "parseCloudfront", "#Version: 1.0", "processor 0 (parseCloudfront): the event is a header line"},
		{"CloudFront missing field", "parseCloudfront", strings.Join(spaceFields(docCloudfrontEvent)[:32], "\t"), "processor 0 (parseCloudfront): the event has 32 fields; a CloudFront standard log record has 33, separated by spaces or tabs"},
		{"CloudFront extra field", "parseCloudfront", docCloudfrontEvent + " extra", "processor 0 (parseCloudfront): the event has 34 fields; a CloudFront standard log record has 33"},
		{"CloudFront empty", "parseCloudfront", "", "processor 0 (parseCloudfront): the event has 0 fields"},
		{"CloudFront huge", "parseCloudfront", huge, "processor 0 (parseCloudfront): the event has 1 fields"},

		{"Route 53 resolver log (JSON)", "parseRoute53", `{"version":"1.100000","query_name":"example.com."}`, "processor 0 (parseRoute53): the event has 1 fields; a Route 53 query log line has 10"},
		{"Route 53 missing field", "parseRoute53", `1.0 2017-12-13T08:15:50.235Z Z123412341234 example.com AAAA NOERROR TCP IAD12 192.0.2.0`, "processor 0 (parseRoute53): the event has 9 fields"},
		{"Route 53 version not a number", "parseRoute53", `v1 2017-12-13T08:15:50.235Z Z1 example.com AAAA NOERROR TCP IAD12 192.0.2.0 -`, `processor 0 (parseRoute53): version "v1" is not a number`},

		{"VPC custom format", "parseVPC", docVPCEvent + ` vpc-1 subnet-2`, "processor 0 (parseVPC): the event has 16 fields; a default-format VPC flow log record has 14"},
		{"VPC custom format of 14 fields with version 5", "parseVPC", `5 123456789010 eni-abc123de 192.0.2.0 192.0.2.24 20641 22 6 20 4249 1418530010 1418530070 ACCEPT ingress`, `processor 0 (parseVPC): version 5 is not 2`},
		{"VPC custom format of version-2 fields in another order", "parseVPC", `2 123456789010 eni-abc123de 192.0.2.0 192.0.2.24 20641 22 6 20 4249 1418530010 1418530070 OK ACCEPT`, `processor 0 (parseVPC): action "OK" is not ACCEPT, REJECT or -`},
		{"VPC custom format ending in another field", "parseVPC", `2 123456789010 eni-abc123de 192.0.2.0 192.0.2.24 20641 22 6 20 4249 1418530010 1418530070 ACCEPT vpc-1a2b3c4d`, `processor 0 (parseVPC): logStatus "vpc-1a2b3c4d" is not OK, NODATA or SKIPDATA`},
		{"VPC missing field", "parseVPC", `2 123456789010 eni-abc123de 192.0.2.0 192.0.2.24 20641 22 6 20 4249 1418530010 1418530070 ACCEPT`, "processor 0 (parseVPC): the event has 13 fields"},
		{"VPC port not a number", "parseVPC", `2 123456789010 eni-abc123de 192.0.2.0 192.0.2.24 http 22 6 20 4249 1418530010 1418530070 ACCEPT OK`, `processor 0 (parseVPC): srcPort "http" is neither a number nor -`},
		{"VPC hexadecimal", "parseVPC", `0x2 123456789010 eni-abc123de 192.0.2.0 192.0.2.24 1 22 6 20 4249 1418530010 1418530070 ACCEPT OK`, `processor 0 (parseVPC): version "0x2" is neither a number nor -`},
		{"VPC infinity", "parseVPC", `2 123456789010 eni-abc123de 192.0.2.0 192.0.2.24 1 22 6 20 1e999 1418530010 1418530070 ACCEPT OK`, `processor 0 (parseVPC): bytes "1e999" is neither a number nor -`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := applyError(t, `[{"`+tc.proc+`":{}}]`, tc.msg); !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error\n %q\nwant prefix\n %q", err, tc.want)
			}
		})
	}
}

// TestVendedManyFieldsIsCheap: a line of many fields is refused before it is split. A
// review found parseVPC, parseRoute53 and parseCloudfront split it first: 53 MB allocated
// for this 1 MB event.
func TestVendedManyFieldsIsCheap(t *testing.T) {
	msg := strings.Repeat("a ", 1<<19)
	for _, proc := range []string{"parseVPC", "parseRoute53", "parseCloudfront"} {
		c, err := Parse([]byte(`[{"` + proc + `":{}}]`))
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err = c.Apply(msg, testMeta)
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), "the event has 524288 fields") {
			t.Errorf("%s: Apply: %v, want the event has 524288 fields", proc, err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
			t.Errorf("%s: %d KiB allocated for a 1 MiB event of the wrong number of fields", proc, n>>10)
		}
	}
}

func TestCountSpaceFields(t *testing.T) {
	for _, s := range []string{"", " ", "a", " a ", "a b", "a\tb\r\n", "  a  b\t\tc  ", "é ü\xff x", docCloudfrontEvent, docVPCEvent} {
		if got, want := countSpaceFields(s), len(spaceFields(s)); got != want {
			t.Errorf("countSpaceFields(%q) = %d, want %d", s, got, want)
		}
	}
}

// manyHeaders is n+1 distinct WAF headers.
func manyHeaders(n int) string {
	var b strings.Builder
	for i := range n + 1 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"name":"h` + strings.Repeat("x", i) + `","value":"v"}`)
	}
	return b.String()
}

func TestVendedParseErrors(t *testing.T) {
	tests := []struct {
		name, config, want string
	}{
		{"source other than @message", `[{"parseVPC":{"source":"body"}}]`, `transformerConfig[0].parseVPC.source: value "body": must be @message: a parser of AWS vended logs reads the whole log event`},
		{"source empty", `[{"parseWAF":{"source":""}}]`, `transformerConfig[0].parseWAF.source: must be at least 1 characters long`},
		{"source too long", `[{"parseRoute53":{"source":"` + strings.Repeat("s", 129) + `"}}]`, `transformerConfig[0].parseRoute53.source: value "` + strings.Repeat("s", 129) + `": must be at most 128 characters long`},
		{"unknown member", `[{"parsePostgres":{"destination":"x"}}]`, `transformerConfig[0].parsePostgres: malformed: unknown field "destination"`},
		{"member in another case", `[{"parseCloudfront":{"Source":"@message"}}]`, `transformerConfig[0].parseCloudfront: value "Source": unknown member (names are case-sensitive); valid ones are source`},
		{"not first", `[{"parseJSON":{}},{"parseRoute53":{}}]`, `transformerConfig[1]: value "parseRoute53": a parser of AWS vended logs must be the first processor of a transformer`},
		{"not first after a mutator", `[{"csv":{}},{"trimString":{"withKeys":["a"]}},{"parseWAF":{}}]`, `transformerConfig[2]: value "parseWAF": a parser of AWS vended logs must be the first processor of a transformer`},
		{"two vended", `[{"parseVPC":{}},{"parseVPC":{}}]`, `transformerConfig[1]: value "parseVPC": a transformer can include only one parser of AWS vended logs (parseVPC is already its first processor)`},
		{"two different vended", `[{"parseCloudfront":{}},{"parsePostgres":{}}]`, `transformerConfig[1]: value "parsePostgres": a transformer can include only one parser of AWS vended logs (parseCloudfront is already its first processor)`},
		{"six parsers with a vended one", `[{"parseVPC":{}}` + strings.Repeat(`,{"parseJSON":{"source":"a"}}`, 5) + `]`, `transformerConfig[5]: value "parseJSON": a transformer can include at most 5 parser-type processors`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.config))
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("Parse(%s): %v, want a *ConfigError", tc.config, err)
			}
			if err.Error() != tc.want {
				t.Errorf("error\n %q\nwant\n %q", err, tc.want)
			}
		})
	}
}

// TestVendedThenMutators: a vended parser's fields are the event's, which the processors
// after it read like any other.
func TestVendedThenMutators(t *testing.T) {
	c, err := Parse([]byte(`[{"parseVPC":{}},{"renameKeys":{"entries":[{"key":"srcAddr","renameTo":"client"}]}},` +
		`{"typeConverter":{"entries":[{"key":"accountId","type":"integer"}]}},{"lowerCaseString":{"withKeys":["action"]}}]`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Apply(docVPCEvent, testMeta)
	want := strings.NewReplacer(`"srcAddr"`, `"client"`, `"accountId":"123456789010"`, `"accountId":123456789010`, `"ACCEPT"`, `"accept"`).Replace(docVPCWant)
	if err != nil || got != want {
		t.Errorf("Apply = %s, %v\nwant %s", got, err, want)
	}
}

func TestToNumber(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"0", "0", true}, {"1.0", "1.0", true}, {"-3", "-3", true}, {"1e3", "1e3", true},
		{"000", "0", true}, {"007", "7", true}, {"+5", "5", true}, {".5", "0.5", true}, {"5.", "5", true}, {"00.250", "0.25", true},
		{"09007199254740993", "9007199254740993", true}, {"0100000000000000000000", "1e+20", true},
		{"-", "", false}, {"", "", false}, {"0x10", "", false}, {"Inf", "", false}, {"NaN", "", false}, {"1e999", "", false},
		{"1_000", "", false}, {"1.2.3", "", false}, {"e5", "", false},
	}
	for _, tc := range tests {
		got, ok := toNumber(tc.in)
		if ok != tc.ok || string(got) != tc.want {
			t.Errorf("toNumber(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
		if ok && !json.Valid([]byte(got)) {
			t.Errorf("toNumber(%q) = %q: not a JSON number", tc.in, got)
		}
	}
}

// fuzzVended applies proc to every input: an *ApplyError or a JSON object, never a panic.
func fuzzVended(f *testing.F, proc string, seeds ...string) {
	c, err := Parse([]byte(`[{"` + proc + `":{}}]`))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		out, err := c.Apply(msg, testMeta)
		if err != nil {
			var ae *ApplyError
			if !errors.As(err, &ae) {
				t.Fatalf("error %T %v, want *ApplyError", err, err)
			}
			return
		}
		var o map[string]any
		if err := json.Unmarshal([]byte(out), &o); err != nil {
			t.Fatalf("Apply(%q) = %q: not a JSON object: %v", msg, out, err)
		}
	})
}

func FuzzParseWAF(f *testing.F) {
	fuzzVended(f, "parseWAF", docWAFEvent, `{"httpRequest":{"headers":[{"name":"a","value":"1"},{"name":"a","value":"2"}]},"labels":[{"name":"x"},{"name":"y"}]}`, `{}`, `[]`)
}

func FuzzParsePostgres(f *testing.F) {
	fuzzVended(f, "parsePostgres", docPostgresEvent, `2024-05-06 07:08:09 UTC::@:[411]:LOG:  checkpoint`, `2024-05-06 07:08:09 UTC:2001:db8::1(5432):a@b:[7]:DEBUG1: x`)
}

func FuzzParseCloudfront(f *testing.F) {
	fuzzVended(f, "parseCloudfront", docCloudfrontEvent, cfRecord(map[int]string{8: "000", 11: "%zz%E2%9C%93"}), "#Fields: date time")
}

func FuzzParseRoute53(f *testing.F) {
	fuzzVended(f, "parseRoute53", docRoute53Event, "1.0\tt\tz\tn\tA\tNOERROR\tUDP\tX\t1.2.3.4\t-")
}

func FuzzParseVPC(f *testing.F) {
	fuzzVended(f, "parseVPC", docVPCEvent, `2 123456789010 eni-1 - - - - - - - 1 2 - NODATA`, `2 1 e 1 1 00 .5 +6 5. 1e3 1 2 A OK`)
}
