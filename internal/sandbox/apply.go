package sandbox

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/netsuite"
)

// A credit memo's apply sublist, as NetSuite keeps it: rows
// {"doc": {"id"}, "apply": true, "amount"} keyed by the applied document.
// An applied row lowers the invoice's amountRemaining; the credit memo shows
// applied and unapplied (and amountRemaining = unapplied). NetSuite refuses
// to apply more than an invoice has open or more than the credit memo's total.

// applyIndex: invoice id -> credit memo id -> amount the memo applies to it.
type applyIndex map[string]map[string]decimal.Decimal

func (ix applyIndex) total(invoiceID string) decimal.Decimal {
	sum := decimal.Zero
	for _, a := range ix[invoiceID] {
		sum = sum.Add(a)
	}
	return sum
}

// set replaces what credit memo cm applies (doc id -> amount).
func (ix applyIndex) set(cm string, old, next map[string]decimal.Decimal) {
	for doc := range old {
		delete(ix[doc], cm)
		if len(ix[doc]) == 0 {
			delete(ix, doc)
		}
	}
	for doc, a := range next {
		if ix[doc] == nil {
			ix[doc] = map[string]decimal.Decimal{}
		}
		ix[doc][cm] = a
	}
}

// reindexApplied rebuilds the index from the stored credit memos (after a
// load from disk or a fixture).
func (n *netsuiteAPI) reindexApplied() {
	n.applied = applyIndex{}
	for _, typ := range []string{netsuite.TypeCreditMemo, netsuite.TypeCustomerPayment} {
		for _, cm := range n.records[typ].all() {
			n.applied.set(str(cm["id"]), nil, appliedDocs(sublistItems(cm["apply"])))
		}
	}
	n.refunded = applyIndex{}
	for _, rf := range n.records[netsuite.TypeCustomerRefund].all() {
		n.refunded.set(str(rf["id"]), nil, appliedDocs(sublistItems(rf["apply"])))
	}
	// A fixture's invoices were totalled before its credit memos were read:
	// lower them by what is applied (in place, before the load is written).
	for doc := range n.applied {
		if inv, ok := n.records[netsuite.TypeInvoice].byID[doc]; ok {
			total, _ := decimal.NewFromString(str(inv["total"]))
			inv["amountRemaining"] = json.Number(total.Sub(n.applied.total(doc)).StringFixed(2))
		}
	}
}

// appliedDocs sums applied rows by document.
func appliedDocs(rows []Record) map[string]decimal.Decimal {
	out := map[string]decimal.Decimal{}
	for _, r := range rows {
		if !applyOn(r) {
			continue
		}
		doc, _ := r["doc"].(map[string]any)
		a, err := decimal.NewFromString(str(r["amount"]))
		if doc == nil || err != nil {
			continue
		}
		out[str(doc["id"])] = out[str(doc["id"])].Add(a)
	}
	return out
}

// applyOn: a row without "apply" counts as applied, as a row sent with an
// amount is meant to be.
func applyOn(r Record) bool {
	v, ok := r["apply"]
	if !ok {
		return true
	}
	b, isBool := v.(bool)
	return isBool && b
}

