package sandbox

import (
	"encoding/json"
	"net/http"

	"github.com/shopspring/decimal"
)

// creditMemoItemTable holds the items of the credit memos made through
// POST /v1/creditmemos, with the financeInformation the request gave each
// (credit memo OpenAPI: charges[].financeInformation.onAccountAccountingCode;
// GET /v1/creditmemos/{key}/items answers items[].financeInformation). Not
// queryable through ZOQL, like the credit memos themselves.
const creditMemoItemTable = "CreditMemoItem"

// creditMemoTaxTable holds credit memo items' tax details (GETCMTaxItemType)
// with the creditMemoItemId (the item's Id) they belong to; a memo made
// through POST /v1/creditmemos here has none.
const creditMemoTaxTable = "CreditMemoTaxationItem"

type memoFinance struct {
	OnAccountAccountingCode string `json:"onAccountAccountingCode"`
}

func (z *zuoraAPI) putCreditMemoItem(memoID, chargeID string, amount decimal.Decimal, f memoFinance) change {
	id := newHex(16)
	return z.tables[creditMemoItemTable].put(id, Record{"Id": id, "creditMemoId": memoID, "productRatePlanChargeId": chargeID,
		"amount": json.Number(amount.StringFixed(2)), "onAccountAccountingCode": f.OnAccountAccountingCode}, z.db, 0)
}

func (z *zuoraAPI) creditMemoItems(w http.ResponseWriter, r *http.Request) {
	z.serveV1List(w, r, v1List{key: "items", isOnly: true,
		rows: func(w http.ResponseWriter, r *http.Request) ([]Record, bool) {
			return z.childRows(w, r, z.creditMemoByKey, "id", creditMemoItemTable, "creditMemoId")
		},
		answer: func(r *http.Request, it Record) Record {
			// amount is with tax; the stored amount is the charge's (without tax).
			taxes := z.memoTaxes(creditMemoTaxTable, "creditMemoItemId", str(it["Id"]))
			withTax := decField(it, "amount", decimal.Zero)
			for _, t := range taxes {
				withTax = withTax.Add(decField(t, "taxAmount", decimal.Zero))
			}
			var code any // null when none was given, as Zuora answers
			if c := str(it["onAccountAccountingCode"]); c != "" {
				code = c
			}
			// sourceItemType / sourceItemId / amountWithoutTax: GETCreditMemoItemType
			// (a memo from charges has no tax here, so amountWithoutTax = amount).
			item := Record{"id": it["Id"], "amount": json.Number(withTax.StringFixed(2)), "productRatePlanChargeId": it["productRatePlanChargeId"],
				"amountWithoutTax": it["amount"], "sourceItemType": "ProductRatePlanCharge", "sourceItemId": it["productRatePlanChargeId"],
				"financeInformation": map[string]any{"onAccountAccountingCode": code}}
			if zuoraVersionAtLeast(r.Header.Get("zuora-version"), 239) {
				item["taxationItems"] = map[string]any{"data": taxes}
			} else {
				item["creditTaxItems"] = taxes
			}
			return item
		}})
}
