package localserver

import (
	"encoding/json"
	"slices"
	"unicode/utf8"
)

// A field index policy document (PutIndexPolicy's policyDocument, PutAccountPolicy's for
// FIELD_INDEX_POLICY): a JSON object with "Fields", an array of field names, and/or
// "FieldsV2", an object of field names to {"type": "FIELD_INDEX" | "FACET"} ("You can use
// FieldsV2 to specify the type for each field. Supported types are FIELD_INDEX and FACET.
// Field names within Fields and FieldsV2 must be mutually exclusive. The policy document
// must include at least one field index", the model's PutIndexPolicyRequest). "As many as
// 20 fields can be included in the policy. Each field name can include as many as 100
// characters" (PutIndexPolicy's documentation). Every refusal is
// InvalidParameterException with our wording; member names are matched without regard to
// case, as for data protection policies.

// Field index policy limits.
const (
	maxIndexFields    = 20
	maxIndexFieldName = 100
)

// Index types (the model's IndexType).
const (
	indexTypeField = "FIELD_INDEX"
	indexTypeFacet = "FACET"
)

// indexField is a field a policy indexes.
type indexField struct {
	name, typ string
}

// parseIndexPolicy checks doc and returns its fields, Fields' first (as listed), then
// FieldsV2's (sorted by name).
func parseIndexPolicy(doc string) ([]indexField, *policyDocError) {
	if !isJSONObject(doc) {
		return nil, policyErrorf("The field index policy document is not a valid JSON object.")
	}
	var in struct {
		Fields   *[]string `json:"Fields"`
		FieldsV2 *map[string]struct {
			Type *string `json:"type"`
		} `json:"FieldsV2"`
	}
	if err := json.Unmarshal([]byte(doc), &in); err != nil {
		return nil, policyErrorf("The field index policy document is malformed: %s", jsonProblem(err))
	}
	var out []indexField
	add := func(name, typ string) *policyDocError {
		switch n := utf8.RuneCountInString(name); {
		case n == 0 || n > maxIndexFieldName:
			return policyErrorf("Field index name %q must have 1 to %d characters.", name, maxIndexFieldName)
		case slices.ContainsFunc(out, func(f indexField) bool { return f.name == name }):
			return policyErrorf("Field %q is listed more than once; names in Fields and FieldsV2 must be mutually exclusive.", name)
		}
		out = append(out, indexField{name: name, typ: typ})
		return nil
	}
	if in.Fields != nil {
		for _, f := range *in.Fields {
			if err := add(f, indexTypeField); err != nil {
				return nil, err
			}
		}
	}
	if in.FieldsV2 != nil {
		names := make([]string, 0, len(*in.FieldsV2))
		for name := range *in.FieldsV2 {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			t := (*in.FieldsV2)[name].Type
			if t == nil || (*t != indexTypeField && *t != indexTypeFacet) {
				return nil, policyErrorf("The type of field %q in FieldsV2 must be %s or %s.", name, indexTypeField, indexTypeFacet)
			}
			if err := add(name, *t); err != nil {
				return nil, err
			}
		}
	}
	switch {
	case len(out) == 0:
		return nil, policyErrorf("The field index policy document must include at least one field index.")
	case len(out) > maxIndexFields:
		return nil, policyErrorf("A field index policy can include as many as %d fields; it has %d.", maxIndexFields, len(out))
	}
	return out, nil
}
