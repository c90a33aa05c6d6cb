package sandbox

import (
	"encoding/json"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/zuora"
)

// Zuora payments created through the object API on tenants without Invoice
// Settlement (issue 16, the NetSuite → Zuora payment sync; reference
// money-sync §3.4). Sources (docs/wire.md, "Payments created in Zuora"):
// Zuora's older API reference "CRUD: Create a payment" (POST
// /v1/object/payment: AccountId, Amount, EffectiveDate, PaymentMethodId,
// Type External|Electronic, Status Draft|Processed, InvoiceId with
// AppliedInvoiceAmount, Comment, ReferenceId, custom fields), "CRUD: Create
// an invoice payment" (POST /v1/object/invoice-payment: Amount, InvoiceId,
// PaymentId; the SOAP InvoicePayment object, the way one payment applies to
// several invoices: a Draft payment, its invoice payments, then the payment
// updated to Processed) and the split spec's note that POST /v1/payments is
// only available with Invoice Settlement (zuora-payments-api-openapi.yml).
// Where the pages say nothing the emulator plays the hostile reading:
//   - an Electronic payment is refused (the sandbox has no gateway);
//   - a payment method of another account is refused;
//   - an invoice payment is refused unless its payment is Draft, its invoice
//     Posted and of the payment's account, and it fits the invoice's balance
//     and the payment's amount;
//   - a payment becomes Processed only when its invoice payments add up to
//     its amount (no unapplied payments without Invoice Settlement); only
//     then do the invoices' balances go down.

func decimalField(rec Record, field string) (decimal.Decimal, bool) {
	d, err := decimal.NewFromString(str(rec[field]))
	return d, err == nil
}

// createPayment checks a new Payment (under z.mu; fields are canonical).
func (z *zuoraAPI) createPayment(fields Record) error {
	acct, ok := z.tables[zuora.ObjAccount].byID[str(fields["AccountId"])]
	if !ok {
		return fmt.Errorf("AccountId %q is not an account", str(fields["AccountId"]))
	}
	if str(fields["EffectiveDate"]) == "" {
		return fmt.Errorf("missing required field EffectiveDate")
	}
	amount, ok := decimalField(fields, "Amount")
	if !ok || !amount.IsPositive() {
		return fmt.Errorf("Amount %v must be a positive number", fields["Amount"])
	}
	pm, ok := z.tables[zuora.ObjPaymentMethod].byID[str(fields["PaymentMethodId"])]
	if !ok {
		return fmt.Errorf("PaymentMethodId %q is not a payment method", str(fields["PaymentMethodId"]))
	}
	if owner := str(pm["AccountId"]); owner != "" && owner != str(acct["Id"]) {
		return fmt.Errorf("payment method %s belongs to another account", str(pm["Id"]))
	}
	switch str(fields["Type"]) {
	case "External":
	case "Electronic":
		return fmt.Errorf("Type Electronic needs a payment gateway; this tenant processes External payments only")
	default:
		return fmt.Errorf("invalid value %q for field Type (allowed: External, Electronic)", str(fields["Type"]))
	}
	fields["AppliedAmount"], fields["UnappliedAmount"] = json.Number("0.00"), json.Number(amount.StringFixed(2))
	fields["RefundAmount"] = json.Number("0.00")
	fields["PaymentNumber"] = fmt.Sprintf("P-%08d", z.tables[zuora.ObjPayment].len()+90000001)
	switch str(fields["Status"]) {
	case "Draft":
		return nil
	case "Processed":
		// Zuora takes InvoiceId / AppliedInvoiceAmount for a payment of one
		// invoice; the sandbox emulates only the Draft → invoice payments →
		// Processed way (the one that serves several invoices) and says so.
		return fmt.Errorf("the sandbox creates payments in Draft only: add invoice payments, then update the payment to Processed")
	default:
		return fmt.Errorf("invalid value %q for field Status (allowed: Draft, Processed)", str(fields["Status"]))
	}
}

