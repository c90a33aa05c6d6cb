package sandbox

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
)

// The NetSuite record model: the record types, body fields, sublists and
// line fields the connector uses, each row with its source. The emulator
// enforces the required fields from this table (with NetSuite's error shape,
// "Please enter value(s) for: <label>"), drops custom fields the account does
// not declare (N6), and serves the metadata catalog from it. It is written
// from Oracle's REST API Browser (record/v1) and the record pages of the
// SuiteTalk help, never from the connector's structs.

// Sources named by the rows below.
const (
	srcBrowser    = "Oracle REST API Browser, record/v1 (system.netsuite.com/help/helpcenter/en_US/APIs/REST_API_Browser/record/v1)"
	srcInvoice    = "NetSuite help: Invoice REST record (docs.oracle.com … ns-online-help, 'Invoice'); Customer field required on every transaction"
	srcCreditMemo = "NetSuite help: Credit Memo REST record; apply sublist per 'Credit Memo' record page"
	srcCustomer   = "NetSuite help: Customer REST record; isPerson needs First/Last Name (ehmad11/netsuite-rest issue 26)"
	srcOneWorld   = "NetSuite help: 'Subsidiaries in OneWorld' (subsidiary required on entities and items in OneWorld; transactions source it from the entity)"
	srcItems      = "NetSuite help: Item records (inventoryItem, nonInventorySaleItem, serviceSaleItem) REST pages"
	srcLists      = "NetSuite help: Subsidiary, Location, Classification, Department, Currency, Account, Job REST records"
	srcLegacyTax  = "NetSuite help chapter_1558962745: 'REST web services do not support legacy tax features' (N5)"
	srcCustom     = "NetSuite help 'Custom Fields' + NetSweet/netsuite issue 196: a custom field not on the form/record is dropped (N6)"
)

// nsField is one body or line field.
type nsField struct {
	Name     string
	Label    string   // the UI label NetSuite's "Please enter value(s) for" names
	Type     string   // JSON schema type: string, number, boolean, object (reference)
	Format   string   // date, date-time, or ""
	Ref      []string // reference targets
	Required bool     // always required
	// OneWorld: required only in a OneWorld account.
	OneWorld bool
	// LegacyTax: the field exists only with legacy tax (N5).
	LegacyTax bool
}

// nsRecordType is one REST record type of the model.
type nsRecordType struct {
	Type     string
	Source   string
	Body     []nsField
	Sublists map[string][]nsField // sublist id -> line fields
}

var (
	fID         = nsField{Name: "id", Label: "Internal ID", Type: "string"}
	fExternalID = nsField{Name: "externalId", Label: "External ID", Type: "string"}
	fName       = nsField{Name: "name", Label: "Name", Type: "string", Required: true}
	fClass      = nsField{Name: "class", Label: "Class", Type: "object", Ref: []string{netsuite.TypeClassification}}
	fDepartment = nsField{Name: "department", Label: "Department", Type: "object", Ref: []string{netsuite.TypeDepartment}}
	fLocation   = nsField{Name: "location", Label: "Location", Type: "object", Ref: []string{netsuite.TypeLocation}}
	fSubsidiary = nsField{Name: "subsidiary", Label: "Subsidiary", Type: "object", Ref: []string{netsuite.TypeSubsidiary}, OneWorld: true}
	fCurrency   = nsField{Name: "currency", Label: "Currency", Type: "object", Ref: []string{"currency"}}
	fCreated    = nsField{Name: "dateCreated", Label: "Date Created", Type: "string", Format: "date-time"}
	fModified   = nsField{Name: "lastModifiedDate", Label: "Date Last Modified", Type: "string", Format: "date-time"}
)

func txBody(extra ...nsField) []nsField {
	return append([]nsField{fID, fExternalID,
		{Name: "tranId", Label: "Invoice #", Type: "string"},
		{Name: "entity", Label: "Customer", Type: "object", Ref: []string{netsuite.TypeCustomer}, Required: true},
		{Name: "tranDate", Label: "Date", Type: "string", Format: "date"},
		{Name: "dueDate", Label: "Due Date", Type: "string", Format: "date"},
		fCurrency, {Name: "memo", Label: "Memo", Type: "string"},
		{Name: "isTaxable", Label: "Taxable", Type: "boolean", LegacyTax: true},
		fClass, fDepartment, fLocation,
		// A transaction sources its subsidiary from the customer (srcOneWorld).
		{Name: "subsidiary", Label: "Subsidiary", Type: "object", Ref: []string{netsuite.TypeSubsidiary}},
		{Name: "total", Label: "Total", Type: "number"}, {Name: "amountRemaining", Label: "Amount Remaining", Type: "number"},
		fCreated, fModified,
	}, extra...)
}

