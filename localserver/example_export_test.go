package localserver_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/localserver"
)

// Export a log group to "S3": the bucket is a directory of Config.ExportDir, and each
// exported object a gzip file at its key, one line per event (its timestamp, here
// replaced by <timestamp>, a space and its message).
func ExampleConfig_exportDir() {
	exportDir, err := os.MkdirTemp("", "cwlogs-exports-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(exportDir)
	// The bucket must exist, as in S3.
	if err := os.Mkdir(filepath.Join(exportDir, "my-exported-logs"), 0o755); err != nil {
		panic(err)
	}
	srv, err := localserver.New(localserver.Config{Memory: true, ExportDir: exportDir})
	if err != nil {
		panic(err)
	}
	if err := srv.Start(); err != nil {
		panic(err)
	}
	defer srv.Shutdown(context.Background())

	ctx := context.Background()
	c, err := cwlogs.New("us-east-1", "AKIDEXAMPLE", "secret", cwlogs.WithEndpoint(srv.URL()))
	if err != nil {
		panic(err)
	}
	now := time.Now().UnixMilli()
	for _, call := range []struct {
		op     cwlogs.ActionType
		params map[string]any
	}{
		{cwlogs.ActionCreateLogGroup, map[string]any{"logGroupName": "web"}},
		{cwlogs.ActionCreateLogStream, map[string]any{"logGroupName": "web", "logStreamName": "host/1"}},
		{cwlogs.ActionPutLogEvents, map[string]any{"logGroupName": "web", "logStreamName": "host/1", "logEvents": []map[string]any{
			{"timestamp": now - 2000, "message": "GET /index.html 200"},
			{"timestamp": now - 1000, "message": "GET /missing 404"},
		}}},
	} {
		if _, err := c.Action(ctx, call.op, call.params); err != nil {
			panic(err)
		}
	}
	resp, err := c.Action(ctx, "CreateExportTask", map[string]any{
		"logGroupName": "web", "from": now - 60_000, "to": now, "destination": "my-exported-logs"})
	if err != nil {
		panic(err)
	}
	var created struct{ TaskID string }
	json.Unmarshal(resp.Body, &created)
	for { // the export runs in the background
		resp, err := c.Action(ctx, "DescribeExportTasks", map[string]any{"taskId": created.TaskID})
		if err != nil {
			panic(err)
		}
		if strings.Contains(string(resp.Body), `"code":"COMPLETED"`) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}

	bucket := filepath.Join(exportDir, "my-exported-logs")
	filepath.WalkDir(bucket, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		key, _ := filepath.Rel(bucket, p)
		fmt.Println(strings.Replace(filepath.ToSlash(key), created.TaskID, "TASK_ID", 1))
		if !strings.HasSuffix(key, ".gz") {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		lines := bufio.NewScanner(zr)
		for lines.Scan() {
			ts, msg, _ := strings.Cut(lines.Text(), " ")
			if _, err := time.Parse("2006-01-02T15:04:05.000Z", ts); err == nil {
				ts = "<timestamp>"
			}
			fmt.Println(" ", ts, msg)
		}
		return lines.Err()
	})
	// Output:
	// aws-logs-write-test
	// exportedlogs/TASK_ID/host-1/000000.gz
	//   <timestamp> GET /index.html 200
	//   <timestamp> GET /missing 404
}
