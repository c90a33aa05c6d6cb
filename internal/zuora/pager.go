package zuora

import (
	"context"
	"encoding/json"
	"fmt"
)

// pager walks the pages of one ZOQL query for QueryIterator and Rows: the
// first page from query, the rest from queryMore, each asked for as soon as
// the page before it arrives (decoding overlaps Zuora's latency; one call per
// cursor in flight, as without).
//
// A queryMore whose answer was lost may have used up its locator (Zuora does
// not say whether a locator can be read twice), and the retry is then refused
// INVALID_QUERY_LOCATOR. The pager then runs the query again from its first
// page, and the iterator skips the records it already handed out, by Id
// (handedIDs): ZOQL has no ORDER BY, so a position would not do.
type pager struct {
	c        *Client
	zoql     string
	batch    int
	locator  string
	started  bool
	done     bool
	restarts int
	ahead    chan pageResult // the next page, asked for when this one came
}

// maxQueryRestarts bounds the re-runs of one query after lost locators.
const maxQueryRestarts = 3

type pageResult struct {
	page *rawQueryResponse
	err  error
}

// next returns the next page's records; more is false after the last page.
// handed says whether the records handed out so far can be recognised on a
// second run (every one had an Id).
func (p *pager) next(ctx context.Context, handed *handedIDs) (recs []json.RawMessage, more bool, err error) {
	for {
		if p.started && p.done {
			return nil, false, nil
		}
		var page *rawQueryResponse
		if !p.started {
			page, err = p.c.queryRaw(ctx, "POST /v1/action/query", "/v1/action/query",
				map[string]any{"queryString": tenantZOQL(ctx, p.zoql), "conf": queryConf{clampBatch(p.batch)}})
		} else {
			select {
			case res := <-p.ahead:
				page, err = res.page, res.err
			case <-ctx.Done():
				return nil, false, ctx.Err()
			}
			p.ahead = nil
			if isLostLocator(err) {
				if !handed.complete() {
					return nil, false, fmt.Errorf("%w; the query cannot be resumed: its records have no Id to skip the ones already read", err)
				}
				if p.restarts < maxQueryRestarts {
					p.restarts++
					p.started = false
					continue
				}
			}
		}
		if err != nil {
			return nil, false, err
		}
		p.started, p.done, p.locator = true, page.Done, page.QueryLocator
		if !p.done {
			p.ahead = p.fetchAhead(ctx, p.locator)
		}
		return page.Records, true, nil
	}
}

// fetchAhead asks for the page after locator while the caller decodes and
// uses this one. Abandoned, it finishes its one call and its answer is
// dropped (the channel has room for it).
func (p *pager) fetchAhead(ctx context.Context, locator string) chan pageResult {
	ch := make(chan pageResult, 1)
	go func() {
		page, err := p.c.queryRaw(ctx, "POST /v1/action/queryMore", "/v1/action/queryMore",
			map[string]any{"queryLocator": locator, "conf": queryConf{clampBatch(p.batch)}})
		ch <- pageResult{page, err}
	}()
	return ch
}