var txLine = []nsField{
	{Name: "line", Label: "Line", Type: "integer"},
	{Name: "item", Label: "Item", Type: "object", Ref: []string{netsuite.TypeInventoryItem, netsuite.TypeNonInventory, netsuite.TypeServiceItem}, Required: true},
	{Name: "description", Label: "Description", Type: "string"},
	{Name: "quantity", Label: "Quantity", Type: "number"},
	{Name: "rate", Label: "Rate", Type: "number"},
	{Name: "amount", Label: "Amount", Type: "number"},
	{Name: "isTaxable", Label: "Tax", Type: "boolean", LegacyTax: true},
	fClass, fDepartment, fLocation,
	{Name: "job", Label: "Project", Type: "object", Ref: []string{netsuite.TypeProject}},
	{Name: "revRecStartDate", Label: "Rev. Rec. Start Date", Type: "string", Format: "date"},
	{Name: "revRecEndDate", Label: "Rev. Rec. End Date", Type: "string", Format: "date"},
	{Name: "deferRevRec", Label: "Delay Rev. Rec.", Type: "boolean"},
}

func itemType(typ string) nsRecordType {
	return nsRecordType{Type: typ, Source: srcItems + "; " + srcOneWorld, Body: []nsField{fID, fExternalID,
		{Name: "itemId", Label: "Item Name/Number", Type: "string", Required: true},
		{Name: "displayName", Label: "Display Name/Code", Type: "string"},
		{Name: "salesDescription", Label: "Sales Description", Type: "string"},
		{Name: "incomeAccount", Label: "Income Account", Type: "object", Ref: []string{"account"}},
		{Name: "deferredRevenueAccount", Label: "Deferred Revenue Account", Type: "object", Ref: []string{"account"}},
		fClass, fDepartment, fLocation, fSubsidiary,
		{Name: "includeChildren", Label: "Include Children", Type: "boolean"}, fCreated, fModified,
	}}
}

func listType(typ string, extra ...nsField) nsRecordType {
	return nsRecordType{Type: typ, Source: srcLists, Body: append([]nsField{fID, fExternalID, fName}, extra...)}
}

// nsModel is the table, by record type.
var nsModel = func() map[string]nsRecordType {
	types := []nsRecordType{
		{Type: netsuite.TypeInvoice, Source: srcBrowser + "; " + srcInvoice, Body: txBody(),
			Sublists: map[string][]nsField{"item": txLine}},
		{Type: netsuite.TypeCreditMemo, Source: srcBrowser + "; " + srcCreditMemo, Body: txBody(),
			Sublists: map[string][]nsField{"item": txLine, "apply": {
				{Name: "doc", Label: "Applied To", Type: "object", Ref: []string{netsuite.TypeInvoice, netsuite.TypeCreditMemo}},
				{Name: "apply", Label: "Apply", Type: "boolean"}, {Name: "amount", Label: "Payment", Type: "number"},
				{Name: "line", Label: "Line", Type: "integer"}}}},
		{Type: netsuite.TypeCustomer, Source: srcBrowser + "; " + srcCustomer + "; " + srcOneWorld, Body: []nsField{fID, fExternalID,
			{Name: "entityId", Label: "Customer ID", Type: "string"},
			{Name: "companyName", Label: "Company Name", Type: "string"},
			{Name: "firstName", Label: "First Name", Type: "string"},
			{Name: "lastName", Label: "Last Name", Type: "string"},
			{Name: "isPerson", Label: "Type", Type: "boolean"},
			fCurrency, fSubsidiary, fClass, fDepartment, fLocation, fCreated, fModified}},
		itemType(netsuite.TypeInventoryItem), itemType(netsuite.TypeNonInventory), itemType(netsuite.TypeServiceItem),
		listType(netsuite.TypeLocation, fSubsidiary), listType(netsuite.TypeClassification), listType(netsuite.TypeDepartment),
		listType(netsuite.TypeSubsidiary, fCurrency), listType(netsuite.TypeProject, nsField{Name: "customer", Label: "Customer", Type: "object", Ref: []string{netsuite.TypeCustomer}}),
		listType("currency", nsField{Name: "symbol", Label: "ISO Code", Type: "string"}), listType("account"),
		customerPaymentModel, customerRefundModel, listType(netsuite.TypePaymentMethod, nsField{Name: "account", Label: "Deposit To", Type: "object", Ref: []string{"account"}}),
	}
	m := map[string]nsRecordType{}
	for _, t := range types {
		m[t.Type] = t
	}
	return m
}()

