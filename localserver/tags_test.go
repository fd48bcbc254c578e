package localserver

import (
	"slices"
	"strings"
	"testing"
)

// FuzzTaggedByArn: an ARN the tagging operations take is a CloudWatch Logs ARN of this
// account that parseLogsArn splits and that re-forms from its parts; it names a log
// group (with or without ":*") or a resource of namedTagTables with a name its type
// takes, whose tags are in that type's table. Neither function panics.
func FuzzTaggedByArn(f *testing.F) {
	for _, arn := range []string{
		"arn:aws:logs:us-east-1:123456789012:log-group:g",
		"arn:aws:logs:us-east-1:123456789012:log-group:/a/b:*",
		"arn:aws:logs:us-east-1:123456789012:log-group:a:b",
		"arn:aws:logs:us-east-1:123456789012:destination:d",
		"arn:aws:logs:us-east-1:123456789012:destination:a:b",
		"arn:aws-cn:logs:cn-north-1:123456789012:destination:",
		dsArn("s"), ddArn("d"), dlvArn("Example1abcde2eCK"), dsArn("a/b"),
		"arn:aws-cn:logs:cn-north-1:123456789012:delivery:",
		"arn:aws:logs:us-east-1:111122223333:delivery-source:s",
		"arn:aws:logs::123456789012:log-group:g",
		"arn:aws:s3:::bucket",
	} {
		f.Add(arn)
	}
	s := &Server{cfg: Config{AccountID: DefaultAccountID}}
	tables := []string{"group_tags"}
	for _, nt := range namedTagTables {
		tables = append(tables, nt.table)
	}
	f.Fuzz(func(t *testing.T, arn string) {
		typ, name, split := s.parseLogsArn(arn)
		if split {
			p, _ := splitArn(arn)
			if rebuilt := "arn:" + p.partition + ":logs:" + p.region + ":" + DefaultAccountID + ":" + typ + ":" + name; rebuilt != arn || p.region == "" {
				t.Fatalf("%q split into %q %q, which re-forms as %q", arn, typ, name, rebuilt)
			}
		}
		tg, ok := s.taggedByArn(arn)
		if !ok {
			return
		}
		if !split || !slices.Contains(tables, tg.table) || tg.key == nil {
			t.Fatalf("%q (split: %v) names a resource tagged in %q", arn, split, tg.table)
		}
		if typ == "log-group" {
			group := strings.TrimSuffix(name, ":*")
			if tg.table != "group_tags" || group == "" || strings.Contains(group, ":") {
				t.Fatalf("%q names the log group %q, tagged in %q", arn, group, tg.table)
			}
			return
		}
		nt, known := namedTagTables[typ]
		if !known || tg.table != nt.table || len(nt.shape.violations(name)) > 0 {
			t.Fatalf("%q names the %s %q, tagged in %q", arn, typ, name, tg.table)
		}
	})
}
