package cwlogs

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// RoleCacheWindow is how much lifetime credentials in a [RoleCache] must have
// left to be used: botocore's window, so that cwlogs and the AWS CLI agree on
// when a cached role session is spent.
const RoleCacheWindow = 15 * time.Minute

// RoleCache keeps the temporary credentials of assumed roles in files, in the
// format and under the names the AWS CLI uses for its own cache,
// ~/.aws/cli/cache. Pointed at that directory, cwlogs and the AWS CLI each use
// the role sessions the other started: a role profile calls STS only when
// the cached session has less than [RoleCacheWindow] left, and a profile with
// mfa_serial asks for a code only then.
//
// A file is named by the hex SHA-1 of the AssumeRole arguments as JSON (the
// role ARN, and the external ID, MFA serial number, duration and session name
// when they are set), as botocore names it, and holds the STS answer's
// Credentials and AssumedRoleUser. Files are written to a temporary name and
// renamed, with mode 0600; a missing directory is created with mode 0700 (an
// existing one, e.g. made by the AWS CLI, is left as it is). A file that
// cannot be read or parsed is a miss, and so is, on Unix, a file owned by
// another user or writable by others (it could hold planted credentials). A
// file that cannot be written is skipped (the credentials are still used).
//
// The zero value uses ~/.aws/cli/cache.
type RoleCache struct {
	// Dir holds the files; empty means ~/.aws/cli/cache.
	Dir string
	// Now is the clock that decides whether a cached session is still good;
	// nil means time.Now.
	Now func() time.Time
}

// dir returns the cache directory.
func (rc *RoleCache) dir() string {
	if rc.Dir != "" {
		return rc.Dir
	}
	return homeFile(".aws", "cli", "cache") // "" without a home directory: no cache
}

func (rc *RoleCache) now() time.Time {
	if rc.Now != nil {
		return rc.Now()
	}
	return time.Now()
}

// roleCacheFile is a cache file as botocore writes it (it also keeps the
// answer's ResponseMetadata, which nothing reads).
type roleCacheFile struct {
	Credentials struct {
		AccessKeyID     string `json:"AccessKeyId"`
		SecretAccessKey string
		SessionToken    string
		Expiration      string
		AccountID       string `json:"AccountId,omitempty"`
	}
	AssumedRoleUser *assumedRoleUser `json:",omitempty"`
}

// assumedRoleUser is the AssumedRoleUser of an STS answer.
type assumedRoleUser struct {
	AssumedRoleID string `json:"AssumedRoleId" xml:"AssumedRoleId"`
	Arn           string
}

// load returns the credentials cached under key when they have at least
// RoleCacheWindow left.
func (rc *RoleCache) load(key string) (Credentials, bool) {
	dir := rc.dir()
	if dir == "" {
		return Credentials{}, false
	}
	file, err := os.Open(filepath.Join(dir, key+".json"))
	if err != nil {
		return Credentials{}, false
	}
	defer file.Close()
	fi, err := file.Stat() // of the file opened, symbolic links followed
	if err != nil || !fi.Mode().IsRegular() || !trustedCacheFile(fi) {
		return Credentials{}, false
	}
	raw, err := io.ReadAll(io.LimitReader(file, 1<<20))
	if err != nil {
		return Credentials{}, false
	}
	var f roleCacheFile
	if json.Unmarshal(raw, &f) != nil {
		return Credentials{}, false
	}
	exp, err := parseAWSTime(f.Credentials.Expiration)
	c := Credentials{AccessKeyID: f.Credentials.AccessKeyID, SecretAccessKey: f.Credentials.SecretAccessKey,
		SessionToken: f.Credentials.SessionToken, Expires: exp}
	if err != nil || !c.HasKeys() || exp.Sub(rc.now()) < RoleCacheWindow {
		return Credentials{}, false
	}
	return c, true
}

// store writes c under key, with the STS answer's assumed-role user when known.
func (rc *RoleCache) store(key string, c Credentials, user *assumedRoleUser) {
	var f roleCacheFile
	f.Credentials.AccessKeyID, f.Credentials.SecretAccessKey, f.Credentials.SessionToken = c.AccessKeyID, c.SecretAccessKey, c.SessionToken
	// botocore writes the time with strftime('%Y-%m-%dT%H:%M:%S%Z').
	f.Credentials.Expiration = c.Expires.UTC().Format("2006-01-02T15:04:05") + "UTC"
	if user != nil && user.Arn != "" {
		f.AssumedRoleUser = user
		if parts := strings.SplitN(user.Arn, ":", 6); len(parts) == 6 && parts[0] == "arn" {
			f.Credentials.AccountID = parts[4]
		}
	}
	dir := rc.dir()
	if dir == "" || os.MkdirAll(dir, 0o700) != nil {
		return
	}
	_ = writeFileAtomic(filepath.Join(dir, key+".json"), &f)
}

// parseAWSTime parses the times of the AWS CLI's cache files (role sessions,
// SSO tokens): RFC 3339, or the "…UTC" form botocore writes with strftime.
func parseAWSTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02T15:04:05.999999999UTC", s)
}

// roleCacheKey returns the name botocore gives the cache file of an AssumeRole
// call with args: the hex SHA-1 of Python's json.dumps(args, sort_keys=True).
// Values are strings, except DurationSeconds, an integer.
func roleCacheKey(args map[string]string) string {
	b := []byte{'{'}
	for i, k := range slices.Sorted(maps.Keys(args)) {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendPyJSONString(b, k)
		b = append(b, ": "...)
		if k == "DurationSeconds" {
			b = append(b, args[k]...)
		} else {
			b = appendPyJSONString(b, args[k])
		}
	}
	b = append(b, '}')
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:])
}

// appendPyJSONString appends s as Python's json module writes a string with
// ensure_ascii: everything outside printable ASCII as \uXXXX (UTF-16).
func appendPyJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for _, r := range s {
		switch r {
		case '"':
			b = append(b, `\"`...)
		case '\\':
			b = append(b, `\\`...)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		case '\t':
			b = append(b, `\t`...)
		case '\b':
			b = append(b, `\b`...)
		case '\f':
			b = append(b, `\f`...)
		default:
			if r >= ' ' && r <= '~' {
				b = append(b, byte(r))
				continue
			}
			units := []rune{r}
			if r > 0xFFFF {
				hi, lo := utf16.EncodeRune(r)
				units = []rune{hi, lo}
			}
			for _, u := range units {
				b = append(b, `\u`...)
				h := strconv.FormatInt(int64(u), 16)
				b = append(b, "0000"[len(h):]...)
				b = append(b, h...)
			}
		}
	}
	return append(b, '"')
}