// isCustomField: NetSuite's custom field id prefixes (body, column, entity, item).
func isCustomField(name string) bool {
	for _, p := range []string{"custbody", "custcol", "custentity", "custitem"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// customFieldApplies: which record types a custom field's prefix applies to
// (a custbody field is not on a customer, and so on).
func customFieldApplies(name, typ string, line bool) bool {
	_, isTx := transactionTypes[typ]
	_, isItem := itemTypes[typ]
	switch {
	case strings.HasPrefix(name, "custcol"):
		return isTx && line
	case strings.HasPrefix(name, "custbody"):
		return (isTx || typ == netsuite.TypeCustomerPayment || typ == netsuite.TypeCustomerRefund) && !line
	case strings.HasPrefix(name, "custentity"):
		return (typ == netsuite.TypeCustomer || typ == netsuite.TypeProject) && !line
	case strings.HasPrefix(name, "custitem"):
		return isItem && !line
	}
	return false
}

// account is the fixture's account configuration with the defaults applied.
type nsAccount struct {
	fixture.NetSuiteAccount
	custom map[string]bool
}

func newNSAccount(a fixture.NetSuiteAccount) *nsAccount {
	if a.DateFormat == "" {
		a.DateFormat = "M/D/YYYY"
	}
	if a.LineCeiling <= 0 {
		a.LineCeiling = 5000
	}
	acc := &nsAccount{NetSuiteAccount: a, custom: map[string]bool{}}
	for _, f := range a.CustomFields {
		acc.custom[strings.ToLower(f)] = true
	}
	return acc
}

// hasCustom: the account has this custom field on this record type.
func (a *nsAccount) hasCustom(name, typ string, line bool) bool {
	return a.custom[strings.ToLower(name)] && customFieldApplies(strings.ToLower(name), typ, line)
}

// dropUndeclared removes custom fields the account does not have, silently
// (N6, hostile reading: REST is not documented; SOAP users report the drop).
func (a *nsAccount) dropUndeclared(typ string, rec Record, line bool) {
	for k := range rec {
		if isCustomField(k) && !a.hasCustom(k, typ, line) {
			delete(rec, k)
		}
	}
}

// checkFields refuses legacy-tax fields outside legacy tax (N5); the answer
// is the one NetSuite gives a field the record does not have.
func (a *nsAccount) checkFields(typ string, rec Record, prefix string) error {
	if a.LegacyTax {
		return nil
	}
	if _, ok := rec["isTaxable"]; ok {
		return &badRequest{"INVALID_FLD", prefix + "isTaxable",
			"Invalid field isTaxable: REST web services do not support legacy tax features; the account uses SuiteTax."}
	}
	return nil
}

// checkRequired refuses a record (as it would be after the write) that lacks
// a required body field, naming it as NetSuite does.
func (n *netsuiteAPI) checkRequired(typ string, rec Record) error {
	m, ok := nsModel[typ]
	if !ok {
		return nil
	}
	_, isTx := transactionTypes[typ]
	if isTx && n.acct.OneWorld && rec["subsidiary"] == nil {
		// Sourced from the customer, as the UI and REST do.
		if ref, ok := rec["entity"].(map[string]any); ok {
			if c := n.records[netsuite.TypeCustomer].byID[str(ref["id"])]; c != nil && c["subsidiary"] != nil {
				rec["subsidiary"] = c["subsidiary"]
			}
		}
		if rec["subsidiary"] == nil {
			return &badRequest{"USER_ERROR", "subsidiary", "Please enter value(s) for: Subsidiary"}
		}
	}
	for _, f := range m.Body {
		need := f.Required || (f.OneWorld && n.acct.OneWorld)
		if need && empty(rec[f.Name]) {
			return &badRequest{"USER_ERROR", f.Name, "Please enter value(s) for: " + f.Label}
		}
	}
	if typ == netsuite.TypeCustomer {
		if b, _ := rec["isPerson"].(bool); b {
			var missing []string
			for _, f := range []struct{ name, label string }{{"firstName", "First Name"}, {"lastName", "Last Name"}} {
				if empty(rec[f.name]) {
					missing = append(missing, f.label)
				}
			}
			if len(missing) > 0 {
				return &badRequest{"USER_ERROR", "firstName", "Please enter value(s) for: " + strings.Join(missing, ", ")}
			}
		} else if empty(rec["companyName"]) && empty(rec["entityId"]) {
			return &badRequest{"USER_ERROR", "companyName", "Please enter value(s) for: Company Name"}
		}
	}
	return nil
}

func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	case map[string]any:
		return str(x["id"]) == "" && str(x["externalId"]) == ""
	}
	return false
}

