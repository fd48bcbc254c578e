package cwlogs

import (
	"errors"
	"net/url"
	"strings"
)

// Default endpoints follow botocore's logs endpoint-rule-set-1.json and
// partitions.json.

type partition struct {
	name       string
	prefix     string // regions are prefix + \w+ + "-" + \d+ (the rule set's regionRegex)
	dnsSuffix  string
	dualSuffix string
}

var partitions = []partition{
	{"aws-cn", "cn-", "amazonaws.com.cn", "api.amazonwebservices.com.cn"},
	{"aws-eusc", "eusc-de-", "amazonaws.eu", "api.amazonwebservices.eu"},
	{"aws-iso", "us-iso-", "c2s.ic.gov", "api.aws.ic.gov"},
	{"aws-iso-b", "us-isob-", "sc2s.sgov.gov", "api.aws.scloud"},
	{"aws-iso-e", "eu-isoe-", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk"},
	{"aws-iso-f", "us-isof-", "csp.hci.ic.gov", "api.aws.hci.ic.gov"},
	{"aws-us-gov", "us-gov-", "amazonaws.com", "api.aws"},
}

// matches reports whether region is p.prefix, one or more word characters, '-', digits:
// the partition's regionRegex (e.g. ^cn\-\w+\-\d+$), without the regexp package.
func (p partition) matches(region string) bool {
	rest, ok := strings.CutPrefix(region, p.prefix)
	if !ok {
		return false
	}
	i := strings.LastIndexByte(rest, '-')
	if i <= 0 || i == len(rest)-1 {
		return false
	}
	for j := 0; j < i; j++ {
		if c := rest[j]; !(isAlnum(c) || c == '_') {
			return false
		}
	}
	for j := i + 1; j < len(rest); j++ {
		if c := rest[j]; c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// isHostLabel reports whether s is a DNS host label: ^[a-zA-Z0-9][a-zA-Z0-9-]{0,62}$.
func isHostLabel(s string) bool {
	if s == "" || len(s) > 63 || !isAlnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '-' {
			return false
		}
	}
	return true
}

// Partition returns the partition of region as it appears in ARNs: "aws",
// "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f" or
// "aws-eusc" (the SDKs' partitions.json; "aws" for any region no other
// partition claims).
func Partition(region string) string { return partitionOf(region).name }

// awsPartition is the default for regions no other partition claims, as in
// the rule set's aws.partition function.
var awsPartition = partition{"aws", "", "amazonaws.com", "api.aws"}

func partitionOf(region string) partition {
	for _, p := range partitions {
		if p.matches(region) {
			return p
		}
	}
	return awsPartition
}

// ResolveEndpoint returns the default CloudWatch Logs endpoint URL for region,
// optionally the FIPS and/or dual-stack variant. It is partition aware
// (aws, aws-cn, aws-us-gov, ISO partitions, aws-eusc).
func ResolveEndpoint(region string, fips, dualStack bool) (string, error) {
	if region == "" {
		return "", &ValidationError{Operation: "ResolveEndpoint", Field: "region", Value: `""`, Reason: "Invalid Configuration: Missing Region"}
	}
	if !isHostLabel(region) {
		return "", &ValidationError{Operation: "ResolveEndpoint", Field: "region", Value: showValue(region), Reason: "is not a valid host label (letters, digits and '-', at most 63)"}
	}
	p := partitionOf(region)
	switch {
	case fips && dualStack:
		return "https://logs-fips." + region + "." + p.dualSuffix, nil
	case fips:
		if region == "us-gov-east-1" || region == "us-gov-west-1" {
			return "https://logs." + region + ".amazonaws.com", nil
		}
		return "https://logs-fips." + region + "." + p.dnsSuffix, nil
	case dualStack:
		return "https://logs." + region + "." + p.dualSuffix, nil
	}
	return "https://logs." + region + "." + p.dnsSuffix, nil
}

// parseEndpoint checks a custom endpoint and returns it parsed. Its errors
// show the endpoint without what precedes an '@' (user information, perhaps
// a password), even when the endpoint is not a URL.
func parseEndpoint(raw string) (*url.URL, error) {
	shown := showValue(raw)
	if i := strings.LastIndexByte(raw, '@'); i >= 0 {
		shown = showValue("<redacted>@" + raw[i+1:])
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		reason := "is not a URL: " + err.Error()
		if strings.Contains(raw, "@") {
			reason = "is not a URL" // url.Parse's message may quote the user information
		}
		return nil, &ValidationError{Operation: "New", Field: "endpoint", Value: shown, Reason: reason}
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, &ValidationError{Operation: "New", Field: "endpoint", Value: shown, Reason: "needs an http:// or https:// scheme"}
	}
	if u.Host == "" {
		return nil, &ValidationError{Operation: "New", Field: "endpoint", Value: shown, Reason: "has no host"}
	}
	if u.User != nil {
		return nil, &ValidationError{Operation: "New", Field: "endpoint", Value: shown, Reason: "must not contain user information"}
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, &ValidationError{Operation: "New", Field: "endpoint", Value: shown, Reason: "must not have a query or fragment"}
	}
	if u.Path == "" {
		u.Path = "/"
	}
	if !strings.HasPrefix(u.Path, "/") {
		u.Path = "/" + u.Path
	}
	return u, nil
}
