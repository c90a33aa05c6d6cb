package activities

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// NetSuite customer payments → Zuora payments (reference money-sync §3,
// tenants without Invoice Settlement; rules in internal/mapping/nspayment.go).
// The NetSuite internal id is the idempotency key: the Zuora payment carries
// it in IntegrationId__NS and is looked for before one is created, so a
// crash between the Zuora create and the NetSuite write-back, a retry, or a
// second run makes no second payment.

// nsPaymentColumns: the SuiteQL columns of a customer payment's header
// (transaction table, type CustPymt), custom fields under fixed aliases
// (the client renames the field ids to the account's, the aliases stay).
const nsPaymentColumns = "id, tranid, externalid, entity, TO_CHAR(trandate, 'YYYY-MM-DD') AS trandate, foreignamountremaining, " +
	"custbody_zuora_origin AS zorigin, custbody_zuora_integration_status AS zstatus"

// nsPaymentColumnsIS adds Zuora Sync Updates, read on Invoice Settlement
// tenants only (§3.7: the field is required once IS is on).
const nsPaymentColumnsIS = nsPaymentColumns + ", custbody_zuora_sync_updates AS zsyncupd"

func nsPaymentCols(s settings.Settings) string {
	if s.Advanced.InvoiceSettlement {
		return nsPaymentColumnsIS
	}
	return nsPaymentColumns
}

// nsPaymentSelectable is §3.1 or, on Invoice Settlement tenants, §3.7.
func nsPaymentSelectable(p mapping.NSPayment, s settings.Settings, withApply bool) (bool, string) {
	if s.Advanced.InvoiceSettlement {
		return mapping.NSPaymentSelectableIS(p, s, withApply)
	}
	return mapping.NSPaymentSelectable(p, s, withApply)
}

// Zuora fields the sync reads.
const (
	nsPaidInvoiceFields    = "Id, InvoiceNumber, AccountId, Status, Balance, IntegrationId__NS"
	nsCreatedPaymentFields = "Id, AccountId, Status, PaymentNumber, Amount, IntegrationId__NS"
)

// NetSuite payment Integration Status values (§3.4).
const (
	nsStatusCreating = "Creating Payment"
	nsStatusError    = "Error Creating Payment"
)

// SelectNetSuitePayments returns the next page of NetSuite customer
// payments after the cursor (keyset by internal id, SuiteQL ordered by id)
// that pass the header rules of §3.1; the applications are checked by each
// payment's own sync. A page is full or the last (Done).
func (a *Activities) SelectNetSuitePayments(ctx context.Context, in workflows.SelectInput) (workflows.SelectResult, error) {
	ctx = nsFields(ctx, in.Settings)
	read := func(ctx context.Context, rows []map[string]any) ([]mapping.NSPayment, error) {
		pays := nsPaymentHeaders(rows)
		return pays, a.nsCustomerZuoraIDs(ctx, pays)
	}
	return selectNSKeyset(ctx, a, in, "NetSuite payments", "SELECT "+nsPaymentCols(in.Settings)+" FROM transaction WHERE type = 'CustPymt'", read,
		func(p mapping.NSPayment) (string, string) { return p.ID, p.TranID },
		func(p mapping.NSPayment) bool { ok, _ := nsPaymentSelectable(p, in.Settings, false); return ok })
}

func nsPaymentHeaders(rows []map[string]any) []mapping.NSPayment {
	out := make([]mapping.NSPayment, 0, len(rows))
	for _, r := range rows {
		p := mapping.NSPayment{ID: suiteCell(r, "id"), TranID: suiteCell(r, "tranid"), ExternalID: suiteCell(r, "externalid"),
			Customer: suiteCell(r, "entity"), TranDate: suiteCell(r, "trandate"), Origin: suiteCell(r, "zorigin"),
			IntegrationStatus: suiteCell(r, "zstatus"), SyncUpdates: suiteCell(r, "zsyncupd")}
		p.AmountRemaining, _ = decimal.NewFromString(suiteCell(r, "foreignamountremaining"))
		out = append(out, p)
	}
	return out
}

