package activities

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// Selection at scale (docs/wire.md, "Selection").
//
// ZOQL has no ORDER BY and a queryMore locator expires after 15 minutes
// idle, while a run hands its records out page by page over hours. So a
// phase's candidates are read once, whole (N/2,000 calls, the locator used
// without pause), sorted by id and kept on the worker as the run's snapshot;
// each page is cut from it by keyset after the run's cursor (AfterID, which
// the workflow keeps durably). The snapshot is per workflow id and query:
//   - a page with AfterID "" starts the phase: the snapshot is read afresh;
//   - a worker that lost it (restart, another worker, idle > snapshotTTL)
//     reads it again and cuts after the cursor: nothing handled earlier is
//     selected again, nothing is skipped;
//   - records are re-checked right before their own sync, so a snapshot a
//     little old selects nothing wrongly; invoices posted after the phase
//     started are the next run's.
// The accounts of the candidates are kept with the snapshot and read once a
// run. Before, every page re-read the whole candidate list: N²/(2,000·page) calls.

const snapshotTTL = 30 * time.Minute

// allAccountsAbove: with more distinct accounts than this in a snapshot,
// reading every account (2,000 a call) is cheaper than by id (150 a call).
const allAccountsAbove = 3000

type selection struct {
	mu       sync.Mutex
	recs     any      // []T sorted by id
	bad      []string // ids of records that do not decode, sorted
	accounts map[string]*zuora.Account
	allRead  bool // every account of the tenant is in accounts
	distinct int  // distinct accounts of the candidates; -1 = not counted yet
	at       time.Time
}

type selectionKey struct {
	z            *zuora.Client
	workflowID   string
	activityType string
	pass         string
	zoql         string
}

var selections = struct {
	sync.Mutex
	m map[selectionKey]*selection
}{m: map[selectionKey]*selection{}}

// snapshotFor returns the run's snapshot of zoql, reading it when needed.
// pass names one pass over the records (the workflow sets it when a pass
// begins): a worker that did not serve a pass's first page must not cut its
// later pages from a snapshot of an earlier pass or step of the same
// workflow (the migration's credit memo step reads the invoices its
// write-off step changed; on another worker, that step's snapshot still
// showed them unwritten-off, and the step ended with memos missing).
func snapshotFor[T any](ctx context.Context, z *zuora.Client, zoql, what, pass, afterID string, id func(T) string) (*selection, error) {
	var key selectionKey
	keep := activity.IsActivity(ctx)
	if keep {
		info := activity.GetInfo(ctx)
		key = selectionKey{z, info.WorkflowExecution.ID, info.ActivityType.Name, pass, zoql}
		selections.Lock()
		for k, s := range selections.m {
			if time.Since(s.at) > snapshotTTL {
				delete(selections.m, k)
			}
		}
		s, ok := selections.m[key]
		selections.Unlock()
		if ok && afterID != "" {
			s.at = time.Now()
			return s, nil
		}
	}
	recs, bad, err := readCandidates(ctx, z, zoql, what, id)
	if err != nil {
		return nil, err
	}
	s := &selection{recs: recs, bad: bad, accounts: map[string]*zuora.Account{}, distinct: -1, at: time.Now()}
	if keep {
		selections.Lock()
		selections.m[key] = s
		selections.Unlock()
	}
	return s, nil
}

// readCandidates reads every record of the selection ZOQL once, in id order.
// A record that does not decode (a field of the wrong type) must not stop the
// phase: its id comes back in bad, and its own sync records the reason on it.
func readCandidates[T any](ctx context.Context, z *zuora.Client, zoql, what string, id func(T) string) ([]T, []string, error) {
	var cands []T
	var bad []string
	it := z.Query(ctx, zoql, zuora.MaxBatchSize)
	for n := 0; it.Next(ctx); n++ {
		rec, err := zuora.Decode[T](it.Record())
		if err != nil {
			rid, _ := it.Record()["Id"].(string)
			if rid == "" {
				return nil, nil, temporal.NewNonRetryableApplicationError(
					fmt.Sprintf("selecting %s: Zuora returned a record without an Id: %v", what, err), "BadZuoraRecord", err)
			}
			bad = append(bad, rid)
		} else {
			cands = append(cands, rec)
		}
		if n%2000 == 0 {
			heartbeat(ctx, n)
		}
	}
	if err := it.Err(); err != nil {
		return nil, nil, retryable("selecting "+what, err)
	}
	sort.Slice(cands, func(i, j int) bool { return id(cands[i]) < id(cands[j]) })
	sort.Strings(bad)
	return cands, bad, nil
}

// candidatesAfter returns the run's candidates whose id sorts after the
// cursor, in id order, and the undecodable ones after it; sel is the
// snapshot (its accounts cache serves the page).
func candidatesAfter[T any](ctx context.Context, z *zuora.Client, zoql, what, pass, afterID string, id func(T) string) (cands []T, bad []string, sel *selection, err error) {
	sel, err = snapshotFor(ctx, z, zoql, what, pass, afterID, id)
	if err != nil {
		return nil, nil, nil, err
	}
	all := sel.recs.([]T)
	start := sort.Search(len(all), func(i int) bool { return id(all[i]) > afterID })
	bs := sort.SearchStrings(sel.bad, afterID)
	for bs < len(sel.bad) && sel.bad[bs] <= afterID {
		bs++
	}
	return all[start:], sel.bad[bs:], sel, nil
}

