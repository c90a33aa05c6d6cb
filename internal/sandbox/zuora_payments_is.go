package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/zuora"
)

// Payments created and (un)applied through the current REST API on Invoice
// Settlement tenants (issue 16, the NetSuite → Zuora payment sync; reference
// money-sync §3.7–§3.10). Source (docs/wire.md, "Payments created in Zuora
// on Invoice Settlement tenants"): zuora-payments-api-openapi.yml,
// POST_CreatePayment (CreatePaymentType: amount, currency and type
// required; accountId; paymentMethodId; comment; referenceId; invoices[] /
// debitMemos[] of {invoiceId|debitMemoId, amount}, at most 1,000 each;
// financeInformation.transferredToAccounting; the PaymentObjectNSFields
// IntegrationId__NS, Origin__NS, Transaction__NS, SyncDate__NS; "an
// unapplied payment" when the amount exceeds what is applied;
// effectiveDate optional for External payments and, "when specified, ...
// must be set to the date of today"), PUT_ApplyPayment and
// PUT_UnapplyPayment (ApplyPaymentType / UnapplyPaymentType: invoices[],
// debitMemos[], effectiveDate), all "only available if you have Invoice
// Settlement enabled". Where the spec says nothing the emulator plays the
// hostile reading:
//   - Electronic payments are refused (no gateway), and so is any field the
//     spec does not list (error category 21, unknown field);
//   - currency must be the account's; the payment method must be the
//     account's or belong to no account; a payment without an account
//     (unassigned) applies to nothing;
//   - each document must exist, be Posted, be of the payment's account,
//     appear once per request, and the amount fit its balance; the
//     applications may not add up to more than the payment (create) or its
//     unapplied amount (apply);
//   - an unapply may take back no more than the payment holds on that
//     document; the payment must be Processed.
// Every application is a new PaymentPart row (an unapply lowers the
// document's rows, dropping those that reach zero), so a reader must sum
// the parts per document; the parts endpoint answers them with the
// unapplied part.

func (z *zuoraAPI) paymentISRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/payments", z.auth(z.idempotent(z.createPaymentIS)))
	mux.HandleFunc("PUT /v1/payments/{key}/apply", z.auth(z.applyPaymentIS(true)))
	mux.HandleFunc("PUT /v1/payments/{key}/unapply", z.auth(z.applyPaymentIS(false)))
	mux.HandleFunc("POST /v1/payments/{key}/refunds", z.auth(z.idempotent(z.refundPaymentIS)))
}

// isRefundMethodTypes: PostRefundType.methodType's enum.
var isRefundMethodTypes = []string{"ACH", "Cash", "Check", "CreditCard", "PayPal", "WireTransfer", "DebitCard", "CreditCardReferenceTransaction", "BankTransfer", "Other"}

