package localserver

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const testBucket = "export-bucket"

// newExportServer returns an in-memory test server whose ExportDir is a new directory
// holding the bucket directory testBucket.
func newExportServer(t testing.TB, cfg Config) (*Server, string) {
	t.Helper()
	if cfg.ExportDir == "" {
		cfg.ExportDir = t.TempDir()
	}
	if err := os.MkdirAll(filepath.Join(cfg.ExportDir, testBucket), 0o755); err != nil {
		t.Fatal(err)
	}
	return newTestServer(t, cfg), cfg.ExportDir
}

// createExport creates an export task of group to testBucket (extra members override)
// and returns its id.
func createExport(t testing.TB, s *Server, group string, from, to int64, extra m) string {
	t.Helper()
	in := m{"logGroupName": group, "from": from, "to": to, "destination": testBucket}
	for k, v := range extra {
		in[k] = v
	}
	r := mustOK(t, s, "CreateExportTask", in)
	id, _ := r.body["taskId"].(string)
	if len(id) != 36 {
		t.Fatalf("CreateExportTask: taskId %q is no UUID", id)
	}
	return id
}

// describeExport returns the task id as DescribeExportTasks lists it.
func describeExport(t testing.TB, s *Server, id string) map[string]any {
	t.Helper()
	r := mustOK(t, s, "DescribeExportTasks", m{"taskId": id})
	tasks := list(r.body["exportTasks"])
	if len(tasks) != 1 {
		t.Fatalf("DescribeExportTasks %s: %s", id, r.raw)
	}
	return tasks[0].(map[string]any)
}

func taskStatus(task map[string]any) (code, message string) {
	st, _ := task["status"].(map[string]any)
	code, _ = st["code"].(string)
	message, _ = st["message"].(string)
	return code, message
}

