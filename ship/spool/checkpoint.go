package spool

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/cwlogs/cwlogs/internal/atomicfile"
)

// CheckpointFile is the file in the spool directory that holds the
// checkpoint: the position after the last record delivered.
const CheckpointFile = "checkpoint"

// LockFile is the file in the spool directory that an open Spool holds
// locked.
const LockFile = "lock"

const checkpointVersion = 1

// maxCheckpointBytes bounds what decodeCheckpoint reads.
const maxCheckpointBytes = 4 << 10

// position is a place in the spool: the record with sequence number Seq (or
// the first one after it, when records are missing), at byte Offset of the
// segment whose first record is Segment.
type position struct {
	Segment uint64 `json:"segment"`
	Offset  int64  `json:"offset"`
	Seq     uint64 `json:"seq"`
}

type checkpointJSON struct {
	Version int `json:"version"`
	position
}

// encodeCheckpoint returns the checkpoint file's content.
func encodeCheckpoint(p position) []byte {
	b, _ := json.Marshal(checkpointJSON{Version: checkpointVersion, position: p}) // cannot fail: plain fields
	return append(b, '\n')
}

// decodeCheckpoint parses a checkpoint file's content, strictly: one JSON
// object of the current version, whose offset lies after a segment header
// and whose sequence number is not before its segment's first.
func decodeCheckpoint(b []byte) (position, error) {
	var c checkpointJSON
	if len(b) > maxCheckpointBytes {
		return position{}, fmt.Errorf("checkpoint too large (%d bytes)", len(b))
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&c); err != nil {
		return position{}, fmt.Errorf("not a spool checkpoint: %w", err)
	}
	if _, err := d.Token(); err != io.EOF {
		return position{}, errors.New("not a spool checkpoint: data after the JSON object")
	}
	switch {
	case c.Version != checkpointVersion:
		return position{}, fmt.Errorf("checkpoint version %d, want %d", c.Version, checkpointVersion)
	case c.Offset < segHeaderSize:
		return position{}, fmt.Errorf("checkpoint offset %d: want at least %d", c.Offset, segHeaderSize)
	case c.Seq < c.Segment:
		return position{}, fmt.Errorf("checkpoint seq %d before its segment %d", c.Seq, c.Segment)
	}
	return c.position, nil
}

// readCheckpoint reads the checkpoint file; ok false when it does not exist.
func readCheckpoint(dir string) (p position, ok bool, err error) {
	name := filepath.Join(dir, CheckpointFile)
	fi, err := os.Stat(name)
	if errors.Is(err, os.ErrNotExist) {
		return p, false, nil
	}
	if err == nil && !fi.Mode().IsRegular() {
		// Not one writeCheckpoint wrote (opening a FIFO would block Open).
		err = fmt.Errorf("%s: not a regular file (%v)", name, fi.Mode().Type())
	}
	if err != nil {
		return p, false, err
	}
	f, err := os.Open(name)
	if err != nil {
		return p, false, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxCheckpointBytes+1))
	if err != nil {
		return p, false, err
	}
	p, err = decodeCheckpoint(b)
	if err != nil {
		return p, false, fmt.Errorf("%s: %w", name, err)
	}
	return p, true, nil
}

// writeCheckpoint replaces the checkpoint file atomically, synced (with the
// directory) when sync.
func writeCheckpoint(dir string, p position, sync bool) error {
	return atomicfile.WriteFile(filepath.Join(dir, CheckpointFile), encodeCheckpoint(p), sync)
}
