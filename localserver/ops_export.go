package localserver

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"sync"
)

// Export tasks (CreateExportTask, DescribeExportTasks, CancelExportTask) copy a log group's
// events to "Amazon S3". This server has no S3: it writes each object to a file under
// Config.ExportDir at the path of its key, the bucket being the directory
// ExportDir/BUCKET (see Config.ExportDir), so that tests read what an export wrote. Tasks
// are stored in SQLite (migration 8). Shapes are botocore's logs/2014-03-28 model
// (CreateExportTaskRequest/Response, DescribeExportTasksRequest/Response, ExportTask,
// ExportTaskStatus, ExportTaskExecutionInfo, CancelExportTaskRequest); the behaviour
// follows, in order of authority, the API reference (the model's documentation), the user
// guide ("Exporting log data to Amazon S3", S3Export.md and S3ExportTasks.md of
// awsdocs/amazon-cloudwatch-logs-user-guide), the AWS CLI's examples, moto's tests marked
// aws_verified (run against live AWS: getmoto/moto tests/test_logs/test_export_tasks.py)
// and what users recorded of live AWS:
//
//   - CreateExportTask is asynchronous: it answers the new task's id (a UUID, as moto's
//     verified test checks) and the task runs in the background, PENDING, then RUNNING
//     ("Started Successfully", the user guide's describe-export-tasks example), then
//     COMPLETED ("Completed successfully", the AWS CLI's describe-export-tasks example).
//     "Each account can only have one active (RUNNING or PENDING) export task at a time"
//     (the model): a second one is refused with LimitExceededException "Resource limit
//     exceeded." (live AWS, as users' code matches it: "LimitExceededException: Resource
//     limit exceeded.").
//   - The bucket must exist: a missing one is InvalidParameterException "The given bucket
//     does not exist. Please make sure the bucket is valid." (moto's verified
//     test_create_export_task_raises_ClientError_when_bucket_not_found), and is checked
//     before the log group, whose absence is ResourceNotFoundException "The specified log
//     group does not exist." (verified likewise). A destination that is no valid S3 bucket
//     name (3–63 lower-case letters, digits, dots and hyphens, …: validBucketName) cannot
//     name a bucket and is refused with a wording of ours naming the rule.
//   - Before the task is answered, the permission check object aws-logs-write-test
//     ("Permission Check Successful") is written: at DESTINATION_PREFIX/aws-logs-write-test
//     when the request gave a prefix (a user's listing of an export: "development/2021-04-21/
//     aws-logs-write-test"), at the root of the bucket when it gave none (moto's verified
//     happy path reads the key "aws-logs-write-test").
//   - from and to are both inclusive: "Events with a timestamp earlier than [from] are not
//     exported" and "Events with a timestamp later than [to] are not exported" (the
//     model). from after to is refused with InvalidParameterException, as is a range
//     wholly older than the group's retention; the message is the part of live AWS's on
//     record ("Please make sure the values are within the retention period of the log
//     groups and from value is lesser than the to value", matched by a user's code).
//     from equal to to is one millisecond, accepted. The model's "You must specify a time
//     [to] that is not earlier than when this log group was created" is not enforced:
//     moto's verified happy path exported from 1611316574 to 1642852574 (January 1970)
//     out of a group created that day. Events older than the group's retention when the
//     task runs are not exported (they are gone).
//   - Only log groups of the STANDARD class can be exported ("Only log groups in the
//     Standard log class support export to Amazon S3", the user guide); the refusal's
//     wording is ours.
//   - Objects: DESTINATION_PREFIX/TASK_ID/STREAM/000000.gz, then 000001.gz, … for the
//     events of each stream (boto/boto3#2246: "task_id/log_stream/0000.gz" after the
//     prefix; pgbadger issues #609 and #654 show <prefix>/<uuid>/<stream>/000000.gz),
//     destinationPrefix being "exportedlogs" when none is given (the model). A "/" in a
//     stream name becomes "-" in its key (moto does so, and a public fixture of exported
//     Lambda logs has "exportedlogs/uuid/yyyy-mm-dd-[$LATEST]hash/000000.gz"). Each
//     object is gzip-compressed text, one line per event: the timestamp in ISO 8601 with
//     milliseconds, UTC, a space and the message ("2020-09-08T04:00:24.000Z 2020-09-08
//     04:00:24 UTC:…", exported RDS logs in pgbadger issues #521 and #609; the user guide
//     sorts exported files with sed -r 's/^[0-9]+/\x0&/' | sort -z, lines starting with
//     the year). Every line ends with "\n" (whether AWS ends the last one so is not on
//     record). "Time-based sorting on chunks of log data inside an exported file is not
//     guaranteed" (the model); here each object holds its events in timestamp order. When
//     AWS starts a further object is not on record: here after exportObjectBytes (64 MiB)
//     of text. A stream without events in the range gets no object. The objects of a
//     stream are written one at a time, streamed from the store as GetLogEvents reads
//     them, so an export's memory does not grow with the group.
//   - DescribeExportTasks lists the tasks "in reverse order of creation" (the user guide),
//     filtered by taskId ("filters the results to one or zero export tasks", the model: an
//     unknown id is an empty list, not an error) and statusCode, at most limit (1–50,
//     default 50) a page with a nextToken bound to the filters. taskName is absent when
//     the request gave none; executionInfo has creationTime, and completionTime once the
//     task has ended.
//   - CancelExportTask cancels a PENDING or RUNNING task; an unknown id is
//     ResourceNotFoundException "The specified export task does not exist." and a task
//     that has ended InvalidOperationException "The specified export task has already
//     finished" (both from moto's verified tests; no final period). It answers once the
//     task has stopped writing, so the task is then CANCELLED ("Cancelled by user",
//     moto's wording; AWS's is not on record) and nothing more appears in the bucket
//     (PENDING_CANCEL is never shown). Objects written before stay, as they would in S3.
//   - Server.Shutdown stops a running task, which ends FAILED ("The export was
//     interrupted: the server shut down."): CANCELLED tells a client that someone cancelled
//     it. A task that was PENDING or RUNNING when the server stopped without ending it
//     (killed) is marked FAILED ("...: the server stopped while it ran.") before any
//     export operation is answered after a restart, and not run again: its objects would
//     appear long after it was created, over what the first run wrote. The temporary
//     files such a run left (under ExportDir/.cwlogs-tmp/TASK_ID) are removed then, and
//     only those: servers may share an ExportDir.
//
// A task that fails otherwise (a file that cannot be written: a stream name longer than a
// file name may be, a symbolic link leading out of ExportDir) ends FAILED with a message
// saying what failed (the user guide's example shows the message "FAILED"). The message
// of a PENDING task ("Pending") is ours, as is every wording this file does not trace
// above: an aws-logs-write-test that cannot be written (InvalidParameterException), a
// destinationPrefix that cannot be a path (InvalidParameterException; S3 would keep a
// key with an empty, "." or ".." segment as it is, a file system cannot), and a
// CancelExportTask whose request ends before the task has stopped
// (OperationAbortedException; the task still ends CANCELLED).