// refundPaymentIS is POST /v1/payments/{paymentKey}/refunds (PostRefundType;
// zuora-payments-api-openapi.yml): "Refunds a full or partial unapplied
// payment ... To refund applied payments, you must unapply the applied
// payments ... and then refund"; totalAmount and type required; the amount
// "cannot exceed the unapplied amount"; methodType required for External;
// refundDate "cannot be before the payment date"; RefundObjectNSFields.
// Only External refunds (no gateway). The refund is Processed at once; the
// payment's UnappliedAmount goes down and its RefundAmount up.
func (z *zuoraAPI) refundPaymentIS(w http.ResponseWriter, r *http.Request) {
	var raw map[string]json.RawMessage
	if err := decodeBody(r, &raw); err != nil {
		z.restError(w, 400, "50000090", err.Error())
		return
	}
	for k := range raw {
		switch k {
		case "totalAmount", "type", "methodType", "refundDate", "comment", "reasonCode", "referenceId", "financeInformation",
			"IntegrationId__NS", "IntegrationStatus__NS", "Origin__NS", "SyncDate__NS", "SynctoNetSuite__NS":
		default:
			z.restError(w, 400, "50000021", "unknown field in request: "+k)
			return
		}
	}
	var in struct {
		TotalAmount                                                    json.Number
		Type, MethodType, RefundDate, Comment, ReasonCode, ReferenceID string
		FinanceInformation                                             struct {
			TransferredToAccounting string `json:"transferredToAccounting"`
		}
		IntegrationID string `json:"IntegrationId__NS"`
		Origin        string `json:"Origin__NS"`
		SyncDate      string `json:"SyncDate__NS"`
	}
	body, _ := json.Marshal(raw)
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		z.restError(w, 400, "50000020", "request body: "+err.Error())
		return
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	if !z.requireIS(w) {
		return
	}
	fail := func(code, msg string) { z.restError(w, 400, code, msg) }
	pay, ok := z.paymentByKey(r.PathValue("key"))
	if !ok {
		z.restError(w, 404, "50000040", "Cannot find entity by key: '"+r.PathValue("key")+"'.")
		return
	}
	switch {
	case in.TotalAmount == "":
		fail("50000022", "missing required field totalAmount")
		return
	case in.Type == "Electronic":
		fail("50000020", "type Electronic needs a payment gateway; this tenant processes External refunds only")
		return
	case in.Type != "External":
		fail("50000020", fmt.Sprintf("invalid value %q for field type (allowed: External, Electronic)", in.Type))
		return
	case str(pay["Status"]) != "Processed":
		fail("50000030", fmt.Sprintf("payment %s is %s; only Processed payments are refunded", str(pay["PaymentNumber"]), str(pay["Status"])))
		return
	}
	known := false
	for _, m := range isRefundMethodTypes {
		known = known || m == in.MethodType
	}
	if !known {
		fail("50000020", fmt.Sprintf("invalid value %q for field methodType (required for an External refund)", in.MethodType))
		return
	}
	date := in.RefundDate
	if date == "" {
		date = time.Now().UTC().Format("2006-01-02")
	}
	if date < str(pay["EffectiveDate"]) {
		fail("50000020", fmt.Sprintf("refundDate %s cannot be before the payment date %s", date, str(pay["EffectiveDate"])))
		return
	}
	amount, err := decimal.NewFromString(string(in.TotalAmount))
	if err != nil || !amount.IsPositive() {
		fail("50000020", fmt.Sprintf("totalAmount %q must be a positive number", in.TotalAmount))
		return
	}
	unapplied := decField(pay, "UnappliedAmount", decimal.Zero)
	if amount.GreaterThan(unapplied) {
		fail("50000020", fmt.Sprintf("the refund amount %s exceeds the unapplied amount %s of payment %s; unapply the payment first", amount.StringFixed(2), unapplied.StringFixed(2), str(pay["PaymentNumber"])))
		return
	}
	now := zuoraNow()
	id := newHex(16)
	ref := Record{"Id": id, "AccountId": pay["AccountId"], "PaymentId": pay["Id"], "Amount": json.Number(amount.StringFixed(2)), "Status": "Processed",
		"Type": "External", "SourceType": zuora.RefundSourcePayment, "MethodType": in.MethodType, "RefundDate": date,
		"RefundNumber": fmt.Sprintf("R-%08d", z.tables[zuora.ObjRefund].len()+90000001), "CreatedDate": now, "UpdatedDate": now}
	for k, v := range map[string]string{"Comment": in.Comment, "ReasonCode": in.ReasonCode, "ReferenceID": in.ReferenceID,
		"TransferredToAccounting": in.FinanceInformation.TransferredToAccounting, "IntegrationId__NS": in.IntegrationID,
		"Origin__NS": in.Origin, "SyncDate__NS": in.SyncDate} {
		if v != "" {
			ref[k] = v
		}
	}
	next := Record{}
	for k, v := range pay {
		next[k] = v
	}
	next["UnappliedAmount"] = json.Number(unapplied.Sub(amount).StringFixed(2))
	next["RefundAmount"] = json.Number(decField(pay, "RefundAmount", decimal.Zero).Add(amount).StringFixed(2))
	next["UpdatedDate"] = now
	if err := z.db.write(z.tables[zuora.ObjPayment].put(str(pay["Id"]), next, z.db, 0), z.tables[zuora.ObjRefund].put(id, ref, z.db, 0)); err != nil {
		z.restError(w, 500, "50000060", err.Error())
		return
	}
	writeJSON(w, 200, map[string]any{"success": true, "id": id, "number": ref["RefundNumber"], "status": "Processed", "type": "External",
		"amount": ref["Amount"], "paymentId": pay["Id"], "refundDate": date, "methodType": in.MethodType,
		"financeInformation": map[string]any{"transferredToAccounting": ref["TransferredToAccounting"]},
		"IntegrationId__NS":  ref["IntegrationId__NS"], "Origin__NS": ref["Origin__NS"]})
}

