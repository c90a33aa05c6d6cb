package activities

import (
	"context"
	"fmt"
	"sort"

	"go.temporal.io/sdk/temporal"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// Credit memo sync (Invoice Settlement; reference §6): each Zuora credit
// memo becomes one NetSuite credit memo with positive lines (the invoice line
// mapping, written by the shared line writer) and one apply row per Zuora
// application, pointing at the synced NetSuite invoice (of a Zuora invoice
// or debit memo). Applications made after the sync are added later.

// statusUpdatingCreditMemo is the Integration Status while a synced memo's
// applications are being updated (§0.3 "Updating <X>").
const statusUpdatingCreditMemo = "Updating Credit Memo"

// SelectCreditMemos returns the next page of credit memos to sync, in Zuora
// id order after in.AfterID: those §6.1 selects, the migration's memos still
// pending (to be marked Ignore), and synced memos whose applied amount in
// Zuora differs from what their NetSuite credit memo applies.
func (a *Activities) SelectCreditMemos(ctx context.Context, in workflows.SelectInput) (workflows.SelectResult, error) {
	ctx = nsFields(ctx, in.Settings)
	s := in.Settings
	if ok, _ := mapping.CreditMemoSyncEnabled(s); !ok {
		return workflows.SelectResult{Done: true}, nil
	}
	var cands []zuora.CreditMemo
	var acctIDs []string
	for page := 1; ; page++ {
		memos, more, err := a.Zuora.ListCreditMemosPage(ctx, "Posted", page)
		if err != nil {
			return workflows.SelectResult{}, retryable("selecting credit memos", err)
		}
		for _, cm := range memos {
			if cm.ID > in.AfterID && cm.Status == "Posted" {
				cands = append(cands, cm)
				acctIDs = append(acctIDs, cm.AccountID)
			}
		}
		if !more {
			break
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].ID < cands[j].ID })
	accts, err := a.accountsByID(ctx, acctIDs)
	if err != nil {
		return workflows.SelectResult{}, retryable("selecting credit memos", err)
	}
	limit := max(in.Limit, 1)
	res := workflows.SelectResult{Done: true}
	for i, cm := range cands {
		acct := accts[cm.AccountID]
		if acct == nil {
			res.Records = append(res.Records, workflows.SelectedRecord{ID: cm.ID, Number: cm.Number})
		} else if mode, _ := mapping.CreditMemoSelectable(cm, *acct, s); mode == "" {
			res.NotSelected++
		} else if mode == mapping.CreditMemoApplications && !a.applicationsDiffer(ctx, cm) {
			res.NotSelected++
		} else {
			res.Records = append(res.Records, workflows.SelectedRecord{ID: cm.ID, Number: cm.Number, AccountNumber: acct.AccountNumber})
		}
		if len(res.Records) == limit {
			res.Done = i+1 == len(cands)
			return res, nil
		}
	}
	return res, nil
}

// applicationsDiffer: the synced memo's NetSuite credit memo applies another
// total than Zuora's applied amount (a read that fails counts as differing:
// the sync looks again).
func (a *Activities) applicationsDiffer(ctx context.Context, cm zuora.CreditMemo) bool {
	tx, err := a.NetSuite.GetTransaction(ctx, netsuite.TypeCreditMemo, cm.IntegrationID)
	return err != nil || !appliedTo(tx, "").Equal(cm.AppliedAmount)
}

// creditMemoJob is what one credit memo step reads.
type creditMemoJob struct {
	cm      zuora.CreditMemo
	acct    zuora.Account
	items   []zuora.CreditMemoItem
	charges map[string]*zuora.ProductRatePlanCharge
	subs    map[string]*zuora.Subscription
	docs    []mapping.AppliedDoc
	lookups *lookupResolver
	gone    string
}

