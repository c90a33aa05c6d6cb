package activities

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// Finding the NetSuite records of a split invoice (issue 13) from what the
// Zuora invoice records: IntegrationId__NS "id1,id2,…" (integrationIDs), its
// tail "+N more" when the ids did not fit in 255 characters.

// invoicePartCount is how many NetSuite records an IntegrationId__NS names
// (1 for an unsplit invoice's single id).
func invoicePartCount(integrationID string) int {
	ids := strings.Split(integrationID, ",")
	last := ids[len(ids)-1]
	if more, ok := strings.CutPrefix(last, "+"); ok {
		n, _ := strconv.Atoi(strings.TrimSuffix(more, " more"))
		return len(ids) - 1 + n
	}
	return len(ids)
}

// invoicePartExternalIDs are the external ids of a split invoice's n parts.
func invoicePartExternalIDs(zuoraInvoiceID string, n int) []string {
	out := make([]string, n)
	for k := range out {
		out[k] = partExternalID(zuoraInvoiceID, k)
	}
	return out
}

// partHolding is the NetSuite record of a split invoice that holds the line
// of this Zuora invoice item or taxation item: where an adjustment of it
// belongs. An unsplit invoice's record is its IntegrationId__NS as before.
func (a *Activities) partHolding(ctx context.Context, inv zuora.Invoice, zuoraLineID string) (string, error) {
	n := invoicePartCount(inv.IntegrationID)
	if n <= 1 {
		return inv.IntegrationID, nil
	}
	rows, err := a.NetSuite.QueryAll(ctx, "SELECT id FROM transaction WHERE externalid IN ("+reconQuoteAll(invoicePartExternalIDs(inv.ID, n))+") ORDER BY id")
	if err != nil {
		return "", fmt.Errorf("looking up the NetSuite parts of invoice %s: %w", inv.InvoiceNumber, err)
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = fmt.Sprint(r["id"])
	}
	if len(ids) == 0 {
		return "", fmt.Errorf("NetSuite has none of the %d parts of invoice %s (external ids %s, …)", n, inv.InvoiceNumber, netsuite.InvoiceExternalID(inv.ID))
	}
	lines, err := a.NetSuite.QueryAll(ctx, "SELECT transaction FROM transactionline WHERE transaction IN ("+reconQuoteAll(ids)+
		") AND custcol_zuora_item_id = "+netsuite.Quote(zuoraLineID)+" ORDER BY transaction")
	if err != nil {
		return "", fmt.Errorf("looking up the NetSuite part holding Zuora item %s: %w", zuoraLineID, err)
	}
	if len(lines) == 0 {
		return "", fmt.Errorf("no NetSuite part of invoice %s holds the line of Zuora item %s", inv.InvoiceNumber, zuoraLineID)
	}
	return fmt.Sprint(lines[0]["transaction"]), nil
}

// mergeInvoiceParts makes one reconciled record of a split invoice's parts:
// ids joined as IntegrationId__NS records them, totals and lines summed, so
// reconcile compares the Zuora invoice with all its parts together. The
// parts are read under their own external ids (invoicePartExternalIDs).
func mergeInvoiceParts(ext []string, txs map[string]*reconTx, lines map[string]*reconLines) (*reconTx, bool) {
	var ids []string
	merged := &reconTx{total: decimal.Zero}
	all := &reconLines{byZID: map[string]decimal.Decimal{}}
	for _, e := range ext {
		t := txs[e]
		if t == nil {
			continue
		}
		ids = append(ids, t.id)
		merged.typ = t.typ
		merged.total = merged.total.Add(t.total)
		if ls := lines[t.id]; ls != nil {
			all.count += ls.count
			all.sum = all.sum.Add(ls.sum)
			all.noZIDs += ls.noZIDs
			for z, v := range ls.byZID {
				all.byZID[z] = all.byZID[z].Add(v)
			}
		}
	}
	if len(ids) == 0 {
		return nil, false
	}
	merged.id = integrationIDs(ids)
	lines[merged.id] = all
	return merged, true
}

// summarizedLines tells a record written under invoice.overCeiling=summarize:
// its lines carry group keys, not Zuora ids, so reconcile compares its sum.
func summarizedLines(ls *reconLines) bool {
	for z := range ls.byZID {
		if mapping.IsSummaryLineKey(z) {
			return true
		}
	}
	return false
}
