package cwlogs

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
)

// Default endpoints follow botocore's logs endpoint-rule-set-1.json and
// partitions.json.

type partition struct {
	name       string
	re         *regexp.Regexp
	dnsSuffix  string
	dualSuffix string
}

var partitions = []partition{
	{"aws-cn", regexp.MustCompile(`^cn\-\w+\-\d+$`), "amazonaws.com.cn", "api.amazonwebservices.com.cn"},
	{"aws-eusc", regexp.MustCompile(`^eusc\-(de)\-\w+\-\d+$`), "amazonaws.eu", "api.amazonwebservices.eu"},
	{"aws-iso", regexp.MustCompile(`^us\-iso\-\w+\-\d+$`), "c2s.ic.gov", "api.aws.ic.gov"},
	{"aws-iso-b", regexp.MustCompile(`^us\-isob\-\w+\-\d+$`), "sc2s.sgov.gov", "api.aws.scloud"},
	{"aws-iso-e", regexp.MustCompile(`^eu\-isoe\-\w+\-\d+$`), "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk"},
	{"aws-iso-f", regexp.MustCompile(`^us\-isof\-\w+\-\d+$`), "csp.hci.ic.gov", "api.aws.hci.ic.gov"},
	{"aws-us-gov", regexp.MustCompile(`^us\-gov\-\w+\-\d+$`), "amazonaws.com", "api.aws"},
}

// awsPartition is the default for regions no other partition claims, as in
// the rule set's aws.partition function.
var awsPartition = partition{"aws", nil, "amazonaws.com", "api.aws"}

func partitionOf(region string) partition {
	for _, p := range partitions {
		if p.re.MatchString(region) {
			return p
		}
	}
	return awsPartition
}

var hostLabelRe = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9-]{0,62}$`)

// ResolveEndpoint returns the default CloudWatch Logs endpoint URL for region,
// optionally the FIPS and/or dual-stack variant. It is partition aware
// (aws, aws-cn, aws-us-gov, ISO partitions, aws-eusc).
func ResolveEndpoint(region string, fips, dualStack bool) (string, error) {
	if region == "" {
		return "", &ValidationError{Operation: "ResolveEndpoint", Field: "region", Value: `""`, Reason: "Invalid Configuration: Missing Region"}
	}
	if !hostLabelRe.MatchString(region) {
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

// parseEndpoint checks a custom endpoint and returns it parsed.
func parseEndpoint(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, &ValidationError{Operation: "New", Field: "endpoint", Value: showValue(raw), Reason: "is not a URL: " + err.Error()}
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, &ValidationError{Operation: "New", Field: "endpoint", Value: showValue(raw), Reason: "needs an http:// or https:// scheme"}
	}
	if u.Host == "" {
		return nil, &ValidationError{Operation: "New", Field: "endpoint", Value: showValue(raw), Reason: "has no host"}
	}
	if u.User != nil {
		return nil, &ValidationError{Operation: "New", Field: "endpoint", Value: "<redacted>", Reason: "must not contain user information"}
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, &ValidationError{Operation: "New", Field: "endpoint", Value: showValue(raw), Reason: "must not have a query or fragment"}
	}
	if u.Path == "" {
		u.Path = "/"
	}
	if !strings.HasPrefix(u.Path, "/") {
		u.Path = "/" + u.Path
	}
	return u, nil
}
