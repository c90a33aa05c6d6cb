package mapping

import (
	"fmt"

	"github.com/zuora-netsuite/connector/internal/zuora"
)

// Lookups are NetSuite names resolved by activities: name -> internal id. A
// name absent from its map is not valid in NetSuite.
type Lookups struct {
	Locations    map[string]string
	Classes      map[string]string
	Departments  map[string]string
	Subsidiaries map[string]string
	TaxItems     map[string]string // tax code accounting code -> NetSuite item id
}

// Rules of the seed's "validations performed during the sync", as named in tests and reasons.
const (
	RuleAccountSynced   = "invoice validation: account synced"
	RuleChargeSynced    = "invoice validation: charge synced"
	RuleTaxCodeSynced   = "invoice validation: tax code synced"
	RuleVariableProject = "invoice validation: Variable template needs the subscription's project"
	RuleAccountLocation = "invoice validation: account Location valid in NetSuite"
	RuleAccountClass    = "invoice validation: account Class valid in NetSuite"
	RuleAccountDept     = "invoice validation: account Department valid in NetSuite"
	RuleTaxItemExists   = "invoice validation: tax code's NetSuite item exists"
	TemplateVariable    = "Variable" // RevRecTemplateType__NS for project-based revenue
)

// ValidateAccount: seed "The associated Zuora account has been synced (the
// account has an IntegrationId)" and "If populated, the associated Zuora
// account's NetSuite Location / Class / Department matches a valid NetSuite
// location / class / department."
func ValidateAccount(acct zuora.Account, l Lookups) []Problem {
	var ps []Problem
	if acct.IntegrationID == "" {
		ps = append(ps, Problem{Rule: RuleAccountSynced, RecordType: zuora.ObjAccount, RecordID: acct.ID, Field: "IntegrationId__NS",
			Reason: fmt.Sprintf("account %s has not been synced to NetSuite (it has no Integration Id); sync the customer account first", accountName(acct))})
	}
	check := func(rule, field, what, value string, valid map[string]string) {
		if value == "" {
			return
		}
		if _, ok := valid[value]; !ok {
			ps = append(ps, Problem{Rule: rule, RecordType: zuora.ObjAccount, RecordID: acct.ID, Field: field,
				Reason: fmt.Sprintf("account %s has NetSuite %s %q, which is not a valid NetSuite %s", accountName(acct), what, value, what)})
		}
	}
	check(RuleAccountLocation, "Location__NS", "location", acct.Location, l.Locations)
	check(RuleAccountClass, "Class__NS", "class", acct.Class, l.Classes)
	check(RuleAccountDept, "Department__NS", "department", acct.Department, l.Departments)
	return ps
}

func accountName(a zuora.Account) string {
	if a.AccountNumber != "" {
		return a.AccountNumber
	}
	return a.ID
}

// ValidateInvoiceItem: seed "The associated Zuora invoice item's Charge has
// been synced (the charge has an IntegrationId)" and "If the associated Zuora
// invoice item's Charge has a NetSuite Revenue Recognition Template Type of
// Variable, the associated Zuora subscription's NetSuite Project must be
// populated." charge and sub are nil when Zuora has none for the item.
func ValidateInvoiceItem(item zuora.InvoiceItem, charge *zuora.ProductRatePlanCharge, sub *zuora.Subscription) []Problem {
	if charge == nil {
		return []Problem{{Rule: RuleChargeSynced, RecordType: zuora.ObjInvoiceItem, RecordID: item.ID,
			Reason: fmt.Sprintf("invoice item %s (%s) has no product rate plan charge in Zuora, so it has no NetSuite item", item.ID, item.ChargeName)}}
	}
	var ps []Problem
	if charge.IntegrationID == "" {
		ps = append(ps, Problem{Rule: RuleChargeSynced, RecordType: zuora.ObjProductRatePlanCharge, RecordID: charge.ID, Field: "IntegrationId__NS",
			Reason: fmt.Sprintf("charge %q (%s) has not been synced to NetSuite (it has no Integration Id); sync the product catalog first", charge.Name, charge.ID)})
	}
	if charge.RevRecTemplateType == TemplateVariable && (sub == nil || sub.Project == "") {
		subID := item.SubscriptionID
		if sub != nil {
			subID = sub.Name
		}
		ps = append(ps, Problem{Rule: RuleVariableProject, RecordType: zuora.ObjSubscription, RecordID: item.SubscriptionID, Field: "Project__NS",
			Reason: fmt.Sprintf("charge %q uses the Variable revenue recognition template, but subscription %s has no NetSuite Project", charge.Name, orNone(subID))})
	}
	return ps
}

// ValidateTaxationItem: seed "The associated Zuora invoice item's Tax Code has
// been synced (the tax code has an Accounting Code)", and "you must create a
// NetSuite item manually for each Zuora Tax Code": the item named by the
// accounting code must exist.
func ValidateTaxationItem(t zuora.TaxationItem, l Lookups) []Problem {
	if t.AccountingCode == "" {
		return []Problem{{Rule: RuleTaxCodeSynced, RecordType: zuora.ObjTaxationItem, RecordID: t.ID, Field: "AccountingCode",
			Reason: fmt.Sprintf("tax code %s (%s) has not been synced: it has no accounting code", orNone(t.TaxCode), t.Name)}}
	}
	if _, ok := l.TaxItems[t.AccountingCode]; !ok {
		return []Problem{{Rule: RuleTaxItemExists, RecordType: zuora.ObjTaxationItem, RecordID: t.ID, Field: "AccountingCode",
			Reason: fmt.Sprintf("tax code %s maps to NetSuite item %q, which does not exist in NetSuite; create the tax item", orNone(t.TaxCode), t.AccountingCode)}}
	}
	return nil
}