// waitExport waits until task id has ended and returns it as described.
func waitExport(t testing.TB, s *Server, id string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		task := describeExport(t, s, id)
		if code, _ := taskStatus(task); code != exportPending && code != exportRunning {
			return task
		}
		if time.Now().After(deadline) {
			t.Fatalf("export task %s still active: %v", id, task)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// bucketFiles lists the files of the test bucket: key → content (gunzipped for .gz).
func bucketFiles(t testing.TB, exportDir string) map[string]string {
	t.Helper()
	root := filepath.Join(exportDir, testBucket)
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = readObject(t, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func readObject(t testing.TB, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(p, ".gz") {
		return string(data)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return string(text)
}

// exportLine is the line an exported event is written as.
func exportLine(ts int64, msg string) string {
	return time.UnixMilli(ts).UTC().Format("2006-01-02T15:04:05.000Z") + " " + msg + "\n"
}

func sortedKeys(files map[string]string) []string {
	keys := make([]string, 0, len(files))
	for k := range files {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestCreateExportTaskErrors: what CreateExportTask refuses, with the code and message
// (substring) it answers.
func TestCreateExportTaskErrors(t *testing.T) {
	s, dir := newExportServer(t, Config{})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "g"})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "ia", "logGroupClass": "INFREQUENT_ACCESS"})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "week"})
	mustOK(t, s, "PutRetentionPolicy", m{"logGroupName": "week", "retentionInDays": 7})
	if err := os.WriteFile(filepath.Join(dir, "not-a-dir"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	now := nowMs()
	ok := m{"logGroupName": "g", "from": now - 1000, "to": now, "destination": testBucket}
	with := func(k string, v any) m {
		out := m{}
		for key, val := range ok {
			out[key] = val
		}
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
		return out
	}
	cases := []struct {
		name string
		in   m
		code string
		msg  string
	}{
		{"no group", with("logGroupName", nil), codeInvalidParameter, "Value null at 'logGroupName' failed to satisfy constraint: Member must not be null"},
		{"no from", with("from", nil), codeInvalidParameter, "Value null at 'from'"},
		{"no to", with("to", nil), codeInvalidParameter, "Value null at 'to'"},
		{"no destination", with("destination", nil), codeInvalidParameter, "Value null at 'destination'"},
		{"negative from", with("from", -1), codeInvalidParameter, "Value '-1' at 'from' failed to satisfy constraint: Member must have value greater than or equal to 0"},
		{"task name too long", with("taskName", strings.Repeat("n", 513)), codeInvalidParameter, "at 'taskName' failed to satisfy constraint: Member must have length less than or equal to 512"},
		{"empty task name", with("taskName", ""), codeInvalidParameter, "at 'taskName' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"bad group name", with("logGroupName", "a b"), codeInvalidParameter, "at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{"bad stream prefix", with("logStreamNamePrefix", "a:b"), codeInvalidParameter, "at 'logStreamNamePrefix'"},
		{"from after to", with("from", now+1), codeInvalidParameter, msgExportTimeRange},
		{"bucket upper case", with("destination", "MyBucket"), codeInvalidParameter, `destination "MyBucket" is not a valid S3 bucket name: bucket names hold only lower-case letters`},
		{"bucket dot dot", with("destination", ".."), codeInvalidParameter, `destination ".." is not a valid S3 bucket name: bucket names are 3 to 63 characters long`},
		{"bucket with slash", with("destination", "a/../b"), codeInvalidParameter, `is not a valid S3 bucket name`},
		{"bucket tmp dir", with("destination", exportTmpDir), codeInvalidParameter, `is not a valid S3 bucket name`},
		{"bucket missing", with("destination", "missing-bucket"), codeInvalidParameter, msgBucketNotFound},
		{"bucket is a file", with("destination", "not-a-dir"), codeInvalidParameter, msgBucketNotFound},
		{"prefix escapes", with("destinationPrefix", "../up"), codeInvalidParameter, `destinationPrefix "../up" cannot be a key prefix of this server's exports: a segment of the key would be ".."`},
		{"prefix dot segment", with("destinationPrefix", "a/./b"), codeInvalidParameter, `a segment of the key would be "."`},
		{"prefix absolute", with("destinationPrefix", "/etc"), codeInvalidParameter, "a segment of the key would be empty"},
		{"prefix trailing slash", with("destinationPrefix", "logs/"), codeInvalidParameter, "a segment of the key would be empty"},
		{"prefix nul", with("destinationPrefix", "a\x00b"), codeInvalidParameter, `it holds the character '\x00'`},
		{"prefix too long", with("destinationPrefix", strings.Repeat("p/", 513)), codeInvalidParameter, "it is 1026 bytes long, and object keys are at most 1024"},
		{"prefix segment too long", with("destinationPrefix", strings.Repeat("p", 256)), codeInvalidParameter, "256 bytes long, longer than a file name can be (255)"},
		{"missing group", with("logGroupName", "nope"), codeResourceNotFound, msgGroupNotFound},
		{"infrequent access group", with("logGroupName", "ia"), codeInvalidParameter, "Log group ia is of the INFREQUENT_ACCESS class: only log groups of the STANDARD class can be exported"},
		{"range older than retention", m{"logGroupName": "week", "from": 0, "to": now - 8*86_400_000, "destination": testBucket}, codeInvalidParameter, msgExportTimeRange},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, s, "CreateExportTask", tc.in)
			if r.status != 400 || r.errType() != tc.code || !strings.Contains(r.message(), tc.msg) {
				t.Errorf("got %d %s %q, want 400 %s containing %q", r.status, r.errType(), r.message(), tc.code, tc.msg)
			}
		})
	}
	// Nothing was written for the refused tasks, and no task exists.
	if files := bucketFiles(t, dir); len(files) != 0 {
		t.Errorf("refused tasks wrote %v", sortedKeys(files))
	}
	if r := mustOK(t, s, "DescribeExportTasks", m{}); len(list(r.body["exportTasks"])) != 0 {
		t.Errorf("refused tasks are listed: %s", r.raw)
	}
	entries, err := os.ReadDir(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() == "up" {
			t.Errorf("a refused prefix created %s beside the export directory", e.Name())
		}
	}

	// A range that reaches into the retention is accepted, as is from == to.
	id := createExport(t, s, "week", 0, now, nil)
	waitExport(t, s, id)
	id = createExport(t, s, "g", now, now, nil)
	waitExport(t, s, id)
}

// TestCreateExportTaskWithoutExportDir: a server without a data directory and without
// Config.ExportDir refuses exports, naming the setting.
func TestCreateExportTaskWithoutExportDir(t *testing.T) {
	s := newTestServer(t, Config{})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "g"})
	r := call(t, s, "CreateExportTask", m{"logGroupName": "g", "from": 0, "to": 1, "destination": testBucket})
	if r.status != 400 || r.errType() != codeInvalidParameter || r.message() != msgNoExportDir {
		t.Errorf("got %d %s %q", r.status, r.errType(), r.message())
	}
}

