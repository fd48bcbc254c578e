// Package transform parses, validates and applies CloudWatch Logs log transformers: the
// transformerConfig of PutTransformer and TestTransformer, a list of processors (the
// model's Processor union, botocore logs/2014-03-28), applied one after the other to a log
// event as a pipeline
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Transformation-Create.html).
//
// Parse checks a configuration against the model's shapes and the user guide's rules and
// answers a *ConfigError naming the field and its value, or an *UnsupportedError for a
// processor this package does not implement (never accepted and silently ignored).
// Config.Apply transforms one event's message, with its metadata (Meta), into the JSON
// text of the transformed event, or answers an *ApplyError.
//
// Implemented: parseJSON, parseKeyValue, csv, grok (the pattern set in grok.go), addKeys,
// deleteKeys, copyValue, moveKeys, renameKeys, listToMap, lowerCaseString,
// upperCaseString, trimString, splitString, substituteString, typeConverter and
// dateTimeConverter (the Java pattern letters in datetime.go), and the parsers of AWS
// vended logs parseCloudfront, parseVPC, parseRoute53, parseWAF and parsePostgres
// (vended.go). Not implemented (refused): parseToOCSF.
//
// The package is pure: no I/O, no global state; a Config is safe for concurrent use.
package transform
