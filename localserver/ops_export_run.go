package localserver

import (
	"context"
	"database/sql"
	"os"
	"time"
)

// The background run of an export task (see ops_export.go).

// exportStreamsPage is how many of a group's streams are listed at a time: an export
// holds the names of at most that many, however many the group has.
const exportStreamsPage = 256

// exportCheckEvents is how many events an export writes between two checks of its context.
const exportCheckEvents = 1024

// runExport runs task t, recording its progress and its end, then unregisters it.
func (s *Server) runExport(ctx context.Context, t *exportTask, run *bgRun) {
	defer close(run.done)
	defer run.cancel(nil) // detaches ctx from s.queryCtx
	defer func() {
		r := &s.exports
		r.mu.Lock()
		delete(r.running, t.id)
		r.mu.Unlock()
	}()
	var err error
	if err = ctx.Err(); err == nil {
		s.setExportStatus(t.id, exportRunning, msgExportStarted, false)
		r := &s.exports
		r.mu.Lock()
		hook := r.beforeScan
		r.mu.Unlock()
		if hook != nil {
			hook(ctx, t.id)
		}
		err = s.exportObjects(ctx, t)
	}
	// Before the end is recorded: a client that reads it finds no temporary file left.
	s.removeTaskTmp(t.id)
	switch {
	case err == nil:
		s.setExportStatus(t.id, exportCompleted, msgExportCompleted, true)
	case ctx.Err() != nil && context.Cause(ctx) == errExportCancelled:
		s.setExportStatus(t.id, exportCancelled, msgExportCancelled, true)
	case ctx.Err() != nil && s.stopping():
		s.setExportStatus(t.id, exportFailed, msgExportShutdown, true)
	default:
		s.cfg.Logger.Error("export task failed", "taskId", t.id, "err", err)
		s.setExportStatus(t.id, exportFailed, "The export failed: "+err.Error(), true)
	}
}

// removeTaskTmp removes the temporary directory of task id (taskTmpDir), which holds
// nothing once the task has ended but may have been left by a killed run.
func (s *Server) removeTaskTmp(id string) {
	root, err := os.OpenRoot(s.cfg.ExportDir)
	if err != nil {
		return
	}
	defer root.Close()
	if err := root.RemoveAll(taskTmpDir(id)); err != nil {
		s.cfg.Logger.Warn("export: removing temporary files", "taskId", id, "err", err)
	}
}

// setExportStatus records a task's status and message and, when ended, its completion
// time (never before its creation).
func (s *Server) setExportStatus(id, status, message string, ended bool) {
	aerr := s.write(func(tx *sql.Tx) *apiError {
		q, args := `UPDATE export_tasks SET status = ?, message = ? WHERE id = ?`, []any{status, message, id}
		if ended {
			q = `UPDATE export_tasks SET status = ?, message = ?, completion_time = max(?, creation_time) WHERE id = ?`
			args = []any{status, message, s.cfg.Now().UnixMilli(), id}
		}
		if _, err := tx.ExecContext(context.Background(), q, args...); err != nil {
			return s.dbErr(err)
		}
		return nil
	})
	if aerr != nil {
		s.cfg.Logger.Error("export task: recording its status failed", "taskId", id, "status", status)
	}
}

// exportObjects writes the objects of t: for each stream of its group (matching its
// prefix, in name order), the events of [from, to] still retained, in timestamp order.
func (s *Server) exportObjects(ctx context.Context, t *exportTask) error {
	root, err := os.OpenRoot(s.cfg.ExportDir)
	if err != nil {
		return err
	}
	defer root.Close()
	g, err := groupByName(ctx, s.st.r, t.group)
	if err != nil || g == nil {
		return err // a group deleted meanwhile has nothing to export
	}
	start := max(t.from, g.cutoff(s.cfg.Now().UnixMilli()))
	end := min(t.to, maxTokenTs) + 1
	if start >= end {
		return nil
	}
	ex := &streamExporter{s: s, root: root, bucket: t.bucket, dir: t.keyPrefix() + t.id + "/",
		start: start, end: end, limit: s.exports.maxObjectBytes(), w: objectWriter{dir: taskTmpDir(t.id)},
		mask: readMasker{s: s, g: g}}
	s.exports.mu.Lock()
	ex.beforeCommit, ex.afterObject = s.exports.beforeCommit, s.exports.afterObject
	s.exports.mu.Unlock()
	defer ex.w.abort()
	last := ""
	for {
		q, args := `SELECT id, name FROM log_streams WHERE group_id = ? AND name > ?`, []any{g.id, last}
		if t.streamPrefix.Valid {
			q, args = andPrefix(q, args, "name", t.streamPrefix.String)
		}
		q += ` ORDER BY name LIMIT ?`
		args = append(args, exportStreamsPage)
		page, err := streamPage(ctx, s.st.r, q, args)
		if err != nil {
			return err
		}
		for _, st := range page {
			if err := ex.stream(ctx, g.id, st.id, st.name); err != nil {
				return err
			}
		}
		if len(page) < exportStreamsPage {
			return nil
		}
		last = page[len(page)-1].name
	}
}