// createInvoicePayment checks a new InvoicePayment (under z.mu).
func (z *zuoraAPI) createInvoicePayment(fields Record) error {
	if z.tenant.InvoiceSettlement {
		return fmt.Errorf("invoice payments cannot be created when Invoice Settlement is enabled; use POST /v1/payments")
	}
	pay, ok := z.tables[zuora.ObjPayment].byID[str(fields["PaymentId"])]
	if !ok {
		return fmt.Errorf("PaymentId %q is not a payment", str(fields["PaymentId"]))
	}
	if str(pay["Status"]) != "Draft" {
		return fmt.Errorf("payment %s is %s; invoice payments are added to Draft payments only", str(pay["Id"]), str(pay["Status"]))
	}
	inv, ok := z.tables[zuora.ObjInvoice].byID[str(fields["InvoiceId"])]
	if !ok {
		return fmt.Errorf("InvoiceId %q is not an invoice", str(fields["InvoiceId"]))
	}
	if str(inv["AccountId"]) != str(pay["AccountId"]) {
		return fmt.Errorf("invoice %s belongs to another account than payment %s", str(inv["InvoiceNumber"]), str(pay["Id"]))
	}
	if str(inv["Status"]) != "Posted" {
		return fmt.Errorf("invoice %s is %s; only Posted invoices take payments", str(inv["InvoiceNumber"]), str(inv["Status"]))
	}
	amount, ok := decimalField(fields, "Amount")
	if !ok || !amount.IsPositive() {
		return fmt.Errorf("Amount %v must be a positive number", fields["Amount"])
	}
	if bal, _ := decimalField(inv, "Balance"); amount.GreaterThan(bal) {
		return fmt.Errorf("the amount %s is more than invoice %s's balance %s", amount.StringFixed(2), str(inv["InvoiceNumber"]), bal.StringFixed(2))
	}
	total, _ := decimalField(pay, "Amount")
	if sum := z.invoicePaymentsOf(str(pay["Id"])).Add(amount); sum.GreaterThan(total) {
		return fmt.Errorf("invoice payments would total %s, more than payment %s's amount %s", sum.StringFixed(2), str(pay["Id"]), total.StringFixed(2))
	}
	return nil
}

func (z *zuoraAPI) invoicePaymentsOf(paymentID string) decimal.Decimal {
	sum := decimal.Zero
	ips, _ := z.tables[zuora.ObjInvoicePayment].lookup("PaymentId", []string{paymentID})
	for _, ip := range ips {
		a, _ := decimalField(ip, "Amount")
		sum = sum.Add(a)
	}
	return sum
}

// processPayment takes a Draft payment to Processed: its invoice payments
// must add up to its amount, each within its invoice's balance; the
// balances go down. Under z.mu; pay is the updated record (not stored yet).
func (z *zuoraAPI) processPayment(pay Record) ([]change, error) {
	id := str(pay["Id"])
	total, _ := decimalField(pay, "Amount")
	ips, _ := z.tables[zuora.ObjInvoicePayment].lookup("PaymentId", []string{id})
	sum := decimal.Zero
	lower := map[string]decimal.Decimal{}
	for _, ip := range ips {
		a, _ := decimalField(ip, "Amount")
		sum = sum.Add(a)
		lower[str(ip["InvoiceId"])] = lower[str(ip["InvoiceId"])].Add(a)
	}
	if !sum.Equal(total) {
		return nil, fmt.Errorf("payment %s is applied to invoices for %s of its %s; without Invoice Settlement a payment is applied in full", id, sum.StringFixed(2), total.StringFixed(2))
	}
	var changes []change
	for invID, a := range lower {
		inv := z.tables[zuora.ObjInvoice].byID[invID]
		bal, _ := decimalField(inv, "Balance")
		if a.GreaterThan(bal) {
			return nil, fmt.Errorf("the amount %s is more than invoice %s's balance %s", a.StringFixed(2), str(inv["InvoiceNumber"]), bal.StringFixed(2))
		}
		next := make(Record, len(inv))
		for k, v := range inv {
			next[k] = v
		}
		next["Balance"] = json.Number(bal.Sub(a).StringFixed(2))
		paid, _ := decimalField(inv, "PaymentAmount")
		next["PaymentAmount"] = json.Number(paid.Add(a).StringFixed(2))
		changes = append(changes, z.tables[zuora.ObjInvoice].put(invID, next, z.db, 0))
	}
	pay["AppliedAmount"], pay["UnappliedAmount"] = json.Number(total.StringFixed(2)), json.Number("0.00")
	return changes, nil
}

// paymentStatusChange checks a payment update's Status: Draft → Processed
// processes it; a Processed payment does not go back to Draft; → Canceled
// gives the balances back (zuora_payment_cancel.go).
func (z *zuoraAPI) paymentStatusChange(old, next Record) ([]change, error) {
	from, to := str(old["Status"]), str(next["Status"])
	switch {
	case from == to:
		return nil, nil
	case to == "Canceled":
		return z.cancelPayment(old)
	case from == "Canceled":
		return nil, fmt.Errorf("payment %s is Canceled; a cancelled payment cannot be changed to %s", str(old["Id"]), to)
	case from == "Draft" && to == "Processed":
		return z.processPayment(next)
	case to == "Draft":
		return nil, fmt.Errorf("payment %s is %s; it cannot go back to Draft", str(old["Id"]), from)
	}
	return nil, nil
}
