//go:build unix

package cwlogs

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestRoleCacheRefusesUntrustedFiles: a cache file writable by others, or a
// directory where a file should be, is a miss; the same file with mode 0600
// is used.
func TestRoleCacheRefusesUntrustedFiles(t *testing.T) {
	dir := t.TempDir()
	rc := &RoleCache{Dir: dir}
	doc := `{"Credentials": {"AccessKeyId": "ASIAPLANTED", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "` +
		time.Now().Add(time.Hour).UTC().Format(time.RFC3339) + `"}}`
	path := filepath.Join(dir, "k.json")
	for _, tc := range []struct {
		name string
		mode os.FileMode
		want bool
	}{
		{"0600", 0o600, true},
		{"group-writable", 0o620, false},
		{"world-writable", 0o606, false},
	} {
		if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, tc.mode); err != nil {
			t.Fatal(err)
		}
		if _, ok := rc.load("k"); ok != tc.want {
			t.Errorf("%s: used = %v, want %v", tc.name, ok, tc.want)
		}
	}
	os.Remove(path)
	os.Mkdir(path, 0o700)
	if _, ok := rc.load("k"); ok {
		t.Errorf("a directory was used as a cache file")
	}
}
