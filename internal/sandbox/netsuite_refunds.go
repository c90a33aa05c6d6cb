package sandbox

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/netsuite"
)

// NetSuite customer refunds (issue 16). Source: Oracle REST API Browser,
// record/v1 "customerRefund" (body: customer, tranDate, memo, paymentMethod,
// account, class, department, location, currency; sublist apply with doc,
// apply, amount) and the NetSuite help "Refunding a Customer Payment" /
// "Customer Refund" (a refund pays back what a customer payment or credit
// memo of that customer leaves unapplied; the Apply list shows the
// customer's own documents only). The emulator refuses: no customer, no
// applied line, a doc that is not a customer payment or credit memo of the
// customer, and a line above the doc's unapplied amount. Applying a refund
// lowers the doc's unapplied amount; a payment's apply sublist can then not
// apply more than what the refunds leave (checkPaymentApply).

const srcCustomerRefund = "Oracle REST API Browser record/v1 customerRefund; NetSuite help 'Customer Refund' (apply sublist: customer payments and credit memos, at most their unapplied amount)"

var customerRefundModel = nsRecordType{Type: netsuite.TypeCustomerRefund, Source: srcBrowser + "; " + srcCustomerRefund,
	Body: []nsField{fID, fExternalID,
		{Name: "tranId", Label: "Refund #", Type: "string"},
		{Name: "customer", Label: "Customer", Type: "object", Ref: []string{netsuite.TypeCustomer}, Required: true},
		{Name: "tranDate", Label: "Date", Type: "string", Format: "date"},
		{Name: "memo", Label: "Memo", Type: "string"},
		{Name: "paymentMethod", Label: "Payment Method", Type: "object", Ref: []string{netsuite.TypePaymentMethod}},
		{Name: "account", Label: "Account", Type: "object", Ref: []string{"account"}},
		fCurrency, fClass, fDepartment, fLocation,
		{Name: "total", Label: "Amount", Type: "number"},
		fCreated, fModified,
	},
	Sublists: map[string][]nsField{"apply": {
		{Name: "doc", Label: "Applied To", Type: "object", Ref: []string{netsuite.TypeCustomerPayment, netsuite.TypeCreditMemo}},
		{Name: "apply", Label: "Apply", Type: "boolean"}, {Name: "amount", Label: "Payment", Type: "number"},
		{Name: "line", Label: "Line", Type: "integer"}}},
}

// takeRefundApply removes a refund's apply sublist from the body and checks
// its rows' shape: each doc a customer payment or a credit memo.
func (n *netsuiteAPI) takeRefundApply(body Record) (rows []Record, ok bool, err error) {
	v, has := body["apply"]
	if !has {
		return nil, false, nil
	}
	delete(body, "apply")
	if rows = sublistItems(v); rows == nil && v != nil {
		return nil, false, &badRequest{"INVALID_FLD_VALUE", "apply", "apply must be a sublist: {\"items\": [...]}"}
	}
	for i, r := range rows {
		path := fmt.Sprintf("apply.items[%d].", i)
		doc, isRef := r["doc"].(map[string]any)
		if !isRef {
			return nil, false, &badRequest{"USER_ERROR", path + "doc", "Please enter value(s) for: Applied To (doc)"}
		}
		id := str(doc["id"])
		_, isPay := n.records[netsuite.TypeCustomerPayment].byID[id]
		_, isCM := n.records[netsuite.TypeCreditMemo].byID[id]
		if !isPay && !isCM {
			return nil, false, &badRequest{"INVALID_KEY_OR_REF", path + "doc", fmt.Sprintf("A customer refund applies to customer payments and credit memos; %s is neither.", id)}
		}
		if v, has := r["apply"]; has {
			if _, isBool := v.(bool); !isBool {
				return nil, false, &badRequest{"INVALID_FLD_VALUE", path + "apply", fmt.Sprintf("Invalid value %v for apply: true or false.", v)}
			}
		}
		if a, err := decimal.NewFromString(str(r["amount"])); err != nil || a.IsNegative() {
			return nil, false, &badRequest{"INVALID_FLD_VALUE", path + "amount", fmt.Sprintf("Invalid amount %v: an applied amount is a number of at least 0.", r["amount"])}
		}
		r["doc"] = map[string]any{"id": id}
	}
	return rows, true, nil
}

