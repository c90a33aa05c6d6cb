package sandbox

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// The generated IS tenant's debit memos come back in the OpenAPI's shape:
// 40-row pages with nextPage, a null transferredToAccounting read as No,
// items with taxItems whose financeInformation names the tax item, and a
// PUT of the connector's fields that a later GET shows.
func TestDebitMemos_WireShapeOnAnISTenant(t *testing.T) {
	f, err := fixture.Generate("accounts=5,invoices=2,is=true,debitmemos=90")
	if err != nil {
		t.Fatal(err)
	}
	e := start(t, t.TempDir(), f)
	ctx := context.Background()
	var all []zuora.DebitMemo
	pages := 0
	for page := 1; ; page++ {
		memos, more, err := e.z.ListDebitMemosPage(ctx, "Posted", page)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(memos) > zuora.DebitMemoPageSize {
			t.Fatalf("page %d has %d memos, above 40", page, len(memos))
		}
		all = append(all, memos...)
		if !more {
			break
		}
	}
	if len(all) != 81 || pages != 3 { // every tenth is a Draft
		t.Fatalf("%d Posted memos in %d pages, want 81 in 3", len(all), pages)
	}
	dm := all[0]
	if dm.TransferredToAccounting != "" || dm.Number == "" || dm.AccountID == "" || !dm.Amount.IsPositive() {
		t.Fatalf("first memo %+v", dm)
	}
	items, err := e.z.ListDebitMemoItems(ctx, dm.ID)
	if err != nil || len(items) == 0 {
		t.Fatalf("items: %v %v", items, err)
	}
	sum := dm.TaxAmount.Neg()
	for _, it := range items {
		sum = sum.Add(it.AmountWithoutTax)
		if it.SourceItemType == "" || it.SourceItemID == "" {
			t.Fatalf("item without a source: %+v", it)
		}
		for _, tx := range it.TaxItems {
			sum = sum.Add(tx.TaxAmount)
			if !strings.HasPrefix(tx.FinanceInformation.SalesTaxPayableAccountingCode, "TAX-") {
				t.Fatalf("tax item %+v without its accounting code", tx)
			}
		}
	}
	if !sum.Equal(dm.Amount.Sub(dm.TaxAmount)) {
		t.Fatalf("items sum to %s (with tax %s) but the memo is %s", sum, dm.TaxAmount, dm.Amount)
	}
	yes, status := zuora.TransferYes, zuora.StatusSyncComplete
	if err := e.z.UpdateDebitMemo(ctx, dm.Number, zuora.DebitMemoUpdate{TransferredToAccounting: &yes, IntegrationStatus: &status}); err != nil {
		t.Fatal(err)
	}
	got, err := e.z.GetDebitMemo(ctx, dm.ID)
	if err != nil || got.TransferredToAccounting != "Yes" || got.IntegrationStatus != status {
		t.Fatalf("after PUT: %+v %v", got, err)
	}
	bad := "Maybe"
	if err := e.z.UpdateDebitMemo(ctx, dm.ID, zuora.DebitMemoUpdate{TransferredToAccounting: &bad}); err == nil {
		t.Fatal("transferredToAccounting Maybe: want the refusal")
	}
}

// A tenant without Invoice Settlement refuses every debit memo endpoint the
// way it refuses credit memos.
func TestDebitMemos_RefusedWithoutInvoiceSettlement(t *testing.T) {
	e := start(t, t.TempDir(), tinyTenant())
	ctx := context.Background()
	if _, _, err := e.z.ListDebitMemosPage(ctx, "", 1); err == nil || !strings.Contains(err.Error(), "Invoice Settlement is not enabled") {
		t.Fatalf("list: %v", err)
	}
	if _, err := e.z.GetDebitMemo(ctx, "x"); err == nil || !strings.Contains(err.Error(), "Invoice Settlement is not enabled") {
		t.Fatalf("get: %v", err)
	}
	yes := "Yes"
	if err := e.z.UpdateDebitMemo(ctx, "x", zuora.DebitMemoUpdate{TransferredToAccounting: &yes}); err == nil {
		t.Fatal("put: want the refusal")
	}
}

// POST /v1/debitmemos (POST_DebitMemoFromPrpc) on an IS tenant: a Posted
// memo of the charges' amounts (zuora-version 224.0), its items from the
// charges, readable as the generated ones; refused without Invoice
// Settlement, for an unknown charge, and without charges.
func TestDebitMemos_CreateFromChargesOnISOnly(t *testing.T) {
	f, err := fixture.Generate("accounts=2,invoices=2,is=true,debitmemos=2")
	if err != nil {
		t.Fatal(err)
	}
	e := start(t, t.TempDir(), f)
	ctx := context.Background()
	acct := f.Zuora.Objects[zuora.ObjAccount][0]["Id"].(string)
	charge := f.Zuora.Objects[zuora.ObjProductRatePlanCharge][0]["Id"].(string)
	body := `{"accountId":"` + acct + `","autoPost":true,"effectiveDate":"2026-04-01","charges":[{"chargeId":"` + charge + `","amount":12.34},{"chargeId":"` + charge + `","amount":5}]}`
	v224 := map[string]string{"zuora-version": "224.0"}
	if status, _, out := e.raw(t, "PUT", "/_sandbox/tenant", `{"invoiceSettlement":false}`, nil); status != 200 {
		t.Fatalf("tenant: %d %s", status, out)
	}
	if status, _, out := e.raw(t, "POST", "/v1/debitmemos", body, v224); status != 400 || !strings.Contains(out, "Invoice Settlement") {
		t.Errorf("without IS: %d %s, want refused", status, out)
	}
	if status, _, out := e.raw(t, "PUT", "/_sandbox/tenant", `{"invoiceSettlement":true}`, nil); status != 200 {
		t.Fatalf("tenant: %d %s", status, out)
	}
	for name, bad := range map[string]string{
		"unknown charge":  `{"accountId":"` + acct + `","charges":[{"chargeId":"nope","amount":1}]}`,
		"no charges":      `{"accountId":"` + acct + `","charges":[]}`,
		"unknown account": `{"accountId":"nope","charges":[{"chargeId":"` + charge + `","amount":1}]}`,
	} {
		if status, _, out := e.raw(t, "POST", "/v1/debitmemos", bad, v224); status != 400 {
			t.Errorf("%s: %d %s, want 400", name, status, out)
		}
	}
	status, _, out := e.raw(t, "POST", "/v1/debitmemos", body, v224)
	var made struct {
		ID string `json:"id"`
	}
	if status != 200 || json.Unmarshal([]byte(out), &made) != nil || made.ID == "" {
		t.Fatalf("create: %d %s", status, out)
	}
	dm, err := e.z.GetDebitMemo(ctx, made.ID)
	if err != nil || dm.Status != "Posted" || !dm.Amount.Equal(dec("17.34")) || !dm.Balance.Equal(dec("17.34")) || dm.AccountID != acct {
		t.Fatalf("memo %+v (%v)", dm, err)
	}
	items, err := e.z.ListDebitMemoItems(ctx, made.ID)
	if err != nil || len(items) != 2 || items[0].SourceItemType != "ProductRatePlanCharge" || items[0].SourceItemID != charge {
		t.Fatalf("items %+v (%v)", items, err)
	}
}
