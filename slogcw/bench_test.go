package slogcw

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/ship"
)

// discardAPI accepts every batch and keeps nothing.
type discardAPI struct{}

func (discardAPI) PutLogEvents(context.Context, *cwlogs.PutLogEventsInput) (*cwlogs.PutLogEventsOutput, error) {
	return &cwlogs.PutLogEventsOutput{}, nil
}
func (discardAPI) CreateLogStream(context.Context, *cwlogs.CreateLogStreamInput) error { return nil }
func (discardAPI) CreateLogGroup(context.Context, *cwlogs.CreateLogGroupInput) error   { return nil }

// BenchmarkHandle logs the same record through slogcw (encoding and handing
// the event to a shipper whose batches are discarded) and through
// slog.JSONHandler writing to io.Discard.
func BenchmarkHandle(b *testing.B) {
	log := func(b *testing.B, l *slog.Logger) {
		b.ReportAllocs()
		for b.Loop() {
			l.Info("request served", "method", "GET", "path", "/api/v1/items", "status", 200, "ms", 12.5, "user", slog.GroupValue(slog.Int("id", 42)))
		}
	}
	b.Run("slogcw", func(b *testing.B) {
		s, err := ship.New(discardAPI{}, "g", "s", &ship.Options{FlushInterval: time.Second})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close(context.Background())
		log(b, slog.New(NewHandler(s, nil)))
	})
	b.Run("json-handler", func(b *testing.B) {
		log(b, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	})
}