// TestExportDirDefault: with a data directory, exports go to DataDir/exports.
func TestExportDirDefault(t *testing.T) {
	data := t.TempDir()
	if err := os.MkdirAll(filepath.Join(data, "exports", testBucket), 0o755); err != nil {
		t.Fatal(err)
	}
	s := newTestServer(t, Config{DataDir: data})
	if want := filepath.Join(data, "exports"); s.cfg.ExportDir != want {
		t.Fatalf("ExportDir = %q, want %q", s.cfg.ExportDir, want)
	}
	setupStream(t, s, "g", "s")
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": events(nowMs())})
	id := createExport(t, s, "g", 0, nowMs(), nil)
	waitExport(t, s, id)
	want := exportLine(nowMs(), "event 0")
	if got := readObject(t, filepath.Join(data, "exports", testBucket, "exportedlogs", id, "s", "000000.gz")); got != want {
		t.Errorf("object: %q, want %q", got, want)
	}
}

// TestExportObjects: the objects of an export, their keys and their lines: both ends of
// the range inclusive, the stream prefix, "/" in stream names, the permission check
// object under the given prefix, no object for a stream without events in the range.
func TestExportObjects(t *testing.T) {
	s, dir := newExportServer(t, Config{})
	now := nowMs()
	from, to := now-10_000, now-1000
	setupStream(t, s, "/app/g", "web/1")
	setupStream(t, s, "/app/g", "web-2")
	setupStream(t, s, "/app/g", "web-empty")
	setupStream(t, s, "/app/g", "other")
	put := func(stream string, evs ...m) {
		mustOK(t, s, "PutLogEvents", m{"logGroupName": "/app/g", "logStreamName": stream, "logEvents": evs})
	}
	ev := func(ts int64, msg string) m { return m{"timestamp": ts, "message": msg} }
	put("web/1", ev(from-1, "before"), ev(from, "first"), ev(from+5, "line one\nline two"), ev(to, "last é 日本"), ev(to+1, "after"))
	put("web-2", ev(from+3, `{"json":true}`), ev(from+3, "same time"))
	put("web-empty", ev(to+5, "outside"))
	put("other", ev(from+1, "not matched by the prefix"))

	id := createExport(t, s, "/app/g", from, to, m{"taskName": "nightly", "logStreamNamePrefix": "web", "destinationPrefix": "exports/2025"})
	task := waitExport(t, s, id)
	if code, msg := taskStatus(task); code != exportCompleted || msg != msgExportCompleted {
		t.Fatalf("status %s %q", code, msg)
	}
	files := bucketFiles(t, dir)
	want := map[string]string{
		"exports/2025/aws-logs-write-test":        writeTestBody,
		"exports/2025/" + id + "/web-1/000000.gz": exportLine(from, "first") + exportLine(from+5, "line one\nline two") + exportLine(to, "last é 日本"),
		"exports/2025/" + id + "/web-2/000000.gz": exportLine(from+3, `{"json":true}`) + exportLine(from+3, "same time"),
	}
	for _, k := range sortedKeys(want) {
		if files[k] != want[k] {
			t.Errorf("%s:\n got %q\nwant %q", k, files[k], want[k])
		}
	}
	if !slices.Equal(sortedKeys(files), sortedKeys(want)) {
		t.Errorf("objects %q, want %q", sortedKeys(files), sortedKeys(want))
	}
	// The task as described, in the model's shape.
	wantTask := map[string]any{"taskId": id, "taskName": "nightly", "logGroupName": "/app/g", "from": jsonNum(from), "to": jsonNum(to),
		"destination": testBucket, "destinationPrefix": "exports/2025"}
	for k, v := range wantTask {
		if task[k] != v {
			t.Errorf("%s = %#v, want %#v", k, task[k], v)
		}
	}
	ei, _ := task["executionInfo"].(map[string]any)
	if num(t, ei["creationTime"]) != now || num(t, ei["completionTime"]) != now {
		t.Errorf("executionInfo %v, want both times %d (the test clock)", ei, now)
	}
	if len(task) != len(wantTask)+2 {
		t.Errorf("members %v", task)
	}
}

