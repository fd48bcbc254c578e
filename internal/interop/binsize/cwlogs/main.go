// Command cwlogs is the binary-size program on this project's client: create a group and put
// one event, with credentials from the seed constructor.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/cwlogs/cwlogs"
)

func main() {
	ctx := context.Background()
	c, err := cwlogs.New("us-east-1", os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"))
	if err != nil {
		panic(err)
	}
	if err := c.CreateLogGroup(ctx, &cwlogs.CreateLogGroupInput{LogGroupName: "g"}); err != nil {
		fmt.Println(err)
	}
	_, err = c.PutLogEvents(ctx, &cwlogs.PutLogEventsInput{LogGroupName: "g", LogStreamName: "s",
		LogEvents: []cwlogs.InputLogEvent{{Timestamp: time.Now().UnixMilli(), Message: "hello"}}})
	fmt.Println(err)
}
