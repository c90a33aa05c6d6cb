package activities

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"
	"go.temporal.io/sdk/temporal"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// Invoice item adjustment sync (seed iia-transaction-sync). Each step is an
// activity that repeats safely: reads, a write-back that sets values, and one
// NetSuite upsert keyed by the adjustment's external id, so a crash between
// the NetSuite write and the Zuora write-back never makes a second record.

// SelectAdjustments returns the next page of adjustments eligible by the
// seed's criteria, in Zuora id order after in.AfterID (keyset, like
// SelectInvoices: a cursor that is an id never expires).
func (a *Activities) SelectAdjustments(ctx context.Context, in workflows.SelectInput) (workflows.SelectResult, error) {
	ctx = zuora.WithFieldNames(ctx, in.Settings.ZuoraFields.Names()) // the tenant's names of the connector's custom fields
	if ok, _ := mapping.AdjustmentSyncEnabled(in.Settings); !ok {
		return workflows.SelectResult{Done: true}, nil
	}
	return accountKeysetPage(ctx, a.Zuora, mapping.AdjustmentSelectionZOQL(in.Settings), "invoice item adjustments", in,
		func(adj zuora.InvoiceItemAdjustment) string { return adj.ID },
		func(adj zuora.InvoiceItemAdjustment) string { return adj.AccountID },
		func(adj zuora.InvoiceItemAdjustment, acct *zuora.Account) (workflows.SelectedRecord, bool) {
			rec := workflows.SelectedRecord{ID: adj.ID, Number: adj.AdjustmentNumber}
			if acct != nil {
				rec.AccountNumber = acct.AccountNumber
			}
			ok, _ := mapping.AdjustmentSelectable(adj, in.Settings)
			return rec, ok
		})
}

// adjustmentJob is what one adjustment step reads.
type adjustmentJob struct {
	adj      zuora.InvoiceItemAdjustment
	inv      zuora.Invoice
	acct     zuora.Account
	lookups  *lookupResolver
	item     string // NetSuite item id of the adjusted item
	itemName string
	itemWhy  string           // why item is empty
	amount   *decimal.Decimal // the adjusted item's amount, when read
	charge   *zuora.ProductRatePlanCharge
}

// loadAdjustment reads the adjustment, its invoice and account and resolves
// the NetSuite names and item its line needs. gone is set (with the reason)
// when a Zuora record it needs does not exist.
func (a *Activities) loadAdjustment(ctx context.Context, id string, s settings.Settings) (j *adjustmentJob, gone string, err error) {
	j = &adjustmentJob{lookups: newLookupResolver(a.NetSuite)}
	if err := a.Zuora.GetObject(ctx, zuora.ObjInvoiceItemAdjustment, id, &j.adj); err != nil {
		if zuora.IsNotFound(err) {
			return j, "the invoice item adjustment no longer exists in Zuora", nil
		}
		return nil, "", fmt.Errorf("reading the invoice item adjustment: %w", err)
	}
	if err := a.Zuora.GetObject(ctx, zuora.ObjInvoice, j.adj.InvoiceID, &j.inv); err != nil {
		if zuora.IsNotFound(err) {
			return j, fmt.Sprintf("the adjusted invoice %s does not exist in Zuora", orID(j.adj.InvoiceNumber, j.adj.InvoiceID)), nil
		}
		return nil, "", fmt.Errorf("reading invoice %s: %w", j.adj.InvoiceID, err)
	}
	acctID := j.adj.AccountID
	if acctID == "" {
		acctID = j.inv.AccountID
	}
	if err := a.Zuora.GetObject(ctx, zuora.ObjAccount, acctID, &j.acct); err != nil {
		if zuora.IsNotFound(err) {
			return j, fmt.Sprintf("the adjustment's account %s does not exist in Zuora", acctID), nil
		}
		return nil, "", fmt.Errorf("reading account %s: %w", acctID, err)
	}
	if err := j.lookups.classifications(ctx, accountClass(j.acct)); err != nil {
		return nil, "", err
	}
	if err := a.adjustedItem(ctx, j, s); err != nil {
		return nil, "", err
	}
	return j, "", nil
}

