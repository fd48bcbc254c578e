package conformance

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/internal/testpeer"
	"github.com/cwlogs/cwlogs/localserver"
	"github.com/cwlogs/cwlogs/sigv4"
)

// The export task operations (CreateExportTask, DescribeExportTasks, CancelExportTask),
// differentially against moto_server with the machinery of TestMotoDifferential
// (runDiffSide, compareTrees, checkKnownDiffs) and a table of their own, as
// motodiff_ops_test.go does. moto writes its exports into its own S3, the local server
// into Config.ExportDir: after the script, the objects of the bucket on both sides are
// compared too (the pseudo-step "bucket objects", keys with their UUIDs masked, gzip
// objects gunzipped). moto runs an export within CreateExportTask; the local server in
// the background, so the script waits after each step until no export of ours is
// active. Where both agree the answers must be identical; every difference is listed
// with the side that follows AWS (see ops_export.go's notes on AWS's behaviour).

const (
	diffExportBucket = "cwlogs-diff-exports"
	diffExportGroup  = "/export/app"
	bucketObjects    = "bucket objects"
)

// exportDiffScript is the script; base is a whole second.
func exportDiffScript(base int64) []diffStep {
	g := diffExportGroup
	put := func(stream string, ts ...int64) map[string]any {
		var evs []any
		for _, x := range ts {
			evs = append(evs, map[string]any{"timestamp": x, "message": diffExportMessage(stream, x-base)})
		}
		return map[string]any{"logGroupName": g, "logStreamName": stream, "logEvents": evs}
	}
	export := func(extra map[string]any) map[string]any {
		body := map[string]any{"logGroupName": g, "from": base + 1000, "to": base + 3000, "destination": diffExportBucket}
		for k, v := range extra {
			body[k] = v
		}
		return body
	}
	return []diffStep{
		s("export: create group", "CreateLogGroup", map[string]any{"logGroupName": g}),
		s("export: create stream web/1", "CreateLogStream", map[string]any{"logGroupName": g, "logStreamName": "web/1"}),
		s("export: create stream worker", "CreateLogStream", map[string]any{"logGroupName": g, "logStreamName": "worker"}),
		s("export: create stream quiet", "CreateLogStream", map[string]any{"logGroupName": g, "logStreamName": "quiet"}),
		// Both ends of [from, to] = [base+1000, base+3000], an event either side, and
		// one off a whole second.
		s("export: put web/1", "PutLogEvents", put("web/1", base, base+1000, base+1500, base+3000, base+4000)),
		s("export: put worker", "PutLogEvents", put("worker", base+2000, base+2001)),
		s("export: put quiet", "PutLogEvents", put("quiet", base+9000)),

		saving(s("create export task", "CreateExportTask", export(map[string]any{"taskName": "diff"})), map[string]string{"task1": "taskId"}),
		s("describe export task", "DescribeExportTasks", map[string]any{"taskId": "$task1"}),
		saving(s("create export task with prefixes", "CreateExportTask", export(map[string]any{"destinationPrefix": "diff/prefix", "logStreamNamePrefix": "web"})),
			map[string]string{"task2": "taskId"}),
		s("describe export task without name", "DescribeExportTasks", map[string]any{"taskId": "$task2"}),
		s("describe export tasks", "DescribeExportTasks", map[string]any{}),
		s("describe export tasks limit 1", "DescribeExportTasks", map[string]any{"limit": 1}),
		s("describe completed export tasks", "DescribeExportTasks", map[string]any{"statusCode": "COMPLETED"}),
		s("describe unknown export task", "DescribeExportTasks", map[string]any{"taskId": "00000000-0000-4000-8000-000000000000"}),
		s("cancel completed export task", "CancelExportTask", map[string]any{"taskId": "$task1"}),
		s("cancel unknown export task", "CancelExportTask", map[string]any{"taskId": "00000000-0000-4000-8000-000000000000"}),
		s("cancel export task without id", "CancelExportTask", map[string]any{}),
		s("describe export task after cancel", "DescribeExportTasks", map[string]any{"taskId": "$task1"}),
		s("create export task to missing bucket", "CreateExportTask", export(map[string]any{"destination": "cwlogs-diff-missing"})),
		s("create export task of missing group", "CreateExportTask", export(map[string]any{"logGroupName": "/export/missing"})),
		s("create export task with invalid bucket name", "CreateExportTask", export(map[string]any{"destination": "Invalid_Bucket"})),
		// Last: moto keeps this task "active" (it lists it from here on).
		s("create export task from after to", "CreateExportTask", export(map[string]any{"from": base + 3000, "to": base + 1000})),
	}
}

