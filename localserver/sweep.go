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
	rows, err := s.st.r.Query(`SELECT ` + groupColumns + ` FROM log_groups WHERE retention_days IS NOT NULL`)
	if err != nil {
		return 0, err
	}
	var groups []*groupRow
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		groups = append(groups, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	var total int64
	for _, g := range groups {
		var n int64
		aerr := s.write(func(tx *sql.Tx) *apiError {
			var err error
			n, err = s.st.dropChunks(context.Background(), tx, `group_id = ?1 AND min_ts < ?2 AND max_ts < ?2`, g.id, g.cutoff(nowMs))
			if err != nil {
				return s.dbErr(err)
			}
			return nil
		})
		if aerr != nil {
			return total, aerr
		}
		total += n
	}
	return total, nil
}
