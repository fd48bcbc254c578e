// Package metrics exposes the counters of shippers, muxes and spools
// (ship.Stats and spool.Stats) to Prometheus, in the text exposition format
// 0.0.4, and to the standard library's expvar, so that no loss goes unseen.
//
// A Collector holds the sources registered with AddShipper (a *ship.Shipper
// or a *ship.Mux) and AddSpool, each with its own constant labels (e.g.
// log_group and log_stream), and is an http.Handler serving them:
//
//	c := metrics.New()
//	reg, err := c.AddShipper(s, metrics.Labels{"log_group": "my-app", "log_stream": "web-1"})
//	http.Handle("/metrics", c)
//	...
//	reg.Remove() // when s is closed and its numbers are no longer wanted
//
// Every counter of the Stats structs becomes a counter named
// cwlogs_ship_*_total or cwlogs_spool_*_total, the Dropped and Rejected
// breakdowns one family each with a reason label; the numbers held now
// (queued, in flight, pending, on disk) are gauges. LastError never becomes
// a label (it would make a new series per message and could carry data that
// must not leave the process): only the time it happened is exposed, as
// cwlogs_ship_last_error_timestamp_seconds (0 when none).
//
// A *ship.Mux is one source: its series are the sum of all its streams
// (Mux.Stats), not one per stream, so that the number of series does not
// grow with the streams a Mux opens. To see streams apart, register their
// Shippers (Mux.Stream) each with its own labels instead, or as well.
//
// Counters never go down in the output: each counter sample of a source is
// written at the highest value it has had (a ShipSource or SpoolSource of
// the caller's may go down; the Stats of ship and spool do not). A removed
// source's series disappear
// from the next scrape; a source registered later with the same labels
// starts from its own Stats: lower ones (a new Shipper's) are what
// Prometheus reads as a counter reset, as for a restarted process (rate and
// increase handle it). With no
// source registered, a scrape is empty (status 200, no body).
//
// The families are written in a fixed order, each once with every source's
// sample, sources ordered by their labels, so that two scrapes of the same
// numbers are byte for byte the same. A Collector is safe for concurrent use:
// scrapes may run while the sources ship, register and unregister.
package metrics