// adjustedItem finds the NetSuite item of the adjusted invoice item's charge
// (InvoiceDetail) or of the taxation item's tax code (Tax).
func (a *Activities) adjustedItem(ctx context.Context, j *adjustmentJob, s settings.Settings) error {
	adj := j.adj
	if adj.SourceType == mapping.SourceTax {
		var t zuora.TaxationItem
		if err := a.Zuora.GetObject(ctx, zuora.ObjTaxationItem, adj.SourceID, &t); err != nil {
			if zuora.IsNotFound(err) {
				j.itemWhy = fmt.Sprintf("the adjusted taxation item %s does not exist in Zuora", orID("", adj.SourceID))
				return nil
			}
			return fmt.Errorf("reading taxation item %s: %w", adj.SourceID, err)
		}
		j.itemName, j.amount = t.Name, &t.TaxAmount
		if t.AccountingCode == "" {
			j.itemWhy = fmt.Sprintf("the adjusted tax %s (tax code %s) has no accounting code, so it has no NetSuite tax item", t.Name, orID(t.TaxCode, "empty"))
			return nil
		}
		if err := j.lookups.taxItems(ctx, t.AccountingCode); err != nil {
			return err
		}
		if j.item = j.lookups.l.TaxItems[t.AccountingCode]; j.item == "" {
			j.itemWhy = fmt.Sprintf("tax code %s maps to NetSuite item %q, which does not exist in NetSuite; create the tax item", orID(t.TaxCode, "empty"), t.AccountingCode)
		}
		return nil
	}
	var it zuora.InvoiceItem
	if err := a.Zuora.GetObject(ctx, zuora.ObjInvoiceItem, adj.SourceID, &it); err != nil {
		if zuora.IsNotFound(err) {
			j.itemWhy = fmt.Sprintf("the adjusted invoice item %s does not exist in Zuora", orID("", adj.SourceID))
			return nil
		}
		return fmt.Errorf("reading invoice item %s: %w", adj.SourceID, err)
	}
	j.itemName, j.amount = it.ChargeName, &it.ChargeAmount
	cat := newCatalogCache(a.Zuora)
	if err := cat.load(ctx, []zuora.InvoiceItem{it}); err != nil {
		return err
	}
	ch := cat.chargeOf(it)
	switch {
	case ch == nil:
		j.itemWhy = fmt.Sprintf("the adjusted invoice item %s (%s) has no product rate plan charge in Zuora, so it has no NetSuite item", it.ID, it.ChargeName)
	case ch.IntegrationID == "":
		j.itemWhy = fmt.Sprintf("charge %q (%s) of the adjusted item has not been synced to NetSuite (it has no Integration Id); sync the product catalog first", ch.Name, ch.ID)
	default:
		j.item, j.charge = ch.IntegrationID, ch
		if s.Transaction.LineClassificationSource == settings.ClassificationFromCharge {
			return j.lookups.classifications(ctx, chargeClass(*ch))
		}
	}
	return nil
}

