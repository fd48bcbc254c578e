package insights

import (
	"strings"
	"testing"
)

// TestDocumentedExamples runs sample queries of the CloudWatch Logs user guide over small
// data sets and checks the answers the pages state or imply. Each case names its page
// (docs.aws.amazon.com/AmazonCloudWatch/latest/logs/<page>.html).
func TestDocumentedExamples(t *testing.T) {
	rec := func(ts int64, msg string) Record {
		return Record{Timestamp: ts, Message: msg, LogGroup: "123456789012:g", LogStream: "s", Ptr: "p"}
	}
	exceptions := []Record{
		rec(4000, `{"f1":"java.lang.Exception: boom"}`),
		rec(3000, `{"f1":"EXCEPTION in handler"}`),
		rec(2000, `{"f1":"Exception"}`),
		rec(1000, `{"f1":"no error"}`),
	}
	const jan15 = 1_736_942_400_000 // 2025-01-15 12:00:00 UTC
	for _, c := range []struct {
		page, q string
		recs    []Record
		want    []string
	}{
		// "Each of these three examples is case-sensitive."
		{"CWL_QuerySyntax", "fields f1, f2, f3 | filter f1 like /Exception/", exceptions,
			[]string{"f1=java.lang.Exception: boom", "f1=Exception"}},
		{"CWL_QuerySyntax", "fields f1, f2, f3 | filter f1 =~ /Exception/", exceptions,
			[]string{"f1=java.lang.Exception: boom", "f1=Exception"}},
		{"CWL_QuerySyntax", `fields f1, f2, f3 | filter f1 like "Exception"`, exceptions,
			[]string{"f1=java.lang.Exception: boom", "f1=Exception"}},
		// "The query is not case-sensitive."
		{"CWL_QuerySyntax", "fields f1, f2, f3 | filter f1 like /(?i)Exception/", exceptions,
			[]string{"f1=java.lang.Exception: boom", "f1=EXCEPTION in handler", "f1=Exception"}},
		// "... is exactly the word Exception. The query is not case-sensitive."
		{"CWL_QuerySyntax", "fields f1, f2, f3 | filter f1 =~ /^(?i)Exception$/", exceptions,
			[]string{"f1=Exception"}},
		// "Enclose your match string with double quotes or single quotes to perform
		// substring matching": with =~ too, a quoted "." is a dot, not any character.
		{"CWL_QuerySyntax", `filter a =~ "x.y" | fields a`,
			[]Record{rec(2, `{"a":"axzy"}`), rec(1, `{"a":"ax.y"}`)}, []string{"a=ax.y"}},
		// "filter statusCode like /2\d\d/ returns log events where the field statusCode
		// has a value between 200 and 299."
		{"CWL_QuerySyntax", `fields f1 | filter statusCode like /2\d\d/ | fields statusCode`,
			[]Record{rec(3, `{"statusCode":404}`), rec(2, `{"statusCode":201}`), rec(1, `{"statusCode":500}`)},
			[]string{"statusCode=201"}},
		// The function table's own examples.
		{"CWL_QuerySyntax", `fields ltrim("xyZfooxyZ","xyZ") as l, rtrim("xyZfooxyZ","xyZ") as r, trim("xyZfooxyZ","xyZ") as t, substr("xyZfooxyZ",3, 3) as s, replace("foo","o","0") as p, 2 ^ 3 as e, 10 % 3 as m`,
			[]Record{rec(1, "x")}, []string{"l=fooxyZ; r=xyZfoo; t=foo; s=foo; p=f00; e=8; m=1"}},
		// The glob parse example, and average latency per method and user.
		{"CWL_QuerySyntax", `parse @message "user=*, method:*, latency := *" as @user, @method, @latency | stats avg(@latency) by @method, @user`,
			[]Record{rec(3, "user=ann, method:GET, latency := 30"), rec(2, "user=ann, method:GET, latency := 50"), rec(1, "user=bob, method:PUT, latency := 7")},
			[]string{"@method=GET; @user=ann; avg(@latency)=40", "@method=PUT; @user=bob; avg(@latency)=7"}},
		// The squid access log regular expression, named groups written (?<name>...).
		{"CWL_QuerySyntax", `parse @message /(?<time>[0-9]{10}\.[0-9]{1,3}) .* (?<code>[A-Z_]+\/[0-9]{3}) (?<url>[a-zA-Z.]+:[0-9]{1,5})/ | fields time, code, url`,
			[]Record{rec(1, "1286536309.450 1 192.0.2.1 TCP_MISS/200 www.example.com:443 -")},
			[]string{"time=1286536309.450; code=TCP_MISS/200; url=www.example.com:443"}},
		// "If a log event doesn't match the specified pattern, you still see it in the
		// results, but without the extracted fields"; chained parse.
		{"CWL_QuerySyntax-Parse", `parse @message "url=*" as url | parse url "/api/*/users/*" as apiVersion, userId | display apiVersion, userId`,
			[]Record{rec(3, "GET url=/api/v2/users/42"), rec(2, "no url here"), rec(1, "url=/health")},
			[]string{"apiVersion=v2; userId=42", "", ""}},
		{"CWL_QuerySyntax-Parse", `parse @logStream "*/*/*/*" as env, service, instance, shard | stats count(*) by env, service`,
			[]Record{
				{Timestamp: 3, Message: "a", LogStream: "prod/api/i-1/0", Ptr: "p"},
				{Timestamp: 2, Message: "b", LogStream: "prod/api/i-2/1", Ptr: "p"},
				{Timestamp: 1, Message: "c", LogStream: "dev/web/i-3/0", Ptr: "p"},
			},
			[]string{"env=prod; service=api; count(*)=2", "env=dev; service=web; count(*)=1"}},
		// A named capturing group on a VPC flow log.
		{"CWL_QuerySyntax-Parse", `parse @message /(?<NetworkInterface>eni-.*?) / | display NetworkInterface, @message`,
			[]Record{rec(1, "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK")},
			[]string{"NetworkInterface=eni-1235b8ca123456789; @message=2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK"}},
		// "See only the most recent log event for each unique value of the field named
		// server"; "Log events with null values for any of the specified fields are
		// retained."
		{"CWL_QuerySyntax-Dedup", "fields @timestamp, server, severity, message | sort @timestamp desc | dedup server",
			[]Record{rec(1000, `{"server":"a","severity":"low","message":"old a"}`), rec(4000, `{"server":"a","severity":"high","message":"new a"}`),
				rec(3000, `{"server":"b","severity":"low","message":"b"}`), rec(2000, `{"severity":"low","message":"no server 1"}`), rec(500, `{"message":"no server 2"}`)},
			[]string{
				"@timestamp=1970-01-01 00:00:04.000; server=a; severity=high; message=new a",
				"@timestamp=1970-01-01 00:00:03.000; server=b; severity=low; message=b",
				"@timestamp=1970-01-01 00:00:02.000; severity=low; message=no server 1",
				"@timestamp=1970-01-01 00:00:00.500; message=no server 2",
			}},
		// "returns log events where the value for range is greater than 3000 and value for
		// accountId is equal to 123456789012"
		{"CWL_QuerySyntax-Filter", "fields @timestamp, @message | filter (range>3000 and accountId=123456789012) | sort @timestamp desc | limit 20",
			[]Record{rec(1000, `{"range":4000,"accountId":"123456789012"}`), rec(3000, `{"range":3000,"accountId":123456789012}`),
				rec(2000, `{"range":3001,"accountId":123456789012}`), rec(4000, `{"range":9000,"accountId":210987654321}`)},
			[]string{
				`@timestamp=1970-01-01 00:00:02.000; @message={"range":3001,"accountId":123456789012}`,
				`@timestamp=1970-01-01 00:00:01.000; @message={"range":4000,"accountId":"123456789012"}`,
			}},
		// Lambda: a stats item computed from the names of earlier ones. (The service
		// discovers @type, @memorySize and @maxMemoryUsed in REPORT lines; here parse
		// makes them.)
		{"CWL_QuerySyntax-examples", `parse @message "* size=* used=*" as @type, @memorySize, @maxMemoryUsed
| filter @type = "REPORT"
| stats max(@memorySize / 1024 / 1024) as provisonedMemoryMB,
    min(@maxMemoryUsed / 1024 / 1024) as smallestMemoryRequestMB,
    avg(@maxMemoryUsed / 1024 / 1024) as avgMemoryUsedMB,
    max(@maxMemoryUsed / 1024 / 1024) as maxMemoryUsedMB,
    provisonedMemoryMB - maxMemoryUsedMB as overProvisionedMB`,
			[]Record{
				rec(3, "REPORT size=1073741824 used=536870912"),
				rec(2, "START size=1 used=1"),
				rec(1, "REPORT size=1073741824 used=268435456"),
			},
			[]string{"provisonedMemoryMB=1024; smallestMemoryRequestMB=256; avgMemoryUsedMB=384; maxMemoryUsedMB=512; overProvisionedMB=512"}},
		// VPC flow logs: "stats count(*) by bin(1h) as t | sort t".
		{"CWL_QuerySyntax-examples", `filter logStatus="SKIPDATA" | stats count(*) by bin(1h) as t | sort t asc`,
			[]Record{rec(7_300_000, `{"logStatus":"SKIPDATA"}`), rec(7_200_000, `{"logStatus":"OK"}`), rec(3_700_000, `{"logStatus":"SKIPDATA"}`), rec(3_600_000, `{"logStatus":"SKIPDATA"}`)},
			[]string{"t=1970-01-01 01:00:00.000; count(*)=2", "t=1970-01-01 02:00:00.000; count(*)=1"}},
		// bin's units: "millisecond ms msec", "hour h hr" and plurals ("hrs"), and the
		// calendar units month (mo), quarter (q) and year (y).
		{"CWL_QuerySyntax-Stats", `stats count(*) by bin(250msec) as a, bin(1hrs) as b, bin(1mo) as c, bin(1q) as d, bin(1y) as e, bin(2minutes) as f`,
			[]Record{rec(jan15+125_999, "x")},
			[]string{"a=2025-01-15 12:02:05.750; b=2025-01-15 12:00:00.000; c=2025-01-01 00:00:00.000; d=2025-01-01 00:00:00.000; e=2025-01-01 00:00:00.000; f=2025-01-15 12:02:00.000; count(*)=1"}},
		{"CWL_QuerySyntax-Stats", `fields datefloor(@timestamp, 1q) as f, dateceil(@timestamp, 1q) as c, dateceil(@timestamp, 6mon) as h`,
			[]Record{rec(jan15+86_400_000*60, "x")}, // 2025-03-16
			[]string{"f=2025-01-01 00:00:00.000; c=2025-04-01 00:00:00.000; h=2025-07-01 00:00:00.000"}},
	} {
		t.Run(c.page, func(t *testing.T) {
			got, _ := runQuery(t, c.q, false, c.recs, Options{})
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("%s\ngot:\n%s\nwant:\n%s", c.q, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}
