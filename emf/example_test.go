package emf_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/emf"
	"github.com/cwlogs/cwlogs/ship"
)

// Metrics of one request, written to stdout as one EMF line: in Lambda or a container
// whose log agent understands EMF, that is all it takes.
func Example() {
	m := emf.New("MyApp")
	// A fixed time, for the output below; by default, the time of New. A
	// timestamp more than 14 days old or 2 hours ahead is refused.
	m.SetTimestamp(time.UnixMilli(1574109732004))
	m.SetDefaultDimensions(emf.Dimension{Name: "Service", Value: "checkout"})
	m.PutDimensions(emf.Dimension{Name: "Operation", Value: "Pay"})
	m.PutMetric("Latency", 41.5, emf.Milliseconds)
	m.PutMetric("Latency", 38, emf.Milliseconds)
	m.PutMetricResolution("Errors", 0, emf.Count, emf.High)
	m.SetProperty("requestId", "r-42")
	if _, err := m.WriteTo(os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// {"_aws":{"Timestamp":1574109732004,"CloudWatchMetrics":[{"Namespace":"MyApp","Dimensions":[["Service","Operation"]],"Metrics":[{"Name":"Latency","Unit":"Milliseconds"},{"Name":"Errors","Unit":"Count","StorageResolution":1}]}]},"Service":"checkout","Operation":"Pay","Latency":[41.5,38],"Errors":0,"requestId":"r-42"}
}

// An invalid input is reported, naming the field and the value, when the events are made.
func ExampleMetrics_Encode_error() {
	m := emf.New("MyApp")
	m.PutMetric("Latency", 5, "Minutes")
	_, err := m.Encode()
	fmt.Println(err)
	// Output:
	// emf: invalid metric["Latency"].unit "Minutes": is not a CloudWatch unit (see emf.Units)
}

// printAPI stands in for a *cwlogs.Client: it prints what PutLogEvents would send.
type printAPI struct{}

func (printAPI) PutLogEvents(_ context.Context, in *cwlogs.PutLogEventsInput) (*cwlogs.PutLogEventsOutput, error) {
	fmt.Printf("x-amzn-logs-format: %s, %d events\n", in.LogFormat, len(in.LogEvents))
	return &cwlogs.PutLogEventsOutput{}, nil
}
func (printAPI) CreateLogStream(context.Context, *cwlogs.CreateLogStreamInput) error { return nil }
func (printAPI) CreateLogGroup(context.Context, *cwlogs.CreateLogGroupInput) error   { return nil }

// Shipping EMF events with a ship.Shipper: its Options.LogFormat makes every request carry
// x-amzn-logs-format: json/emf, without which CloudWatch Logs stores the events but
// extracts no metric. With a real client, pass the *cwlogs.Client instead of printAPI.
func ExampleMetrics_LogTo() {
	s, err := ship.New(printAPI{}, "/app/metrics", "host-1", &ship.Options{LogFormat: cwlogs.LogFormatEMF})
	if err != nil {
		fmt.Println(err)
		return
	}
	m := emf.New("MyApp")
	for i := range 150 { // more than 100 metrics: two events
		m.PutMetric(fmt.Sprint("m", i), float64(i), emf.Count)
	}
	if err := m.LogTo(s); err != nil {
		fmt.Println(err)
	}
	if err := s.Close(context.Background()); err != nil {
		fmt.Println(err)
	}
	// Output:
	// x-amzn-logs-format: json/emf, 2 events
}
