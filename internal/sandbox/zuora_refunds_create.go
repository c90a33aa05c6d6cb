package sandbox

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/zuora-netsuite/connector/internal/zuora"
)

// Zuora refunds created through the object API on tenants without Invoice
// Settlement (issue 16, the NetSuite → Zuora refund sync; reference
// money-sync §5.3). Source (docs/wire.md, "Refunds created in Zuora"):
// Zuora's older API reference "CRUD: Create a refund" (POST
// /v1/object/refund, ProxyCreateRefund): Amount "can't exceed the amount of
// the associated payment", a partial refund of a payment applied to several
// invoices only through the UI, not the API; MethodType required for an
// External refund, one of ACH, Cash, Check, CreditCard, Other, PayPal,
// WireTransfer, DebitCard, CreditCardReferenceTransaction; AccountId only
// for an electronic non-referenced refund; RefundDate "cannot be before the
// payment date". Where the page says nothing the emulator plays the hostile
// reading:
//   - only Type External with SourceType Payment is taken (no gateway; the
//     other sources are not what this connector creates);
//   - the payment must be Processed, and the amount within what is left to
//     refund of it (Amount − RefundAmount), so a second refund of the same
//     money is refused;
//   - the refund takes the payment's account and is Processed at once, the
//     payment's RefundAmount going up. (The sandbox does not write
//     RefundInvoicePayment rows nor raise invoice balances for these.)

var refundMethodTypes = []string{"ACH", "Cash", "Check", "CreditCard", "Other", "PayPal", "WireTransfer", "DebitCard", "CreditCardReferenceTransaction"}

// createRefund checks a new Refund and books it on its payment (under z.mu;
// fields are canonical). The change is the payment's new RefundAmount.
func (z *zuoraAPI) createRefund(fields Record) ([]change, error) {
	if z.tenant.InvoiceSettlement {
		return nil, fmt.Errorf("with Invoice Settlement enabled, refund a payment with POST /v1/payments/{paymentId}/refunds")
	}
	switch str(fields["Type"]) {
	case "External":
	case "Electronic":
		return nil, fmt.Errorf("Type Electronic needs a payment gateway; this tenant processes External refunds only")
	default:
		return nil, fmt.Errorf("invalid value %q for field Type (allowed: External, Electronic)", str(fields["Type"]))
	}
	if st := str(fields["SourceType"]); st != zuora.RefundSourcePayment {
		return nil, fmt.Errorf("SourceType %q: the sandbox creates refunds of payments only (SourceType Payment)", st)
	}
	if str(fields["AccountId"]) != "" {
		return nil, fmt.Errorf("AccountId is specified only for an electronic non-referenced refund; a payment refund takes the payment's account")
	}
	mt := str(fields["MethodType"])
	known := false
	for _, m := range refundMethodTypes {
		known = known || m == mt
	}
	if !known {
		return nil, fmt.Errorf("invalid value %q for field MethodType (required for an External refund; allowed: %s)", mt, strings.Join(refundMethodTypes, ", "))
	}
	pay, ok := z.tables[zuora.ObjPayment].byID[str(fields["PaymentId"])]
	if !ok {
		return nil, fmt.Errorf("PaymentId %q is not a payment", str(fields["PaymentId"]))
	}
	if str(pay["Status"]) != "Processed" {
		return nil, fmt.Errorf("payment %s is %s; only Processed payments are refunded", str(pay["Id"]), str(pay["Status"]))
	}
	date := str(fields["RefundDate"])
	if date == "" {
		return nil, fmt.Errorf("missing required field RefundDate")
	}
	if eff := str(pay["EffectiveDate"]); date < eff {
		return nil, fmt.Errorf("RefundDate %s cannot be before the payment date %s", date, eff)
	}
	amount, ok := decimalField(fields, "Amount")
	if !ok || !amount.IsPositive() {
		return nil, fmt.Errorf("Amount %v must be a positive number", fields["Amount"])
	}
	total, _ := decimalField(pay, "Amount")
	refunded, _ := decimalField(pay, "RefundAmount")
	if left := total.Sub(refunded); amount.GreaterThan(left) {
		return nil, fmt.Errorf("the refund amount %s is more than payment %s's refundable amount %s", amount.StringFixed(2), str(pay["Id"]), left.StringFixed(2))
	}
	if ips, _ := z.tables[zuora.ObjInvoicePayment].lookup("PaymentId", []string{str(pay["Id"])}); len(ips) > 1 && amount.LessThan(total) {
		return nil, fmt.Errorf("payment %s was applied to %d invoices: a partial refund of it can be made in the Zuora UI only, not through the API", str(pay["Id"]), len(ips))
	}
	fields["AccountId"], fields["Status"] = pay["AccountId"], "Processed"
	fields["RefundNumber"] = fmt.Sprintf("R-%08d", z.tables[zuora.ObjRefund].len()+90000001)
	next := make(Record, len(pay))
	for k, v := range pay {
		next[k] = v
	}
	next["RefundAmount"] = json.Number(refunded.Add(amount).StringFixed(2))
	return []change{z.tables[zuora.ObjPayment].put(str(pay["Id"]), next, z.db, 0)}, nil
}