// streamRef is a stream's id and name.
type streamRef struct {
	id   int64
	name string
}

// streamPage runs q, which selects stream ids and names, and returns its rows.
func streamPage(ctx context.Context, db *sql.DB, q string, args []any) ([]streamRef, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []streamRef
	for rows.Next() {
		var r streamRef
		if err := rows.Scan(&r.id, &r.name); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// streamExporter writes the objects of one task's streams.
type streamExporter struct {
	s          *Server
	root       *os.Root
	bucket     string
	dir        string // the task's key prefix: DESTINATION_PREFIX/TASK_ID/
	start, end int64  // timestamps, end exclusive
	limit      int64  // text bytes per object
	w          objectWriter
	line       []byte
	mask       readMasker // masks the group's messages (see stream)
	// beforeCommit and afterObject are exportRegistry's.
	beforeCommit, afterObject func(ctx context.Context, key string)
}

// stream writes the objects of one stream, reading its events as GetLogEvents does.
//
// An export is an egress point, so exported messages are masked by the data protection
// policies in force when each event was ingested, as every read masks them: "sensitive
// data that matches the data identifiers you've selected is masked at all egress points,
// including CloudWatch Logs Insights, metric filters, and subscription filters. Only users
// who have the logs:Unmask IAM permission can view unmasked data"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/mask-sensitive-log-data.html).
// The documentation names no exports in particular, and CreateExportTask has no unmask
// parameter: objects are always masked, our reading of "all egress points".
func (ex *streamExporter) stream(ctx context.Context, groupID, streamID int64, name string) error {
	m := newMerger(ctx, ex.s.st, scanRange{groupID: groupID, streamID: streamID, startTs: ex.start, endTs: ex.end,
		forward: true, cut: timeCut(ex.start)})
	dir := ex.dir + streamKeySegment(name)
	next, open := 0, false
	for n := 1; ; n++ {
		if n%exportCheckEvents == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		ev, _, meta, ok, err := m.next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if !open {
			// A cancelled task starts no further object.
			if err := ctx.Err(); err != nil {
				return err
			}
			i, p, err := nextObject(ex.root, ex.bucket, dir, next)
			if err != nil {
				return err
			}
			if err := ex.w.open(ex.root, p); err != nil {
				return err
			}
			next, open = i+1, true
		}
		ex.line = appendExportLine(ex.line[:0], ev.ts, ex.mask.mask(ev.msg, meta.ingest))
		if err := ex.w.write(ex.line); err != nil {
			return err
		}
		if ex.w.text >= ex.limit {
			if err := ex.commit(ctx); err != nil {
				return err
			}
			open = false
		}
	}
	if !open {
		return nil
	}
	// The object of a task cancelled while it was written is dropped.
	if err := ctx.Err(); err != nil {
		return err
	}
	return ex.commit(ctx)
}

// commit completes the object being written.
func (ex *streamExporter) commit(ctx context.Context) error {
	if ex.beforeCommit != nil {
		ex.beforeCommit(ctx, ex.w.final)
	}
	if err := ex.w.commit(); err != nil {
		return err
	}
	if ex.afterObject != nil {
		ex.afterObject(ctx, ex.w.final)
	}
	return nil
}

// exportTimeLayout is the timestamp of an exported line: ISO 8601, milliseconds, UTC.
const exportTimeLayout = "2006-01-02T15:04:05.000Z"

// appendExportLine appends the line of an exported event: its timestamp, a space, its
// message and a newline.
func appendExportLine(b []byte, ts int64, msg string) []byte {
	b = time.UnixMilli(ts).UTC().AppendFormat(b, exportTimeLayout)
	b = append(b, ' ')
	b = append(b, msg...)
	return append(b, '\n')
}
