package sandbox

import (
	"encoding/json"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/netsuite"
)

// NetSuite customer payments (issue 16). Source: Oracle REST API Browser,
// record/v1 "customerPayment" (body: customer, payment, paymentMethod,
// undepFunds, account, tranDate, memo, class, department, location; sublist
// apply with doc, apply, amount) and the NetSuite help page "Customer
// Payment" (a payment applies to open invoices; what it does not apply stays
// unapplied on the customer). The emulator refuses what NetSuite refuses:
// customer or payment missing ("Please enter value(s) for"), a payment not a
// positive number, an applied document that is not an invoice, applying more
// than the payment or more than an invoice has open.

const srcCustomerPayment = "Oracle REST API Browser record/v1 customerPayment; NetSuite help 'Customer Payment' (apply sublist, unapplied amount)"

var customerPaymentModel = nsRecordType{Type: netsuite.TypeCustomerPayment, Source: srcBrowser + "; " + srcCustomerPayment,
	Body: []nsField{fID, fExternalID,
		{Name: "tranId", Label: "Payment #", Type: "string"},
		{Name: "customer", Label: "Customer", Type: "object", Ref: []string{netsuite.TypeCustomer}, Required: true},
		{Name: "payment", Label: "Payment Amount", Type: "number", Required: true},
		{Name: "tranDate", Label: "Date", Type: "string", Format: "date"},
		{Name: "memo", Label: "Memo", Type: "string"},
		{Name: "paymentMethod", Label: "Payment Method", Type: "object", Ref: []string{netsuite.TypePaymentMethod}},
		{Name: "undepFunds", Label: "Undep. Funds", Type: "boolean"},
		{Name: "account", Label: "Account", Type: "object", Ref: []string{"account"}},
		fCurrency, fClass, fDepartment, fLocation,
		{Name: "total", Label: "Total", Type: "number"}, {Name: "applied", Label: "Applied", Type: "number"},
		{Name: "unapplied", Label: "Unapplied", Type: "number"},
		fCreated, fModified,
	},
	Sublists: map[string][]nsField{"apply": {
		{Name: "doc", Label: "Applied To", Type: "object", Ref: []string{netsuite.TypeInvoice}},
		{Name: "apply", Label: "Apply", Type: "boolean"}, {Name: "amount", Label: "Payment", Type: "number"},
		{Name: "line", Label: "Line", Type: "integer"}}},
}

// paymentTotal is a customer payment's amount, refused unless a positive number.
func paymentTotal(rec Record) (decimal.Decimal, error) {
	p, err := decimal.NewFromString(str(rec["payment"]))
	if err != nil || !p.IsPositive() {
		return decimal.Zero, &badRequest{"INVALID_FLD_VALUE", "payment", fmt.Sprintf("Invalid value %v for Payment Amount: a positive amount.", rec["payment"])}
	}
	return p, nil
}

// checkPaymentApply refuses applications that total more than the payment
// (NetSuite: the payment cannot apply more than its amount); the per-invoice
// open amounts are checkApply's.
func checkPaymentApply(rows []Record, payment, refunded decimal.Decimal) error {
	sum := refunded
	for _, a := range appliedDocs(rows) {
		sum = sum.Add(a)
	}
	if sum.GreaterThan(payment) {
		if refunded.IsPositive() {
			return &badRequest{"INVALID_FLD_VALUE", "apply", fmt.Sprintf("The total applied (%s) and refunded (%s) exceeds the payment amount (%s).",
				sum.Sub(refunded).StringFixed(2), refunded.StringFixed(2), payment.StringFixed(2))}
		}
		return &badRequest{"INVALID_FLD_VALUE", "apply", fmt.Sprintf("The total applied (%s) exceeds the payment amount (%s).", sum.StringFixed(2), payment.StringFixed(2))}
	}
	return nil
}

// setPaymentTotals shows a payment's total and its applied / unapplied parts.
func (n *netsuiteAPI) setPaymentTotals(rec Record, payment decimal.Decimal) {
	rec["total"] = json.Number(payment.StringFixed(2))
	rec["amountRemaining"] = json.Number(n.remaining(rec, payment).StringFixed(2))
	if _, ok := rec["apply"]; !ok {
		unapplied := payment.Sub(n.refunded.total(str(rec["id"])))
		rec["applied"], rec["unapplied"] = json.Number("0.00"), json.Number(unapplied.StringFixed(2))
	}
}
