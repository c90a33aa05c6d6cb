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

// NetSuite customer refunds → Zuora refunds (reference money-sync §5,
// tenants without Invoice Settlement; rules in internal/mapping/nsrefund.go).
// The NetSuite internal id is the idempotency key: the Zuora refund carries
// it in IntegrationId__NS and is looked for before one is created, so a
// crash between the Zuora create and the NetSuite write-back, a retry, or a
// second run makes no second refund.

// nsRefundColumns: the SuiteQL columns of a customer refund's header
// (transaction table, type CustRfnd), custom fields under fixed aliases.
const nsRefundColumns = "id, tranid, externalid, entity, TO_CHAR(trandate, 'YYYY-MM-DD') AS trandate, foreignamountremaining, " +
	"custbody_zuora_origin AS zorigin, custbody_zuora_integration_status AS zstatus"

// Zuora fields the sync reads.
const (
	nsRefundedPaymentFields = "Id, PaymentNumber, AccountId, Amount, UnappliedAmount, Status"
	nsCreatedRefundFields   = "Id, Status, RefundNumber, Amount, IntegrationId__NS"
)

// NetSuite refund Integration Status (§5.3 step 1; the error as the
// Zuora → NetSuite refund sync words it).
const nsRefundStatusError = zuora.StatusErrorCreatingRefund

// SelectNetSuiteRefunds returns the next page of NetSuite customer refunds
// after the cursor (keyset by internal id) that pass the header rules of
// §5.2; the credit memo is checked by each refund's own sync.
func (a *Activities) SelectNetSuiteRefunds(ctx context.Context, in workflows.SelectInput) (workflows.SelectResult, error) {
	ctx = nsFields(ctx, in.Settings)
	return selectNSKeyset(ctx, a, in, "NetSuite refunds", "SELECT "+nsRefundColumns+" FROM transaction WHERE type = 'CustRfnd'", a.nsRefundHeaders,
		func(r mapping.NSRefund) (string, string) { return r.ID, r.TranID },
		func(r mapping.NSRefund) bool { ok, _ := mapping.NSRefundSelectable(r, in.Settings, false); return ok })
}

// nsRefundHeaders reads the headers with each customer's Zuora Customer ID
// (the payment sync's customer lookup, shared through NSPayment).
func (a *Activities) nsRefundHeaders(ctx context.Context, rows []map[string]any) ([]mapping.NSRefund, error) {
	pays := nsPaymentHeaders(rows)
	if err := a.nsCustomerZuoraIDs(ctx, pays); err != nil {
		return nil, err
	}
	out := make([]mapping.NSRefund, 0, len(pays))
	for _, p := range pays {
		out = append(out, mapping.NSRefund{ID: p.ID, TranID: p.TranID, ExternalID: p.ExternalID, Customer: p.Customer,
			CustomerZuoraID: p.CustomerZuoraID, TranDate: p.TranDate, AmountRemaining: p.AmountRemaining, Origin: p.Origin,
			IntegrationStatus: p.IntegrationStatus})
	}
	return out, nil
}

