package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// ZOQL field lists of the payment sync (ZOQLReads lists them for preflight).
const (
	invoicePaymentFields = "Id, InvoiceId, Amount, RefundAmount"
	paidInvoiceFields    = "Id, InvoiceNumber, AccountId, IntegrationId__NS"
	paymentMethodFields  = "Id, Type"
)

// SyncPayment syncs one Zuora payment to a NetSuite customer payment
// (reference money-sync §1 without Invoice Settlement, §2 with it: the
// applications are then the payment parts, to invoices and debit memos, and
// a payment may be unapplied or unassigned). Every step
// can run again: the NetSuite payment is looked for by its external id before
// it is created, so retries, a crash after the create, or two overlapping
// attempts make one NetSuite payment; the Zuora write-backs set values.
func (a *Activities) SyncPayment(ctx context.Context, in workflows.PaymentSyncInput) (workflows.PaymentSyncResult, error) {
	res := workflows.PaymentSyncResult{PaymentID: in.PaymentID}
	s := in.Settings
	pays, err := zoqlByIDs[zuora.Payment](ctx, a.Zuora, zuora.ObjPayment, mapping.PaymentFields, "Id", []string{in.PaymentID})
	if err != nil {
		return res, retryable("reading payment "+in.PaymentID, err)
	}
	if len(pays) == 0 {
		res.Outcome, res.Reason = workflows.OutcomeSkipped, "the payment no longer exists in Zuora"
		return res, nil
	}
	p := pays[0]
	res.Number = p.PaymentNumber
	var acct *zuora.Account
	if p.AccountID != "" {
		accts, err := zoqlByIDs[zuora.Account](ctx, a.Zuora, zuora.ObjAccount, accountFields, "Id", []string{p.AccountID})
		if err != nil {
			return res, retryable("reading the payment's account", err)
		}
		if len(accts) == 0 {
			return a.failPayment(ctx, res, fmt.Sprintf("the payment's account %s does not exist in Zuora", p.AccountID))
		}
		acct = &accts[0]
	}
	if ok, why := mapping.PaymentSelectable(p, acct, s); !ok {
		// Synced meanwhile (another run, Transferred To Accounting Yes), voided,
		// or no longer eligible: nothing to do, and nothing is marked.
		res.Outcome, res.Reason = workflows.OutcomeSkipped, why
		return res, nil
	}
	var apps []mapping.SyncedApplication
	if s.Advanced.InvoiceSettlement {
		// §2.2: on IS the applications are the payment parts (the
		// InvoicePayment object is refused there, docs/wire.md).
		apps, err = a.paymentPartApplications(ctx, p.ID)
	} else {
		apps, err = a.paymentApplications(ctx, p.ID)
	}
	if err != nil {
		return res, err
	}
	methodType, err := a.paymentMethodType(ctx, p.PaymentMethodID)
	if err != nil {
		return res, err
	}
	lk := newLookupResolver(a.NetSuite)
	if acct != nil {
		if err := lk.classifications(ctx, accountClass(*acct)); err != nil {
			return res, retryable("looking up the account's NetSuite classifications", err)
		}
	}
	if s, err = lk.withPaymentMethodByName(ctx, s, methodType); err != nil {
		return res, retryable("looking up the NetSuite payment method named "+methodType, err)
	}
	cp, skip, problems := mapping.BuildCustomerPayment(p, acct, methodType, apps, lk.l, s)
	switch {
	case skip != "":
		res.Outcome, res.Reason = workflows.OutcomeSkipped, skip
		return res, nil
	case len(problems) > 0:
		return a.failPayment(ctx, res, problemText(problems))
	}

	// §1.3: Creating Payment / Processing before the NetSuite write.
	if err := a.stillCurrent(ctx); err != nil {
		return res, err
	}
	if err := a.Zuora.UpdateObject(ctx, zuora.ObjPayment, p.ID, map[string]any{
		"IntegrationStatus__NS": zuora.StatusCreatingPayment, "TransferredToAccounting": zuora.TransferProcessing,
	}); err != nil {
		return res, stepError("marking payment "+p.PaymentNumber+" Creating Payment", err)
	}
	// nsFields: the body's Origin field goes out under the account's id.
	nsID, err := a.writeCustomerPayment(nsFields(ctx, s), cp, s.NetSuite.Fields.ZuoraID)
	if err != nil {
		if permanent(err) {
			return a.failPayment(ctx, res, "NetSuite refused the customer payment: "+err.Error())
		}
		return res, retryable("creating the NetSuite customer payment", err)
	}
	if err := a.stillCurrent(ctx); err != nil {
		return res, err
	}
	if err := a.Zuora.UpdateObject(ctx, zuora.ObjPayment, p.ID, map[string]any{
		"IntegrationId__NS": nsID, "SyncDate__NS": zuoraDate(a.now()), "IntegrationStatus__NS": zuora.StatusSyncComplete,
		"TransferredToAccounting": zuora.TransferYes, "Origin__NS": "ZUORA",
	}); err != nil {
		return res, stepError("recording the synced payment "+p.PaymentNumber+" in Zuora", err)
	}
	a.record(workflows.RecordPayment, workflows.OutcomeSynced)
	res.Outcome, res.NetSuiteID = workflows.OutcomeSynced, nsID
	return res, nil
}

