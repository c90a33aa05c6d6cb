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

// Debit memo sync (Invoice Settlement; reference §7): each Zuora debit memo
// becomes one NetSuite invoice, its lines made by the invoice line mapping
// and written in batches by the invoice's line writer (memo_lines.go).

// SelectDebitMemos returns the next page of debit memos eligible by §7.1, in
// Zuora id order after in.AfterID (keyset: a cursor that is an id never
// expires). Debit memos are REST only: the Posted ones are listed in pages
// of 40 and filtered here.
func (a *Activities) SelectDebitMemos(ctx context.Context, in workflows.SelectInput) (workflows.SelectResult, error) {
	s := in.Settings
	if ok, _ := mapping.DebitMemoSyncEnabled(s); !ok {
		return workflows.SelectResult{Done: true}, nil
	}
	var cands []zuora.DebitMemo
	for page := 1; ; page++ {
		memos, more, err := a.Zuora.ListDebitMemosPage(ctx, "Posted", page)
		if err != nil {
			return workflows.SelectResult{}, retryable("selecting debit memos", err)
		}
		for _, dm := range memos {
			if dm.ID > in.AfterID {
				cands = append(cands, dm)
			}
		}
		if !more {
			break
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].ID < cands[j].ID })
	var acctIDs []string
	for _, dm := range cands {
		acctIDs = append(acctIDs, dm.AccountID)
	}
	accts, err := a.accountsByID(ctx, acctIDs)
	if err != nil {
		return workflows.SelectResult{}, retryable("selecting debit memos", err)
	}
	limit := max(in.Limit, 1)
	res := workflows.SelectResult{Done: true}
	for i, dm := range cands {
		acct := accts[dm.AccountID]
		switch {
		case acct == nil:
			// Its sync records that the account is missing.
			res.Records = append(res.Records, workflows.SelectedRecord{ID: dm.ID, Number: dm.Number})
		case selectableDebitMemo(dm, *acct, s):
			res.Records = append(res.Records, workflows.SelectedRecord{ID: dm.ID, Number: dm.Number, AccountNumber: acct.AccountNumber})
		default:
			res.NotSelected++
		}
		if len(res.Records) == limit {
			res.Done = i+1 == len(cands)
			return res, nil
		}
	}
	return res, nil
}

func selectableDebitMemo(dm zuora.DebitMemo, acct zuora.Account, s settings.Settings) bool {
	ok, _ := mapping.DebitMemoSelectable(dm, acct, s)
	return ok
}

// accountsByID reads accounts by id (nil in the map: not in Zuora).
func (a *Activities) accountsByID(ctx context.Context, ids []string) (map[string]*zuora.Account, error) {
	out := map[string]*zuora.Account{}
	ids = uniqueSorted(ids)
	if len(ids) == 0 {
		return out, nil
	}
	accts, err := zoqlByIDs[zuora.Account](ctx, a.Zuora, zuora.ObjAccount, accountFields, "Id", ids)
	if err != nil {
		return nil, err
	}
	for i := range accts {
		out[accts[i].ID] = &accts[i]
	}
	return out, nil
}

// debitMemoJob is what one debit memo step reads.
type debitMemoJob struct {
	dm      zuora.DebitMemo
	acct    zuora.Account
	items   []zuora.DebitMemoItem
	charges map[string]*zuora.ProductRatePlanCharge // by item id
	subs    map[string]*zuora.Subscription          // by item id
	lookups *lookupResolver
	gone    string // a Zuora record it needs does not exist: why
}

// loadDebitMemo reads the memo, its account and items, and resolves each
// item's catalog charge and subscription and the NetSuite names its lines need.
func (a *Activities) loadDebitMemo(ctx context.Context, id string, s settings.Settings) (*debitMemoJob, error) {
	j := &debitMemoJob{lookups: newLookupResolver(a.NetSuite), charges: map[string]*zuora.ProductRatePlanCharge{}, subs: map[string]*zuora.Subscription{}}
	dm, err := a.Zuora.GetDebitMemo(ctx, id)
	if err != nil {
		if zuora.IsNotFound(err) {
			j.gone = "the debit memo no longer exists in Zuora"
			return j, nil
		}
		return nil, fmt.Errorf("reading the debit memo: %w", err)
	}
	j.dm = *dm
	if err := a.Zuora.GetObject(ctx, zuora.ObjAccount, dm.AccountID, &j.acct); err != nil {
		if zuora.IsNotFound(err) {
			j.gone = fmt.Sprintf("the debit memo's account %s does not exist in Zuora", dm.AccountID)
			return j, nil
		}
		return nil, fmt.Errorf("reading account %s: %w", dm.AccountID, err)
	}
	if j.items, err = a.Zuora.ListDebitMemoItems(ctx, id); err != nil {
		return nil, fmt.Errorf("reading the debit memo's items: %w", err)
	}
	if err := a.debitMemoCatalog(ctx, j); err != nil {
		return nil, err
	}
	holders := []classified{accountClass(j.acct)}
	var codes []string
	for _, it := range j.items {
		if ch := j.charges[it.ID]; ch != nil && s.Transaction.LineClassificationSource == settings.ClassificationFromCharge {
			holders = append(holders, chargeClass(*ch))
		}
		for _, t := range it.TaxItems {
			codes = appendNonEmpty(codes, t.FinanceInformation.SalesTaxPayableAccountingCode)
		}
	}
	if err := j.lookups.classifications(ctx, holders...); err != nil {
		return nil, err
	}
	if err := j.lookups.taxItems(ctx, codes...); err != nil {
		return nil, err
	}
	return j, nil
}

