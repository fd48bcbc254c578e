package localserver

import (
	"context"
	"database/sql"
)

// detectAnomalies records what detector d's evaluation at at found in its window's
// events evs, in the evaluation's transaction tx. Phase 1: nothing (the pattern
// clustering comes with package localserver/patterns).
func (s *Server) detectAnomalies(ctx context.Context, tx *sql.Tx, d *anomalyDetector, at, nowMs int64, evs []windowEvent) *apiError {
	return nil
}