// SyncNetSuiteRefund syncs one NetSuite customer refund to a Zuora refund.
func (a *Activities) SyncNetSuiteRefund(ctx context.Context, in workflows.NetSuiteRefundSyncInput) (workflows.NetSuiteRefundSyncResult, error) {
	s := in.Settings
	ctx = nsFields(ctx, s)
	res := workflows.NetSuiteRefundSyncResult{NetSuiteID: in.NetSuiteID}
	if strings.Trim(in.NetSuiteID, "0123456789") != "" || in.NetSuiteID == "" {
		res.Outcome, res.Reason = workflows.OutcomeSkipped, fmt.Sprintf("%q is not a NetSuite internal id", in.NetSuiteID)
		return res, nil
	}
	r, found, err := a.readNSRefund(ctx, in.NetSuiteID, s.Advanced.InvoiceSettlement)
	if err != nil {
		return res, err
	}
	if !found {
		res.Outcome, res.Reason = workflows.OutcomeSkipped, "the refund no longer exists in NetSuite"
		return res, nil
	}
	res.Number = r.TranID
	if ok, why := mapping.NSRefundSelectable(r, s, true); !ok {
		res.Outcome, res.Reason = workflows.OutcomeSkipped, why
		return res, nil
	}
	// §0.3 error recovery: the Zuora refund made from this NetSuite refund,
	// if an earlier attempt got that far. A refund canceled in Zuora to
	// re-sync (§5.4) does not count.
	existing, err := zoqlByIDs[zuora.Refund](ctx, a.Zuora, zuora.ObjRefund, nsCreatedRefundFields, "IntegrationId__NS", []string{r.ID})
	if err != nil {
		return res, retryable("looking for the Zuora refund of NetSuite refund "+r.ID, err)
	}
	sort.Slice(existing, func(i, j int) bool { return existing[i].ID < existing[j].ID })
	var zr *zuora.Refund
	for i := range existing {
		if existing[i].Status != "Canceled" {
			zr = &existing[i]
			break
		}
	}
	var creditMemo string
	if len(r.Apply) == 1 {
		creditMemo = r.Apply[0].Doc
	}
	if zr == nil {
		plan, problems := mapping.BuildZuoraRefund(r)
		if s.Advanced.InvoiceSettlement {
			plan, problems = mapping.BuildZuoraRefundIS(r)
		}
		if len(problems) > 0 {
			return a.failNSRefund(ctx, res, s, problemText(problems))
		}
		if err := a.patchNSRefund(ctx, r.ID, map[string]any{"custbody_zuora_integration_status": zuora.StatusCreatingRefund}); err != nil {
			return res, stepError("marking NetSuite refund "+r.ID+" Creating Refund", err)
		}
		if err := a.stillCurrent(ctx); err != nil {
			return res, err
		}
		// Every earlier Zuora refund for it is Canceled (re-sync): a key
		// naming how many keeps Zuora's idempotency from answering one.
		key := idempotencyKey("nsrefund-"+plan.NetSuiteID, len(existing))
		var id string
		if s.Advanced.InvoiceSettlement {
			// IS: the refund API of the payment, from its unapplied amount.
			id, err = a.Zuora.RefundPaymentIS(ctx, plan.PaymentID, plan.RefundBody(zuoraDate(a.now())), key)
		} else {
			f := plan.CreateFields()
			f["SyncDate__NS"] = zuoraDate(a.now())
			id, err = a.Zuora.CreateObject(ctx, zuora.ObjRefund, f, key)
		}
		if err != nil {
			if permanent(err) {
				return a.failNSRefund(ctx, res, s, "Zuora refused the refund: "+err.Error())
			}
			return res, retryable("creating the Zuora refund", err)
		}
		zr = &zuora.Refund{ID: id}
	}
	// §5.3 step 3: the Zuora id on the refund; Sync Complete on both.
	if err := a.patchNSRefund(ctx, r.ID, a.nsSyncedFields(zr.ID)); err != nil {
		return res, stepError("recording the synced refund in NetSuite refund "+r.ID, err)
	}
	if creditMemo != "" {
		if err := a.stillCurrent(ctx); err != nil {
			return res, err
		}
		if err := a.NetSuite.Patch(ctx, netsuite.TypeCreditMemo, creditMemo, map[string]any{
			"custbody_zuora_integration_status": zuora.StatusSyncComplete,
		}); err != nil {
			return res, stepError("recording the synced refund in NetSuite credit memo "+creditMemo, err)
		}
	}
	a.record(workflows.RecordNetSuiteRefund, workflows.OutcomeSynced)
	res.Outcome, res.ZuoraID = workflows.OutcomeSynced, zr.ID
	return res, nil
}

// checked reads a NetSuite checkbox as REST (true) or SuiteQL ("T") answers it.
func checked(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case string:
		return t == "T" || strings.EqualFold(t, "true")
	}
	return false
}