// TestExportDefaultPrefix: without destinationPrefix the objects are under "exportedlogs"
// and the permission check object at the root of the bucket; without taskName none is
// listed.
func TestExportDefaultPrefix(t *testing.T) {
	s, dir := newExportServer(t, Config{})
	setupStream(t, s, "g", "s")
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": events(nowMs()-5, nowMs())})
	id := createExport(t, s, "g", 0, nowMs(), nil)
	task := waitExport(t, s, id)
	if task["destinationPrefix"] != "exportedlogs" {
		t.Errorf("destinationPrefix %v", task["destinationPrefix"])
	}
	if _, ok := task["taskName"]; ok {
		t.Errorf("taskName listed: %v", task)
	}
	want := []string{"aws-logs-write-test", "exportedlogs/" + id + "/s/000000.gz"}
	if got := sortedKeys(bucketFiles(t, dir)); !slices.Equal(got, want) {
		t.Errorf("objects %q, want %q", got, want)
	}
	// An empty prefix is a prefix: the keys start with the task id.
	id = createExport(t, s, "g", 0, nowMs(), m{"destinationPrefix": ""})
	if task := waitExport(t, s, id); task["destinationPrefix"] != "" {
		t.Errorf("destinationPrefix %v", task["destinationPrefix"])
	}
	if _, err := os.Stat(filepath.Join(dir, testBucket, id, "s", "000000.gz")); err != nil {
		t.Error(err)
	}
}

// TestExportSplitsObjects: a stream's text beyond the object size goes to further objects,
// numbered on; read in order they hold every event once.
func TestExportSplitsObjects(t *testing.T) {
	s, dir := newExportServer(t, Config{})
	s.exports.objectBytes = 100
	setupStream(t, s, "g", "s")
	var evs []m
	var want strings.Builder
	base := nowMs() - 60_000
	for i := range 40 {
		msg := strings.Repeat("x", i+1)
		evs = append(evs, m{"timestamp": base + int64(i), "message": msg})
		want.WriteString(exportLine(base+int64(i), msg))
	}
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": evs})
	id := createExport(t, s, "g", base, nowMs(), nil)
	waitExport(t, s, id)
	files := bucketFiles(t, dir)
	var objects []string
	for _, k := range sortedKeys(files) {
		if strings.HasPrefix(k, "exportedlogs/"+id+"/s/") {
			objects = append(objects, k)
		}
	}
	if len(objects) < 5 {
		t.Errorf("%d objects, want one per 100 bytes of text (%d bytes)", len(objects), want.Len())
	}
	var got strings.Builder
	for i, k := range objects {
		if wantKey := fmt.Sprintf("exportedlogs/%s/s/%06d.gz", id, i); k != wantKey {
			t.Errorf("object %d is %s, want %s", i, k, wantKey)
		}
		if i < len(objects)-1 && len(files[k]) < 100 {
			t.Errorf("%s holds %d bytes, less than the object size", k, len(files[k]))
		}
		got.WriteString(files[k])
	}
	if got.String() != want.String() {
		t.Errorf("objects in order:\n got %q\nwant %q", got.String(), want.String())
	}
}

// TestExportStreamNamesSharingAKey: streams "a/b" and "a-b" have the same key segment;
// the second one's objects are numbered after the first one's, none is overwritten.
// Stream names that are no file name ("..") are escaped.
func TestExportStreamNamesSharingAKey(t *testing.T) {
	s, dir := newExportServer(t, Config{})
	for _, st := range []string{"a/b", "a-b", "..", "."} {
		setupStream(t, s, "g", st)
		mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": st, "logEvents": []m{{"timestamp": nowMs(), "message": "from " + st}}})
	}
	id := createExport(t, s, "g", 0, nowMs(), nil)
	waitExport(t, s, id)
	line := func(st string) string { return exportLine(nowMs(), "from "+st) }
	want := map[string]string{
		"aws-logs-write-test":                      writeTestBody,
		"exportedlogs/" + id + "/%2E%2E/000000.gz": line(".."),
		"exportedlogs/" + id + "/%2E/000000.gz":    line("."),
		// Streams are exported in name order: "a-b" before "a/b".
		"exportedlogs/" + id + "/a-b/000000.gz": line("a-b"),
		"exportedlogs/" + id + "/a-b/000001.gz": line("a/b"),
	}
	files := bucketFiles(t, dir)
	if !slices.Equal(sortedKeys(files), sortedKeys(want)) {
		t.Fatalf("objects %q, want %q", sortedKeys(files), sortedKeys(want))
	}
	for k, v := range want {
		if files[k] != v {
			t.Errorf("%s: %q, want %q", k, files[k], v)
		}
	}
}

