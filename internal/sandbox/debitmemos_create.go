package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/zuora"
)

// POST /v1/debitmemos, "Create a debit memo from a charge"
// (zuora-debit-memos-api-openapi.yml, POST_DebitMemoFromPrpc,
// DebitMemoFromChargeType / DebitMemoFromChargeDetailType): "only available
// if you have Invoice Settlement enabled"; accountId or accountNumber (both:
// the same account); charges[] of chargeId (a product rate plan charge) and
// amount, which exists from zuora-version 224.0 (below it the item takes
// the charge's catalog price, the hostile reading the credit memo create
// plays, Z5); autoPost (default false: Draft); effectiveDate, dueDate,
// reasonCode, comment. The memo's items come from the charges (sourceItemType
// ProductRatePlanCharge, no tax). Made so a test can add debit memos to a
// tenant already on Invoice Settlement (the migration end-to-end).
func (z *zuoraAPI) createDebitMemo(w http.ResponseWriter, r *http.Request) {
	var in struct {
		AccountID     string `json:"accountId"`
		AccountNumber string `json:"accountNumber"`
		Charges       []struct {
			ChargeID         string      `json:"chargeId"`
			Amount           json.Number `json:"amount"`
			Comment          string      `json:"comment"`
			ServiceStartDate string      `json:"serviceStartDate"`
			ServiceEndDate   string      `json:"serviceEndDate"`
		} `json:"charges"`
		EffectiveDate string `json:"effectiveDate"`
		DueDate       string `json:"dueDate"`
		ReasonCode    string `json:"reasonCode"`
		Comment       string `json:"comment"`
		AutoPost      bool   `json:"autoPost"`
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
	acct, ok := z.tables[zuora.ObjAccount].byID[in.AccountID]
	if in.AccountID == "" {
		for _, a := range z.tables[zuora.ObjAccount].all() {
			if in.AccountNumber != "" && str(a["AccountNumber"]) == in.AccountNumber {
				acct, ok = a, true
			}
		}
	}
	if !ok || (in.AccountNumber != "" && str(acct["AccountNumber"]) != in.AccountNumber) {
		z.restError(w, 400, "50000020", fmt.Sprintf("accountId %q / accountNumber %q do not name one account", in.AccountID, in.AccountNumber))
		return
	}
	if len(in.Charges) == 0 {
		z.restError(w, 400, "50000022", "charges: at least one charge is required")
		return
	}
	modern := zuoraVersionAtLeast(r.Header.Get("zuora-version"), 224)
	date := memoDate(in.EffectiveDate)
	due := in.DueDate
	if due == "" {
		d, _ := time.Parse("2006-01-02", date)
		due = d.AddDate(0, 0, 30).Format("2006-01-02")
	}
	id := newHex(16)
	total := decimal.Zero
	var changes []change
	for i, c := range in.Charges {
		charge, ok := z.tables[zuora.ObjProductRatePlanCharge].byID[c.ChargeID]
		if !ok {
			z.restError(w, 400, "50000020", fmt.Sprintf("charges[%d].chargeId %q is not a product rate plan charge", i, c.ChargeID))
			return
		}
		a := z.catalogPrice(c.ChargeID)
		if modern && c.Amount != "" {
			var err error
			if a, err = decimal.NewFromString(string(c.Amount)); err != nil {
				z.restError(w, 400, "50000020", fmt.Sprintf("charges[%d].amount %q is not a number", i, c.Amount))
				return
			}
		}
		if !a.IsPositive() {
			z.restError(w, 400, "50000020", fmt.Sprintf("charges[%d]: the memo item amount %s must be positive", i, a))
			return
		}
		start, end := c.ServiceStartDate, c.ServiceEndDate
		if start == "" {
			start = date
		}
		if end == "" {
			end = start
		}
		itemID := newHex(16)
		amount := json.Number(a.StringFixed(2))
		changes = append(changes, z.tables[debitMemoItemTable].put(itemID, Record{"id": itemID, "debitMemoId": id, "amount": amount,
			"amountWithoutTax": amount, "quantity": json.Number("1"), "unitPrice": amount, "description": charge["Name"], "comment": c.Comment,
			"serviceStartDate": start, "serviceEndDate": end, "processingType": "Charge", "sourceItemType": "ProductRatePlanCharge",
			"sourceItemId": c.ChargeID, "subscriptionId": nil}, z.db, 0))
		total = total.Add(a)
	}
	status := "Draft"
	if in.AutoPost {
		status = "Posted"
	}
	t := z.tables[zuora.ObjDebitMemo]
	sum := json.Number(total.StringFixed(2))
	rec := Record{"id": id, "number": fmt.Sprintf("DM%08d", t.len()+1), "accountId": acct["Id"], "accountNumber": acct["AccountNumber"],
		"status": status, "debitMemoDate": date, "dueDate": due, "amount": sum, "balance": sum, "taxAmount": json.Number("0.00"),
		"reasonCode": in.ReasonCode, "comment": in.Comment, "createdDate": zuoraNow(), "updatedDate": zuoraNow()}
	changes = append(changes, t.put(id, rec, z.db, 0))
	if err := z.db.write(changes...); err != nil {
		z.restError(w, 500, "50000060", err.Error())
		return
	}
	out := Record{"success": true}
	for k, v := range rec {
		out[k] = v
	}
	writeJSON(w, 200, out)
}
