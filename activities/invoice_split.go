package activities

import (
	"fmt"
	"strings"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/workflows"
)

// Issue 13, invoice.overCeiling=split: an invoice with more lines than a
// NetSuite transaction takes (real-api-gaps N1) becomes several NetSuite
// records of at most the ceiling's lines each. The parts are planned in
// prepare from the line count of every batch, before the first write, and
// kept in InvoiceSyncState.Parts. A part is a run of whole batches, so every
// Zuora item belongs to exactly one part whatever attempt writes it, and the
// line key check of the first batch each call writes in a part (against the
// part's record) keeps a retried batch from writing a line twice; the parts
// are written concurrently (invoice_split_write.go).

// maxIntegrationIDLength is the length of Zuora's IntegrationId__NS custom
// field (text, 255).
const maxIntegrationIDLength = 255

// planParts cuts the batches (their line counts in order) into parts of at
// most ceiling lines, greedily: a part ends before the batch that would take
// it over the ceiling. A batch with no line never opens a part (NetSuite
// needs a line to create a record). why is non-empty when a single batch
// alone is over the ceiling: parts are cut between batches.
func planParts(batchLines []int, ceiling int) (parts []workflows.InvoicePart, why string) {
	for b, n := range batchLines {
		if n > ceiling {
			return nil, fmt.Sprintf("batch %d of the invoice has %d lines (its items and their taxation items), above NetSuite's line ceiling of %d "+
				"(invoice.lineCeiling), and a split cuts only between batches; lower run.batchSize to split it", b+1, n, ceiling)
		}
		if len(parts) > 0 && (n == 0 || parts[len(parts)-1].Lines+n <= ceiling) {
			parts[len(parts)-1].Lines += n
			continue
		}
		if len(parts) == 0 {
			parts = append(parts, workflows.InvoicePart{FirstBatch: 0, Lines: n})
			continue
		}
		parts = append(parts, workflows.InvoicePart{FirstBatch: b, Lines: n})
	}
	return parts, ""
}

// partOf is the index of the part batch b belongs to (0 when not split).
func partOf(parts []workflows.InvoicePart, b int) int {
	p := 0
	for i, part := range parts {
		if part.FirstBatch <= b {
			p = i
		}
	}
	return p
}

// partExternalID: part 1 keeps the unsplit invoice's external id, so an
// invoice synced before (or one that turns out not to need a split) is found
// under the same key; part k ≥ 2 is zuora-invoice-<id>-p<k>. Each part is
// created exactly once by its own key.
func partExternalID(zuoraInvoiceID string, part int) string {
	if part == 0 {
		return netsuite.InvoiceExternalID(zuoraInvoiceID)
	}
	return fmt.Sprintf("%s-p%d", netsuite.InvoiceExternalID(zuoraInvoiceID), part+1)
}

// asPart makes the header of the part being written: its own external id,
// the tranId <number>-k (when the connector numbers) and a memo a person
// reads as "part k of n of INV-123" (always, as NetSuite may number them).
// Every part keeps the Zuora invoice id in its body field (custbody_zuora_id).
func (j *invoiceJob) asPart(tx *netsuite.Transaction, ext string, p int) {
	if len(j.state.Parts) == 0 {
		return
	}
	k, n := p+1, len(j.state.Parts)
	tx.ExternalID = ext
	if tx.TranID != "" {
		tx.TranID = fmt.Sprintf("%s-%d", j.inv.InvoiceNumber, k)
	}
	memo := fmt.Sprintf("part %d of %d of %s", k, n, j.inv.InvoiceNumber)
	if tx.Memo != "" {
		memo += ": " + tx.Memo
	}
	tx.Memo = memo
}

// partBounds are part p's batches: [first, end). It reads only what no
// part writer changes (the plan), so it needs no lock: copying the whole
// state would read the cursors the writers move under stMu.
func (j *invoiceJob) partBounds(p int) (first, end int) {
	return partBoundsIn(j.state.Parts, j.state.TotalBatches, p)
}

func partBounds(s workflows.InvoiceSyncState, p int) (first, end int) {
	return partBoundsIn(s.Parts, s.TotalBatches, p)
}

func partBoundsIn(parts []workflows.InvoicePart, total, p int) (first, end int) {
	first, end = parts[p].FirstBatch, total
	if p+1 < len(parts) {
		end = parts[p+1].FirstBatch
	}
	return first, end
}

// recordIDs are the NetSuite records of this invoice, in part order.
func (j *invoiceJob) recordIDs() []string {
	if len(j.state.Parts) == 0 {
		return []string{j.state.NetSuiteID}
	}
	ids := make([]string, len(j.state.Parts))
	for i, p := range j.state.Parts {
		ids[i] = p.NetSuiteID
	}
	return ids
}

// integrationIDs is what the Zuora invoice's IntegrationId__NS records: the
// NetSuite ids comma-separated. Beyond 255 characters (about 30 parts, i.e.
// 150,000 lines at the default ceiling) it keeps the ids that fit and ends
// with "+N more"; every part is still found by its external id
// (zuora-invoice-<id>, -p2, …) and its custbody_zuora_id.
func integrationIDs(ids []string) string {
	all := strings.Join(ids, ",")
	if len(all) <= maxIntegrationIDLength {
		return all
	}
	for keep := len(ids) - 1; keep > 0; keep-- {
		s := strings.Join(ids[:keep], ",") + fmt.Sprintf(",+%d more", len(ids)-keep)
		if len(s) <= maxIntegrationIDLength {
			return s
		}
	}
	return ids[0]
}
