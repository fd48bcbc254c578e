package localserver

import (
	"context"
	"database/sql"
	"fmt"
	"hash/crc32"
	"path/filepath"
	"strings"
)

// openSegments opens the segment store and reconciles it with the committed rows: files
// are truncated to their committed end, orphans removed, chunks whose bytes are missing
// (power loss without FullSync) dropped, and segments without live chunks removed. The
// newest segment becomes the current one.
func (s *store) openSegments(cfg *Config) error {
	ctx := context.Background()
	committed := map[int64]int64{}
	rows, err := s.w.QueryContext(ctx, `SELECT id, end_off FROM segments`)
	if err != nil {
		return fmt.Errorf("localserver: read segments: %w", err)
	}
	for rows.Next() {
		var id, end int64
		if err := rows.Scan(&id, &end); err != nil {
			rows.Close()
			return err
		}
		committed[id] = end
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	dir := ""
	if !cfg.Memory {
		dir = filepath.Join(cfg.DataDir, segmentDir)
	}
	segs, short, err := openSegments(dir, cfg.Memory, cfg.FullSync, committed)
	if err != nil {
		return err
	}
	s.segs = segs

	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for id, size := range short {
		cfg.Logger.Warn("segment shorter than committed; dropping the chunks beyond its end", "segment", id, "size", size, "committed", committed[id])
		if _, err := s.dropChunks(ctx, tx, `seg = ? AND seg_off + seg_len > ?`, id, size); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE segments SET end_off = ? WHERE id = ?`, size, id); err != nil {
			return err
		}
	}
	var last, lastEnd int64
	err = tx.QueryRowContext(ctx, `SELECT id, end_off FROM segments ORDER BY id DESC LIMIT 1`).Scan(&last, &lastEnd)
	if err != nil && err != sql.ErrNoRows {
		return err
	}
	dead, err := tx.QueryContext(ctx, `DELETE FROM segments WHERE chunks <= 0 AND id < ? RETURNING id`, last)
	if err != nil {
		return err
	}
	for dead.Next() {
		var id int64
		if err := dead.Scan(&id); err != nil {
			dead.Close()
			return err
		}
		s.removeAfterCommit = append(s.removeAfterCommit, id)
	}
	dead.Close()
	if err := tx.Commit(); err != nil {
		return err
	}
	s.committedWrite()
	if last > 0 && !cfg.Memory {
		return s.segs.resume(last, lastEnd)
	}
	return nil
}

// chunkInsertCols is the column list of a chunk row stored in a segment.
const chunkInsertCols = `group_id, stream_id, min_ts, max_ts, ingest, n, bytes, data, seg, seg_off, seg_len, crc`

// maxRowsPerInsert bounds the rows of one multi-row INSERT statement.
const maxRowsPerInsert = 32

// prepareChunkInserts prepares, on w, the statements inserting k chunk rows for k =
// 1..maxRowsPerInsert. openStore calls it: inside a write transaction, preparing would wait
// forever for w's only connection.
func (s *store) prepareChunkInserts() error {
	for k := 1; k <= maxRowsPerInsert; k++ {
		q := `INSERT INTO chunks(` + chunkInsertCols + `) VALUES ` +
			strings.TrimSuffix(strings.Repeat(`(?,?,?,?,?,?,?,x'',?,?,?,?),`, k), ",")
		st, err := s.w.Prepare(q)
		if err != nil {
			return err
		}
		s.insertChunks[k] = st
	}
	return nil
}

// insertChunkRows inserts rows with multi-row statements. Call under wmu in tx.
func (s *store) insertChunkRows(ctx context.Context, tx *sql.Tx, rows []chunkRow, args []any) ([]any, error) {
	for len(rows) > 0 {
		k := min(len(rows), maxRowsPerInsert)
		stmt := s.insertChunks[k]
		args = args[:0]
		for _, r := range rows[:k] {
			c := r.c
			args = append(args, r.groupID, r.streamID, c.minTs, c.maxTs, r.ingest, int64(c.n), c.bytes,
				r.seg, r.base+int64(c.start), int64(c.end-c.start), int64(c.crc))
		}
		if _, err := tx.Stmt(stmt).ExecContext(ctx, args...); err != nil {
			return args, err
		}
		rows = rows[k:]
	}
	return args, nil
}

// prepareWriteStmts prepares the statements of a group commit besides the chunk inserts.
func (s *store) prepareWriteStmts() error {
	var err error
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = s.w.Prepare(q)
		return st
	}
	s.updStream = prep(`UPDATE log_streams SET
		first_ts = min(coalesce(first_ts, ?1), ?1),
		last_ts = max(coalesce(last_ts, ?2), ?2),
		last_sort = max(last_sort, ?2),
		last_ingest = max(coalesce(last_ingest, ?3), ?3),
		upload_seq = upload_seq + 1,
		max_span = max(max_span, ?5)
		WHERE id = ?4 RETURNING upload_seq`)
	s.updStreamEmpty = prep(`UPDATE log_streams SET upload_seq = upload_seq + 1 WHERE id = ? RETURNING upload_seq`)
	s.updGroupBytes = prep(`UPDATE log_groups SET stored_bytes = stored_bytes + ?1, max_span = max(max_span, ?3) WHERE id = ?2`)
	return err
}

// noteAppend records in the segments table a committed append of n chunks ending at end
// (appends may commit out of order: the end offset only grows).
func noteAppend(ctx context.Context, tx *sql.Tx, seg int64, n int, bytes, end int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO segments(id, chunks, bytes, end_off) VALUES (?1, ?2, ?3, ?4)
		ON CONFLICT(id) DO UPDATE SET chunks = chunks + ?2, bytes = bytes + ?3, end_off = max(end_off, ?4)`, seg, n, bytes, end)
	return err
}

// retireSegment removes a segment rotated out without any live chunk. Call under wmu in tx.
func (s *store) retireSegment(ctx context.Context, tx *sql.Tx, seg int64) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM segments WHERE id = ? AND chunks <= 0`, seg)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n > 0 {
		s.removeAfterCommit = append(s.removeAfterCommit, seg)
	}
	return nil
}

// dropChunks deletes the chunk rows matching where (a condition on chunks with args) and
// returns how many it deleted. It lowers their groups' stored_bytes and releases their
// segment space: a segment left without live chunks (other than the current one) is deleted
// from the segments table and its file removed after the commit. Call under wmu in tx.
func (s *store) dropChunks(ctx context.Context, tx *sql.Tx, where string, args ...any) (int64, error) {
	// One row per (segment, group) of the matching chunks; seg 0: payloads in the rows
	// (schema version 1).
	rows, err := tx.QueryContext(ctx, `SELECT coalesce(seg, 0), group_id, count(*), coalesce(sum(seg_len), 0), sum(bytes)
		FROM chunks WHERE (`+where+`) GROUP BY seg, group_id`, args...)
	if err != nil {
		return 0, err
	}
	type use struct{ n, bytes int64 }
	segUse := map[int64]*use{}
	groupBytes := map[int64]int64{}
	var total int64
	for rows.Next() {
		var seg, group, n, segBytes, bytes int64
		if err := rows.Scan(&seg, &group, &n, &segBytes, &bytes); err != nil {
			rows.Close()
			return 0, err
		}
		total += n
		groupBytes[group] += bytes
		if seg != 0 {
			u := segUse[seg]
			if u == nil {
				u = &use{}
				segUse[seg] = u
			}
			u.n += n
			u.bytes += segBytes
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if total == 0 {
		return 0, nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM chunks WHERE `+where, args...); err != nil {
		return 0, err
	}
	for group, bytes := range groupBytes {
		if _, err := tx.ExecContext(ctx, `UPDATE log_groups SET stored_bytes = max(0, stored_bytes - ?) WHERE id = ?`, bytes, group); err != nil {
			return 0, err
		}
	}
	for seg, u := range segUse {
		var left int64
		err := tx.QueryRowContext(ctx, `UPDATE segments SET chunks = chunks - ?, bytes = bytes - ? WHERE id = ? RETURNING chunks`, u.n, u.bytes, seg).Scan(&left)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return 0, err
		}
		if left <= 0 && !s.segs.busy(seg) {
			if err := s.retireSegment(ctx, tx, seg); err != nil {
				return 0, err
			}
		}
	}
	return total, nil
}

