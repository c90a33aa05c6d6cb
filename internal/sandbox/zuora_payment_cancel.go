package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/zuora"
)

// Cancelling a Zuora payment (issue 16; docs/wire.md "Payment cancels").
// Two ways, as Zuora has them:
//   - the object API, PUT /v1/object/payment/{id} with Status Canceled (the
//     SOAP/CRUD Payment object's Status "Draft | Processed | Canceled | ...";
//     how a finance user's cancel looks on any tenant);
//   - PUT /v1/payments/{paymentKey}/cancel (zuora-payments-api-openapi.yml,
//     PUT_CancelPayment): "only available if you have Invoice Settlement
//     enabled"; answers the payment (GETARPaymentType) with status Canceled.
// A cancelled payment no longer pays anything: each invoice and debit memo it
// was applied to gets its amount back (Zuora's Knowledge Center "Cancel
// payments": cancelling a payment reverses its application and the balances
// of the invoices / debit memos increase). Where the pages say nothing the
// sandbox plays the hostile reading:
//   - a payment with money refunded is refused (cancel the refund first);
//   - a Canceled payment changes status no more;
//   - the payment keeps its InvoicePayment rows / payment parts and its
//     Applied/Unapplied amounts as history: a reader that counts a Canceled
//     payment's applications as paying something is wrong.

// cancelPayment works out a Processed or Draft → Canceled change: the
// balances given back (only a Processed payment lowered them). Under z.mu;
// pay is the stored payment.
func (z *zuoraAPI) cancelPayment(pay Record) ([]change, error) {
	id := str(pay["Id"])
	switch str(pay["Status"]) {
	case "Canceled":
		return nil, fmt.Errorf("payment %s is already Canceled", id)
	case "Draft":
		return nil, nil
	case "Processed":
	default:
		return nil, fmt.Errorf("payment %s is %s; only Draft and Processed payments can be cancelled", id, str(pay["Status"]))
	}
	if refunded := decField(pay, "RefundAmount", decimal.Zero); refunded.IsPositive() {
		return nil, fmt.Errorf("payment %s has %s refunded; cancel its refunds before cancelling the payment", id, refunded.StringFixed(2))
	}
	type back struct {
		obj, balance string
		amount       decimal.Decimal
	}
	give := map[string]*back{} // document id -> what goes back to it
	add := func(docID, obj, balanceField string, amount decimal.Decimal) {
		if docID == "" || !amount.IsPositive() {
			return
		}
		if give[docID] == nil {
			give[docID] = &back{obj: obj, balance: balanceField}
		}
		give[docID].amount = give[docID].amount.Add(amount)
	}
	// Without Invoice Settlement the applications are InvoicePayment rows;
	// with it, payment parts (a tenant migrated to IS keeps both kinds).
	ips, _ := z.tables[zuora.ObjInvoicePayment].lookup("PaymentId", []string{id})
	for _, ip := range ips {
		add(str(ip["InvoiceId"]), zuora.ObjInvoice, "Balance", decField(ip, "Amount", decimal.Zero).Sub(decField(ip, "RefundAmount", decimal.Zero)))
	}
	if parts, ok := z.tables[paymentPartTable]; ok {
		recs, _ := parts.lookup("paymentId", []string{id})
		for _, pt := range recs {
			if inv := str(pt["invoiceId"]); inv != "" {
				add(inv, zuora.ObjInvoice, "Balance", decField(pt, "amount", decimal.Zero))
			} else {
				add(str(pt["debitMemoId"]), zuora.ObjDebitMemo, "balance", decField(pt, "amount", decimal.Zero))
			}
		}
	}
	var changes []change
	for docID, b := range give {
		t := z.tables[b.obj]
		doc, ok := t.byID[docID]
		if !ok {
			continue // a document removed since; nothing to give back to
		}
		next := make(Record, len(doc))
		for k, v := range doc {
			next[k] = v
		}
		next[b.balance] = json.Number(decField(doc, b.balance, decimal.Zero).Add(b.amount).StringFixed(2))
		if b.obj == zuora.ObjInvoice {
			next["PaymentAmount"] = json.Number(decField(doc, "PaymentAmount", decimal.Zero).Sub(b.amount).StringFixed(2))
		}
		changes = append(changes, t.put(docID, next, z.db, 0))
	}
	return changes, nil
}

// putCancelPayment is PUT /v1/payments/{key}/cancel (IS tenants only).
func (z *zuoraAPI) putCancelPayment(w http.ResponseWriter, r *http.Request) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if !z.requireIS(w) {
		return
	}
	pay, ok := z.paymentByKey(r.PathValue("key"))
	if !ok {
		z.restError(w, 404, "50000040", "Cannot find entity by key: '"+r.PathValue("key")+"'.")
		return
	}
	changes, err := z.cancelPayment(pay)
	if err != nil {
		z.restError(w, 400, "50000030", err.Error()) // 30: rule restriction
		return
	}
	next := make(Record, len(pay)+2)
	for k, v := range pay {
		next[k] = v
	}
	now := zuoraNow()
	next["Status"], next["UpdatedDate"] = "Canceled", now
	changes = append(changes, z.tables[zuora.ObjPayment].put(str(pay["Id"]), next, z.db, 0))
	if err := z.db.write(changes...); err != nil {
		z.restError(w, 500, "50000060", err.Error())
		return
	}
	writeJSON(w, 200, map[string]any{"success": true, "id": next["Id"], "number": next["PaymentNumber"], "status": "Canceled",
		"accountId": next["AccountId"], "amount": next["Amount"], "appliedAmount": next["AppliedAmount"],
		"unappliedAmount": next["UnappliedAmount"], "refundAmount": next["RefundAmount"], "cancelledOn": now})
}
