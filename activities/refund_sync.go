package activities

import (
	"context"
	"errors"
	"fmt"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// Zuora refunds → NetSuite customer refunds (issue 16; rules in
// internal/mapping/refund.go; the two steps in workflows/refund_sync.go).

// ZOQL field lists of the refund sync.
const (
	refundPartFields = "Id, RefundId, InvoicePaymentId, RefundAmount"
)

// SelectRefunds returns the next page of Processed payment refunds pending
// transfer after the cursor whose account may sync, cut from the run's
// snapshot (selection.go). A refund whose account is missing in Zuora, or
// that does not decode, is selected so that its sync records the reason.
func (a *Activities) SelectRefunds(ctx context.Context, in workflows.SelectInput) (workflows.SelectResult, error) {
	return accountKeysetPage(ctx, a.Zuora, mapping.RefundSelectionZOQL(in.Settings), "refunds", in,
		func(r zuora.Refund) string { return r.ID }, func(r zuora.Refund) string { return r.AccountID },
		func(r zuora.Refund, acct *zuora.Account) (workflows.SelectedRecord, bool) {
			rec := workflows.SelectedRecord{ID: r.ID, Number: r.RefundNumber}
			if acct == nil {
				return rec, true // the account is missing in Zuora: the sync says so
			}
			rec.AccountNumber = acct.AccountNumber
			ok, _ := mapping.RefundSelectable(r, *acct, in.Settings)
			return rec, ok
		})
}

// UnapplyRefundPayment is step 1 of a refund (§4.4): re-check the selection,
// validate, mark the refund Updating Payment / Processing, and set the
// NetSuite payment's apply lines to what stays applied after every refund so
// far (InvoicePayment.Amount − RefundAmount; on Invoice Settlement the
// payment's current parts, mapping.BuildRefundIS). The lines are a target, not a
// delta: run again (a retry, a crash before step 2, the next run) it
// changes nothing, so the payment is never unapplied twice.
func (a *Activities) UnapplyRefundPayment(ctx context.Context, in workflows.RefundSyncInput) (workflows.RefundPlan, error) {
	plan := workflows.RefundPlan{RefundID: in.RefundID}
	rs, err := zoqlByIDs[zuora.Refund](ctx, a.Zuora, zuora.ObjRefund, mapping.RefundFields, "Id", []string{in.RefundID})
	if err != nil {
		return plan, retryable("reading refund "+in.RefundID, err)
	}
	if len(rs) == 0 {
		plan.Outcome, plan.Reason = workflows.OutcomeSkipped, "the refund no longer exists in Zuora"
		return plan, nil
	}
	r := rs[0]
	plan.Number = r.RefundNumber
	fail := func(reason string) (workflows.RefundPlan, error) {
		if err := a.MarkRefundFailed(ctx, workflows.MarkFailedInput{RecordType: workflows.RecordRefund, ID: r.ID, Reason: reason}); err != nil {
			return plan, err
		}
		plan.Outcome, plan.Reason = workflows.OutcomeError, reason
		return plan, nil
	}
	accts, err := zoqlByIDs[zuora.Account](ctx, a.Zuora, zuora.ObjAccount, accountFields, "Id", []string{r.AccountID})
	if err != nil {
		return plan, retryable("reading the refund's account", err)
	}
	if len(accts) == 0 {
		return fail(fmt.Sprintf("the refund's account %s does not exist in Zuora", r.AccountID))
	}
	acct := accts[0]
	if ok, why := mapping.RefundSelectable(r, acct, in.Settings); !ok {
		// Synced meanwhile, cancelled, or no longer eligible: nothing is marked.
		plan.Outcome, plan.Reason = workflows.OutcomeSkipped, why
		return plan, nil
	}
	var pay *zuora.Payment
	if r.PaymentID != "" {
		pays, err := zoqlByIDs[zuora.Payment](ctx, a.Zuora, zuora.ObjPayment, mapping.PaymentFields, "Id", []string{r.PaymentID})
		if err != nil {
			return plan, retryable("reading the refunded payment", err)
		}
		if len(pays) > 0 {
			pay = &pays[0]
		}
	}
	is := in.Settings.Advanced.InvoiceSettlement
	var apps []mapping.RefundedApplication
	var parts []zuora.RefundInvoicePayment
	var isApps []mapping.SyncedApplication
	switch {
	case pay != nil && is:
		// §4.7: on IS the payment's current parts (InvoicePayment and
		// RefundInvoicePayment are refused there, docs/wire.md).
		if isApps, err = a.paymentPartApplications(ctx, pay.ID); err != nil {
			return plan, err
		}
	case pay != nil:
		if apps, err = a.refundedApplications(ctx, pay.ID); err != nil {
			return plan, err
		}
		parts, err = zuora.QueryAll[zuora.RefundInvoicePayment](ctx, a.Zuora, "select "+refundPartFields+" from RefundInvoicePayment where RefundId = "+zuora.Quote(r.ID))
		if err != nil {
			return plan, retryable("reading the refund's invoice parts", err)
		}
	}
	lookups := newLookupResolver(a.NetSuite)
	if err := lookups.classifications(ctx, accountClass(acct)); err != nil {
		return plan, retryable("resolving the account's NetSuite classifications", err)
	}
	withMethod, err := lookups.withPaymentMethodByName(ctx, in.Settings, r.MethodType)
	if err != nil {
		return plan, retryable("looking up the NetSuite payment method named "+r.MethodType, err)
	}
	var built mapping.RefundPlan
	var problems []mapping.Problem
	if is {
		built, problems = mapping.BuildRefundIS(r, acct, pay, isApps, lookups.l, withMethod)
	} else {
		built, problems = mapping.BuildRefund(r, acct, pay, apps, parts, lookups.l, withMethod)
	}
	if len(problems) > 0 {
		return fail(problemText(problems))
	}
	plan.Refund = workflows.CustomerRefundPlan{
		ExternalID: built.Refund.ExternalID, Customer: built.Refund.Customer, Payment: built.Refund.Payment, Amount: built.Refund.Amount,
		TranDate: built.Refund.TranDate, Memo: built.Refund.Memo, PaymentMethod: built.Refund.PaymentMethod,
		Class: built.Refund.Class, Department: built.Refund.Department, Location: built.Refund.Location,
	}
	for _, l := range built.PaymentApply {
		plan.PaymentApply = append(plan.PaymentApply, workflows.RefundApplyLine{Doc: l.Doc, Amount: l.Amount})
	}

	// §4.4 step 1 (decided: the refund carries the status, docs/settings.md).
	if err := a.stillCurrent(ctx); err != nil {
		return plan, err
	}
	if err := a.Zuora.UpdateObject(ctx, zuora.ObjRefund, r.ID, map[string]any{
		"IntegrationStatus__NS": zuora.StatusUpdatingPayment, "TransferredToAccounting": zuora.TransferProcessing,
	}); err != nil {
		return plan, stepError("marking refund "+r.RefundNumber+" Updating Payment", err)
	}
	items := make([]any, len(plan.PaymentApply))
	for i, l := range plan.PaymentApply {
		// A line refunded in full is unapplied (apply false), not applied with 0.
		items[i] = map[string]any{"doc": map[string]any{"id": l.Doc}, "apply": l.Amount.IsPositive(), "amount": l.Amount.StringFixed(2)}
	}
	if err := a.stillCurrent(ctx); err != nil {
		return plan, err
	}
	// Without IS replaceAll=false (no ?replace=apply): each line keyed by its
	// invoice is set. On IS the list is replaced by the payment's parts, as
	// the IS payment sync rewrites it (writeCustomerPayment): a document
	// Zuora no longer applies the payment to has no line left.
	var replace []string
	if is {
		replace = []string{"apply"}
	}
	if err := a.NetSuite.Patch(ctx, netsuite.TypeCustomerPayment, plan.Refund.Payment, map[string]any{"apply": map[string]any{"items": items}}, replace...); err != nil {
		if permanent(err) {
			return fail("NetSuite refused to unapply the refunded amount from customer payment " + plan.Refund.Payment + ": " + err.Error())
		}
		return plan, retryable("unapplying the refunded amount from the NetSuite customer payment", err)
	}
	heartbeat(ctx, "payment unapplied")
	return plan, nil
}

// CreateCustomerRefund is step 2 (§4.4): mark Creating Refund, find the
// NetSuite customer refund by external id or create it, then write its id
// back with Sync Complete / Transferred To Accounting Yes.
func (a *Activities) CreateCustomerRefund(ctx context.Context, in workflows.RefundStepInput) (workflows.RefundSyncResult, error) {
	p := in.Plan
	res := workflows.RefundSyncResult{RefundID: p.RefundID, Number: p.Number}
	if err := a.stillCurrent(ctx); err != nil {
		return res, err
	}
	if err := a.Zuora.UpdateObject(ctx, zuora.ObjRefund, p.RefundID, map[string]any{"IntegrationStatus__NS": zuora.StatusCreatingRefund}); err != nil {
		return res, stepError("marking refund "+p.Number+" Creating Refund", err)
	}
	nsID, err := a.writeCustomerRefund(ctx, p.Refund, in.Settings.NetSuite.Fields.ZuoraID, p.RefundID)
	if err != nil {
		if permanent(err) {
			reason := "NetSuite refused the customer refund: " + err.Error()
			if ferr := a.MarkRefundFailed(ctx, workflows.MarkFailedInput{RecordType: workflows.RecordRefund, ID: p.RefundID, Reason: reason}); ferr != nil {
				return res, ferr
			}
			res.Outcome, res.Reason = workflows.OutcomeError, reason
			return res, nil
		}
		return res, retryable("creating the NetSuite customer refund", err)
	}
	if err := a.stillCurrent(ctx); err != nil {
		return res, err
	}
	if err := a.Zuora.UpdateObject(ctx, zuora.ObjRefund, p.RefundID, map[string]any{
		"IntegrationId__NS": nsID, "SyncDate__NS": zuoraDate(a.now()), "IntegrationStatus__NS": zuora.StatusSyncComplete,
		"TransferredToAccounting": zuora.TransferYes, "Origin__NS": "ZUORA",
	}); err != nil {
		return res, stepError("recording the synced refund "+p.Number+" in Zuora", err)
	}
	a.record(workflows.RecordRefund, workflows.OutcomeSynced)
	res.Outcome, res.NetSuiteID = workflows.OutcomeSynced, nsID
	return res, nil
}

// writeCustomerRefund returns the NetSuite customer refund with the Zuora
// refund's external id, creating it only if there is none (§0.3).
func (a *Activities) writeCustomerRefund(ctx context.Context, cr workflows.CustomerRefundPlan, zuoraIDField, zuoraID string) (string, error) {
	var found struct {
		ID string `json:"id"`
	}
	err := a.NetSuite.Get(ctx, netsuite.TypeCustomerRefund, "eid:"+cr.ExternalID, false, &found)
	var ae *netsuite.APIError
	switch {
	case err == nil && found.ID != "":
		return found.ID, nil
	case err != nil && !(errors.As(err, &ae) && ae.Status == 404):
		return "", err
	}
	body := map[string]any{
		"customer": map[string]any{"id": cr.Customer},
		"apply":    map[string]any{"items": []any{map[string]any{"doc": map[string]any{"id": cr.Payment}, "apply": true, "amount": cr.Amount.StringFixed(2)}}},
	}
	if cr.TranDate != "" {
		body["tranDate"] = cr.TranDate
	}
	if cr.Memo != "" {
		body["memo"] = cr.Memo
	}
	if cr.PaymentMethod != "" {
		body["paymentMethod"] = map[string]any{"id": cr.PaymentMethod}
	}
	for field, id := range map[string]string{"class": cr.Class, "department": cr.Department, "location": cr.Location} {
		if id != "" {
			body[field] = map[string]any{"id": id}
		}
	}
	if zuoraIDField != "" {
		body[zuoraIDField] = zuoraID
	}
	if err := a.stillCurrent(ctx); err != nil {
		return "", err
	}
	return a.NetSuite.Upsert(ctx, netsuite.TypeCustomerRefund, cr.ExternalID, body)
}

// refundedApplications are the payment's InvoicePayments with what has been
// refunded from each and each invoice's NetSuite id.
func (a *Activities) refundedApplications(ctx context.Context, paymentID string) ([]mapping.RefundedApplication, error) {
	ips, byID, err := a.invoicePayments(ctx, paymentID)
	if err != nil {
		return nil, err
	}
	out := make([]mapping.RefundedApplication, 0, len(ips))
	for _, ip := range ips {
		inv := byID[ip.InvoiceID]
		out = append(out, mapping.RefundedApplication{InvoicePaymentID: ip.ID, InvoiceNumber: orID(inv.InvoiceNumber, ip.InvoiceID),
			NetSuiteID: firstID(inv.IntegrationID), Amount: ip.Amount, RefundAmount: ip.RefundAmount})
	}
	return out, nil
}

// MarkRefundFailed records Error Creating Refund with the reason
// (Transferred To Accounting Error keeps it eligible for the next run).
func (a *Activities) MarkRefundFailed(ctx context.Context, in workflows.MarkFailedInput) error {
	if err := a.stillCurrent(ctx); err != nil {
		return err
	}
	if err := a.Zuora.UpdateObject(ctx, zuora.ObjRefund, in.ID, map[string]any{
		"TransferredToAccounting": zuora.TransferError, "IntegrationStatus__NS": statusText(zuora.StatusErrorCreatingRefund+": ", in.Reason),
	}); err != nil {
		return retryable("recording error on refund "+in.ID, err)
	}
	a.record(workflows.RecordRefund, workflows.OutcomeError)
	a.log(ctx).Info("refund sync ended", "refund_id", in.ID, "outcome", workflows.OutcomeError, "reason", in.Reason)
	return nil
}
