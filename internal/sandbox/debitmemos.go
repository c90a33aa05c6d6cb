package sandbox

import (
	"fmt"
	"net/http"

	"github.com/zuora-netsuite/connector/internal/zuora"
)

// Debit memos: only on a tenant with Invoice Settlement, refused elsewhere
// the way credit memos are (requireIS). Shapes from the Zuora OpenAPI
// zuora-debit-memos-api-openapi.yml (docs/wire.md "Debit memos"):
//   - GET /v1/debitmemos: GETDebitMemoCollectionType {debitmemos, nextPage},
//     filters accountId and status, pages of at most 40 (Z1);
//   - GET /v1/debitmemos/{key}: GETDebitMemoType, key = id or number;
//   - GET /v1/debitmemos/{key}/items: GETDebitMemoItemCollectionType; each
//     item's tax details are taxItems (GETDMTaxItemType), or, from
//     zuora-version 239.0, taxationItems.data instead (and no taxItems);
//   - PUT /v1/debitmemos/{key}: PUTDebitMemoType; only the fields of the
//     model table (internal/sandbox/zuoramodel) are accepted.
// The items have no charge id: only sourceItemType/sourceItemId lead to
// the catalog, as in the OpenAPI.

// debitMemoItemTable holds debit memo items in their REST shape plus the
// debitMemoId they belong to (not queryable through ZOQL, like the memos).
const debitMemoItemTable = "DebitMemoItem"

// debitMemoTaxTable holds the items' tax details (GETDMTaxItemType) with the
// debitMemoItemId they belong to.
const debitMemoTaxTable = "DebitMemoTaxationItem"

func (z *zuoraAPI) debitMemoRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/debitmemos", z.auth(z.idempotent(z.createDebitMemo)))
	mux.HandleFunc("GET /v1/debitmemos", z.auth(z.listDebitMemos))
	mux.HandleFunc("GET /v1/debitmemos/{key}", z.auth(z.getDebitMemo))
	mux.HandleFunc("PUT /v1/debitmemos/{key}", z.auth(z.putDebitMemo))
	mux.HandleFunc("GET /v1/debitmemos/{key}/items", z.auth(z.debitMemoItems))
}

func (z *zuoraAPI) debitMemoByKey(key string) (Record, bool) {
	t := z.tables[zuora.ObjDebitMemo]
	if r, ok := t.byID[key]; ok {
		return r, true
	}
	for _, r := range t.all() {
		if r["number"] == key {
			return r, true
		}
	}
	return nil, false
}

func (z *zuoraAPI) listDebitMemos(w http.ResponseWriter, r *http.Request) {
	z.serveV1List(w, r, v1List{key: "debitmemos", isOnly: true, rows: z.memoRows(zuora.ObjDebitMemo)})
}

// withNullTTA answers a memo that never had Transferred To Accounting set
// with null, as the API does ("null is shown as No in the UI"): the
// connector must read null as No.
func withNullTTA(recs []Record) []Record {
	out := make([]Record, len(recs))
	for i, rec := range recs {
		c := Record{"transferredToAccounting": nil}
		for k, v := range rec {
			c[k] = v
		}
		out[i] = c
	}
	return out
}

func (z *zuoraAPI) getDebitMemo(w http.ResponseWriter, r *http.Request) {
	z.mu.RLock()
	defer z.mu.RUnlock()
	if !z.requireIS(w) {
		return
	}
	rec, ok := z.debitMemoByKey(r.PathValue("key"))
	if !ok {
		z.restError(w, 404, "50000040", "Cannot find entity by key: '"+r.PathValue("key")+"'.")
		return
	}
	out := withNullTTA([]Record{rec})[0]
	out["success"] = true
	writeJSON(w, 200, out)
}

func (z *zuoraAPI) putDebitMemo(w http.ResponseWriter, r *http.Request) {
	var body Record
	if err := decodeBody(r, &body); err != nil {
		z.restError(w, 400, "50000020", err.Error())
		return
	}
	z.mu.RLock()
	is := z.tenant.InvoiceSettlement
	z.mu.RUnlock()
	if !is {
		z.requireIS(w)
		return
	}
	fields, err := z.checkFields(zuora.ObjDebitMemo, body, false)
	if err != nil {
		z.restError(w, 400, "50000020", err.Error())
		return
	}
	for k := range fields {
		switch k {
		case "transferredToAccounting", "IntegrationId__NS", "IntegrationStatus__NS", "SyncDate__NS", "comment", "reasonCode", "dueDate":
		default: // PUTDebitMemoType has no other header field
			z.restError(w, 400, "50000020", fmt.Sprintf("field %s of a debit memo cannot be updated", k))
			return
		}
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	old, ok := z.debitMemoByKey(r.PathValue("key"))
	if !ok {
		z.restError(w, 404, "50000040", "Cannot find entity by key: '"+r.PathValue("key")+"'.")
		return
	}
	rec := Record{}
	for k, v := range old {
		rec[k] = v
	}
	for k, v := range fields {
		rec[k] = v
	}
	rec["updatedDate"] = zuoraNow()
	id := str(rec["id"])
	if err := z.db.write(z.tables[zuora.ObjDebitMemo].put(id, rec, z.db, 0)); err != nil {
		z.restError(w, 500, "50000000", err.Error())
		return
	}
	writeJSON(w, 200, map[string]any{"success": true, "id": id})
}

func (z *zuoraAPI) debitMemoItems(w http.ResponseWriter, r *http.Request) {
	z.serveV1List(w, r, v1List{key: "items", isOnly: true,
		rows: func(w http.ResponseWriter, r *http.Request) ([]Record, bool) {
			return z.childRows(w, r, z.debitMemoByKey, "id", debitMemoItemTable, "debitMemoId")
		},
		answer: func(r *http.Request, it Record) Record {
			out := without(Record{"success": true}, it, "debitMemoId")
			taxes := z.memoTaxes(debitMemoTaxTable, "debitMemoItemId", str(it["id"]))
			if zuoraVersionAtLeast(r.Header.Get("zuora-version"), 239) {
				out["taxationItems"] = map[string]any{"data": taxes}
			} else {
				out["taxItems"] = taxes
			}
			return out
		}})
}

// memoTaxes answers a memo item's tax details (table, linked by link) in
// their REST shape: the accounting code inside financeInformation. Callers
// hold z.mu.
func (z *zuoraAPI) memoTaxes(table, link, itemID string) []Record {
	recs, _ := z.tables[table].lookup(link, []string{itemID})
	out := make([]Record, 0, len(recs))
	for _, t := range recs {
		c := Record{}
		for k, v := range t {
			if k != link && k != "salesTaxPayableAccountingCode" {
				c[k] = v
			}
		}
		var code any // null when none, as Zuora answers
		if s := str(t["salesTaxPayableAccountingCode"]); s != "" {
			code = s
		}
		c["financeInformation"] = map[string]any{"salesTaxPayableAccountingCode": code}
		out = append(out, c)
	}
	return out
}