// takeApply removes the apply sublist from a write's body and checks its
// rows' shape and references. ok=false: the body has none.
func (n *netsuiteAPI) takeApply(typ string, body Record) (rows []Record, ok bool, err error) {
	v, has := body["apply"]
	if !has {
		return nil, false, nil
	}
	delete(body, "apply")
	if typ != netsuite.TypeCreditMemo && typ != netsuite.TypeCustomerPayment {
		return nil, false, &badRequest{"INVALID_FLD", "apply", fmt.Sprintf("Record type %s has no apply sublist.", typ)}
	}
	rows = sublistItems(v)
	if rows == nil && v != nil {
		return nil, false, &badRequest{"INVALID_FLD_VALUE", "apply", "apply must be a sublist: {\"items\": [...]}"}
	}
	for i, r := range rows {
		path := fmt.Sprintf("apply.items[%d].", i)
		doc, isRef := r["doc"].(map[string]any)
		if !isRef {
			return nil, false, &badRequest{"USER_ERROR", path + "doc", "Please enter value(s) for: Applied To (doc)"}
		}
		if err := n.checkRefs(Record{"doc": doc}, path); err != nil {
			return nil, false, err
		}
		if _, isInv := n.records[netsuite.TypeInvoice].byID[str(doc["id"])]; !isInv {
			return nil, false, &badRequest{"INVALID_KEY_OR_REF", path + "doc", fmt.Sprintf("A %s applies to invoices; %s is not an invoice.", map[string]string{netsuite.TypeCreditMemo: "credit memo", netsuite.TypeCustomerPayment: "customer payment"}[typ], str(doc["id"]))}
		}
		if v, has := r["apply"]; has {
			if _, isBool := v.(bool); !isBool {
				return nil, false, &badRequest{"INVALID_FLD_VALUE", path + "apply", fmt.Sprintf("Invalid value %v for apply: true or false.", v)}
			}
		}
		a, err := decimal.NewFromString(str(r["amount"]))
		if err != nil || a.IsNegative() {
			return nil, false, &badRequest{"INVALID_FLD_VALUE", path + "amount", fmt.Sprintf("Invalid amount %v: an applied amount is a number of at least 0.", r["amount"])}
		}
		r["doc"] = map[string]any{"id": str(doc["id"])}
	}
	return rows, true, nil
}

// mergeApply: upsert and ?replace=apply replace the rows; PATCH updates the
// row of the same doc and appends the others (NetSuite keys apply rows by doc).
func mergeApply(old, rows []Record, replaceAll bool) []Record {
	if replaceAll {
		return rows
	}
	out := make([]Record, 0, len(old)+len(rows))
	pos := map[string]int{}
	for _, r := range old {
		pos[docID(r)] = len(out)
		out = append(out, r)
	}
	for _, r := range rows {
		if i, ok := pos[docID(r)]; ok {
			merged := Record{}
			for k, v := range out[i] {
				merged[k] = v
			}
			for k, v := range r {
				merged[k] = v
			}
			out[i] = merged
			continue
		}
		pos[docID(r)] = len(out)
		out = append(out, r)
	}
	return out
}

func docID(r Record) string {
	doc, _ := r["doc"].(map[string]any)
	return str(doc["id"])
}

// checkApply checks a credit memo's new apply rows: at most its total
// (given: what the lines will total after this write), at most what each
// invoice has open. commit then stores them, updates the invoices'
// amountRemaining and returns their changes; nothing changes before commit.
func (n *netsuiteAPI) checkApply(cmID string, rec Record, rows []Record, cmTotal decimal.Decimal) (commit func() []change, err error) {
	old := appliedDocs(sublistItems(rec["apply"]))
	next := appliedDocs(rows)
	sum := decimal.Zero
	for _, a := range next {
		sum = sum.Add(a)
	}
	if sum.GreaterThan(cmTotal) {
		return nil, &badRequest{"INVALID_FLD_VALUE", "apply", fmt.Sprintf("The total applied (%s) exceeds the credit memo's amount (%s).", sum.StringFixed(2), cmTotal.StringFixed(2))}
	}
	docs := make([]string, 0, len(old)+len(next))
	for d := range old {
		docs = append(docs, d)
	}
	for d := range next {
		if _, dup := old[d]; !dup {
			docs = append(docs, d)
		}
	}
	sort.Strings(docs)
	invoices := n.records[netsuite.TypeInvoice]
	remaining := map[string]decimal.Decimal{}
	for _, d := range docs {
		inv, ok := invoices.byID[d]
		if !ok {
			continue // an invoice deleted since: nothing to update
		}
		total, _ := decimal.NewFromString(str(inv["total"]))
		r := total.Sub(n.applied.total(d)).Add(old[d]).Sub(next[d])
		if r.IsNegative() && next[d].GreaterThan(old[d]) {
			return nil, &badRequest{"INVALID_FLD_VALUE", "apply", fmt.Sprintf("The amount applied to invoice %s (%s) exceeds its amount remaining (%s).",
				str(inv["tranId"]), next[d].StringFixed(2), total.Sub(n.applied.total(d)).Add(old[d]).StringFixed(2))}
		}
		remaining[d] = r
	}
	return func() []change { return n.commitApply(cmID, rec, rows, old, next, docs, remaining) }, nil
}