const (
	codeInvalidOperation = "InvalidOperationException"

	exportPending   = "PENDING"
	exportRunning   = "RUNNING"
	exportCompleted = "COMPLETED"
	exportCancelled = "CANCELLED"
	exportFailed    = "FAILED"

	msgExportPending     = "Pending"
	msgExportStarted     = "Started Successfully"
	msgExportCompleted   = "Completed successfully"
	msgExportCancelled   = "Cancelled by user"
	msgExportShutdown    = "The export was interrupted: the server shut down."
	msgExportInterrupted = "The export was interrupted: the server stopped while it ran."

	msgExportNotFound  = "The specified export task does not exist."
	msgExportFinished  = "The specified export task has already finished"
	msgBucketNotFound  = "The given bucket does not exist. Please make sure the bucket is valid."
	msgExportTimeRange = "Please make sure the values are within the retention period of the log groups and from value is lesser than the to value."
	msgNoExportDir     = "This server has no export directory: exports are written under Config.ExportDir (cwlogs serve --export-dir), which is not set for a server without a data directory."
	msgNoResultsDir    = "This server has no export directory: scheduled query results are written under Config.ExportDir (cwlogs serve --export-dir), which is not set for a server without a data directory."

	defaultExportPrefix = "exportedlogs"
	writeTestKey        = "aws-logs-write-test"
	writeTestBody       = "Permission Check Successful"
	maxExportTasksPage  = 50
)

