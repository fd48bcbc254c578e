package follow

import (
	"context"
	"errors"
	"fmt"
	"github.com/cwlogs/cwlogs/internal/atomicfile"
	"hash/fnv"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of the GlobOptions fields.
const (
	DefaultScanInterval = time.Second
	DefaultMaxFiles     = 1000
)

// GlobOptions configures a Glob. The zero value of every field selects the
// documented default; a nil *GlobOptions selects all defaults.
type GlobOptions struct {
	// Options applies to the Follower of every file. Its StateFile must be
	// empty (see StateDir). FromStart applies to the files that match at
	// the first scan; a file that appears later is read from its start.
	// OnError also receives the Glob's own reports (a *LimitError, an
	// *Error with Op "scan" or "destination") and the error that ended a
	// file's Follower.
	Options
	// ScanInterval is the pause between two scans of the directory (one
	// ReadDir; a Stat of each matching name that has no Follower): a new
	// file is followed within about ScanInterval. 0: 1 s.
	ScanInterval time.Duration
	// MaxFiles bounds the files followed at once. A matching file beyond
	// it is not followed, and reported once to OnError as a *LimitError; it
	// is followed, from its start, once another file's Follower has ended.
	// 0: 1,000.
	MaxFiles int
	// StateDir is the directory of the files' checkpoints, one state file
	// per followed path, named by StateFileName; Run creates it when
	// missing. "": no checkpoints.
	StateDir string
}

// LimitError reports a file not followed because MaxFiles files are.
type LimitError struct {
	Path     string
	MaxFiles int
}

// Error implements error.
func (e *LimitError) Error() string {
	return fmt.Sprintf("follow: %s: not followed: already following %d files (MaxFiles)", e.Path, e.MaxFiles)
}

// StateFileName returns the name of the state file of path in a Glob's
// StateDir: the 16 hexadecimal digits of the FNV-1a 64-bit hash of the
// absolute path, a dot, the base name (its first 64 bytes) and ".state",
// e.g. "3f2a9c0d11e4b5a7.app.log.state". The hash keeps apart files of the
// same name in different directories; the base name says whose state it is.
func StateFileName(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	h := fnv.New64a()
	h.Write([]byte(abs))
	base := filepath.Base(abs)
	if len(base) > 64 {
		base = base[:64]
	}
	return fmt.Sprintf("%016x.%s.state", h.Sum64(), base)
}

// Glob follows every file matching a pattern, one Follower (and one
// Destination) per file, as the CloudWatch agent does with a wildcard in
// file_path. Create it with NewGlob and start it with Run.
//
// Scanning: every ScanInterval (1 s) the Glob reads the pattern's directory
// once (one ReadDir, unsorted) and matches the names with filepath.Match;
// only the base name of the pattern is a pattern (the directory is literal,
// subdirectories are not searched). A matching name that has no Follower is
// stat'ed once per scan, the only other cost of a scan: the followed files
// cost nothing to it. A new file is thus followed within about ScanInterval,
// from its start; the files that match at the first scan start as
// Options.FromStart says (or at their checkpoint). Each Follower then polls
// its own path every PollInterval (one Stat when idle), on a goroutine of
// its own. MaxFiles bounds the Followers.
//
// Rotation: a Follower follows its path across rotations (see the package
// doc), so the rotated file, whatever its new name (app.log.1 by logrotate,
// app.log-20250101 with dateext), is finished by the Follower of its old
// name. The rule that keeps a rotated name that still matches the pattern
// (app.log* or app*) from being taken for a new file: a matching name with
// no Follower is a new file only if its file (device and inode) is not one
// a Follower of this Glob has opened — the file it has open, or one it had
// open that is still in the directory under a matching name, with the
// content it had when the Follower left it (the same first bytes: a file
// that reuses a deleted file's inode is new). At start, the
// files named by the checkpoints of StateDir that are no longer at their
// path (rotated while stopped) count as opened: the Follower of their path
// finishes them from the checkpoint. Systems without identities (Windows)
// cannot tell: there, a rotated name that matches is followed as a new file
// (its lines shipped twice); use a pattern that rotated names do not match.
// So must copytruncate rotation everywhere: its rotated file is a copy (a
// new inode) of lines already shipped, a new file if its name matches.
//
// Removal: when a scan no longer finds a followed name, the Follower reads
// its open file to the end and ends at the first poll that finds nothing new
// RotateWait (5 s) or more after that scan, the path still naming no file
// (a file that comes back at the path before is followed on). Lines written
// to the old file after that are not shipped. Its state file is removed (a
// file created at that name later is new: read from its start), unless a
// Flush failed. A file that appears at the name later is followed as a new
// file.
//
// Checkpoints: with StateDir, each file's Follower keeps its checkpoint in
// StateDir/StateFileName(path), as Options.StateFile describes; a restart
// resumes every file without loss or repeat. After its first scan, Run
// removes the state files of its files (its directory, a name matching its
// pattern) that were removed while it was stopped: no file at the path and
// none with the checkpointed identity in the directory (a file rotated while
// stopped keeps its state, to be finished once a file appears at its path
// again). Each removal is reported to OnError as a *GapError
// (GapRemovedWhileStopped): lines after the checkpoint may not have been
// shipped.
//
// Errors: what a Follower reports goes to OnError; an error that ends a
// Follower (a Write refused by its Destination, a read error) is reported
// too, and the file is not followed again while its name matches; the other
// files go on. Run returns those errors joined.
type Glob struct {
	dir, pattern string
	newDst       func(path string) (Destination, error)
	c            config
	scanEvery    time.Duration
	maxFiles     int
	stateDir     string

	started atomic.Bool
	mu      sync.Mutex
	files   map[string]*globFile // by base name: the Followers running
	failed  map[string]bool      // names not followed again while they match
	limited map[string]bool      // names reported over MaxFiles
	claimed map[identity]*claim  // files a Follower has opened (or is to open)
	current map[identity]int     // the files the Followers have open
	scans   uint64
	errs    []error // the errors that ended Followers
	wg      sync.WaitGroup
	orphans []orphanState // found by preclaim: pruned after the first scan

	// wait pauses between scans; false when ctx ended. readDir and statFile
	// are os.ReadDir's reading and os.Stat. setup and ended are called with
	// each Follower before its Run and after it returns. Tests replace them.
	wait     func(ctx context.Context, d time.Duration) bool
	readDir  func(dir string) ([]string, error)
	statFile func(name string) (fs.FileInfo, error)
	setup    func(f *Follower)
	ended    func(f *Follower)
}

// orphanState is a state file of StateDir, of a file of this Glob that was
// not at its path when Run started.
type orphanState struct {
	file string // the state file
	s    *state
}

// claim is a file of the directory that a Follower has opened, or will: it
// is no new file while its content is the same. An inode can be reused once
// the file is deleted and closed: a claimed file no Follower has open is
// fingerprinted, and a file at that inode with other content is new.
type claim struct {
	scan uint64       // the scan that last made or confirmed the claim
	fp   *fingerprint // nil: none taken yet
}

// fingerprint tells a claimed file from a new one reusing its inode.
type fingerprint struct {
	size     int64
	mtime    time.Time
	headLen  int64  // min(size, headBytes), at the time taken
	headHash uint64 // of the first headLen bytes
	grows    bool   // may have grown since (a checkpoint): size is a floor
}

// takeFingerprint fingerprints the open file f.
func takeFingerprint(f *os.File) (*fingerprint, os.FileInfo, bool) {
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, false
	}
	n := min(fi.Size(), headBytes)
	h, ok := headOf(f, n)
	if !ok {
		return nil, fi, false
	}
	return &fingerprint{size: fi.Size(), mtime: fi.ModTime(), headLen: n, headHash: h}, fi, true
}

