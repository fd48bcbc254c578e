package localserver

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestValidBucketName(t *testing.T) {
	for _, tc := range []struct {
		name string
		why  string // substring; "" valid
	}{
		{"abc", ""},
		{"my-exported-logs", ""},
		{"logs.example.com", ""},
		{"a1-b2.c3", ""},
		{strings.Repeat("a", 63), ""},
		{"ab", "3 to 63 characters"},
		{strings.Repeat("a", 64), "3 to 63 characters"},
		{"", "3 to 63 characters"},
		{"My-Bucket", "only lower-case letters"},
		{"my_bucket", "only lower-case letters"},
		{"a/b", "only lower-case letters"},
		{`a\b`, "only lower-case letters"},
		{"a b", "only lower-case letters"},
		{"../a", "only lower-case letters"},
		{"-abc", "begin and end with a letter or a digit"},
		{"abc.", "begin and end with a letter or a digit"},
		{".cwlogs-tmp", "begin and end"},
		{"...", "begin and end"},
		{"a..b", "no two adjacent dots"},
		{"192.168.5.4", "IP addresses"},
		{"xn--abc", "reserved prefix xn--"},
		{"sthree-abc", "reserved prefix sthree-"},
		{"amzn-s3-demo-bucket", "reserved prefix amzn-s3-demo-"},
		{"abc-s3alias", "reserved suffix -s3alias"},
		{"abc--ol-s3", "reserved suffix --ol-s3"},
		{"abc.mrap", "reserved suffix .mrap"},
		{"abc--x-s3", "reserved suffix --x-s3"},
		{"abc--table-s3", "reserved suffix --table-s3"},
	} {
		got := validBucketName(tc.name)
		if (tc.why == "") != (got == "") || !strings.Contains(got, tc.why) {
			t.Errorf("validBucketName(%q) = %q, want %q", tc.name, got, tc.why)
		}
	}
}

func TestKeyPrefixProblem(t *testing.T) {
	for _, tc := range []struct {
		prefix string
		why    string // substring; "" fine
	}{
		{"", ""},
		{"exportedlogs", ""},
		{"a/b/c", ""},
		{"2025/06/01", ""},
		{"a.b/..c/c..", ""},
		{"spaces and %2F ok", ""},
		{"..", `would be ".."`},
		{"../x", `would be ".."`},
		{"a/../../x", `would be ".."`},
		{"a/.", `would be "."`},
		{"/abs", "would be empty"},
		{"a//b", "would be empty"},
		{"a/", "would be empty"},
		{"/", "would be empty"},
		{"a\x00b", `character '\x00'`},
		{strings.Repeat("a", 255), ""},
		{strings.Repeat("a", 256), "256 bytes long"},
		{strings.Repeat("a/", 512), "would be empty"},
		{strings.Repeat("ab/", 341) + "a", ""},
		{strings.Repeat("ab/", 341) + "ab", "1025 bytes long"},
	} {
		got := keyPrefixProblem(tc.prefix)
		if (tc.why == "") != (got == "") || !strings.Contains(got, tc.why) {
			t.Errorf("keyPrefixProblem(%q) = %q, want %q", tc.prefix, got, tc.why)
		}
	}
}

func TestStreamKeySegment(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"s", "s"},
		{"2025/06/01/[$LATEST]abc", "2025-06-01-[$LATEST]abc"},
		{"i-0377be99224f", "i-0377be99224f"},
		{".", "%2E"},
		{"..", "%2E%2E"},
		{"...", "..."},
		{"../../etc/passwd", "..-..-etc-passwd"},
		{"/", "-"},
		{"a\x00b", "a%00b"},
		{"100%", "100%"},
		{"日本", "日本"},
	} {
		if got := streamKeySegment(tc.name); got != tc.want {
			t.Errorf("streamKeySegment(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// FuzzExportKeyPath: whatever the stream name and the prefix that keyPrefixProblem
// accepts, an object's key is a path beneath the bucket's directory, the stream is one
// segment of it, and the bucket is its first.
func FuzzExportKeyPath(f *testing.F) {
	for _, s := range [][2]string{{"exportedlogs", "s"}, {"a/b", ".."}, {"", "."}, {"x", "../../etc"}, {"..", "a\x00"}, {"/", "/"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, prefix, stream string) {
		if stream == "" || keyPrefixProblem(prefix) != "" {
			return
		}
		task := &exportTask{id: "01234567-89ab-4def-8123-456789abcdef", prefix: prefix, prefixGiven: true}
		seg := streamKeySegment(stream)
		if strings.Contains(seg, "/") || seg == "." || seg == ".." || seg == "" {
			t.Fatalf("stream %q: segment %q", stream, seg)
		}
		for _, key := range []string{task.keyPrefix() + task.id + "/" + seg + "/000000.gz", task.writeTestKey()} {
			p, err := keyPath(testBucket, key)
			if err != nil {
				t.Fatalf("prefix %q stream %q: %v", prefix, stream, err)
			}
			if !filepath.IsLocal(p) || strings.Split(filepath.ToSlash(p), "/")[0] != testBucket {
				t.Fatalf("prefix %q stream %q: path %q", prefix, stream, p)
			}
			if filepath.ToSlash(filepath.Clean(p)) != testBucket+"/"+key {
				t.Fatalf("prefix %q stream %q: path %q is not the key %q", prefix, stream, p, key)
			}
		}
	})
}
