package emf_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"unicode/utf8"
)

// specUnits are the units the EMF specification accepts (the CloudWatch
// StandardUnit values), written out here, apart from the package's list.
var specUnits = map[string]bool{
	"Seconds": true, "Microseconds": true, "Milliseconds": true, "Bytes": true, "Kilobytes": true,
	"Megabytes": true, "Gigabytes": true, "Terabytes": true, "Bits": true, "Kilobits": true,
	"Megabits": true, "Gigabits": true, "Terabits": true, "Percent": true, "Count": true,
	"Bytes/Second": true, "Kilobytes/Second": true, "Megabytes/Second": true, "Gigabytes/Second": true,
	"Terabytes/Second": true, "Bits/Second": true, "Kilobits/Second": true, "Megabits/Second": true,
	"Gigabits/Second": true, "Terabits/Second": true, "Count/Second": true, "None": true,
}

// parsedEvent is what checkSpec learns from a valid event.
type parsedEvent struct {
	namespace string
	timestamp int64
	dimSets   [][]string
	dims      map[string]string    // dimension name → value
	values    map[string][]float64 // metric name → values
	units     map[string]string
	res       map[string]int
	root      map[string]any
}

// rootKeys returns the member names of the top-level object, in order, so that
// a duplicate (which encoding/json would silently merge) is seen.
func rootKeys(doc []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object: %v %v", tok, err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, fmt.Errorf("data after the object")
	}
	return keys, nil
}

func exactMembers(obj map[string]any, where string, required []string, optional ...string) error {
	for _, k := range required {
		if _, ok := obj[k]; !ok {
			return fmt.Errorf("%s: missing %s", where, k)
		}
	}
	for k := range obj {
		if !slices.Contains(required, k) && !slices.Contains(optional, k) {
			return fmt.Errorf("%s: unexpected member %q", where, k)
		}
	}
	return nil
}

