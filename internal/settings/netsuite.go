package settings

import (
	"fmt"
	"regexp"
)

// What to do with an invoice whose lines exceed the NetSuite line ceiling
// (issue 13).
const (
	OverCeilingIgnore = "ignore"
	// OverCeilingSplit writes the invoice as several NetSuite records of at
	// most the ceiling's lines each (tranIds <number>-1, -2, …).
	OverCeilingSplit = "split"
	// OverCeilingSummarize writes one line per group of lines NetSuite books
	// alike (item, rev rec dates and delay, project, class, department,
	// location, taxability), amounts and quantities summed.
	OverCeilingSummarize = "summarize"
)

// Invoice: limits of one invoice's sync.
type Invoice struct {
	// LineCeiling is the most lines (invoice items plus taxation items) one
	// NetSuite transaction may hold: NetSuite takes at most 5,000 through web
	// services (docs/wire.md, real-api-gaps N1).
	LineCeiling int `json:"lineCeiling"`
	// OverCeiling is what happens to an invoice over the ceiling: "ignore" =
	// Transferred To Accounting Ignore with a reason, before any NetSuite write;
	// "split" = several NetSuite records of at most LineCeiling lines each,
	// their ids comma-separated in the Zuora invoice's IntegrationId__NS.
	OverCeiling string `json:"overCeiling"`
	// SummaryFallback is what happens under summarize when even the summary
	// is over the ceiling: "ignore" (default) or "split" (of the unsummarized lines).
	SummaryFallback string `json:"summaryFallback"`
}

// NetSuite: how the NetSuite account is set up, as far as the connector's
// writes depend on it.
type NetSuite struct {
	// LegacyTax: the account uses legacy tax, so lines and headers are
	// written non-taxable (isTaxable false). REST web services refuse
	// legacy tax fields on SuiteTax accounts (real-api-gaps N5), the default.
	LegacyTax bool `json:"legacyTax"`
	// DateFormat is the account's Date Format preference (Set Preferences),
	// in which SuiteQL answers dates (real-api-gaps N8). Default M/D/YYYY.
	DateFormat string `json:"dateFormat"`
	// Fields are the ids of the connector's custom fields in this account.
	Fields NetSuiteFields `json:"fields"`
}

// NetSuiteFields names the connector's NetSuite custom fields (created at
// install; defaults are the names docs/wire.md lists).
type NetSuiteFields struct {
	LineKey          string `json:"lineKey"`            // custcol: the Zuora item id of a line, the key of line idempotency
	ServiceStart     string `json:"serviceStart"`       // custcol
	ServiceEnd       string `json:"serviceEnd"`         // custcol
	ZuoraID          string `json:"zuoraId"`            // custbody: the Zuora record id
	AmountWithoutTax string `json:"amountWithoutTax"`   // custbody
	RelatedTx        string `json:"relatedTransaction"` // custbody
	CustomerZuoraID  string `json:"customerZuoraId"`    // custentity
	ItemZuoraID      string `json:"itemZuoraId"`        // custitem
	ItemRevRecType   string `json:"itemRevRecTemplateType"`
	ItemRevRecStart  string `json:"itemRevRecStart"`
	ItemRevRecEnd    string `json:"itemRevRecEnd"`
	ItemRevRecCode   string `json:"itemRevRecCode"`
	// The NetSuite → Zuora payment sync's body fields (reference money-sync
	// §0.3, §0.4, §3): on customer payments.
	Origin            string `json:"origin"`            // custbody: Zuora Origin, ZUORA or NETSUITE (loop prevention)
	IntegrationStatus string `json:"integrationStatus"` // custbody: Zuora Integration Status of an NS-sourced record
	SyncDate          string `json:"syncDate"`          // custbody: Zuora Sync Date
	SyncUpdates       string `json:"syncUpdates"`       // custbody: Zuora Sync Updates (Invoice Settlement tenants)
	// The NetSuite → Zuora refund sync's credit memo fields (reference §5.1,
	// "Zuora Refund" tab of the credit memo form).
	CreateZuoraRefund string `json:"createZuoraRefund"` // custbody checkbox: Create Zuora Refund
	RefundPaymentRef  string `json:"refundPaymentRef"`  // custbody: Zuora Refund Payment Reference (the Zuora payment id)
}