// diffExportMessage is the message of the event put at base+offset in stream.
func diffExportMessage(stream string, offset int64) string {
	return stream + " event at +" + strconv.FormatInt(offset, 10) + "ms"
}

// exportLine is a line of an object as the local server writes it (and AWS: ops_export.go).
func exportLine(ts int64, msg string) string {
	return time.UnixMilli(ts).UTC().Format("2006-01-02T15:04:05.000Z") + " " + msg + "\n"
}

// motoExportLine is a line as moto writes it: the time of day in the server's local zone
// (moto_server inherits the test's TZ) cut to the second, then ".000Z"; lines are joined
// by "\n", the last one unterminated.
func motoExportLine(ts int64, msg string) string {
	return time.UnixMilli(ts).In(time.Local).Format("2006-01-02T15:04:05") + ".000Z " + msg
}

// exportObjectsDiff lists, with knownDiff's rendering, the contents expected of each
// side's objects of a stream: lines is the events' offsets from base.
func exportObjectTexts(base int64, stream string, offsets ...int64) (ours, moto string) {
	var motoLines []string
	for _, off := range offsets {
		msg := diffExportMessage(stream, off)
		ours += exportLine(base+off, msg)
		motoLines = append(motoLines, motoExportLine(base+off, msg))
	}
	return ours, strings.Join(motoLines, "\n")
}

func renderJSON(v any) string { return render(v, true) }

