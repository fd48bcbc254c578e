package interop

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// wantErrContains checks that err is (via errors.As) a *T whose message contains part.
func wantErrContains[T interface {
	error
	ErrorMessage() string
}](t *testing.T, what string, err error, part string) {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Errorf("%s: error %v (%T), want %T", what, err, err, target)
		return
	}
	if !strings.Contains(target.ErrorMessage(), part) {
		t.Errorf("%s: message %q, want it to contain %q", what, target.ErrorMessage(), part)
	}
}

// sameJSON reports whether a and b are the same JSON value (objects compared by members).
func sameJSON(a, b string) bool {
	var va, vb any
	if json.Unmarshal([]byte(a), &va) != nil || json.Unmarshal([]byte(b), &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

// sdkTransformerCases are transformer configurations built from the SDK's Processor union
// members, each with a message and the JSON its transformation gives (per the user guide's
// processor descriptions), or "" when the message cannot be transformed.
var sdkTransformerCases = []struct {
	name string
	cfg  []types.Processor
	msg  string
	want string
}{
	{
		name: "json mutators",
		cfg: []types.Processor{
			{ParseJSON: &types.ParseJSON{}},
			{RenameKeys: &types.RenameKeys{Entries: []types.RenameKeyEntry{{Key: aws.String("lvl"), RenameTo: aws.String("level")}}}},
			{LowerCaseString: &types.LowerCaseString{WithKeys: []string{"level"}}},
			{AddKeys: &types.AddKeys{Entries: []types.AddKeyEntry{
				{Key: aws.String("env"), Value: aws.String("prod")},
				{Key: aws.String("code"), Value: aws.String("zz"), OverwriteIfExists: false},
			}}},
			{CopyValue: &types.CopyValue{Entries: []types.CopyValueEntry{{Source: aws.String("level"), Target: aws.String("severity")}}}},
			{TypeConverter: &types.TypeConverter{Entries: []types.TypeConverterEntry{{Key: aws.String("n"), Type: types.TypeInteger}}}},
			{DeleteKeys: &types.DeleteKeys{WithKeys: []string{"secret"}}},
			{TrimString: &types.TrimString{WithKeys: []string{"msg"}}},
			{SubstituteString: &types.SubstituteString{Entries: []types.SubstituteStringEntry{{Source: aws.String("msg"), From: aws.String("foo"), To: aws.String("bar")}}}},
			{UpperCaseString: &types.UpperCaseString{WithKeys: []string{"code"}}},
			{MoveKeys: &types.MoveKeys{Entries: []types.MoveKeyEntry{{Source: aws.String("env"), Target: aws.String("meta.env"), OverwriteIfExists: true}}}},
		},
		msg:  `{"lvl":"WARN","n":"42","secret":"x","msg":"  foo here  ","code":"ab"}`,
		want: `{"level":"warn","n":42,"msg":"bar here","code":"AB","severity":"warn","meta":{"env":"prod"}}`,
	},
	{
		name: "key-value",
		cfg: []types.Processor{
			{ParseKeyValue: &types.ParseKeyValue{FieldDelimiter: aws.String(";"), KeyValueDelimiter: aws.String(":"), KeyPrefix: aws.String("kv_")}},
		},
		msg:  "a:1;b:two",
		want: `{"kv_a":"1","kv_b":"two"}`,
	},
	{
		name: "csv and split",
		cfg: []types.Processor{
			{Csv: &types.CSV{Columns: []string{"host", "tags"}, Delimiter: aws.String(","), QuoteCharacter: aws.String(`'`)}},
			{SplitString: &types.SplitString{Entries: []types.SplitStringEntry{{Source: aws.String("tags"), Delimiter: aws.String("|")}}}},
		},
		msg:  "web-1,'a|b'",
		want: `{"host":"web-1","tags":["a","b"]}`,
	},
	{
		name: "grok and date",
		cfg: []types.Processor{
			{Grok: &types.Grok{Match: aws.String("%{WORD:verb} %{NUMBER:status} %{GREEDYDATA:when}")}},
			{DateTimeConverter: &types.DateTimeConverter{Source: aws.String("when"), Target: aws.String("iso"),
				MatchPatterns: []string{"yyyy-MM-dd HH:mm:ss"}, TargetFormat: aws.String("yyyy-MM-dd'T'HH:mm:ss'Z'")}},
		},
		msg:  "GET 200 2024-05-06 07:08:09",
		want: `{"verb":"GET","status":"200","when":"2024-05-06 07:08:09","iso":"2024-05-06T07:08:09Z"}`,
	},
	{
		name: "list to map",
		cfg: []types.Processor{
			{ParseJSON: &types.ParseJSON{}},
			{ListToMap: &types.ListToMap{Source: aws.String("items"), Key: aws.String("k"), ValueKey: aws.String("v"), Target: aws.String("m"),
				Flatten: true, FlattenedElement: types.FlattenedElementLast}},
		},
		msg:  `{"items":[{"k":"a","v":1},{"k":"a","v":2},{"k":"b","v":3}]}`,
		want: `{"items":[{"k":"a","v":1},{"k":"a","v":2},{"k":"b","v":3}],"m":{"a":2,"b":3}}`,
	},
	{
		name: "not JSON",
		cfg:  []types.Processor{{ParseJSON: &types.ParseJSON{}}},
		msg:  "plain text",
		want: "",
	},
}

// TestServerSDKTransformers runs PutTransformer, GetTransformer, DeleteTransformer and
// TestTransformer through aws-sdk-go-v2's client: every configuration the SDK serializes
// from its Processor union comes back from GetTransformer equal (the union decoded member by
// member), TestTransformer answers each message with its number and the transformed JSON
// (nil when it cannot be transformed), Logs Insights and GetLogGroupFields read events put
// afterwards transformed (and @transformationError for one that failed) while GetLogEvents
// shows them as sent, and the errors are the SDK's typed exceptions.
func TestServerSDKTransformers(t *testing.T) {
	c := sdkClient(startStrictServer(t), sdkAccessKeyID, sdkSecret)
	ctx := context.Background()
	const group = "sdk-transformers"
	arn := "arn:aws:logs:us-east-1:" + sdkAccount + ":log-group:" + group
	for _, in := range []*cloudwatchlogs.CreateLogGroupInput{
		{LogGroupName: aws.String(group)},
		{LogGroupName: aws.String("sdk-ia"), LogGroupClass: types.LogGroupClassInfrequentAccess},
	} {
		if _, err := c.CreateLogGroup(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}

	t.Run("TestTransformer", func(t *testing.T) {
		for _, tc := range sdkTransformerCases {
			msgs := []string{tc.msg, tc.msg + " "}
			out, err := c.TestTransformer(ctx, &cloudwatchlogs.TestTransformerInput{TransformerConfig: tc.cfg, LogEventMessages: msgs})
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
				continue
			}
			if len(out.TransformedLogs) != len(msgs) {
				t.Errorf("%s: %d records, want %d", tc.name, len(out.TransformedLogs), len(msgs))
				continue
			}
			for i, r := range out.TransformedLogs {
				if r.EventNumber != int64(i+1) || aws.ToString(r.EventMessage) != msgs[i] {
					t.Errorf("%s: record %d: number %d message %q, want %d %q", tc.name, i, r.EventNumber, aws.ToString(r.EventMessage), i+1, msgs[i])
				}
			}
			got := out.TransformedLogs[0].TransformedEventMessage
			switch {
			case tc.want == "" && got != nil:
				t.Errorf("%s: transformed %q, want none", tc.name, *got)
			case tc.want != "" && (got == nil || !sameJSON(*got, tc.want)):
				t.Errorf("%s: transformed %v, want %s", tc.name, asJSON(got), tc.want)
			}
		}
		_, err := c.TestTransformer(ctx, &cloudwatchlogs.TestTransformerInput{
			TransformerConfig: []types.Processor{{ParseJSON: &types.ParseJSON{}}, {ParseToOCSF: &types.ParseToOCSF{EventSource: types.EventSourceVpcFlow, OcsfVersion: types.OCSFVersionV11}}},
			LogEventMessages:  []string{"x"},
		})
		wantErrContains[*types.InvalidParameterException](t, "parseToOCSF", err, "the parseToOCSF processor is not supported by this server")
		_, err = c.TestTransformer(ctx, &cloudwatchlogs.TestTransformerInput{
			TransformerConfig: []types.Processor{{TrimString: &types.TrimString{WithKeys: []string{"a"}}}},
			LogEventMessages:  []string{"x"},
		})
		wantErrContains[*types.InvalidParameterException](t, "first not a parser", err, "the first processor of a transformer must be a parser")
	})

	t.Run("PutGetDelete", func(t *testing.T) {
		get, err := c.GetTransformer(ctx, &cloudwatchlogs.GetTransformerInput{LogGroupIdentifier: aws.String(group)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(get.LogGroupIdentifier) != group || get.TransformerConfig != nil || get.CreationTime != nil || get.LastModifiedTime != nil {
			t.Errorf("GetTransformer without one: %s", asJSON(get))
		}
		_, err = c.DeleteTransformer(ctx, &cloudwatchlogs.DeleteTransformerInput{LogGroupIdentifier: aws.String(group)})
		wantErr[*types.ResourceNotFoundException](t, "delete without one", err, "The specified log group does not have a transformer.")

		var created, lastModified int64
		for i, tc := range sdkTransformerCases {
			before := time.Now().UnixMilli()
			ident := group
			if i%2 == 1 {
				ident = arn
			}
			if _, err := c.PutTransformer(ctx, &cloudwatchlogs.PutTransformerInput{LogGroupIdentifier: aws.String(ident), TransformerConfig: tc.cfg}); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			after := time.Now().UnixMilli()
			get, err := c.GetTransformer(ctx, &cloudwatchlogs.GetTransformerInput{LogGroupIdentifier: aws.String(ident)})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(get.TransformerConfig, tc.cfg) {
				t.Errorf("%s: GetTransformer config\n got %s\nwant %s", tc.name, asJSON(get.TransformerConfig), asJSON(tc.cfg))
			}
			if aws.ToString(get.LogGroupIdentifier) != ident {
				t.Errorf("%s: logGroupIdentifier %q, want %q", tc.name, aws.ToString(get.LogGroupIdentifier), ident)
			}
			if get.CreationTime == nil || get.LastModifiedTime == nil {
				t.Fatalf("%s: times missing: %s", tc.name, asJSON(get))
			}
			if i == 0 {
				created = *get.CreationTime
			}
			// A replacement keeps creationTime; lastModifiedTime is the put's, or 1 ms
			// after the previous change when that is not earlier (so each is later than
			// the last, by at most one ms a put beyond the clock).
			if *get.CreationTime != created || *get.LastModifiedTime <= lastModified ||
				*get.LastModifiedTime < before || *get.LastModifiedTime > after+int64(i) {
				t.Errorf("%s: creationTime %d lastModifiedTime %d, want %d and in (%d, %d+%d] from %d", tc.name,
					*get.CreationTime, *get.LastModifiedTime, created, lastModified, after, i, before)
			}
			lastModified = *get.LastModifiedTime
		}
		if _, err := c.DeleteTransformer(ctx, &cloudwatchlogs.DeleteTransformerInput{LogGroupIdentifier: aws.String(arn)}); err != nil {
			t.Fatal(err)
		}
		if get, err := c.GetTransformer(ctx, &cloudwatchlogs.GetTransformerInput{LogGroupIdentifier: aws.String(group)}); err != nil || get.TransformerConfig != nil {
			t.Errorf("GetTransformer after delete: %s %v", asJSON(get), err)
		}

		cfg := sdkTransformerCases[0].cfg
		_, err = c.PutTransformer(ctx, &cloudwatchlogs.PutTransformerInput{LogGroupIdentifier: aws.String("sdk-missing"), TransformerConfig: cfg})
		wantErr[*types.ResourceNotFoundException](t, "missing group", err, "The specified log group does not exist.")
		_, err = c.GetTransformer(ctx, &cloudwatchlogs.GetTransformerInput{LogGroupIdentifier: aws.String("sdk-missing")})
		wantErr[*types.ResourceNotFoundException](t, "get of a missing group", err, "The specified log group does not exist.")
		_, err = c.PutTransformer(ctx, &cloudwatchlogs.PutTransformerInput{LogGroupIdentifier: aws.String("sdk-ia"), TransformerConfig: cfg})
		wantErr[*types.InvalidParameterException](t, "Infrequent Access group", err, "Transformers can be created only for log groups in the STANDARD log class.")
		_, err = c.PutTransformer(ctx, &cloudwatchlogs.PutTransformerInput{LogGroupIdentifier: aws.String(group),
			TransformerConfig: []types.Processor{{ParseJSON: &types.ParseJSON{}}, {AddKeys: &types.AddKeys{Entries: []types.AddKeyEntry{{Key: aws.String(strings.Repeat("k", 129)), Value: aws.String("v")}}}}}})
		wantErrContains[*types.InvalidParameterException](t, "long key", err, "transformerConfig[1].addKeys.entries[0].key")
	})

	t.Run("InsightsReadsTransformed", func(t *testing.T) {
		if _, err := c.PutTransformer(ctx, &cloudwatchlogs.PutTransformerInput{LogGroupIdentifier: aws.String(group), TransformerConfig: sdkTransformerCases[0].cfg}); err != nil {
			t.Fatal(err)
		}
		base := time.Now().Add(-time.Minute).Truncate(time.Second)
		msgs := []string{sdkTransformerCases[0].msg, "not json"}
		var evs []types.InputLogEvent
		for i, m := range msgs {
			evs = append(evs, types.InputLogEvent{Timestamp: aws.Int64(base.Add(time.Duration(i) * time.Second).UnixMilli()), Message: aws.String(m)})
		}
		if _, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s"), LogEvents: evs}); err != nil {
			t.Fatal(err)
		}
		rows := sdkQuery(t, ctx, c, &cloudwatchlogs.StartQueryInput{LogGroupNames: []string{group},
			StartTime: aws.Int64(base.Unix() - 60), EndTime: aws.Int64(base.Unix() + 60),
			QueryString: aws.String("fields level, n, meta.env, ispresent(@transformationError) as failed | sort @timestamp asc")})
		want := []string{"level=warn n=42 meta.env=prod failed=0", "failed=1"}
		if !slices.Equal(rows, want) {
			t.Errorf("rows %q, want %q", rows, want)
		}
		// GetLogGroupFields lists the fields of the transformed events.
		fields, err := c.GetLogGroupFields(ctx, &cloudwatchlogs.GetLogGroupFieldsInput{LogGroupIdentifier: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		pct := map[string]int32{}
		for _, f := range fields.LogGroupFields {
			pct[aws.ToString(f.Name)] = f.Percent
		}
		for _, name := range []string{"level", "severity", "meta.env", "n"} {
			if pct[name] != 50 {
				t.Errorf("field %s: %d%%, want 50 (one event of two): %v", name, pct[name], pct)
			}
		}
		for _, name := range []string{"lvl", "secret", "env"} {
			if _, ok := pct[name]; ok {
				t.Errorf("field %s of the untransformed event listed: %v", name, pct)
			}
		}
		// GetLogEvents shows the events as sent.
		got, err := c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)})
		if err != nil || len(got.Events) != 2 || aws.ToString(got.Events[0].Message) != msgs[0] {
			t.Errorf("GetLogEvents: %s %v", asJSON(got), err)
		}
	})
}

// sdkQuery runs a Logs Insights query through the SDK until it ends and returns its rows,
// each "field=value" joined by spaces (@ptr left out). It fails the test unless the query
// completes.
func sdkQuery(t *testing.T, ctx context.Context, c *cloudwatchlogs.Client, in *cloudwatchlogs.StartQueryInput) []string {
	t.Helper()
	rows, _ := sdkQueryResults(t, ctx, c, in)
	var out []string
	for _, row := range rows {
		var parts []string
		for _, f := range row {
			if aws.ToString(f.Field) != "@ptr" {
				parts = append(parts, aws.ToString(f.Field)+"="+aws.ToString(f.Value))
			}
		}
		out = append(out, strings.Join(parts, " "))
	}
	return out
}

// sdkQueryResults is sdkQuery's query: its rows as the SDK decodes them, and its answer.
func sdkQueryResults(t *testing.T, ctx context.Context, c *cloudwatchlogs.Client, in *cloudwatchlogs.StartQueryInput) ([][]types.ResultField, *cloudwatchlogs.GetQueryResultsOutput) {
	t.Helper()
	start, err := c.StartQuery(ctx, in)
	if err != nil {
		t.Fatalf("StartQuery %s: %v", aws.ToString(in.QueryString), err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		res, err := c.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: start.QueryId})
		if err != nil {
			t.Fatal(err)
		}
		switch res.Status {
		case types.QueryStatusRunning, types.QueryStatusScheduled:
		case types.QueryStatusComplete:
			return res.Results, res
		default:
			t.Fatalf("%s: status %s", aws.ToString(in.QueryString), res.Status)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still running after 10 s", aws.ToString(in.QueryString))
		}
	}
}
