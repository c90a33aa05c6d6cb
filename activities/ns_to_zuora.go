package activities

import (
	"context"
	"fmt"
	"strings"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// The skeleton the NetSuite → Zuora syncs (payments, refunds) share: the
// keyset selection over SuiteQL transactions and the fields written back to
// the NetSuite record once its Zuora record exists. Each sync keeps its own
// rules, reads and look-before-create.

// selectNSKeyset returns the next page of NetSuite transactions after the
// cursor (keyset by internal id: query, "SELECT … FROM transaction WHERE
// type = '…'", is ordered by id) that selectable takes. read turns a page's
// rows into records; key names one. A page is full or the last (Done).
func selectNSKeyset[T any](ctx context.Context, a *Activities, in workflows.SelectInput, what, query string,
	read func(context.Context, []map[string]any) ([]T, error), key func(T) (id, number string), selectable func(T) bool) (workflows.SelectResult, error) {
	after := in.AfterID
	if strings.Trim(after, "0123456789") != "" {
		return workflows.SelectResult{}, retryable("selecting "+what, fmt.Errorf("cursor %q is not a NetSuite internal id", after))
	}
	limit := min(max(in.Limit, 1), netsuite.MaxQueryLimit)
	res := workflows.SelectResult{}
	for {
		q := query
		if after != "" {
			q += " AND id > " + after
		}
		page, err := a.NetSuite.QueryPage(ctx, q+" ORDER BY id", limit, 0)
		if err != nil {
			return res, retryable("selecting "+what, err)
		}
		recs, err := read(ctx, page.Items)
		if err != nil {
			return res, err
		}
		for _, r := range recs {
			id, number := key(r)
			after = id
			if !selectable(r) {
				res.NotSelected++
				continue
			}
			res.Records = append(res.Records, workflows.SelectedRecord{ID: id, Number: number})
			if len(res.Records) == in.Limit {
				// Done only if nothing follows: the next page then answers empty.
				return res, nil
			}
		}
		if !page.HasMore {
			res.Done = true
			return res, nil
		}
	}
}

// nsSyncedFields are what a NetSuite record gets once its Zuora record
// exists (§3.5, §5.3): the Zuora id, Origin NETSUITE, the sync date and
// Sync Complete.
func (a *Activities) nsSyncedFields(zuoraID string) map[string]any {
	return map[string]any{
		"custbody_zuora_id": zuoraID, "custbody_zuora_origin": mapping.OriginNetSuite,
		"custbody_zuora_sync_date": a.now().UTC().Format("2006-01-02"), "custbody_zuora_integration_status": zuora.StatusSyncComplete,
	}
}

// patchNS writes body on a NetSuite record a NetSuite → Zuora sync works on,
// if this attempt is still the current one.
func (a *Activities) patchNS(ctx context.Context, typ, id string, body map[string]any) error {
	if err := a.stillCurrent(ctx); err != nil {
		return err
	}
	return a.NetSuite.Patch(ctx, typ, id, body)
}

// markNSFailed records "<status>: <reason>" as the NetSuite record's Zuora
// Integration Status; the record stays eligible (not Sync Complete). what
// names it in errors and logs ("payment", "refund").
func (a *Activities) markNSFailed(ctx context.Context, s settings.Settings, typ, recordType, what, id, status, reason string) error {
	ctx = nsFields(ctx, s)
	if err := a.patchNS(ctx, typ, id, map[string]any{
		"custbody_zuora_integration_status": statusText(status+": ", reason),
	}); err != nil {
		return retryable("recording error on NetSuite "+what+" "+id, err)
	}
	a.record(recordType, workflows.OutcomeError)
	a.log(ctx).Info("NetSuite "+what+" sync ended", "netsuite_"+what+"_id", id, "outcome", workflows.OutcomeError, "reason", reason)
	return nil
}