// exportDifferences is every expected difference of exportDiffScript and of the bucket's
// objects.
func exportDifferences(base int64) []knownDiff {
	web, motoWeb := exportObjectTexts(base, "web/1", 1000, 1500, 3000)
	worker, motoWorker := exportObjectTexts(base, "worker", 2000, 2001)
	objectsDiffs := []knownDiff{
		{steps: []string{bucketObjects}, path: "objects.exportedlogs/<id>/web-1/000000.gz", moto: renderJSON(motoWeb), ours: renderJSON(web), follows: "ours",
			note: "Each line is the event's timestamp in ISO 8601 with milliseconds, UTC, a space and its message (exported RDS logs, pgbadger issues #521 and #609: " +
				"\"2020-09-08T04:00:24.000Z 2020-09-08 04:00:24 UTC:…\"); moto writes the local time cut to the second, always \".000Z\", and leaves the last line " +
				"unterminated (whether AWS ends it with \"\\n\" is unrecorded). Both export [from, to] inclusive, as the model documents."},
		{steps: []string{bucketObjects}, path: "objects.diff/prefix/<id>/web-1/000000.gz", moto: renderJSON(motoWeb), ours: renderJSON(web), follows: "ours",
			note: "The same object under the second task's destinationPrefix."},
		{steps: []string{bucketObjects}, path: "objects.exportedlogs/<id>/worker/000000.gz", moto: renderJSON(motoWorker), ours: renderJSON(worker), follows: "ours",
			note: "The same for the stream worker (its second event is 1 ms after a whole second: moto prints both at .000Z)."},
		{steps: []string{bucketObjects}, path: "objects.exportedlogs/<id>/quiet/000000.gz", moto: `""`, ours: "absent", follows: "uncertain",
			note: "A stream without events in the range: moto writes an empty object, cwlogs none; what AWS does is unrecorded."},
		{steps: []string{bucketObjects}, path: "objects.diff/prefix/<id>/worker/000000.gz", moto: renderJSON(motoWorker), ours: "absent", follows: "ours",
			note: "logStreamNamePrefix \"web\": \"Export only log streams that match the provided prefix\" (the model); moto ignores it and exports every stream."},
		{steps: []string{bucketObjects}, path: "objects.diff/prefix/<id>/quiet/000000.gz", moto: `""`, ours: "absent", follows: "ours",
			note: "The same for the stream quiet (empty in moto, as above)."},
		{steps: []string{bucketObjects}, path: "objects.diff/prefix/aws-logs-write-test", moto: "absent", ours: `"Permission Check Successful"`, follows: "ours",
			note: "With a destinationPrefix, the permission check object is under it (a listing of a live export: \"development/2021-04-21/aws-logs-write-test\"); " +
				"moto always writes it at the root of the bucket, where AWS puts it only without a prefix (moto's aws_verified happy path)."},
	}
	listSteps := []string{"describe export tasks", "describe completed export tasks"}
	return append([]knownDiff{
		{steps: []string{"export: create group", "export: create stream web/1", "export: create stream worker", "export: create stream quiet"},
			path: "body", moto: `"(empty body)"`, ours: `{}`, follows: "uncertain",
			note: "As in TestMotoDifferential: operations without output."},
		{steps: []string{"describe export task", "describe export task without name", "describe export tasks", "describe completed export tasks", "describe export task after cancel"},
			path: "body.exportTasks[*].executionInfo", moto: "absent", ours: "*", follows: "ours",
			note: "ExportTask.executionInfo holds creationTime and, once the task has ended, completionTime (the model; the AWS CLI's describe-export-tasks example); moto omits it."},
		{steps: []string{"describe export task without name"}, path: "body.exportTasks[0].taskName", moto: "null", ours: "absent", follows: "ours",
			note: "A task created without taskName: AWS omits absent members, moto sends null."},
		{steps: listSteps, path: "body.exportTasks[0].taskName", moto: `"diff"`, ours: "absent", follows: "ours",
			note: "AWS lists the tasks \"in reverse order of creation\" (the user guide, S3ExportTasks); moto in creation order, so the listings compare the first task with the second " +
				"(this row and the next three)."},
		{steps: listSteps, path: "body.exportTasks[1].taskName", moto: "null", ours: `"diff"`, follows: "ours",
			note: "The order of the previous row."},
		{steps: listSteps, path: "body.exportTasks[0].destinationPrefix", moto: `"exportedlogs"`, ours: `"diff/prefix"`, follows: "ours",
			note: "The order of the previous rows."},
		{steps: listSteps, path: "body.exportTasks[1].destinationPrefix", moto: `"diff/prefix"`, ours: `"exportedlogs"`, follows: "ours",
			note: "The order of the previous rows."},
		{steps: []string{"describe export tasks limit 1"}, path: "body.exportTasks", moto: "*", ours: "*", follows: "ours",
			note: "DescribeExportTasks pages by limit (the model's DescribeLimit, 1–50) and nextToken; moto ignores limit and lists both tasks."},
		{steps: []string{"describe export tasks limit 1"}, path: "body.nextToken", moto: "absent", ours: `"<token>"`, follows: "ours",
			note: "The token of the previous row's second page; moto has no paging."},
		{steps: []string{"describe unknown export task"}, path: "status", moto: "400", ours: "200", follows: "ours",
			note: "\"Specifying a task ID filters the results to one or zero export tasks\" (the model): an unknown id lists none; moto answers ResourceNotFoundException."},
		{steps: []string{"describe unknown export task"}, path: "body.*", moto: "*", ours: "*", follows: "ours",
			note: "The body of the previous row: moto's message names a log group (\"The specified log group does not exist.\"), cwlogs answers {\"exportTasks\":[]}."},
		{steps: []string{"cancel completed export task"}, path: "status", moto: "200", ours: "400", follows: "ours",
			note: "\"The task must be in the PENDING or RUNNING state\" (the model): InvalidOperationException \"The specified export task has already finished\" " +
				"(recorded by moto's own aws_verified test; moto's code leaves it unimplemented, its exports ending within CreateExportTask)."},
		{steps: []string{"cancel completed export task"}, path: "body.*", moto: "absent", ours: "*", follows: "ours",
			note: "The body of the previous row: moto answers {}."},
		{steps: []string{"cancel export task without id"}, path: "body.__type", moto: `"ResourceNotFoundException"`, ours: `"InvalidParameterException"`, follows: "ours",
			note: "taskId is required (CancelExportTaskRequest): the service's validation template; moto looks up a task without an id."},
		{steps: []string{"cancel export task without id"}, path: "body.message", moto: `"The specified export task does not exist."`,
			ours: `"1 validation error detected: Value null at 'taskId' failed to satisfy constraint: Member must not be null"`, follows: "ours",
			note: "The message of the previous row."},
		{steps: []string{"describe export task after cancel"}, path: "body.exportTasks[0].status.code", moto: `"CANCELLED"`, ours: `"COMPLETED"`, follows: "ours",
			note: "moto cancels a completed task; it stays COMPLETED."},
		{steps: []string{"describe export task after cancel"}, path: "body.exportTasks[0].status.message", moto: `"Cancelled by user"`, ours: `"Completed successfully"`, follows: "ours",
			note: "The message of the previous row."},
		{steps: []string{"create export task with invalid bucket name"}, path: "body.message", moto: `"The given bucket does not exist. Please make sure the bucket is valid."`,
			ours: `"destination \"Invalid_Bucket\" is not a valid S3 bucket name: bucket names hold only lower-case letters, digits, dots (.) and hyphens (-)."`, follows: "uncertain",
			note: "Both answer InvalidParameterException; no bucket can have that name, and AWS's wording for it is unrecorded: cwlogs names the rule."},
		{steps: []string{"create export task from after to"}, path: "status", moto: "200", ours: "400", follows: "ours",
			note: "from after to is refused with InvalidParameterException (live AWS: \"…Please make sure the values are within the retention period of the log groups and " +
				"from value is lesser than the to value\", matched by a user's code); moto creates a task that stays in a status \"active\", outside the model's enum."},
		{steps: []string{"create export task from after to"}, path: "body.*", moto: "*", ours: "*", follows: "ours",
			note: "The body of the previous row."},
	}, objectsDiffs...)
}

