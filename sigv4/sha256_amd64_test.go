//go:build gc && !purego

package sigv4

import (
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestCPUFeatures compares the package's own CPUID checks with the flags Linux reports, so
// that a broken check cannot silently leave the SHA extensions (and the tests of their path)
// unused.
func TestCPUFeatures(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/cpuinfo")
	}
	info, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Skip(err)
	}
	var flags []string
	for line := range strings.Lines(string(info)) {
		if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "flags" {
			flags = strings.Fields(value)
			break
		}
	}
	if flags == nil {
		t.Skip("no flags line in /proc/cpuinfo")
	}
	has := func(f string) bool { return slices.Contains(flags, f) }
	if got, want := hasSSSE3(), has("ssse3"); got != want {
		t.Errorf("hasSSSE3() = %v, /proc/cpuinfo says %v", got, want)
	}
	if got, want := hasSHANI(), has("sha_ni") && has("ssse3") && has("sse4_1"); got != want {
		t.Errorf("hasSHANI() = %v, /proc/cpuinfo says %v", got, want)
	}
}

func TestCPUOff(t *testing.T) {
	for _, tc := range []struct {
		godebug string
		want    bool
	}{
		{"", false},
		{"cpu.sha=off", true},
		{"http2client=0,cpu.ssse3=off", true},
		{"cpu.sse41=off", true},
		{"cpu.avx2=off", false},
		{"cpu.all=off", true},
		{"cpu.all=off,cpu.sha=on,cpu.ssse3=on,cpu.sse41=on", false},
		{"cpu.sha=off,cpu.sha=on", false},
		{"cpu.sha=on,cpu.all=off", true},
		{"cpu.sha=maybe", false},
	} {
		t.Setenv("GODEBUG", tc.godebug)
		if got := cpuOff("sha", "ssse3", "sse41"); got != tc.want {
			t.Errorf("GODEBUG=%q: cpuOff = %v, want %v", tc.godebug, got, tc.want)
		}
	}
}
