package conformance

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
)

// TestAWSCLIVendedParsers drives the parsers of AWS vended logs through AWS CLI v1 (6
// invocations when the query has ended at the first poll): test-transformer with parseVPC on
// the user guide's example record and a custom-format line it cannot parse, the same with
// parseRoute53, put-transformer with parsePostgres and a Logs Insights query reading the
// fields it made (start-query, get-query-results), and the recorded error of a vended parser
// that is not the first processor.
func TestAWSCLIVendedParsers(t *testing.T) {
	t.Parallel()
	cli := findCLI(t, 1)
	srv := startServer(t)
	cli.configure(t, srv.URL(), testAccessKeyID, testSecretAccessKey)
	ctx := context.Background()
	c := newClient(t, srv.URL())

	type transformed struct {
		TransformedLogs []struct {
			EventNumber             int64   `json:"eventNumber"`
			EventMessage            string  `json:"eventMessage"`
			TransformedEventMessage *string `json:"transformedEventMessage"`
		} `json:"transformedLogs"`
	}
	for _, tc := range []struct {
		proc, msg, want, malformed string
	}{
		{"parseVPC", `2 123456789010 eni-abc123de 192.0.2.0 192.0.2.24 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK`,
			`{"version":2,"accountId":"123456789010","interfaceId":"eni-abc123de","srcAddr":"192.0.2.0","dstAddr":"192.0.2.24",` +
				`"srcPort":20641,"dstPort":22,"protocol":6,"packets":20,"bytes":4249,"start":1418530010,"end":1418530070,"action":"ACCEPT","logStatus":"OK"}`,
			`5 vpc-1 subnet-2 eni-3`},
		{"parseRoute53", `1.0 2017-12-13T08:15:50.235Z Z123412341234 example.com AAAA NOERROR TCP IAD12 192.0.2.0 198.51.100.0/24`,
			`{"version":1.0,"queryTimestamp":"2017-12-13T08:15:50.235Z","hostZoneId":"Z123412341234","queryName":"example.com","queryType":"AAAA",` +
				`"responseCode":"NOERROR","protocol":"TCP","edgeLocation":"IAD12","resolverIp":"192.0.2.0","ednsClientSubnet":"198.51.100.0/24"}`,
			`{"query_name":"example.com."}`},
	} {
		var got transformed
		cli.ok(t, &got, "test-transformer", "--transformer-config", `[{"`+tc.proc+`":{}}]`, "--log-event-messages", tc.msg, tc.malformed)
		l := got.TransformedLogs
		if len(l) != 2 || l[0].EventNumber != 1 || l[0].EventMessage != tc.msg || l[0].TransformedEventMessage == nil ||
			!sameJSONText(*l[0].TransformedEventMessage, tc.want) || l[1].EventMessage != tc.malformed || l[1].TransformedEventMessage != nil {
			t.Errorf("test-transformer %s: %+v\nwant %s and none", tc.proc, l, tc.want)
		}
	}

	const group = "/cli/rds/postgresql"
	if err := c.CreateLogGroup(ctx, &cwlogs.CreateLogGroupInput{LogGroupName: group}); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateLogStream(ctx, &cwlogs.CreateLogStreamInput{LogGroupName: group, LogStreamName: "db-1"}); err != nil {
		t.Fatal(err)
	}
	cli.ok(t, nil, "put-transformer", "--log-group-identifier", group, "--transformer-config", `[{"parsePostgres":{"source":"@message"}}]`)
	base := time.Now().Add(-time.Minute).Truncate(time.Second)
	if _, err := c.PutLogEvents(ctx, &cwlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: "db-1", LogEvents: []cwlogs.InputLogEvent{
		{Timestamp: base.UnixMilli(), Message: `2019-03-10 03:54:59 UTC:10.0.0.123(52834):postgres@logtestdb:[20175]:ERROR: column "wrong_column_name" does not exist at character 8`},
		{Timestamp: base.UnixMilli() + 1, Message: `2019-03-10 03:55:00 UTC::@:[411]:LOG:  checkpoint starting: time`},
	}}); err != nil {
		t.Fatal(err)
	}
	fields := cliQueryOneRow(t, cli, group, base, "filter logLevel = 'ERROR' | fields userName, dbName, srcIp, processId")
	if fields["userName"] != "postgres" || fields["dbName"] != "logtestdb" || fields["srcIp"] != "10.0.0.123(52834)" || fields["processId"] != "20175" {
		t.Errorf("query row: %v", fields)
	}

	cli.fail(t, "InvalidParameterException", "TestTransformer",
		`Invalid transformerConfig: transformerConfig[1]: value "parseWAF": a parser of AWS vended logs must be the first processor of a transformer`,
		"test-transformer", "--transformer-config", `[{"parseJSON":{}},{"parseWAF":{}}]`, "--log-event-messages", "{}")
}

// sameJSONText reports whether a and b are the same JSON value.
func sameJSONText(a, b string) bool {
	var va, vb any
	if json.Unmarshal([]byte(a), &va) != nil || json.Unmarshal([]byte(b), &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}
