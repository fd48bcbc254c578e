package transform

import (
	"encoding/json"
	"fmt"
	"strings"
)

// metadataValue returns the value of key when it is one of the metadata keys copyValue reads
// (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CopyValue.html).
func metadataValue(m *Meta, key string) (string, bool) {
	switch key {
	case "@logGroupName":
		return m.LogGroupName, true
	case "@logGroupStream":
		return m.LogStreamName, true
	case "@accountId":
		return m.AccountID, true
	case "@regionName":
		return m.Region, true
	}
	return "", false
}

// addKeys, copyValue, moveKeys and renameKeys: 1–5 entries each, every entry's
// overwriteIfExists defaulting to false (the model; the user guide's sections of each, https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Transformation-Processors.html). A
// missing source does nothing; an existing target is kept unless overwriteIfExists.
//   - addKeys puts a string value at key (AddKeyValue, 1–256 characters).
//   - copyValue copies source, or a metadata key, to target.
//   - moveKeys moves source to target.
//   - renameKeys renames key, in the object that holds it and at its place, to renameTo:
//     "The string to use for the new key name"
//     (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_RenameKeyEntry.html).
func buildKeyEntries(c *checker, name string, raw json.RawMessage) (func(*event) error, error) {
	var in entriesIn
	if err := decodeStrict(c.field, raw, &in); err != nil {
		return nil, err
	}
	if !c.list(lenOf(in.Entries), in.Entries != nil, "entries", maxFiveEntries) {
		return nil, nil
	}
	entries := make([]keyEntry, len(*in.Entries))
	for i, r := range *in.Entries {
		f := fmt.Sprintf("%s.entries[%d]", c.field, i)
		var allowed any
		switch name {
		case "addKeys":
			allowed = &struct {
				Key               *string `json:"key"`
				Value             *string `json:"value"`
				OverwriteIfExists bool    `json:"overwriteIfExists"`
			}{}
		case "renameKeys":
			allowed = &struct {
				Key               *string `json:"key"`
				RenameTo          *string `json:"renameTo"`
				OverwriteIfExists bool    `json:"overwriteIfExists"`
			}{}
		default:
			allowed = &struct {
				Source            *string `json:"source"`
				Target            *string `json:"target"`
				OverwriteIfExists bool    `json:"overwriteIfExists"`
			}{}
		}
		if err := decodeStrict(f, r, allowed); err != nil {
			return nil, err
		}
		_ = json.Unmarshal(r, &entries[i])
		ec := &checker{field: f}
		en := &entries[i]
		switch name {
		case "addKeys":
			ec.reqStr(en.Key, "key", maxKeyLen)
			ec.depth(en.Key, "key")
			ec.reqStr(en.Value, "value", maxAddKeyValueLen)
		case "renameKeys":
			ec.reqStr(en.Key, "key", maxKeyLen)
			ec.reqStr(en.RenameTo, "renameTo", maxKeyLen)
			if en.RenameTo != nil && strings.Contains(*en.RenameTo, ".") {
				ec.fail("renameTo", *en.RenameTo, "is a key name, not a path: it must not contain '.'")
			}
		default:
			ec.reqStr(en.Source, "source", maxKeyLen)
			if name == "moveKeys" {
				ec.depth(en.Source, "source")
			}
			ec.reqStr(en.Target, "target", maxKeyLen)
		}
		if ec.err != nil {
			return nil, ec.err
		}
	}
	// Paths split once: a (key or source, target or renameTo) pair an entry.
	type pair struct{ a, b path }
	paths := make([]pair, len(entries))
	for i, en := range entries {
		switch name {
		case "addKeys":
			paths[i] = pair{splitPath(*en.Key), nil}
		case "renameKeys":
			paths[i] = pair{splitPath(*en.Key), nil}
		default:
			paths[i] = pair{splitPath(*en.Source), splitPath(*en.Target)}
		}
	}
	switch name {
	case "addKeys":
		return func(e *event) error {
			for i, en := range entries {
				store(e.root, paths[i].a, *en.Value, en.OverwriteIfExists)
			}
			return nil
		}, nil
	case "copyValue":
		return func(e *event) error {
			for i, en := range entries {
				var v any
				if mv, ok := metadataValue(e.meta, *en.Source); ok {
					v = mv
				} else if sv, ok := e.source(paths[i].a); ok {
					v = clone(sv)
				} else {
					continue
				}
				store(e.root, paths[i].b, v, en.OverwriteIfExists)
			}
			return nil
		}, nil
	case "moveKeys":
		return func(e *event) error {
			for i, en := range entries {
				src, dst := paths[i].a, paths[i].b
				if _, ok := lookup(e.root, src); !ok {
					continue
				}
				if _, exists := lookup(e.root, dst); exists && !en.OverwriteIfExists {
					continue
				}
				v, _ := remove(e.root, src)
				store(e.root, dst, v, true)
			}
			return nil
		}, nil
	}
	return func(e *event) error { // renameKeys
		for i, en := range entries {
			p := paths[i].a
			parent, ok := parentOf(e.root, p, false)
			if !ok {
				continue
			}
			renameKey(parent, p[len(p)-1], *en.RenameTo, en.OverwriteIfExists)
		}
		return nil
	}, nil
}

