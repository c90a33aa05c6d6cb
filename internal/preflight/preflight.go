// Package preflight checks a Zuora tenant and a NetSuite account against
// what the connector's settings assume, before go-live, through their
// describe/metadata APIs only (it writes nothing). Every field list it checks
// is the connector's own (activities.ZOQLReads, the netsuite record structs,
// the custom field settings), so a field added to a query is checked too.
package preflight

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/zuora-netsuite/connector/activities"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// Severities. Block: the connector would fail or write wrong books; the
// command exits 1. Verify: the APIs cannot show it; an operator checks it in
// the UI. Info: how the tenant is set up. OK: the check passed.
const (
	Block  = "BLOCK"
	Verify = "VERIFY"
	Info   = "INFO"
	OK     = "OK"
)

// Check names.
const (
	CheckZuoraFields       = "zuora-fields"
	CheckZuoraCustom       = "zuora-custom-fields"
	CheckNetSuiteFields    = "netsuite-fields"
	CheckNetSuiteCustom    = "netsuite-custom-fields"
	CheckAutoNumbers       = "auto-numbers"
	CheckTax               = "tax"
	CheckOneWorld          = "oneworld"
	CheckInvoiceSettlement = "invoice-settlement"
)

// Finding is one result: what was found where, and what to change where.
type Finding struct {
	Check    string `json:"check"`
	Severity string `json:"severity"`
	Where    string `json:"where"`
	Finding  string `json:"finding"`
	Fix      string `json:"fix,omitempty"`
}

// Report is every finding, blocking ones first.
type Report struct {
	Findings []Finding `json:"findings"`
	Blocking int       `json:"blocking"`
}

// Zuora is what preflight asks the tenant (*zuora.Client).
type Zuora interface {
	Describe(ctx context.Context, object string) (*zuora.ObjectDescription, error)
	InvoiceSettlementEnabled(ctx context.Context) (bool, error)
	QueryPage(ctx context.Context, zoql string, batchSize int) (*zuora.QueryResponse, error)
}

// NetSuite is what preflight asks the account (*netsuite.Client).
type NetSuite interface {
	Metadata(ctx context.Context, recordType string, out any) error
}

// Run runs every check. An API failure of one check is a blocking finding
// of that check (the operator cannot go live without knowing), not an abort.
func Run(ctx context.Context, z Zuora, ns NetSuite, s settings.Settings) Report {
	r := &run{z: z, ns: ns, s: s, described: map[string]*zuora.ObjectDescription{}, schemas: map[string]*schema{}}
	r.zuoraFields(ctx)
	r.netsuiteFields(ctx)
	r.autoNumbers(ctx)
	r.tax(ctx)
	r.oneWorld(ctx)
	r.invoiceSettlement(ctx)
	rank := map[string]int{Block: 0, Verify: 1, Info: 2, OK: 3}
	sort.SliceStable(r.out, func(i, j int) bool { return rank[r.out[i].Severity] < rank[r.out[j].Severity] })
	rep := Report{Findings: r.out}
	for _, f := range r.out {
		if f.Severity == Block {
			rep.Blocking++
		}
	}
	return rep
}

type run struct {
	z         Zuora
	ns        NetSuite
	s         settings.Settings
	out       []Finding
	described map[string]*zuora.ObjectDescription
	describeE map[string]error
	schemas   map[string]*schema
	schemaE   map[string]error
}

func (r *run) add(check, sev, where, finding, fix string) {
	r.out = append(r.out, Finding{Check: check, Severity: sev, Where: where, Finding: finding, Fix: fix})
}

// passed adds an OK row for a check that found nothing.
func (r *run) passed(check, what string) {
	for _, f := range r.out {
		if f.Check == check {
			return
		}
	}
	r.add(check, OK, "", what, "")
}

// ---- Zuora ----

