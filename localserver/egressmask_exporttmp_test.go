package localserver

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestExportTmpGoneBeforeEnd: an export task's temporary directory is removed before its
// end is recorded, so that a client that reads the task COMPLETED finds only its objects
// (TestExportSharedExportDir, which checks it after waitExport, failed about one run in
// fifty while it was removed after). The store's writer lock, held from the task's last
// object on, stops the task at its status write: the directory must be gone by then.
func TestExportTmpGoneBeforeEnd(t *testing.T) {
	s, dir := newExportServer(t, Config{})
	setupStream(t, s, "g", "s")
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": events(nowMs())})
	written, locked := make(chan string, 1), make(chan struct{})
	s.exports.afterObject = func(ctx context.Context, key string) {
		written <- key
		<-locked
	}
	id := createExport(t, s, "g", 0, nowMs(), nil)
	select {
	case <-written:
	case <-time.After(10 * time.Second):
		t.Fatal("the export wrote no object")
	}
	tmp := filepath.Join(dir, taskTmpDir(id))
	s.st.wmu.Lock()
	close(locked)
	gone := false
	for deadline := time.Now().Add(2 * time.Second); !gone && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		_, err := os.Stat(tmp)
		gone = os.IsNotExist(err)
	}
	s.st.wmu.Unlock()
	if !gone {
		t.Errorf("%s is still there when the task records its end", tmp)
	}
	if code, msg := taskStatus(waitExport(t, s, id)); code != exportCompleted {
		t.Fatalf("export: %s %q", code, msg)
	}
}