// writeCustomerPayment returns the NetSuite payment with the Zuora payment's
// external id, creating it only if there is none (§0.3 error recovery). On
// Invoice Settlement (cp.Rewrite) a payment found is rewritten to Zuora's
// current amount and applications, the apply list replaced (§2.4, decided in
// docs/settings.md): a payment applied, unapplied or re-applied in Zuora and
// set back to Transferred To Accounting No is sent again this way; a retry
// after a crash rewrites the same values.
func (a *Activities) writeCustomerPayment(ctx context.Context, cp mapping.CustomerPayment, zuoraIDField string) (string, error) {
	var found struct {
		ID string `json:"id"`
	}
	err := a.NetSuite.Get(ctx, netsuite.TypeCustomerPayment, "eid:"+cp.ExternalID, false, &found)
	var ae *netsuite.APIError
	switch {
	case err == nil && found.ID != "" && !cp.Rewrite:
		return found.ID, nil
	case err == nil && found.ID != "":
		// The customer stays: a payment moved to another account after its
		// sync is not moved in NetSuite (§2.3).
		body := map[string]any{"payment": cp.Payment.StringFixed(2), "apply": map[string]any{"items": applyItems(cp)}}
		if err := a.stillCurrent(ctx); err != nil {
			return "", err
		}
		return found.ID, a.NetSuite.Patch(ctx, netsuite.TypeCustomerPayment, found.ID, body, "apply")
	case err != nil && !(errors.As(err, &ae) && ae.Status == 404):
		return "", err
	}
	body := map[string]any{
		"customer": map[string]any{"id": cp.Customer}, "payment": cp.Payment.StringFixed(2), "tranDate": cp.TranDate,
		"paymentMethod": map[string]any{"id": cp.PaymentMethod},
	}
	if cp.Memo != "" {
		body["memo"] = cp.Memo
	}
	if zuoraIDField != "" {
		body[zuoraIDField] = cp.ZuoraID
	}
	for field, id := range map[string]string{"class": cp.Class, "department": cp.Department, "location": cp.Location} {
		if id != "" {
			body[field] = map[string]any{"id": id}
		}
	}
	// §0.4: what the connector makes in NetSuite has Zuora Origin ZUORA, so
	// the NetSuite → Zuora payment sync never takes it back (it also knows
	// it by its zuora-payment- external id, should the field be missing).
	body[settings.DefaultNetSuiteFields().Origin] = mapping.OriginZuora
	if len(cp.Apply) > 0 {
		body["apply"] = map[string]any{"items": applyItems(cp)}
	}
	if err := a.stillCurrent(ctx); err != nil {
		return "", err
	}
	return a.NetSuite.Upsert(ctx, netsuite.TypeCustomerPayment, cp.ExternalID, body)
}

func applyItems(cp mapping.CustomerPayment) []any {
	items := make([]any, len(cp.Apply))
	for i, l := range cp.Apply {
		items[i] = map[string]any{"doc": map[string]any{"id": l.Doc}, "apply": true, "amount": l.Amount.StringFixed(2)}
	}
	return items
}

// paymentPartApplications are the payment's parts on an Invoice Settlement
// tenant (§2.2), each with its invoice's or debit memo's NetSuite id ("" =
// not synced; a debit memo is an NS invoice, §7). The unapplied part is no
// application (mapping.PaymentPartApplications).
func (a *Activities) paymentPartApplications(ctx context.Context, paymentID string) ([]mapping.SyncedApplication, error) {
	parts, err := a.Zuora.ListPaymentParts(ctx, paymentID)
	if err != nil {
		return nil, retryable("reading the payment's parts", err)
	}
	var out []mapping.SyncedApplication
	for _, app := range mapping.PaymentPartApplications(parts) {
		sa := mapping.SyncedApplication{PaymentApplication: app}
		switch app.DocType {
		case zuora.DocDebitMemo:
			dm, err := a.Zuora.GetDebitMemo(ctx, app.DocID)
			if err != nil && !zuora.IsNotFound(err) {
				return nil, retryable("reading debit memo "+app.DocID, err)
			}
			if dm != nil {
				sa.DocNumber, sa.NetSuiteID = dm.Number, firstID(dm.IntegrationID)
			}
		default:
			var inv zuora.Invoice
			if err := a.Zuora.GetObject(ctx, zuora.ObjInvoice, app.DocID, &inv); err != nil && !zuora.IsNotFound(err) {
				return nil, retryable("reading invoice "+app.DocID, err)
			}
			sa.DocNumber, sa.NetSuiteID = inv.InvoiceNumber, firstID(inv.IntegrationID)
		}
		out = append(out, sa)
	}
	return out, nil
}