func (r *run) describe(ctx context.Context, obj string) (*zuora.ObjectDescription, error) {
	if d, ok := r.described[obj]; ok {
		return d, nil
	}
	if r.describeE == nil {
		r.describeE = map[string]error{}
	}
	if err, ok := r.describeE[obj]; ok {
		return nil, err
	}
	d, err := r.z.Describe(ctx, obj)
	if err != nil {
		r.describeE[obj] = err
		return nil, err
	}
	r.described[obj] = d
	return d, nil
}

// zuoraFields: every field of every ZOQL read exists on the tenant, under
// the tenant's names of the connector's custom fields (settings zuoraFields).
func (r *run) zuoraFields(ctx context.Context) {
	names := r.s.ZuoraFields.Names()
	seen := map[string]bool{}
	for _, rd := range activities.ZOQLReads() {
		d, err := r.describe(ctx, rd.Object)
		if err != nil {
			if !seen[rd.Object] {
				seen[rd.Object] = true
				r.add(CheckZuoraFields, Block, "Zuora "+rd.Object, "cannot describe the object: "+err.Error(),
					"check the OAuth client's permissions (it needs API access to "+rd.Object+") and that the tenant has the object")
			}
			continue
		}
		for _, f := range strings.Split(rd.Fields, ",") {
			f = strings.TrimSpace(f)
			if n, ok := names[f]; ok && n != "" {
				f = n
			}
			key := rd.Object + "." + f
			if f == "" || seen[key] {
				continue
			}
			seen[key] = true
			if _, ok := d.Field(f); ok {
				continue
			}
			where := "Zuora " + key
			switch {
			case strings.HasSuffix(f, "__NS"):
				r.add(CheckZuoraCustom, Block, where, "the NetSuite connector package field "+f+" is not on "+rd.Object,
					"install the Zuora NetSuite connector package's custom fields (…__NS) on "+rd.Object+" (Zuora Marketplace > NetSuite connector, or Settings > Custom Fields)")
			case strings.HasSuffix(f, "__c"):
				r.add(CheckZuoraCustom, Block, where, "the connector's custom field "+f+" is not on "+rd.Object,
					"create the custom field "+f+" on "+rd.Object+" in Zuora (Settings > Custom Fields, text, filterable), or set zuoraFields in the settings file to the name it has on this tenant")
			default:
				r.add(CheckZuoraFields, Block, where, "the connector selects "+f+" from "+rd.Object+" but the tenant's object model has no such field",
					"a tenant feature or API version the connector needs is missing: check with Zuora support that "+key+" is available to the API user, or report it to the connector's maintainers")
			}
		}
	}
	if len(r.describeE) > 0 {
		return // the objects not described cannot be said to be complete
	}
	r.passed(CheckZuoraCustom, "every Zuora custom field the connector uses (…__NS, …__c) exists")
	r.passed(CheckZuoraFields, fmt.Sprintf("every field of the connector's %d ZOQL field lists exists on the tenant", len(activities.ZOQLReads())))
}

// invoiceSettlement: the documented signal is that the Invoice Settlement
// endpoints (credit memos) answer only on an IS tenant (zuora.Client.InvoiceSettlementEnabled).
func (r *run) invoiceSettlement(ctx context.Context) {
	on, err := r.z.InvoiceSettlementEnabled(ctx)
	switch {
	case err != nil:
		r.add(CheckInvoiceSettlement, Block, "Zuora GET /v1/creditmemos", "cannot tell whether the tenant is on Invoice Settlement: "+err.Error(),
			"check the OAuth client's permissions (credit memos: read)")
	case on:
		r.add(CheckInvoiceSettlement, Info, "Zuora tenant", "the tenant is on Invoice Settlement: credit memos are synced, invoice item adjustments cannot be created",
			"nothing to change; a tenant migrated by this connector keeps docs/migration.md's new OAuth client")
	default:
		r.add(CheckInvoiceSettlement, Info, "Zuora tenant", "the tenant is not on Invoice Settlement: invoice item adjustments are synced",
			"nothing to change now; to move to Invoice Settlement follow docs/migration.md (starter migrate)")
	}
}

// ---- NetSuite ----

// schema is the part of a record type's JSON Schema preflight reads.
type schema struct {
	Properties map[string]*prop `json:"properties"`
	Required   []string         `json:"required"`
}