// nsCustomerZuoraIDs fills each payment's customer's Zuora Customer ID.
func (a *Activities) nsCustomerZuoraIDs(ctx context.Context, pays []mapping.NSPayment) error {
	var ids []string
	for _, p := range pays {
		if p.Customer != "" && strings.Trim(p.Customer, "0123456789") == "" {
			ids = append(ids, p.Customer)
		}
	}
	ids = uniqueSorted(ids)
	if len(ids) == 0 {
		return nil
	}
	rows, err := a.NetSuite.QueryAll(ctx, "SELECT id, custentity_zuora_id AS zid FROM customer WHERE id IN ("+strings.Join(ids, ", ")+") ORDER BY id")
	if err != nil {
		return retryable("reading the payments' NetSuite customers", err)
	}
	zid := map[string]string{}
	for _, r := range rows {
		zid[suiteCell(r, "id")] = suiteCell(r, "zid")
	}
	for i := range pays {
		pays[i].CustomerZuoraID = zid[pays[i].Customer]
	}
	return nil
}

// SyncNetSuitePayment syncs one NetSuite customer payment to a Zuora payment.
func (a *Activities) SyncNetSuitePayment(ctx context.Context, in workflows.NetSuitePaymentSyncInput) (workflows.NetSuitePaymentSyncResult, error) {
	s := in.Settings
	ctx = nsFields(ctx, s)
	res := workflows.NetSuitePaymentSyncResult{NetSuiteID: in.NetSuiteID}
	if strings.Trim(in.NetSuiteID, "0123456789") != "" || in.NetSuiteID == "" {
		res.Outcome, res.Reason = workflows.OutcomeSkipped, fmt.Sprintf("%q is not a NetSuite internal id", in.NetSuiteID)
		return res, nil
	}
	p, found, err := a.readNSPayment(ctx, in.NetSuiteID, s)
	if err != nil {
		return res, err
	}
	if !found {
		res.Outcome, res.Reason = workflows.OutcomeSkipped, "the payment no longer exists in NetSuite"
		return res, nil
	}
	res.Number = p.TranID
	if ok, why := nsPaymentSelectable(p, s, true); !ok {
		res.Outcome, res.Reason = workflows.OutcomeSkipped, why
		return res, nil
	}
	if s.Advanced.InvoiceSettlement {
		return a.syncNSPaymentIS(ctx, res, p, s)
	}
	// §0.3 error recovery: the Zuora payment made from this NetSuite payment,
	// if an earlier attempt got that far. A payment
	// cancelled in Zuora to re-sync (§3.11) does not count.
	existing, err := zoqlByIDs[zuora.Payment](ctx, a.Zuora, zuora.ObjPayment, nsCreatedPaymentFields, "IntegrationId__NS", []string{p.ID})
	if err != nil {
		return res, retryable("looking for the Zuora payment of NetSuite payment "+p.ID, err)
	}
	var zp *zuora.Payment
	sort.Slice(existing, func(i, j int) bool {
		// Processed first, then Draft, then by id: one answer every attempt.
		pi, pj := existing[i].Status == "Processed", existing[j].Status == "Processed"
		if pi != pj {
			return pi
		}
		return existing[i].ID < existing[j].ID
	})
	for i := range existing {
		if st := existing[i].Status; st == "Processed" || st == "Draft" {
			zp = &existing[i]
			break
		}
	}
	if zp == nil || zp.Status == "Draft" {
		s, why, err := a.withZuoraMethodByName(ctx, s, p)
		if err != nil {
			return res, err
		}
		if why != "" {
			return a.failNSPayment(ctx, res, s, why)
		}
		plan, problems := mapping.BuildZuoraPayment(p, s)
		if len(problems) > 0 {
			reason := problemText(problems)
			if zp != nil {
				reason += fmt.Sprintf(" (Zuora payment %s made by an earlier attempt stays Draft)", zp.ID)
			}
			return a.failNSPayment(ctx, res, s, reason)
		}
		if zp == nil {
			if err := a.patchNSPayment(ctx, p.ID, map[string]any{"custbody_zuora_integration_status": nsStatusCreating}); err != nil {
				return res, stepError("marking NetSuite payment "+p.ID+" Creating Payment", err)
			}
			// Every Zuora payment already made for it is cancelled (re-sync,
			// §3.11): the key names how many, so Zuora's idempotency does not
			// answer with a cancelled one.
			id, err := a.createZuoraPayment(ctx, plan, len(existing))
			if err != nil {
				if permanent(err) {
					return a.failNSPayment(ctx, res, s, "Zuora refused the payment: "+err.Error())
				}
				return res, retryable("creating the Zuora payment", err)
			}
			zp = &zuora.Payment{ID: id, Status: "Draft"}
		}
		if err := a.processZuoraPayment(ctx, zp.ID, plan); err != nil {
			if permanent(err) {
				return a.failNSPayment(ctx, res, s, fmt.Sprintf("Zuora refused to apply payment %s to the invoices: %v (it stays Draft)", zp.ID, err))
			}
			return res, retryable("applying the Zuora payment", err)
		}
	}
	if err := a.patchNSPayment(ctx, p.ID, a.nsSyncedFields(zp.ID)); err != nil {
		return res, stepError("recording the synced payment in NetSuite payment "+p.ID, err)
	}
	a.record(workflows.RecordNetSuitePayment, workflows.OutcomeSynced)
	res.Outcome, res.ZuoraID = workflows.OutcomeSynced, zp.ID
	return res, nil
}

