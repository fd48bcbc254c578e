package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeExportDir: serve --export-dir DIR writes export tasks' objects under DIR (the
// bucket a directory of it), and says so in its start-up line; without the flag a server
// with a data directory exports to DATA/exports, and a --memory one has no exports.
func TestServeExportDir(t *testing.T) {
	data := t.TempDir()
	exports := filepath.Join(t.TempDir(), "exports")
	if err := os.MkdirAll(filepath.Join(exports, "bucket"), 0o755); err != nil {
		t.Fatal(err)
	}
	p := startServe(t, "--data", data, "--export-dir", exports)
	c := newCLI(t, p.url)
	c.mustRun(0, "", "create-group", "g")
	c.mustRun(0, "", "create-stream", "g", "web/1")
	c.mustRun(0, "hello export\n", "put", "g", "web/1")
	to := time.Now().Add(time.Minute).UnixMilli()
	r := c.mustRun(0, "", "call", "create-export-task", fmt.Sprintf(`{"logGroupName":"g","from":0,"to":%d,"destination":"bucket"}`, to))
	var created struct {
		TaskID string `json:"taskId"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &created); err != nil || created.TaskID == "" {
		t.Fatalf("create-export-task: %v %q", err, r.stdout)
	}
	for deadline := time.Now().Add(20 * time.Second); ; {
		r := c.mustRun(0, "", "call", "describe-export-tasks", `{"taskId":"`+created.TaskID+`"}`)
		if strings.Contains(r.stdout, `"code": "COMPLETED"`) || strings.Contains(r.stdout, `"code":"COMPLETED"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("export not completed: %s", r.stdout)
		}
		time.Sleep(20 * time.Millisecond)
	}
	data2, err := os.ReadFile(filepath.Join(exports, "bucket", "exportedlogs", created.TaskID, "web-1", "000000.gz"))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data2))
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(zr)
	if !strings.HasSuffix(string(text), "Z hello export\n") || strings.Count(string(text), "\n") != 1 {
		t.Errorf("object: %q", text)
	}
	p.stop(t)
	if !strings.Contains(p.stderr.String(), "exports="+exports) {
		t.Errorf("start-up line does not name the export directory: %s", p.stderr.String())
	}

	cwd := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--data", data}, "exports=" + filepath.Join(data, "exports")},
		{[]string{"--memory"}, "exports=none"},
		// Relative directories are named as the server resolved them, absolute.
		{[]string{"--data", "rel-data"}, "storage=" + filepath.Join(cwd, "rel-data", "cwlogs.db") + " exports=" + filepath.Join(cwd, "rel-data", "exports")},
		{[]string{"--data", "rel-data", "--export-dir", "rel-exports"}, "exports=" + filepath.Join(cwd, "rel-exports")},
	} {
		p := startServeIn(t, cwd, tc.args...)
		if tc.args[0] == "--memory" {
			c := newCLI(t, p.url)
			c.mustRun(0, "", "create-group", "g")
			r := c.mustRun(1, "", "call", "create-export-task", `{"logGroupName":"g","from":0,"to":1,"destination":"bucket"}`)
			if !strings.Contains(r.stderr, "InvalidParameterException: This server has no export directory") {
				t.Errorf("export without a directory: %s", r.stderr)
			}
		}
		p.stop(t)
		if !strings.Contains(p.stderr.String(), tc.want) {
			t.Errorf("serve %v: start-up line lacks %q: %s", tc.args, tc.want, p.stderr.String())
		}
	}
}