// itemSource is what leads a memo item to its catalog charge (a memo item
// has no charge id): its source and subscription.
type itemSource struct {
	ID, SourceItemType, SourceItemID, SubscriptionID string
}

// debitMemoCatalog resolves the debit memo's items to charges and subscriptions.
func (a *Activities) debitMemoCatalog(ctx context.Context, j *debitMemoJob) error {
	srcs := make([]itemSource, len(j.items))
	for i, it := range j.items {
		srcs[i] = itemSource{it.ID, it.SourceItemType, it.SourceItemID, it.SubscriptionID}
	}
	var err error
	j.charges, j.subs, err = a.catalogBySource(ctx, srcs)
	return err
}

// catalogBySource finds each memo item's catalog charge by its source: a
// product rate plan charge directly, a subscription charge
// (SubscriptionComponent) or an invoice item (InvoiceDetail) through its
// rate plan charge; and its subscription. Reuses the invoice sync's catalog
// cache. Maps are by item id; nil entries: none in Zuora.
func (a *Activities) catalogBySource(ctx context.Context, items []itemSource) (map[string]*zuora.ProductRatePlanCharge, map[string]*zuora.Subscription, error) {
	charges, subs := map[string]*zuora.ProductRatePlanCharge{}, map[string]*zuora.Subscription{}
	cat := newCatalogCache(a.Zuora)
	var direct, invItems []string
	for _, it := range items {
		switch it.SourceItemType {
		case zuora.SourceProductRatePlanCharge:
			direct = append(direct, it.SourceItemID)
		case zuora.SourceInvoiceDetail:
			invItems = append(invItems, it.SourceItemID)
		}
	}
	rpcOfInvoiceItem := map[string]string{}
	if len(invItems) > 0 {
		iis, err := zoqlByIDs[zuora.InvoiceItem](ctx, a.Zuora, zuora.ObjInvoiceItem, "Id, RatePlanChargeId, SubscriptionId", "Id", uniqueSorted(invItems))
		if err != nil {
			return nil, nil, fmt.Errorf("reading the invoice items memo items come from: %w", err)
		}
		for _, ii := range iis {
			rpcOfInvoiceItem[ii.ID] = ii.RatePlanChargeID
		}
	}
	viaRPC := make([]zuora.InvoiceItem, len(items))
	for i, it := range items {
		viaRPC[i] = zuora.InvoiceItem{ID: it.ID, SubscriptionID: it.SubscriptionID}
		switch it.SourceItemType {
		case zuora.SourceSubscriptionComponent:
			viaRPC[i].RatePlanChargeID = it.SourceItemID
		case zuora.SourceInvoiceDetail:
			viaRPC[i].RatePlanChargeID = rpcOfInvoiceItem[it.SourceItemID]
		}
	}
	if err := cat.load(ctx, viaRPC); err != nil {
		return nil, nil, err
	}
	if len(direct) > 0 {
		prpcs, err := zoqlByIDs[zuora.ProductRatePlanCharge](ctx, a.Zuora, zuora.ObjProductRatePlanCharge, prpcFields, "Id", uniqueSorted(direct))
		if err != nil {
			return nil, nil, fmt.Errorf("reading product rate plan charges: %w", err)
		}
		for _, p := range prpcs {
			cat.charges[p.ID] = p
		}
	}
	for i, it := range items {
		if it.SourceItemType == zuora.SourceProductRatePlanCharge {
			if ch, ok := cat.charges[it.SourceItemID]; ok {
				charges[it.ID] = &ch
			}
		} else {
			charges[it.ID] = cat.chargeOf(viaRPC[i])
		}
		subs[it.ID] = cat.subscriptionOf(viaRPC[i])
	}
	return charges, subs, nil
}

