package localserver

import "github.com/cwlogs/cwlogs/localserver/insights"

func parseQueryForTest(src string) (*insights.Query, error) { return insights.Parse(src) }
