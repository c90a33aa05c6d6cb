package mapping

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

func catalogCharge() zuora.ProductRatePlanCharge {
	return zuora.ProductRatePlanCharge{ID: "c1", Name: "Platform Seats", ItemType: "Service", AccountingCode: "Sales",
		RevRecTemplateType: "Standard", RevRecStart: "Charge Period Start", RevRecEnd: "Charge Period End", RevRecCode: "Ratable"}
}

var glAccounts = map[string]string{"Sales": "10", "4000": "10", "Deferred Revenue": "11", "2400": "11"}

func TestCatalogItemID_UseZuoraChargeID(t *testing.T) {
	s := settings.Default()
	if got := CatalogItemID(catalogCharge(), s); got != "Zuora Charge c1" {
		t.Errorf("item id %q, want the default prefix plus the charge id", got)
	}
	s.Catalog.ItemIDPrefix = "ZC-"
	if got := CatalogItemID(catalogCharge(), s); got != "ZC-c1" {
		t.Errorf("item id %q, want ZC-c1", got)
	}
}

func TestCatalogItemID_UseZuoraChargeNameAsIs(t *testing.T) {
	s := settings.Default()
	s.Catalog.ItemIDMapping = settings.ItemIDFromChargeName
	ch := catalogCharge()
	ch.Name = `Seats, "Pro" & Support`
	if got := CatalogItemID(ch, s); got != ch.Name {
		t.Errorf("item id %q, want the charge name as is", got)
	}
}

func TestCatalogItemID_ChargeNameMustBeGloballyUnique(t *testing.T) {
	s := settings.Default()
	s.Catalog.ItemIDMapping = settings.ItemIDFromChargeName
	a, b, c := catalogCharge(), catalogCharge(), catalogCharge()
	b.ID, c.ID = "c2", "c3"
	all := []zuora.ProductRatePlanCharge{a, b, c}
	for _, ch := range all {
		ps := ValidateChargeNameUnique(ch, all, s)
		if len(ps) != 1 || ps[0].Rule != RuleItemIDByChargeName {
			t.Fatalf("charge %s: problems %v, want the uniqueness rule", ch.ID, ps)
		}
		for _, other := range all {
			if other.ID != ch.ID && !strings.Contains(ps[0].Reason, other.ID) {
				t.Errorf("reason %q does not name charge %s", ps[0].Reason, other.ID)
			}
		}
		if strings.Contains(ps[0].Reason, "charge "+ch.ID+" ") {
			t.Errorf("reason %q names the charge itself as the other", ps[0].Reason)
		}
	}
	if ps := ValidateChargeNameUnique(a, []zuora.ProductRatePlanCharge{a}, s); len(ps) != 0 {
		t.Errorf("unique name: problems %v", ps)
	}
	if ps := ValidateChargeNameUnique(a, all, settings.Default()); len(ps) != 0 {
		t.Errorf("charge id mapping does not need unique names: problems %v", ps)
	}
}

func TestCatalogItemType_ChargeItemTypeDecidesRecordType(t *testing.T) {
	for typ, want := range map[string]string{"Inventory": "inventoryItem", "Non Inventory": "nonInventorySaleItem", "Service": "serviceSaleItem"} {
		ch := catalogCharge()
		ch.ItemType = typ
		got, p := NetSuiteItemType(ch)
		if p != nil || got != want {
			t.Errorf("%s: %q %v, want %s", typ, got, p, want)
		}
	}
	ch := catalogCharge()
	ch.ItemType = ""
	if _, p := NetSuiteItemType(ch); p == nil || p.Rule != RuleItemType {
		t.Errorf("empty item type: %v, want a problem", p)
	}
}

func TestCatalogItemType_MustNotChangeAfterSync(t *testing.T) {
	ch := catalogCharge()
	if ps := ValidateItemTypeUnchanged(ch, netsuite.TypeInventoryItem, netsuite.TypeServiceItem); len(ps) != 1 || ps[0].Rule != RuleItemTypeFixed {
		t.Errorf("changed type: problems %v", ps)
	}
	if ps := ValidateItemTypeUnchanged(ch, netsuite.TypeServiceItem, netsuite.TypeServiceItem); len(ps) != 0 {
		t.Errorf("same type: problems %v", ps)
	}
}

