package spool

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// recordSyncs makes syncFile and syncDir record the paths they sync, for
// the rest of the test.
func recordSyncs(t *testing.T) (files, dirs func() []string) {
	var mu sync.Mutex
	var fs, ds []string
	origFile, origDir := syncFile, syncDir
	syncFile = func(path string) error {
		mu.Lock()
		fs = append(fs, filepath.Base(path))
		mu.Unlock()
		return origFile(path)
	}
	syncDir = func(dir string) {
		mu.Lock()
		ds = append(ds, dir)
		mu.Unlock()
		origDir(dir)
	}
	t.Cleanup(func() { syncFile, syncDir = origFile, origDir })
	get := func(p *[]string) func() []string {
		return func() []string {
			mu.Lock()
			defer mu.Unlock()
			return slices.Clone(*p)
		}
	}
	return get(&fs), get(&ds)
}

// TestSyncNeverSync: with SyncNever, Spool.Sync syncs the segments closed
// since the last Sync (not only the one being written) and the directory
// that received the new ones, so that every record accepted before it
// survives a power loss, as it promises whatever the policy.
func TestSyncNeverSync(t *testing.T) {
	o := fastOpts()
	o.Sync = SyncNever
	o.SegmentBytes = MinSegmentBytes
	o.MaxMessageBytes = 1000
	d := &memDst{block: make(chan struct{})} // nothing delivered: the segments stay
	unblock := sync.OnceFunc(func() { close(d.block) })
	dir := t.TempDir()
	s := mustOpen(t, dir, d, o)
	defer s.Close(context.Background())
	defer unblock()
	files, dirs := recordSyncs(t)

	big := strings.Repeat("x", 1000)
	for s.Stats().Segments < 3 {
		if err := s.Log(time.UnixMilli(1700000000000), big); err != nil {
			t.Fatal(err)
		}
	}
	if f, ds := files(), dirs(); len(f) != 0 || len(ds) != 0 {
		t.Fatalf("SyncNever synced %q and %q before Sync", f, ds)
	}
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	closed := []string{filepath.Base(s.segs[0].path), filepath.Base(s.segs[1].path)}
	s.mu.Unlock()
	if f := files(); !slices.Equal(f, closed) {
		t.Fatalf("Sync synced the closed segments %q, want %q", f, closed)
	}
	if ds := dirs(); !slices.Equal(ds, []string{dir}) {
		t.Fatalf("Sync synced the directories %q, want %q", ds, dir)
	}
	// Nothing closed since: a second Sync syncs only the open segment.
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	if f, ds := files(), dirs(); len(f) != 2 || len(ds) != 1 {
		t.Fatalf("second Sync synced %q and %q again", f, ds)
	}
}

// TestSyncNeverSyncRolling: a Sync running while Log rolls to a new
// segment (which closes the file being synced, without a sync under
// SyncNever) does not fail: the closed segment is synced by path.
func TestSyncNeverSyncRolling(t *testing.T) {
	o := fastOpts()
	o.Sync = SyncNever
	o.SegmentBytes = MinSegmentBytes
	o.MaxMessageBytes = 1000
	s := mustOpen(t, t.TempDir(), &memDst{}, o)
	defer closeOK(t, s)
	stop := make(chan struct{})
	errs := make(chan error, 1)
	go func() {
		defer close(errs)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := s.Sync(); err != nil {
				errs <- err
				return
			}
		}
	}()
	big := strings.Repeat("x", 1000)
	for range 400 { // 100 rolls
		if err := s.Log(time.UnixMilli(1700000000000), big); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	if err := <-errs; err != nil {
		t.Fatalf("Sync during rolls: %v", err)
	}
}

// TestOpenSyncsNewDirectory: Open syncs the parent of each directory it
// creates (unless SyncNever), so that a power loss cannot take away the
// spool directory, and with it records acknowledged under SyncAlways.
func TestOpenSyncsNewDirectory(t *testing.T) {
	for _, p := range []SyncPolicy{SyncAlways, SyncPeriodic, SyncNever} {
		t.Run(p.String(), func(t *testing.T) {
			_, dirs := recordSyncs(t)
			root := t.TempDir()
			o := fastOpts()
			o.Sync = p
			s := mustOpen(t, filepath.Join(root, "a", "b"), &memDst{}, o)
			closeOK(t, s)
			got := dirs()
			for _, want := range []string{root, filepath.Join(root, "a")} {
				if slices.Contains(got, want) == (p == SyncNever) {
					t.Errorf("synced directories %q: %s synced %v, want %v", got, want, p == SyncNever, p != SyncNever)
				}
			}
		})
	}
}
