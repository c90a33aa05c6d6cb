package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/zuora"
)

// Credit memos: only on a tenant with Invoice Settlement (PUT /_sandbox/tenant).

func (z *zuoraAPI) creditMemoRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/creditmemos", z.auth(z.idempotent(z.createCreditMemo)))
	mux.HandleFunc("GET /v1/creditmemos", z.auth(z.listCreditMemos))
	mux.HandleFunc("GET /v1/creditmemos/{key}", z.auth(z.getCreditMemo))
	mux.HandleFunc("PUT /v1/creditmemos/{key}", z.auth(z.putCreditMemo))
	mux.HandleFunc("GET /v1/creditmemos/{key}/items", z.auth(z.creditMemoItems))
	mux.HandleFunc("GET /v1/creditmemos/{key}/parts", z.auth(z.creditMemoParts))
	mux.HandleFunc("PUT /v1/creditmemos/{key}/apply", z.auth(z.applyCreditMemo))
}

func (z *zuoraAPI) requireIS(w http.ResponseWriter) bool {
	if !z.tenant.InvoiceSettlement {
		z.restError(w, 400, "50000040", "Invoice Settlement is not enabled")
		return false
	}
	return true
}

func (z *zuoraAPI) createCreditMemo(w http.ResponseWriter, r *http.Request) {
	var in struct {
		AccountID string `json:"accountId"`
		Charges   []struct {
			ChargeID       string      `json:"chargeId"`
			Amount         json.Number `json:"amount"`
			MemoItemAmount json.Number `json:"memoItemAmount"`
			Comment        string      `json:"comment"`
			Finance        memoFinance `json:"financeInformation"`
		} `json:"charges"`
		EffectiveDate string `json:"effectiveDate"`
		ReasonCode    string `json:"reasonCode"`
		Comment       string `json:"comment"`
		AutoPost      bool   `json:"autoPost"`
		Origin        string `json:"Origin__NS"`
		Transaction   string `json:"Transaction__NS"`
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
	if _, ok := z.tables[zuora.ObjAccount].byID[in.AccountID]; !ok {
		z.restError(w, 400, "50000020", fmt.Sprintf("accountId %q is not an account", in.AccountID))
		return
	}
	if len(in.Charges) == 0 {
		z.restError(w, 400, "50000020", "charges: at least one charge is required")
		return
	}
	total := decimal.Zero
	var amounts []decimal.Decimal
	// Z5: charges[].amount exists from zuora-version 224.0; below it (and
	// with no header, which means the minimum 186.0) the field is unknown and
	// ignored, memoItemAmount is the amount, and without one the memo item
	// takes the charge's catalog price (the hostile reading).
	modern := zuoraVersionAtLeast(r.Header.Get("zuora-version"), 224)
	for i, c := range in.Charges {
		if _, ok := z.tables[zuora.ObjProductRatePlanCharge].byID[c.ChargeID]; !ok {
			z.restError(w, 400, "50000020", fmt.Sprintf("charges[%d].chargeId %q is not a product rate plan charge", i, c.ChargeID))
			return
		}
		given := c.Amount
		if !modern {
			given = c.MemoItemAmount
			if given == "" {
				given = json.Number(z.catalogPrice(c.ChargeID).String())
			}
		}
		a, err := decimal.NewFromString(string(given))
		if err != nil || !a.IsPositive() {
			z.restError(w, 400, "50000020", fmt.Sprintf("charges[%d]: the memo item amount %q must be a positive number", i, given))
			return
		}
		total = total.Add(a)
		amounts = append(amounts, a)
	}
	t := z.tables[zuora.ObjCreditMemo]
	id := newHex(16)
	status := "Draft"
	if in.AutoPost {
		status = "Posted"
	}
	rec := Record{"id": id, "number": fmt.Sprintf("CM%08d", t.len()+1), "accountId": in.AccountID, "amount": json.Number(total.StringFixed(2)),
		"balance": json.Number(total.StringFixed(2)), "status": status, "reasonCode": in.ReasonCode, "comment": in.Comment,
		"effectiveDate": in.EffectiveDate, "creditMemoDate": memoDate(in.EffectiveDate), "appliedAmount": json.Number("0"),
		"unappliedAmount": json.Number(total.StringFixed(2)), "transferredToAccounting": "No", "createdDate": zuoraNow(), "updatedDate": zuoraNow()}
	if in.Origin != "" {
		rec["Origin__NS"] = in.Origin
	}
	if in.Transaction != "" {
		rec["Transaction__NS"] = in.Transaction
	}
	changes := []change{t.put(id, rec, z.db, 0)}
	for i, c := range in.Charges {
		changes = append(changes, z.putCreditMemoItem(id, c.ChargeID, amounts[i], c.Finance))
	}
	if err := z.db.write(changes...); err != nil {
		z.restError(w, 500, "50000000", err.Error())
		return
	}
	out := Record{"success": true}
	for k, v := range rec {
		out[k] = v
	}
	writeJSON(w, 200, out)
}

// catalogPrice is a charge's first-tier price (0 when it has none).
func (z *zuoraAPI) catalogPrice(chargeID string) decimal.Decimal {
	tiers, _ := z.tables["ProductRatePlanChargeTier"].lookup("ProductRatePlanChargeId", []string{chargeID})
	for _, t := range tiers {
		if p, err := decimal.NewFromString(str(t["Price"])); err == nil {
			return p
		}
	}
	return decimal.Zero
}

// zuoraVersionAtLeast compares a zuora-version header ("224.0") to min.
func zuoraVersionAtLeast(h string, min float64) bool {
	v, err := strconv.ParseFloat(strings.TrimSpace(h), 64)
	return err == nil && v >= min
}

func (z *zuoraAPI) creditMemoByKey(key string) (Record, bool) {
	t := z.tables[zuora.ObjCreditMemo]
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

func (z *zuoraAPI) getCreditMemo(w http.ResponseWriter, r *http.Request) {
	z.mu.RLock()
	defer z.mu.RUnlock()
	if !z.requireIS(w) {
		return
	}
	rec, ok := z.creditMemoByKey(r.PathValue("key"))
	if !ok {
		z.restError(w, 404, "50000040", "Cannot find entity by key: '"+r.PathValue("key")+"'.")
		return
	}
	out := Record{"success": true}
	for k, v := range rec {
		out[k] = v
	}
	writeJSON(w, 200, out)
}

func (z *zuoraAPI) putCreditMemo(w http.ResponseWriter, r *http.Request) {
	var body Record
	if err := decodeBody(r, &body); err != nil {
		z.restError(w, 400, "50000020", err.Error())
		return
	}
	fields, err := z.checkFields(zuora.ObjCreditMemo, body, false)
	if err != nil {
		z.restError(w, 400, "50000020", err.Error())
		return
	}
	if v, ok := fields["transferredToAccounting"]; ok {
		switch v {
		case "No", "Processing", "Yes", "Error", "Ignore":
		default:
			z.restError(w, 400, "50000020", fmt.Sprintf("invalid value %v for transferredToAccounting", v))
			return
		}
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	if !z.requireIS(w) {
		return
	}
	old, ok := z.creditMemoByKey(r.PathValue("key"))
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
	if err := z.db.write(z.tables[zuora.ObjCreditMemo].put(id, rec, z.db, 0)); err != nil {
		z.restError(w, 500, "50000000", err.Error())
		return
	}
	writeJSON(w, 200, map[string]any{"success": true, "id": id})
}

func (z *zuoraAPI) listCreditMemos(w http.ResponseWriter, r *http.Request) {
	z.serveV1List(w, r, v1List{key: "creditmemos", isOnly: true, rows: z.memoRows(zuora.ObjCreditMemo)})
}