// PrepareAdjustment re-checks the selection rule, runs the seed's validations
// and decides what the adjustment becomes in NetSuite. It only reads, but
// for linking a record Zuora's own connector made (cutover.go).
func (a *Activities) PrepareAdjustment(ctx context.Context, in workflows.AdjustmentSyncInput) (workflows.AdjustmentPlan, error) {
	ctx = nsFields(ctx, in.Settings)
	ctx = zuora.WithFieldNames(ctx, in.Settings.ZuoraFields.Names()) // the tenant's names of the connector's custom fields
	plan := workflows.AdjustmentPlan{AdjustmentID: in.AdjustmentID}
	j, gone, err := a.loadAdjustment(ctx, in.AdjustmentID, in.Settings)
	if err != nil {
		return plan, stepError("reading the adjustment", err)
	}
	plan.Number, plan.InvoiceNumber, plan.Type = j.adj.AdjustmentNumber, orID(j.inv.InvoiceNumber, j.adj.InvoiceNumber), j.adj.Type
	if gone != "" {
		plan.Outcome, plan.Reason = workflows.OutcomeError, gone
		if j.adj.ID == "" {
			plan.Outcome = workflows.OutcomeSkipped
		}
		return plan, nil
	}
	if ok, why := mapping.AdjustmentSelectable(j.adj, in.Settings); !ok {
		// Changed since selection (already synced, canceled, ...): leave it as it is.
		plan.Outcome, plan.Reason = workflows.OutcomeSkipped, why
		return plan, nil
	}
	// Issue 17: a record Zuora's own connector already made is linked, not made again (cutover.go).
	if done, err := a.adoptOldConnectorAdjustment(ctx, in.Settings, j, &plan); err != nil {
		return plan, stepError("looking for the NetSuite record Zuora's connector made", err)
	} else if done {
		return plan, nil
	}
	origType, origID := "", j.inv.IntegrationID
	if origID != "" {
		// A split invoice (issue 13): the part holding the adjusted item's line.
		if origID, err = a.partHolding(ctx, j.inv, j.adj.SourceID); err != nil {
			return plan, stepError("finding the invoice's NetSuite record", err)
		}
		if origType, err = a.transactionType(ctx, origID); err != nil {
			return plan, stepError("reading the invoice's NetSuite record", err)
		}
	}
	problems := mapping.ValidateAdjustment(mapping.AdjustmentContext{
		Adjustment: j.adj, Invoice: j.inv, Account: j.acct, Item: j.item, ItemProblem: j.itemWhy, OriginalType: origType, ItemAmount: j.amount,
	}, j.lookups.l)
	if len(problems) > 0 {
		plan.Outcome, plan.Reason = workflows.OutcomeError, problemText(problems)
		return plan, nil
	}
	target, ok := mapping.AdjustmentTarget(j.adj, j.inv.Amount.IsNegative())
	if !ok {
		plan.Outcome, plan.Reason = workflows.OutcomeError, fmt.Sprintf("adjustment type %q is neither Credit nor Charge", j.adj.Type)
		return plan, nil
	}
	plan.RecordType, plan.Creating, plan.Mode, plan.Note = target.RecordType, target.Creating, string(target.Mode), target.Note
	plan.OriginalID = origID
	return plan, nil
}

// transactionType is the NetSuite type (invoice | creditMemo) of the
// transaction with this internal id, or "" when there is none.
func (a *Activities) transactionType(ctx context.Context, id string) (string, error) {
	rows, err := a.NetSuite.QueryAll(ctx, "SELECT id, type FROM transaction WHERE id = "+netsuite.Quote(id)+" ORDER BY id")
	if err != nil {
		return "", fmt.Errorf("looking up NetSuite transaction %s: %w", id, err)
	}
	for _, r := range rows {
		switch fmt.Sprint(r["type"]) {
		case "CustInvc":
			return netsuite.TypeInvoice, nil
		case "CustCred":
			return netsuite.TypeCreditMemo, nil
		}
	}
	return "", nil
}

// MarkAdjustmentProcessing: seed "The Zuora invoice item adjustment's
// Integration Status is updated to Creating Invoice or Creating Credit Memo
// and Transferred to Accounting updated to Processing to indicate the record
// is currently being synced and to assist with error recovery."
func (a *Activities) MarkAdjustmentProcessing(ctx context.Context, in workflows.AdjustmentStepInput) error {
	if err := a.Zuora.UpdateObject(ctx, zuora.ObjInvoiceItemAdjustment, in.Plan.AdjustmentID, map[string]any{
		"TransferredToAccounting": zuora.TransferProcessing, "IntegrationStatus__NS": in.Plan.Creating,
	}); err != nil {
		return stepError("marking the adjustment Processing", err)
	}
	return nil
}

