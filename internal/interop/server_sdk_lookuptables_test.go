package interop

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// TestServerSDKLookupTables runs the lookup table operations through aws-sdk-go-v2's
// client: every member of CreateLookupTable's, GetLookupTable's, UpdateLookupTable's and
// DescribeLookupTables' answers decodes (pointers set or nil as the table has them, the
// times within the calls), DescribeLookupTables pages by NextToken (this SDK version has
// no paginator for it) and filters by prefix, the tags are readable by the table's ARN, a
// Logs Insights query enriches events with the lookup command through
// StartQuery/GetQueryResults, a 10 MB table goes through whole, and the errors are the
// SDK's typed exceptions (LimitExceededException for the 101st table among them).
func TestServerSDKLookupTables(t *testing.T) {
	c := sdkClient(startStrictServer(t), sdkAccessKeyID, sdkSecret)
	ctx := context.Background()
	const (
		body = "id,name,team\n1,ann,red\n2,bob,blue\n"
		kms  = "arn:aws:kms:us-east-1:" + sdkAccount + ":key/lt"
	)
	arnOf := func(name string) string { return "arn:aws:logs:us-east-1:" + sdkAccount + ":lookup-table:" + name }

	before := time.Now().UnixMilli()
	created, err := c.CreateLookupTable(ctx, &cloudwatchlogs.CreateLookupTableInput{LookupTableName: aws.String("users"),
		Description: aws.String("who is who"), TableBody: aws.String(body), KmsKeyId: aws.String(kms), Tags: map[string]string{"team": "obs"}})
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now().UnixMilli()
	if aws.ToString(created.LookupTableArn) != arnOf("users") || created.CreatedAt == nil || *created.CreatedAt < before || *created.CreatedAt > after {
		t.Errorf("CreateLookupTable: %s, want ARN %s created in [%d, %d]", asJSON(created), arnOf("users"), before, after)
	}
	for _, name := range []string{"t_c", "t_a", "t_b", "other"} {
		if _, err := c.CreateLookupTable(ctx, &cloudwatchlogs.CreateLookupTableInput{LookupTableName: aws.String(name), TableBody: aws.String("k\nv\n")}); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("Get", func(t *testing.T) {
		got, err := c.GetLookupTable(ctx, &cloudwatchlogs.GetLookupTableInput{LookupTableArn: created.LookupTableArn})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(got.LookupTableArn) != arnOf("users") || aws.ToString(got.LookupTableName) != "users" ||
			aws.ToString(got.Description) != "who is who" || aws.ToString(got.TableBody) != body ||
			aws.ToInt64(got.SizeBytes) != int64(len(body)) || aws.ToInt64(got.LastUpdatedTime) != aws.ToInt64(created.CreatedAt) ||
			aws.ToString(got.KmsKeyId) != kms {
			t.Errorf("GetLookupTable: %s", asJSON(got))
		}
		plain, err := c.GetLookupTable(ctx, &cloudwatchlogs.GetLookupTableInput{LookupTableArn: aws.String(arnOf("t_a"))})
		if err != nil || plain.Description != nil || plain.KmsKeyId != nil || aws.ToString(plain.TableBody) != "k\nv\n" {
			t.Errorf("GetLookupTable without description or key: %s %v", asJSON(plain), err)
		}
		tags, err := c.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: created.LookupTableArn})
		if err != nil || !maps.Equal(tags.Tags, map[string]string{"team": "obs"}) {
			t.Errorf("ListTagsForResource: %s %v", asJSON(tags), err)
		}
	})

	t.Run("Describe", func(t *testing.T) {
		list := func(prefix *string) []types.LookupTable {
			in := &cloudwatchlogs.DescribeLookupTablesInput{LookupTableNamePrefix: prefix, MaxResults: 2}
			var all []types.LookupTable
			for pages := 1; ; pages++ {
				out, err := c.DescribeLookupTables(ctx, in)
				if err != nil {
					t.Fatal(err)
				}
				if len(out.LookupTables) > 2 {
					t.Errorf("page %d: %d tables, MaxResults 2", pages, len(out.LookupTables))
				}
				all = append(all, out.LookupTables...)
				if out.NextToken == nil {
					return all
				}
				if pages > 10 {
					t.Fatal("DescribeLookupTables does not stop paging")
				}
				in.NextToken = out.NextToken
			}
		}
		names := func(ts []types.LookupTable) []string {
			var out []string
			for _, lt := range ts {
				out = append(out, aws.ToString(lt.LookupTableName))
			}
			return out
		}
		all := list(nil)
		if want := []string{"other", "t_a", "t_b", "t_c", "users"}; !slices.Equal(names(all), want) {
			t.Errorf("tables %q, want %q", names(all), want)
		}
		for _, lt := range all {
			if aws.ToString(lt.LookupTableName) != "users" {
				continue
			}
			if aws.ToString(lt.LookupTableArn) != arnOf("users") || aws.ToString(lt.Description) != "who is who" ||
				!slices.Equal(lt.TableFields, []string{"id", "name", "team"}) || aws.ToInt64(lt.RecordsCount) != 2 ||
				aws.ToInt64(lt.SizeBytes) != int64(len(body)) || aws.ToInt64(lt.LastUpdatedTime) != aws.ToInt64(created.CreatedAt) ||
				aws.ToString(lt.KmsKeyId) != kms {
				t.Errorf("users: %s", asJSON(lt))
			}
		}
		if got := names(list(aws.String("t_"))); !slices.Equal(got, []string{"t_a", "t_b", "t_c"}) {
			t.Errorf("prefix t_: %q", got)
		}
		_, err := c.DescribeLookupTables(ctx, &cloudwatchlogs.DescribeLookupTablesInput{MaxResults: 101})
		wantErrContains[*types.InvalidParameterException](t, "MaxResults 101", err, "maxResults")
	})

	t.Run("Update", func(t *testing.T) {
		const body2 = "id,name,team\n1,ann,red\n2,bob,blue\n3,cy,green\n"
		before := time.Now().UnixMilli()
		up, err := c.UpdateLookupTable(ctx, &cloudwatchlogs.UpdateLookupTableInput{LookupTableArn: created.LookupTableArn,
			TableBody: aws.String(body2), KmsKeyId: aws.String("")})
		if err != nil {
			t.Fatal(err)
		}
		after := time.Now().UnixMilli()
		if aws.ToString(up.LookupTableArn) != arnOf("users") || up.LastUpdatedTime == nil || *up.LastUpdatedTime < before || *up.LastUpdatedTime > after {
			t.Errorf("UpdateLookupTable: %s, want updated in [%d, %d]", asJSON(up), before, after)
		}
		got, err := c.GetLookupTable(ctx, &cloudwatchlogs.GetLookupTableInput{LookupTableArn: created.LookupTableArn})
		if err != nil {
			t.Fatal(err)
		}
		// A description left out is kept; kmsKeyId "" removes the key.
		if aws.ToString(got.TableBody) != body2 || aws.ToInt64(got.SizeBytes) != int64(len(body2)) || got.KmsKeyId != nil ||
			aws.ToString(got.Description) != "who is who" || aws.ToInt64(got.LastUpdatedTime) != aws.ToInt64(up.LastUpdatedTime) {
			t.Errorf("GetLookupTable after update: %s", asJSON(got))
		}
	})

	t.Run("Query", func(t *testing.T) {
		const group = "sdk-lookup"
		if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s")}); err != nil {
			t.Fatal(err)
		}
		base := time.Now().Add(-time.Minute).Truncate(time.Second)
		var evs []types.InputLogEvent
		for i, uid := range []string{"2", "9", "3"} {
			evs = append(evs, types.InputLogEvent{Timestamp: aws.Int64(base.Add(time.Duration(i) * time.Second).UnixMilli()),
				Message: aws.String(`{"uid":"` + uid + `"}`)})
		}
		if _, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s"), LogEvents: evs}); err != nil {
			t.Fatal(err)
		}
		in := &cloudwatchlogs.StartQueryInput{LogGroupNames: []string{group}, StartTime: aws.Int64(base.Unix() - 60), EndTime: aws.Int64(base.Unix() + 60),
			QueryString: aws.String("lookup users id as uid OUTPUT name, team | fields uid, name, team | sort @timestamp asc")}
		rows, res := sdkQueryResults(t, ctx, c, in)
		var got []string
		for _, row := range rows {
			m := map[string]string{}
			for _, f := range row {
				m[aws.ToString(f.Field)] = aws.ToString(f.Value)
			}
			got = append(got, m["uid"]+":"+m["name"]+":"+m["team"])
		}
		// uid 9 has no row in the table: name and team stay absent.
		if want := []string{"2:bob:blue", "9::", "3:cy:green"}; !slices.Equal(got, want) {
			t.Errorf("rows %q, want %q", got, want)
		}
		if res.Statistics == nil || res.Statistics.RecordsMatched != 3 || res.Statistics.RecordsScanned != 3 {
			t.Errorf("statistics %s", asJSON(res.Statistics))
		}
		bad := *in
		bad.QueryString = aws.String("lookup users id as uid OUTPUT email")
		_, err := c.StartQuery(ctx, &bad)
		wantErrContains[*types.MalformedQueryException](t, "lookup of a column the table lacks", err, "email")

		if _, err := c.DeleteLookupTable(ctx, &cloudwatchlogs.DeleteLookupTableInput{LookupTableArn: created.LookupTableArn}); err != nil {
			t.Fatal(err)
		}
		_, err = c.StartQuery(ctx, in)
		wantErr[*types.ResourceNotFoundException](t, "query of a deleted table", err, "Lookup table users does not exist.")
	})

	// A 10 MB table (its request is larger than the server's default 8 MiB body limit) is
	// taken and read back whole. (One byte more is refused: localserver's tests check that
	// without the SDK's cost of encoding 10 MB under the race detector.)
	t.Run("TenMegabytes", func(t *testing.T) {
		const limit = 10 << 20
		// Rows of 1 KiB: the body is built (and escaped, and parsed) quickly enough under
		// the race detector.
		pad := strings.Repeat("v", 1016)
		var b strings.Builder
		b.Grow(limit)
		b.WriteString("id,name\n")
		for i := 0; b.Len() < limit-2048; i++ {
			fmt.Fprintf(&b, "%06d,%s\n", i, pad)
		}
		big := b.String() + strings.Repeat("x", limit-b.Len()-2) + ",y"
		if len(big) != limit {
			t.Fatalf("body of %d bytes, want %d", len(big), limit)
		}
		out, err := c.CreateLookupTable(ctx, &cloudwatchlogs.CreateLookupTableInput{LookupTableName: aws.String("big"), TableBody: aws.String(big)})
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.GetLookupTable(ctx, &cloudwatchlogs.GetLookupTableInput{LookupTableArn: out.LookupTableArn})
		if err != nil || aws.ToInt64(got.SizeBytes) != limit || aws.ToString(got.TableBody) != big {
			t.Fatalf("GetLookupTable of 10 MB: size %d, body equal %v, %v", aws.ToInt64(got.SizeBytes), aws.ToString(got.TableBody) == big, err)
		}
		if _, err := c.DeleteLookupTable(ctx, &cloudwatchlogs.DeleteLookupTableInput{LookupTableArn: out.LookupTableArn}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("Errors", func(t *testing.T) {
		_, err := c.CreateLookupTable(ctx, &cloudwatchlogs.CreateLookupTableInput{LookupTableName: aws.String("t_a"), TableBody: aws.String("k\nv\n")})
		wantErr[*types.ResourceAlreadyExistsException](t, "duplicate", err, "A lookup table with this name already exists.")
		_, err = c.CreateLookupTable(ctx, &cloudwatchlogs.CreateLookupTableInput{LookupTableName: aws.String("ragged"), TableBody: aws.String("a,b\n1,2\n3\n")})
		wantErrContains[*types.InvalidParameterException](t, "ragged body", err, "Invalid tableBody: line 3")
		_, err = c.CreateLookupTable(ctx, &cloudwatchlogs.CreateLookupTableInput{LookupTableName: aws.String("bad-name"), TableBody: aws.String("k\nv\n")})
		wantErrContains[*types.InvalidParameterException](t, "bad name", err, "lookupTableName")
		for _, op := range []struct {
			name string
			call func(arn string) error
		}{
			{"GetLookupTable", func(arn string) error {
				_, err := c.GetLookupTable(ctx, &cloudwatchlogs.GetLookupTableInput{LookupTableArn: aws.String(arn)})
				return err
			}},
			{"UpdateLookupTable", func(arn string) error {
				_, err := c.UpdateLookupTable(ctx, &cloudwatchlogs.UpdateLookupTableInput{LookupTableArn: aws.String(arn), TableBody: aws.String("k\nv\n")})
				return err
			}},
			{"DeleteLookupTable", func(arn string) error {
				_, err := c.DeleteLookupTable(ctx, &cloudwatchlogs.DeleteLookupTableInput{LookupTableArn: aws.String(arn)})
				return err
			}},
		} {
			wantErr[*types.ResourceNotFoundException](t, op.name+" of a deleted table", op.call(arnOf("users")), "The specified lookup table does not exist.")
			notTable := "arn:aws:logs:us-east-1:" + sdkAccount + ":destination:users"
			wantErr[*types.InvalidParameterException](t, op.name+" of another ARN", op.call(notTable), "The specified ARN "+notTable+" is not a valid lookup table ARN.")
		}

		// "You can create up to 100 lookup tables per account per Region."
		res, err := c.DescribeLookupTables(ctx, &cloudwatchlogs.DescribeLookupTablesInput{MaxResults: 100})
		if err != nil {
			t.Fatal(err)
		}
		for i := len(res.LookupTables); i < 100; i++ {
			if _, err := c.CreateLookupTable(ctx, &cloudwatchlogs.CreateLookupTableInput{LookupTableName: aws.String(fmt.Sprintf("n%03d", i)), TableBody: aws.String("k\n")}); err != nil {
				t.Fatal(err)
			}
		}
		_, err = c.CreateLookupTable(ctx, &cloudwatchlogs.CreateLookupTableInput{LookupTableName: aws.String("one_too_many"), TableBody: aws.String("k\n")})
		wantErr[*types.LimitExceededException](t, "101st table", err, "You can create up to 100 lookup tables per account per Region.")
	})
}