type prop struct {
	Type       string           `json:"type"`
	ReadOnly   bool             `json:"readOnly"`
	Properties map[string]*prop `json:"properties"`
	Items      *prop            `json:"items"`
	Required   []string         `json:"required"`
}

// sublist returns a sublist's line schema ({"items": [line]}).
func (s *schema) sublist(name string) *prop {
	p := s.Properties[name]
	if p == nil || p.Properties == nil || p.Properties["items"] == nil || p.Properties["items"].Items == nil {
		return nil
	}
	return p.Properties["items"].Items
}

func (r *run) schema(ctx context.Context, typ string) (*schema, error) {
	if s, ok := r.schemas[typ]; ok {
		return s, nil
	}
	if r.schemaE == nil {
		r.schemaE = map[string]error{}
	}
	if err, ok := r.schemaE[typ]; ok {
		return nil, err
	}
	var s schema
	if err := r.ns.Metadata(ctx, typ, &s); err != nil {
		r.schemaE[typ] = err
		return nil, err
	}
	r.schemas[typ] = &s
	return &s, nil
}

// recordShape is a record type with the structs the connector writes and
// reads it as.
type recordShape struct {
	typ      string
	body     any
	sublists map[string]any
}

func shapes() []recordShape {
	tx := map[string]any{"item": netsuite.Line{}}
	cm := map[string]any{"item": netsuite.Line{}, "apply": netsuite.Apply{}}
	return []recordShape{
		{netsuite.TypeCustomer, netsuite.Customer{}, nil},
		{netsuite.TypeInvoice, netsuite.Transaction{}, tx},
		{netsuite.TypeCreditMemo, netsuite.Transaction{}, cm},
		{netsuite.TypeInventoryItem, netsuite.CatalogItem{}, nil},
		{netsuite.TypeNonInventory, netsuite.CatalogItem{}, nil},
		{netsuite.TypeServiceItem, netsuite.CatalogItem{}, nil},
	}
}

// jsonFields lists a struct's JSON field names (embedded structs flattened).
func jsonFields(v any) []string {
	var out []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				walk(f.Type)
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name != "" && name != "-" {
				out = append(out, name)
			}
		}
	}
	walk(reflect.TypeOf(v))
	return out
}

// taxFields are left to the tax check: they exist only with legacy tax.
var taxFields = map[string]bool{"isTaxable": true}

// netsuiteFields: every field the connector writes or reads on each record
// type, under the account's custom field ids (settings netsuite.fields),
// is in the record's metadata. A custom field missing is the worst case:
// NetSuite drops it silently on write (N6), and the line key is what makes
// line batches idempotent.
func (r *run) netsuiteFields(ctx context.Context) {
	renames := r.s.NetSuite.Fields.Renames()
	rename := func(f string) string {
		if n, ok := renames[f]; ok {
			return n
		}
		return f
	}
	check := func(typ, where string, props map[string]*prop, fields []string, skip map[string]bool) {
		for _, f := range fields {
			f = rename(f)
			if skip[f] || taxFields[f] {
				continue
			}
			if _, ok := props[f]; ok {
				continue
			}
			if strings.HasPrefix(f, "cust") {
				r.add(CheckNetSuiteCustom, Block, "NetSuite "+where+"."+f, "the connector's custom field "+f+" is not on "+where+": NetSuite would drop it silently on every write",
					"create "+f+" ("+customFieldPage(f)+", applied to "+typ+", on the preferred form) or set netsuite.fields in the settings file to its id in this account")
			} else {
				r.add(CheckNetSuiteFields, Block, "NetSuite "+where+"."+f, "the account's "+typ+" record has no field "+f,
					"enable the feature that brings "+f+" (Setup > Company > Enable Features) or give the integration role access to it")
			}
		}
	}
	for _, sh := range shapes() {
		s, err := r.schema(ctx, sh.typ)
		if err != nil {
			r.add(CheckNetSuiteFields, Block, "NetSuite "+sh.typ, "cannot read the record's metadata: "+err.Error(),
				"give the integration role REST Web Services and access to "+sh.typ+" records")
			continue
		}
		// Sublists are checked line by line below (a transaction's apply
		// only on the types that write it).
		check(sh.typ, sh.typ, s.Properties, jsonFields(sh.body), map[string]bool{"item": true, "apply": true})
		for name, line := range sh.sublists {
			lp := s.sublist(name)
			if lp == nil {
				r.add(CheckNetSuiteFields, Block, "NetSuite "+sh.typ+"."+name, "the record has no "+name+" sublist", "give the integration role access to the "+name+" sublist")
				continue
			}
			check(sh.typ, sh.typ+"."+name, lp.Properties, jsonFields(line), nil)
		}
	}
	if len(r.schemaE) > 0 {
		return
	}
	r.passed(CheckNetSuiteCustom, "every NetSuite custom field the connector writes (custbody/custcol/custentity/custitem) exists on its records")
	r.passed(CheckNetSuiteFields, "every standard field the connector writes or reads exists on its NetSuite records")
}

