package spool

import (
	"context"
	"path/filepath"
	"testing"
)

// TestTornEndOfDroppedSegment: a segment whose end Open could not read (a bound) ends in
// zeros, a torn end; DropOldest deletes it just as the pump is about to count that torn
// end. Nothing is counted or reported for the file gone (TornBytes counted 10 and a torn
// *CorruptError was reported when the pump settled the bound and counted the torn end
// under two holds of the lock, the deletion slipping between them).
func TestTornEndOfDroppedSegment(t *testing.T) {
	const n, ckpt = 40, 5
	dir := t.TempDir()
	path := filepath.Join(dir, segName(0))
	o := damageOpts()
	o.OnFull = DropOldest
	leaveOnDisk(t, dir, o, msgs("r", n), ckpt)
	appendZeros(t, path, 10)
	f := &readFault{}
	f.install(t)
	f.set(path, 2) // Open's two reads fail: the end is a bound
	beforeTornEnd = func(s *Spool, seg *segment) {
		s.mu.Lock()
		if s.segs[0] == seg {
			s.dropOldestLocked()
		}
		s.mu.Unlock()
	}
	t.Cleanup(func() { beforeTornEnd = nil })
	rep := &reports{}
	o.OnError = rep.add
	s := mustOpen(t, dir, &memDst{}, o)
	_ = s.Close(context.Background())
	for _, ce := range rep.corrupt() {
		if ce.Truncated {
			t.Errorf("reported a torn end of a dropped segment: %+v", ce)
		}
	}
	st := s.Stats()
	checkIdentities(t, st)
	if st.TornBytes != 0 {
		t.Fatalf("TornBytes %d for a dropped segment; reports %+v; stats %+v", st.TornBytes, rep.corrupt(), st)
	}
}
