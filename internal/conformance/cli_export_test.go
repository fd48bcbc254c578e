package conformance

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestAWSCLIExportTasks runs the export task operations through AWS CLI v1 (botocore's
// current model) against a local server exporting to a directory: create-export-task
// with every option, describe-export-tasks by --task-id and --status-code,
// cancel-export-task of a finished task (InvalidOperationException) and of an unknown
// one (ResourceNotFoundException); the exported object is read back from the directory.
func TestAWSCLIExportTasks(t *testing.T) {
	t.Parallel()
	cli := findCLI(t, 1)
	srv, dir := startExportServer(t)
	cli.configure(t, srv.URL(), testAccessKeyID, testSecretAccessKey)
	// Set up through the Go client: CLI invocations are slow.
	c := newClient(t, srv.URL())
	base := time.Now().Add(-time.Minute).UnixMilli()
	for _, st := range []struct{ op, body string }{
		{"CreateLogGroup", `{"logGroupName":"/cli/export"}`},
		{"CreateLogStream", `{"logGroupName":"/cli/export","logStreamName":"app/1"}`},
		{"PutLogEvents", fmt.Sprintf(`{"logGroupName":"/cli/export","logStreamName":"app/1","logEvents":[{"timestamp":%d,"message":"in range"},{"timestamp":%d,"message":"after"}]}`,
			base, base+10)},
	} {
		if _, err := c.Invoke(context.Background(), st.op, []byte(st.body)); err != nil {
			t.Fatalf("%s: %v", st.op, err)
		}
	}

	var created struct {
		TaskID string `json:"taskId"`
	}
	cli.ok(t, &created, "create-export-task", "--task-name", "cli-export", "--log-group-name", "/cli/export",
		"--log-stream-name-prefix", "app", "--from", ms(base), "--to", ms(base+5),
		"--destination", diffExportBucket, "--destination-prefix", "cli/out")
	if !uuidRE.MatchString(created.TaskID) {
		t.Fatalf("create-export-task: taskId %q", created.TaskID)
	}
	waitExportsIdle(t, srv.URL())
	type cliExportTask struct {
		TaskID            string `json:"taskId"`
		TaskName          string `json:"taskName"`
		LogGroupName      string `json:"logGroupName"`
		From              int64  `json:"from"`
		To                int64  `json:"to"`
		Destination       string `json:"destination"`
		DestinationPrefix string `json:"destinationPrefix"`
		Status            struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"status"`
		ExecutionInfo struct {
			CreationTime   int64 `json:"creationTime"`
			CompletionTime int64 `json:"completionTime"`
		} `json:"executionInfo"`
	}
	var desc struct {
		ExportTasks []cliExportTask `json:"exportTasks"`
	}
	cli.ok(t, &desc, "describe-export-tasks", "--task-id", created.TaskID)
	if len(desc.ExportTasks) != 1 {
		t.Fatalf("describe-export-tasks --task-id: %+v", desc)
	}
	if got := desc.ExportTasks[0]; got.TaskID != created.TaskID || got.TaskName != "cli-export" || got.LogGroupName != "/cli/export" ||
		got.From != base || got.To != base+5 || got.Destination != diffExportBucket || got.DestinationPrefix != "cli/out" ||
		got.Status.Code != "COMPLETED" || got.Status.Message != "Completed successfully" ||
		got.ExecutionInfo.CreationTime <= 0 || got.ExecutionInfo.CompletionTime < got.ExecutionInfo.CreationTime {
		t.Errorf("describe-export-tasks: %+v", got)
	}
	desc.ExportTasks = nil
	cli.ok(t, &desc, "describe-export-tasks", "--status-code", "RUNNING")
	if len(desc.ExportTasks) != 0 {
		t.Errorf("describe-export-tasks --status-code RUNNING: %+v", desc.ExportTasks)
	}
	cli.fail(t, "InvalidOperationException", "CancelExportTask", "The specified export task has already finished",
		"cancel-export-task", "--task-id", created.TaskID)
	cli.fail(t, "ResourceNotFoundException", "CancelExportTask", "The specified export task does not exist.",
		"cancel-export-task", "--task-id", "00000000-0000-4000-8000-000000000000")

	key := filepath.Join(dir, diffExportBucket, "cli", "out", created.TaskID, "app-1", "000000.gz")
	data, err := os.ReadFile(key)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := objectText(t, key, data), exportLine(base, "in range"); got != want {
		t.Errorf("exported object: %q, want %q", got, want)
	}
}
