package localserver

import (
	"encoding/json"
	"slices"
	"strings"
)

// ListAggregateLogGroupSummaries counts the log groups of each data source (botocore's
// ListAggregateLogGroupSummariesRequest and AggregateLogGroupSummary; the API reference
// page of the operation): groupBy (required) DATA_SOURCE_NAME_AND_TYPE or
// DATA_SOURCE_NAME_TYPE_AND_FORMAT; the groups counted are those ListLogGroups would list
// with the same logGroupClass, logGroupNamePattern and dataSources filters (the selection
// is shared: groupSelection, ops_listgroups.go); includeLinkedAccounts and
// accountIdentifiers are validated and otherwise ignored (no linked accounts). limit is
// 1-50 summaries, 50 by default; nextToken pages.
//
// A group's data source: "For custom application logs, you can define your own data
// source categorization ... Log group tags – Add tags to your log groups using the keys
// cw:datasource:name and cw:datasource:type to specify the data source name and type for
// all logs ingested in the log group" (the user guide's "Custom sources"), and "Custom
// data source names cannot start with "aws" or "amazon"": a group tagged
// cw:datasource:name with such a name (any case, ours) has no data source. The data
// sources the service gives AWS services' logs (amazon_vpc/flow ...) and those set by
// pipelines do not arise here: no AWS service writes to this server.
//
// Where the documentation is silent (ours):
//   - groups without a data source are not counted (the summary is "grouped by data
//     source characteristics");
//   - a data source without a type (only cw:datasource:name, or an empty
//     cw:datasource:type, as an empty cw:datasource:name is no data source) is its own
//     summary, without a dataSource.Type identifier;
//   - the format of a data source is not modelled: no group has one, so
//     DATA_SOURCE_NAME_TYPE_AND_FORMAT gives the summaries DATA_SOURCE_NAME_AND_TYPE gives,
//     without a dataSource.Format identifier;
//   - summaries are ordered by data source name, then type (none first).

// Tag keys naming a group's data source (the user guide's "Custom sources").
const (
	tagDataSourceName = "cw:datasource:name"
	tagDataSourceType = "cw:datasource:type"
)

// aggregateSummariesDefaultLimit: "By default, it returns up to 50 results".
const aggregateSummariesDefaultLimit = 50

var aggregateGroupBys = []string{"DATA_SOURCE_NAME_TYPE_AND_FORMAT", "DATA_SOURCE_NAME_AND_TYPE"}

// dataSource is a log group's data source; typ is "" for one without a type.
type dataSource struct {
	name, typ string
}

// groupDataSource is the data source a group's tags name, or nil.
func groupDataSource(tags map[string]string) *dataSource {
	name, ok := tags[tagDataSourceName]
	if !ok || name == "" {
		return nil
	}
	if l := strings.ToLower(name); strings.HasPrefix(l, "aws") || strings.HasPrefix(l, "amazon") {
		return nil // "Custom data source names cannot start with "aws" or "amazon""
	}
	return &dataSource{name: name, typ: tags[tagDataSourceType]}
}

// key orders data sources (name, then type, none first) and is a page token's position.
func (d *dataSource) key() string {
	if d.typ == "" {
		return d.name + "\x00"
	}
	return d.name + "\x00\x01" + d.typ
}

type listAggregateIn struct {
	AccountIdentifiers    *[]string          `json:"accountIdentifiers"`
	IncludeLinkedAccounts *bool              `json:"includeLinkedAccounts"`
	LogGroupClass         *string            `json:"logGroupClass"`
	LogGroupNamePattern   *string            `json:"logGroupNamePattern"`
	DataSources           *[]json.RawMessage `json:"dataSources"`
	GroupBy               *string            `json:"groupBy"`
	NextToken             *string            `json:"nextToken"`
	Limit                 *int64             `json:"limit"`
}

func (s *Server) listAggregateLogGroupSummaries(rc *reqCtx) ([]byte, *apiError) {
	var in listAggregateIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	sources, e := decodeDataSources(in.DataSources)
	if e != nil {
		return nil, e
	}
	var v verrs
	v.strList(in.AccountIdentifiers, "accountIdentifiers", 0, 20, shAccountID)
	v.enum(in.LogGroupClass, "logGroupClass", logGroupClasses)
	v.str(in.LogGroupNamePattern, "logGroupNamePattern", shLogGroupNameRegex)
	v.dataSources(in.DataSources != nil, sources)
	if v.required(in.GroupBy != nil, "groupBy") {
		v.enum(in.GroupBy, "groupBy", aggregateGroupBys)
	}
	v.str(in.NextToken, "nextToken", shNextToken)
	v.intRange(in.Limit, "limit", 1, 50)
	if e := v.err(); e != nil {
		return nil, e
	}
	limit := limitOr(in.Limit, aggregateSummariesDefaultLimit)
	// The token is good only for the listing it was answered for (any limit).
	scopeParts := []string{"ListAggregateLogGroupSummaries", optPart(in.LogGroupClass), optPart(in.LogGroupNamePattern), *in.GroupBy}
	scopeParts = linkedScope(scopeParts, in.IncludeLinkedAccounts, in.AccountIdentifiers)
	scope := listScope(sourceScope(scopeParts, sources)...)
	after, hasAfter := "", false
	if in.NextToken != nil {
		last, ok := decodeScopedToken("A", *in.NextToken, scope)
		if !ok {
			return nil, badToken()
		}
		after, hasAfter = last, true
	}

	sel := &groupSelection{class: in.LogGroupClass, sources: sources, withSource: true}
	if in.LogGroupNamePattern != nil {
		sel.pattern = namePatternRE(*in.LogGroupNamePattern)
	}
	type summary struct {
		ds    dataSource
		count int64
	}
	counts := map[string]*summary{}
	err := s.selectGroups(rc.ctx, sel, nil, func(g *selectedGroup) bool {
		k := g.source.key()
		if hasAfter && k <= after {
			return true
		}
		if sm, ok := counts[k]; ok {
			sm.count++
		} else {
			counts[k] = &summary{ds: *g.source, count: 1}
		}
		return true
	})
	if err != nil {
		return nil, s.dbErr(err)
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	more := int64(len(keys)) > limit
	if more {
		keys = keys[:limit]
	}
	o := newObj(nil)
	o.key("aggregateLogGroupSummaries")
	o.b = append(o.b, '[')
	for i, k := range keys {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		sm := counts[k]
		w := newObj(o.b)
		w.int("logGroupCount", sm.count)
		w.key("groupingIdentifiers")
		w.b = append(w.b, '[')
		w.b = appendGroupingIdentifier(w.b, "dataSource.Name", sm.ds.name)
		if sm.ds.typ != "" {
			w.b = append(w.b, ',')
			w.b = appendGroupingIdentifier(w.b, "dataSource.Type", sm.ds.typ)
		}
		w.b = append(w.b, ']')
		o.b = w.done()
	}
	o.b = append(o.b, ']')
	if more {
		o.str("nextToken", encodeScopedToken("A", scope, keys[len(keys)-1]))
	}
	return o.done(), nil
}

// appendGroupingIdentifier appends a GroupingIdentifier.
func appendGroupingIdentifier(b []byte, key, value string) []byte {
	o := newObj(b)
	o.str("key", key)
	o.str("value", value)
	return o.done()
}