// WriteAdjustment makes sure the adjustment's NetSuite credit memo or invoice
// exists: found by its external id, or upserted by it. A Credit adjustment's
// credit memo carries its application to the original invoice in the same
// write; a Charge adjustment's invoice on a positive original carries the
// Related Transaction link.
func (a *Activities) WriteAdjustment(ctx context.Context, in workflows.AdjustmentStepInput) (workflows.AdjustmentWriteResult, error) {
	ctx = nsFields(ctx, in.Settings)
	plan := in.Plan
	ext := netsuite.AdjustmentExternalID(plan.AdjustmentID)
	existing, err := a.findByExternalID(ctx, ext)
	if err != nil {
		return workflows.AdjustmentWriteResult{}, stepError("looking for the adjustment's NetSuite record", err)
	}
	if existing != "" {
		// Made by an earlier attempt (or run) whose answer was lost: report it as made.
		return a.appliedBy(ctx, plan, existing)
	}
	j, gone, err := a.loadAdjustment(ctx, plan.AdjustmentID, in.Settings)
	if err != nil {
		return workflows.AdjustmentWriteResult{}, stepError("reading the adjustment", err)
	}
	if gone != "" {
		return workflows.AdjustmentWriteResult{}, temporal.NewNonRetryableApplicationError(gone, "Gone", nil)
	}
	customer := j.acct.IntegrationID
	if customer == "" {
		// The invoice synced, so its NetSuite record names the customer.
		orig, err := a.NetSuite.GetTransaction(ctx, origType(plan), plan.OriginalID)
		if err != nil {
			return workflows.AdjustmentWriteResult{}, stepError("reading the original NetSuite record", err)
		}
		if orig.Entity != nil {
			customer = orig.Entity.ID
		}
	}
	target := mapping.AdjustmentPlan{RecordType: plan.RecordType, Creating: plan.Creating, Mode: mapping.AdjustmentMode(plan.Mode)}
	amount := j.adj.Amount.Abs()
	apply, note := decimal.Zero, ""
	if target.Mode == mapping.ModeApplyToInvoice {
		remaining, err := a.amountRemaining(ctx, netsuite.TypeInvoice, plan.OriginalID, amount)
		if err != nil {
			return workflows.AdjustmentWriteResult{}, stepError("reading the original NetSuite invoice", err)
		}
		apply, note = mapping.ApplyAmount(amount, remaining, fmt.Sprintf("NetSuite invoice %s of invoice %s", plan.OriginalID, plan.InvoiceNumber))
	}
	src := mapping.AdjustmentLineSource{Adjustment: j.adj, Item: j.item, ItemName: j.itemName, Charge: j.charge, Account: j.acct}
	tx := mapping.AdjustmentTransaction(src, customer, target, plan.OriginalID, apply, j.lookups.l, in.Settings)
	// replace=item: the whole record is in tx, so a repeated upsert (a lost
	// answer) must replace its line rather than append it (real-api-gaps N2).
	id, err := a.NetSuite.Upsert(ctx, plan.RecordType, ext, tx, "item")
	if err != nil {
		return workflows.AdjustmentWriteResult{}, stepError("creating the NetSuite "+typeLabel(plan.RecordType), err)
	}
	res := workflows.AdjustmentWriteResult{NetSuiteID: id, Note: note}
	if apply.IsPositive() {
		res.AppliedTo, res.Applied = plan.OriginalID, apply.StringFixed(2)
	}
	return res, nil
}

// appliedBy reports an existing adjustment record and, for a credit memo
// applied to the original invoice, what it applies.
func (a *Activities) appliedBy(ctx context.Context, plan workflows.AdjustmentPlan, id string) (workflows.AdjustmentWriteResult, error) {
	res := workflows.AdjustmentWriteResult{NetSuiteID: id}
	if plan.Mode != string(mapping.ModeApplyToInvoice) {
		return res, nil
	}
	cm, err := a.NetSuite.GetTransaction(ctx, netsuite.TypeCreditMemo, id)
	if err != nil {
		return res, stepError("reading NetSuite credit memo "+id, err)
	}
	if applied := appliedTo(cm, plan.OriginalID); applied.IsPositive() {
		res.AppliedTo, res.Applied = plan.OriginalID, applied.StringFixed(2)
	}
	return res, nil
}

