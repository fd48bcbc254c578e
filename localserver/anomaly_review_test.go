package localserver

import (
	"database/sql"
	"testing"
)

// writerChanges is the number of rows the store's writer connection has changed so far.
func writerChanges(t *testing.T, s *Server) int64 {
	t.Helper()
	var n int64
	if aerr := s.write(func(tx *sql.Tx) *apiError {
		if err := tx.QueryRow(`SELECT total_changes()`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return nil
	}); aerr != nil {
		t.Fatal(aerr)
	}
	return n
}

// TestAnomalyEvaluationWrites: an evaluation writes the detector's row and what it saw
// (the patterns it counted, the anomalies it changed), not every pattern the detector
// knows: an evaluation over a quiet window of a trained detector changed one row per known
// pattern (their unchanged counts) and set inactive an anomaly already inactive.
func TestAnomalyEvaluationWrites(t *testing.T) {
	e := newADEnv(t, "", nil)
	e.train()
	e.put(errorLines(5, 3)...)
	e.evaluate()
	if list := e.anomalies(nil); len(list) != 1 {
		t.Fatalf("%d anomalies after the error, want 1", len(list))
	}
	var patterns int
	if err := e.s.st.r.QueryRow(`SELECT count(*) FROM anomaly_patterns WHERE detector_id = ?`, e.id).Scan(&patterns); err != nil {
		t.Fatal(err)
	}
	if patterns < 3 {
		t.Fatalf("%d known patterns, want at least 3 (two steady ones and the error)", patterns)
	}
	for _, c := range []struct {
		what string
		want int64
	}{
		{"the first quiet evaluation (the detector, the anomaly made inactive)", 2},
		{"the second quiet evaluation (the detector only)", 1},
	} {
		before := writerChanges(t, e.s)
		e.evaluate()
		if got := writerChanges(t, e.s) - before; got != c.want {
			t.Errorf("%s changed %d rows, want %d (%d patterns known)", c.what, got, c.want, patterns)
		}
	}
	if a := e.anomalies(nil)[0]; a["active"] != false {
		t.Errorf("the anomaly after quiet evaluations: active %v, want false", a["active"])
	}
}