// paymentApplication is one entry of invoices[] / debitMemos[].
type paymentApplication struct {
	InvoiceID   string      `json:"invoiceId,omitempty"`
	DebitMemoID string      `json:"debitMemoId,omitempty"`
	Amount      json.Number `json:"amount"`
}

// paymentTarget is a checked application: the document and the amount.
type paymentTarget struct {
	table, id, partField string
	rec                  Record
	amount               decimal.Decimal
}

// paymentTargets checks the applications of a create or an apply (apply=true)
// or an unapply against payment pay (Id, AccountId; held parts for unapply).
// Callers hold z.mu.
func (z *zuoraAPI) paymentTargets(accountID, paymentID string, invs, dms []paymentApplication, apply bool) ([]paymentTarget, decimal.Decimal, error) {
	if len(invs) > 1000 || len(dms) > 1000 {
		return nil, decimal.Zero, fmt.Errorf("the maximum number of invoices and of debit memos is 1,000 each")
	}
	held := map[string]decimal.Decimal{}
	if paymentID != "" {
		parts, _ := z.tables[paymentPartTable].lookup("paymentId", []string{paymentID})
		for _, p := range parts {
			held[str(p["invoiceId"])+"|"+str(p["debitMemoId"])] = held[str(p["invoiceId"])+"|"+str(p["debitMemoId"])].Add(decField(p, "amount", decimal.Zero))
		}
	}
	var out []paymentTarget
	total := decimal.Zero
	seen := map[string]bool{}
	one := func(table, key, partField string, given json.Number) error {
		amt, err := decimal.NewFromString(string(given))
		if err != nil || !amt.IsPositive() {
			return fmt.Errorf("amount %q of %s %s must be a positive number", given, partField, key)
		}
		var rec Record
		var ok bool
		balanceField, accountField, statusField := "Balance", "AccountId", "Status"
		if table == zuora.ObjDebitMemo {
			rec, ok = z.debitMemoByKey(key)
			balanceField, accountField, statusField = "balance", "accountId", "status"
		} else {
			rec, ok = z.tables[table].byID[key]
		}
		if !ok {
			return fmt.Errorf("%s %s does not exist", partField, key)
		}
		id := str(rec[idField(table)])
		if seen[table+id] {
			return fmt.Errorf("%s %s appears more than once in the request", partField, id)
		}
		seen[table+id] = true
		if accountID == "" || str(rec[accountField]) != accountID {
			return fmt.Errorf("%s %s does not belong to the payment's account", partField, id)
		}
		if str(rec[statusField]) != "Posted" {
			return fmt.Errorf("%s %s is %s; only Posted documents take payments", partField, id, str(rec[statusField]))
		}
		if apply {
			if bal := decField(rec, balanceField, decimal.Zero); amt.GreaterThan(bal) {
				return fmt.Errorf("the application amount %s exceeds the balance %s of %s %s", amt.StringFixed(2), bal.StringFixed(2), partField, id)
			}
		} else {
			k := id + "|"
			if table == zuora.ObjDebitMemo {
				k = "|" + id
			}
			if h := held[k]; amt.GreaterThan(h) {
				return fmt.Errorf("the unapply amount %s exceeds the %s the payment has applied to %s %s", amt.StringFixed(2), h.StringFixed(2), partField, id)
			}
		}
		total = total.Add(amt)
		out = append(out, paymentTarget{table: table, id: id, partField: partField, rec: rec, amount: amt})
		return nil
	}
	for _, x := range invs {
		if err := one(zuora.ObjInvoice, x.InvoiceID, "invoiceId", x.Amount); err != nil {
			return nil, total, err
		}
	}
	for _, x := range dms {
		if err := one(zuora.ObjDebitMemo, x.DebitMemoID, "debitMemoId", x.Amount); err != nil {
			return nil, total, err
		}
	}
	return out, total, nil
}

