package localserver

import (
	"context"
	"database/sql"
	"time"
)

// sweeper deletes chunks whose newest event is older than the group's retention, every
// RetentionSweepInterval. Reads already hide expired events, so the sweep only reclaims space;
// a chunk that is partly expired stays until all of its events are. Space on disk is
// reclaimed lazily: a segment file is removed once none of its chunks is left (see
// segments.go).
func (s *Server) sweeper() {
	defer s.sweepWG.Done()
	t := time.NewTicker(s.cfg.RetentionSweepInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			if n, err := s.sweepOnce(); err != nil {
				s.cfg.Logger.Error("retention sweep", "err", err)
			} else if n > 0 {
				s.cfg.Logger.Info("retention sweep", "deletedChunks", n)
			}
		}
	}
}

// sweepOnce runs one retention sweep and returns the number of chunks deleted.
func (s *Server) sweepOnce() (int64, error) {
	nowMs := s.cfg.Now().UnixMilli()
	rows, err := s.st.r.Query(`SELECT id, retention_days FROM log_groups WHERE retention_days IS NOT NULL`)
	if err != nil {
		return 0, err
	}
	type gr struct{ id, days int64 }
	var groups []gr
	for rows.Next() {
		var g gr
		if err := rows.Scan(&g.id, &g.days); err != nil {
			rows.Close()
			return 0, err
		}
		groups = append(groups, g)
	}
	rows.Close()
	var total int64
	for _, g := range groups {
		cut := nowMs - g.days*86_400_000
		var n int64
		aerr := s.write(func(tx *sql.Tx) *apiError {
			ctx := context.Background()
			var bytes int64
			if err := tx.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(bytes), 0) FROM chunks WHERE group_id = ?1 AND min_ts < ?2 AND max_ts < ?2`, g.id, cut).Scan(&n, &bytes); err != nil {
				return s.dbErr(err)
			}
			if n == 0 {
				return nil
			}
			if err := s.st.dropChunks(ctx, tx, `group_id = ?1 AND min_ts < ?2 AND max_ts < ?2`, g.id, cut); err != nil {
				return s.dbErr(err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE log_groups SET stored_bytes = max(0, stored_bytes - ?) WHERE id = ?`, bytes, g.id); err != nil {
				return s.dbErr(err)
			}
			return nil
		})
		if aerr != nil {
			return total, aerr
		}
		total += n
	}
	return total, rows.Err()
}
