package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/zuora"
)

// Credit memo applications (Zuora OpenAPI zuora-credit-memos-api-openapi.yml):
//   - GET /v1/creditmemos/{key}/parts: GETCreditMemoPartsCollectionType
//     {parts: [{id, invoiceId | debitMemoId, amount, createdDate}], nextPage};
//   - PUT /v1/creditmemos/{key}/apply: ApplyCreditMemoType {invoices:
//     [{invoiceId, amount}], debitMemos: [{debitMemoId, amount}],
//     effectiveDate}. Refused: a memo not Posted, an amount above the memo's
//     unapplied amount or the document's balance, a document of another
//     account. The memo's appliedAmount / unappliedAmount / balance and the
//     document's balance move; an application is one more part (one per
//     document: a second application to the same document adds to it).
const creditMemoPartTable = "CreditMemoPart"

// memoDate is a memo's creditMemoDate: the effective date given, or today.
func memoDate(effective string) string {
	if effective != "" {
		return effective
	}
	return time.Now().UTC().Format("2006-01-02")
}

func (z *zuoraAPI) creditMemoParts(w http.ResponseWriter, r *http.Request) {
	z.serveV1List(w, r, v1List{key: "parts", isOnly: true,
		rows: func(w http.ResponseWriter, r *http.Request) ([]Record, bool) {
			return z.childRows(w, r, z.creditMemoByKey, "id", creditMemoPartTable, "creditMemoId")
		},
		answer: func(_ *http.Request, p Record) Record {
			return without(Record{"success": true, "invoiceId": nil, "debitMemoId": nil}, p, "creditMemoId")
		}})
}

func (z *zuoraAPI) applyCreditMemo(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Invoices []struct {
			InvoiceID string      `json:"invoiceId"`
			Amount    json.Number `json:"amount"`
		} `json:"invoices"`
		DebitMemos []struct {
			DebitMemoID string      `json:"debitMemoId"`
			Amount      json.Number `json:"amount"`
		} `json:"debitMemos"`
		EffectiveDate string `json:"effectiveDate"`
	}
	if err := decodeBody(r, &in); err != nil {
		z.restError(w, 400, "50000020", err.Error())
		return
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	if !z.requireIS(w) {
		return
	}
	memo, ok := z.creditMemoByKey(r.PathValue("key"))
	if !ok {
		z.restError(w, 404, "50000040", "Cannot find entity by key: '"+r.PathValue("key")+"'.")
		return
	}
	if str(memo["status"]) != "Posted" {
		z.restError(w, 400, "50000020", "Only credit memos with Posted status can be applied.")
		return
	}
	unapplied := decField(memo, "unappliedAmount", decField(memo, "balance", decimal.Zero))
	type target struct {
		table, id, field string
		rec              Record
		amount           decimal.Decimal
	}
	var targets []target
	total := decimal.Zero
	add := func(table, id, field, balanceField, accountField string, given json.Number) bool {
		amt, err := decimal.NewFromString(string(given))
		if err != nil || !amt.IsPositive() {
			z.restError(w, 400, "50000020", fmt.Sprintf("amount %q must be a positive number", given))
			return false
		}
		var rec Record
		if table == zuora.ObjDebitMemo {
			rec, ok = z.debitMemoByKey(id)
		} else {
			rec, ok = z.tables[table].byID[id]
		}
		if !ok {
			z.restError(w, 400, "50000020", fmt.Sprintf("%s %s does not exist", field, id))
			return false
		}
		if str(rec[accountField]) != str(memo["accountId"]) {
			z.restError(w, 400, "50000020", fmt.Sprintf("%s %s belongs to another account", field, id))
			return false
		}
		if amt.GreaterThan(decField(rec, balanceField, decimal.Zero)) {
			z.restError(w, 400, "50000020", fmt.Sprintf("The application amount %s exceeds the balance of %s %s.", amt.StringFixed(2), field, id))
			return false
		}
		total = total.Add(amt)
		targets = append(targets, target{table: table, id: str(rec[idField(table)]), field: field, rec: rec, amount: amt})
		return true
	}
	for _, x := range in.Invoices {
		if !add(zuora.ObjInvoice, x.InvoiceID, "invoiceId", "Balance", "AccountId", x.Amount) {
			return
		}
	}
	for _, x := range in.DebitMemos {
		if !add(zuora.ObjDebitMemo, x.DebitMemoID, "debitMemoId", "balance", "accountId", x.Amount) {
			return
		}
	}
	if len(targets) == 0 {
		z.restError(w, 400, "50000020", "invoices or debitMemos: at least one application is required")
		return
	}
	if total.GreaterThan(unapplied) {
		z.restError(w, 400, "50000020", fmt.Sprintf("The total application amount %s exceeds the unapplied amount %s of the credit memo.", total.StringFixed(2), unapplied.StringFixed(2)))
		return
	}
	memoID := str(memo["id"])
	parts, _ := z.tables[creditMemoPartTable].lookup("creditMemoId", []string{memoID})
	var changes []change
	for _, t := range targets {
		bf := "Balance"
		if t.table == zuora.ObjDebitMemo {
			bf = "balance"
		}
		rec := copyRecord(t.rec)
		rec[bf] = json.Number(decField(t.rec, bf, decimal.Zero).Sub(t.amount).StringFixed(2))
		rec[map[bool]string{true: "updatedDate", false: "UpdatedDate"}[t.table == zuora.ObjDebitMemo]] = zuoraNow()
		changes = append(changes, z.tables[t.table].put(t.id, rec, z.db, 0))
		var part Record
		for _, p := range parts {
			if str(p[t.field]) == t.id {
				part = copyRecord(p)
			}
		}
		if part == nil {
			part = Record{"id": newHex(16), "creditMemoId": memoID, t.field: t.id, "amount": json.Number("0"), "createdDate": zuoraNow()}
		}
		part["amount"] = json.Number(decField(part, "amount", decimal.Zero).Add(t.amount).StringFixed(2))
		part["updatedDate"] = zuoraNow()
		changes = append(changes, z.tables[creditMemoPartTable].put(str(part["id"]), part, z.db, 0))
	}
	m := copyRecord(memo)
	applied := decField(memo, "appliedAmount", decimal.Zero).Add(total)
	m["appliedAmount"] = json.Number(applied.StringFixed(2))
	m["unappliedAmount"] = json.Number(unapplied.Sub(total).StringFixed(2))
	m["balance"] = m["unappliedAmount"]
	m["updatedDate"] = zuoraNow()
	changes = append(changes, z.tables[zuora.ObjCreditMemo].put(memoID, m, z.db, 0))
	if err := z.db.write(changes...); err != nil {
		z.restError(w, 500, "50000000", err.Error())
		return
	}
	out := Record{"success": true}
	for k, v := range m {
		out[k] = v
	}
	writeJSON(w, 200, out)
}

func decField(r Record, field string, fallback decimal.Decimal) decimal.Decimal {
	if r[field] == nil {
		return fallback
	}
	d, err := decimal.NewFromString(str(r[field]))
	if err != nil {
		return fallback
	}
	return d
}

func copyRecord(r Record) Record {
	c := make(Record, len(r)+2)
	for k, v := range r {
		c[k] = v
	}
	return c
}
