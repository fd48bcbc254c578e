package goid

import "testing"

// TestID: the id is read (not 0), stays the same on one goroutine and differs on another.
func TestID(t *testing.T) {
	id := ID()
	if id == 0 || ID() != id {
		t.Fatalf("ID() = %d, then %d", id, ID())
	}
	other := make(chan uint64)
	go func() { other <- ID() }()
	if o := <-other; o == 0 || o == id {
		t.Fatalf("another goroutine's ID() = %d, this one's %d", o, id)
	}
}
