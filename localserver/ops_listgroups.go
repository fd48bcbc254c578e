package localserver

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// ListLogGroups (added 2025) lists log group summaries: logGroupName, logGroupArn and
// logGroupClass, exactly the members of the model's LogGroupSummary, ASCII-sorted by name as
// DescribeLogGroups lists groups. Every filter of the model's ListLogGroupsRequest is
// validated; combined filters must all hold ("If you specify more than one filter type, the
// results include log groups that satisfy all filters").
//
// A group's data source is the one its tags name (groupDataSource, ops_aggregatesummaries.go);
// the dataSources filter keeps the groups whose data source has one of the filters' names
// and, when any filter has a type, one of their types ("Multiple filters within the same
// dimension are combined with OR logic, while filters across different dimensions are
// combined with AND logic"), both compared exactly (ours: the model calls them patterns
// without a syntax). The server has no linked accounts: includeLinkedAccounts and
// accountIdentifiers are validated and otherwise ignored, as DescribeLogGroups ignores them.
// fieldIndexNames ("Only log groups containing all specified field indexes are returned")
// matches the groups whose field indexes (configuredIndexFields, ops_indexpolicies.go)
// include every name.

type listLogGroupsIn struct {
	LogGroupNamePattern   *string            `json:"logGroupNamePattern"`
	LogGroupClass         *string            `json:"logGroupClass"`
	IncludeLinkedAccounts *bool              `json:"includeLinkedAccounts"`
	AccountIdentifiers    *[]string          `json:"accountIdentifiers"`
	NextToken             *string            `json:"nextToken"`
	Limit                 *int64             `json:"limit"`
	DataSources           *[]json.RawMessage `json:"dataSources"`
	FieldIndexNames       *[]string          `json:"fieldIndexNames"`
	LogGroupTags          *[]json.RawMessage `json:"logGroupTags"`
}

type dataSourceFilterIn struct {
	Name *string `json:"name"`
	Type *string `json:"type"`
}

type tagFilterIn struct {
	Key    *string   `json:"key"`
	Values *[]string `json:"values"`
}

// listLogGroupsDefaultLimit: "If you omit this parameter, the default is up to 50 log groups"
// (the model's ListLogGroupsRequest.limit, ListLimit 1–1000).
const listLogGroupsDefaultLimit = 50

func nullOr(p *string) string {
	if p == nil {
		return "null"
	}
	return *p
}

func (f *dataSourceFilterIn) javaString() string {
	return fmt.Sprintf("DataSourceFilter(name=%s, type=%s)", nullOr(f.Name), nullOr(f.Type))
}

func (f *tagFilterIn) javaString() string {
	vals := "null"
	if f.Values != nil {
		vals = "[" + strings.Join(*f.Values, ", ") + "]"
	}
	return fmt.Sprintf("TagFilter(key=%s, values=%s)", nullOr(f.Key), vals)
}

