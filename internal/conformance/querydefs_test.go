package conformance

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestAWSCLIQueryDefinitions runs saved Logs Insights queries and field discovery through
// both AWS CLIs against the local server: put-query-definition (log groups and a query
// parameter), describe-query-definitions by name prefix, get-log-group-fields,
// delete-query-definition, and ResourceNotFoundException for a definition deleted. moto
// serves none of these operations (moto/logs/responses.py), so there is no differential.
func TestAWSCLIQueryDefinitions(t *testing.T) {
	t.Parallel()
	for _, major := range []int{1, 2} {
		t.Run(fmt.Sprintf("v%d", major), func(t *testing.T) {
			t.Parallel()
			cli := findCLI(t, major)
			srv := startServer(t)
			cli.configure(t, srv.URL(), testAccessKeyID, testSecretAccessKey)
			// Set up through the Go client: CLI invocations are slow (about 2 s each for v1).
			c := newClient(t, srv.URL())
			ts := time.Now().Add(-time.Minute).UnixMilli()
			for _, st := range []struct{ op, body string }{
				{"CreateLogGroup", `{"logGroupName":"/cli/fields"}`},
				{"CreateLogStream", `{"logGroupName":"/cli/fields","logStreamName":"s"}`},
				{"PutLogEvents", fmt.Sprintf(`{"logGroupName":"/cli/fields","logStreamName":"s","logEvents":[{"timestamp":%d,"message":"{\"status\":200,\"path\":\"/\"}"},{"timestamp":%d,"message":"{\"status\":503}"}]}`,
					ts, ts+1)},
				{"PutQueryDefinition", `{"name":"other/q","queryString":"fields @message"}`},
			} {
				if _, err := c.Invoke(context.Background(), st.op, []byte(st.body)); err != nil {
					t.Fatalf("%s: %v", st.op, err)
				}
			}

			var put struct {
				QueryDefinitionID string `json:"queryDefinitionId"`
			}
			// AWS CLI v2 releases before 2024 (2.9 is common in Debian) know neither query
			// parameters nor queryLanguage: those are checked with v1 (botocore is current).
			modern := major == 1
			args := []string{"put-query-definition", "--name", "cli/errors", "--query-string", "filter status >= {{min}}",
				"--log-group-names", "/cli/fields", "/cli/other"}
			if modern {
				args = append(args, "--parameters", "name=min,defaultValue=500")
			}
			cli.ok(t, &put, args...)
			var described struct {
				QueryDefinitions []struct {
					QueryDefinitionID string   `json:"queryDefinitionId"`
					Name              string   `json:"name"`
					QueryString       string   `json:"queryString"`
					QueryLanguage     string   `json:"queryLanguage"`
					LastModified      int64    `json:"lastModified"`
					LogGroupNames     []string `json:"logGroupNames"`
					Parameters        []struct {
						Name         string `json:"name"`
						DefaultValue string `json:"defaultValue"`
					} `json:"parameters"`
				} `json:"queryDefinitions"`
			}
			cli.ok(t, &described, "describe-query-definitions", "--query-definition-name-prefix", "cli/")
			if len(described.QueryDefinitions) != 1 {
				t.Fatalf("describe-query-definitions: %+v", described)
			}
			d := described.QueryDefinitions[0]
			if d.QueryDefinitionID != put.QueryDefinitionID || d.Name != "cli/errors" || d.QueryString != "filter status >= {{min}}" ||
				len(d.LogGroupNames) != 2 || d.LastModified < time.Now().Add(-time.Minute).UnixMilli() {
				t.Errorf("describe-query-definitions: %+v", d)
			}
			if modern && (d.QueryLanguage != "CWLI" || len(d.Parameters) != 1 || d.Parameters[0].Name != "min" || d.Parameters[0].DefaultValue != "500") {
				t.Errorf("describe-query-definitions: language and parameters %+v", d)
			}

			var fields struct {
				LogGroupFields []struct {
					Name    string `json:"name"`
					Percent int    `json:"percent"`
				} `json:"logGroupFields"`
			}
			cli.ok(t, &fields, "get-log-group-fields", "--log-group-name", "/cli/fields")
			got := fmt.Sprint(fields.LogGroupFields)
			if want := "[{@ingestionTime 100} {@log 100} {@logStream 100} {@message 100} {@timestamp 100} {status 100} {path 50}]"; got != want {
				t.Errorf("get-log-group-fields: %s, want %s", got, want)
			}

			var deleted struct {
				Success bool `json:"success"`
			}
			cli.ok(t, &deleted, "delete-query-definition", "--query-definition-id", put.QueryDefinitionID)
			if !deleted.Success {
				t.Errorf("delete-query-definition: %+v", deleted)
			}
			cli.fail(t, "ResourceNotFoundException", "DeleteQueryDefinition", "The specified query definition does not exist.",
				"delete-query-definition", "--query-definition-id", put.QueryDefinitionID)
		})
	}
}