// moveBalances books targets on their documents and the payment's parts:
// sign +1 applies (balances down, new parts), -1 unapplies (balances up,
// parts lowered). Callers hold z.mu.
func (z *zuoraAPI) moveBalances(paymentID string, targets []paymentTarget, apply bool) []change {
	var changes []change
	now := zuoraNow()
	for _, t := range targets {
		next := make(Record, len(t.rec))
		for k, v := range t.rec {
			next[k] = v
		}
		amt := t.amount
		if !apply {
			amt = amt.Neg()
		}
		if t.table == zuora.ObjDebitMemo {
			next["balance"] = json.Number(decField(t.rec, "balance", decimal.Zero).Sub(amt).StringFixed(2))
			next["updatedDate"] = now
		} else {
			next["Balance"] = json.Number(decField(t.rec, "Balance", decimal.Zero).Sub(amt).StringFixed(2))
			next["PaymentAmount"] = json.Number(decField(t.rec, "PaymentAmount", decimal.Zero).Add(amt).StringFixed(2))
			next["UpdatedDate"] = now
		}
		changes = append(changes, z.tables[t.table].put(t.id, next, z.db, 0))
		if apply {
			part := Record{"id": newHex(16), "paymentId": paymentID, t.partField: t.id, "amount": json.Number(t.amount.StringFixed(2)),
				"createdDate": now, "updatedDate": now}
			changes = append(changes, z.tables[paymentPartTable].put(str(part["id"]), part, z.db, 0))
			continue
		}
		left := t.amount
		parts, _ := z.tables[paymentPartTable].lookup("paymentId", []string{paymentID})
		sort.Slice(parts, func(i, j int) bool { return str(parts[i]["id"]) < str(parts[j]["id"]) })
		for _, p := range parts {
			if left.IsZero() || str(p[t.partField]) != t.id {
				continue
			}
			have := decField(p, "amount", decimal.Zero)
			take := decimal.Min(have, left)
			left = left.Sub(take)
			if have.Equal(take) {
				if c, ok := z.tables[paymentPartTable].remove(str(p["id"])); ok {
					changes = append(changes, c)
				}
				continue
			}
			np := Record{}
			for k, v := range p {
				np[k] = v
			}
			np["amount"], np["updatedDate"] = json.Number(have.Sub(take).StringFixed(2)), now
			changes = append(changes, z.tables[paymentPartTable].put(str(p["id"]), np, z.db, 0))
		}
	}
	return changes
}

// paymentISAnswer is GETARPaymentType's fields the sandbox keeps.
func paymentISAnswer(p Record) map[string]any {
	return map[string]any{"success": true, "id": p["Id"], "number": p["PaymentNumber"], "status": p["Status"], "type": p["Type"],
		"accountId": p["AccountId"], "amount": p["Amount"], "appliedAmount": p["AppliedAmount"], "unappliedAmount": p["UnappliedAmount"],
		"refundAmount": p["RefundAmount"], "effectiveDate": p["EffectiveDate"], "paymentMethodId": p["PaymentMethodId"],
		"comment": p["Comment"], "referenceId": p["ReferenceId"],
		"financeInformation": map[string]any{"transferredToAccounting": p["TransferredToAccounting"]},
		"IntegrationId__NS":  p["IntegrationId__NS"], "Origin__NS": p["Origin__NS"], "Transaction__NS": p["Transaction__NS"], "SyncDate__NS": p["SyncDate__NS"]}
}

