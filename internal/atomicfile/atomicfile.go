// Package atomicfile replaces small files atomically and durably, for the
// checkpoints of ship/follow and ship/spool: a reader (or the next run,
// after a crash or a power loss) finds the old content or the new, never a
// mix. Standard library only.
package atomicfile

import (
	"os"
	"path/filepath"
	"strings"
)

// WriteFile replaces the file name with data: it writes a temporary file
// in the same directory (named as IsTemp tells), syncs it when sync, and
// renames it over name; then, when sync, it syncs the directory so that the
// rename lasts. Without sync a power loss may bring back the old content,
// or an empty file on some file systems. On an error the temporary file is
// removed and name is left as it was.
func WriteFile(name string, data []byte, sync bool) (err error) {
	dir, base := filepath.Split(name)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, base+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if sync {
		if err = tmp.Sync(); err != nil {
			return err
		}
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), name); err != nil {
		return err
	}
	if sync {
		SyncDir(dir)
	}
	return nil
}

// IsTemp reports whether the file name (a base name) is a temporary file
// that WriteFile makes for the file base: base, ".tmp", digits. One found
// when no WriteFile runs is the leftover of a crash.
func IsTemp(name, base string) bool {
	rest, ok := strings.CutPrefix(name, base+".tmp")
	return ok && rest != "" && strings.Trim(rest, "0123456789") == ""
}

// SyncDir syncs the directory dir so that the creation, renaming or
// removal of its files lasts; best effort, as not every system syncs
// directories (Windows does not).
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