// metadataCatalog is GET /record/v1/metadata-catalog: the record types with
// links to their metadata (help section_1545129726, 'Working with Resource Metadata').
func (n *netsuiteAPI) metadataCatalog(host string) map[string]any {
	names := make([]string, 0, len(nsModel))
	for t := range nsModel {
		names = append(names, t)
	}
	sort.Strings(names)
	items := make([]any, 0, len(names))
	for _, t := range names {
		href := "http://" + host + "/services/rest/record/v1/metadata-catalog/" + t
		items = append(items, map[string]any{"name": t, "links": []any{
			map[string]any{"rel": "canonical", "href": href, "mediaType": "application/json"},
			map[string]any{"rel": "alternate", "href": href, "mediaType": "application/swagger+json"},
			map[string]any{"rel": "describedby", "href": href, "mediaType": "application/schema+json"},
		}})
	}
	return map[string]any{"items": items, "links": []any{map[string]any{"rel": "self", "href": "http://" + host + "/services/rest/record/v1/metadata-catalog"}}}
}

// recordSchema is GET /record/v1/metadata-catalog/{type} with Accept:
// application/schema+json: a JSON Schema (draft 06 hyper-schema) of the
// record's fields, custom ones marked "x-ns-custom-field" (help
// section_1545129726). Only the account's custom fields appear, and legacy
// tax fields only with legacy tax.
func (n *netsuiteAPI) recordSchema(typ string) (map[string]any, error) {
	m, ok := nsModel[typ]
	if !ok {
		return nil, fmt.Errorf("record type %q", typ)
	}
	props := func(fields []nsField, line bool) (map[string]any, []string) {
		p := map[string]any{}
		var req []string
		for _, f := range fields {
			if f.LegacyTax && !n.acct.LegacyTax {
				continue
			}
			p[f.Name] = fieldSchema(f)
			if f.Required || (f.OneWorld && n.acct.OneWorld) {
				req = append(req, f.Name)
			}
		}
		for c := range n.acct.custom {
			if customFieldApplies(c, typ, line) {
				p[c] = map[string]any{"title": c, "type": "string", "nullable": true, "x-ns-custom-field": true}
			}
		}
		return p, req
	}
	body, req := props(m.Body, false)
	n.acct.markLockedNumber(typ, body)
	for sub, fields := range m.Sublists {
		lp, lreq := props(fields, true)
		line := map[string]any{"type": "object", "properties": lp}
		if len(lreq) > 0 {
			line["required"] = lreq
		}
		body[sub] = map[string]any{"title": sub, "type": "object", "properties": map[string]any{
			"items": map[string]any{"type": "array", "items": line}}}
	}
	out := map[string]any{"type": "object", "properties": body, "$schema": "https://json-schema.org/draft-06/hyper-schema#", "x-ns-source": m.Source}
	if len(req) > 0 {
		out["required"] = req
	}
	return out, nil
}

func fieldSchema(f nsField) map[string]any {
	s := map[string]any{"title": f.Label, "nullable": !f.Required}
	switch f.Type {
	case "object":
		s["type"] = "object"
		s["properties"] = map[string]any{"id": map[string]any{"type": "string"}, "refName": map[string]any{"type": "string"}}
		s["x-ns-references"] = f.Ref
	default:
		s["type"] = f.Type
	}
	if f.Format != "" {
		s["format"] = f.Format
	}
	return s
}

func (n *netsuiteAPI) serveCatalog(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, n.metadataCatalog(r.Host))
}

func (n *netsuiteAPI) serveRecordSchema(w http.ResponseWriter, r *http.Request) {
	n.mu.RLock()
	s, err := n.recordSchema(r.PathValue("type"))
	n.mu.RUnlock()
	if err != nil {
		nsError(w, 404, "INVALID_RCRD_TYPE", "", fmt.Sprintf("Record type '%s' does not exist.", r.PathValue("type")))
		return
	}
	w.Header().Set("Content-Type", "application/schema+json")
	writeJSON(w, 200, s)
}
