package localserver

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestBodyLimitLookupTables: CreateLookupTable and UpdateLookupTable take bodies beyond
// Config.MaxRequestBytes (a 10 MB tableBody is larger still once JSON-escaped), up to
// lookupTableRequestBytes; every other operation keeps the configured limit, compressed
// or not.
func TestBodyLimitLookupTables(t *testing.T) {
	s := newTestServer(t, Config{MaxRequestBytes: 1 << 20})
	// 3 MiB of table that JSON-escapes to about 4.5 MiB: every row quoted.
	table := "id,quote\n" + strings.Repeat("1,\"say \"\"hi\"\"\"\n", 3<<20/16)
	r := mustOK(t, s, "CreateLookupTable", m{"lookupTableName": "big", "tableBody": table})
	if r.status != http.StatusOK {
		t.Fatalf("CreateLookupTable: %d", r.status)
	}
	mustOK(t, s, "UpdateLookupTable", m{"lookupTableArn": ltArn("big"), "tableBody": table + "2,x\n"})

	// Compressed, the limit is that of the decompressed body, as for every operation.
	big, err := json.Marshal(m{"lookupTableName": "zipped", "tableBody": table})
	if err != nil {
		t.Fatal(err)
	}
	if r := do(t, s, agentRequest(t, "CreateLookupTable", "gzip", gzipped(t, big))); r.status != http.StatusOK {
		t.Errorf("gzip CreateLookupTable of %d bytes decompressed: %d %.200s", len(big), r.status, r.raw)
	}
	if r := do(t, s, agentRequest(t, "CreateLogGroup", "gzip", gzipped(t, []byte(`{"logGroupName":"g","tags":{"k":"`+strings.Repeat("v", 2<<20)+`"}}`)))); r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("gzip CreateLogGroup over MaxRequestBytes decompressed: %d %.200s, want 413", r.status, r.raw)
	}

	for _, c := range []struct {
		name string
		op   string
		in   any
	}{
		{"other operation", "CreateLogGroup", m{"logGroupName": "g", "tags": m{"k": strings.Repeat("v", 2<<20)}}},
		{"over the lookup table limit", "CreateLookupTable", m{"lookupTableName": "huge", "tableBody": strings.Repeat("x", lookupTableRequestBytes)}},
	} {
		if r := call(t, s, c.op, c.in); r.status != http.StatusRequestEntityTooLarge {
			t.Errorf("%s: %d %.200s, want 413", c.name, r.status, r.raw)
		}
	}
}