var (
	shExportTaskName = shape(1, 512, "")
	shExportTaskID   = shape(1, 512, "")
	shExportBucket   = shape(1, 512, "")
	exportStatuses   = []string{"CANCELLED", "COMPLETED", "FAILED", "PENDING", "PENDING_CANCEL", "RUNNING"}
)

// errExportCancelled is the cause of a task's context ending by CancelExportTask.
var errExportCancelled = errors.New("export task cancelled")

// exportRegistry holds a Server's running export tasks. Its zero value is empty and
// ready to use.
type exportRegistry struct {
	mu sync.Mutex
	// recovered: the tasks a previous run of the server left active have been marked
	// FAILED (recoverExports), which precedes every export operation.
	recovered bool
	running   map[string]*bgRun

	// beforeScan, when set (tests), runs in each task's goroutine once the task is
	// RUNNING, before it reads events.
	beforeScan func(ctx context.Context, taskID string)
	// beforeCommit, when set (tests), runs in each task's goroutine when an object is
	// written to its temporary file, before it is completed (key, relative to ExportDir).
	beforeCommit func(ctx context.Context, key string)
	// afterObject, when set (tests), runs in each task's goroutine after it has written
	// an object (key, relative to ExportDir).
	afterObject func(ctx context.Context, key string)
	// objectBytes overrides exportObjectBytes when positive (tests).
	objectBytes int64
}

// bgRun is a background job's goroutine (an export task, a scheduled query's run):
// cancel ends it, done closes when it has recorded its end.
type bgRun struct {
	cancel context.CancelCauseFunc
	done   chan struct{}
}