// readNSPayment reads the payment's header by SuiteQL and its applied rows
// from the record (apply sublist), with the Zuora invoice of each.
func (a *Activities) readNSPayment(ctx context.Context, id string, s settings.Settings) (mapping.NSPayment, bool, error) {
	rows, err := a.NetSuite.QueryAll(ctx, "SELECT "+nsPaymentCols(s)+" FROM transaction WHERE type = 'CustPymt' AND id = "+id+" ORDER BY id")
	if err != nil {
		return mapping.NSPayment{}, false, retryable("reading NetSuite payment "+id, err)
	}
	if len(rows) == 0 {
		return mapping.NSPayment{}, false, nil
	}
	p := nsPaymentHeaders(rows)[0]
	pays := []mapping.NSPayment{p}
	if err := a.nsCustomerZuoraIDs(ctx, pays); err != nil {
		return p, false, err
	}
	p = pays[0]
	var rec struct {
		Memo          string          `json:"memo"`
		Payment       decimal.Decimal `json:"payment"`
		Applied       decimal.Decimal `json:"applied"`
		PaymentMethod struct {
			ID string `json:"id"`
		} `json:"paymentMethod"`
		Apply struct {
			Items []struct {
				Doc struct {
					ID string `json:"id"`
				} `json:"doc"`
				Apply  *bool           `json:"apply"`
				Amount decimal.Decimal `json:"amount"`
			} `json:"items"`
		} `json:"apply"`
	}
	if err := a.NetSuite.Get(ctx, netsuite.TypeCustomerPayment, id, true, &rec); err != nil {
		return p, false, retryable("reading NetSuite payment "+id+" with its applications", err)
	}
	p.Memo, p.PaymentMethod, p.Total, p.Applied = rec.Memo, rec.PaymentMethod.ID, rec.Payment, rec.Applied
	var docs []string
	for _, it := range rec.Apply.Items {
		// The sublist lists the customer's open documents; only applied rows count.
		if (it.Apply == nil || *it.Apply) && it.Amount.IsPositive() && it.Doc.ID != "" {
			p.Apply = append(p.Apply, mapping.NSApplication{Doc: it.Doc.ID, Amount: it.Amount})
			docs = append(docs, it.Doc.ID)
		}
	}
	if len(docs) == 0 {
		return p, true, nil
	}
	docs = uniqueSorted(docs)
	types, extIDs := map[string]string{}, map[string]string{}
	trows, err := a.NetSuite.QueryAll(ctx, "SELECT id, type, externalid FROM transaction WHERE id IN ("+strings.Join(docs, ", ")+") ORDER BY id")
	if err != nil {
		return p, false, retryable("reading the documents NetSuite payment "+id+" is applied to", err)
	}
	for _, r := range trows {
		types[suiteCell(r, "id")] = suiteCell(r, "type")
		extIDs[suiteCell(r, "id")] = suiteCell(r, "externalid")
	}
	invs, err := zoqlByIDs[zuora.Invoice](ctx, a.Zuora, zuora.ObjInvoice, nsPaidInvoiceFields, "IntegrationId__NS", docs)
	if err != nil {
		return p, false, retryable("reading the Zuora invoices NetSuite payment "+id+" is applied to", err)
	}
	byNS := map[string]zuora.Invoice{}
	for _, inv := range invs {
		byNS[firstID(inv.IntegrationID)] = inv
	}
	for i := range p.Apply {
		ap := &p.Apply[i]
		switch t := types[ap.Doc]; t {
		case "CustInvc":
			ap.DocType = "invoice"
		case "":
			ap.DocType = "unknown document"
		default:
			ap.DocType = t
		}
		ap.ZuoraInvoice = byNS[ap.Doc]
		ap.DocExternalID = extIDs[ap.Doc]
	}
	if s.Advanced.InvoiceSettlement {
		if err := a.nsPaymentDebitMemos(ctx, &p); err != nil {
			return p, false, err
		}
	}
	return p, true, nil
}