// loadCreditMemo reads the memo, its account, items (with their charges)
// and applications (with their documents' NetSuite ids).
func (a *Activities) loadCreditMemo(ctx context.Context, id string, s settings.Settings, withItems bool) (*creditMemoJob, error) {
	j := &creditMemoJob{lookups: newLookupResolver(a.NetSuite)}
	cm, err := a.Zuora.GetCreditMemo(ctx, id)
	if err != nil {
		if zuora.IsNotFound(err) {
			j.gone = "the credit memo no longer exists in Zuora"
			return j, nil
		}
		return nil, fmt.Errorf("reading the credit memo: %w", err)
	}
	j.cm = *cm
	if err := a.Zuora.GetObject(ctx, zuora.ObjAccount, cm.AccountID, &j.acct); err != nil {
		if zuora.IsNotFound(err) {
			j.gone = fmt.Sprintf("the credit memo's account %s does not exist in Zuora", cm.AccountID)
			return j, nil
		}
		return nil, fmt.Errorf("reading account %s: %w", cm.AccountID, err)
	}
	parts, err := a.Zuora.ListCreditMemoParts(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("reading the credit memo's applications: %w", err)
	}
	for _, p := range parts {
		d := mapping.AppliedDoc{Amount: p.Amount}
		switch {
		case p.InvoiceID != "":
			var inv zuora.Invoice
			if err := a.Zuora.GetObject(ctx, zuora.ObjInvoice, p.InvoiceID, &inv); err != nil && !zuora.IsNotFound(err) {
				return nil, fmt.Errorf("reading invoice %s: %w", p.InvoiceID, err)
			}
			d.What, d.NetSuiteID = "invoice "+orID(inv.InvoiceNumber, p.InvoiceID), inv.IntegrationID
		case p.DebitMemoID != "":
			dm, err := a.Zuora.GetDebitMemo(ctx, p.DebitMemoID)
			if err != nil && !zuora.IsNotFound(err) {
				return nil, fmt.Errorf("reading debit memo %s: %w", p.DebitMemoID, err)
			}
			d.What = "debit memo " + p.DebitMemoID
			if dm != nil {
				d.What, d.NetSuiteID = "debit memo "+orID(dm.Number, dm.ID), dm.IntegrationID
			}
		default:
			continue
		}
		j.docs = append(j.docs, d)
	}
	if !withItems {
		return j, nil
	}
	if j.items, err = a.Zuora.ListCreditMemoItems(ctx, id); err != nil {
		return nil, fmt.Errorf("reading the credit memo's items: %w", err)
	}
	srcs := make([]itemSource, len(j.items))
	for i, it := range j.items {
		srcs[i] = itemSource{it.ID, it.SourceItemType, it.SourceItemID, it.SubscriptionID}
	}
	if j.charges, j.subs, err = a.catalogBySource(ctx, srcs); err != nil {
		return nil, err
	}
	holders := []classified{accountClass(j.acct)}
	for _, ch := range j.charges {
		if ch != nil && s.Transaction.LineClassificationSource == settings.ClassificationFromCharge {
			holders = append(holders, chargeClass(*ch))
		}
	}
	if err := j.lookups.classifications(ctx, holders...); err != nil {
		return nil, err
	}
	var codes []string
	for _, it := range j.items {
		for _, t := range it.CreditTaxItems {
			codes = appendNonEmpty(codes, t.FinanceInformation.SalesTaxPayableAccountingCode)
		}
	}
	if err := j.lookups.taxItems(ctx, codes...); err != nil {
		return nil, err
	}
	return j, nil
}

// PrepareCreditMemo re-checks selection, marks the migration's memos Ignore,
// and applies the validations (account, charges, every applied document in
// NetSuite) before anything is written.
func (a *Activities) PrepareCreditMemo(ctx context.Context, in workflows.CreditMemoSyncInput) (workflows.CreditMemoPlan, error) {
	ctx = nsFields(ctx, in.Settings)
	s := in.Settings
	plan := workflows.CreditMemoPlan{CreditMemoID: in.CreditMemoID}
	if ok, why := mapping.CreditMemoSyncEnabled(s); !ok {
		plan.Outcome, plan.Reason = workflows.OutcomeSkipped, why
		return plan, nil
	}
	j, err := a.loadCreditMemo(ctx, in.CreditMemoID, s, true)
	if err != nil {
		return plan, memoStepError("reading the credit memo", err)
	}
	plan.Number, plan.AccountNumber = j.cm.Number, j.acct.AccountNumber
	if j.gone != "" {
		if j.cm.ID == "" {
			plan.Outcome, plan.Reason = workflows.OutcomeSkipped, j.gone
			return plan, nil
		}
		return a.endCreditMemo(ctx, plan, workflows.OutcomeError, j.gone)
	}
	mode, why := mapping.CreditMemoSelectable(j.cm, j.acct, s)
	plan.Mode = string(mode)
	switch mode {
	case "":
		plan.Outcome, plan.Reason = workflows.OutcomeSkipped, why
		return plan, nil
	case mapping.CreditMemoIgnore:
		return a.endCreditMemo(ctx, plan, workflows.OutcomeIgnored, why)
	case mapping.CreditMemoApplications:
		if !a.applicationsDiffer(ctx, j.cm) {
			plan.Outcome, plan.Reason = workflows.OutcomeSkipped, "its applications are already in NetSuite"
			return plan, nil
		}
		plan.NetSuiteID = j.cm.IntegrationID
	}
	var ps []mapping.Problem
	if mode == mapping.CreditMemoCreate {
		ps = mapping.ValidateCreditMemo(j.acct, j.items, j.charges, j.subs, j.lookups.l)
		if len(ps) == 0 && len(mapping.CreditMemoLines(j.items, j.charges, j.subs, j.acct, j.lookups.l, s)) == 0 {
			return a.endCreditMemo(ctx, plan, workflows.OutcomeIgnored, "the credit memo has no item to sync: every item is zero-amount")
		}
	}
	if _, docProblems := mapping.ApplyRows(j.docs); len(docProblems) > 0 {
		ps = append(ps, docProblems...)
	}
	if len(ps) > 0 {
		return a.endCreditMemo(ctx, plan, workflows.OutcomeError, problemText(ps))
	}
	return plan, nil
}