func (z *zuoraAPI) createPaymentIS(w http.ResponseWriter, r *http.Request) {
	var raw map[string]json.RawMessage
	if err := decodeBody(r, &raw); err != nil {
		z.restError(w, 400, "50000090", err.Error())
		return
	}
	for k := range raw {
		switch k {
		case "accountId", "amount", "currency", "type", "effectiveDate", "paymentMethodId", "comment", "referenceId",
			"invoices", "debitMemos", "financeInformation", "IntegrationId__NS", "IntegrationStatus__NS", "Origin__NS", "Transaction__NS", "SyncDate__NS":
		default:
			z.restError(w, 400, "50000021", "unknown field in request: "+k)
			return
		}
	}
	var in struct {
		AccountID, Currency, Type, EffectiveDate, PaymentMethodID, Comment, ReferenceID string
		Amount                                                                          json.Number
		Invoices, DebitMemos                                                            []paymentApplication
		FinanceInformation                                                              struct {
			TransferredToAccounting string `json:"transferredToAccounting"`
		}
		IntegrationID     string `json:"IntegrationId__NS"`
		IntegrationStatus string `json:"IntegrationStatus__NS"`
		Origin            string `json:"Origin__NS"`
		Transaction       string `json:"Transaction__NS"`
		SyncDate          string `json:"SyncDate__NS"`
	}
	body, _ := json.Marshal(raw)
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		z.restError(w, 400, "50000020", "request body: "+err.Error())
		return
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	if !z.requireIS(w) {
		return
	}
	fail := func(code, msg string) { z.restError(w, 400, code, msg) }
	switch {
	case in.Amount == "":
		fail("50000022", "missing required field amount")
		return
	case in.Currency == "":
		fail("50000022", "missing required field currency")
		return
	case in.Type == "Electronic":
		fail("50000020", "type Electronic needs a payment gateway; this tenant processes External payments only")
		return
	case in.Type != "External":
		fail("50000020", fmt.Sprintf("invalid value %q for field type (allowed: External, Electronic)", in.Type))
		return
	case in.EffectiveDate != "" && in.EffectiveDate != time.Now().UTC().Format("2006-01-02"):
		fail("50000020", "effectiveDate "+in.EffectiveDate+": when specified, it must be the date of today")
		return
	}
	amount, err := decimal.NewFromString(string(in.Amount))
	if err != nil || !amount.IsPositive() {
		fail("50000020", fmt.Sprintf("amount %q must be a positive number", in.Amount))
		return
	}
	// No account: an unassigned payment ("You do not know which customer
	// account the payment belongs to"), which applies to no document.
	acct, ok := z.tables[zuora.ObjAccount].byID[in.AccountID]
	switch {
	case in.AccountID == "" && (len(in.Invoices) > 0 || len(in.DebitMemos) > 0):
		fail("50000022", "a payment without accountId cannot be applied to invoices or debit memos")
		return
	case in.AccountID != "" && !ok:
		fail("50000040", fmt.Sprintf("accountId %q is not an account", in.AccountID))
		return
	case ok && str(acct["Currency"]) != "" && str(acct["Currency"]) != in.Currency:
		fail("50000020", fmt.Sprintf("currency %s is not the account's payment currency %s", in.Currency, str(acct["Currency"])))
		return
	}
	pmID := in.PaymentMethodID
	if pmID == "" && ok {
		pmID = str(acct["DefaultPaymentMethodId"])
	}
	pm, ok := z.tables[zuora.ObjPaymentMethod].byID[pmID]
	if !ok {
		fail("50000040", fmt.Sprintf("paymentMethodId %q is not a payment method", pmID))
		return
	}
	if owner := str(pm["AccountId"]); owner != "" && owner != in.AccountID {
		fail("50000020", fmt.Sprintf("payment method %s belongs to another account", pmID))
		return
	}
	switch in.FinanceInformation.TransferredToAccounting {
	case "", "No", "Processing", "Yes", "Error", "Ignore":
	default:
		fail("50000020", fmt.Sprintf("invalid value %q for transferredToAccounting", in.FinanceInformation.TransferredToAccounting))
		return
	}
	targets, applied, err := z.paymentTargets(in.AccountID, "", in.Invoices, in.DebitMemos, true)
	if err != nil {
		fail("50000020", err.Error())
		return
	}
	if applied.GreaterThan(amount) {
		fail("50000020", fmt.Sprintf("the applied amounts total %s, more than the payment amount %s", applied.StringFixed(2), amount.StringFixed(2)))
		return
	}
	now := zuoraNow()
	id := newHex(16)
	pay := Record{"Id": id, "PaymentMethodId": pmID, "Status": "Processed", "Type": "External",
		"PaymentNumber": fmt.Sprintf("P-%08d", z.tables[zuora.ObjPayment].len()+90000001),
		"Amount":        json.Number(amount.StringFixed(2)), "AppliedAmount": json.Number(applied.StringFixed(2)),
		"UnappliedAmount": json.Number(amount.Sub(applied).StringFixed(2)), "RefundAmount": json.Number("0.00"),
		"EffectiveDate": time.Now().UTC().Format("2006-01-02"), "CreatedDate": now, "UpdatedDate": now}
	for k, v := range map[string]string{"AccountId": in.AccountID, "Comment": in.Comment, "ReferenceId": in.ReferenceID, "TransferredToAccounting": in.FinanceInformation.TransferredToAccounting,
		"IntegrationId__NS": in.IntegrationID, "IntegrationStatus__NS": in.IntegrationStatus, "Origin__NS": in.Origin,
		"Transaction__NS": in.Transaction, "SyncDate__NS": in.SyncDate} {
		if v != "" {
			pay[k] = v
		}
	}
	changes := z.moveBalances(id, targets, true)
	changes = append(changes, z.tables[zuora.ObjPayment].put(id, pay, z.db, 0))
	if err := z.db.write(changes...); err != nil {
		z.restError(w, 500, "50000060", err.Error())
		return
	}
	writeJSON(w, 200, paymentISAnswer(pay))
}