func (j *debitMemoJob) lines(s settings.Settings) []netsuite.Line {
	return mapping.DebitMemoLines(j.items, j.charges, j.subs, j.acct, j.lookups.l, s)
}

// PrepareDebitMemo re-checks selection and applies every §7.2 validation and
// NetSuite's line ceiling, before anything is written. A memo that cannot
// sync is marked here (Error or Ignore with the reason) and the plan says so.
func (a *Activities) PrepareDebitMemo(ctx context.Context, in workflows.DebitMemoSyncInput) (workflows.DebitMemoPlan, error) {
	ctx = nsFields(ctx, in.Settings)
	s := in.Settings
	plan := workflows.DebitMemoPlan{DebitMemoID: in.DebitMemoID}
	if ok, why := mapping.DebitMemoSyncEnabled(s); !ok {
		plan.Outcome, plan.Reason = workflows.OutcomeSkipped, why
		return plan, nil
	}
	j, err := a.loadDebitMemo(ctx, in.DebitMemoID, s)
	if err != nil {
		return plan, memoStepError("reading the debit memo", err)
	}
	plan.Number, plan.AccountNumber = j.dm.Number, j.acct.AccountNumber
	if j.gone != "" {
		if j.dm.ID == "" { // the memo itself is gone: nothing to mark
			plan.Outcome, plan.Reason = workflows.OutcomeSkipped, j.gone
			return plan, nil
		}
		return a.endDebitMemo(ctx, plan, workflows.OutcomeError, j.gone)
	}
	if ok, why := mapping.DebitMemoSelectable(j.dm, j.acct, s); !ok {
		// Changed since selection (already synced, canceled, ...): left as it is.
		plan.Outcome, plan.Reason = workflows.OutcomeSkipped, why
		return plan, nil
	}
	if ps := mapping.ValidateDebitMemo(j.acct, j.items, j.charges, j.subs, j.lookups.l, s); len(ps) > 0 {
		return a.endDebitMemo(ctx, plan, workflows.OutcomeError, problemText(ps))
	}
	plan.Lines = len(j.lines(s))
	switch {
	case plan.Lines == 0:
		return a.endDebitMemo(ctx, plan, workflows.OutcomeIgnored,
			"the debit memo has no item to sync: every item is zero-amount and the advanced settings leave zero-amount items out")
	case plan.Lines > s.Invoice.LineCeiling:
		// As an invoice under invoice.overCeiling=ignore: decided before any
		// write, so no partial invoice is left in accounts receivable.
		return a.endDebitMemo(ctx, plan, workflows.OutcomeIgnored, fmt.Sprintf(
			"the debit memo has %d lines for NetSuite, above NetSuite's line ceiling of %d per transaction (invoice.lineCeiling); sync it by hand",
			plan.Lines, s.Invoice.LineCeiling))
	}
	return plan, nil
}

// endDebitMemo records Error or Ignore with the reason on the memo.
func (a *Activities) endDebitMemo(ctx context.Context, plan workflows.DebitMemoPlan, outcome, reason string) (workflows.DebitMemoPlan, error) {
	if err := a.markDebitMemo(ctx, plan.DebitMemoID, outcome, reason); err != nil {
		return plan, err
	}
	plan.Outcome, plan.Reason = outcome, reason
	return plan, nil
}

func (a *Activities) markDebitMemo(ctx context.Context, id, outcome, reason string) error {
	transfer, prefix := zuora.TransferError, "Error: "
	if outcome == workflows.OutcomeIgnored {
		transfer, prefix = zuora.TransferIgnore, "Ignore: "
	}
	if err := a.Zuora.UpdateDebitMemo(ctx, id, zuora.DebitMemoUpdate{
		TransferredToAccounting: ptr(transfer), IntegrationStatus: ptr(statusText(prefix, reason)),
	}); err != nil {
		return retryable("recording "+outcome+" on debit memo "+id, err)
	}
	a.record(workflows.RecordDebitMemo, outcome)
	a.log(ctx).Info("debit memo sync ended", "debit_memo_id", id, "outcome", outcome, "reason", reason)
	return nil
}

// MarkDebitMemoProcessing: §7.3 "Integration Status = Creating Debit Memo and
// TTA = Processing" before the write, for error recovery.
func (a *Activities) MarkDebitMemoProcessing(ctx context.Context, in workflows.DebitMemoStepInput) error {
	if err := a.stillCurrent(ctx); err != nil {
		return err
	}
	if err := a.Zuora.UpdateDebitMemo(ctx, in.Plan.DebitMemoID, zuora.DebitMemoUpdate{
		TransferredToAccounting: ptr(zuora.TransferProcessing), IntegrationStatus: ptr(zuora.StatusCreatingDebitMemo),
	}); err != nil {
		return memoStepError("marking the debit memo Processing", err)
	}
	return nil
}