// createZuoraPayment creates the Draft payment (§3.4 step 2). The
// idempotency key makes a retried create answer the first one's id.
func (a *Activities) createZuoraPayment(ctx context.Context, plan mapping.ZuoraPaymentPlan, cancelled int) (string, error) {
	if err := a.stillCurrent(ctx); err != nil {
		return "", err
	}
	f := plan.CreateFields()
	f["SyncDate__NS"] = zuoraDate(a.now())
	return a.Zuora.CreateObject(ctx, zuora.ObjPayment, f, idempotencyKey("nspayment-"+plan.NetSuiteID, cancelled))
}

// processZuoraPayment adds the invoice payments the Draft payment lacks and
// updates it to Processed (§3.4): Zuora lowers the invoices' balances then.
func (a *Activities) processZuoraPayment(ctx context.Context, paymentID string, plan mapping.ZuoraPaymentPlan) error {
	type invoicePayment struct {
		InvoiceID string          `json:"InvoiceId"`
		Amount    decimal.Decimal `json:"Amount"`
	}
	have, err := zuora.QueryAll[invoicePayment](ctx, a.Zuora, "select "+invoicePaymentFields+" from InvoicePayment where PaymentId = "+zuora.Quote(paymentID))
	if err != nil {
		return fmt.Errorf("reading the invoice payments of payment %s: %w", paymentID, err)
	}
	done := map[string]bool{}
	for _, ip := range have {
		done[ip.InvoiceID] = true
	}
	for _, ip := range plan.Invoices {
		if done[ip.InvoiceID] {
			continue
		}
		if err := a.stillCurrent(ctx); err != nil {
			return err
		}
		if _, err := a.Zuora.CreateObject(ctx, zuora.ObjInvoicePayment, map[string]any{
			"PaymentId": paymentID, "InvoiceId": ip.InvoiceID, "Amount": ip.Amount.StringFixed(2),
		}, "nspayment-"+plan.NetSuiteID+"-"+ip.InvoiceID); err != nil {
			return err
		}
		done[ip.InvoiceID] = true
	}
	if err := a.stillCurrent(ctx); err != nil {
		return err
	}
	return a.Zuora.UpdateObject(ctx, zuora.ObjPayment, paymentID, map[string]any{"Status": "Processed"})
}

func (a *Activities) patchNSPayment(ctx context.Context, id string, body map[string]any) error {
	return a.patchNS(ctx, netsuite.TypeCustomerPayment, id, body)
}

func (a *Activities) failNSPayment(ctx context.Context, res workflows.NetSuitePaymentSyncResult, s settings.Settings, reason string) (workflows.NetSuitePaymentSyncResult, error) {
	if err := a.MarkNetSuitePaymentFailed(ctx, workflows.NetSuitePaymentFailedInput{NetSuiteID: res.NetSuiteID, Reason: reason, Settings: s}); err != nil {
		return res, err
	}
	res.Outcome, res.Reason = workflows.OutcomeError, reason
	return res, nil
}

// MarkNetSuitePaymentFailed records Error Creating Payment with the reason
// on the NetSuite payment; it stays eligible (not Sync Complete).
func (a *Activities) MarkNetSuitePaymentFailed(ctx context.Context, in workflows.NetSuitePaymentFailedInput) error {
	return a.markNSFailed(ctx, in.Settings, netsuite.TypeCustomerPayment, workflows.RecordNetSuitePayment, "payment", in.NetSuiteID, nsStatusError, in.Reason)
}

// idempotencyKey is the key of a create made from a NetSuite record: the
// same on every attempt, and new once each earlier Zuora record made for it
// was cancelled to re-sync (the first create keeps the plain key).
func idempotencyKey(base string, cancelled int) string {
	if cancelled == 0 {
		return base
	}
	return fmt.Sprintf("%s-%d", base, cancelled)
}