// TestExportLifecycle: a task is RUNNING while it reads ("Started Successfully"); a
// second one is refused while it is; CancelExportTask ends it CANCELLED and answers once
// it has stopped; a cancelled or completed task cannot be cancelled, an unknown one is
// not found; then another export may start.
func TestExportLifecycle(t *testing.T) {
	s, dir := newExportServer(t, Config{})
	setupStream(t, s, "g", "s")
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": events(nowMs())})
	running := make(chan string, 1)
	s.exports.beforeScan = func(ctx context.Context, id string) {
		running <- id
		<-ctx.Done()
	}
	id := createExport(t, s, "g", 0, nowMs(), nil)
	if got := <-running; got != id {
		t.Fatalf("running %s, created %s", got, id)
	}
	if code, msg := taskStatus(describeExport(t, s, id)); code != exportRunning || msg != msgExportStarted {
		t.Errorf("while running: %s %q", code, msg)
	}
	r := call(t, s, "CreateExportTask", m{"logGroupName": "g", "from": 0, "to": 1, "destination": testBucket})
	if r.status != 400 || r.errType() != codeLimitExceeded || r.message() != msgLimitExceeded {
		t.Errorf("second active export: %d %s", r.status, r.raw)
	}
	mustOK(t, s, "CancelExportTask", m{"taskId": id})
	task := describeExport(t, s, id)
	if code, msg := taskStatus(task); code != exportCancelled || msg != msgExportCancelled {
		t.Errorf("after cancel: %s %q", code, msg)
	}
	if ei, _ := task["executionInfo"].(map[string]any); ei["completionTime"] == nil {
		t.Errorf("a cancelled task has no completionTime: %v", task)
	}
	if keys := sortedKeys(bucketFiles(t, dir)); !slices.Equal(keys, []string{"aws-logs-write-test"}) {
		t.Errorf("a task cancelled before reading wrote %q", keys)
	}
	for _, tc := range []struct {
		id, code, msg string
	}{
		{id, codeInvalidOperation, msgExportFinished},
		{"no-such-task", codeResourceNotFound, msgExportNotFound},
	} {
		r := call(t, s, "CancelExportTask", m{"taskId": tc.id})
		if r.status != 400 || r.errType() != tc.code || r.message() != tc.msg {
			t.Errorf("cancel %s: %d %s", tc.id, r.status, r.raw)
		}
	}
	r = call(t, s, "CancelExportTask", m{})
	if r.status != 400 || !strings.Contains(r.message(), "Value null at 'taskId' failed to satisfy constraint: Member must not be null") {
		t.Errorf("cancel without id: %d %s", r.status, r.raw)
	}

	s.exports.beforeScan = nil
	id2 := createExport(t, s, "g", 0, nowMs(), nil)
	if code, _ := taskStatus(waitExport(t, s, id2)); code != exportCompleted {
		t.Errorf("next export: %s", code)
	}
	r = call(t, s, "CancelExportTask", m{"taskId": id2})
	if r.status != 400 || r.errType() != codeInvalidOperation || r.message() != msgExportFinished {
		t.Errorf("cancel a completed task: %d %s", r.status, r.raw)
	}
}