// globFile is one followed file.
type globFile struct {
	f      *Follower
	cur    identity // the file its Follower has open
	hasCur bool
}

// NewGlob returns a Glob of the files matching pattern, each written to the
// Destination newDst returns for its path (called once per file, when it is
// first followed; an error from it is reported to OnError as an *Error with
// Op "destination" and the file is not followed while it matches). Only the
// base name of pattern may hold the filepath.Match syntax (*, ?, [...]); its
// directory part is literal. Bad arguments are reported as *OptionError.
func NewGlob(pattern string, newDst func(path string) (Destination, error), opts *GlobOptions) (*Glob, error) {
	if opts == nil {
		opts = &GlobOptions{}
	}
	dir, base := filepath.Split(pattern)
	switch {
	case pattern == "" || base == "":
		return nil, &OptionError{Field: "pattern", Value: fmt.Sprintf("%q", pattern), Reason: "must end with a file name pattern"}
	case hasMeta(dir):
		return nil, &OptionError{Field: "pattern", Value: fmt.Sprintf("%q", pattern), Reason: "only the file name may hold * ? [ (the directory is literal)"}
	case newDst == nil:
		return nil, &OptionError{Field: "newDst", Value: "nil", Reason: "a Destination maker is required"}
	case opts.StateFile != "":
		return nil, &OptionError{Field: "GlobOptions.StateFile", Value: fmt.Sprintf("%q", opts.StateFile), Reason: "use StateDir (one state file per followed file)"}
	case opts.ScanInterval < 0:
		return nil, &OptionError{Field: "GlobOptions.ScanInterval", Value: opts.ScanInterval.String(), Reason: "must not be negative"}
	case opts.MaxFiles < 0:
		return nil, &OptionError{Field: "GlobOptions.MaxFiles", Value: fmt.Sprint(opts.MaxFiles), Reason: "must not be negative"}
	}
	if _, err := filepath.Match(base, ""); err != nil {
		return nil, &OptionError{Field: "pattern", Value: fmt.Sprintf("%q", pattern), Reason: err.Error()}
	}
	c, err := opts.config()
	if err != nil {
		return nil, err
	}
	if dir == "" {
		dir = "."
	}
	g := &Glob{
		dir: filepath.Clean(dir), pattern: base, newDst: newDst, c: c,
		scanEvery: DefaultScanInterval, maxFiles: DefaultMaxFiles, stateDir: opts.StateDir,
		files: map[string]*globFile{}, failed: map[string]bool{}, limited: map[string]bool{}, claimed: map[identity]*claim{},
		current: map[identity]int{},
		wait:    sleep, readDir: readDirNames, statFile: os.Stat,
	}
	if opts.ScanInterval > 0 {
		g.scanEvery = opts.ScanInterval
	}
	if opts.MaxFiles > 0 {
		g.maxFiles = opts.MaxFiles
	}
	return g, nil
}