// refundDoc is the payment or credit memo a refund line applies to.
func (n *netsuiteAPI) refundDoc(id string) (typ string, rec Record) {
	if rec, ok := n.records[netsuite.TypeCustomerPayment].byID[id]; ok {
		return netsuite.TypeCustomerPayment, rec
	}
	return netsuite.TypeCreditMemo, n.records[netsuite.TypeCreditMemo].byID[id]
}

// docUnapplied is what a payment or credit memo leaves unapplied before
// refunds: its amount less what its apply sublist applies.
func docUnapplied(typ string, rec Record) decimal.Decimal {
	field := "total"
	if typ == netsuite.TypeCustomerPayment {
		field = "payment"
	}
	total, _ := decimal.NewFromString(str(rec[field]))
	for _, a := range appliedDocs(sublistItems(rec["apply"])) {
		total = total.Sub(a)
	}
	return total
}

// checkRefund checks a refund as it will be after the write (rows: its whole
// apply sublist) and returns the commit that stores the refunded amounts and
// shows the docs' new unapplied amounts. Nothing changes before commit.
func (n *netsuiteAPI) checkRefund(refundID string, rec Record, rows []Record) (func() []change, error) {
	old := appliedDocs(sublistItems(rec["apply"]))
	next := appliedDocs(rows)
	sum := decimal.Zero
	for _, a := range next {
		sum = sum.Add(a)
	}
	if !sum.IsPositive() {
		return nil, &badRequest{"USER_ERROR", "apply", "You must enter at least one line item for this transaction."}
	}
	customer, _ := rec["customer"].(map[string]any)
	docs := make([]string, 0, len(next)+len(old))
	for d := range next {
		docs = append(docs, d)
	}
	for d := range old {
		if _, dup := next[d]; !dup {
			docs = append(docs, d)
		}
	}
	sort.Strings(docs)
	for _, d := range docs {
		typ, doc := n.refundDoc(d)
		if doc == nil {
			continue
		}
		if _, applying := next[d]; !applying {
			continue
		}
		owner, _ := doc["customer"].(map[string]any)
		if typ == netsuite.TypeCreditMemo {
			owner, _ = doc["entity"].(map[string]any)
		}
		if str(owner["id"]) != str(customer["id"]) {
			return nil, &badRequest{"INVALID_KEY_OR_REF", "apply", fmt.Sprintf("%s %s belongs to another customer; a refund applies to its customer's documents only.", typ, d)}
		}
		open := docUnapplied(typ, doc).Sub(n.refunded.total(d)).Add(old[d])
		if next[d].GreaterThan(open) {
			return nil, &badRequest{"INVALID_FLD_VALUE", "apply", fmt.Sprintf("The amount refunded from %s %s (%s) exceeds its unapplied amount (%s).",
				typ, d, next[d].StringFixed(2), open.StringFixed(2))}
		}
	}
	return func() []change {
		n.refunded.set(refundID, old, next)
		items := make([]any, len(rows))
		for i, r := range rows {
			items[i] = r
		}
		rec["apply"] = map[string]any{"items": items}
		rec["total"] = json.Number(sum.StringFixed(2))
		return n.refreshRefundedDocs(docs)
	}, nil
}

// refreshRefundedDocs shows the docs' unapplied amounts after refunds changed.
func (n *netsuiteAPI) refreshRefundedDocs(docs []string) []change {
	var changes []change
	for _, d := range docs {
		typ, doc := n.refundDoc(d)
		if doc == nil {
			continue
		}
		upd := make(Record, len(doc))
		for k, v := range doc {
			upd[k] = v
		}
		if typ == netsuite.TypeCustomerPayment {
			p, _ := decimal.NewFromString(str(upd["payment"]))
			n.setPaymentTotals(upd, p)
		} else {
			n.setTotal(typ, d, upd)
		}
		changes = append(changes, n.records[typ].put(d, upd, n.db, 0))
	}
	return changes
}

// unindexRefund forgets a deleted refund and gives its docs their unapplied back.
func (n *netsuiteAPI) unindexRefund(refundID string, rec Record) []change {
	old := appliedDocs(sublistItems(rec["apply"]))
	n.refunded.set(refundID, old, nil)
	docs := make([]string, 0, len(old))
	for d := range old {
		docs = append(docs, d)
	}
	sort.Strings(docs)
	return n.refreshRefundedDocs(docs)
}
