package follow_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/localserver"
	"github.com/cwlogs/cwlogs/ship"
	"github.com/cwlogs/cwlogs/ship/follow"
)

// TestShipperLocalServer: a file followed into a real *ship.Shipper through
// the client to the local server, over two runs with a rename rotation while
// running and one while stopped: the stream holds every line once, in order.
func TestShipperLocalServer(t *testing.T) {
	srv, err := localserver.New(localserver.Config{Memory: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	client, err := cwlogs.New("us-east-1", "AKIDEXAMPLE", "secret", cwlogs.WithEndpoint(srv.URL()), cwlogs.WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	path := logPath(t)
	state := filepath.Join(t.TempDir(), "state")
	var want []string
	write := func(name string, lines ...string) {
		for _, l := range lines {
			appendFile(t, name, l+"\n")
		}
		want = append(want, lines...)
	}
	runOnce := func(body func(r *running)) {
		sh, err := ship.New(client, "follow", "host-1", &ship.Options{CreateGroup: true, Concurrency: 1})
		if err != nil {
			t.Fatal(err)
		}
		r := start(t, path, sh, follow.Options{StateFile: state, FromStart: true, CheckpointInterval: time.Nanosecond})
		body(r)
		if err := r.stop(); err != nil {
			t.Fatal(err)
		}
		if err := sh.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if len(r.reported()) > 0 {
			t.Errorf("reported %v", r.reported())
		}
	}
	write(path, "first")
	runOnce(func(r *running) {
		write(path, "a", "b")
		r.step()
		if err := os.Rename(path, path+".1"); err != nil {
			t.Fatal(err)
		}
		write(path+".1", "late in the old file")
		write(path, "new file")
		r.step()
		r.step()
		write(path, "c")
		r.step()
	})
	write(path, "while stopped")
	if err := os.Rename(path, path+".2"); err != nil {
		t.Fatal(err)
	}
	write(path, "after the rotation while stopped")
	runOnce(func(r *running) {
		r.step()
		r.step()
		write(path, fmt.Sprintf("run %d", 2))
		r.step()
	})
	var got []string
	for e, err := range client.GetLogEventsIter(ctx, &cwlogs.GetLogEventsInput{LogGroupName: "follow", LogStreamName: "host-1"}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e.Message)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("stream holds %q\nwant %q", got, want)
	}
}
