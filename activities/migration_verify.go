package activities

import (
	"context"
	"fmt"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// The recounts: nothing is missed between the migration's steps. Each reads
// the tenant afresh (not the steps' tallies), so an invoice created after
// the freeze approval, or a write-off or memo a person undid, is found.

type recount struct {
	out   workflows.MigrationVerifyResult
	found map[string]string
}

func (r *recount) add(id, reason string) {
	if r.found == nil {
		r.found = map[string]string{}
	}
	r.found[id] = reason
}

func (r *recount) result() workflows.MigrationVerifyResult {
	ids := make([]string, 0, len(r.found))
	for id := range r.found {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	r.out.Count = len(ids)
	r.out.IDs = bounded(ids)
	for _, id := range r.out.IDs {
		r.out.Reasons = append(r.out.Reasons, r.found[id])
	}
	return r.out
}

// postedInvoices reads every posted invoice with the migration's mark.
func (m *Migration) postedInvoices(ctx context.Context) ([]migInvoice, error) {
	return zuora.QueryAll[migInvoice](ctx, m.Zuora, "select "+migInvoiceFields+" from Invoice where Status = 'Posted'")
}

// MigrationVerifyWriteOffs runs after the write-offs, before Invoice
// Settlement: every posted negative invoice is written off (balance 0 and
// the migration's mark), including any created after the freeze approval.
func (m *Migration) MigrationVerifyWriteOffs(ctx context.Context, in workflows.MigrationVerifyInput) (workflows.MigrationVerifyResult, error) {
	ctx = zuora.WithFieldNames(ctx, in.Settings.ZuoraFields.Names())
	invs, err := m.postedInvoices(ctx)
	if err != nil {
		return workflows.MigrationVerifyResult{}, retryable("recount of write-offs: reading invoices", err)
	}
	var r recount
	for _, inv := range invs {
		if !mapping.PostedNegative(inv.Invoice) {
			continue
		}
		r.out.Checked++
		switch {
		case inv.Balance.IsNegative():
			r.add(inv.ID, fmt.Sprintf("%s: balance %s, not written off", inv.InvoiceNumber, inv.Balance.StringFixed(2)))
		case inv.WriteOff != "" && !inv.Balance.IsZero():
			r.add(inv.ID, fmt.Sprintf("%s: written off but balance %s", inv.InvoiceNumber, inv.Balance.StringFixed(2)))
		}
	}
	return r.result(), nil
}

// MigrationVerifyCreditMemos runs after the credit memos: every written-off
// invoice has exactly one live credit memo of the migration (Transaction__NS
// = the invoice) and of its written-off amount.
func (m *Migration) MigrationVerifyCreditMemos(ctx context.Context, in workflows.MigrationVerifyInput) (workflows.MigrationVerifyResult, error) {
	ctx = zuora.WithFieldNames(ctx, in.Settings.ZuoraFields.Names())
	invs, err := m.postedInvoices(ctx)
	if err != nil {
		return workflows.MigrationVerifyResult{}, retryable("recount of credit memos: reading invoices", err)
	}
	var r recount
	memos := map[string][]zuora.CreditMemo{}
	for _, inv := range invs {
		if inv.WriteOff == "" {
			continue
		}
		amount, err := decimal.NewFromString(inv.WriteOff)
		if err != nil || !amount.IsPositive() {
			continue // the credit memo step skips it too
		}
		r.out.Checked++
		list, ok := memos[inv.AccountID]
		if !ok {
			if list, err = m.Zuora.ListCreditMemos(ctx, inv.AccountID); err != nil {
				return workflows.MigrationVerifyResult{}, retryable("recount of credit memos: listing account "+inv.AccountID, err)
			}
			memos[inv.AccountID] = list
			heartbeat(ctx, inv.AccountID)
		}
		var mine []zuora.CreditMemo
		for _, cm := range list {
			if cm.Transaction == inv.ID && cm.Origin == migrationOrigin && cm.Status != "Canceled" {
				mine = append(mine, cm)
			}
		}
		switch {
		case len(mine) != 1:
			r.add(inv.ID, fmt.Sprintf("%s: %d credit memos of the migration, want 1", inv.InvoiceNumber, len(mine)))
		case !mine[0].Amount.Equal(amount):
			r.add(inv.ID, fmt.Sprintf("%s: credit memo %s of %s, written off %s", inv.InvoiceNumber, mine[0].Number, mine[0].Amount.StringFixed(2), amount.StringFixed(2)))
		}
	}
	return r.result(), nil
}

// MigrationConfirmInvoiceSettlement says whether the tenant is on Invoice
// Settlement without reading an IS object (the seed's order: the client
// that predates IS is replaced before anything reads them): the sandbox's
// tenant settings stand in for the Zuora UI; on a real tenant the operator
// confirms it.
func (m *Migration) MigrationConfirmInvoiceSettlement(ctx context.Context) (workflows.ConfirmISResult, error) {
	if m.SandboxAdminURL == "" {
		return workflows.ConfirmISResult{NeedsOperator: true}, nil
	}
	t, err := m.sandboxTenant(ctx)
	if err != nil {
		return workflows.ConfirmISResult{}, retryable("reading the sandbox tenant's settings", err)
	}
	return workflows.ConfirmISResult{On: t.InvoiceSettlement}, nil
}
