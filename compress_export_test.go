package cwlogs

// AccessLogEvents gives the external tests (package cwlogs_test) accessLogEvents.
var AccessLogEvents = accessLogEvents
