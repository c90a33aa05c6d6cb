package sandbox

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/zuora"
)

// Payment parts (Zuora OpenAPI zuora-payments-api-openapi.yml, GET
// /v1/payments/{paymentKey}/parts, GETPaymentPartsCollectionType): "only
// available if you have Invoice Settlement enabled"; paymentKey is the
// payment's id or number; "A payment can consist of an unapplied part, and
// several parts applied to invoices and debit memos"; each part is {id,
// invoiceId, debitMemoId, amount, createdDate, updatedDate} with the
// document not applied to null (the spec's example); pages of at most 40
// (GLOBAL_REQUEST_pageSize: maximum 40, default 20), nextPage while more.
// The unapplied part is answered as a part with both ids null, carrying the
// payment's UnappliedAmount: the spec says the list holds it, and a reader
// that took every part for an application would be wrong (hostile reading).
const paymentPartTable = "PaymentPart"

func (z *zuoraAPI) paymentRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/payments/{key}/parts", z.auth(z.paymentParts))
	mux.HandleFunc("PUT /v1/payments/{key}/cancel", z.auth(z.putCancelPayment))
}

// paymentByKey finds a payment by id or number. Callers hold z.mu.
func (z *zuoraAPI) paymentByKey(key string) (Record, bool) {
	t := z.tables[zuora.ObjPayment]
	if rec, ok := t.byID[key]; ok {
		return rec, true
	}
	for _, rec := range t.all() {
		if str(rec["PaymentNumber"]) == key {
			return rec, true
		}
	}
	return nil, false
}

func (z *zuoraAPI) paymentParts(w http.ResponseWriter, r *http.Request) {
	z.serveV1List(w, r, v1List{key: "parts", isOnly: true,
		rows: func(w http.ResponseWriter, r *http.Request) ([]Record, bool) {
			pay, ok := z.paymentByKey(r.PathValue("key"))
			if !ok {
				z.restError(w, 404, "50000040", "Cannot find entity by key: '"+r.PathValue("key")+"'.")
				return nil, false
			}
			recs, _ := z.tables[paymentPartTable].lookup("paymentId", []string{str(pay["Id"])})
			all := slices.Clone(recs)
			if un := decField(pay, "UnappliedAmount", decimal.Zero); un.IsPositive() {
				all = append(all, Record{"id": str(pay["Id"]) + "-unapplied", "invoiceId": nil, "debitMemoId": nil,
					"amount": json.Number(un.StringFixed(2)), "createdDate": pay["CreatedDate"], "updatedDate": pay["UpdatedDate"]})
			}
			return all, true
		},
		answer: func(_ *http.Request, p Record) Record {
			return without(Record{"success": true, "invoiceId": nil, "debitMemoId": nil}, p, "paymentId")
		}})
}
