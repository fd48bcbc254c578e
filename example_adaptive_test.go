package cwlogs_test

import (
	"context"
	"fmt"

	"github.com/cwlogs/cwlogs"
)

// A client in the adaptive retry mode, as AWS_RETRY_MODE=adaptive gives in
// NewFromEnvironment: its calls go out unhindered until the service throttles
// one; from then on they wait for the client-side rate limiter's tokens.
func ExampleWithRetryMode() {
	srv := exampleServer()
	defer srv.Close()
	client, err := cwlogs.New("us-east-1", "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
		cwlogs.WithEndpoint(srv.URL), cwlogs.WithRetryMode(cwlogs.RetryModeAdaptive))
	if err != nil {
		fmt.Println(err)
		return
	}
	err = client.CreateLogGroup(context.Background(), &cwlogs.CreateLogGroupInput{LogGroupName: "app"})
	fmt.Println(cwlogs.RetryModeAdaptive, err)

	_, err = cwlogs.New("us-east-1", "AKIDEXAMPLE", "secret", cwlogs.WithRetryMode(cwlogs.RetryMode(3)))
	fmt.Println(err)
	// Output:
	// adaptive <nil>
	// cwlogs: New: invalid retryMode RetryMode(3): must be RetryModeStandard or RetryModeAdaptive
}
