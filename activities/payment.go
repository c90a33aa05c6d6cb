package activities

import (
	"context"
	"sort"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// Zuora payments → NetSuite customer payments (issue 16; rules in
// internal/mapping/payment.go). This file is the selection; the record sync
// is payment_sync.go.

// SelectPayments returns the next page of Processed payments pending
// transfer after the cursor whose account may sync (mapping.PaymentSelectable),
// cut from the run's snapshot (selection.go). An unassigned payment (no
// account) is selected on Invoice Settlement tenants only; a payment whose
// account is missing in Zuora, or that does not decode, is selected so that
// its sync records the reason instead of skipping it silently.
func (a *Activities) SelectPayments(ctx context.Context, in workflows.SelectInput) (workflows.SelectResult, error) {
	s := in.Settings
	cands, bad, sel, err := candidatesAfter(ctx, a.Zuora, mapping.PaymentSelectionZOQL(s), "payments", "", in.AfterID,
		func(p zuora.Payment) string { return p.ID })
	if err != nil {
		return workflows.SelectResult{}, err
	}
	undecodable := map[string]bool{}
	if len(bad) > 0 {
		cands = append(cands[:len(cands):len(cands)], make([]zuora.Payment, 0, len(bad))...) // the snapshot stays as read
		for _, id := range bad {
			cands = append(cands, zuora.Payment{ID: id})
			undecodable[id] = true
		}
		sort.Slice(cands, func(i, j int) bool { return cands[i].ID < cands[j].ID })
	}
	distinct := func() int {
		return distinctAccounts(sel.recs.([]zuora.Payment), func(p zuora.Payment) string { return p.AccountID })
	}
	res := workflows.SelectResult{Done: true}
	for start := 0; start < len(cands); start += in.Limit {
		chunk := cands[start:min(start+in.Limit, len(cands))]
		ids := make([]string, 0, len(chunk))
		for _, p := range chunk {
			ids = append(ids, p.AccountID)
		}
		if err := sel.loadAccounts(ctx, a.Zuora, ids, distinct); err != nil {
			return workflows.SelectResult{}, retryable("selecting payments", err)
		}
		for i, p := range chunk {
			if rec, ok := selectPayment(p, sel, undecodable[p.ID], in); ok {
				res.Records = append(res.Records, rec)
			} else {
				res.NotSelected++
			}
			if len(res.Records) == in.Limit {
				res.Done = start+i+1 == len(cands)
				return res, nil
			}
		}
	}
	return res, nil
}

func selectPayment(p zuora.Payment, sel *selection, undecodable bool, in workflows.SelectInput) (workflows.SelectedRecord, bool) {
	rec := workflows.SelectedRecord{ID: p.ID, Number: p.PaymentNumber}
	if undecodable {
		return rec, true
	}
	var acct *zuora.Account
	if p.AccountID != "" {
		if acct = sel.account(p.AccountID); acct == nil {
			return rec, true // the account is missing in Zuora: the sync says so
		}
		rec.AccountNumber = acct.AccountNumber
	}
	ok, _ := mapping.PaymentSelectable(p, acct, in.Settings)
	return rec, ok
}