// structListLen checks the length of a present list of structures, rendered as the
// service renders them (Java toString of each element).
func (v *verrs) structListLen(n int, render func(i int) string, path string, min, max int) {
	if n >= min && n <= max {
		return
	}
	parts := make([]string, n)
	for i := range parts {
		parts[i] = render(i)
	}
	s := "[" + strings.Join(parts, ", ") + "]"
	if n < min {
		v.add(&s, path, fmt.Sprintf("Member must have length greater than or equal to %d", min))
	} else {
		v.add(&s, path, fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
}

// namePatternRE compiles a validated LogGroupNameRegexPattern: up to five alternatives
// separated by '|', each matching a substring of the name, or its prefix with a leading
// '^', case-sensitively ("Use ^ to match log group names by prefix. For a substring match,
// specify the string to match. All matches are case sensitive"). The parameter "is a
// regular expression ... and supports wildcard matching": of the characters the pattern
// allows, only '.' is a regular-expression operator, and it matches any one character.
func namePatternRE(p string) *regexp.Regexp {
	// The pattern passed shLogGroupNameRegex, which admits no other operator than those
	// three ('^' only at the start of an alternative): it is its own regular expression.
	return regexp.MustCompile(p)
}

// tagValueMatches applies one TagFilterValue to a tag's value: "Use * for wildcard
// matching. For example, prod* matches values that start with prod. Use ! as a prefix for
// negation ... Exact matching and negation are case-sensitive. Wildcard matching is
// case-insensitive" (the model's TagFilter.values).
func tagValueMatches(filter, value string) bool {
	neg := false
	if rest, ok := strings.CutPrefix(filter, "!"); ok {
		neg, filter = true, rest
	}
	core, pre := strings.CutPrefix(filter, "*")
	core, suf := strings.CutSuffix(core, "*")
	var match bool
	switch {
	case !pre && !suf:
		match = value == core
	default:
		lv, lc := strings.ToLower(value), strings.ToLower(core)
		switch {
		case pre && suf:
			match = strings.Contains(lv, lc)
		case pre:
			match = strings.HasSuffix(lv, lc)
		default:
			match = strings.HasPrefix(lv, lc)
		}
	}
	return match != neg
}

// tagsMatch applies the logGroupTags filters (all must hold) to a group's tags. A filter
// needs its key; with values, any of them ("If you don't specify values, the response
// returns all log groups that are tagged with that key, with any or no value").
func tagsMatch(filters []tagFilterIn, tags map[string]string) bool {
	for _, f := range filters {
		val, ok := tags[*f.Key]
		if !ok {
			return false
		}
		if f.Values == nil || len(*f.Values) == 0 {
			continue
		}
		if !slices.ContainsFunc(*f.Values, func(fv string) bool { return tagValueMatches(fv, val) }) {
			return false
		}
	}
	return true
}

// groupSelection is the log group selection ListLogGroups and ListAggregateLogGroupSummaries
// share: every filter present must hold.
type groupSelection struct {
	pattern    *regexp.Regexp       // logGroupNamePattern
	class      *string              // logGroupClass
	sources    []dataSourceFilterIn // dataSources (nil: any group)
	tags       []tagFilterIn        // logGroupTags (nil: any group)
	indexNames *[]string            // fieldIndexNames
	withSource bool                 // only the groups with a data source (selectedGroup.source)
}

// selectedGroup is a log group a groupSelection keeps.
type selectedGroup struct {
	id          int64
	name, class string
	source      *dataSource // nil: none, or not read (tags not needed by the selection)
}

// decodeDataSources decodes a present dataSources list (DataSourceFilters).
func decodeDataSources(raw *[]json.RawMessage) ([]dataSourceFilterIn, *apiError) {
	if raw == nil {
		return nil, nil
	}
	sources := make([]dataSourceFilterIn, len(*raw))
	for i, r := range *raw {
		if e := decodeJSON(r, &sources[i]); e != nil {
			return nil, e
		}
	}
	return sources, nil
}

// dataSources validates a present dataSources list: 1 to 5 filters, each with its name.
func (v *verrs) dataSources(present bool, sources []dataSourceFilterIn) {
	if !present {
		return
	}
	v.structListLen(len(sources), func(i int) string { return sources[i].javaString() }, "dataSources", 1, 5)
	for i := range sources {
		v.required(sources[i].Name != nil, fmt.Sprintf("dataSources.%d.member.name", i+1))
	}
}

// linkedScope is the part of a listing token's scope includeLinkedAccounts and
// accountIdentifiers make.
func linkedScope(parts []string, linked *bool, accounts *[]string) []string {
	if linked != nil {
		parts = append(parts, fmt.Sprint("linked=", *linked))
	} else {
		parts = append(parts, "linked-")
	}
	return listPart(parts, "accounts", accounts)
}

// listPart is the part of a listing token's scope an optional list parameter makes.
func listPart(parts []string, name string, list *[]string) []string {
	parts = append(parts, name)
	if list != nil {
		parts = append(parts, fmt.Sprint(len(*list)))
		parts = append(parts, *list...)
	}
	return parts
}

// sourceScope is the part of a listing token's scope the dataSources filters make.
func sourceScope(parts []string, sources []dataSourceFilterIn) []string {
	for _, f := range sources {
		parts = append(parts, "source", optPart(f.Name), optPart(f.Type))
	}
	return parts
}

// sourceMatches applies the dataSources filters to a group's data source: its name must
// be one of the filters' names and, when a filter has a type, its type one of theirs.
func sourceMatches(filters []dataSourceFilterIn, ds *dataSource) bool {
	if ds == nil {
		return false
	}
	nameOK, typeOK, anyType := false, false, false
	for _, f := range filters {
		if f.Name != nil && *f.Name == ds.name {
			nameOK = true
		}
		if f.Type != nil {
			anyType = true
			if ds.typ != "" && *f.Type == ds.typ {
				typeOK = true
			}
		}
	}
	return nameOK && (typeOK || !anyType)
}

// selectGroups calls visit with each group sel keeps whose name is after after (all
// groups when nil), in name order, until visit returns false.
func (s *Server) selectGroups(ctx context.Context, sel *groupSelection, after *string, visit func(*selectedGroup) bool) error {
	readTags := sel.tags != nil || sel.sources != nil || sel.withSource
	q := `SELECT name, class, id`
	if readTags {
		q += `, (SELECT json_group_object(key, value) FROM group_tags WHERE group_id = log_groups.id)`
	}
	q += ` FROM log_groups WHERE 1`
	var args []any
	if after != nil {
		q += ` AND name > ?`
		args = append(args, *after)
	}
	if sel.class != nil {
		q += ` AND class = ?`
		args = append(args, *sel.class)
	}
	// Only the groups tagged with a data source name may have a data source: the others
	// are left out here, before their tags are read (sourceMatches then decides).
	if sel.sources != nil || sel.withSource {
		q += ` AND id IN (SELECT group_id FROM group_tags WHERE key = ?`
		args = append(args, tagDataSourceName)
		if sel.sources != nil {
			q += ` AND value IN (` + strings.TrimSuffix(strings.Repeat("?,", len(sel.sources)), ",") + `)`
			for _, f := range sel.sources {
				args = append(args, *f.Name)
			}
		}
		q += `)`
	}
	q += ` ORDER BY name`
	var indexes *indexPolicies
	if sel.indexNames != nil {
		// Read before the listing: a memory store has one connection.
		var err error
		if indexes, err = loadIndexPolicies(ctx, s.st.r); err != nil {
			return err
		}
	}
	rows, err := s.st.r.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var g selectedGroup
		var tagsJSON []byte
		dest := []any{&g.name, &g.class, &g.id}
		if readTags {
			dest = append(dest, &tagsJSON)
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if sel.pattern != nil && !sel.pattern.MatchString(g.name) {
			continue
		}
		if readTags {
			tags := map[string]string{}
			if len(tagsJSON) > 0 {
				if err := json.Unmarshal(tagsJSON, &tags); err != nil {
					return err
				}
			}
			if sel.tags != nil && !tagsMatch(sel.tags, tags) {
				continue
			}
			g.source = groupDataSource(tags)
			if sel.withSource && g.source == nil || sel.sources != nil && !sourceMatches(sel.sources, g.source) {
				continue
			}
		}
		if sel.indexNames != nil && !containsAll(indexes.fields(g.id, g.name, g.class), *sel.indexNames) {
			continue
		}
		if !visit(&g) {
			break
		}
	}
	return rows.Err()
}

func (s *Server) listLogGroups(rc *reqCtx) ([]byte, *apiError) {
	var in listLogGroupsIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	sources, e := decodeDataSources(in.DataSources)
	if e != nil {
		return nil, e
	}
	var tagFilters []tagFilterIn
	if in.LogGroupTags != nil {
		tagFilters = make([]tagFilterIn, len(*in.LogGroupTags))
		for i, raw := range *in.LogGroupTags {
			if e := decodeJSON(raw, &tagFilters[i]); e != nil {
				return nil, e
			}
		}
	}
	var v verrs
	v.str(in.LogGroupNamePattern, "logGroupNamePattern", shLogGroupNameRegex)
	v.enum(in.LogGroupClass, "logGroupClass", logGroupClasses)
	v.strList(in.AccountIdentifiers, "accountIdentifiers", 0, 20, shAccountID)
	v.str(in.NextToken, "nextToken", shNextToken)
	v.intRange(in.Limit, "limit", 1, 1000)
	v.dataSources(in.DataSources != nil, sources)
	v.strList(in.FieldIndexNames, "fieldIndexNames", 1, 20, shFieldIndexName)
	if in.LogGroupTags != nil {
		v.structListLen(len(tagFilters), func(i int) string { return tagFilters[i].javaString() }, "logGroupTags", 1, 5)
		for i := range tagFilters {
			p := fmt.Sprintf("logGroupTags.%d.member.", i+1)
			v.required(tagFilters[i].Key != nil, p+"key")
			v.str(tagFilters[i].Key, p+"key", shTagFilterKey)
			v.strList(tagFilters[i].Values, p+"values", 0, 5, shTagFilterValue)
		}
	}
	if e := v.err(); e != nil {
		return nil, e
	}
	limit := limitOr(in.Limit, listLogGroupsDefaultLimit)

	// The token is good only for the listing it was answered for (any limit).
	scopeParts := []string{"ListLogGroups", optPart(in.LogGroupNamePattern), optPart(in.LogGroupClass)}
	scopeParts = linkedScope(scopeParts, in.IncludeLinkedAccounts, in.AccountIdentifiers)
	scopeParts = listPart(scopeParts, "indexes", in.FieldIndexNames)
	scopeParts = sourceScope(scopeParts, sources)
	for _, f := range tagFilters {
		scopeParts = listPart(append(scopeParts, "tag"), *f.Key, f.Values)
	}
	scope := listScope(scopeParts...)
	var after *string
	if in.NextToken != nil {
		last, ok := decodeScopedToken("L", *in.NextToken, scope)
		if !ok {
			return nil, badToken()
		}
		after = &last
	}
	sel := &groupSelection{class: in.LogGroupClass, sources: sources, tags: tagFilters, indexNames: in.FieldIndexNames}
	if in.LogGroupNamePattern != nil {
		sel.pattern = namePatternRE(*in.LogGroupNamePattern)
	}
	o := newObj(nil)
	o.key("logGroups")
	o.b = append(o.b, '[')
	n := int64(0)
	more := false
	var last string
	err := s.selectGroups(rc.ctx, sel, after, func(g *selectedGroup) bool {
		if n == limit {
			more = true
			return false
		}
		if n > 0 {
			o.b = append(o.b, ',')
		}
		n++
		w := newObj(o.b)
		w.str("logGroupName", g.name)
		w.str("logGroupArn", s.groupArn(rc.region, g.name))
		w.str("logGroupClass", g.class)
		o.b = w.done()
		last = g.name
		return true
	})
	if err != nil {
		return nil, s.dbErr(err)
	}
	o.b = append(o.b, ']')
	if more {
		o.str("nextToken", encodeScopedToken("L", scope, last))
	}
	return o.done(), nil
}