// committedWrite runs after a write transaction committed: it removes the segment files the
// transaction released. Call under wmu.
func (s *store) committedWrite() {
	for _, id := range s.removeAfterCommit {
		s.segs.remove(id) // a failure leaves an orphan file, removed at the next start
	}
	s.removeAfterCommit = s.removeAfterCommit[:0]
}

// abortedWrite runs after a write transaction rolled back: it forgets its removals. Call
// under wmu.
func (s *store) abortedWrite() {
	s.removeAfterCommit = s.removeAfterCommit[:0]
}

// chunkData returns a chunk's packed events: from its segment (checking the CRC), or from
// the row's blob for rows written by schema version 1.
func (s *store) chunkData(ctx context.Context, c *chunkMeta) ([]byte, error) {
	if c.seg == 0 {
		var data []byte
		err := s.r.QueryRowContext(ctx, `SELECT data FROM chunks WHERE id = ?`, c.id).Scan(&data)
		return data, err
	}
	data, err := s.segs.read(c.seg, c.segOff, c.segLen)
	if err != nil {
		return nil, err
	}
	if int64(crc32.Checksum(data, castagnoli)) != c.crc {
		return nil, fmt.Errorf("chunk %d: segment %d at %d: %w (checksum mismatch)", c.id, c.seg, c.segOff, errCorruptChunk)
	}
	return data, nil
}
