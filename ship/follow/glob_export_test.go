package follow

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// GlobSteps drives a Glob by hand: its scans and every Follower's polls.
type GlobSteps struct {
	g         *Glob
	tick, ack chan struct{}
	mu        sync.Mutex
	followers map[string]*stepped // the last Follower of each path
	pending   []*stepped          // started, first poll not awaited
	Stats     atomic.Int64        // Stat calls of the scans
	ReadDirs  atomic.Int64        // ReadDir calls
}

type stepped struct {
	f         *Follower
	tick, ack chan struct{}
	done      chan struct{}
}

const stepTimeout = 10 * time.Second

// ManualGlob makes g scan, and its Followers poll, only when told (before
// Run). Every pause sends an acknowledgement first, then waits.
func ManualGlob(g *Glob) *GlobSteps {
	s := &GlobSteps{g: g, tick: make(chan struct{}), ack: make(chan struct{}), followers: map[string]*stepped{}}
	g.wait = func(ctx context.Context, _ time.Duration) bool { return pause(ctx, s.ack, s.tick) }
	g.readDir = func(dir string) ([]string, error) { s.ReadDirs.Add(1); return readDirNames(dir) }
	g.statFile = func(name string) (fs.FileInfo, error) { s.Stats.Add(1); return os.Stat(name) }
	g.setup = func(f *Follower) {
		st := &stepped{f: f, tick: make(chan struct{}), ack: make(chan struct{}), done: make(chan struct{})}
		f.wait = func(ctx context.Context, _ time.Duration) bool { return pause(ctx, st.ack, st.tick) }
		s.mu.Lock()
		s.followers[f.path] = st
		s.pending = append(s.pending, st)
		s.mu.Unlock()
	}
	g.ended = func(f *Follower) {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, st := range s.followers {
			if st.f == f {
				close(st.done)
			}
		}
	}
	return s
}

func pause(ctx context.Context, ack, tick chan struct{}) bool {
	select {
	case ack <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	select {
	case <-tick:
		return true
	case <-ctx.Done():
		return false
	}
}

// Started waits for the first scan (Run's) and the first poll of the
// Followers it started.
func (s *GlobSteps) Started() error {
	select {
	case <-s.ack:
	case <-time.After(stepTimeout):
		return fmt.Errorf("the first scan did not complete")
	}
	return s.awaitPending()
}

// Scan lets the Glob scan once and waits for it, and for the first poll of
// the Followers it started.
func (s *GlobSteps) Scan() error {
	timeout := time.After(stepTimeout)
	select {
	case s.tick <- struct{}{}:
	case <-timeout:
		return fmt.Errorf("the Glob is not waiting to scan")
	}
	select {
	case <-s.ack:
	case <-timeout:
		return fmt.Errorf("the scan did not complete")
	}
	return s.awaitPending()
}

func (s *GlobSteps) awaitPending() error {
	s.mu.Lock()
	p := s.pending
	s.pending = nil
	s.mu.Unlock()
	for _, st := range p {
		select {
		case <-st.ack:
		case <-st.done:
		case <-time.After(stepTimeout):
			return fmt.Errorf("%s: the first poll did not complete", st.f.path)
		}
	}
	return nil
}

// Poll lets the Follower of path poll once and waits for it; alive is
// false when its Run has returned (before or after that poll).
func (s *GlobSteps) Poll(path string) (alive bool, err error) {
	s.mu.Lock()
	st := s.followers[path]
	s.mu.Unlock()
	if st == nil {
		return false, fmt.Errorf("%s: no Follower was started", path)
	}
	timeout := time.After(stepTimeout)
	select {
	case st.tick <- struct{}{}:
	case <-st.done:
		return false, nil
	case <-timeout:
		return false, fmt.Errorf("%s: the Follower is not waiting to poll", path)
	}
	select {
	case <-st.ack:
		return true, nil
	case <-st.done:
		return false, nil
	case <-timeout:
		return false, fmt.Errorf("%s: the poll did not complete", path)
	}
}

// PollAll polls every Follower of g once.
func (s *GlobSteps) PollAll() error {
	for _, p := range s.g.Files() {
		if _, err := s.Poll(p); err != nil {
			return err
		}
	}
	return nil
}
