package interop

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// The user guide's examples for the parsers of AWS vended logs
// (CloudWatch-Logs-Transformation-BuiltIn.html), as events and the JSON the page shows for
// them (compared as JSON values).
const (
	vendedVPCEvent = `2 123456789010 eni-abc123de 192.0.2.0 192.0.2.24 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK`
	vendedVPCWant  = `{"version":2,"accountId":"123456789010","interfaceId":"eni-abc123de","srcAddr":"192.0.2.0","dstAddr":"192.0.2.24",` +
		`"srcPort":20641,"dstPort":22,"protocol":6,"packets":20,"bytes":4249,"start":1418530010,"end":1418530070,"action":"ACCEPT","logStatus":"OK"}`
	vendedCloudfrontEvent = "2019-12-04\t21:02:31\tLAX1\t392\t192.0.2.24\tGET\td111111abcdef8.cloudfront.net\t/index.html\t200\t-\t" +
		"Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/78.0.3904.108%20Safari/537.36\t" +
		"-\t-\tHit\tSOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==\td111111abcdef8.cloudfront.net\thttps\t23\t0.001\t-\tTLSv1.2\t" +
		"ECDHE-RSA-AES128-GCM-SHA256\tHit\tHTTP/2.0\t-\t-\t11040\t0.001\tHit\ttext/html\t78\t-\t-"
	vendedCloudfrontWant = `{"date":"2019-12-04","time":"21:02:31","x-edge-location":"LAX1","sc-bytes":392,"c-ip":"192.0.2.24","cs-method":"GET",` +
		`"cs(Host)":"d111111abcdef8.cloudfront.net","cs-uri-stem":"/index.html","sc-status":200,"cs(Referer)":"-",` +
		`"cs(User-Agent)":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36",` +
		`"cs-uri-query":"-","cs(Cookie)":"-","x-edge-result-type":"Hit","x-edge-request-id":"SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==",` +
		`"x-host-header":"d111111abcdef8.cloudfront.net","cs-protocol":"https","cs-bytes":23,"time-taken":0.001,"x-forwarded-for":"-",` +
		`"ssl-protocol":"TLSv1.2","ssl-cipher":"ECDHE-RSA-AES128-GCM-SHA256","x-edge-response-result-type":"Hit","cs-protocol-version":"HTTP/2.0",` +
		`"fle-status":"-","fle-encrypted-fields":"-","c-port":11040,"time-to-first-byte":0.001,"x-edge-detailed-result-type":"Hit",` +
		`"sc-content-type":"text/html","sc-content-len":78,"sc-range-start":"-","sc-range-end":"-"}`
)

// sdkVendedCases: each vended parser from the SDK's Processor union, with the documented
// event and its transformation, and a line of another shape that it cannot transform.
var sdkVendedCases = []struct {
	name      string
	proc      types.Processor
	msg, want string
	malformed string
}{
	{"parseVPC", types.Processor{ParseVPC: &types.ParseVPC{}}, vendedVPCEvent, vendedVPCWant, vendedVPCEvent + " vpc-1"},
	{"parseCloudfront", types.Processor{ParseCloudfront: &types.ParseCloudfront{Source: aws.String("@message")}}, vendedCloudfrontEvent, vendedCloudfrontWant, "#Version: 1.0"},
	{"parseRoute53", types.Processor{ParseRoute53: &types.ParseRoute53{}},
		`1.0 2017-12-13T08:15:50.235Z Z123412341234 example.com AAAA NOERROR TCP IAD12 192.0.2.0 198.51.100.0/24`,
		`{"version":1.0,"queryTimestamp":"2017-12-13T08:15:50.235Z","hostZoneId":"Z123412341234","queryName":"example.com","queryType":"AAAA",` +
			`"responseCode":"NOERROR","protocol":"TCP","edgeLocation":"IAD12","resolverIp":"192.0.2.0","ednsClientSubnet":"198.51.100.0/24"}`,
		`{"query_name":"example.com."}`},
	{"parsePostgres", types.Processor{ParsePostgres: &types.ParsePostgres{}},
		`2019-03-10 03:54:59 UTC:10.0.0.123(52834):postgres@logtestdb:[20175]:ERROR: column "wrong_column_name" does not exist at character 8`,
		`{"logTime":"2019-03-10 03:54:59 UTC","srcIp":"10.0.0.123(52834)","userName":"postgres","dbName":"logtestdb","processId":"20175","logLevel":"ERROR"}`,
		"\tFROM t"},
	{"parseWAF", types.Processor{ParseWAF: &types.ParseWAF{}},
		`{"timestamp":1576280412771,"action":"BLOCK","httpRequest":{"clientIp":"1.1.1.1","headers":[{"name":"Host","value":"localhost:1989"},{"name":"x-stm-test","value":"10 AND 1=1"}],"uri":"/myUri"},"labels":[{"name":"value"}]}`,
		`{"httpRequest":{"headers":{"Host":"localhost:1989","x-stm-test":"10 AND 1=1"},"clientIp":"1.1.1.1","uri":"/myUri"},"labels":{"name":"value"},"timestamp":1576280412771,"action":"BLOCK"}`,
		`action=BLOCK`},
}

