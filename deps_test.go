package cwlogs_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLibraryIsStandardLibraryOnly guards the promise that the library packages depend on
// the standard library alone: only the local server may import modernc.org/sqlite.
func TestLibraryIsStandardLibraryOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	pkgs := []string{".", "./sigv4", "./ship", "./ship/follow", "./ship/metrics", "./ship/spool", "./slogcw", "./emf"}
	args := append([]string{"list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}"}, pkgs...)
	out, err := exec.Command("go", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if !strings.HasPrefix(p, "github.com/cwlogs/cwlogs") {
			t.Errorf("library packages import non-standard package %s", p)
		}
		// Shared internal helpers are fine; the server and the test peers are not.
		if strings.Contains(p, "/localserver") || strings.Contains(p, "/cmd/") ||
			(strings.Contains(p, "/internal/") && !strings.HasSuffix(p, "/internal/jsonstr") && !strings.HasSuffix(p, "/internal/linecut") &&
				!strings.HasSuffix(p, "/internal/eventstream") && !strings.HasSuffix(p, "/internal/dirlock") &&
				!strings.HasSuffix(p, "/internal/atomicfile") && !strings.HasSuffix(p, "/internal/goid")) {
			t.Errorf("library packages import %s", p)
		}
	}
}
