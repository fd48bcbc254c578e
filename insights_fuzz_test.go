package cwlogs

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestQueryInfoMillis(t *testing.T) {
	for _, tc := range []struct {
		in       string
		create   int64
		duration int64
		ok       bool
	}{
		{`{"createTime":1700000000123,"queryDuration":12}`, 1700000000123, 12, true},
		{`{"createTime":1795793558165.9639}`, 1795793558165, 0, true}, // moto_server
		{`{"createTime":1e3,"queryDuration":-2.5}`, 1000, -2, true},
		{`{"createTime":null}`, 0, 0, true},
		{`{}`, 0, 0, true},
		{`{"createTime":1e40}`, 0, 0, false},
		{`{"createTime":"soon"}`, 0, 0, false},
		{`{"createTime":true}`, 0, 0, false},
		{`{"queryId":7}`, 0, 0, false},
	} {
		var q QueryInfo
		err := json.Unmarshal([]byte(tc.in), &q)
		if (err == nil) != tc.ok || err == nil && (q.CreateTime != tc.create || q.QueryDuration != tc.duration) {
			t.Errorf("%s: %+v, %v; want createTime %d, queryDuration %d, ok %v", tc.in, q, err, tc.create, tc.duration, tc.ok)
		}
	}
	var out DescribeQueriesOutput
	if err := json.Unmarshal([]byte(`{"queries":[{"queryId":"a","status":"Complete","createTime":5.5,"logGroupName":"g","bytesScanned":1.5}]}`), &out); err != nil ||
		!reflect.DeepEqual(out.Queries, []QueryInfo{{QueryID: "a", Status: "Complete", CreateTime: 5, LogGroupName: "g", BytesScanned: 1.5}}) {
		t.Errorf("decoded %+v, %v", out, err)
	}
}

// FuzzQueryInfoJSON: decoding never panics, and what decodes survives a round trip.
func FuzzQueryInfoJSON(f *testing.F) {
	for _, s := range []string{`{"queryId":"q","createTime":1795793558165.9639,"queryDuration":3}`, `{"createTime":-1e18}`,
		`{"createTime":"12"}`, `{"queryDuration":9223372036854775807}`, `null`, `[]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var q QueryInfo
		if json.Unmarshal(b, &q) != nil {
			return
		}
		enc, err := json.Marshal(q)
		if err != nil {
			t.Fatal(err)
		}
		var q2 QueryInfo
		if err := json.Unmarshal(enc, &q2); err != nil || !reflect.DeepEqual(q, q2) {
			t.Fatalf("round trip of %+v: %+v, %v", q, q2, err)
		}
	})
}