// keysetPage is the next page of a phase whose records are selected one by
// one from the run's snapshot of zoql: the first in.Limit selectable records
// after the cursor, counting those the rules exclude on the way. A record
// that does not decode is selected by its id, so its own sync records why it
// cannot be read: never dropped.
func keysetPage[T any](ctx context.Context, z *zuora.Client, zoql, what string, in workflows.SelectInput,
	id func(T) string, selectable func(T) (workflows.SelectedRecord, bool)) (workflows.SelectResult, error) {
	cands, bad, _, err := candidatesAfter(ctx, z, zoql, what, "", in.AfterID, id)
	if err != nil {
		return workflows.SelectResult{}, err
	}
	limit := in.Limit
	if limit <= 0 {
		limit = 100
	}
	res := workflows.SelectResult{Done: true}
	for i, j := 0, 0; i < len(cands) || j < len(bad); {
		if j < len(bad) && (i == len(cands) || bad[j] < id(cands[i])) {
			res.Records = append(res.Records, workflows.SelectedRecord{ID: bad[j]})
			j++
		} else if rec, ok := selectable(cands[i]); ok {
			res.Records = append(res.Records, rec)
			i++
		} else {
			res.NotSelected++
			i++
		}
		if len(res.Records) == limit {
			res.Done = i == len(cands) && j == len(bad)
			break
		}
	}
	return res, nil
}

// accountKeysetPage is keysetPage for records that each belong to a Zuora
// account: the accounts of the next in.Limit candidates are read (one call,
// or every account at once when the run names many) before judge decides on
// each record with its account (nil: missing in Zuora, or none named).
func accountKeysetPage[T any](ctx context.Context, z *zuora.Client, zoql, what string, in workflows.SelectInput,
	id, accountOf func(T) string, judge func(T, *zuora.Account) (workflows.SelectedRecord, bool)) (workflows.SelectResult, error) {
	cands, bad, sel, err := candidatesAfter(ctx, z, zoql, what, "", in.AfterID, id)
	if err != nil {
		return workflows.SelectResult{}, err
	}
	limit := in.Limit
	if limit <= 0 {
		limit = 100
	}
	distinct := func() int { return distinctAccounts(sel.recs.([]T), accountOf) }
	res := workflows.SelectResult{Done: true}
	loaded := 0 // cands[:loaded] have their accounts in sel
	for i, j := 0, 0; i < len(cands) || j < len(bad); {
		if j < len(bad) && (i == len(cands) || bad[j] < id(cands[i])) {
			// Its sync reads it again and records why it cannot be used.
			res.Records = append(res.Records, workflows.SelectedRecord{ID: bad[j]})
			j++
		} else {
			if i == loaded {
				loaded = min(i+limit, len(cands))
				owners := make([]string, 0, loaded-i)
				for _, c := range cands[i:loaded] {
					owners = append(owners, accountOf(c))
				}
				if err := sel.loadAccounts(ctx, z, owners, distinct); err != nil {
					return workflows.SelectResult{}, retryable("selecting "+what, err)
				}
			}
			c := cands[i]
			i++
			if rec, ok := judge(c, sel.account(accountOf(c))); ok {
				res.Records = append(res.Records, rec)
			} else {
				res.NotSelected++
			}
		}
		if len(res.Records) == limit {
			res.Done = i == len(cands) && j == len(bad)
			break
		}
	}
	return res, nil
}

// loadAccounts fills the snapshot's account cache for the given account ids:
// by id, or every account at once when the run names many.
func (s *selection) loadAccounts(ctx context.Context, z *zuora.Client, ids []string, distinct func() int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var todo []string
	for _, id := range ids {
		if _, ok := s.accounts[id]; !ok && id != "" {
			todo = append(todo, id)
		}
	}
	if len(todo) == 0 || s.allRead {
		for _, id := range todo {
			s.accounts[id] = nil
		}
		return nil
	}
	if s.distinct < 0 {
		s.distinct = distinct()
	}
	var accts []zuora.Account
	var err error
	if s.distinct > allAccountsAbove {
		accts, err = zuora.QueryAll[zuora.Account](ctx, z, "select "+accountFields+" from Account")
		s.allRead = err == nil
	} else {
		accts, err = zoqlByIDs[zuora.Account](ctx, z, zuora.ObjAccount, accountFields, "Id", todo)
	}
	if err != nil {
		return err
	}
	for i := range accts {
		s.accounts[accts[i].ID] = &accts[i]
	}
	for _, id := range ids {
		if _, ok := s.accounts[id]; !ok {
			s.accounts[id] = nil
		}
	}
	return nil
}

// account is a cached account (nil: it does not exist in Zuora).
func (s *selection) account(id string) *zuora.Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accounts[id]
}

// distinctAccounts counts the distinct account ids of the candidates.
func distinctAccounts[T any](recs []T, acct func(T) string) int {
	seen := map[string]bool{}
	for _, r := range recs {
		seen[acct(r)] = true
	}
	return len(seen)
}