// TestServerSDKVendedParsers runs the parsers of AWS vended logs through aws-sdk-go-v2:
// TestTransformer answers the user guide's example events with the documented JSON and a
// malformed line with no transformation; the SDK's typed exception carries the
// configuration rules (first processor, one per transformer, source @message); and a
// parseVPC transformer put with PutTransformer makes the fields that a Logs Insights query
// filters, sums and counts, numbers as numbers, with @transformationError on the line it
// could not parse.
func TestServerSDKVendedParsers(t *testing.T) {
	c := sdkClient(startStrictServer(t), sdkAccessKeyID, sdkSecret)
	ctx := context.Background()

	t.Run("TestTransformer", func(t *testing.T) {
		for _, tc := range sdkVendedCases {
			out, err := c.TestTransformer(ctx, &cloudwatchlogs.TestTransformerInput{
				TransformerConfig: []types.Processor{tc.proc}, LogEventMessages: []string{tc.msg, tc.malformed}})
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
				continue
			}
			if len(out.TransformedLogs) != 2 {
				t.Errorf("%s: %d records, want 2", tc.name, len(out.TransformedLogs))
				continue
			}
			if got := out.TransformedLogs[0].TransformedEventMessage; got == nil || !sameJSON(*got, tc.want) {
				t.Errorf("%s: transformed %v\nwant %s", tc.name, asJSON(got), tc.want)
			}
			if got := out.TransformedLogs[1].TransformedEventMessage; got != nil {
				t.Errorf("%s: malformed line %q transformed to %s, want none", tc.name, tc.malformed, *got)
			}
		}
	})

	t.Run("ConfigRules", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			cfg  []types.Processor
			want string
		}{
			{"not first", []types.Processor{{ParseJSON: &types.ParseJSON{}}, {ParseVPC: &types.ParseVPC{}}},
				`transformerConfig[1]: value "parseVPC": a parser of AWS vended logs must be the first processor of a transformer`},
			{"two", []types.Processor{{ParseWAF: &types.ParseWAF{}}, {ParseRoute53: &types.ParseRoute53{}}},
				`transformerConfig[1]: value "parseRoute53": a transformer can include only one parser of AWS vended logs`},
			{"source", []types.Processor{{ParsePostgres: &types.ParsePostgres{Source: aws.String("body")}}},
				`transformerConfig[0].parsePostgres.source: value "body": must be @message`},
		} {
			_, err := c.TestTransformer(ctx, &cloudwatchlogs.TestTransformerInput{TransformerConfig: tc.cfg, LogEventMessages: []string{"x"}})
			wantErrContains[*types.InvalidParameterException](t, tc.name, err, tc.want)
		}
	})

	t.Run("InsightsReadsParsedVPC", func(t *testing.T) {
		const group = "sdk-vended-vpc"
		if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String("eni")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutTransformer(ctx, &cloudwatchlogs.PutTransformerInput{LogGroupIdentifier: aws.String(group),
			TransformerConfig: []types.Processor{{ParseVPC: &types.ParseVPC{}}}}); err != nil {
			t.Fatal(err)
		}
		base := time.Now().Add(-time.Minute).Truncate(time.Second)
		msgs := []string{
			vendedVPCEvent,
			`2 123456789010 eni-abc123de 192.0.2.9 192.0.2.24 40000 22 6 3 751 1418530070 1418530130 REJECT OK`,
			`2 123456789010 eni-abc123de 192.0.2.7 192.0.2.24 40001 443 6 10 1000 1418530070 1418530130 ACCEPT OK`,
			`2 123456789010 eni-abc123de - - - - - - - 1418530130 1418530190 - NODATA`,
			`not a flow log record`,
		}
		var evs []types.InputLogEvent
		for i, m := range msgs {
			evs = append(evs, types.InputLogEvent{Timestamp: aws.Int64(base.Add(time.Duration(i) * time.Second).UnixMilli()), Message: aws.String(m)})
		}
		if _, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("eni"), LogEvents: evs}); err != nil {
			t.Fatal(err)
		}
		for _, q := range []struct {
			query string
			want  []string
		}{
			{"filter dstPort = 22 | fields srcAddr, srcPort, bytes, action | sort @timestamp asc",
				[]string{"srcAddr=192.0.2.0 srcPort=20641 bytes=4249 action=ACCEPT", "srcAddr=192.0.2.9 srcPort=40000 bytes=751 action=REJECT"}},
			{"filter bytes > 900 | stats sum(bytes) as total, count(*) as n by action",
				[]string{"action=ACCEPT total=5249 n=2"}},
			{"filter logStatus = 'NODATA' | fields interfaceId, srcPort, start",
				[]string{"interfaceId=eni-abc123de srcPort=- start=1418530130"}},
			{"filter ispresent(@transformationError) | fields @message",
				[]string{"@message=not a flow log record"}},
		} {
			rows := sdkQuery(t, ctx, c, &cloudwatchlogs.StartQueryInput{LogGroupNames: []string{group},
				StartTime: aws.Int64(base.Unix() - 60), EndTime: aws.Int64(base.Unix() + 60), QueryString: aws.String(q.query)})
			if !slices.Equal(rows, q.want) {
				t.Errorf("%s:\n rows %q\nwant %q", q.query, rows, q.want)
			}
		}
	})
}