// ApplyOriginalCreditMemo: seed "If the original Zuora invoice was negative
// (and was synced to NetSuite as a credit memo), the new invoice from the
// adjustment is applied to that existing credit memo by updating the credit
// memo." An application already there is not made again.
func (a *Activities) ApplyOriginalCreditMemo(ctx context.Context, in workflows.AdjustmentStepInput) (workflows.AdjustmentWriteResult, error) {
	ctx = nsFields(ctx, in.Settings)
	plan := in.Plan
	res := workflows.AdjustmentWriteResult{NetSuiteID: in.NetSuiteID}
	cm, err := a.NetSuite.GetTransaction(ctx, netsuite.TypeCreditMemo, plan.OriginalID)
	if err != nil {
		return res, stepError("reading NetSuite credit memo "+plan.OriginalID, err)
	}
	if applied := appliedTo(cm, in.NetSuiteID); applied.IsPositive() {
		res.AppliedTo, res.Applied = plan.OriginalID, applied.StringFixed(2)
		return res, nil
	}
	inv, err := a.NetSuite.GetTransaction(ctx, netsuite.TypeInvoice, in.NetSuiteID)
	if err != nil {
		return res, stepError("reading NetSuite invoice "+in.NetSuiteID, err)
	}
	amount := decimal.Zero
	if inv.Total != nil {
		amount = *inv.Total
	}
	unapplied := decimal.Zero
	if cm.Total != nil {
		unapplied = cm.Total.Sub(appliedTo(cm, ""))
	}
	apply, note := mapping.ApplyAmount(amount, unapplied, fmt.Sprintf("credit memo %s of invoice %s", plan.OriginalID, plan.InvoiceNumber))
	res.Note = note
	if !apply.IsPositive() {
		return res, nil
	}
	// A map, not netsuite.Transaction: a PATCH must carry only the apply row.
	body := map[string]any{"apply": netsuite.Sublist[netsuite.Apply]{Items: []netsuite.Apply{{Doc: netsuite.RefTo(in.NetSuiteID), Apply: true, Amount: apply}}}}
	if err := a.NetSuite.Patch(ctx, netsuite.TypeCreditMemo, plan.OriginalID, body); err != nil {
		return res, stepError(fmt.Sprintf("applying credit memo %s to invoice %s", plan.OriginalID, in.NetSuiteID), err)
	}
	res.AppliedTo, res.Applied = plan.OriginalID, apply.StringFixed(2)
	return res, nil
}

// appliedTo sums a credit memo's applied rows to doc ("" = to any document).
func appliedTo(cm *netsuite.Transaction, doc string) decimal.Decimal {
	sum := decimal.Zero
	if cm == nil || cm.Apply == nil {
		return sum
	}
	for _, ap := range cm.Apply.Items {
		if ap.Apply && ap.Doc != nil && (doc == "" || ap.Doc.ID == doc) {
			sum = sum.Add(ap.Amount)
		}
	}
	return sum
}

// amountRemaining reads a NetSuite transaction's amountRemaining (fallback:
// when the field is absent, the whole amount is taken as open).
func (a *Activities) amountRemaining(ctx context.Context, recordType, id string, fallback decimal.Decimal) (decimal.Decimal, error) {
	var rec map[string]any
	if err := a.NetSuite.Get(ctx, recordType, id, false, &rec); err != nil {
		return decimal.Zero, err
	}
	v, ok := rec["amountRemaining"]
	if !ok || v == nil {
		return fallback, nil
	}
	d, err := decimal.NewFromString(fmt.Sprint(v))
	if err != nil {
		return fallback, nil
	}
	return d, nil
}