// TestExportCancelStopsWriting: a task cancelled once it has written an object writes
// no further one, and leaves no temporary file.
func TestExportCancelStopsWriting(t *testing.T) {
	s, dir := newExportServer(t, Config{})
	s.exports.objectBytes = 1 // one object per event
	setupStream(t, s, "g", "s")
	var evs []m
	for i := range 50 {
		evs = append(evs, m{"timestamp": nowMs() - 50 + int64(i), "message": "e"})
	}
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": evs})
	cancelled := make(chan *response, 1)
	var written []string
	s.exports.afterObject = func(ctx context.Context, key string) {
		written = append(written, filepath.ToSlash(key))
		if len(written) == 1 {
			id := strings.Split(filepath.ToSlash(key), "/")[2]
			go func() { cancelled <- call(t, s, "CancelExportTask", m{"taskId": id}) }()
			<-ctx.Done() // the cancel has reached the task
		}
	}
	id := createExport(t, s, "g", 0, nowMs(), nil)
	if r := <-cancelled; r.status != 200 {
		t.Fatalf("cancel: %d %s", r.status, r.raw)
	}
	if code, _ := taskStatus(describeExport(t, s, id)); code != exportCancelled {
		t.Errorf("status %s", code)
	}
	want := []string{"aws-logs-write-test", "exportedlogs/" + id + "/s/000000.gz"}
	if got := sortedKeys(bucketFiles(t, dir)); !slices.Equal(got, want) || len(written) != 1 {
		t.Errorf("objects %q (written %q), want %q", got, written, want)
	}
	if left, _ := os.ReadDir(filepath.Join(dir, exportTmpDir)); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestDescribeExportTasks: newest first, filtered by task id (an unknown one lists
// nothing) and status code, paged by limit with a token bound to the filters.
func TestDescribeExportTasks(t *testing.T) {
	s, _ := newExportServer(t, Config{})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "g"})
	var ids []string
	for range 5 {
		id := createExport(t, s, "g", 0, 1, nil)
		waitExport(t, s, id)
		ids = append(ids, id)
	}
	slices.Reverse(ids) // newest first
	taskIDs := func(items []map[string]any) []string {
		var out []string
		for _, it := range items {
			out = append(out, it["taskId"].(string))
		}
		return out
	}
	all, pages := pageItems(t, s, "DescribeExportTasks", m{"limit": 2}, "exportTasks", 10)
	if got := taskIDs(all); !slices.Equal(got, ids) || pages != 3 {
		t.Errorf("paged by 2: %d pages %q, want 3 pages %q", pages, got, ids)
	}
	r := mustOK(t, s, "DescribeExportTasks", m{})
	if got := taskIDs(toMaps(list(r.body["exportTasks"]))); !slices.Equal(got, ids) || r.body["nextToken"] != nil {
		t.Errorf("default page: %q, token %v", got, r.body["nextToken"])
	}
	for _, tc := range []struct {
		name string
		in   m
		want []string
	}{
		{"by id", m{"taskId": ids[2]}, ids[2:3]},
		{"unknown id", m{"taskId": "no-such-task"}, nil},
		{"completed", m{"statusCode": exportCompleted}, ids},
		{"running", m{"statusCode": exportRunning}, nil},
		{"pending cancel", m{"statusCode": "PENDING_CANCEL"}, nil},
		{"completed by id", m{"statusCode": exportCompleted, "taskId": ids[0]}, ids[:1]},
	} {
		r := mustOK(t, s, "DescribeExportTasks", tc.in)
		if got := taskIDs(toMaps(list(r.body["exportTasks"]))); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
		if _, ok := r.body["exportTasks"]; !ok {
			t.Errorf("%s: no exportTasks member: %s", tc.name, r.raw)
		}
	}
	r = mustOK(t, s, "DescribeExportTasks", m{"limit": 1, "statusCode": exportCompleted})
	tok := r.body["nextToken"].(string)
	for _, tc := range []struct {
		name string
		in   m
		code string
		msg  string
	}{
		{"token of other filters", m{"nextToken": tok}, codeInvalidParameter, msgInvalidNextToken},
		{"garbage token", m{"nextToken": "x"}, codeInvalidParameter, msgInvalidNextToken},
		{"limit 0", m{"limit": 0}, codeInvalidParameter, "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"limit 51", m{"limit": 51}, codeInvalidParameter, "Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50"},
		{"bad status", m{"statusCode": "DONE"}, codeInvalidParameter, "Value 'DONE' at 'statusCode' failed to satisfy constraint: Member must satisfy enum value set: [CANCELLED, COMPLETED, FAILED, PENDING, PENDING_CANCEL, RUNNING]"},
		{"empty id", m{"taskId": ""}, codeInvalidParameter, "at 'taskId' failed to satisfy constraint: Member must have length greater than or equal to 1"},
	} {
		r := call(t, s, "DescribeExportTasks", tc.in)
		if r.status != 400 || r.errType() != tc.code || !strings.Contains(r.message(), tc.msg) {
			t.Errorf("%s: %d %s", tc.name, r.status, r.raw)
		}
	}
	r = mustOK(t, s, "DescribeExportTasks", m{"limit": 1, "statusCode": exportCompleted, "nextToken": tok})
	if got := taskIDs(toMaps(list(r.body["exportTasks"]))); !slices.Equal(got, ids[1:2]) {
		t.Errorf("second page: %q", got)
	}
}

func toMaps(l []any) []map[string]any {
	out := make([]map[string]any, len(l))
	for i, v := range l {
		out[i] = v.(map[string]any)
	}
	return out
}

// TestExportShutdown: Shutdown stops a running task, which ends FAILED; a restarted
// server lists it so and accepts a new export.
func TestExportShutdown(t *testing.T) {
	data := t.TempDir()
	if err := os.MkdirAll(filepath.Join(data, "exports", testBucket), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{DataDir: data, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	setupStream(t, s, "g", "s")
	stopped := make(chan struct{})
	s.exports.beforeScan = func(ctx context.Context, id string) {
		<-ctx.Done()
		close(stopped)
	}
	id := createExport(t, s, "g", 0, nowMs(), nil)
	for code, _ := taskStatus(describeExport(t, s, id)); code != exportRunning; code, _ = taskStatus(describeExport(t, s, id)) {
		time.Sleep(time.Millisecond)
	}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-stopped:
	default:
		t.Fatal("Shutdown returned before the export stopped")
	}
	s2 := newTestServer(t, Config{DataDir: data})
	if code, msg := taskStatus(describeExport(t, s2, id)); code != exportFailed || msg != msgExportShutdown {
		t.Errorf("after restart: %s %q", code, msg)
	}
	waitExport(t, s2, createExport(t, s2, "g", 0, nowMs(), nil))
}

// TestExportCreateDuringShutdown: once Shutdown has begun, CreateExportTask is answered
// ServiceUnavailableException and starts nothing.
func TestExportCreateDuringShutdown(t *testing.T) {
	s, _ := newExportServer(t, Config{})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "g"})
	s.stopOnce.Do(func() { close(s.stop) }) // what Shutdown does first
	r := call(t, s, "CreateExportTask", m{"logGroupName": "g", "from": 0, "to": 1, "destination": testBucket})
	if r.status != 503 || r.errType() != codeServiceUnavailable {
		t.Errorf("got %d %s", r.status, r.raw)
	}
	if r := mustOK(t, s, "DescribeExportTasks", m{}); len(list(r.body["exportTasks"])) != 0 {
		t.Errorf("a task was stored: %s", r.raw)
	}
}