func TestCatalogBehavior_SyncNewRecordsOnlyNeverUpdates(t *testing.T) {
	s := settings.Default()
	s.Catalog.Behavior = settings.SyncNewOnly
	ch := catalogCharge()
	if ok, _ := ChargeSelectable(ch, s); !ok {
		t.Error("a new charge is not selected under Sync New Records Only")
	}
	ch.IntegrationID, ch.SyncDate, ch.UpdatedDate = "20", "2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z"
	if ok, _ := ChargeSelectable(ch, s); ok {
		t.Error("a synced, modified charge is selected under Sync New Records Only")
	}
}

func TestCatalogBehavior_SyncNewAndModifiedRecords(t *testing.T) {
	s := settings.Default()
	ch := catalogCharge()
	ch.IntegrationID, ch.SyncDate, ch.UpdatedDate = "20", "2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z"
	if ok, _ := ChargeSelectable(ch, s); !ok {
		t.Error("a modified charge is not selected")
	}
	ch.UpdatedDate = "2025-12-31T16:00:30-08:00" // the write-back itself, 30 s later
	if ok, _ := ChargeSelectable(ch, s); ok {
		t.Error("a charge touched only by the connector's write-back is selected again")
	}
}

func TestCatalogItem_RevRecFieldsAndIncomeAccountCarried(t *testing.T) {
	ch := catalogCharge()
	ch.DeferredRevAccount = "Deferred Revenue"
	ch.Location = "Boston"
	ch.IncludeChildren = "Yes"
	it := NetSuiteItemFromCharge(ch, lookups(), glAccounts, settings.Default())
	if refID(it.IncomeAccount) != "10" || refID(it.DeferredRevenueAccount) != "11" || refID(it.Location) != "1" {
		t.Errorf("accounts/classification not carried: %+v", it)
	}
	if it.RevRecTemplate != "Standard" || it.RevRecStart != "Charge Period Start" || it.RevRecEnd != "Charge Period End" || it.RevRecCode != "Ratable" {
		t.Errorf("rev rec fields not carried: %+v", it)
	}
	if it.ItemID != "Zuora Charge c1" || it.DisplayName != "Platform Seats" || it.ZuoraID != "c1" || it.IncludeChildren == nil || !*it.IncludeChildren {
		t.Errorf("item %+v", it)
	}
	b, _ := json.Marshal(it)
	for _, k := range []string{`"itemId"`, `"incomeAccount"`, `"custitem_zuora_rev_rec_start"`, `"custitem_zuora_rev_rec_template_type"`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("body %s lacks %s", b, k)
		}
	}
	ch.RecognizedRevAccount = "4000"
	ch.AccountingCode = ""
	if it := NetSuiteItemFromCharge(ch, lookups(), glAccounts, settings.Default()); refID(it.IncomeAccount) != "10" {
		t.Errorf("recognized revenue account not used as income account: %+v", it.IncomeAccount)
	}
}

func TestCatalogValidation_IncomeAccountMustExist(t *testing.T) {
	ch := catalogCharge()
	if ps := ValidateCharge(ch, lookups(), glAccounts); len(ps) != 0 {
		t.Fatalf("valid charge: %v", ps)
	}
	ch.AccountingCode = ""
	if ps := ValidateCharge(ch, lookups(), glAccounts); len(ps) != 1 || ps[0].Rule != RuleItemIncomeAccount {
		t.Errorf("no accounting code: %v", ps)
	}
	ch.AccountingCode = "Nope"
	ch.DeferredRevAccount = "Nope either"
	ch.Class = "No Such Class"
	ps := ValidateCharge(ch, lookups(), glAccounts)
	if len(ps) != 3 || ps[0].Rule != RuleItemIncomeAccount || ps[1].Rule != RuleItemDeferredAccount || ps[2].Rule != RuleItemClassification {
		t.Errorf("problems %v", ps)
	}
}

func TestCatalogItemID_NotMergedIntoAnotherNetSuiteItem(t *testing.T) {
	ch := catalogCharge()
	if ps := ValidateItemIDFree(ch, "Platform Seats", "500", "made-by-hand"); len(ps) != 1 || ps[0].Rule != RuleItemIDTakenInNetSuite {
		t.Errorf("item id used by another item: %v", ps)
	}
	if ps := ValidateItemIDFree(ch, "Platform Seats", "500", netsuite.ItemExternalID("c1")); len(ps) != 0 {
		t.Errorf("the charge's own item: %v", ps)
	}
	ch.IntegrationID = "500"
	if ps := ValidateItemIDFree(ch, "Platform Seats", "500", ""); len(ps) != 0 {
		t.Errorf("the charge's linked item: %v", ps)
	}
	if ps := ValidateItemIDFree(ch, "Platform Seats", "", ""); len(ps) != 0 {
		t.Errorf("free item id: %v", ps)
	}
}
