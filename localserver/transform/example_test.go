package transform_test

import (
	"fmt"

	"github.com/cwlogs/cwlogs/localserver/transform"
)

func Example() {
	cfg, err := transform.Parse([]byte(`[
		{"parseKeyValue": {}},
		{"copyValue": {"entries": [{"source": "@logGroupName", "target": "group"}]}},
		{"typeConverter": {"entries": [{"key": "ms", "type": "integer"}]}}
	]`))
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := cfg.Apply("user=ann&ms=12", transform.Meta{LogGroupName: "app"})
	fmt.Println(out, err)

	_, err = transform.Parse([]byte(`[{"parseToOCSF": {"eventSource": "VPCFlow", "ocsfVersion": "V1.1"}}]`))
	fmt.Println(err)
	// Output:
	// {"user":"ann","ms":12,"group":"app"} <nil>
	// transformerConfig[0]: the parseToOCSF processor is not supported by this server
}

// A parser of AWS vended logs reads the whole message and must be the first processor.
func Example_vendedLogs() {
	cfg, err := transform.Parse([]byte(`[{"parseVPC": {}}, {"deleteKeys": {"withKeys": ["version", "accountId", "logStatus"]}}]`))
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := cfg.Apply("2 123456789010 eni-abc123de 192.0.2.0 192.0.2.24 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK", transform.Meta{})
	fmt.Println(out, err)
	_, err = transform.Parse([]byte(`[{"parseJSON": {}}, {"parseVPC": {}}]`))
	fmt.Println(err)
	// Output:
	// {"interfaceId":"eni-abc123de","srcAddr":"192.0.2.0","dstAddr":"192.0.2.24","srcPort":20641,"dstPort":22,"protocol":6,"packets":20,"bytes":4249,"start":1418530010,"end":1418530070,"action":"ACCEPT"} <nil>
	// transformerConfig[1]: value "parseVPC": a parser of AWS vended logs must be the first processor of a transformer
}
