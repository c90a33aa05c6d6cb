package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// The seed (is-migration-prepare-data): "The negative invoice is written off
// with Invoice Item Adjustments first." Zuora adjusts one item per
// adjustment and never more than the item (or taxation item) holds, so a
// write-off is one Charge adjustment per negative invoice item and per
// negative taxation item, each at most what is left of its source after
// earlier adjustments, together the invoice's negative balance.

// writeOffLine is one planned adjustment of a write-off.
type writeOffLine struct {
	SourceID   string
	SourceType string // InvoiceDetail | Tax
	Amount     decimal.Decimal
}

// writeOffKeyLine keys one adjustment: a repeat of the same source and amount
// (an answer lost in flight) replays Zuora's earlier answer instead of adjusting twice.
func writeOffKeyLine(invoiceID string, l writeOffLine) string {
	return writeOffKey(invoiceID) + "-" + l.SourceID + "-" + l.Amount.StringFixed(2)
}

// planWriteOff spreads the amount to write off (positive) over the invoice's
// negative items and taxation items, item by item in id order, each item
// followed by its taxes; a source's amount is taken net of its earlier
// (non-Canceled) adjustments, as Zuora (and the sandbox) limit it. An error
// says when the items cannot carry it.
func planWriteOff(amount decimal.Decimal, set *invoiceItemSet, earlier []zuora.InvoiceItemAdjustment) ([]writeOffLine, error) {
	moved := map[string]decimal.Decimal{} // by source: what its adjustments moved its amount (Charge +, Credit −)
	for _, a := range earlier {
		if a.Status == "Canceled" {
			continue
		}
		if a.Type == "Credit" {
			moved[a.SourceID] = moved[a.SourceID].Sub(a.Amount)
		} else {
			moved[a.SourceID] = moved[a.SourceID].Add(a.Amount)
		}
	}
	var out []writeOffLine
	rest := amount
	take := func(id, typ string, value decimal.Decimal) {
		if !rest.IsPositive() {
			return
		}
		net := value.Add(moved[id])
		if !net.IsNegative() {
			return // a Charge adjusts a negative amount toward zero
		}
		left := net.Neg()
		a := decimal.Min(left, rest)
		out = append(out, writeOffLine{SourceID: id, SourceType: typ, Amount: a})
		rest = rest.Sub(a)
	}
	for i := range set.len() {
		it := set.item(i)
		take(it.ID, "InvoiceDetail", it.ChargeAmount)
		for _, t := range set.taxesOf(i) {
			take(t.ID, "Tax", t.TaxAmount)
		}
	}
	if rest.IsPositive() {
		return out, fmt.Errorf("its negative items and taxes (after earlier adjustments) carry %s less than the %s to write off",
			rest.StringFixed(2), amount.StringFixed(2))
	}
	return out, nil
}

// invoiceAdjustments are all adjustments of the invoices, by invoice.
func (m *Migration) invoiceAdjustments(ctx context.Context, invoiceIDs []string) (map[string][]zuora.InvoiceItemAdjustment, error) {
	adjs, err := zoqlByIDs[zuora.InvoiceItemAdjustment](ctx, m.Zuora, zuora.ObjInvoiceItemAdjustment, mapping.AdjustmentFields+", CreatedDate", "InvoiceId", invoiceIDs)
	if err != nil {
		return nil, err
	}
	out := map[string][]zuora.InvoiceItemAdjustment{}
	for _, a := range adjs {
		out[a.InvoiceID] = append(out[a.InvoiceID], a)
	}
	return out, nil
}

// isMigrationWriteOff: the migration's adjustments are the live ones marked DoNotSync.
func isMigrationWriteOff(a zuora.InvoiceItemAdjustment) bool {
	return strings.EqualFold(a.DoNotSync, "Yes") && a.Status != "Canceled"
}

// writtenOff is the total of the migration's adjustments among adjs.
func writtenOff(adjs []zuora.InvoiceItemAdjustment) decimal.Decimal {
	sum := decimal.Zero
	for _, a := range adjs {
		if isMigrationWriteOff(a) {
			sum = sum.Add(a.Amount)
		}
	}
	return sum
}

// writeOffItems makes the adjustments that bring the invoice's negative
// balance to zero and returns their total; it re-reads the invoice to check
// the balance is zero afterwards (a permanent error otherwise, naming it).
func (m *Migration) writeOffItems(ctx context.Context, inv zuora.Invoice, earlier []zuora.InvoiceItemAdjustment, in workflows.ConvertPageInput) (decimal.Decimal, error) {
	// The balance to write off is the invoice's now, not the page's
	// snapshot's: an earlier attempt of this page (killed, or timed out
	// while the machine was slow) may have made some or all of the
	// adjustments before it could mark the invoice.
	var now zuora.Invoice
	if err := m.Zuora.GetObject(ctx, zuora.ObjInvoice, inv.ID, &now); err != nil {
		return decimal.Zero, err
	}
	if !now.Balance.IsNegative() {
		return decimal.Zero, nil // written off already: the caller marks it with its adjustments' total
	}
	set, err := loadInvoiceItemSet(ctx, m.Zuora, inv.ID, nil)
	if err != nil {
		return decimal.Zero, err
	}
	lines, err := planWriteOff(now.Balance.Neg(), set, earlier)
	if err != nil {
		return decimal.Zero, err // permanent: no retry makes the items larger
	}
	made := decimal.Zero
	for _, l := range lines {
		heartbeat(ctx, inv.ID, l.SourceID)
		fields := map[string]any{
			"AccountId": inv.AccountID, "InvoiceId": inv.ID, "InvoiceNumber": inv.InvoiceNumber,
			"SourceType": l.SourceType, "SourceId": l.SourceID, "Type": "Charge", "Amount": json.Number(l.Amount.StringFixed(2)),
			"AdjustmentDate": in.Date, "ReasonCode": reasonCode(in.Settings),
			"Comment":                 "Invoice Settlement migration: write-off of negative invoice " + inv.InvoiceNumber,
			"TransferredToAccounting": zuora.TransferIgnore, zuora.FieldDoNotSync: "Yes",
		}
		if _, err := m.Zuora.CreateObject(ctx, zuora.ObjInvoiceItemAdjustment, fields, writeOffKeyLine(inv.ID, l)); err != nil {
			return made, err
		}
		made = made.Add(l.Amount)
	}
	var after zuora.Invoice
	if err := m.Zuora.GetObject(ctx, zuora.ObjInvoice, inv.ID, &after); err != nil {
		return made, err
	}
	if !after.Balance.IsZero() {
		// Permanent (a plain error): a person looks at what else moved the balance.
		return made, fmt.Errorf("balance %s after the write-off adjustments, not 0", after.Balance.StringFixed(2))
	}
	return made, nil
}