// CompleteAdjustment checks the NetSuite record against the adjustment to
// the cent, then: seed "Upon successful creation of the NetSuite invoice or
// credit memo, the new NetSuite internal ID is written to the Zuora invoice
// item adjustment record, the Integration Status is set to Sync Complete, and
// Transferred to Accounting is set to Yes."
func (a *Activities) CompleteAdjustment(ctx context.Context, in workflows.AdjustmentStepInput) error {
	ctx = nsFields(ctx, in.Settings)
	plan := in.Plan
	tx, err := a.NetSuite.GetTransaction(ctx, plan.RecordType, in.NetSuiteID)
	if err != nil {
		return stepError(fmt.Sprintf("reading back NetSuite %s %s", typeLabel(plan.RecordType), in.NetSuiteID), err)
	}
	var adj zuora.InvoiceItemAdjustment
	if err := a.Zuora.GetObject(ctx, zuora.ObjInvoiceItemAdjustment, plan.AdjustmentID, &adj); err != nil {
		return stepError("reading the invoice item adjustment", err)
	}
	if want := adj.Amount.Abs(); tx.Total != nil && !tx.Total.Equal(want) {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("NetSuite %s %s totals %s but the Zuora adjustment is %s; check its line",
			typeLabel(plan.RecordType), in.NetSuiteID, tx.Total.StringFixed(2), want.StringFixed(2)), "TotalMismatch", nil)
	}
	if err := a.Zuora.UpdateObject(ctx, zuora.ObjInvoiceItemAdjustment, plan.AdjustmentID, map[string]any{
		"IntegrationId__NS": in.NetSuiteID, "IntegrationStatus__NS": zuora.StatusSyncComplete,
		"TransferredToAccounting": zuora.TransferYes, "SyncDate__NS": zuoraDate(a.now()),
	}); err != nil {
		return stepError("writing back Sync Complete", err)
	}
	a.record(workflows.RecordAdjustment, workflows.OutcomeSynced)
	a.log(ctx).Info("adjustment synced", "adjustment_id", plan.AdjustmentID, "number", plan.Number, "netsuite_type", plan.RecordType, "netsuite_id", in.NetSuiteID)
	return nil
}

// MarkAdjustmentFailed records Error with the reason on the adjustment, so
// none stays Processing unexplained.
func (a *Activities) MarkAdjustmentFailed(ctx context.Context, in workflows.MarkFailedInput) error {
	if err := a.Zuora.UpdateObject(ctx, zuora.ObjInvoiceItemAdjustment, in.ID, map[string]any{
		"TransferredToAccounting": zuora.TransferError, "IntegrationStatus__NS": statusText("Error: ", in.Reason),
	}); err != nil {
		return retryable("recording error on invoice item adjustment "+in.ID, err)
	}
	a.record(workflows.RecordAdjustment, workflows.OutcomeError)
	a.log(ctx).Info("adjustment sync ended", "adjustment_id", in.ID, "outcome", workflows.OutcomeError, "reason", in.Reason)
	return nil
}

// stepError: an API refusal that retrying will not change (a rejected
// record) ends the adjustment in Error with the message; anything else is
// retried by Temporal.
func stepError(what string, err error) error {
	if permanent(err) {
		return temporal.NewNonRetryableApplicationError(what+": "+err.Error(), "Rejected", err)
	}
	return retryable(what, err)
}

func origType(plan workflows.AdjustmentPlan) string {
	if plan.Mode == string(mapping.ModeStandaloneCredit) || plan.Mode == string(mapping.ModeApplyOriginalCreditMemo) {
		return netsuite.TypeCreditMemo
	}
	return netsuite.TypeInvoice
}

func typeLabel(recordType string) string {
	if recordType == netsuite.TypeCreditMemo {
		return "credit memo"
	}
	return recordType
}

func orID(name, id string) string {
	if name != "" {
		return name
	}
	return id
}
