package itest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// badInputTenant is a small clean tenant and, per invoice to damage, one of
// its items (the first, by fixture order).
func badInputTenant(t *testing.T) (*fixture.Fixture, []string, map[string]string) {
	t.Helper()
	f, err := fixture.Generate("seed=41,accounts=4,invoices=24,items=2-6,tax=0.5")
	if err != nil {
		t.Fatal(err)
	}
	firstItem := map[string]string{}
	for _, it := range f.Zuora.Objects[zuora.ObjInvoiceItem] {
		inv := str(it["InvoiceId"])
		amount, err := decimal.NewFromString(str(it["ChargeAmount"]))
		if _, ok := firstItem[inv]; !ok && err == nil && !amount.IsZero() {
			firstItem[inv] = str(it["Id"])
		}
	}
	var invs []string
	for _, inv := range f.Zuora.Objects[zuora.ObjInvoice] {
		if firstItem[str(inv["Id"])] != "" {
			invs = append(invs, str(inv["Id"]))
		}
	}
	return f, invs, firstItem
}

// Bad data from Zuora (a field of the wrong type, a missing field) on one
// invoice's item: that invoice ends Error with a reason (naming the record
// and the field for a wrong type); no panic; the run goes on and every
// other invoice syncs.
// Broken bodies (truncated JSON, an HTML error page, the wrong JSON type)
// and HTML 502/503 pages on both APIs are transient: retried, then synced.
func TestBadInput_WrongTypeEndsErrorNamingRecordAndField_MissingFieldEndsError_BrokenBodiesRetried(t *testing.T) {
	f, invs, firstItem := badInputTenant(t)
	wrongType, missing := invs[0], invs[1]
	e := New(t, f, Options{Configure: func(c *sandbox.Config) {
		c.ZuoraFaults = sandbox.Faults{MalformedRate: 0.15, ErrorRate: 0.05, Corrupt: []sandbox.Corruption{
			{ID: firstItem[wrongType], Field: "ChargeAmount", Mode: "wrongType"},
			{ID: firstItem[missing], Field: "ChargeAmount", Mode: "missing"},
		}}
		c.NetSuiteFaults = sandbox.Faults{Concurrency: 15, MalformedRate: 0.15, ErrorRate: 0.05}
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	s := settings.Default()
	res := e.RunSync(ctx, "itest-badinput", s, workflows.PhaseInvoices)

	zs, ns := e.Sandbox.Stats("zuora").Faults, e.Sandbox.Stats("netsuite").Faults
	t.Logf("Zuora faults %s; NetSuite faults %s; run %+v", FormatInjected(zs), FormatInjected(ns), res.Progress.Invoices)
	for _, k := range []string{"wrongType", "missingField", "malformed"} {
		if zs[k] == 0 {
			t.Errorf("no Zuora %s fault was injected: %v", k, zs)
		}
	}
	if ns["malformed"] == 0 {
		t.Errorf("no NetSuite malformed answer was injected: %v", ns)
	}
	reasons := map[string]string{}
	for _, re := range res.Errors {
		reasons[re.ID] = re.Reason
		t.Logf("error: %s %s: %s", re.Type, re.ID, re.Reason)
	}

	_ = e.Sandbox.SetFaults("zuora", sandbox.Faults{})
	_ = e.Sandbox.SetFaults("netsuite", sandbox.Faults{})
	after := e.Invoices(ctx)
	// A field of the wrong type is refused where the item is decoded: the
	// reason names the item and the field.
	inv, item := after[wrongType], firstItem[wrongType]
	if inv.TransferredToAccounting != zuora.TransferError {
		t.Errorf("invoice %s with a wrong-typed ChargeAmount on item %s is %q (%q), want Error", inv.InvoiceNumber, item, inv.TransferredToAccounting, inv.IntegrationStatus)
	}
	for _, where := range []struct{ name, text string }{{"Zuora's Integration Status", inv.IntegrationStatus}, {"the run's error", reasons[wrongType]}} {
		if !strings.Contains(where.text, item) || !strings.Contains(where.text, "ChargeAmount") {
			t.Errorf("invoice %s: %s %q does not name item %s and ChargeAmount", inv.InvoiceNumber, where.name, where.text, item)
		}
	}
	// A missing amount is refused where the item is read, before any write:
	// Error naming the item and the field, nothing in NetSuite.
	inv, item = after[missing], firstItem[missing]
	for _, where := range []struct{ name, text string }{{"Zuora's Integration Status", inv.IntegrationStatus}, {"the run's error", reasons[missing]}} {
		if inv.TransferredToAccounting != zuora.TransferError || !strings.Contains(where.text, item) || !strings.Contains(where.text, "ChargeAmount is missing") {
			t.Errorf("invoice %s without ChargeAmount on item %s is %q; %s %q does not name the item and the missing field",
				inv.InvoiceNumber, item, inv.TransferredToAccounting, where.name, where.text)
		}
	}
	if n := e.Transactions(ctx)[netsuite.InvoiceExternalID(missing)]; len(n) != 0 {
		t.Errorf("invoice %s without an item amount was written to NetSuite: %+v", inv.InvoiceNumber, n)
	}
	eligible := eligibleInvoices(f, s)
	fig := InvoiceCheck{Eligible: eligible}.Check(ctx, e)
	t.Log(fig)
	if fig.Errored != 2 || fig.Synced != len(eligible)-2 {
		t.Errorf("want the two damaged invoices Error and every other synced: %s", fig)
	}
}

// A wrong-typed field on an invoice header (the selection's own query reads
// it) must not stop the phase: that invoice ends Error naming the field, the
// others sync.
func TestBadInput_MalformedInvoiceHeaderEndsErrorAndTheRunGoesOn(t *testing.T) {
	f, invs, _ := badInputTenant(t)
	bad := invs[0]
	e := New(t, f, Options{Configure: func(c *sandbox.Config) {
		c.ZuoraFaults = sandbox.Faults{Corrupt: []sandbox.Corruption{{ID: bad, Field: "DueDate", Mode: "wrongType"}}}
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s := settings.Default()
	res := e.RunSync(ctx, "itest-badheader", s, workflows.PhaseInvoices)
	_ = e.Sandbox.SetFaults("zuora", sandbox.Faults{})
	inv := e.Invoices(ctx)[bad]
	var reason string
	for _, re := range res.Errors {
		if re.ID == bad {
			reason = re.Reason
		}
	}
	if inv.TransferredToAccounting != zuora.TransferError || !strings.Contains(inv.IntegrationStatus, "DueDate") || !strings.Contains(reason, "DueDate") {
		t.Errorf("invoice %s with a wrong-typed DueDate: %q %q, run error %q; want Error naming DueDate", bad, inv.TransferredToAccounting, inv.IntegrationStatus, reason)
	}
	eligible := eligibleInvoices(f, s)
	if res.Progress.Invoices.Synced != len(eligible)-1 || res.Progress.Invoices.Errored != 1 {
		t.Errorf("the run did not go on past the malformed invoice: %+v of %d eligible", res.Progress.Invoices, len(eligible))
	}
}
