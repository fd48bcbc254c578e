package cwlogs

import (
	"strings"
	"testing"
)

func TestPartitionMatchesRegionRegex(t *testing.T) {
	for region, want := range map[string]string{
		"cn-north-1": "aws-cn", "cn-northwest-1": "aws-cn", "cn-north-x": "aws", "cn--1": "aws", "cn-north-": "aws",
		"us-gov-west-1": "aws-us-gov", "us-iso-east-1": "aws-iso", "us-isob-east-1": "aws-iso-b",
		"eu-isoe-west-1": "aws-iso-e", "us-isof-south-1": "aws-iso-f", "eusc-de-east-1": "aws-eusc",
		"eusc-fr-east-1": "aws", "us-east-1": "aws", "cn-north_a-1": "aws-cn", "us-gov-west-1a": "aws",
	} {
		if got := partitionOf(region).name; got != want {
			t.Errorf("partitionOf(%q) = %s, want %s", region, got, want)
		}
	}
	for s, want := range map[string]bool{"us-east-1": true, "": false, "-a": false, "a-": true, "a.b": false, strings.Repeat("a", 63): true, strings.Repeat("a", 64): false} {
		if got := isHostLabel(s); got != want {
			t.Errorf("isHostLabel(%q) = %v", s, got)
		}
	}
}

func TestPartition(t *testing.T) {
	for region, want := range map[string]string{"us-east-1": "aws", "cn-north-1": "aws-cn", "us-gov-west-1": "aws-us-gov",
		"us-iso-east-1": "aws-iso", "us-isob-east-1": "aws-iso-b", "eusc-de-east-1": "aws-eusc", "mars-1": "aws", "": "aws"} {
		if got := Partition(region); got != want {
			t.Errorf("Partition(%q) = %q, want %q", region, got, want)
		}
	}
}
