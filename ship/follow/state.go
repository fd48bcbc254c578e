package follow

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/cwlogs/cwlogs/internal/atomicfile"
)

// identity names a file independently of its path: device and inode
// numbers on unix.
type identity struct {
	Dev uint64 `json:"dev"`
	Ino uint64 `json:"ino"`
}

// stateVersion is the version of the state file format.
const stateVersion = 1

// maxStateBytes bounds what decodeState reads.
const maxStateBytes = 64 << 10

// state is the checkpoint: everything of the file identified by ID before
// Offset has been delivered.
type state struct {
	Version int       `json:"version"`
	Path    string    `json:"path"`         // the followed path, absolute
	ID      *identity `json:"id,omitempty"` // nil where identities are not kept
	Offset  int64     `json:"offset"`
	// HeadLen and HeadHash fingerprint the file: the FNV-1a hash of its
	// first HeadLen bytes (min(Offset, headBytes)). They tell a new file
	// that reused a deleted file's inode, or a file truncated and written
	// again while stopped, from the checkpointed one.
	HeadLen  int64  `json:"headLen"`
	HeadHash uint64 `json:"headHash"`
}

// headBytes is the longest fingerprinted head of a file.
const headBytes = 1024

// headOf fingerprints the first n bytes of f; false when f is shorter.
func headOf(f *os.File, n int64) (uint64, bool) {
	b := make([]byte, n)
	if k, err := f.ReadAt(b, 0); int64(k) < n && err != nil {
		return 0, false
	}
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64(), true
}

// sameHead reports whether f starts as the checkpointed file did.
func (s *state) sameHead(f *os.File) bool {
	if s.HeadLen == 0 {
		return true
	}
	h, ok := headOf(f, s.HeadLen)
	return ok && h == s.HeadHash
}

// sameID reports whether the checkpoint identifies fi's file. Without
// identities the path alone decides: true.
func (s *state) sameID(fi os.FileInfo) bool {
	id, ok := identityOf(fi)
	if s.ID == nil || !ok {
		return s.ID == nil
	}
	return *s.ID == id
}

// encodeState returns the state file's content.
func encodeState(s state) []byte {
	s.Version = stateVersion
	b, _ := json.Marshal(s) // cannot fail: plain fields
	return append(b, '\n')
}

// decodeState parses a state file's content, strictly: one JSON object of
// the current version with a non-empty absolute path and an offset ≥ 0.
func decodeState(b []byte) (state, error) {
	var s state
	if len(b) > maxStateBytes {
		return s, fmt.Errorf("state file too large (%d bytes)", len(b))
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&s); err != nil {
		return s, fmt.Errorf("not a follow state: %w", err)
	}
	if _, err := d.Token(); err != io.EOF {
		return s, errors.New("not a follow state: data after the JSON object")
	}
	switch {
	case s.Version != stateVersion:
		return s, fmt.Errorf("state version %d, want %d", s.Version, stateVersion)
	case s.Path == "" || !filepath.IsAbs(s.Path):
		return s, fmt.Errorf("state path %q: want an absolute path", s.Path)
	case s.Offset < 0:
		return s, fmt.Errorf("state offset %d: must not be negative", s.Offset)
	case s.HeadLen < 0 || s.HeadLen > min(s.Offset, headBytes):
		return s, fmt.Errorf("state headLen %d: want 0 to min(offset, %d)", s.HeadLen, headBytes)
	}
	return s, nil
}

// readState reads the state file; nil, nil when it does not exist.
func readState(name string) (*state, error) {
	f, err := os.Open(name)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxStateBytes+1))
	if err != nil {
		return nil, err
	}
	s, err := decodeState(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &s, nil
}

// writeState replaces the state file atomically and durably (see
// atomicfile.WriteFile).
func writeState(name string, s state) error {
	return atomicfile.WriteFile(name, encodeState(s), true)
}

// staleTempAge is the age from which a temporary file of writeState is the
// leftover of a crash between its creation and its rename, not a write in
// progress (one takes milliseconds).
const staleTempAge = time.Minute

// removeStaleTemps removes the files of dir that match (temporary state
// files) and were last modified staleTempAge or more before now. It returns
// the first error, other than a file already gone.
func removeStaleTemps(dir string, match func(name string) bool, now time.Time) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	var first error
	for _, e := range entries {
		if !e.Type().IsRegular() || !match(e.Name()) {
			continue
		}
		fi, err := e.Info()
		if err != nil || now.Sub(fi.ModTime()) < staleTempAge {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) && first == nil {
			first = err
		}
	}
	return first
}
