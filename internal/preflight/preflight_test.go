package preflight_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zuora-netsuite/connector/internal/preflight"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/sandbox/sbtest"
	"github.com/zuora-netsuite/connector/internal/settings"
)

// tenant is a small generated tenant: the connector's custom fields
// installed on both sides, SuiteTax, not OneWorld (fixture defaults).
func tenant(t *testing.T) *fixture.Fixture {
	t.Helper()
	f, err := fixture.Generate("seed=7,accounts=3,invoices=2,charges=2")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// preflightOn runs preflight against a sandbox serving f.
func preflightOn(t *testing.T, f *fixture.Fixture, s settings.Settings) preflight.Report {
	t.Helper()
	ten := sbtest.Start(t, f, 5)
	z, ns := ten.Zuora, ten.NetSuite
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep := preflight.Run(ctx, z, ns, s)
	for _, f := range rep.Findings {
		t.Logf("%-6s %-22s %-45s %s | %s", f.Severity, f.Check, f.Where, f.Finding, f.Fix)
	}
	return rep
}

// blocked returns the blocking findings of check whose Where contains where.
func blocked(rep preflight.Report, check, where string) []preflight.Finding {
	var out []preflight.Finding
	for _, f := range rep.Findings {
		if f.Severity == preflight.Block && f.Check == check && strings.Contains(f.Where, where) {
			out = append(out, f)
		}
	}
	return out
}

func TestPreflightCleanTenantPasses(t *testing.T) {
	rep := preflightOn(t, tenant(t), settings.Default())
	if rep.Blocking != 0 {
		t.Fatalf("a configured tenant has %d blocking findings", rep.Blocking)
	}
	for _, c := range []string{preflight.CheckZuoraFields, preflight.CheckZuoraCustom, preflight.CheckNetSuiteFields, preflight.CheckNetSuiteCustom, preflight.CheckTax, preflight.CheckOneWorld} {
		if !slices.ContainsFunc(rep.Findings, func(f preflight.Finding) bool { return f.Check == c && f.Severity == preflight.OK }) {
			t.Errorf("no OK row for check %s", c)
		}
	}
	// Numbers come from Zuora by default; REST cannot prove override is
	// allowed when the field is writable, so the operator is told to verify.
	if !slices.ContainsFunc(rep.Findings, func(f preflight.Finding) bool {
		return f.Check == preflight.CheckAutoNumbers && f.Severity == preflight.Verify && strings.Contains(f.Fix, "Auto-Generated Numbers")
	}) {
		t.Errorf("no VERIFY finding telling the operator to check Auto-Generated Numbers in the UI")
	}
	if !slices.ContainsFunc(rep.Findings, func(f preflight.Finding) bool {
		return f.Check == preflight.CheckInvoiceSettlement && strings.Contains(f.Finding, "not on Invoice Settlement")
	}) {
		t.Errorf("Invoice Settlement state not reported for a non-IS tenant")
	}
}

func TestPreflightMissingNetSuiteCustomField(t *testing.T) {
	f := tenant(t)
	f.NetSuite.Account.CustomFields = slices.DeleteFunc(slices.Clone(f.NetSuite.Account.CustomFields), func(s string) bool { return s == "custcol_zuora_item_id" })
	rep := preflightOn(t, f, settings.Default())
	got := blocked(rep, preflight.CheckNetSuiteCustom, "custcol_zuora_item_id")
	if len(got) != 2 { // invoice.item and creditMemo.item
		t.Fatalf("missing line key: %d blocking findings, want 2 (invoice.item, creditMemo.item): %+v", len(got), got)
	}
	if !strings.Contains(got[0].Where, ".item.") || !strings.Contains(got[0].Fix, "Transaction Line Fields") {
		t.Errorf("finding does not say where to create the field: %+v", got[0])
	}
}

func TestPreflightNetSuiteCustomFieldIdsFollowSettings(t *testing.T) {
	f := tenant(t)
	fields := slices.DeleteFunc(slices.Clone(f.NetSuite.Account.CustomFields), func(s string) bool { return s == "custcol_zuora_item_id" })
	f.NetSuite.Account.CustomFields = append(fields, "custcol_acme_zuora_line")
	s := settings.Default()
	s.NetSuite.Fields.LineKey = "custcol_acme_zuora_line"
	if rep := preflightOn(t, f, s); rep.Blocking != 0 {
		t.Fatalf("the account's own line key id, named in the settings, gave %d blocking findings", rep.Blocking)
	}
}

func TestPreflightMissingZuoraCustomField(t *testing.T) {
	f := tenant(t)
	delete(f.Zuora.Settings.CustomFields, "InvoiceItemAdjustment") // DoNotSync__c
	rep := preflightOn(t, f, settings.Default())
	got := blocked(rep, preflight.CheckZuoraCustom, "InvoiceItemAdjustment.DoNotSync__c")
	if len(got) != 1 || !strings.Contains(got[0].Fix, "zuoraFields") {
		t.Fatalf("missing DoNotSync__c: %+v", got)
	}
}

func TestPreflightZuoraCustomFieldNamesFollowSettings(t *testing.T) {
	f := tenant(t)
	f.Zuora.Settings.CustomFields["InvoiceItemAdjustment"] = []string{"AcmeSkip__c"}
	s := settings.Default()
	s.ZuoraFields.DoNotSync = "AcmeSkip__c"
	if rep := preflightOn(t, f, s); rep.Blocking != 0 {
		t.Fatalf("the tenant's own name, named in the settings, gave %d blocking findings", rep.Blocking)
	}
}

func TestPreflightAutoNumbersWithoutOverride(t *testing.T) {
	f := tenant(t)
	f.NetSuite.Account.AutoNumberNoOverride = []string{"customer", "invoice", "creditMemo"}
	s := settings.Default()
	s.Customer.Master, s.Customer.NumberMapping = settings.MasterZuora, settings.NumberFromSource
	s.Transaction.NumberMapping = settings.NumberFromSource
	rep := preflightOn(t, f, s)
	for _, w := range []string{"customer.entityId", "invoice.tranId", "creditMemo.tranId"} {
		got := blocked(rep, preflight.CheckAutoNumbers, w)
		if len(got) != 1 || !strings.Contains(got[0].Fix, "Setup > Company > Auto-Generated Numbers") {
			t.Errorf("%s read-only: %+v", w, got)
		}
	}
}

func TestPreflightAutoNumbersNotNeededWhenNetSuiteNumbers(t *testing.T) {
	f := tenant(t)
	f.NetSuite.Account.AutoNumberNoOverride = []string{"customer", "invoice", "creditMemo"}
	s := settings.Default()
	s.Customer.NumberMapping, s.Transaction.NumberMapping = settings.DestinationAutoNumber, settings.DestinationAutoNumber
	rep := preflightOn(t, f, s)
	if rep.Blocking != 0 || slices.ContainsFunc(rep.Findings, func(f preflight.Finding) bool {
		return f.Check == preflight.CheckAutoNumbers && f.Severity != preflight.OK
	}) {
		t.Fatalf("NetSuite numbering everything needs no override, got %+v", rep.Findings)
	}
}

func TestPreflightSettingsSayLegacyTaxOnSuiteTaxAccount(t *testing.T) {
	s := settings.Default()
	s.NetSuite.LegacyTax = true
	rep := preflightOn(t, tenant(t), s)
	if got := blocked(rep, preflight.CheckTax, "netsuite.legacyTax"); len(got) != 1 || !strings.Contains(got[0].Fix, "false") {
		t.Fatalf("legacy tax settings on a SuiteTax account: %+v", got)
	}
}

func TestPreflightSettingsSaySuiteTaxOnLegacyTaxAccount(t *testing.T) {
	f := tenant(t)
	f.NetSuite.Account.LegacyTax = true
	rep := preflightOn(t, f, settings.Default())
	if got := blocked(rep, preflight.CheckTax, "netsuite.legacyTax"); len(got) != 1 || !strings.Contains(got[0].Fix, "true") {
		t.Fatalf("SuiteTax settings on a legacy tax account: %+v", got)
	}
}

func TestPreflightOneWorldWithoutSubsidiaries(t *testing.T) {
	f := tenant(t)
	f.NetSuite.Account.OneWorld = true
	rep := preflightOn(t, f, settings.Default())
	for _, w := range []string{"Account.Subsidiary__NS", "ProductRatePlanCharge.Subsidiary__NS"} {
		if got := blocked(rep, preflight.CheckOneWorld, w); len(got) != 1 || !strings.Contains(got[0].Fix, "Subsidiary__NS") {
			t.Errorf("OneWorld, %s unset: %+v", w, got)
		}
	}
}

func TestPreflightOneWorldWithSubsidiariesPasses(t *testing.T) {
	f := tenant(t)
	f.NetSuite.Account.OneWorld = true
	for _, obj := range []string{"Account", "ProductRatePlanCharge"} {
		for _, r := range f.Zuora.Objects[obj] {
			r["Subsidiary__NS"] = "1"
		}
	}
	rep := preflightOn(t, f, settings.Default())
	if got := blocked(rep, preflight.CheckOneWorld, ""); len(got) != 0 {
		t.Fatalf("OneWorld with every subsidiary set: %+v", got)
	}
}

func TestPreflightReportsInvoiceSettlement(t *testing.T) {
	f := tenant(t)
	f.Zuora.Settings.InvoiceSettlement = true
	rep := preflightOn(t, f, settings.Default())
	if !slices.ContainsFunc(rep.Findings, func(f preflight.Finding) bool {
		return f.Check == preflight.CheckInvoiceSettlement && strings.Contains(f.Finding, "is on Invoice Settlement")
	}) {
		t.Fatalf("an IS tenant not reported as on Invoice Settlement")
	}
}

// The demo tenant (`make demo`) is a configured tenant too.
func TestPreflightDemoTenantPasses(t *testing.T) {
	if rep := preflightOn(t, fixture.Demo(), settings.Default()); rep.Blocking != 0 {
		t.Fatalf("the demo tenant has %d blocking findings", rep.Blocking)
	}
}
