package activities

import (
	"context"

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
	return accountKeysetPage(ctx, a.Zuora, mapping.PaymentSelectionZOQL(in.Settings), "payments", in,
		func(p zuora.Payment) string { return p.ID }, func(p zuora.Payment) string { return p.AccountID },
		func(p zuora.Payment, acct *zuora.Account) (workflows.SelectedRecord, bool) {
			rec := workflows.SelectedRecord{ID: p.ID, Number: p.PaymentNumber}
			if p.AccountID != "" {
				if acct == nil {
					return rec, true // the account is missing in Zuora: the sync says so
				}
				rec.AccountNumber = acct.AccountNumber
			}
			ok, _ := mapping.PaymentSelectable(p, acct, in.Settings) // no account: an unassigned payment
			return rec, ok
		})
}
