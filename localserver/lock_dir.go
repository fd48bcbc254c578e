package localserver

import (
	"errors"
	"os"

	"github.com/cwlogs/cwlogs/internal/dirlock"
)

// lockFile takes an exclusive lock on the file at path (created if missing)
// without waiting: errLocked when another process, or another Server of this
// process, holds it (flock on unix, an unshared handle on Windows; no lock
// elsewhere). The lock ends with the returned file's Close, or with the
// process.
func lockFile(path string) (*os.File, error) {
	f, err := dirlock.Lock(path, 0o644)
	if errors.Is(err, dirlock.ErrLocked) {
		return nil, errLocked
	}
	return f, err
}
