package localserver_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/localserver"
)

// TestExportEndToEnd drives an export through the project's client (Action, as the seed's
// callers do) against a listening server with verified credentials: events put by
// PutLogEvents over two streams are exported, the task waited for until COMPLETED, and
// the gunzipped objects hold exactly the events of the range, one line each.
func TestExportEndToEnd(t *testing.T) {
	const key, secret = "AKIDEXPORTE2E", "export-e2e-secret"
	exportDir := t.TempDir()
	if err := os.Mkdir(filepath.Join(exportDir, "archive"), 0o755); err != nil {
		t.Fatal(err)
	}
	srv, err := localserver.New(localserver.Config{Memory: true, ExportDir: exportDir,
		Credentials: localserver.Secrets{key: secret}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	c, err := cwlogs.New("eu-west-1", key, secret, cwlogs.WithEndpoint(srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	action := func(op string, params map[string]any) map[string]any {
		t.Helper()
		resp, err := c.Action(ctx, cwlogs.ActionType(op), params)
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		var out map[string]any
		if err := json.Unmarshal(resp.Body, &out); err != nil {
			t.Fatalf("%s: %v: %s", op, err, resp.Body)
		}
		return out
	}
	action("CreateLogGroup", map[string]any{"logGroupName": "/e2e/app"})
	base := time.Now().Add(-time.Hour).UnixMilli()
	want := map[string]string{}
	for _, stream := range []string{"api/1", "worker"} {
		action("CreateLogStream", map[string]any{"logGroupName": "/e2e/app", "logStreamName": stream})
		var evs []map[string]any
		var lines strings.Builder
		for i := range 500 {
			ts := base + int64(i)*10
			msg := stream + ` {"request":` + strings.Repeat("7", i%40) + `,"ok":true}`
			evs = append(evs, map[string]any{"timestamp": ts, "message": msg})
			if i >= 100 && i <= 400 { // the exported range: [base+1000, base+4000]
				lines.WriteString(time.UnixMilli(ts).UTC().Format("2006-01-02T15:04:05.000Z") + " " + msg + "\n")
			}
		}
		action("PutLogEvents", map[string]any{"logGroupName": "/e2e/app", "logStreamName": stream, "logEvents": evs})
		want[strings.ReplaceAll(stream, "/", "-")] = lines.String()
	}

	id, _ := action("CreateExportTask", map[string]any{"logGroupName": "/e2e/app", "from": base + 1000, "to": base + 4000,
		"destination": "archive", "destinationPrefix": "cw", "taskName": "e2e"})["taskId"].(string)
	var task map[string]any
	for deadline := time.Now().Add(20 * time.Second); ; {
		tasks, _ := action("DescribeExportTasks", map[string]any{"taskId": id})["exportTasks"].([]any)
		if len(tasks) != 1 {
			t.Fatalf("DescribeExportTasks %s: %v", id, tasks)
		}
		task = tasks[0].(map[string]any)
		if code := task["status"].(map[string]any)["code"]; code != "PENDING" && code != "RUNNING" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("task still active: %v", task)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if st := task["status"].(map[string]any); st["code"] != "COMPLETED" || st["message"] != "Completed successfully" {
		t.Fatalf("status %v", st)
	}
	for stream, text := range want {
		data, err := os.ReadFile(filepath.Join(exportDir, "archive", "cw", id, stream, "000000.gz"))
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != text {
			t.Errorf("%s: %d bytes, want %d:\n%.300q\nwant\n%.300q", stream, len(got), len(text), got, text)
		}
	}
	if b, err := os.ReadFile(filepath.Join(exportDir, "archive", "cw", "aws-logs-write-test")); err != nil || string(b) != "Permission Check Successful" {
		t.Errorf("aws-logs-write-test: %q %v", b, err)
	}

	// A finished task cannot be cancelled: InvalidOperationException, as an *APIError.
	_, err = c.Action(ctx, "CancelExportTask", map[string]any{"taskId": id})
	var apiErr *cwlogs.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "InvalidOperationException" || apiErr.Message != "The specified export task has already finished" {
		t.Errorf("CancelExportTask of a completed task: %v", err)
	}
}
