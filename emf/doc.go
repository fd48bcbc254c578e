// Package emf builds CloudWatch Embedded Metric Format (EMF) log events: JSON
// log events whose "_aws" member tells CloudWatch Logs to extract metrics from
// them. It uses the standard library only.
//
// A [Metrics] collects one unit of work's metrics: a namespace, dimension sets,
// metric values with their unit and storage resolution, properties (other
// members of the event, searchable in Logs Insights) and a timestamp.
// [Metrics.Encode] turns it into one or more events; [Metrics.WriteTo] writes
// them as lines (to stdout in Lambda, or in a container whose log agent
// speaks EMF, such as the CloudWatch agent); [Metrics.LogTo] hands them to a
// [Sink] such as a *ship.Shipper.
//
// CloudWatch Logs extracts the metrics only from events that reach it with the
// request header x-amzn-logs-format: json/emf: create the shipper that carries
// EMF events with ship.Options{LogFormat: cwlogs.LogFormatEMF} (or set
// PutLogEventsInput.LogFormat when calling PutLogEvents directly). In Lambda and
// with the CloudWatch agent, the platform sets the header itself.
//
// # Limits: split or refused
//
// Encode splits what the specification lets a producer split, as the official
// aws-embedded-metrics libraries do, and refuses the rest:
//
//   - at most 100 metrics per event: more are spread over several events, each
//     carrying every dimension and property (split);
//   - at most 100 values per metric per event: more are spread over several
//     events, in the order they were put (split);
//   - at most 30 dimensions per dimension set, default dimensions included
//     (refused);
//   - namespace: 1–255 characters from A–Z a–z 0–9 . - _ / # : and space, with
//     one that is not a space, not starting with "AWS/": CloudWatch's rule
//     for namespaces, narrower than the specification's schema (refused);
//   - metric names: 1–1024 characters of valid UTF-8, not all white space
//     (refused);
//   - dimension names: 1–250 printable ASCII characters, not all spaces, not
//     starting with ':'; dimension values: 1–1024 of the same, not all spaces
//     (refused);
//   - units: one of the [Unit] constants; storage resolution: [Standard] (60)
//     or [High] (1); one metric keeps one unit and one resolution (refused);
//   - values: finite numbers strictly between -2^360 and 2^360, the range
//     CloudWatch accepts; NaN, ±Inf and larger magnitudes are refused;
//   - member names: "_aws" is reserved, and a name is either a dimension, a
//     metric or a property, never two of them; a dimension name keeps one
//     value (refused); a default dimension put again with its value is kept
//     once in the set, as the official libraries merge the defaults;
//   - timestamps: within [MaxAge] (14 days) before and [MaxFuture] (2 hours)
//     after the current time when SetTimestamp is called, as CloudWatch
//     accepts them (refused);
//   - an event longer than [MaxEventBytes] (a property too large) is refused.
//
// The Put and Set methods do not return errors: the first invalid input is
// kept and returned by every later Encode (and MarshalJSON, WriteTo, LogTo) as
// an *[Error] naming the field and the value, and no event is produced.
//
// # Output
//
// Member order is stable, so equal inputs encode to equal bytes: "_aws" first,
// then the dimension members in the order their names were first put, then the
// metrics in the order they were first put, then the properties in the order
// they were first set. A metric with one value is a JSON number, one with more
// an array. Metrics without dimensions carry "Dimensions":[[]], one empty
// dimension set, which the specification allows (its schema wants at least
// one set).
//
// A Metrics is safe for concurrent use: the goroutines of one request may put
// metrics into it together, and one long-lived Metrics may be encoded while
// other goroutines put into it.
package emf
