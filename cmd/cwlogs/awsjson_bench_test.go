package main

import (
	"bytes"
	"fmt"
	"testing"
)

// BenchmarkFormatAWSJSON prints a shaped FilterLogEvents answer of 10,000 events as
// call's default --output json does.
func BenchmarkFormatAWSJSON(b *testing.B) {
	var body bytes.Buffer
	body.WriteString(`{"events":[`)
	for i := range 10000 {
		if i > 0 {
			body.WriteByte(',')
		}
		fmt.Fprintf(&body, `{"logStreamName":"web-1","timestamp":%d,"message":"GET /index.html %d","ingestionTime":%d,"eventId":"%020d"}`, int64(1700000000000)+int64(i), i, int64(1700000000100)+int64(i), i)
	}
	body.WriteString(`],"searchedLogStreams":[],"nextToken":"tok"}`)
	b.SetBytes(int64(body.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := formatAWSJSON(body.Bytes(), false); err != nil {
			b.Fatal(err)
		}
	}
}