// checkSpec validates one event against the rules of the EMF specification
// (its text and its JSON schema, in the version with 30-name dimension sets
// and StorageResolution): a JSON object with
// nothing around it; "_aws" holding Timestamp (non-negative integer
// milliseconds) and CloudWatchMetrics (MetricDirective objects with Namespace
// of 1–1024 characters, Dimensions and Metrics and no other member);
// Dimensions an array of at least one dimension set (a set may be empty); at
// most 30 names per dimension set, each of 1–250 characters and a root member
// whose value is a string of at most 1024 characters; at most 100
// MetricDefinitions per directive, each with a Name of 1–1024 characters, an
// optional Unit from the enumeration and an optional StorageResolution of 1 or
// 60; each metric a root member holding a number or an array of at most 100
// numbers.
func checkSpec(doc []byte) (*parsedEvent, error) {
	if bytes.ContainsAny(doc, "\n") {
		return nil, fmt.Errorf("event holds a newline")
	}
	keys, err := rootKeys(doc)
	if err != nil {
		return nil, err
	}
	for i, k := range keys {
		if slices.Contains(keys[:i], k) {
			return nil, fmt.Errorf("root member %q appears twice", k)
		}
	}
	var root map[string]any
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		return nil, err
	}
	aws, ok := root["_aws"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("_aws missing or not an object")
	}
	if err := exactMembers(aws, "_aws", []string{"Timestamp", "CloudWatchMetrics"}); err != nil {
		return nil, err
	}
	tsn, ok := aws["Timestamp"].(json.Number)
	if !ok {
		return nil, fmt.Errorf("Timestamp %v is not a number", aws["Timestamp"])
	}
	ts, err := tsn.Int64()
	if err != nil || ts < 0 {
		return nil, fmt.Errorf("Timestamp %v is not non-negative integer milliseconds", tsn)
	}
	dirs, ok := aws["CloudWatchMetrics"].([]any)
	if !ok || len(dirs) != 1 {
		return nil, fmt.Errorf("CloudWatchMetrics %v: want one directive", aws["CloudWatchMetrics"])
	}
	p := &parsedEvent{timestamp: ts, dims: map[string]string{}, values: map[string][]float64{},
		units: map[string]string{}, res: map[string]int{}, root: root}
	dir, ok := dirs[0].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("directive is not an object")
	}
	if err := exactMembers(dir, "directive", []string{"Namespace", "Dimensions", "Metrics"}); err != nil {
		return nil, err
	}
	if p.namespace, ok = dir["Namespace"].(string); !ok || p.namespace == "" || utf8.RuneCountInString(p.namespace) > 1024 {
		return nil, fmt.Errorf("Namespace %v", dir["Namespace"])
	}
	sets, ok := dir["Dimensions"].([]any)
	if !ok || len(sets) == 0 {
		return nil, fmt.Errorf("Dimensions %v: want an array of at least one dimension set", dir["Dimensions"])
	}
	for _, s := range sets {
		names, ok := s.([]any)
		if !ok {
			return nil, fmt.Errorf("dimension set %v is not an array", s)
		}
		if len(names) > 30 {
			return nil, fmt.Errorf("dimension set of %d names", len(names))
		}
		var set []string
		for _, n := range names {
			name, ok := n.(string)
			if !ok || name == "" || utf8.RuneCountInString(name) > 250 {
				return nil, fmt.Errorf("dimension name %v: want a string of 1–250 characters", n)
			}
			v, ok := root[name].(string)
			if !ok || utf8.RuneCountInString(v) > 1024 {
				return nil, fmt.Errorf("dimension %q: root member %v is not a string of at most 1024 characters", name, root[name])
			}
			if name == "_aws" {
				return nil, fmt.Errorf("dimension named _aws")
			}
			p.dims[name] = v
			set = append(set, name)
		}
		p.dimSets = append(p.dimSets, set)
	}
	defs, ok := dir["Metrics"].([]any)
	if !ok || len(defs) == 0 || len(defs) > 100 {
		return nil, fmt.Errorf("Metrics: %d definitions", len(defs))
	}
	for _, d := range defs {
		def, ok := d.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("metric definition %v", d)
		}
		if err := exactMembers(def, "metric definition", []string{"Name"}, "Unit", "StorageResolution"); err != nil {
			return nil, err
		}
		name, ok := def["Name"].(string)
		if !ok || name == "" || name == "_aws" || utf8.RuneCountInString(name) > 1024 {
			return nil, fmt.Errorf("metric Name %v", def["Name"])
		}
		if _, dup := p.values[name]; dup {
			return nil, fmt.Errorf("metric %q defined twice", name)
		}
		if _, isDim := p.dims[name]; isDim {
			return nil, fmt.Errorf("metric %q is also a dimension", name)
		}
		if u, ok := def["Unit"]; ok {
			us, _ := u.(string)
			if !specUnits[us] {
				return nil, fmt.Errorf("metric %q: Unit %v", name, u)
			}
			p.units[name] = us
		}
		p.res[name] = 60
		if r, ok := def["StorageResolution"]; ok {
			rn, _ := r.(json.Number)
			if rn != "1" && rn != "60" {
				return nil, fmt.Errorf("metric %q: StorageResolution %v", name, r)
			}
			if rn == "1" {
				p.res[name] = 1
			}
		}
		num := func(v any) (float64, error) {
			n, ok := v.(json.Number)
			if !ok {
				return 0, fmt.Errorf("metric %q: value %v is not a number", name, v)
			}
			f, err := n.Float64()
			if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				return 0, fmt.Errorf("metric %q: value %v", name, n)
			}
			return f, nil
		}
		switch v := root[name].(type) {
		case []any:
			if len(v) == 0 || len(v) > 100 {
				return nil, fmt.Errorf("metric %q: %d values", name, len(v))
			}
			for _, x := range v {
				f, err := num(x)
				if err != nil {
					return nil, err
				}
				p.values[name] = append(p.values[name], f)
			}
		default:
			f, err := num(v)
			if err != nil {
				return nil, err
			}
			p.values[name] = []float64{f}
		}
	}
	return p, nil
}
