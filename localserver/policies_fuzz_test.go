package localserver

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzDataProtectionPolicy: the document parser never panics; what it accepts is a JSON
// object within the size limit whose Deidentify identifiers are each a managed identifier
// ARN or a declared custom identifier, and a stored document parses again to the same
// identifiers.
func FuzzDataProtectionPolicy(f *testing.F) {
	f.Add(cliDPDoc)
	f.Add(dpDoc(`[{"Name":"Emp","Regex":"EmployeeID-\\d{9}"}]`, "EmailAddress", "custom:Emp"))
	f.Add(dpDoc("", "PhoneNumber"))
	f.Add(`{"name":"x","version":"2021-06-01","statement":[{},{}]}`)
	f.Add(`{"Name":"x","Version":"2021-06-01","Statement":[{"DataIdentifier":["a"],"Operation":{"Audit":{"FindingsDestination":null}}},null]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		p, derr := parseDataProtectionPolicy(doc, "aws")
		if derr != nil {
			if derr.msg == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if utf8.RuneCountInString(doc) > maxDataProtectionChars || !isJSONObject(doc) {
			t.Fatalf("accepted %q", doc)
		}
		if len(p.managed)+len(p.custom) == 0 {
			t.Fatalf("accepted a policy without identifiers: %q", doc)
		}
		for _, name := range p.managed {
			if !managedDataIdentifiers[name] {
				t.Fatalf("unknown managed identifier %q accepted", name)
			}
		}
		again, derr := parseDataProtectionPolicy(doc, "")
		if derr != nil || len(again.managed) != len(p.managed) || len(again.custom) != len(p.custom) {
			t.Fatalf("stored document parses differently: %v", derr)
		}
		// Masking with it never panics and keeps the message's length in characters.
		gm := &groupMasker{versions: []dpVersion{{from: 0, to: 1 << 62, finders: p.finders()}}}
		msg := "x a@b.io 10.0.0.1 " + doc
		out := gm.mask(msg, 1)
		if utf8.RuneCountInString(out) != utf8.RuneCountInString(msg) {
			t.Fatalf("masking changed the length: %q -> %q", msg, out)
		}
		if utf8.ValidString(msg) && !utf8.ValidString(out) {
			t.Fatalf("masking broke UTF-8: %q -> %q", msg, out)
		}
	})
}

// FuzzMask: EmailAddress's and IpAddress's finders never panic, return ranges inside the
// message that are themselves an address, and masking keeps the message's length in
// characters (invalid UTF-8 counting as one character a byte).
func FuzzMask(f *testing.F) {
	f.Add("mail jane.doe+x@mail.example.com from 10.0.0.1:8080 and fe80::1.")
	f.Add("\xff@a.b 1.2.3.4\xfe ::ffff:1.2.3.4 a@b.c@d.e")
	f.Add("12:30:45 std::string 01.2.3.4 " + strings.Repeat("a", 70) + "@b.c")
	f.Fuzz(func(t *testing.T, msg string) {
		for _, find := range []finder{findEmails, findIPs} {
			for _, r := range find(msg, nil) {
				if r[0] < 0 || r[1] > len(msg) || r[0] >= r[1] {
					t.Fatalf("range %v outside %q", r, msg)
				}
			}
		}
		for _, r := range findIPs(msg, nil) {
			if ipEnd(msg[r[0]:r[1]]) != r[1]-r[0] {
				t.Fatalf("%q is not an address", msg[r[0]:r[1]])
			}
		}
		for _, r := range findEmails(msg, nil) {
			if !strings.Contains(msg[r[0]:r[1]], "@") {
				t.Fatalf("%q is not an email address", msg[r[0]:r[1]])
			}
		}
		gm := &groupMasker{versions: []dpVersion{{from: 0, to: 1 << 62, finders: []finder{findEmails, findIPs}}}}
		out := gm.mask(msg, 1)
		if utf8.RuneCountInString(out) != utf8.RuneCountInString(msg) {
			t.Fatalf("masking changed the length: %q -> %q", msg, out)
		}
		if utf8.ValidString(msg) && !utf8.ValidString(out) {
			t.Fatalf("masking broke UTF-8: %q -> %q", msg, out)
		}
	})
}

// FuzzSelectionCriteria: the parser never panics; what it accepts is one of the
// documented forms, and the criterion written back in canonical form parses to the same.
func FuzzSelectionCriteria(f *testing.F) {
	f.Add(`LogGroupName NOT IN []`)
	f.Add(`LogGroupNamePrefix IN ["/aws/a", "b\"c"]`)
	f.Add(`DataSourceName = "amazon_vpc" AND DataSourceType = "flow"`)
	f.Add(`LogGroupName IN ["\u00e9\n"]`)
	f.Fuzz(func(t *testing.T, src string) {
		c, err := parseSelectionCriteria(src)
		if err != nil {
			if !strings.HasPrefix(err.msg, "Invalid selectionCriteria at character ") {
				t.Fatalf("error %q", err.msg)
			}
			return
		}
		var canon string
		quote := func(v string) string { return string(appendJSONString(nil, v)) }
		switch c.attr {
		case "DataSource":
			if len(c.values) != 2 || c.not {
				t.Fatalf("data source criterion %+v", c)
			}
			canon = "DataSourceName = " + quote(c.values[0]) + " AND DataSourceType = " + quote(c.values[1])
		case "LogGroupName", "LogGroupNamePrefix":
			if len(c.values) > maxSelectionValues {
				t.Fatalf("%d values", len(c.values))
			}
			var q []string
			for _, v := range c.values {
				q = append(q, quote(v))
			}
			op := " IN "
			if c.not {
				op = " NOT IN "
			}
			canon = c.attr + op + "[" + strings.Join(q, ", ") + "]"
		default:
			t.Fatalf("attribute %q", c.attr)
		}
		again, err := parseSelectionCriteria(canon)
		if err != nil || again.attr != c.attr || again.not != c.not || strings.Join(again.values, "\x00") != strings.Join(c.values, "\x00") {
			t.Fatalf("%q -> %q parses to %+v, %v", src, canon, again, err)
		}
	})
}

// FuzzIndexPolicy: the field index policy parser never panics, and what it accepts has 1
// to 20 distinct fields of 1 to 100 characters with a known type.
func FuzzIndexPolicy(f *testing.F) {
	f.Add(`{"Fields":["@ingestionTime","@requestId"]}`)
	f.Add(`{ "Fields": [ "TransactionId" ], "FieldsV2": {"RequestId": {"type": "FIELD_INDEX"}, "APIName": {"type": "FACET"}}}`)
	f.Add(`{"FIELDS":["a"],"fieldsv2":{"a":{"TYPE":"FACET"}}}`)
	f.Fuzz(func(t *testing.T, doc string) {
		fields, err := parseIndexPolicy(doc)
		if err != nil {
			return
		}
		if len(fields) == 0 || len(fields) > maxIndexFields {
			t.Fatalf("%d fields accepted", len(fields))
		}
		seen := map[string]bool{}
		for _, fl := range fields {
			if n := utf8.RuneCountInString(fl.name); n == 0 || n > maxIndexFieldName || seen[fl.name] ||
				(fl.typ != indexTypeField && fl.typ != indexTypeFacet) {
				t.Fatalf("field %+v accepted", fl)
			}
			seen[fl.name] = true
		}
	})
}
