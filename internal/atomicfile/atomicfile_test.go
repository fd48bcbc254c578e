package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

// TestWriteFile: WriteFile creates the file, then replaces its content
// whole, with or without sync, and leaves no temporary file behind.
func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "state")
	for i, tc := range []struct {
		data string
		sync bool
	}{
		{"first\n", true},
		{"second, longer\n", false},
		{"3\n", true},
	} {
		if err := WriteFile(name, []byte(tc.data), tc.sync); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		if b, err := os.ReadFile(name); err != nil || string(b) != tc.data {
			t.Fatalf("after write %d: %q, %v; want %q", i, b, err, tc.data)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Fatalf("directory holds %v (%v), want the file alone", entries, err)
	}
}

// TestWriteFileFails: when the rename cannot happen (name is a directory),
// WriteFile returns the error, leaves name alone and removes its
// temporary file.
func TestWriteFileFails(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "state")
	if err := os.Mkdir(name, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(name, "keep"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(name, []byte("x"), true); err == nil {
		t.Fatal("WriteFile over a non-empty directory succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || !entries[0].IsDir() {
		t.Fatalf("directory holds %v, want the directory alone", entries)
	}
}

// TestIsTemp: the names of WriteFile's temporary files, and only those.
func TestIsTemp(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"checkpoint.tmp123456", true},
		{"checkpoint.tmp0", true},
		{"checkpoint.tmp", false},
		{"checkpoint", false},
		{"checkpoint.tmp12a", false},
		{"other.tmp123", false},
		{"checkpoint.tmp123.seg", false},
	} {
		if got := IsTemp(tc.name, "checkpoint"); got != tc.want {
			t.Errorf("IsTemp(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
	// The names WriteFile really uses.
	dir := t.TempDir()
	f, err := os.CreateTemp(dir, "checkpoint.tmp*")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if !IsTemp(filepath.Base(f.Name()), "checkpoint") {
		t.Errorf("IsTemp(%q) = false for os.CreateTemp's name", filepath.Base(f.Name()))
	}
}