// WriteDebitMemo makes sure the memo's NetSuite invoice exists with all its
// lines: found by its external id (made by an earlier attempt or run whose
// answer was lost) and completed, or created; returns its internal id.
func (a *Activities) WriteDebitMemo(ctx context.Context, in workflows.DebitMemoStepInput) (string, error) {
	ctx = nsFields(ctx, in.Settings)
	j, err := a.loadDebitMemo(ctx, in.Plan.DebitMemoID, in.Settings)
	if err != nil {
		return "", memoStepError("reading the debit memo", err)
	}
	if j.gone != "" {
		return "", temporal.NewNonRetryableApplicationError(j.gone, "Gone", nil)
	}
	header := mapping.DebitMemoHeader(j.dm, j.acct, j.lookups.l, in.Settings)
	id, err := a.writeWithLines(ctx, netsuite.TypeInvoice, header, j.lines(in.Settings), in.Settings)
	if err != nil {
		return "", memoStepError("writing NetSuite invoice "+header.ExternalID, err)
	}
	return id, nil
}

// CompleteDebitMemo checks the NetSuite invoice against the memo to the
// cent, then: §7.3 "The NS internal ID is written back, Integration Status
// becomes Sync Complete, and TTA becomes Yes".
func (a *Activities) CompleteDebitMemo(ctx context.Context, in workflows.DebitMemoStepInput) (workflows.DebitMemoSyncResult, error) {
	ctx = nsFields(ctx, in.Settings)
	res := workflows.DebitMemoSyncResult{DebitMemoID: in.Plan.DebitMemoID, NetSuiteID: in.NetSuiteID}
	dm, err := a.Zuora.GetDebitMemo(ctx, in.Plan.DebitMemoID)
	if err != nil {
		return res, memoStepError("reading the debit memo", err)
	}
	var tx netsuite.Transaction
	if err := a.NetSuite.Get(ctx, netsuite.TypeInvoice, in.NetSuiteID, false, &tx); err != nil {
		return res, memoStepError("reading back NetSuite invoice "+in.NetSuiteID, err)
	}
	dups, err := a.duplicateLines(ctx, in.NetSuiteID)
	if err != nil {
		return res, memoStepError("reading back NetSuite invoice "+in.NetSuiteID, err)
	}
	if len(dups) > 0 {
		return res, temporal.NewNonRetryableApplicationError(duplicateReason(netsuite.TypeInvoice, in.NetSuiteID, dups), "DuplicateLines", nil)
	}
	if in.Settings.Advanced.UseStandardInvoiceSync {
		if tx.Total == nil {
			return res, fmt.Errorf("NetSuite invoice %s was read back without its total", in.NetSuiteID)
		}
		if !tx.Total.Equal(dm.Amount) {
			return res, temporal.NewNonRetryableApplicationError(fmt.Sprintf("NetSuite invoice %s totals %s but the Zuora debit memo amounts to %s; check its lines",
				in.NetSuiteID, tx.Total.StringFixed(2), dm.Amount.StringFixed(2)), "TotalMismatch", nil)
		}
	}
	if err := a.stillCurrent(ctx); err != nil {
		return res, err
	}
	if err := a.Zuora.UpdateDebitMemo(ctx, in.Plan.DebitMemoID, zuora.DebitMemoUpdate{
		IntegrationID: ptr(in.NetSuiteID), IntegrationStatus: ptr(zuora.StatusSyncComplete),
		TransferredToAccounting: ptr(zuora.TransferYes), SyncDate: ptr(zuoraDate(a.now())),
	}); err != nil {
		return res, memoStepError("writing back Sync Complete", err)
	}
	a.record(workflows.RecordDebitMemo, workflows.OutcomeSynced)
	a.log(ctx).Info("debit memo synced", "debit_memo_id", in.Plan.DebitMemoID, "number", in.Plan.Number, "netsuite_id", in.NetSuiteID)
	res.Outcome = workflows.OutcomeSynced
	return res, nil
}

// MarkDebitMemoFailed records Error with the reason on the memo, so none
// stays Processing unexplained.
func (a *Activities) MarkDebitMemoFailed(ctx context.Context, in workflows.MarkFailedInput) error {
	return a.markDebitMemo(ctx, in.ID, workflows.OutcomeError, in.Reason)
}

// memoStepError is stepError, except that an attempt told to stop writing
// (stale, or Temporal could not say) is retried, never taken for a refusal.
func memoStepError(what string, err error) error {
	if stopWriting(err) {
		return retryable(what, err)
	}
	return stepError(what, err)
}
