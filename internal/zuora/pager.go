package zuora

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/tidwall/gjson"
)

// pager walks the pages of one ZOQL query for QueryIterator and Rows: the
// first page from query, the rest from queryMore, one call per cursor in
// flight at a time, as Zuora's locators chain. Each page is asked for as
// soon as the locator that names it is known: read from the answer before
// it is decoded (sawBody), so decoding a page of 2,000 records overlaps
// Zuora's latency for the next instead of adding to it. A locator read
// early is used only if the decoded page confirms it; otherwise its fetch is
// dropped and the page after is asked for by the decoded locator. At most
// pagesAhead pages are fetched and not yet handed out.
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
	ahead    chan pageResult // the next page, asked for when its locator was known

	mu          sync.Mutex
	outstanding int // pages fetched (or being fetched) and not yet handed out
}

// maxQueryRestarts bounds the re-runs of one query after lost locators.
const maxQueryRestarts = 3

// pagesAhead bounds the pages fetched ahead of the one being read: the
// next, and the one after it while the next is decoded.
const pagesAhead = 2

type pageResult struct {
	page *rawQueryResponse
	err  error
	// next is the fetch of the page after, started from the locator in
	// this page's answer before the page was decoded (nil: not started).
	next *earlyFetch
}

type earlyFetch struct {
	locator string
	ch      chan pageResult
}

// next returns the next page's records; more is false after the last page.
// handed says whether the records handed out so far can be recognised on a
// second run (every one had an Id).
func (p *pager) next(ctx context.Context, handed *handedIDs) (recs []json.RawMessage, more bool, err error) {
	for {
		if p.started && p.done {
			return nil, false, nil
		}
		var res pageResult
		if !p.started {
			p.reserve()
			res = p.fetch(ctx, "POST /v1/action/query", "/v1/action/query",
				map[string]any{"queryString": tenantZOQL(ctx, p.zoql), "conf": queryConf{clampBatch(p.batch)}})
		} else {
			select {
			case res = <-p.ahead:
			case <-ctx.Done():
				return nil, false, ctx.Err()
			}
			p.ahead = nil
		}
		p.handOut()
		page, err := res.page, res.err
		if err == nil && !page.Done && res.next != nil && res.next.locator == page.QueryLocator {
			p.ahead = res.next.ch
		} else if res.next != nil {
			p.drop(res.next)
		}
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
		if err != nil {
			return nil, false, err
		}
		p.started, p.done, p.locator = true, page.Done, page.QueryLocator
		if !p.done && p.ahead == nil {
			p.reserve()
			p.ahead = p.fetchAhead(ctx, p.locator)
		}
		return page.Records, true, nil
	}
}

// fetch makes one query or queryMore call. As soon as its answer arrives,
// the page after it is asked for from the locator the answer names, if
// there is room ahead.
func (p *pager) fetch(ctx context.Context, endpoint, path string, body map[string]any) pageResult {
	var next *earlyFetch
	page, err := p.c.queryRaw(ctx, endpoint, path, body, func(data []byte) {
		if next != nil {
			return // a retry of this call: the first answer's fetch stands
		}
		v := gjson.GetManyBytes(data, "done", "queryLocator")
		if v[0].Type != gjson.False || v[1].Type != gjson.String || v[1].Str == "" || !p.tryReserve() {
			return
		}
		next = &earlyFetch{locator: v[1].Str, ch: p.fetchAhead(ctx, v[1].Str)}
	})
	return pageResult{page: page, err: err, next: next}
}

// fetchAhead asks for the page after locator in the background. Abandoned,
// it finishes its one call and its answer is dropped (the channel has room
// for it). The caller has reserved its place ahead.
func (p *pager) fetchAhead(ctx context.Context, locator string) chan pageResult {
	ch := make(chan pageResult, 1)
	go func() {
		ch <- p.fetch(ctx, "POST /v1/action/queryMore", "/v1/action/queryMore",
			map[string]any{"queryLocator": locator, "conf": queryConf{clampBatch(p.batch)}})
	}()
	return ch
}

func (p *pager) reserve() {
	p.mu.Lock()
	p.outstanding++
	p.mu.Unlock()
}

// tryReserve takes a place ahead for an early fetch, if one is free.
func (p *pager) tryReserve() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.outstanding >= pagesAhead {
		return false
	}
	p.outstanding++
	return true
}

func (p *pager) handOut() {
	p.mu.Lock()
	p.outstanding--
	p.mu.Unlock()
}

// drop gives up an early fetch (and any it started) once it answers.
func (p *pager) drop(f *earlyFetch) {
	go func() {
		res := <-f.ch
		p.handOut()
		if res.next != nil {
			p.drop(res.next)
		}
	}()
}