// startExportServer starts a local server like startServer's, exporting to a new
// directory holding the bucket diffExportBucket; it returns the server and the directory.
func startExportServer(t *testing.T) (*localserver.Server, string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, diffExportBucket), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := localserver.New(localserver.Config{
		Memory:      true,
		Credentials: map[string]string{testAccessKeyID: testSecretAccessKey},
		Region:      testRegion,
		AccountID:   testAccountID,
		ExportDir:   dir,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		s.Shutdown(context.Background())
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	return s, dir
}

// runStepwise runs script against endpoint one step at a time through runDiffSide (so
// that the answers are normalized alike), keeping the saved variables, and calls settle
// after each step.
func runStepwise(t *testing.T, endpoint string, script []diffStep, settle func()) []sideResult {
	t.Helper()
	vars := map[string]string{}
	out := make([]sideResult, len(script))
	for i, st := range script {
		one := st
		one.body, one.save = substitute(st.body, vars), nil
		out[i] = runDiffSide(t, endpoint, []diffStep{one})[0]
		var doc map[string]any
		if json.Unmarshal(out[i].raw, &doc) == nil {
			for name, member := range st.save {
				if v, ok := doc[member].(string); ok {
					vars[name] = v
				}
			}
		}
		if settle != nil {
			settle()
		}
	}
	return out
}

var uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// maskTaskIDs replaces, in place, every taskId value by "<task id>" and every
// completionTime by "<time>" (creationTime is masked by normalize).
func maskTaskIDs(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			switch {
			case k == "taskId":
				if s, ok := val.(string); ok && uuidRE.MatchString(s) {
					x[k] = "<task id>"
				}
			case k == "completionTime":
				x[k] = "<time>"
			default:
				maskTaskIDs(val)
			}
		}
	case []any:
		for _, val := range x {
			maskTaskIDs(val)
		}
	}
}

