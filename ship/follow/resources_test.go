package follow_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/ship/follow"
)

// TestIdlePollCost: a poll that finds nothing new costs one Stat of the path
// and nothing else: no open, no Write, no Flush, no checkpoint. A missing
// path costs one failed open per poll.
func TestIdlePollCost(t *testing.T) {
	for _, tc := range []struct {
		name               string
		create             bool
		wantStat, wantOpen int64 // per idle poll
	}{
		{"file present", true, 1, 0},
		{"file missing", false, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := logPath(t)
			if tc.create {
				appendFile(t, path, "already there\n")
			}
			state := filepath.Join(t.TempDir(), "state")
			d := &recorder{}
			var stats, opens *atomic.Int64
			r := startWith(t, path, d, follow.Options{StateFile: state, CheckpointInterval: time.Nanosecond},
				func(f *follow.Follower) { stats, opens = follow.CountFS(f) })
			r.step() // the starting checkpoint is written by now
			cp := r.f.Stats().Checkpoints
			s0, o0 := stats.Load(), opens.Load()
			const polls = 50
			for range polls {
				r.step()
			}
			if s, o := stats.Load()-s0, opens.Load()-o0; s != tc.wantStat*polls || o != tc.wantOpen*polls {
				t.Errorf("%d idle polls: %d stats, %d opens; want %d and %d", polls, s, o, tc.wantStat*polls, tc.wantOpen*polls)
			}
			d.mu.Lock()
			w, fl := d.writes, d.flushes
			d.mu.Unlock()
			if st := r.f.Stats(); w != 0 || fl != 0 || st.Checkpoints != cp {
				t.Errorf("idle: %d writes, %d flushes, %d checkpoints; want none", w, fl, st.Checkpoints-cp)
			}
		})
	}
}

// openFilesUnder returns the descriptors of this process open on files under
// dir (linux: /proc/self/fd).
func openFilesUnder(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if err == nil && strings.HasPrefix(target, dir+string(filepath.Separator)) {
			out = append(out, target)
		}
	}
	return out
}

// TestNoDescriptorLeak: many rotations (rename, copytruncate, removal),
// restarts with rotations while stopped, and a state file: the Follower
// holds at most the file it reads, and nothing once Run has returned.
func TestNoDescriptorLeak(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("counts descriptors through /proc/self/fd")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	state := filepath.Join(dir, "state")
	appendFile(t, path, "")
	d := &recorder{}
	want := 0
	line := func(name string) {
		appendFile(t, name, fmt.Sprintf("line %d\n", want))
		want++
	}
	check := func(when string, max int) {
		t.Helper()
		if fds := openFilesUnder(t, dir); len(fds) > max {
			t.Fatalf("%s: %d descriptors open under the test directory, want at most %d: %q", when, len(fds), max, fds)
		}
	}
	for run := range 5 {
		r := start(t, path, d, follow.Options{StateFile: state, CheckpointInterval: time.Nanosecond, RotateWait: time.Hour})
		for i := range 20 {
			line(path)
			r.step()
			switch i % 4 {
			case 0: // rename and create
				old := fmt.Sprintf("%s.%d.%d", path, run, i)
				if err := os.Rename(path, old); err != nil {
					t.Fatal(err)
				}
				line(old)
				line(path)
				r.step() // reads the old file's last line
				r.step() // quiet: switches
			case 1: // copytruncate (the line already read: nothing lost)
				if err := os.Truncate(path, 0); err != nil {
					t.Fatal(err)
				}
				line(path)
				r.step()
			case 2: // removed, then created again
				if err := os.Remove(path); err != nil {
					t.Fatal(err)
				}
				r.step()
				line(path)
				r.step()
			}
			check(fmt.Sprintf("run %d, step %d", run, i), 1)
		}
		if err := r.stop(); err != nil {
			t.Fatal(err)
		}
		check(fmt.Sprintf("after run %d", run), 0)
		if run == 4 {
			break
		}
		// Rotated while stopped: the next run finds the old file by its identity.
		line(path)
		if err := os.Rename(path, fmt.Sprintf("%s.stopped.%d", path, run)); err != nil {
			t.Fatal(err)
		}
		line(path)
	}
	// Every line once, in order: nothing lost or repeated on the way.
	got := d.lines()
	for i := range max(want, len(got)) {
		if i >= len(got) || i >= want || got[i] != fmt.Sprintf("line %d", i) {
			t.Fatalf("%d lines delivered of %d written; the first wrong one is #%d: %q", len(got), want, i, got[min(i, len(got)-1)])
		}
	}
	if st := len(openFilesUnder(t, dir)); st != 0 {
		t.Errorf("%d descriptors left open", st)
	}
}