// invoicePaymentRow is one InvoicePayment: how much of a payment went to one
// invoice, and how much of that has been refunded since.
type invoicePaymentRow struct {
	ID           string          `json:"Id"`
	InvoiceID    string          `json:"InvoiceId"`
	Amount       decimal.Decimal `json:"Amount"`
	RefundAmount decimal.Decimal `json:"RefundAmount"`
}

// invoicePayments are a payment's InvoicePayments (tenants without Invoice
// Settlement) and the invoices they name, by id: what the payment sync and
// the refund sync read before they write the payment's apply lines.
func (a *Activities) invoicePayments(ctx context.Context, paymentID string) ([]invoicePaymentRow, map[string]zuora.Invoice, error) {
	ips, err := zuora.QueryAll[invoicePaymentRow](ctx, a.Zuora, "select "+invoicePaymentFields+" from InvoicePayment where PaymentId = "+zuora.Quote(paymentID))
	if err != nil {
		return nil, nil, retryable("reading the payment's invoice applications", err)
	}
	ids := make([]string, len(ips))
	for i, ip := range ips {
		ids[i] = ip.InvoiceID
	}
	invs, err := zoqlByIDs[zuora.Invoice](ctx, a.Zuora, zuora.ObjInvoice, paidInvoiceFields, "Id", ids)
	if err != nil {
		return nil, nil, retryable("reading the invoices the payment is applied to", err)
	}
	byID := make(map[string]zuora.Invoice, len(invs))
	for _, inv := range invs {
		byID[inv.ID] = inv
	}
	return ips, byID, nil
}

// paymentApplications are the payment's InvoicePayments (tenants without
// Invoice Settlement), each with its invoice's NetSuite id ("" = not synced).
func (a *Activities) paymentApplications(ctx context.Context, paymentID string) ([]mapping.SyncedApplication, error) {
	ips, byID, err := a.invoicePayments(ctx, paymentID)
	if err != nil {
		return nil, err
	}
	out := make([]mapping.SyncedApplication, 0, len(ips))
	for _, ip := range ips {
		inv := byID[ip.InvoiceID]
		out = append(out, mapping.SyncedApplication{
			PaymentApplication: zuora.PaymentApplication{DocType: zuora.DocInvoice, DocID: ip.InvoiceID, DocNumber: inv.InvoiceNumber, Amount: ip.Amount},
			NetSuiteID:         firstID(inv.IntegrationID),
		})
	}
	return out, nil
}

// paymentMethodType is the Zuora payment method's Type ("" when the payment
// has none; the mapping then names it as missing).
func (a *Activities) paymentMethodType(ctx context.Context, id string) (string, error) {
	if id == "" {
		return "", nil
	}
	type method struct {
		ID   string `json:"Id"`
		Type string `json:"Type"`
	}
	ms, err := zoqlByIDs[method](ctx, a.Zuora, zuora.ObjPaymentMethod, paymentMethodFields, "Id", []string{id})
	if err != nil {
		return "", retryable("reading the payment method", err)
	}
	if len(ms) == 0 {
		return "", nil
	}
	return ms[0].Type, nil
}

// failPayment ends the payment in Error with the reason on it (§1.3: Error
// Creating Payment; Transferred To Accounting Error keeps it eligible).
func (a *Activities) failPayment(ctx context.Context, res workflows.PaymentSyncResult, reason string) (workflows.PaymentSyncResult, error) {
	if err := a.MarkPaymentFailed(ctx, workflows.MarkFailedInput{RecordType: workflows.RecordPayment, ID: res.PaymentID, Reason: reason}); err != nil {
		return res, err
	}
	res.Outcome, res.Reason = workflows.OutcomeError, reason
	return res, nil
}

// MarkPaymentFailed records Error Creating Payment with the reason.
func (a *Activities) MarkPaymentFailed(ctx context.Context, in workflows.MarkFailedInput) error {
	if err := a.stillCurrent(ctx); err != nil {
		return err
	}
	if err := a.Zuora.UpdateObject(ctx, zuora.ObjPayment, in.ID, map[string]any{
		"TransferredToAccounting": zuora.TransferError, "IntegrationStatus__NS": statusText(zuora.StatusErrorCreatingPayment+": ", in.Reason),
	}); err != nil {
		return retryable("recording error on payment "+in.ID, err)
	}
	a.record(workflows.RecordPayment, workflows.OutcomeError)
	a.log(ctx).Info("payment sync ended", "payment_id", in.ID, "outcome", workflows.OutcomeError, "reason", in.Reason)
	return nil
}

// firstID is the NetSuite id of an invoice's first part: a split invoice's
// IntegrationId__NS lists its parts' ids comma-separated (docs/settings.md).
func firstID(integrationID string) string {
	id, _, _ := strings.Cut(integrationID, ",")
	return strings.TrimSpace(id)
}
