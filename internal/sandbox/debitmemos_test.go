package sandbox

import (
	"context"
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
