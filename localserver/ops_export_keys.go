package localserver

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Buckets and keys of export tasks as directories and files under Config.ExportDir (see
// ops_export.go). Every file operation goes through an os.Root of ExportDir, so no name
// can lead out of it (not even through a symbolic link); the checks here refuse, when the
// task is created, what a path cannot represent.

// exportTmpDir is the directory of ExportDir where objects are written before they are
// renamed into their bucket, each task's in a directory of its own (taskTmpDir), so that
// servers sharing an ExportDir remove only their own. Its name is no valid bucket name
// (it starts with a dot), so it is no bucket's directory.
const exportTmpDir = ".cwlogs-tmp"

// taskTmpDir is the directory, relative to ExportDir, of the temporary files of task id.
func taskTmpDir(id string) string { return filepath.Join(exportTmpDir, id) }

// maxKeyPrefixBytes: "The length of this parameter must comply with the S3 object key
// name length limits. The object key name … can be up to 1,024 bytes" (the model, of
// destinationPrefix).
const maxKeyPrefixBytes = 1024

// maxNameBytes is the longest file name (one path segment) of common file systems.
const maxNameBytes = 255

// validBucketName checks name against the naming rules of S3 general purpose buckets
// (the S3 user guide's "Bucket naming rules"), returning what it breaks, or "".
func validBucketName(name string) string {
	if len(name) < 3 || len(name) > 63 {
		return "bucket names are 3 to 63 characters long"
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return "bucket names hold only lower-case letters, digits, dots (.) and hyphens (-)"
		}
	}
	if isBucketEdge(name[0]) || isBucketEdge(name[len(name)-1]) {
		return "bucket names begin and end with a letter or a digit"
	}
	if strings.Contains(name, "..") {
		return "bucket names hold no two adjacent dots"
	}
	if isIPv4(name) {
		return "bucket names are not formatted as IP addresses"
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return "bucket names do not start with the reserved prefix " + p
		}
	}
	for _, sfx := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, sfx) {
			return "bucket names do not end with the reserved suffix " + sfx
		}
	}
	return ""
}

func isBucketEdge(c byte) bool { return c == '.' || c == '-' }

// isIPv4 reports whether s is four dot-separated decimal numbers of at most 3 digits.
func isIPv4(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if len(p) == 0 || len(p) > 3 {
			return false
		}
		if _, err := strconv.Atoi(p); err != nil {
			return false
		}
	}
	return true
}

// badNameByte reports whether a file name cannot hold c: NUL anywhere; on Windows also
// the control characters and \ : * ? " < > |.
func badNameByte(c byte) bool {
	if c == 0 {
		return true
	}
	return runtime.GOOS == "windows" && (c < 0x20 || strings.IndexByte(`\:*?"<>|`, c) >= 0)
}

// keyPrefixProblem tells why prefix, a destinationPrefix, cannot start the keys of files
// under ExportDir, or "". An empty prefix is fine (the keys then start with the task's
// id); a prefix with an empty, "." or ".." segment is not: S3 would keep such a key as
// it is, a path cannot.
func keyPrefixProblem(prefix string) string {
	if len(prefix) > maxKeyPrefixBytes {
		return fmt.Sprintf("it is %d bytes long, and object keys are at most %d", len(prefix), maxKeyPrefixBytes)
	}
	if prefix == "" {
		return ""
	}
	for _, seg := range strings.Split(prefix, "/") {
		switch {
		case seg == "":
			return `a segment of the key would be empty (a leading or trailing "/", or "//"), which a path cannot hold`
		case seg == "." || seg == "..":
			return fmt.Sprintf("a segment of the key would be %q, which a path cannot hold", seg)
		case len(seg) > maxNameBytes:
			return fmt.Sprintf("a segment of the key would be %d bytes long, longer than a file name can be (%d)", len(seg), maxNameBytes)
		}
		for i := 0; i < len(seg); i++ {
			if badNameByte(seg[i]) {
				return fmt.Sprintf("it holds the character %q, which a file name cannot hold", seg[i])
			}
		}
	}
	return ""
}