// hasMeta reports whether a directory path holds filepath.Match syntax.
func hasMeta(dir string) bool {
	meta := `*?[`
	if filepath.Separator != '\\' {
		meta += `\`
	}
	return strings.ContainsAny(dir, meta)
}

// readDirNames returns the names in dir, unsorted (one ReadDir, no Stat:
// a directory that matches is told from a file by the Stat of the names
// without a Follower).
func readDirNames(dir string) ([]string, error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.Readdirnames(-1)
}

// Files returns the paths being followed, sorted.
func (g *Glob) Files() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]string, 0, len(g.files))
	for name := range g.files {
		out = append(out, filepath.Join(g.dir, name))
	}
	slices.Sort(out)
	return out
}

// Run scans the directory every ScanInterval and follows the matching files
// until ctx ends; then every Follower flushes and checkpoints (see
// Follower.Run) and Run returns the errors that ended Followers, joined
// (each one was also given to OnError when it happened), or nil. Run may
// be called once.
func (g *Glob) Run(ctx context.Context) error {
	if !g.started.CompareAndSwap(false, true) {
		return ErrStarted
	}
	fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	g.preclaim()
	for first, pruned := true, false; ; first = false {
		if g.scan(fctx, first) && !pruned {
			g.pruneStates()
			pruned = true
		}
		if !g.wait(ctx, g.scanEvery) {
			break
		}
	}
	cancel() // each Follower's ctx derives from fctx
	g.wg.Wait()
	g.mu.Lock()
	defer g.mu.Unlock()
	return errors.Join(g.errs...)
}

// preclaim claims the files named by the state files of StateDir that are
// of paths in the directory, so that a file rotated while the Glob was
// stopped (app.log.1, still matching) is finished by the Follower of its
// old name, not taken for a new file. It keeps those of this Glob's files
// that are not at their path for pruneStates.
func (g *Glob) preclaim() {
	if g.stateDir == "" {
		return
	}
	entries, err := os.ReadDir(g.stateDir)
	if errors.Is(err, fs.ErrNotExist) {
		err = os.MkdirAll(g.stateDir, 0o755)
	}
	if err != nil {
		g.c.onError(&Error{Op: "state", Path: g.stateDir, Err: err})
		return
	}
	// Temporary state files a crash left, of files followed or gone.
	isTemp := func(name string) bool {
		i := strings.LastIndex(name, ".state.tmp")
		return i > 0 && atomicfile.IsTemp(name, name[:i+len(".state")])
	}
	if err := removeStaleTemps(g.stateDir, isTemp, time.Now()); err != nil {
		g.c.onError(&Error{Op: "state", Path: g.stateDir, Err: fmt.Errorf("removing stale temporary files: %w", err)})
	}
	abs, _ := filepath.Abs(g.dir)
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), ".state") {
			continue
		}
		s, err := readState(filepath.Join(g.stateDir, e.Name()))
		if err != nil || s == nil || filepath.Dir(s.Path) != abs {
			continue // not this Glob's; a Follower reports its own state's errors
		}
		fi, err := g.statFile(s.Path)
		if err == nil && s.sameID(fi) {
			continue // still at its path: followed under that name
		}
		if ok, _ := filepath.Match(g.pattern, filepath.Base(s.Path)); ok && errors.Is(err, fs.ErrNotExist) &&
			e.Name() == StateFileName(s.Path) {
			g.orphans = append(g.orphans, orphanState{file: filepath.Join(g.stateDir, e.Name()), s: s})
		}
		if s.ID != nil {
			// Rotated while stopped: its Follower finishes it.
			g.claimed[*s.ID] = &claim{fp: &fingerprint{size: s.Offset, headLen: s.HeadLen, headHash: s.HeadHash, grows: true}}
		}
	}
}

// pruneStates removes, after the first scan, the state files kept by
// preclaim whose file is gone: still no file at the path (and so no
// Follower of it), and none in the directory with the state's identity (a
// file rotated while stopped is finished once a file appears at its path
// again: its state stays). Lines after their offset may not have been
// shipped: each removal is reported as a *GapError.
func (g *Glob) pruneStates() {
	orphans := g.orphans
	g.orphans = nil
	var ids map[identity]bool // of the directory's regular files, read once when needed
	for _, o := range orphans {
		name := filepath.Base(o.s.Path)
		g.mu.Lock()
		followed := g.files[name] != nil
		g.mu.Unlock()
		if _, err := os.Lstat(o.s.Path); followed || !errors.Is(err, fs.ErrNotExist) {
			continue // appeared since (or cannot tell)
		}
		if o.s.ID != nil {
			if ids == nil {
				var err error
				if ids, err = dirIdentities(g.dir); err != nil {
					g.c.onError(&Error{Op: "scan", Path: filepath.Join(g.dir, g.pattern), Err: err})
					return
				}
			}
			if ids[*o.s.ID] {
				continue // rotated while stopped, still in the directory
			}
		}
		path := filepath.Join(g.dir, name)
		if err := os.Remove(o.file); err != nil && !errors.Is(err, fs.ErrNotExist) {
			g.c.onError(&Error{Op: "checkpoint", Path: path, Err: err})
			continue
		}
		g.c.onError(&GapError{Path: path, Reason: GapRemovedWhileStopped, Offset: o.s.Offset})
	}
}

// dirIdentities returns the identities of the regular files in dir.
func dirIdentities(dir string) (map[identity]bool, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	ids := map[identity]bool{}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		if fi, err := e.Info(); err == nil {
			if id, ok := identityOf(fi); ok {
				ids[id] = true
			}
		}
	}
	return ids, nil
}

// scan reads the directory once, starts a Follower for each new matching
// file, and tells the Followers of names that no longer match that their
// file is gone. It reports whether it could read the directory.
func (g *Glob) scan(ctx context.Context, first bool) bool {
	all, err := g.readDir(g.dir)
	if err != nil {
		g.c.onError(&Error{Op: "scan", Path: filepath.Join(g.dir, g.pattern), Err: err})
		return false
	}
	names := all[:0]
	for _, name := range all {
		if ok, _ := filepath.Match(g.pattern, name); ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)

	g.mu.Lock()
	reports := g.update(ctx, names, first)
	g.mu.Unlock()
	for _, err := range reports {
		g.c.onError(err) // not holding g.mu: OnError may call Files
	}
	return true
}

// update starts and stops Followers after a scan found names (sorted); g.mu
// is held. It returns what to report.
func (g *Glob) update(ctx context.Context, names []string, first bool) (reports []error) {
	g.scans++
	now := time.Now().UnixNano()
	for name, gf := range g.files {
		if _, found := slices.BinarySearch(names, name); found {
			gf.f.gone.Store(0)
		} else {
			gf.f.gone.CompareAndSwap(0, now)
		}
	}
	var seen map[identity]bool // identities of the unfollowed matching files
	for _, name := range names {
		if g.files[name] != nil || g.failed[name] {
			continue
		}
		path := filepath.Join(g.dir, name)
		fi, err := g.statFile(path)
		if err != nil || !fi.Mode().IsRegular() {
			continue // gone since the ReadDir, or not a file
		}
		id, hasID := identityOf(fi)
		if hasID {
			if seen == nil {
				seen = map[identity]bool{}
			}
			seen[id] = true
			if g.stillClaimed(id, path, fi) {
				continue // a followed file, rotated to this name
			}
		}
		if len(g.files) >= g.maxFiles {
			if !g.limited[name] {
				g.limited[name] = true
				reports = append(reports, &LimitError{Path: path, MaxFiles: g.maxFiles})
			}
			continue
		}
		delete(g.limited, name)
		if err := g.start(ctx, name, first); err != nil {
			reports = append(reports, err)
		} else if hasID {
			g.claimed[id] = &claim{scan: g.scans} // another name of it is not new either
		}
	}
	// Names gone from the directory are forgotten: one that comes back is new.
	gone := func(name string, _ bool) bool {
		_, found := slices.BinarySearch(names, name)
		return !found
	}
	maps.DeleteFunc(g.failed, gone)
	maps.DeleteFunc(g.limited, gone)
	// Forget the files no Follower has open, not seen at a matching name
	// now, and claimed before this scan (deleted, compressed, renamed away).
	for id, cl := range g.claimed {
		if cl.scan < g.scans && !seen[id] && g.current[id] == 0 {
			delete(g.claimed, id)
		}
	}
	return reports
}

// setCurrent records that gf's Follower has the file id open (ok) or none;
// g.mu is held.
func (g *Glob) setCurrent(gf *globFile, id identity, ok bool) {
	if gf.hasCur {
		if g.current[gf.cur]--; g.current[gf.cur] <= 0 {
			delete(g.current, gf.cur)
		}
	}
	gf.cur, gf.hasCur = id, ok
	if ok {
		g.current[id]++
	}
}

// stillClaimed reports whether the file fi at path (identity id, at a
// matching name without a Follower) is a claimed file: one a Follower has
// open, or one whose content is as fingerprinted when the last Follower
// left it (a file reusing its inode has other content: then the claim is
// dropped). g.mu is held.
func (g *Glob) stillClaimed(id identity, path string, fi os.FileInfo) bool {
	cl := g.claimed[id]
	switch {
	case cl == nil:
		return false
	case g.current[id] > 0:
		return true // open: its inode cannot have been reused
	case cl.fp != nil && !cl.fp.grows && fi.Size() == cl.fp.size && fi.ModTime().Equal(cl.fp.mtime):
		return true // unchanged: no Open
	}
	f, err := os.Open(path)
	if err != nil {
		return true // keep the claim: safer than a duplicate; the next scan looks again
	}
	defer f.Close()
	fp, ofi, ok := takeFingerprint(f)
	switch {
	case ofi == nil || !os.SameFile(ofi, fi):
		return true // replaced since the Stat: the next scan looks again
	case cl.fp == nil: // never fingerprinted (never opened by a Follower)
	case !ok, ofi.Size() < cl.fp.headLen, !cl.fp.same(f):
		delete(g.claimed, id) // other content: a new file reusing the inode
		return false
	case !cl.fp.grows && cl.fp.headLen < headBytes && ofi.Size() != cl.fp.size:
		// Grown past a short head since its Follower left it: a new file
		// cannot be told from it, and following it loses nothing.
		delete(g.claimed, id)
		return false
	}
	if ok {
		cl.fp = fp
	}
	return true
}

// same reports whether f starts with the fingerprinted head.
func (fp *fingerprint) same(f *os.File) bool {
	if fp.headLen == 0 {
		return true
	}
	h, ok := headOf(f, fp.headLen)
	return ok && h == fp.headHash
}

// leave records that gf's Follower closes f: a deleted file is forgotten
// now, while its inode cannot be reused; another is fingerprinted.
func (g *Glob) leave(gf *globFile, f *os.File) {
	fp, fi, ok := takeFingerprint(f)
	g.mu.Lock()
	defer g.mu.Unlock()
	id, hasID := gf.cur, gf.hasCur
	g.setCurrent(gf, identity{}, false)
	if !hasID || g.current[id] > 0 {
		return
	}
	cl := g.claimed[id]
	switch {
	case cl == nil:
	case fi != nil && !linked(fi):
		delete(g.claimed, id)
	case ok:
		cl.fp = fp
	}
}

// start starts the Follower of name; g.mu is held.
func (g *Glob) start(ctx context.Context, name string, atStart bool) error {
	path := filepath.Join(g.dir, name)
	dst, err := g.newDst(path)
	if err == nil && dst == nil {
		err = errors.New("nil Destination")
	}
	if err != nil {
		g.failed[name] = true
		return &Error{Op: "destination", Path: path, Err: err}
	}
	c := g.c
	c.fromStart = c.fromStart || !atStart
	if g.stateDir != "" {
		c.state = filepath.Join(g.stateDir, StateFileName(path))
		c.stateDirSwept = true // by preclaim: not once per file
	}
	f, err := newFollower(path, dst, c)
	if err != nil {
		g.failed[name] = true
		return &Error{Op: "open", Path: path, Err: err}
	}
	gf := &globFile{f: f}
	f.opened = func(fi os.FileInfo) {
		id, ok := identityOf(fi)
		if !ok {
			return
		}
		g.mu.Lock()
		g.setCurrent(gf, id, true)
		g.claimed[id] = &claim{scan: g.scans}
		g.mu.Unlock()
	}
	f.leaving = func(file *os.File) { g.leave(gf, file) }
	fctx, cancel := context.WithCancel(ctx)
	g.files[name] = gf
	if g.setup != nil {
		g.setup(f)
	}
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		defer cancel()
		err := f.Run(fctx) // its file closed through leave
		var report error   // given to OnError after g.mu is released: OnError may call Files
		g.mu.Lock()
		delete(g.files, name)
		if err != nil {
			g.errs = append(g.errs, err)
			g.failed[name] = true
			report = err
		} else if fctx.Err() == nil && c.state != "" && f.Stats().FlushErrors == 0 {
			// Drained and gone: a new file at this name starts afresh.
			if rerr := os.Remove(c.state); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
				report = &Error{Op: "checkpoint", Path: path, Err: rerr}
			}
		}
		g.mu.Unlock()
		if report != nil {
			g.c.onError(report)
		}
		if g.ended != nil {
			g.ended(f)
		}
	}()
	return nil
}