// renameKey renames from to to in o, keeping its place.
func renameKey(o *object, from, to string, overwrite bool) {
	if o.index(from) < 0 || from == to {
		return
	}
	if _, exists := o.get(to); exists {
		if !overwrite {
			return
		}
		o.del(to)
	}
	o.rename(o.index(from), to)
}

func lenOf[T any](p *[]T) int {
	if p == nil {
		return 0
	}
	return len(*p)
}

// listToMap: source is a list of objects; each object's key member names its entry, whose
// value is the object's valueKey member when valueKey is given and the whole object
// otherwise; entries go under target, or at the root. Without flatten every entry is a
// list of the values of that name; with flatten one value, the first or the last as
// flattenedElement says (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Transformation-Processors.html#CloudWatch-Logs-Transformation-listToMap;
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_ListToMap.html).
// flattenedElement is required when flatten is true (the API reference: "You must specify
// this parameter if flatten is true"). Members that are not objects, objects without key,
// and key values that are not strings or numbers are skipped (our choice).
func buildListToMap(c *checker, raw json.RawMessage) (func(*event) error, error) {
	var in listToMapIn
	if err := decodeStrict(c.field, raw, &in); err != nil {
		return nil, err
	}
	c.reqStr(in.Source, "source", maxKeyLen)
	c.reqStr(in.Key, "key", maxKeyLen)
	c.str(in.ValueKey, "valueKey", 1, maxKeyLen)
	c.str(in.Target, "target", 1, maxKeyLen)
	c.enum(in.FlattenedElement, "flattenedElement", "first", "last")
	if in.Flatten && in.FlattenedElement == nil {
		c.fail("flattenedElement", "", "is required when flatten is true")
	}
	if c.err != nil {
		return nil, nil
	}
	src := splitPath(*in.Source)
	last := in.FlattenedElement != nil && *in.FlattenedElement == "last"
	return func(e *event) error {
		v, ok := e.source(src)
		if !ok {
			return nil
		}
		list, ok := v.([]any)
		if !ok {
			return fmt.Errorf("source field %s is not a list", *in.Source)
		}
		m := newObject()
		for _, el := range list {
			o, ok := el.(*object)
			if !ok {
				continue
			}
			var name string
			kv, _ := o.get(*in.Key)
			switch kv := kv.(type) {
			case string:
				name = kv
			case json.Number:
				name = string(kv)
			default:
				continue
			}
			var val any = o
			if in.ValueKey != nil {
				if val, ok = o.get(*in.ValueKey); !ok {
					continue
				}
			}
			val = clone(val)
			prev, seen := m.get(name)
			switch {
			case !in.Flatten && seen:
				m.set(name, append(prev.([]any), val))
			case !in.Flatten:
				m.set(name, []any{val})
			case !seen || last:
				m.set(name, val)
			}
		}
		putParsed(e, in.Target, m, false)
		return nil
	}, nil
}