// applyPaymentIS is PUT /v1/payments/{key}/apply (apply) or /unapply.
func (z *zuoraAPI) applyPaymentIS(apply bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Invoices      []paymentApplication `json:"invoices"`
			DebitMemos    []paymentApplication `json:"debitMemos"`
			EffectiveDate string               `json:"effectiveDate"`
		}
		if err := decodeBody(r, &in); err != nil {
			z.restError(w, 400, "50000090", err.Error())
			return
		}
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
		if str(pay["Status"]) != "Processed" {
			z.restError(w, 400, "50000030", fmt.Sprintf("payment %s is %s; only Processed payments are applied or unapplied", str(pay["PaymentNumber"]), str(pay["Status"])))
			return
		}
		if in.EffectiveDate != "" && in.EffectiveDate < str(pay["EffectiveDate"]) {
			z.restError(w, 400, "50000020", "effectiveDate must be later than or equal to the maximum effective date of the payment")
			return
		}
		id := str(pay["Id"])
		targets, total, err := z.paymentTargets(str(pay["AccountId"]), id, in.Invoices, in.DebitMemos, apply)
		if err != nil {
			z.restError(w, 400, "50000020", err.Error())
			return
		}
		if len(targets) == 0 {
			z.restError(w, 400, "50000022", "invoices or debitMemos: at least one is required")
			return
		}
		applied, unapplied := decField(pay, "AppliedAmount", decimal.Zero), decField(pay, "UnappliedAmount", decimal.Zero)
		if apply && total.GreaterThan(unapplied) {
			z.restError(w, 400, "50000020", fmt.Sprintf("the application amount %s exceeds the unapplied amount %s of payment %s", total.StringFixed(2), unapplied.StringFixed(2), str(pay["PaymentNumber"])))
			return
		}
		if !apply {
			total = total.Neg()
		}
		next := Record{}
		for k, v := range pay {
			next[k] = v
		}
		next["AppliedAmount"] = json.Number(applied.Add(total).StringFixed(2))
		next["UnappliedAmount"] = json.Number(unapplied.Sub(total).StringFixed(2))
		next["UpdatedDate"] = zuoraNow()
		changes := z.moveBalances(id, targets, apply)
		changes = append(changes, z.tables[zuora.ObjPayment].put(id, next, z.db, 0))
		if err := z.db.write(changes...); err != nil {
			z.restError(w, 500, "50000060", err.Error())
			return
		}
		writeJSON(w, 200, paymentISAnswer(next))
	}
}