// readNSRefund reads the refund's header by SuiteQL, its applied rows from
// the record, each credit memo's Zuora Refund tab and the Zuora payment it
// names.
func (a *Activities) readNSRefund(ctx context.Context, id string, is bool) (mapping.NSRefund, bool, error) {
	rows, err := a.NetSuite.QueryAll(ctx, "SELECT "+nsRefundColumns+" FROM transaction WHERE type = 'CustRfnd' AND id = "+id+" ORDER BY id")
	if err != nil {
		return mapping.NSRefund{}, false, retryable("reading NetSuite refund "+id, err)
	}
	if len(rows) == 0 {
		return mapping.NSRefund{}, false, nil
	}
	refs, err := a.nsRefundHeaders(ctx, rows)
	if err != nil {
		return mapping.NSRefund{}, false, err
	}
	r := refs[0]
	var rec struct {
		Memo          string          `json:"memo"`
		Total         decimal.Decimal `json:"total"`
		PaymentMethod struct {
			ID      string `json:"id"`
			RefName string `json:"refName"`
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
	if err := a.NetSuite.Get(ctx, netsuite.TypeCustomerRefund, id, true, &rec); err != nil {
		return r, false, retryable("reading NetSuite refund "+id+" with its applications", err)
	}
	r.Memo, r.PaymentMethodName, r.Total = rec.Memo, rec.PaymentMethod.RefName, rec.Total
	applied := decimal.Zero
	for _, it := range rec.Apply.Items {
		if (it.Apply == nil || *it.Apply) && it.Amount.IsPositive() && it.Doc.ID != "" {
			r.Apply = append(r.Apply, mapping.NSRefundApplication{Doc: it.Doc.ID, Amount: it.Amount})
			applied = applied.Add(it.Amount)
		}
	}
	// Fully applied (§5.2): the record's total all on its applied rows.
	if rem := r.Total.Sub(applied); rem.GreaterThan(r.AmountRemaining) {
		r.AmountRemaining = rem
	}
	var docs []string
	for _, ap := range r.Apply {
		docs = append(docs, ap.Doc)
	}
	if len(docs) == 0 {
		return r, true, nil
	}
	docs = uniqueSorted(docs)
	types := map[string]string{}
	trows, err := a.NetSuite.QueryAll(ctx, "SELECT id, type FROM transaction WHERE id IN ("+strings.Join(docs, ", ")+") ORDER BY id")
	if err != nil {
		return r, false, retryable("reading the documents NetSuite refund "+id+" is applied to", err)
	}
	for _, row := range trows {
		types[suiteCell(row, "id")] = suiteCell(row, "type")
	}
	for i := range r.Apply {
		ap := &r.Apply[i]
		switch t := types[ap.Doc]; t {
		case "CustCred":
			ap.DocType = netsuite.TypeCreditMemo
		case "":
			ap.DocType = "unknown document"
		default:
			ap.DocType = t
		}
		if ap.DocType != netsuite.TypeCreditMemo {
			continue
		}
		var cm map[string]any
		if err := a.NetSuite.Get(ctx, netsuite.TypeCreditMemo, ap.Doc, false, &cm); err != nil {
			return r, false, retryable("reading NetSuite credit memo "+ap.Doc, err)
		}
		ap.CreateZuoraRefund = checked(cm["custbody_zuora_create_refund"])
		ap.PaymentRef = strings.TrimSpace(fmt.Sprint(orEmpty(cm["custbody_zuora_refund_payment_ref"])))
		if ap.PaymentRef == "" || strings.ContainsAny(ap.PaymentRef, "' \\") {
			continue // no or no valid Zuora payment id: the validation names it
		}
		pays, err := zoqlByIDs[zuora.Payment](ctx, a.Zuora, zuora.ObjPayment, nsRefundedPaymentFields, "Id", []string{ap.PaymentRef})
		if err != nil {
			return r, false, retryable("reading Zuora payment "+ap.PaymentRef, err)
		}
		if len(pays) == 0 {
			continue
		}
		ap.ZuoraPayment = pays[0]
		if is {
			// IS has no InvoicePayment: the payment's applied parts count.
			parts, err := a.Zuora.ListPaymentParts(ctx, ap.PaymentRef)
			if err != nil {
				return r, false, retryable("reading the parts of Zuora payment "+ap.PaymentRef, err)
			}
			docs := map[string]bool{}
			for _, pt := range parts {
				if d := pt.InvoiceID + pt.DebitMemoID; d != "" {
					docs[d] = true
				}
			}
			ap.ZuoraPaymentInvoices = len(docs)
			continue
		}
		type invoicePayment struct {
			InvoiceID string `json:"InvoiceId"`
		}
		ips, err := zuora.QueryAll[invoicePayment](ctx, a.Zuora, "select "+invoicePaymentFields+" from InvoicePayment where PaymentId = "+zuora.Quote(ap.PaymentRef))
		if err != nil {
			return r, false, retryable("reading the invoice payments of Zuora payment "+ap.PaymentRef, err)
		}
		ap.ZuoraPaymentInvoices = len(ips)
	}
	return r, true, nil
}

func orEmpty(v any) any {
	if v == nil {
		return ""
	}
	return v
}

func (a *Activities) patchNSRefund(ctx context.Context, id string, body map[string]any) error {
	return a.patchNS(ctx, netsuite.TypeCustomerRefund, id, body)
}

func (a *Activities) failNSRefund(ctx context.Context, res workflows.NetSuiteRefundSyncResult, s settings.Settings, reason string) (workflows.NetSuiteRefundSyncResult, error) {
	if err := a.MarkNetSuiteRefundFailed(ctx, workflows.NetSuiteRefundFailedInput{NetSuiteID: res.NetSuiteID, Reason: reason, Settings: s}); err != nil {
		return res, err
	}
	res.Outcome, res.Reason = workflows.OutcomeError, reason
	return res, nil
}

// MarkNetSuiteRefundFailed records Error Creating Refund with the reason on
// the NetSuite refund; it stays eligible (not Sync Complete).
func (a *Activities) MarkNetSuiteRefundFailed(ctx context.Context, in workflows.NetSuiteRefundFailedInput) error {
	return a.markNSFailed(ctx, in.Settings, netsuite.TypeCustomerRefund, workflows.RecordNetSuiteRefund, "refund", in.NetSuiteID, nsRefundStatusError, in.Reason)
}