func (n *netsuiteAPI) commitApply(cmID string, rec Record, rows []Record, old, next map[string]decimal.Decimal, docs []string, remaining map[string]decimal.Decimal) []change {
	invoices := n.records[netsuite.TypeInvoice]
	n.applied.set(cmID, old, next)
	items := make([]any, len(rows))
	for i, r := range rows {
		items[i] = r
	}
	rec["apply"] = map[string]any{"items": items}
	var changes []change
	for _, d := range docs {
		r, ok := remaining[d]
		if !ok {
			continue
		}
		inv := invoices.byID[d]
		upd := make(Record, len(inv))
		for k, v := range inv {
			upd[k] = v
		}
		upd["amountRemaining"] = json.Number(r.StringFixed(2))
		changes = append(changes, invoices.put(d, upd, n.db, 0))
	}
	return changes
}

// remaining is what a transaction has open: an invoice's total less what
// credit memos apply to it; a credit memo's total less what it applies (its
// unapplied amount, also shown as applied / unapplied).
func (n *netsuiteAPI) remaining(rec Record, total decimal.Decimal) decimal.Decimal {
	if _, isCM := rec["apply"]; isCM {
		applied := decimal.Zero
		for _, a := range appliedDocs(sublistItems(rec["apply"])) {
			applied = applied.Add(a)
		}
		// A customer refund takes from the unapplied amount (netsuite_refunds.go).
		open := total.Sub(applied).Sub(n.refunded.total(str(rec["id"])))
		rec["applied"] = json.Number(applied.StringFixed(2))
		rec["unapplied"] = json.Number(open.StringFixed(2))
		return open
	}
	return total.Sub(n.applied.total(str(rec["id"])))
}

// unindexApply forgets a deleted credit memo's applications and reopens the
// invoices it applied to.
func (n *netsuiteAPI) unindexApply(cmID string, cm Record) []change {
	old := appliedDocs(sublistItems(cm["apply"]))
	if len(old) == 0 {
		return nil
	}
	n.applied.set(cmID, old, nil)
	invoices := n.records[netsuite.TypeInvoice]
	var changes []change
	docs := make([]string, 0, len(old))
	for d := range old {
		docs = append(docs, d)
	}
	sort.Strings(docs)
	for _, d := range docs {
		inv, ok := invoices.byID[d]
		if !ok {
			continue
		}
		upd := make(Record, len(inv))
		for k, v := range inv {
			upd[k] = v
		}
		total, _ := decimal.NewFromString(str(inv["total"]))
		upd["amountRemaining"] = json.Number(total.Sub(n.applied.total(d)).StringFixed(2))
		changes = append(changes, invoices.put(d, upd, n.db, 0))
	}
	return changes
}

// prospectiveTotal is what a transaction's lines will total after a write
// with these item rows (without changing anything).
func (n *netsuiteAPI) prospectiveTotal(id string, rows []Record, hasItems, replaceAll bool) decimal.Decimal {
	amounts := map[int]decimal.Decimal{}
	ls := n.lines[id]
	if ls != nil && !(hasItems && replaceAll) {
		for _, l := range ls.lines {
			amounts[lineNo(l)] = lineAmount(l)
		}
	}
	next := -1
	for _, r := range rows {
		a, err := decimal.NewFromString(str(r["amount"]))
		if k := lineNo(r); k > 0 && !replaceAll && ls != nil {
			if err == nil {
				amounts[k] = a
			}
			continue
		}
		amounts[next] = a
		next--
	}
	sum := decimal.Zero
	for _, a := range amounts {
		sum = sum.Add(a)
	}
	return sum
}

// expandApply shows a credit memo's apply sublist as GET does: links only,
// or the rows (with refName on doc) when sublists are expanded.
func (n *netsuiteAPI) expandApply(out Record, self string, expand bool) {
	v, ok := out["apply"]
	if !ok {
		return
	}
	links := []any{map[string]any{"rel": "self", "href": self + "/apply"}}
	if !expand {
		out["apply"] = map[string]any{"links": links}
		return
	}
	rows := sublistItems(v)
	items := make([]any, 0, len(rows))
	for i, r := range rows {
		row := Record{}
		for k, x := range r {
			row[k] = n.withRefName(k, x)
		}
		row["line"] = json.Number(fmt.Sprint(i + 1))
		items = append(items, row)
	}
	out["apply"] = map[string]any{"links": links, "items": items, "totalResults": len(items)}
}
