package activities

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// NetSuite customer payments → Zuora payments on Invoice Settlement tenants
// (reference money-sync §3.7–§3.10; rules in internal/mapping/nspayment_is.go).
// The first sync creates the payment with POST /v1/payments (applications to
// invoices and debit memos, the rest unapplied); every later run brings the
// Zuora payment's parts to the NetSuite applications with PUT
// /v1/payments/{id}/unapply and /apply (§3.9, decided in docs/settings.md).
// The NetSuite internal id stays the idempotency key: the Zuora payment
// whose IntegrationId__NS names it is looked for before anything is made.

// nsStatusUpdating is the Integration Status while the Zuora payment's
// applications are being changed (§0.3 "Updating <X>").
const nsStatusUpdating = "Updating Payment"

// syncNSPaymentIS syncs a selected payment (p read with its applications).
func (a *Activities) syncNSPaymentIS(ctx context.Context, res workflows.NetSuitePaymentSyncResult, p mapping.NSPayment, s settings.Settings) (workflows.NetSuitePaymentSyncResult, error) {
	existing, err := zoqlByIDs[zuora.Payment](ctx, a.Zuora, zuora.ObjPayment, nsCreatedPaymentFields, "IntegrationId__NS", []string{p.ID})
	if err != nil {
		return res, retryable("looking for the Zuora payment of NetSuite payment "+p.ID, err)
	}
	// A payment cancelled in Zuora to re-sync (§3.11) does not count; on IS
	// the connector's payments are Processed from the start.
	var zp *zuora.Payment
	sort.Slice(existing, func(i, j int) bool { return existing[i].ID < existing[j].ID })
	for i := range existing {
		if existing[i].Status == "Processed" {
			zp = &existing[i]
			break
		}
	}
	currency, found, err := a.zuoraAccountCurrency(ctx, p.CustomerZuoraID)
	if err != nil {
		return res, err
	}
	if !found {
		return a.failNSPayment(ctx, res, s, fmt.Sprintf("Zuora account %s (the customer's Zuora Customer ID) does not exist", p.CustomerZuoraID))
	}
	s, why, err := a.withZuoraMethodByName(ctx, s, p)
	if err != nil {
		return res, err
	}
	if why != "" {
		if zp != nil {
			why += fmt.Sprintf(" (Zuora payment %s keeps its earlier applications)", zp.PaymentNumber)
		}
		return a.failNSPayment(ctx, res, s, why)
	}
	plan, problems := mapping.BuildZuoraPaymentIS(p, currency, s)
	if len(problems) > 0 {
		reason := problemText(problems)
		if zp != nil {
			reason += fmt.Sprintf(" (Zuora payment %s keeps its earlier applications)", zp.PaymentNumber)
		}
		return a.failNSPayment(ctx, res, s, reason)
	}
	if zp == nil {
		if err := a.patchNSPayment(ctx, p.ID, map[string]any{"custbody_zuora_integration_status": nsStatusCreating}); err != nil {
			return res, stepError("marking NetSuite payment "+p.ID+" Creating Payment", err)
		}
		if err := a.stillCurrent(ctx); err != nil {
			return res, err
		}
		made, err := a.Zuora.CreatePaymentIS(ctx, plan.Create(zuoraDate(a.now())), idempotencyKey("nspayment-"+p.ID, len(existing)))
		if err != nil {
			if permanent(err) {
				return a.failNSPayment(ctx, res, s, "Zuora refused the payment: "+err.Error())
			}
			return res, retryable("creating the Zuora payment", err)
		}
		return a.completeNSPayment(ctx, res, p, made.ID)
	}
	if why := mapping.NSPaymentISAccountChanged(p, zp.PaymentNumber, zp.AccountID); why != "" {
		return a.failNSPayment(ctx, res, s, why)
	}
	if why := mapping.NSPaymentISAmountChanged(p, zp.PaymentNumber, zp.Amount); why != "" {
		return a.failNSPayment(ctx, res, s, why)
	}
	parts, err := a.Zuora.ListPaymentParts(ctx, zp.ID)
	if err != nil {
		return res, retryable("reading the parts of Zuora payment "+zp.PaymentNumber, err)
	}
	unapply, apply := mapping.PaymentPartsDiff(plan, parts)
	if unapply.Empty() && apply.Empty() {
		if p.IntegrationStatus == zuora.StatusSyncComplete {
			res.Outcome, res.Reason, res.ZuoraID = workflows.OutcomeSkipped, "unchanged since its last sync: Zuora payment "+zp.PaymentNumber+"'s applications match NetSuite", zp.ID
			return res, nil
		}
		return a.completeNSPayment(ctx, res, p, zp.ID) // made by an earlier attempt whose write-back was lost
	}
	if err := a.patchNSPayment(ctx, p.ID, map[string]any{"custbody_zuora_integration_status": nsStatusUpdating}); err != nil {
		return res, stepError("marking NetSuite payment "+p.ID+" Updating Payment", err)
	}
	// Unapply first: it frees the unapplied amount the applies draw on.
	// Both are computed from Zuora's parts, so a retry after a crash between
	// them does only what is left.
	for _, step := range []struct {
		what string
		body zuora.PaymentApplications
		call func(context.Context, string, zuora.PaymentApplications) error
	}{{"unapply", unapply, a.Zuora.UnapplyPayment}, {"apply", apply, a.Zuora.ApplyPayment}} {
		if step.body.Empty() {
			continue
		}
		if err := a.stillCurrent(ctx); err != nil {
			return res, err
		}
		if err := step.call(ctx, zp.ID, step.body); err != nil {
			if permanent(err) {
				return a.failNSPayment(ctx, res, s, fmt.Sprintf("Zuora refused to %s payment %s to follow the NetSuite applications: %v", step.what, zp.PaymentNumber, err))
			}
			return res, retryable(step.what+"ing Zuora payment "+zp.PaymentNumber, err)
		}
	}
	return a.completeNSPayment(ctx, res, p, zp.ID)
}