// stop cancels the job with cause and waits until it has recorded its end, or ctx ends
// (ctx.Err()).
func (b *bgRun) stop(ctx context.Context, cause error) error {
	b.cancel(cause)
	select {
	case <-b.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// exportTask is a stored export task.
type exportTask struct {
	seq                int64
	id                 string
	name, streamPrefix sql.NullString
	group              string
	from, to           int64
	bucket, prefix     string
	prefixGiven        bool
	status, message    string
	created            int64
	completed          sql.NullInt64
}

const exportColumns = `seq, id, name, log_group_name, stream_prefix, from_ts, to_ts, destination, destination_prefix,
	prefix_given, status, message, creation_time, completion_time`

func scanExportTask(sc interface{ Scan(...any) error }) (*exportTask, error) {
	t := &exportTask{}
	err := sc.Scan(&t.seq, &t.id, &t.name, &t.group, &t.streamPrefix, &t.from, &t.to, &t.bucket, &t.prefix,
		&t.prefixGiven, &t.status, &t.message, &t.created, &t.completed)
	return t, err
}

// exportTaskByID returns the task or (nil, nil) when it does not exist.
func exportTaskByID(ctx context.Context, q queryer, id string) (*exportTask, error) {
	t, err := scanExportTask(q.QueryRowContext(ctx, `SELECT `+exportColumns+` FROM export_tasks WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return t, err
}

// active reports whether t is PENDING or RUNNING.
func (t *exportTask) active() bool { return t.status == exportPending || t.status == exportRunning }

// keyPrefix is what every key of t's objects starts with: its destination prefix and "/",
// or nothing for an empty prefix.
func (t *exportTask) keyPrefix() string {
	if t.prefix == "" {
		return ""
	}
	return t.prefix + "/"
}

// writeTestKey is the key of t's permission check object.
func (t *exportTask) writeTestKey() string {
	if !t.prefixGiven {
		return writeTestKey
	}
	return t.keyPrefix() + writeTestKey
}

// members writes t's ExportTask members into o, in the model's order.
func (t *exportTask) members(o *jsonObj) {
	o.str("taskId", t.id)
	if t.name.Valid {
		o.str("taskName", t.name.String)
	}
	o.str("logGroupName", t.group)
	o.int("from", t.from)
	o.int("to", t.to)
	o.str("destination", t.bucket)
	o.str("destinationPrefix", t.prefix)
	o.key("status")
	st := newObj(o.b)
	st.str("code", t.status)
	st.str("message", t.message)
	o.b = st.done()
	o.key("executionInfo")
	ei := newObj(o.b)
	ei.int("creationTime", t.created)
	if t.completed.Valid {
		ei.int("completionTime", t.completed.Int64)
	}
	o.b = ei.done()
}

// recoverExports marks FAILED the tasks that a previous run of the server left PENDING or
// RUNNING, and removes the temporary files such a run left, once per Server, before any
// export operation is answered: a client can see tasks only through those operations.
func (s *Server) recoverExports() *apiError {
	r := &s.exports
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.recovered {
		return nil
	}
	now := s.cfg.Now().UnixMilli()
	var ids []string
	aerr := s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		rows, err := tx.QueryContext(ctx, `UPDATE export_tasks SET status = ?, message = ?,
			completion_time = max(?, creation_time) WHERE status IN (?, ?) RETURNING id`,
			exportFailed, msgExportInterrupted, now, exportPending, exportRunning)
		if err != nil {
			return s.dbErr(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return s.dbErr(err)
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			return s.dbErr(err)
		}
		return nil
	})
	if aerr != nil {
		return aerr
	}
	// Only these tasks' temporary files: another server sharing ExportDir may be writing
	// its own.
	if s.cfg.ExportDir != "" {
		for _, id := range ids {
			s.removeTaskTmp(id)
		}
	}
	r.recovered = true
	return nil
}

type createExportTaskIn struct {
	TaskName            *string `json:"taskName"`
	LogGroupName        *string `json:"logGroupName"`
	LogStreamNamePrefix *string `json:"logStreamNamePrefix"`
	From                *int64  `json:"from"`
	To                  *int64  `json:"to"`
	Destination         *string `json:"destination"`
	DestinationPrefix   *string `json:"destinationPrefix"`
}

func (s *Server) createExportTask(rc *reqCtx) ([]byte, *apiError) {
	var in createExportTaskIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.str(in.TaskName, "taskName", shExportTaskName)
	v.required(in.LogGroupName != nil, "logGroupName")
	v.str(in.LogGroupName, "logGroupName", shLogGroupName)
	v.str(in.LogStreamNamePrefix, "logStreamNamePrefix", shLogStreamName)
	v.required(in.From != nil, "from")
	v.minInt(in.From, "from", 0)
	v.required(in.To != nil, "to")
	v.minInt(in.To, "to", 0)
	v.required(in.Destination != nil, "destination")
	v.str(in.Destination, "destination", shExportBucket)
	if e := v.err(); e != nil {
		return nil, e
	}
	if aerr := s.recoverExports(); aerr != nil {
		return nil, aerr
	}
	if s.cfg.ExportDir == "" {
		return nil, invalidParam("%s", msgNoExportDir)
	}
	if *in.From > *in.To {
		return nil, invalidParam("%s", msgExportTimeRange)
	}
	bucket := *in.Destination
	if why := validBucketName(bucket); why != "" {
		return nil, invalidParam("destination %q is not a valid S3 bucket name: %s.", bucket, why)
	}
	t := &exportTask{id: newRequestID(), group: *in.LogGroupName, from: *in.From, to: *in.To, bucket: bucket,
		prefix: defaultExportPrefix, status: exportPending, message: msgExportPending, created: rc.now.UnixMilli()}
	if in.DestinationPrefix != nil {
		t.prefix, t.prefixGiven = *in.DestinationPrefix, true
		if why := keyPrefixProblem(t.prefix); why != "" {
			return nil, invalidParam("destinationPrefix %q cannot be a key prefix of this server's exports: %s.", t.prefix, why)
		}
	}
	if in.TaskName != nil {
		t.name = sql.NullString{String: *in.TaskName, Valid: true}
	}
	if in.LogStreamNamePrefix != nil {
		t.streamPrefix = sql.NullString{String: *in.LogStreamNamePrefix, Valid: true}
	}
	root := s.openBucket(bucket)
	if root == nil {
		return nil, invalidParam("%s", msgBucketNotFound)
	}
	defer root.Close()
	g, aerr := s.findGroup(rc.ctx, s.st.r, t.group)
	if aerr != nil {
		return nil, aerr
	}
	if g.class != "STANDARD" {
		return nil, invalidParam("Log group %s is of the %s class: only log groups of the STANDARD class can be exported to Amazon S3.", g.name, g.class)
	}
	if cut := g.cutoff(rc.now.UnixMilli()); cut > 0 && t.to < cut {
		return nil, invalidParam("%s", msgExportTimeRange)
	}

	// The task's goroutine counts in sweepWG, which Shutdown waits for before closing the
	// store. Shutdown closes s.stop under the query registry's lock, as StartQuery checks
	// it (ops_insights.go): checked under that lock here, the Add happens before Shutdown's
	// Wait, and the task's context, a child of s.queryCtx, ends when Shutdown cancels the
	// queries.
	reg := s.queries()
	reg.mu.Lock()
	if s.stopping() {
		reg.mu.Unlock()
		return nil, errShuttingDown()
	}
	s.sweepWG.Add(1)
	ctx, cancel := context.WithCancelCause(s.queryCtx)
	reg.mu.Unlock()
	// The task is registered before it is stored: a CancelExportTask that finds it stored
	// finds its goroutine too.
	run := &bgRun{cancel: cancel, done: make(chan struct{})}
	r := &s.exports
	r.mu.Lock()
	if r.running == nil {
		r.running = map[string]*bgRun{}
	}
	r.running[t.id] = run
	r.mu.Unlock()
	started := false
	defer func() {
		if !started {
			r.mu.Lock()
			delete(r.running, t.id)
			r.mu.Unlock()
			cancel(nil)
			root.RemoveAll(taskTmpDir(t.id))
			s.sweepWG.Done()
		}
	}()

	aerr = s.write(func(tx *sql.Tx) *apiError {
		wctx := context.Background()
		var active int
		if err := tx.QueryRowContext(wctx, `SELECT count(*) FROM export_tasks WHERE status IN (?, ?)`,
			exportPending, exportRunning).Scan(&active); err != nil {
			return s.dbErr(err)
		}
		if active > 0 {
			return clientErr(codeLimitExceeded, msgLimitExceeded)
		}
		if err := writeObject(root, taskTmpDir(t.id), bucket, t.writeTestKey(), []byte(writeTestBody)); err != nil {
			return invalidParam("The permission check object %s could not be written to bucket %s: %v", t.writeTestKey(), bucket, err)
		}
		_, err := tx.ExecContext(wctx, `INSERT INTO export_tasks(id, name, log_group_name, stream_prefix, from_ts, to_ts,
			destination, destination_prefix, prefix_given, status, message, creation_time) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
			t.id, t.name, t.group, t.streamPrefix, t.from, t.to, t.bucket, t.prefix, t.prefixGiven, t.status, t.message, t.created)
		if err != nil {
			return s.dbErr(err)
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	started = true
	go func() {
		defer s.sweepWG.Done()
		s.runExport(ctx, t, run)
	}()

	o := newObj(nil)
	o.str("taskId", t.id)
	return o.done(), nil
}

type describeExportTasksIn struct {
	TaskID     *string `json:"taskId"`
	StatusCode *string `json:"statusCode"`
	NextToken  *string `json:"nextToken"`
	Limit      *int64  `json:"limit"`
}

func (s *Server) describeExportTasks(rc *reqCtx) ([]byte, *apiError) {
	var in describeExportTasksIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.str(in.TaskID, "taskId", shExportTaskID)
	v.enum(in.StatusCode, "statusCode", exportStatuses)
	v.str(in.NextToken, "nextToken", shNextToken)
	v.intRange(in.Limit, "limit", 1, maxExportTasksPage)
	if e := v.err(); e != nil {
		return nil, e
	}
	if aerr := s.recoverExports(); aerr != nil {
		return nil, aerr
	}
	limit := limitOr(in.Limit, maxExportTasksPage)
	q := `SELECT ` + exportColumns + ` FROM export_tasks WHERE 1`
	var args []any
	if in.TaskID != nil {
		q += ` AND id = ?`
		args = append(args, *in.TaskID)
	}
	if in.StatusCode != nil {
		q += ` AND status = ?`
		args = append(args, *in.StatusCode)
	}
	// Tokens ("X", as encodeScopedToken's other kinds) carry the last task's seq and are
	// good only for the filters they were answered for.
	scope := listScope("DescribeExportTasks", optPart(in.TaskID), optPart(in.StatusCode))
	if in.NextToken != nil {
		last, ok := decodeScopedToken("X", *in.NextToken, scope)
		seq, err := strconv.ParseInt(last, 10, 64)
		if !ok || err != nil {
			return nil, badToken()
		}
		q += ` AND seq < ?`
		args = append(args, seq)
	}
	q += ` ORDER BY seq DESC LIMIT ?`
	args = append(args, limit+1)
	rows, err := s.st.r.QueryContext(rc.ctx, q, args...)
	if err != nil {
		return nil, s.dbErr(err)
	}
	defer rows.Close()
	o := newObj(nil)
	var last int64
	more, err := o.rowsPage("exportTasks", rows, limit, func(f *jsonObj) error {
		t, err := scanExportTask(rows)
		if err != nil {
			return err
		}
		t.members(f)
		last = t.seq
		return nil
	})
	if err != nil {
		return nil, s.dbErr(err)
	}
	if more {
		o.str("nextToken", encodeScopedToken("X", scope, itoa(last)))
	}
	return o.done(), nil
}

type cancelExportTaskIn struct {
	TaskID *string `json:"taskId"`
}

func (s *Server) cancelExportTask(rc *reqCtx) ([]byte, *apiError) {
	var in cancelExportTaskIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.TaskID != nil, "taskId")
	v.str(in.TaskID, "taskId", shExportTaskID)
	if e := v.err(); e != nil {
		return nil, e
	}
	if aerr := s.recoverExports(); aerr != nil {
		return nil, aerr
	}
	id := *in.TaskID
	t, err := exportTaskByID(rc.ctx, s.st.r, id)
	if err != nil {
		return nil, s.dbErr(err)
	}
	if t == nil {
		return nil, clientErr(codeResourceNotFound, msgExportNotFound)
	}
	if !t.active() {
		return nil, clientErr(codeInvalidOperation, msgExportFinished)
	}
	r := &s.exports
	r.mu.Lock()
	run := r.running[id]
	r.mu.Unlock()
	if run != nil && run.stop(rc.ctx, errExportCancelled) != nil {
		return nil, clientErr(codeOperationAborted, "The request ended before the export task stopped; it ends CANCELLED.")
	}
	// The task may have ended otherwise just before the cancel reached it.
	if t, err = exportTaskByID(rc.ctx, s.st.r, id); err != nil {
		return nil, s.dbErr(err)
	}
	if t == nil || t.status != exportCancelled {
		return nil, clientErr(codeInvalidOperation, msgExportFinished)
	}
	return nil, nil
}

// exportObjectBytes is how much text (uncompressed) one exported object holds at most,
// beyond the event that crosses it.
const exportObjectBytes = 64 << 20

func (r *exportRegistry) maxObjectBytes() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.objectBytes > 0 {
		return r.objectBytes
	}
	return exportObjectBytes
}