// streamKeySegment is the segment of a stream's objects' keys: its name with each "/"
// made "-" (as AWS names them), and, since a path cannot hold them, a name "." or ".."
// made "%2E" or "%2E%2E" and bytes no file name holds (badNameByte) percent-escaped.
// Two streams may so share a segment ("a/b" and "a-b"): their objects are numbered on
// (see nextObject), never overwritten.
func streamKeySegment(name string) string {
	seg := strings.ReplaceAll(name, "/", "-")
	if seg == "." || seg == ".." {
		return strings.Repeat("%2E", len(seg))
	}
	var b []byte
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if badNameByte(c) {
			if b == nil {
				b = append(make([]byte, 0, len(seg)+8), seg[:i]...)
			}
			b = append(b, '%', "0123456789ABCDEF"[c>>4], "0123456789ABCDEF"[c&15])
			continue
		}
		if b != nil {
			b = append(b, c)
		}
	}
	if b == nil {
		return seg
	}
	return string(b)
}

// keyPath is the path, relative to ExportDir, of key in bucket. Keys are made of checked
// segments (keyPrefixProblem, streamKeySegment); filepath.IsLocal guards that it stays
// beneath ExportDir all the same.
func keyPath(bucket, key string) (string, error) {
	p := filepath.FromSlash(bucket + "/" + key)
	if !filepath.IsLocal(p) {
		return "", fmt.Errorf("key %q of bucket %q is not a path beneath the export directory", key, bucket)
	}
	return p, nil
}

// objectWriter writes one object: gzip-compressed to a temporary file of its task's
// taskTmpDir, renamed to the object's path by commit, so that the object's path never
// holds part of an object. Its buffers are reused from one object to the next (reset).
type objectWriter struct {
	root  *os.Root
	dir   string // the task's taskTmpDir
	tmp   string // relative to root
	final string // relative to root
	f     *os.File
	bw    *bufio.Writer
	zw    *gzip.Writer
	text  int64 // uncompressed bytes written
}

// open starts the object at final (relative to root), in a temporary file of w.dir.
func (w *objectWriter) open(root *os.Root, final string) error {
	if err := root.MkdirAll(w.dir, 0o755); err != nil {
		return err
	}
	tmp := filepath.Join(w.dir, newRequestID()+".gz")
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	w.root, w.tmp, w.final, w.f, w.text = root, tmp, final, f, 0
	if w.bw == nil {
		w.bw = bufio.NewWriterSize(f, 64<<10)
		w.zw = gzip.NewWriter(w.bw)
	} else {
		w.bw.Reset(f)
		w.zw.Reset(w.bw)
	}
	return nil
}

// write appends p to the object's text.
func (w *objectWriter) write(p []byte) error {
	w.text += int64(len(p))
	_, err := w.zw.Write(p)
	return err
}

// commit completes the object, syncs it and renames it into place.
func (w *objectWriter) commit() error {
	err := w.zw.Close()
	if err == nil {
		err = w.bw.Flush()
	}
	if err == nil {
		err = syncFile(w.f, w.tmp)
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.f = nil
	if err == nil {
		err = placeObject(w.root, w.tmp, w.final)
	}
	if err != nil {
		w.root.Remove(w.tmp)
		return fmt.Errorf("writing %s: %w", filepath.ToSlash(w.final), err)
	}
	return nil
}

// abort drops the object being written, if any.
func (w *objectWriter) abort() {
	if w.f != nil {
		w.f.Close()
		w.f = nil
		w.root.Remove(w.tmp)
	}
}

// writeObject writes a small uncompressed object (aws-logs-write-test, a scheduled query's
// results) at key of bucket, as objectWriter does: to a temporary file of tmpDir (a
// taskTmpDir) first. It is durable once it returns: the file is fsynced before it is
// renamed into place, and after the rename the directory that holds it is fsynced, with
// the parent of each directory the write created (a rename or a new directory entry is
// not on disk until its directory is).
func writeObject(root *os.Root, tmpDir, bucket, key string, data []byte) error {
	final, err := keyPath(bucket, key)
	if err != nil {
		return err
	}
	if err := root.MkdirAll(tmpDir, 0o755); err != nil {
		return err
	}
	tmp := filepath.Join(tmpDir, newRequestID())
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = syncFile(f, tmp)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = placeObject(root, tmp, final)
	}
	if err != nil {
		root.Remove(tmp)
	}
	return err
}