func customFieldPage(f string) string {
	switch {
	case strings.HasPrefix(f, "custbody"):
		return "Customization > Lists, Records & Fields > Transaction Body Fields"
	case strings.HasPrefix(f, "custcol"):
		return "Customization > Lists, Records & Fields > Transaction Line Fields"
	case strings.HasPrefix(f, "custentity"):
		return "Customization > Lists, Records & Fields > Entity Fields"
	}
	return "Customization > Lists, Records & Fields > Item Fields"
}

// autoNumbers: where numbers come from Zuora, NetSuite's Auto-Generated
// Numbers must allow override (seed sync-preferences.txt). REST exposes no
// endpoint for that preference; the one signal is the number field's
// readOnly flag in the metadata. Read-only blocks; writable is not proof
// (the preference may be missing from metadata), so the operator verifies.
func (r *run) autoNumbers(ctx context.Context) {
	type need struct{ typ, field, label, page, why string }
	var needs []need
	cs := r.s.Customer
	if cs.Master == settings.MasterZuora && cs.NumberMapping != settings.DestinationAutoNumber {
		why := "customerSync.numberMapping is " + cs.NumberMapping
		page := "Allow Override for Customers"
		if cs.Behavior == settings.SyncNewAndModified && cs.AllowNumberUpdates {
			page += " and Update (customerSync.allowNumberUpdates)"
		}
		needs = append(needs, need{netsuite.TypeCustomer, "entityId", "Customer ID", page, why})
	}
	if r.s.Transaction.NumberMapping == settings.NumberFromSource {
		why := "transactionSync.numberMapping is " + r.s.Transaction.NumberMapping
		needs = append(needs, need{netsuite.TypeInvoice, "tranId", "Invoice #", "Allow Override for Invoices", why},
			need{netsuite.TypeCreditMemo, "tranId", "Credit Memo #", "Allow Override for Credit Memos", why})
	}
	for _, n := range needs {
		where := "NetSuite " + n.typ + "." + n.field
		s, err := r.schema(ctx, n.typ)
		if err != nil {
			continue // reported by the field check
		}
		p := s.Properties[n.field]
		switch {
		case p == nil:
			r.add(CheckAutoNumbers, Block, where, n.label+" ("+n.field+") is not in the record's metadata, so Zuora's numbers cannot be written ("+n.why+")",
				"Setup > Company > Auto-Generated Numbers: tick "+n.page+", or set the number mapping to "+settings.DestinationAutoNumber)
		case p.ReadOnly:
			r.add(CheckAutoNumbers, Block, where, n.label+" ("+n.field+") is read-only: Auto-Generated Numbers are on without Allow Override, so NetSuite would replace Zuora's numbers ("+n.why+")",
				"Setup > Company > Auto-Generated Numbers: tick "+n.page+", or set the number mapping to "+settings.DestinationAutoNumber)
		default:
			r.add(CheckAutoNumbers, Verify, where, n.label+" ("+n.field+") is writable in the metadata, but REST does not show the Auto-Generated Numbers preference ("+n.why+")",
				"in NetSuite, Setup > Company > Auto-Generated Numbers: if numbering is on for this record, tick "+n.page)
		}
	}
	r.passed(CheckAutoNumbers, "NetSuite numbers all records (both number mappings are "+settings.DestinationAutoNumber+" or NetSuite is the customer master): nothing to override")
}