// DefaultNetSuiteFields are the field ids the connector's own structs use
// (internal/netsuite/model.go and items.go).
func DefaultNetSuiteFields() NetSuiteFields {
	return NetSuiteFields{
		LineKey: "custcol_zuora_item_id", ServiceStart: "custcol_zuora_service_start", ServiceEnd: "custcol_zuora_service_end",
		ZuoraID: "custbody_zuora_id", AmountWithoutTax: "custbody_zuora_amount_without_tax", RelatedTx: "custbody_zuora_related_transaction",
		CustomerZuoraID: "custentity_zuora_id", ItemZuoraID: "custitem_zuora_id", ItemRevRecType: "custitem_zuora_rev_rec_template_type",
		ItemRevRecStart: "custitem_zuora_rev_rec_start", ItemRevRecEnd: "custitem_zuora_rev_rec_end", ItemRevRecCode: "custitem_zuora_rev_rec_code",
		Origin: "custbody_zuora_origin", IntegrationStatus: "custbody_zuora_integration_status", SyncDate: "custbody_zuora_sync_date",
		SyncUpdates: "custbody_zuora_sync_updates", CreateZuoraRefund: "custbody_zuora_create_refund",
		RefundPaymentRef: "custbody_zuora_refund_payment_ref",
	}
}

// Renames maps each default field id to this account's, for those that differ.
func (f NetSuiteFields) Renames() map[string]string {
	d := DefaultNetSuiteFields()
	out := map[string]string{}
	for _, p := range f.pairs(d) {
		if p[0] != p[1] {
			out[p[0]] = p[1]
		}
	}
	return out
}

func (f NetSuiteFields) pairs(d NetSuiteFields) [][2]string {
	return [][2]string{{d.LineKey, f.LineKey}, {d.ServiceStart, f.ServiceStart}, {d.ServiceEnd, f.ServiceEnd}, {d.ZuoraID, f.ZuoraID},
		{d.AmountWithoutTax, f.AmountWithoutTax}, {d.RelatedTx, f.RelatedTx}, {d.CustomerZuoraID, f.CustomerZuoraID},
		{d.ItemZuoraID, f.ItemZuoraID}, {d.ItemRevRecType, f.ItemRevRecType}, {d.ItemRevRecStart, f.ItemRevRecStart},
		{d.ItemRevRecEnd, f.ItemRevRecEnd}, {d.ItemRevRecCode, f.ItemRevRecCode},
		{d.Origin, f.Origin}, {d.IntegrationStatus, f.IntegrationStatus}, {d.SyncDate, f.SyncDate}, {d.SyncUpdates, f.SyncUpdates},
		{d.CreateZuoraRefund, f.CreateZuoraRefund}, {d.RefundPaymentRef, f.RefundPaymentRef}}
}

// dateFormats: netsuite.DateFormats (kept here so settings imports no client).
var dateFormats = []string{"M/D/YYYY", "D/M/YYYY", "MM/DD/YYYY", "DD/MM/YYYY", "D.M.YYYY", "DD.MM.YYYY", "YYYY/MM/DD", "YYYY-MM-DD", "DD-Mon-YYYY"}

var customFieldID = regexp.MustCompile(`^(custbody|custcol|custentity|custitem)[a-z0-9_]+$`)

// validateNetSuite names each bad value of the invoice and netsuite sections.
func (s Settings) validateNetSuite() []error {
	var errs []error
	if s.Invoice.LineCeiling < 1 {
		errs = append(errs, fmt.Errorf("invoice.lineCeiling: %d is not positive (NetSuite's web services limit is 5000)", s.Invoice.LineCeiling))
	}
	if s.Invoice.OverCeiling != OverCeilingIgnore && s.Invoice.OverCeiling != OverCeilingSplit && s.Invoice.OverCeiling != OverCeilingSummarize {
		errs = append(errs, fmt.Errorf("invoice.overCeiling: %q is not one of [%q %q %q]", s.Invoice.OverCeiling, OverCeilingIgnore, OverCeilingSplit, OverCeilingSummarize))
	}
	if s.Invoice.SummaryFallback != OverCeilingIgnore && s.Invoice.SummaryFallback != OverCeilingSplit {
		errs = append(errs, fmt.Errorf("invoice.summaryFallback: %q is not one of [%q %q]", s.Invoice.SummaryFallback, OverCeilingIgnore, OverCeilingSplit))
	}
	known := false
	for _, f := range dateFormats {
		known = known || s.NetSuite.DateFormat == f
	}
	if !known {
		errs = append(errs, fmt.Errorf("netsuite.dateFormat: %q is not one of %q (the account's Date Format preference)", s.NetSuite.DateFormat, dateFormats))
	}
	d := DefaultNetSuiteFields()
	prefixes := []string{"custcol", "custcol", "custcol", "custbody", "custbody", "custbody", "custentity", "custitem", "custitem", "custitem", "custitem", "custitem",
		"custbody", "custbody", "custbody", "custbody", "custbody", "custbody"}
	for i, p := range s.NetSuite.Fields.pairs(d) {
		if !customFieldID.MatchString(p[1]) || p[1][:len(prefixes[i])] != prefixes[i] {
			errs = append(errs, fmt.Errorf("netsuite.fields: %q (for %s) is not a %s* custom field id", p[1], p[0], prefixes[i]))
		}
	}
	return errs
}