// TestExportSymlinkOutOfExportDir: an object path leading out of ExportDir through a
// symbolic link is not written; the task fails and nothing appears outside.
func TestExportSymlinkOutOfExportDir(t *testing.T) {
	outside := t.TempDir()
	s, dir := newExportServer(t, Config{})
	if err := os.MkdirAll(filepath.Join(dir, testBucket, "exportedlogs"), 0o755); err != nil {
		t.Fatal(err)
	}
	setupStream(t, s, "g", "s")
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": events(nowMs())})
	// The task's directory will be created under exportedlogs; make exportedlogs itself
	// lead outside.
	if err := os.Remove(filepath.Join(dir, testBucket, "exportedlogs")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, testBucket, "exportedlogs")); err != nil {
		t.Skipf("symbolic links: %v", err)
	}
	id := createExport(t, s, "g", 0, nowMs(), nil)
	code, msg := taskStatus(waitExport(t, s, id))
	if code != exportFailed || !strings.HasPrefix(msg, "The export failed: ") {
		t.Errorf("status %s %q, want FAILED", code, msg)
	}
	if left, _ := os.ReadDir(outside); len(left) != 0 {
		t.Errorf("written outside the export directory: %v", left)
	}
}

// TestExportSharedExportDir: two servers may share an ExportDir. The first export
// operation of one (which clears what its own killed runs left) does not remove the
// temporary files of the other's running task: that task still completes, its object
// whole.
func TestExportSharedExportDir(t *testing.T) {
	a, dir := newExportServer(t, Config{})
	b, _ := newExportServer(t, Config{ExportDir: dir})
	setupStream(t, a, "g", "s")
	mustOK(t, a, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": events(nowMs())})
	a.exports.beforeCommit = func(ctx context.Context, key string) {
		// a's object is in its temporary file: b starts serving exports now.
		mustOK(t, b, "DescribeExportTasks", m{})
	}
	id := createExport(t, a, "g", 0, nowMs(), nil)
	if code, msg := taskStatus(waitExport(t, a, id)); code != exportCompleted {
		t.Fatalf("a's task: %s %q", code, msg)
	}
	key := "exportedlogs/" + id + "/s/000000.gz"
	if got := bucketFiles(t, dir)[key]; got != exportLine(nowMs(), "event 0") {
		t.Errorf("%s: %q", key, got)
	}
	if left, _ := os.ReadDir(filepath.Join(dir, exportTmpDir)); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
