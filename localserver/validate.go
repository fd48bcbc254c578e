package localserver

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Shape constraints from the service model (botocore logs/2014-03-28/service-2.json). Patterns
// must match the whole value, as the service's validator requires.
type strShape struct {
	min, max int // max 0: unbounded
	pattern  string
	re       *regexp.Regexp
}

func shape(min, max int, pattern string) *strShape {
	s := &strShape{min: min, max: max, pattern: pattern}
	if pattern != "" {
		s.re = regexp.MustCompile(`^(?:` + pattern + `)$`)
	}
	return s
}

var (
	shLogGroupName        = shape(1, 512, `[\.\-_/#A-Za-z0-9]+`)
	shLogGroupNamePattern = shape(0, 512, `[\.\-_/#A-Za-z0-9]*`)
	shLogStreamName       = shape(1, 512, `[^:*]*`)
	shLogGroupIdentifier  = shape(1, 2048, `[\w#+=/:,.@-]*`)
	shKmsKeyID            = shape(0, 256, "")
	shTagKey              = shape(1, 128, `^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$`)
	shTagValue            = shape(0, 256, `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)
	shNextToken           = shape(1, 0, "")
	shSequenceToken       = shape(1, 0, "")
	shFilterPattern       = shape(0, 1024, "")
	shResourceArn         = shape(1, 1011, `[\w+=/:,.@-]*`)
	shAccountID           = shape(12, 12, `^\d{12}$`)
	shFilterName          = shape(1, 512, `[^:*]*`)
	shMetricName          = shape(0, 255, `[^:*$]*`)
	shMetricValue         = shape(0, 100, "")
	shDimension           = shape(0, 255, "")
	shDestinationArn      = shape(1, 0, "")
	shRoleArn             = shape(1, 0, "")
	shFieldSelection      = shape(0, 2000, "")
	shEventMessage        = shape(1, 0, "")
)

// shMetricNamespace is MetricNamespace without the model's pattern ([^:*$]*): live AWS
// accepted the namespace "A.B-c_d/1#2:metricNamespace" in PutMetricFilter and in
// DescribeMetricFilters (LocalStack's AWS-validated
// test_put_metric_filter_with_special_namespace, last validated 2026-02-05), so the service
// does not apply that pattern, and which rule it applies instead is not on record.
// CloudWatch namespaces allow ':' (the CloudWatch user guide's Namespaces concept).
var shMetricNamespace = shape(0, 255, "")

// ResourceIdentifier of AssociateKmsKey and DisassociateKmsKey.
var shResourceIdentifier = shape(1, 2048, `[\w+=/:,.@\-\*]*`)

// Members of ListLogGroups.
var (
	shLogGroupNameRegex = shape(3, 129, `(\^?[\.\-_\/#A-Za-z0-9]{3,24})(\|\^?[\.\-_\/#A-Za-z0-9]{3,24}){0,4}`)
	shFieldIndexName    = shape(1, 512, `[\.\-_/#A-Za-z0-9]+`)
	shTagFilterKey      = shape(1, 128, `^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$`)
	shTagFilterValue    = shape(0, 259, `^!?\*?([\p{L}\p{Z}\p{N}_.:/=+\-@]*)\*?$`)
)

// Members of the resource policy operations. PolicyDocument is 1–51,200 characters in the
// current model (botocore 1.43); older API reference pages said 5,120, which live AWS no
// longer enforces as far as the model tells.
var (
	shPolicyDocument     = shape(1, 51200, "")
	shExpectedRevisionID = shape(1, 0, "")
)

var distributions = []string{"Random", "ByLogStream"}

// standardUnits is the StandardUnit enum of a metric transformation's unit.
var standardUnits = []string{"Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes",
	"Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second",
	"Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second",
	"Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None"}

var logGroupClasses = []string{"STANDARD", "INFREQUENT_ACCESS", "DELIVERY"}
var orderByValues = []string{"LogStreamName", "LastEventTime"}

// retentionDays is the set of values PutRetentionPolicy accepts.
var retentionDays = []int64{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// verrs collects shape violations and renders them with the service's template:
// "1 validation error detected: Value 'x' at 'field' failed to satisfy constraint: ...".
type verrs struct{ list []string }

func (v *verrs) add(value *string, path, constraint string) {
	val := "null"
	if value != nil {
		val = "'" + *value + "'"
	}
	v.list = append(v.list, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", val, path, constraint))
}

func (v *verrs) required(present bool, path string) bool {
	if !present {
		v.add(nil, path, "Member must not be null")
	}
	return present
}

// str checks a present string member against its shape.
func (v *verrs) str(s *string, path string, sh *strShape) {
	if s == nil {
		return
	}
	for _, c := range sh.violations(*s) {
		v.add(s, path, c)
	}
}

func (sh *strShape) violations(s string) []string {
	var out []string
	n := utf8.RuneCountInString(s)
	if sh.re != nil && !sh.re.MatchString(s) {
		out = append(out, "Member must satisfy regular expression pattern: "+sh.pattern)
	}
	if n < sh.min {
		out = append(out, fmt.Sprintf("Member must have length greater than or equal to %d", sh.min))
	}
	if sh.max > 0 && n > sh.max {
		out = append(out, fmt.Sprintf("Member must have length less than or equal to %d", sh.max))
	}
	return out
}

func (v *verrs) intRange(x *int64, path string, min, max int64) {
	if x == nil {
		return
	}
	s := strconv.FormatInt(*x, 10)
	if *x < min {
		v.add(&s, path, fmt.Sprintf("Member must have value greater than or equal to %d", min))
	}
	if *x > max {
		v.add(&s, path, fmt.Sprintf("Member must have value less than or equal to %d", max))
	}
}

func (v *verrs) minInt(x *int64, path string, min int64) {
	if x != nil && *x < min {
		s := strconv.FormatInt(*x, 10)
		v.add(&s, path, fmt.Sprintf("Member must have value greater than or equal to %d", min))
	}
}

func (v *verrs) enum(s *string, path string, values []string) {
	if s == nil || slices.Contains(values, *s) {
		return
	}
	v.add(s, path, "Member must satisfy enum value set: ["+strings.Join(values, ", ")+"]")
}

// tags checks a present tag map: 1–50 entries, keys and values per TagKey/TagValue.
func (v *verrs) tags(tm *map[string]string, path string) {
	if tm == nil {
		return
	}
	m := *tm
	if len(m) < 1 || len(m) > 50 {
		s := renderMap(m, slices.Sorted(maps.Keys(m)))
		if len(m) < 1 {
			v.add(&s, path, "Member must have length greater than or equal to 1")
		} else {
			v.add(&s, path, "Member must have length less than or equal to 50")
		}
	}
	v.strMap(tm, path, shTagKey, shTagValue)
}

// strMap checks the keys and values of a present map of strings against keySh and valSh,
// each violation reported once ("Map keys must satisfy constraint: […]").
func (v *verrs) strMap(mp *map[string]string, path string, keySh, valSh *strShape) {
	if mp == nil {
		return
	}
	m := *mp
	keys := slices.Sorted(maps.Keys(m))
	var keyErrs, valErrs []string
	for _, k := range keys {
		keyErrs = appendUnique(keyErrs, keySh.violations(k)...)
		valErrs = appendUnique(valErrs, valSh.violations(m[k])...)
	}
	if len(keyErrs) > 0 || len(valErrs) > 0 {
		s := renderMap(m, keys)
		if len(keyErrs) > 0 {
			v.add(&s, path, "Map keys must satisfy constraint: ["+strings.Join(keyErrs, ", ")+"]")
		}
		if len(valErrs) > 0 {
			v.add(&s, path, "Map value must satisfy constraint: ["+strings.Join(valErrs, ", ")+"]")
		}
	}
}

func appendUnique(list []string, items ...string) []string {
	for _, it := range items {
		if !slices.Contains(list, it) {
			list = append(list, it)
		}
	}
	return list
}

// strList checks a present list member: its length (max 0: unbounded) and each element's shape.
func (v *verrs) strList(lp *[]string, path string, min, max int, sh *strShape) {
	if lp == nil {
		return
	}
	list := *lp
	if len(list) < min || (max > 0 && len(list) > max) {
		s := "[" + strings.Join(list, ", ") + "]"
		if len(list) < min {
			v.add(&s, path, fmt.Sprintf("Member must have length greater than or equal to %d", min))
		} else {
			v.add(&s, path, fmt.Sprintf("Member must have length less than or equal to %d", max))
		}
	}
	for i := range list {
		v.str(&list[i], fmt.Sprintf("%s.%d.member", path, i+1), sh)
	}
}

func renderMap(m map[string]string, keys []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(m[k])
	}
	b.WriteByte('}')
	return b.String()
}

// err returns the collected violations as one InvalidParameterException, or nil.
func (v *verrs) err() *apiError {
	switch len(v.list) {
	case 0:
		return nil
	case 1:
		return clientErr(codeInvalidParameter, "1 validation error detected: "+v.list[0])
	}
	return clientErr(codeInvalidParameter, fmt.Sprintf("%d validation errors detected: %s", len(v.list), strings.Join(v.list, "; ")))
}
