// Package noloss holds the end-to-end proof that the shipper loses nothing:
// events go through a fault-injecting proxy (internal/faultproxy) into the
// local server and into moto_server, and every one must be stored, in order,
// with duplicates only where an answer was lost after the batch was stored.
// It has no code of its own; see noloss_test.go. It lives apart from package
// ship so that ship's unit tests do not depend on the local server.
package noloss
