package sandbox

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/zuora"
)

// adjustableLeft refuses an invoice item adjustment larger than what it
// adjusts: the invoice item's ChargeAmount (SourceType InvoiceDetail) or the
// taxation item's TaxAmount (SourceType Tax), net of the earlier adjustments
// of the same source that are not Canceled, in absolute value. Zuora's SOAP
// object reference: an adjustment is "always for a charge in an invoice" and
// SourceId/SourceType are required; its limit per item is not published, so
// the sandbox plays the reading that hurts the connector most (docs/wire.md,
// "Invoice item adjustments"): no adjustment beyond the item, whatever its Type.
func (z *zuoraAPI) adjustableLeft(adj Record, invoiceID string, amount decimal.Decimal) error {
	srcID, srcType := str(adj["SourceId"]), str(adj["SourceType"])
	var obj, field string
	switch srcType {
	case "InvoiceDetail":
		obj, field = zuora.ObjInvoiceItem, "ChargeAmount"
	case "Tax":
		obj, field = zuora.ObjTaxationItem, "TaxAmount"
	default:
		return fmt.Errorf("SourceType %q must be InvoiceDetail or Tax", srcType)
	}
	src, ok := z.tables[obj].byID[srcID]
	if !ok || str(src["InvoiceId"]) != invoiceID {
		return fmt.Errorf("SourceId %q is not a %s of invoice %s", srcID, obj, invoiceID)
	}
	itemAmount, err := decimal.NewFromString(str(src[field]))
	if err != nil {
		return fmt.Errorf("%s %s has no %s", obj, srcID, field)
	}
	// The source's amount net of its earlier adjustments: a Charge raises
	// it, a Credit lowers it (as they move the invoice balance).
	net := itemAmount
	earlier, _ := z.tables[zuora.ObjInvoiceItemAdjustment].lookup("InvoiceId", []string{invoiceID})
	for _, e := range earlier {
		if str(e["SourceId"]) != srcID || str(e["Status"]) == "Canceled" {
			continue
		}
		a, _ := decimal.NewFromString(str(e["Amount"]))
		if str(e["Type"]) == "Credit" {
			a = a.Neg()
		}
		net = net.Add(a)
	}
	left := net.Abs()
	if amount.GreaterThan(left) {
		return fmt.Errorf("The adjustment amount %s exceeds the amount left to adjust on %s %s: %s", amount.StringFixed(2), obj, srcID, decimal.Max(left, decimal.Zero).StringFixed(2))
	}
	return nil
}
