package cwlogs

import (
	"compress/gzip"
	"strconv"
	"sync"
)

// Request compression. CloudWatch Logs accepts a PutLogEvents body compressed with gzip
// (Content-Encoding: gzip), as the Amazon CloudWatch agent and the OpenTelemetry
// Collector send it. The body is compressed once per call, into a pooled buffer; every
// attempt sends (and signs) those bytes.

// WithGzip compresses the body of every PutLogEvents request with gzip at level, and
// sends it with Content-Encoding: gzip, when that makes it smaller (a batch of one short
// event may not shrink; it is then sent as it is). It is for links where bytes cost more
// than CPU: a batch of 1,000 JSON access-log lines shrinks 5.7 times at [gzip.BestSpeed]
// for 2.7 times the CPU of an uncompressed request, 7.4 times at the default level for
// 5.5 times the CPU (BENCHMARKS.md).
//
// level is a compress/gzip level: [gzip.BestSpeed] (1) to [gzip.BestCompression] (9),
// [gzip.DefaultCompression] (-1, level 6) or [gzip.HuffmanOnly] (-2). 0 (as without
// the option, the default) sends every request uncompressed. Another value makes [New]
// and [NewFromEnvironment] return a *ValidationError. CloudWatch Logs and the local
// server (localserver) take compressed bodies; moto_server 5.2.1 answers them with
// HTTP 500 (it decompresses them twice). A peer's error answer to a compressed request
// is returned (and retried, or not) as any other: the client never resends the batch
// uncompressed, so against a peer without gzip support, leave the option off.
//
// Only PutLogEvents is compressed, whether it is sent by [Client.PutLogEvents],
// [Client.Action] or [Client.Invoke]: the other operations' bodies are small, and
// PutLogEvents is the one operation whose compressed form the service is known to take.
// The batch limits ([MaxBatchBytes] and the others) apply to the uncompressed events,
// as the service counts them. The environment has no setting for it: the AWS SDKs'
// AWS_DISABLE_REQUEST_COMPRESSION and AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES govern
// only operations whose model has the requestCompression trait, which no CloudWatch
// Logs operation has, so they never compress these requests.
func WithGzip(level int) Option { return func(o *options) { o.gzipLevel = level } }

// compressedOp is the operation whose requests WithGzip compresses.
const compressedOp = "PutLogEvents"

// checkGzipLevel checks WithGzip's level.
func checkGzipLevel(level int) error {
	if level < gzip.HuffmanOnly || level > gzip.BestCompression {
		return &ValidationError{Operation: "New", Field: "gzipLevel", Value: strconv.Itoa(level),
			Reason: "must be a compress/gzip level: -2 (HuffmanOnly), -1 (DefaultCompression), 1 (BestSpeed) to 9 (BestCompression), or 0 for no compression"}
	}
	return nil
}

// compressBody returns the body to send for op, its Content-Encoding and the pooled
// buffer that holds it: when the client compresses op's requests and gzip makes body
// smaller, the compressed bytes in a buffer of the body pool, pooled having gone back to
// its pool (nothing reads it any more); else body, "" and pooled unchanged.
func (c *Client) compressBody(op string, body []byte, pooled *bodyBuf) ([]byte, string, *bodyBuf) {
	if c.gzipLevel == 0 || op != compressedOp {
		return body, "", pooled
	}
	zb := getBuf()
	zb.b = gzipAppend(zb.b[:0], body, c.gzipLevel)
	if len(zb.b) >= len(body) {
		putBuf(zb)
		return body, "", pooled
	}
	if pooled != nil {
		putBuf(pooled)
	}
	return zb.b, "gzip", zb
}

// gzipper is a pooled gzip.Writer with the buffer it appends to.
type gzipper struct {
	zw  *gzip.Writer
	out []byte
}

// Write appends p to g.out; it never fails.
func (g *gzipper) Write(p []byte) (int, error) {
	g.out = append(g.out, p...)
	return len(p), nil
}

// gzipPools hold gzippers by level (index level-gzip.HuffmanOnly): a writer's state is
// hundreds of kilobytes at levels 2 to 9, too much to make per request.
var gzipPools [gzip.BestCompression - gzip.HuffmanOnly + 1]sync.Pool

// gzipAppend appends the gzip member of body, compressed at level (a valid level other
// than 0), to dst. The header carries no name and no modification time, so the same
// body always gives the same bytes.
func gzipAppend(dst, body []byte, level int) []byte {
	pool := &gzipPools[level-gzip.HuffmanOnly]
	g, _ := pool.Get().(*gzipper)
	if g == nil {
		g = new(gzipper)
		g.zw, _ = gzip.NewWriterLevel(g, level) // the level was checked by New
	} else {
		g.zw.Reset(g)
	}
	g.out = dst
	// Writes to a gzipper cannot fail, so neither can these.
	_, _ = g.zw.Write(body)
	_ = g.zw.Close()
	dst, g.out = g.out, nil
	pool.Put(g)
	return dst
}