func (a *Activities) endCreditMemo(ctx context.Context, plan workflows.CreditMemoPlan, outcome, reason string) (workflows.CreditMemoPlan, error) {
	if err := a.markCreditMemo(ctx, plan.CreditMemoID, outcome, reason); err != nil {
		return plan, err
	}
	plan.Outcome, plan.Reason = outcome, reason
	return plan, nil
}

func (a *Activities) markCreditMemo(ctx context.Context, id, outcome, reason string) error {
	transfer, prefix := zuora.TransferError, "Error: "
	if outcome == workflows.OutcomeIgnored {
		transfer, prefix = zuora.TransferIgnore, "Ignore: "
	}
	if err := a.Zuora.UpdateCreditMemo(ctx, id, zuora.CreditMemoUpdate{
		TransferredToAccounting: ptr(transfer), IntegrationStatus: ptr(statusText(prefix, reason)),
	}); err != nil {
		return retryable("recording "+outcome+" on credit memo "+id, err)
	}
	a.record(workflows.RecordCreditMemo, outcome)
	a.log(ctx).Info("credit memo sync ended", "credit_memo_id", id, "outcome", outcome, "reason", reason)
	return nil
}

// MarkCreditMemoProcessing: §6.3 step 1, Creating Credit Memo (Updating
// Credit Memo for a synced memo's applications) and TTA Processing.
func (a *Activities) MarkCreditMemoProcessing(ctx context.Context, in workflows.CreditMemoStepInput) error {
	if err := a.stillCurrent(ctx); err != nil {
		return err
	}
	status := zuora.StatusCreatingCreditMemo
	if in.Plan.Mode == string(mapping.CreditMemoApplications) {
		status = statusUpdatingCreditMemo
	}
	if err := a.Zuora.UpdateCreditMemo(ctx, in.Plan.CreditMemoID, zuora.CreditMemoUpdate{
		TransferredToAccounting: ptr(zuora.TransferProcessing), IntegrationStatus: ptr(status),
	}); err != nil {
		return memoStepError("marking the credit memo Processing", err)
	}
	return nil
}

// WriteCreditMemo makes sure the memo's NetSuite credit memo exists with all
// its lines (create mode; found by external id when an earlier attempt made
// it), then that its apply sublist applies to each document what Zuora
// applies: a row whose amount differs is set (NetSuite keys apply rows by
// document, so a repeat sets the same amount again, never twice).
func (a *Activities) WriteCreditMemo(ctx context.Context, in workflows.CreditMemoStepInput) (string, error) {
	ctx = nsFields(ctx, in.Settings)
	withItems := in.Plan.Mode != string(mapping.CreditMemoApplications)
	j, err := a.loadCreditMemo(ctx, in.Plan.CreditMemoID, in.Settings, withItems)
	if err != nil {
		return "", memoStepError("reading the credit memo", err)
	}
	if j.gone != "" {
		return "", temporal.NewNonRetryableApplicationError(j.gone, "Gone", nil)
	}
	rows, ps := mapping.ApplyRows(j.docs)
	if len(ps) > 0 {
		return "", temporal.NewNonRetryableApplicationError(problemText(ps), "NotInNetSuite", nil)
	}
	id := in.NetSuiteID
	if withItems {
		header := mapping.CreditMemoHeader(j.cm, j.acct, j.lookups.l, in.Settings)
		lines := mapping.CreditMemoLines(j.items, j.charges, j.subs, j.acct, j.lookups.l, in.Settings)
		if id, err = a.writeWithLines(ctx, netsuite.TypeCreditMemo, header, lines, in.Settings); err != nil {
			return "", memoStepError("writing NetSuite credit memo "+header.ExternalID, err)
		}
	}
	if err := a.applyRows(ctx, id, rows); err != nil {
		return "", memoStepError("applying NetSuite credit memo "+id, err)
	}
	return id, nil
}

