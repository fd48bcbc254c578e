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

	_, err = transform.Parse([]byte(`[{"parseVPC": {}}]`))
	fmt.Println(err)
	// Output:
	// {"user":"ann","ms":12,"group":"app"} <nil>
	// transformerConfig[0]: the parseVPC processor is not supported by this server
}
