package follow_test

import (
	"context"
	"log"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/ship"
	"github.com/cwlogs/cwlogs/ship/follow"
)

// ExampleGlob ships every /var/log/app/*.log file to its own log stream,
// named after the file, until interrupted; each file resumes from its own
// checkpoint after a restart.
func ExampleGlob() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	client, err := cwlogs.New("us-east-1", os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"),
		cwlogs.WithMaxAttempts(1)) // the shipper retries
	if err != nil {
		log.Fatal(err)
	}
	mux, err := ship.NewMux(client, nil) // one Shipper per stream, one buffer
	if err != nil {
		log.Fatal(err)
	}
	g, err := follow.NewGlob("/var/log/app/*.log", func(path string) (follow.Destination, error) {
		return mux.Stream("my-app", filepath.Base(path))
	}, &follow.GlobOptions{StateDir: "/var/lib/my-app/state"})
	if err != nil {
		log.Fatal(err)
	}
	if err := g.Run(ctx); err != nil {
		log.Print(err)
	}
	if err := mux.Close(context.Background()); err != nil {
		log.Print(err)
	}
}