// tax: legacy tax is the only kind where isTaxable exists (N5). The
// settings must agree with the account either way: isTaxable on a SuiteTax
// account is refused (every write fails); no isTaxable on a legacy tax
// account leaves lines at NetSuite's taxable default on top of Zuora's tax lines.
func (r *run) tax(ctx context.Context) {
	s, err := r.schema(ctx, netsuite.TypeInvoice)
	if err != nil {
		return // reported by the field check
	}
	_, legacy := s.Properties["isTaxable"]
	if line := s.sublist("item"); line != nil {
		_, l := line.Properties["isTaxable"]
		legacy = legacy || l
	}
	switch {
	case r.s.NetSuite.LegacyTax && !legacy:
		r.add(CheckTax, Block, "settings netsuite.legacyTax", "the settings say legacy tax, but the account uses SuiteTax (invoices have no isTaxable): NetSuite refuses every invoice and credit memo write",
			"set netsuite.legacyTax to false in the settings file")
	case !r.s.NetSuite.LegacyTax && legacy:
		r.add(CheckTax, Block, "settings netsuite.legacyTax", "the account uses legacy tax (invoices have isTaxable), but the settings say SuiteTax: lines would keep NetSuite's taxable default and be taxed again on top of Zuora's tax lines",
			"set netsuite.legacyTax to true in the settings file")
	case legacy:
		r.add(CheckTax, OK, "NetSuite invoice", "legacy tax, as the settings say (lines written non-taxable)", "")
	default:
		r.add(CheckTax, OK, "NetSuite invoice", "SuiteTax, as the settings say", "")
	}
}

// oneWorld: a OneWorld account requires a subsidiary on customers and items
// (the metadata lists it as required); the connector takes it from the
// Zuora Account's and charge's Subsidiary__NS, so every one must be set.
func (r *run) oneWorld(ctx context.Context) {
	s, err := r.schema(ctx, netsuite.TypeCustomer)
	if err != nil {
		return
	}
	oneWorld := false
	for _, f := range s.Required {
		oneWorld = oneWorld || f == "subsidiary"
	}
	if !oneWorld {
		r.add(CheckOneWorld, OK, "NetSuite customer", "not a OneWorld account (subsidiary is not required): Subsidiary__NS is not needed", "")
		return
	}
	for _, q := range []struct{ obj, num, what string }{
		{zuora.ObjAccount, "AccountNumber", "customer account"},
		{zuora.ObjProductRatePlanCharge, "Name", "product rate plan charge"},
	} {
		where := "Zuora " + q.obj + ".Subsidiary__NS"
		page, err := r.z.QueryPage(ctx, "select Id, "+q.num+" from "+q.obj+" where Subsidiary__NS = null", 20)
		if err != nil {
			r.add(CheckOneWorld, Block, where, "OneWorld account, but cannot count "+q.obj+" records without Subsidiary__NS: "+err.Error(),
				"check that the NetSuite connector package's fields are installed on "+q.obj)
			continue
		}
		if page.Size == 0 {
			continue
		}
		var ex []string
		for _, rec := range page.Records {
			if len(ex) < 5 {
				ex = append(ex, fmt.Sprint(rec[q.num]))
			}
		}
		r.add(CheckOneWorld, Block, where, fmt.Sprintf("OneWorld account: %d %s record(s) have no Subsidiary__NS (e.g. %s); NetSuite refuses their customers/items without a subsidiary",
			page.Size, q.what, strings.Join(ex, ", ")),
			"set Subsidiary__NS (the NetSuite subsidiary's internal id) on each in Zuora before the first run")
	}
	r.passed(CheckOneWorld, "OneWorld account: every Zuora account and charge has Subsidiary__NS")
}