// waitExportsIdle waits until the server at endpoint lists no PENDING or RUNNING task.
func waitExportsIdle(t *testing.T, endpoint string) {
	t.Helper()
	c := newClient(t, endpoint)
	for deadline := time.Now().Add(20 * time.Second); ; {
		idle := true
		for _, status := range []string{"PENDING", "RUNNING"} {
			resp, err := c.Invoke(context.Background(), "DescribeExportTasks", []byte(`{"statusCode":"`+status+`"}`))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(resp.Body, []byte(`"exportTasks":[]`)) {
				idle = false
			}
		}
		if idle {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("an export task of the local server is still active")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// s3Request sends an S3 request to moto_server, signed (moto does not check the
// signature, but reads objects only for a signed request).
func s3Request(t *testing.T, method, url string) []byte {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Content-Sha256", sigv4.EmptyPayloadHash)
	creds := sigv4.Credentials{AccessKeyID: testAccessKeyID, SecretAccessKey: testSecretAccessKey}
	if err := sigv4.NewSigner().SignHTTP(req, creds, sigv4.EmptyPayloadHash, "s3", testRegion, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("S3 %s %s: %d %v %s", method, url, resp.StatusCode, err, body)
	}
	return body
}

// objectText is an object's content, gunzipped if its key ends in ".gz".
func objectText(t *testing.T, key string, data []byte) string {
	t.Helper()
	if !strings.HasSuffix(key, ".gz") {
		return string(data)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return string(text)
}

// motoObjects lists moto's bucket: masked key → text.
func motoObjects(t *testing.T, moto string) map[string]any {
	t.Helper()
	var list struct {
		Keys []string `xml:"Contents>Key"`
	}
	if err := xml.Unmarshal(s3Request(t, http.MethodGet, moto+"/"+diffExportBucket+"?list-type=2"), &list); err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	for _, k := range list.Keys {
		out[uuidRE.ReplaceAllString(k, "<id>")] = objectText(t, k, s3Request(t, http.MethodGet, moto+"/"+diffExportBucket+"/"+k))
	}
	return out
}

// ourObjects lists the local server's bucket directory: masked key → text.
func ourObjects(t *testing.T, dir string) map[string]any {
	t.Helper()
	root := filepath.Join(dir, diffExportBucket)
	out := map[string]any{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		key := filepath.ToSlash(rel)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[uuidRE.ReplaceAllString(key, "<id>")] = objectText(t, key, data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMotoDifferentialExports(t *testing.T) {
	// Not parallel, as TestMotoDifferentialOps: moto_server is shared and reset per test.
	moto := testpeer.Moto(t)
	srv, dir := startExportServer(t)
	ours := srv.URL()
	s3Request(t, http.MethodPut, moto+"/"+diffExportBucket) // moto's bucket, in its own S3

	base := time.Now().Add(-10 * time.Minute).Truncate(time.Second).UnixMilli()
	script := exportDiffScript(base)
	known := exportDifferences(base)
	names := stepNames(t, script)
	names[bucketObjects] = true
	for _, k := range known {
		for _, s := range k.steps {
			if !names[s] {
				t.Errorf("difference table names unknown step %q", s)
			}
		}
	}
	motoRes := runStepwise(t, moto, script, nil)
	ourRes := runStepwise(t, ours, script, func() { waitExportsIdle(t, ours) })
	var diffs []observedDiff
	for i, st := range script {
		for _, tree := range []map[string]any{motoRes[i].tree, ourRes[i].tree} {
			maskMembers(tree)
			maskTaskIDs(tree)
		}
		compareTrees(st.name, "", motoRes[i].tree, ourRes[i].tree, true, true, &diffs)
		if testing.Verbose() {
			t.Logf("%s %s\n  moto: %s\n  ours: %s", st.name, st.op, motoRes[i].raw, ourRes[i].raw)
		}
	}
	motoObjs, ourObjs := motoObjects(t, moto), ourObjects(t, dir)
	if testing.Verbose() {
		t.Logf("objects\n  moto: %q\n  ours: %q", motoObjs, ourObjs)
	}
	compareTrees(bucketObjects, "objects", motoObjs, ourObjs, true, true, &diffs)
	checkKnownDiffs(t, diffs, known, "")
}
