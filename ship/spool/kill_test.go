package spool

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// fileDst is the destination of the killed process: LogContext keeps the
// messages, Flush appends them to a file (synced: what the service stored)
// and returns nil, except the flush numbered hangAt, which stores them and
// then hangs, as a Flush whose answer never comes.
type fileDst struct {
	path    string
	pending []string
	flushes int
	hangAt  int
	hung    chan struct{}
}

func (d *fileDst) LogContext(_ context.Context, _ time.Time, msg string) error {
	d.pending = append(d.pending, msg)
	return nil
}

func (d *fileDst) Flush(context.Context) error {
	f, err := os.OpenFile(d.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	for _, m := range d.pending {
		fmt.Fprintln(f, m)
	}
	d.pending = d.pending[:0]
	f.Sync()
	f.Close()
	if d.flushes++; d.flushes == d.hangAt {
		close(d.hung)
		select {}
	}
	return nil
}

// TestKillChild is the process TestKillBetweenDeliveryAndCheckpoint kills;
// it runs only when that test starts it.
func TestKillChild(t *testing.T) {
	dir := os.Getenv("SPOOL_KILL_DIR")
	if dir == "" {
		t.Skip("run by TestKillBetweenDeliveryAndCheckpoint")
	}
	d := &fileDst{path: filepath.Join(dir, "stored"), hangAt: 2, hung: make(chan struct{})}
	o := fastOpts()
	o.FlushInterval = time.Hour // flushes come from Flush only
	o.Sync = SyncAlways
	s, err := Open(filepath.Join(dir, "spool"), d, o)
	if err != nil {
		t.Fatal(err)
	}
	logAll(t, s, msgs("a", 10))
	if err := s.Flush(context.Background()); err != nil { // delivered and checkpointed
		t.Fatal(err)
	}
	logAll(t, s, msgs("b", 10))
	go s.Flush(context.Background()) // delivered, then the Flush hangs: no checkpoint
	<-d.hung
	logAll(t, s, msgs("c", 5)) // on disk, not delivered
	os.WriteFile(filepath.Join(dir, "ready"), nil, 0o600)
	select {}
}

// TestKillBetweenDeliveryAndCheckpoint kills a process (SIGKILL) after its
// destination stored records whose Flush never returned, so that their
// checkpoint was never written: the next Open sends exactly those again
// (the duplicates of at-least-once) and the records never delivered, and
// loses none.
func TestKillBetweenDeliveryAndCheckpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.v")
	cmd.Env = append(os.Environ(), "SPOOL_KILL_DIR="+dir)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(dir, "ready")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("the child never got ready:\n%s", out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	f, err := os.Open(filepath.Join(dir, "stored"))
	if err != nil {
		t.Fatal(err)
	}
	var stored []string
	for sc := bufio.NewScanner(f); sc.Scan(); {
		stored = append(stored, sc.Text())
	}
	f.Close()
	if want := append(msgs("a", 10), msgs("b", 10)...); !slices.Equal(stored, want) {
		t.Fatalf("the killed process stored %q", stored)
	}

	d := &memDst{}
	s := mustOpen(t, filepath.Join(dir, "spool"), d, fastOpts())
	if st := s.Stats(); st.Recovered != 15 {
		t.Fatalf("Recovered %d, want 15 (b and c)", st.Recovered)
	}
	closeOK(t, s)
	if got, want := d.got(), append(msgs("b", 10), msgs("c", 5)...); !slices.Equal(got, want) {
		t.Fatalf("after the restart: %q\nwant %q", got, want)
	}
}