// completeNSPayment writes the Zuora id, Origin NETSUITE, the sync date and
// Sync Complete back to the NetSuite payment (§3.5, §3.10).
func (a *Activities) completeNSPayment(ctx context.Context, res workflows.NetSuitePaymentSyncResult, p mapping.NSPayment, zuoraID string) (workflows.NetSuitePaymentSyncResult, error) {
	if err := a.patchNSPayment(ctx, p.ID, a.nsSyncedFields(zuoraID)); err != nil {
		return res, stepError("recording the synced payment in NetSuite payment "+p.ID, err)
	}
	a.record(workflows.RecordNetSuitePayment, workflows.OutcomeSynced)
	res.Outcome, res.ZuoraID = workflows.OutcomeSynced, zuoraID
	return res, nil
}

// zuoraAccountCurrency is the account's currency (found false: no such
// account): POST /v1/payments requires the currency, and it must be the
// account's.
func (a *Activities) zuoraAccountCurrency(ctx context.Context, accountID string) (string, bool, error) {
	accts, err := zoqlByIDs[zuora.Account](ctx, a.Zuora, zuora.ObjAccount, "Id, Currency", "Id", []string{accountID})
	if err != nil {
		return "", false, retryable("reading Zuora account "+accountID, err)
	}
	for _, acct := range accts {
		if acct.ID == accountID {
			return acct.Currency, true, nil
		}
	}
	return "", false, nil
}

// nsPaymentDebitMemos finds, for each applied NetSuite invoice that no Zuora
// invoice names, the Zuora debit memo it was made from: the debit memo sync
// names the NetSuite invoice zuora-debitmemo-<id> (netsuite.DebitMemoExternalID)
// and writes its internal id back to the memo's IntegrationId__NS; both
// must agree (§3.8: the debit memo has been synced).
func (a *Activities) nsPaymentDebitMemos(ctx context.Context, p *mapping.NSPayment) error {
	prefix := netsuite.DebitMemoExternalID("")
	for i := range p.Apply {
		ap := &p.Apply[i]
		if ap.ZuoraInvoice.ID != "" || !strings.HasPrefix(ap.DocExternalID, prefix) {
			continue
		}
		dm, err := a.Zuora.GetDebitMemo(ctx, strings.TrimPrefix(ap.DocExternalID, prefix))
		var ae *zuora.APIError
		switch {
		case err != nil && errors.As(err, &ae) && ae.Status == 404:
			continue
		case err != nil:
			return retryable("reading the Zuora debit memo of NetSuite invoice "+ap.Doc, err)
		}
		if firstID(dm.IntegrationID) == ap.Doc {
			ap.ZuoraDebitMemo = *dm
		}
	}
	return nil
}