// placeObject renames tmp, a file written and synced, to final (paths relative to root),
// making final's missing directories, then fsyncs final's directory and the parent of
// each directory it made, so that the object survives a power loss once it returns nil.
// One placement at a time (placeMu): a directory another writer has just made, and not
// yet synced into its parent, is never taken for one already on disk. An error after the
// rename leaves the object in place, not known to be durable.
func placeObject(root *os.Root, tmp, final string) error {
	placeMu.Lock()
	defer placeMu.Unlock()
	created := missingDirs(root, filepath.Dir(final)) // deepest first
	if err := root.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return err
	}
	if err := root.Rename(tmp, final); err != nil {
		return err
	}
	dirs := []string{filepath.Dir(final)}
	for _, d := range created {
		dirs = append(dirs, filepath.Dir(d))
	}
	for _, d := range dirs {
		if err := syncDir(root, d); err != nil {
			return fmt.Errorf("writing %s: syncing its directory %s: %w", filepath.ToSlash(final), filepath.ToSlash(d), err)
		}
	}
	return nil
}

// openBucket opens Config.ExportDir as a root when bucket, its directory, exists in it;
// nil otherwise (no export directory, or no such bucket). The caller closes the root.
func (s *Server) openBucket(bucket string) *os.Root {
	root, err := os.OpenRoot(s.cfg.ExportDir)
	if err != nil {
		return nil
	}
	if fi, err := root.Stat(bucket); err != nil || !fi.IsDir() {
		root.Close()
		return nil
	}
	return root
}

// placeMu serialises placeObject across export tasks and scheduled-query runs.
var placeMu sync.Mutex

// missingDirs lists dir and its ancestors (relative to root) that do not exist yet,
// deepest first.
func missingDirs(root *os.Root, dir string) []string {
	var out []string
	for d := dir; d != "." && d != string(filepath.Separator); d = filepath.Dir(d) {
		if _, err := root.Lstat(d); err == nil {
			break
		}
		out = append(out, d)
	}
	return out
}

// syncHook, when set (tests), is called after each fsync of writeObject with the path
// (relative to its root) of the file or directory synced.
var syncHook atomic.Pointer[func(path string, dir bool)]

// syncFile fsyncs f, the file at path (relative to its root).
func syncFile(f *os.File, path string) error {
	if err := f.Sync(); err != nil {
		return err
	}
	if h := syncHook.Load(); h != nil {
		(*h)(path, false)
	}
	return nil
}

// syncDir fsyncs directory dir of root, so that the entries renamed or created in it are
// on disk. Windows cannot fsync a directory (its file systems keep a rename's metadata
// by themselves): there it does nothing.
func syncDir(root *os.Root, dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := root.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		if h := syncHook.Load(); h != nil {
			(*h)(dir, true)
		}
	}
	return err
}

// nextObject returns the first index from i whose object of the stream directory dir
// (a key, "/"-separated, in bucket) does not exist yet, with its path relative to root.
func nextObject(root *os.Root, bucket, dir string, i int) (int, string, error) {
	for ; ; i++ {
		p, err := keyPath(bucket, path.Join(dir, fmt.Sprintf("%06d.gz", i)))
		if err != nil {
			return 0, "", err
		}
		_, err = root.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return i, p, nil
		}
		if err != nil {
			return 0, "", err
		}
	}
}
