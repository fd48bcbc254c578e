// Package interop holds the tests and benchmarks that need aws-sdk-go-v2: differential tests
// that compare cwlogs with the SDK byte for byte, and side-by-side benchmarks. It is a nested
// module so that users of cwlogs never download the SDK.
package interop
