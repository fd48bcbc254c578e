package localserver

import "testing"

// TestTailPublishMasksOutsideLock: publish masks a batch with the registry's lock
// released, so a StartLiveTail or a session's end (which take it for writing) never waits
// for the masking of another put's events. The hook runs where the masking starts and
// checks that the lock is free for a writer then; the session still gets the events (the
// masking itself is egressmask_test.go's).
func TestTailPublishMasksOutsideLock(t *testing.T) {
	var r tailRegistry
	r.sessions = map[*tailSession]struct{}{}
	sess := newTailSession()
	sess.groups = map[int64]string{7: "g"}
	if e := r.add(sess); e != nil {
		t.Fatal(e)
	}
	ran := false
	tailMaskHook = func() {
		ran = true
		if !r.mu.TryLock() {
			t.Error("the registry's lock is held while the events are masked")
			return
		}
		r.mu.Unlock()
	}
	defer func() { tailMaskHook = nil }()

	sn := &dpSnapshot{} // no policy: masks nothing
	r.publish(&groupRow{id: 7, name: "g"}, "s", []putEvent{{ts: 1, msg: []byte("a")}, {ts: 2, msg: []byte("b")}}, 10, 1, sn)
	if !ran {
		t.Fatal("the masking hook did not run")
	}
	sess.mu.Lock()
	defer sess.mu.Unlock()
	if len(sess.cur) != 2 || sess.cur[0].msg != "a" || sess.cur[1].msg != "b" || sess.cur[0].group != "g" {
		t.Errorf("session events = %+v", sess.cur)
	}
}
