package conformance

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestAWSCLILookupTables runs the lookup table operations through AWS CLI v1 (botocore's
// current model) against a local server: create-lookup-table with every option,
// get-lookup-table, describe-lookup-tables, update-lookup-table, a start-query whose
// lookup command enriches events from the table, delete-lookup-table and the
// ResourceNotFoundException of the deleted table. Set-up goes through the Go client:
// every CLI invocation costs about 2 s.
func TestAWSCLILookupTables(t *testing.T) {
	t.Parallel()
	cli := findCLI(t, 1)
	srv := startServer(t)
	cli.configure(t, srv.URL(), testAccessKeyID, testSecretAccessKey)
	base := time.Now().Add(-5 * time.Minute).Truncate(time.Second)
	c := newClient(t, srv.URL())
	for _, st := range []struct{ op, body string }{
		{"CreateLogGroup", `{"logGroupName":"/cli/lookup"}`},
		{"CreateLogStream", `{"logGroupName":"/cli/lookup","logStreamName":"s"}`},
		{"PutLogEvents", fmt.Sprintf(`{"logGroupName":"/cli/lookup","logStreamName":"s","logEvents":[{"timestamp":%d,"message":"{\"uid\":\"u1\"}"},{"timestamp":%d,"message":"{\"uid\":\"u9\"}"}]}`,
			base.UnixMilli(), base.Add(time.Second).UnixMilli())},
	} {
		if _, err := c.Invoke(context.Background(), st.op, []byte(st.body)); err != nil {
			t.Fatalf("%s: %v", st.op, err)
		}
	}

	const body = "id,name,team\nu1,Ann,eng\nu2,\"Bob, Jr.\",ops\n"
	arn := "arn:aws:logs:" + testRegion + ":" + testAccountID + ":lookup-table:users"
	var created struct {
		LookupTableArn string `json:"lookupTableArn"`
		CreatedAt      int64  `json:"createdAt"`
	}
	cli.ok(t, &created, "create-lookup-table", "--lookup-table-name", "users", "--description", "who",
		"--table-body", body, "--kms-key-id", "arn:aws:kms:"+testRegion+":"+testAccountID+":key/k1", "--tags", "team=a")
	if created.LookupTableArn != arn || created.CreatedAt <= 0 {
		t.Fatalf("create-lookup-table: %+v", created)
	}
	var got struct {
		LookupTableName, Description, TableBody, KmsKeyID string
		SizeBytes, LastUpdatedTime                        int64
	}
	cli.ok(t, &got, "get-lookup-table", "--lookup-table-arn", arn)
	if got.LookupTableName != "users" || got.Description != "who" || got.TableBody != body || got.SizeBytes != int64(len(body)) ||
		got.LastUpdatedTime != created.CreatedAt || got.KmsKeyID == "" {
		t.Errorf("get-lookup-table: %+v", got)
	}

	const body2 = "id,name,team\nu1,Ann,eng\nu2,Bob,ops\nu3,Cy,eng\n"
	cli.ok(t, &struct{}{}, "update-lookup-table", "--lookup-table-arn", arn, "--table-body", body2)
	var described struct {
		LookupTables []struct {
			LookupTableName string   `json:"lookupTableName"`
			TableFields     []string `json:"tableFields"`
			RecordsCount    int64    `json:"recordsCount"`
		} `json:"lookupTables"`
	}
	cli.ok(t, &described, "describe-lookup-tables", "--lookup-table-name-prefix", "us")
	if len(described.LookupTables) != 1 || described.LookupTables[0].RecordsCount != 3 || fmt.Sprint(described.LookupTables[0].TableFields) != "[id name team]" {
		t.Errorf("describe-lookup-tables: %+v", described)
	}

	var started struct {
		QueryID string `json:"queryId"`
	}
	cli.ok(t, &started, "start-query", "--log-group-name", "/cli/lookup",
		"--start-time", fmt.Sprint(base.Unix()), "--end-time", fmt.Sprint(base.Unix()+60),
		"--query-string", "lookup users id as uid OUTPUT name, team | sort @timestamp asc | fields uid, name, team")
	var res struct {
		Status  string                            `json:"status"`
		Results [][]struct{ Field, Value string } `json:"results"`
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		cli.ok(t, &res, "get-query-results", "--query-id", started.QueryID)
		if res.Status != "Running" || time.Now().After(deadline) {
			break
		}
	}
	rows := make([]map[string]string, len(res.Results))
	for i, r := range res.Results {
		rows[i] = map[string]string{}
		for _, f := range r {
			rows[i][f.Field] = f.Value
		}
	}
	if res.Status != "Complete" || len(rows) != 2 || rows[0]["name"] != "Ann" || rows[0]["team"] != "eng" ||
		rows[1]["uid"] != "u9" || rows[1]["name"] != "" {
		t.Errorf("get-query-results: %s %v", res.Status, rows)
	}

	cli.ok(t, nil, "delete-lookup-table", "--lookup-table-arn", arn)
	cli.fail(t, "ResourceNotFoundException", "GetLookupTable", "The specified lookup table does not exist.",
		"get-lookup-table", "--lookup-table-arn", arn)
}