// applyRows sets the apply rows of NetSuite credit memo id whose amount
// differs from the wanted one, in one PATCH.
func (a *Activities) applyRows(ctx context.Context, id string, want []netsuite.Apply) error {
	tx, err := a.NetSuite.GetTransaction(ctx, netsuite.TypeCreditMemo, id)
	if err != nil {
		return err
	}
	var change []netsuite.Apply
	for _, r := range want {
		if !appliedTo(tx, r.Doc.ID).Equal(r.Amount) {
			change = append(change, r)
		}
	}
	if len(change) == 0 {
		return nil
	}
	if err := a.stillCurrent(ctx); err != nil {
		return err
	}
	// A map, not netsuite.Transaction: a PATCH must carry only the apply rows.
	return a.NetSuite.Patch(ctx, netsuite.TypeCreditMemo, id, map[string]any{"apply": netsuite.Sublist[netsuite.Apply]{Items: change}})
}

// CompleteCreditMemo checks the NetSuite credit memo against Zuora to the
// cent (its total, and what it applies), then writes back the NetSuite id,
// Sync Complete, Yes and the sync date (§6.3 step 3).
func (a *Activities) CompleteCreditMemo(ctx context.Context, in workflows.CreditMemoStepInput) (workflows.CreditMemoSyncResult, error) {
	ctx = nsFields(ctx, in.Settings)
	res := workflows.CreditMemoSyncResult{CreditMemoID: in.Plan.CreditMemoID, NetSuiteID: in.NetSuiteID, Mode: in.Plan.Mode}
	cm, err := a.Zuora.GetCreditMemo(ctx, in.Plan.CreditMemoID)
	if err != nil {
		return res, memoStepError("reading the credit memo", err)
	}
	tx, err := a.NetSuite.GetTransaction(ctx, netsuite.TypeCreditMemo, in.NetSuiteID)
	if err != nil {
		return res, memoStepError("reading back NetSuite credit memo "+in.NetSuiteID, err)
	}
	if tx.Total == nil {
		return res, fmt.Errorf("NetSuite credit memo %s was read back without its total", in.NetSuiteID)
	}
	applied := appliedTo(tx, "")
	switch {
	case !tx.Total.Equal(cm.Amount):
		return res, temporal.NewNonRetryableApplicationError(fmt.Sprintf("NetSuite credit memo %s totals %s but the Zuora credit memo amounts to %s; check its lines",
			in.NetSuiteID, tx.Total.StringFixed(2), cm.Amount.StringFixed(2)), "TotalMismatch", nil)
	case !applied.Equal(cm.AppliedAmount):
		return res, temporal.NewNonRetryableApplicationError(fmt.Sprintf("NetSuite credit memo %s applies %s but the Zuora credit memo applies %s; check its applications",
			in.NetSuiteID, applied.StringFixed(2), cm.AppliedAmount.StringFixed(2)), "AppliedMismatch", nil)
	}
	if err := a.stillCurrent(ctx); err != nil {
		return res, err
	}
	if err := a.Zuora.UpdateCreditMemo(ctx, in.Plan.CreditMemoID, zuora.CreditMemoUpdate{
		IntegrationID: ptr(in.NetSuiteID), IntegrationStatus: ptr(zuora.StatusSyncComplete),
		TransferredToAccounting: ptr(zuora.TransferYes), SyncDate: ptr(zuoraDate(a.now())),
	}); err != nil {
		return res, memoStepError("writing back Sync Complete", err)
	}
	a.record(workflows.RecordCreditMemo, workflows.OutcomeSynced)
	a.log(ctx).Info("credit memo synced", "credit_memo_id", in.Plan.CreditMemoID, "number", in.Plan.Number, "netsuite_id", in.NetSuiteID, "applied", applied.StringFixed(2))
	res.Outcome, res.Applied = workflows.OutcomeSynced, applied.StringFixed(2)
	return res, nil
}

// MarkCreditMemoFailed records Error with the reason on the memo.
func (a *Activities) MarkCreditMemoFailed(ctx context.Context, in workflows.MarkFailedInput) error {
	return a.markCreditMemo(ctx, in.ID, workflows.OutcomeError, in.Reason)
}
