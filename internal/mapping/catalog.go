package mapping

import (
	"fmt"
	"sort"
	"strings"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// Seed rules of the product catalog sync (sync-preferences), as named in
// tests and reasons.
const (
	RuleCatalogNewOnly        = "catalog sync: Sync New Records Only never updates an existing item"
	RuleCatalogModified       = "catalog sync: new and modified charges sync"
	RuleItemIDByChargeID      = "catalog sync: Item ID = static Zuora Charge prefix + charge id"
	RuleItemIDByChargeName    = "catalog sync: Item ID = charge name, which must be globally unique"
	RuleItemType              = "catalog sync: NetSuite item of the charge's Item Type"
	RuleItemTypeFixed         = "catalog sync: Item Type must not change after the charge is synced"
	RuleItemIncomeAccount     = "catalog sync: item references a NetSuite income account"
	RuleItemDeferredAccount   = "catalog sync: deferred revenue account valid in NetSuite"
	RuleItemClassification    = "catalog sync: charge Class/Department/Location/Subsidiary valid in NetSuite"
	RuleItemIDTakenInNetSuite = "catalog sync: Item ID not used by another NetSuite item"
)

// CatalogChargeFields are the ProductRatePlanCharge fields the catalog sync reads.
const CatalogChargeFields = "Id, Name, ProductRatePlanId, ChargeType, ChargeModel, AccountingCode, RevRecCode, Description, UpdatedDate, " +
	"IntegrationId__NS, IntegrationStatus__NS, SyncDate__NS, Class__NS, Department__NS, Location__NS, Subsidiary__NS, " +
	"DeferredRevAccount__NS, RecognizedRevAccount__NS, IncludeChildren__NS, ItemType__NS, RevRecStart__NS, RevRecEnd__NS, RevRecTemplateType__NS"

// ChargeSelectable: seed "Select whether you want to sync all new and
// modified records from the Zuora Product Catalog (Sync New and Modified
// Records) ... or only new records (Sync New Records Only)". A charge is new
// when it has no Integration Id.
func ChargeSelectable(ch zuora.ProductRatePlanCharge, s settings.Settings) (bool, string) {
	switch {
	case ch.IntegrationID == "":
		return true, "new"
	case s.Catalog.Behavior == settings.SyncNewOnly:
		return false, "already synced and the product catalog sync behavior is Sync New Records Only"
	case !ModifiedSince(ch.UpdatedDate, ch.SyncDate):
		return false, "not modified since its last sync"
	}
	return true, "modified"
}

// CatalogItemID: seed "If you select Use Zuora Charge ID, a combination of a
// static Zuora Charge plus a unique ID will be mapped. If you select Use
// Zuora Charge Name, the Charge Name will be mapped as-is."
func CatalogItemID(ch zuora.ProductRatePlanCharge, s settings.Settings) string {
	if s.Catalog.ItemIDMapping == settings.ItemIDFromChargeName {
		return ch.Name
	}
	prefix := s.Catalog.ItemIDPrefix
	if prefix == "" {
		prefix = settings.Default().Catalog.ItemIDPrefix
	}
	return prefix + ch.ID
}

// NetSuiteItemType: the charge's ItemType__NS decides the NetSuite record
// type (Inventory, Non Inventory, Service).
func NetSuiteItemType(ch zuora.ProductRatePlanCharge) (string, *Problem) {
	if t, ok := netsuite.ItemTypes[strings.TrimSpace(ch.ItemType)]; ok {
		return t, nil
	}
	return "", &Problem{Rule: RuleItemType, RecordType: zuora.ObjProductRatePlanCharge, RecordID: ch.ID, Field: "ItemType__NS",
		Reason: fmt.Sprintf("charge %q has NetSuite Item Type %q; it must be Inventory, Non Inventory or Service", ch.Name, ch.ItemType)}
}

// ValidateChargeNameUnique: seed "you must ensure the Charge Name is
// globally unique". sameName are the other charges with this name; each of
// them fails the same way, so none is merged into another's item.
func ValidateChargeNameUnique(ch zuora.ProductRatePlanCharge, sameName []zuora.ProductRatePlanCharge, s settings.Settings) []Problem {
	if s.Catalog.ItemIDMapping != settings.ItemIDFromChargeName {
		return nil
	}
	if strings.TrimSpace(ch.Name) == "" {
		return []Problem{{Rule: RuleItemIDByChargeName, RecordType: zuora.ObjProductRatePlanCharge, RecordID: ch.ID, Field: "Name",
			Reason: fmt.Sprintf("charge %s has no name, and Item ID Mapping is Use Zuora Charge Name", ch.ID)}}
	}
	var others []string
	for _, o := range sameName {
		if o.ID != ch.ID {
			others = append(others, o.ID)
		}
	}
	if len(others) == 0 {
		return nil
	}
	sort.Strings(others)
	return []Problem{{Rule: RuleItemIDByChargeName, RecordType: zuora.ObjProductRatePlanCharge, RecordID: ch.ID, Field: "Name",
		Reason: fmt.Sprintf("charge name %q is not unique: charge %s also has it, and Item ID Mapping is Use Zuora Charge Name; rename the charges so each name is unique",
			ch.Name, strings.Join(others, ", "))}}
}

// incomeAccount is the NetSuite account the item credits: the charge's
// Recognized Revenue Account when set, else its Accounting Code.
func incomeAccount(ch zuora.ProductRatePlanCharge) (string, string) {
	if ch.RecognizedRevAccount != "" {
		return ch.RecognizedRevAccount, "RecognizedRevAccount__NS"
	}
	return ch.AccountingCode, "AccountingCode"
}

// ValidateCharge checks what the NetSuite item needs. accounts maps NetSuite
// GL account names and numbers to internal ids.
func ValidateCharge(ch zuora.ProductRatePlanCharge, l Lookups, accounts map[string]string) []Problem {
	var ps []Problem
	if _, p := NetSuiteItemType(ch); p != nil {
		ps = append(ps, *p)
	}
	label := fmt.Sprintf("charge %q", ch.Name)
	code, field := incomeAccount(ch)
	switch {
	case code == "":
		ps = append(ps, Problem{Rule: RuleItemIncomeAccount, RecordType: zuora.ObjProductRatePlanCharge, RecordID: ch.ID, Field: "AccountingCode",
			Reason: label + " has no Accounting Code (nor Recognized Revenue Account), so its NetSuite item would have no income account"})
	case accounts[code] == "":
		ps = append(ps, Problem{Rule: RuleItemIncomeAccount, RecordType: zuora.ObjProductRatePlanCharge, RecordID: ch.ID, Field: field,
			Reason: fmt.Sprintf("%s has income account %q, which is not a NetSuite account", label, code)})
	}
	if ch.DeferredRevAccount != "" && accounts[ch.DeferredRevAccount] == "" {
		ps = append(ps, Problem{Rule: RuleItemDeferredAccount, RecordType: zuora.ObjProductRatePlanCharge, RecordID: ch.ID, Field: "DeferredRevAccount__NS",
			Reason: fmt.Sprintf("%s has deferred revenue account %q, which is not a NetSuite account", label, ch.DeferredRevAccount)})
	}
	for _, p := range validateClassifications(zuora.ObjProductRatePlanCharge, ch.ID, label, ch.Location, ch.Class, ch.Department, ch.Subsidiary, l) {
		p.Rule = RuleItemClassification
		ps = append(ps, p)
	}
	return ps
}

// NetSuiteItemFromCharge maps a charge to its NetSuite item. Price is not
// synced (Zuora prices per subscription); rev rec preferences and accounts are.
func NetSuiteItemFromCharge(ch zuora.ProductRatePlanCharge, l Lookups, accounts map[string]string, s settings.Settings) netsuite.CatalogItem {
	code, _ := incomeAccount(ch)
	it := netsuite.CatalogItem{
		Item: netsuite.Item{
			ItemID: CatalogItemID(ch, s), DisplayName: ch.Name, Description: ch.Description,
			IncomeAccount:          netsuite.RefTo(accounts[code]),
			DeferredRevenueAccount: netsuite.RefTo(accounts[ch.DeferredRevAccount]),
			RevRecTemplate:         ch.RevRecTemplateType,
			Class:                  netsuite.RefTo(l.Classes[ch.Class]),
			Department:             netsuite.RefTo(l.Departments[ch.Department]),
			Location:               netsuite.RefTo(l.Locations[ch.Location]),
			Subsidiary:             netsuite.RefTo(l.Subsidiaries[ch.Subsidiary]),
			ZuoraID:                ch.ID,
		},
		RevRecStart: ch.RevRecStart, RevRecEnd: ch.RevRecEnd, RevRecCode: ch.RevRecCode,
	}
	switch strings.ToLower(ch.IncludeChildren) {
	case "yes", "true":
		it.IncludeChildren = ptrBool(true)
	case "no", "false":
		it.IncludeChildren = ptrBool(false)
	}
	return it
}

// ValidateItemTypeUnchanged: seed (Zuora connector) "Item Type must not
// change after sync": the item already made is of another record type.
func ValidateItemTypeUnchanged(ch zuora.ProductRatePlanCharge, existingType, wantType string) []Problem {
	if existingType == "" || existingType == wantType {
		return nil
	}
	return []Problem{{Rule: RuleItemTypeFixed, RecordType: zuora.ObjProductRatePlanCharge, RecordID: ch.ID, Field: "ItemType__NS",
		Reason: fmt.Sprintf("charge %q was synced as a NetSuite %s but its Item Type is now %s; the Item Type must not change after the charge is synced (set it back)",
			ch.Name, existingType, ch.ItemType)}}
}

// ValidateItemIDFree: the Item ID is already used by a NetSuite item that is
// not this charge's (made by hand, or for another charge): never merged.
func ValidateItemIDFree(ch zuora.ProductRatePlanCharge, itemID, ownerID, ownerExternalID string) []Problem {
	if ownerID == "" || ownerID == ch.IntegrationID || ownerExternalID == netsuite.ItemExternalID(ch.ID) {
		return nil
	}
	return []Problem{{Rule: RuleItemIDTakenInNetSuite, RecordType: zuora.ObjProductRatePlanCharge, RecordID: ch.ID, Field: "Name",
		Reason: fmt.Sprintf("NetSuite item %s already has Item ID %q and is not this charge's item; rename the charge or the NetSuite item", ownerID, itemID)}}
}
