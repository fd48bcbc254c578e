package localserver

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// exportCrashEnv makes TestExportCrashHelper, in a subprocess, serve the named data
// directory with every export task held RUNNING, until it is killed.
const exportCrashEnv = "CWLOGS_EXPORT_CRASH_DIR"

// TestExportCrashHelper is the server process of TestExportKilledServer; it is skipped
// in a normal run.
func TestExportCrashHelper(t *testing.T) {
	dir := os.Getenv(exportCrashEnv)
	if dir == "" {
		t.Skip("the server process of TestExportKilledServer")
	}
	s, err := New(Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	s.exports.beforeScan = func(ctx context.Context, _ string) { <-ctx.Done() }
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	fmt.Println(s.URL())
	select {}
}

// TestExportKilledServer: a task RUNNING when its server is killed (SIGKILL) is FAILED
// after a restart, before any export operation answers; the temporary files of the run
// are removed, and no other; a new export then runs.
func TestExportKilledServer(t *testing.T) {
	dir := t.TempDir()
	exports := filepath.Join(dir, "exports")
	if err := os.MkdirAll(filepath.Join(exports, testBucket), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd, url := startChild(t, "^TestExportCrashHelper$", exportCrashEnv+"="+dir)
	killed := false
	t.Cleanup(func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	send := func(op string, in m) map[string]any {
		t.Helper()
		body, _ := json.Marshal(in)
		resp, err := http.DefaultClient.Do(signedRequest(t, url, op, body, testCreds, time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", op, resp.StatusCode, raw)
		}
		var doc map[string]any
		json.Unmarshal(raw, &doc)
		return doc
	}
	now := time.Now().UnixMilli()
	send("CreateLogGroup", m{"logGroupName": "g"})
	send("CreateLogStream", m{"logGroupName": "g", "logStreamName": "s"})
	send("PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{{"timestamp": now, "message": "kept"}}})
	id, _ := send("CreateExportTask", m{"logGroupName": "g", "from": 0, "to": now, "destination": testBucket})["taskId"].(string)
	for deadline := time.Now().Add(20 * time.Second); ; {
		tasks, _ := send("DescribeExportTasks", m{"taskId": id})["exportTasks"].([]any)
		if len(tasks) == 1 && tasks[0].(map[string]any)["status"].(map[string]any)["code"] == exportRunning {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s is not RUNNING: %v", id, tasks)
		}
		time.Sleep(5 * time.Millisecond)
	}
	// What a run killed while writing an object leaves, and the temporary file of another
	// server's task (sharing the ExportDir), which is not this server's to remove.
	half := filepath.Join(exports, exportTmpDir, id, "half.gz")
	other := filepath.Join(exports, exportTmpDir, "another-servers-task", "writing.gz")
	for _, p := range []string{half, other} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("half"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	killed = true
	cmd.Process.Kill()
	cmd.Wait()

	s := newTestServer(t, Config{DataDir: dir, Now: time.Now})
	task := describeExport(t, s, id)
	if code, msg := taskStatus(task); code != exportFailed || msg != msgExportInterrupted {
		t.Errorf("after the restart: %s %q", code, msg)
	}
	if ei, _ := task["executionInfo"].(map[string]any); ei["completionTime"] == nil {
		t.Errorf("no completionTime: %v", task)
	}
	if _, err := os.Stat(filepath.Dir(half)); !os.IsNotExist(err) {
		t.Errorf("temporary files of the killed run: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("another server's temporary file: %v", err)
	}
	id2 := createExport(t, s, "g", 0, time.Now().UnixMilli(), nil)
	if code, _ := taskStatus(waitExport(t, s, id2)); code != exportCompleted {
		t.Errorf("export after the restart: %s", code)
	}
	if got := readObject(t, filepath.Join(exports, testBucket, "exportedlogs", id2, "s", "000000.gz")); got != exportLine(now, "kept") {
		t.Errorf("object: %q", got)
	}
}
