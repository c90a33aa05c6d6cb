package activities_test

import (
	"context"
	"strings"
	"testing"

	"github.com/zuora-netsuite/connector/activities"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// oldTenant: one of each old-connector kind (fixture oldconnector.go).
const oldTenantSpec = "seed=17,accounts=1,invoices=0,oldconnector=5"

func nsInvoiceCount(t *testing.T, a *activities.Activities) int {
	t.Helper()
	rows, err := a.NetSuite.QueryAll(context.Background(), "SELECT id FROM transaction WHERE type = 'CustInvc' ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	return len(rows)
}

func zuoraInvoice(t *testing.T, a *activities.Activities, id string) zuora.Invoice {
	t.Helper()
	var inv zuora.Invoice
	if err := a.Zuora.GetObject(context.Background(), zuora.ObjInvoice, id, &inv); err != nil {
		t.Fatal(err)
	}
	return inv
}

// oldNetSuiteID is the NetSuite invoice the fixture gave the old connector's invoice (external id = raw Zuora id).
func oldNetSuiteID(t *testing.T, f *fixture.Fixture, zuoraID string) string {
	t.Helper()
	for _, r := range f.NetSuite.Records["invoice"] {
		if r["externalId"] == zuoraID {
			return r["id"].(string)
		}
	}
	t.Fatalf("no NetSuite invoice for %s in the fixture", zuoraID)
	return ""
}

// Rule (reference 0.3 error recovery): an invoice the old connector left
// Processing with no Integration Id, whose NetSuite invoice it made (tranId =
// invoice number, same customer), is completed with that record: Sync
// Complete, TTA Yes, IntegrationId__NS = its id, and nothing created.
func TestCutover_ProcessingInvoiceMatchedByTranIDCreatesNothing(t *testing.T) {
	f := generated(t, oldTenantSpec)
	a := recordSyncTenant(t, f)
	id := fixture.OldConnectorInvoiceID(f, fixture.OldProcessing)
	want := oldNetSuiteID(t, f, id)
	before := nsInvoiceCount(t, a)
	step := syncToEnd(t, a, id, settings.Default())
	if step.Outcome != workflows.OutcomeSynced || !strings.Contains(step.Reason, "tranId") {
		t.Fatalf("outcome %s %q, want synced by linking through tranId", step.Outcome, step.Reason)
	}
	inv := zuoraInvoice(t, a, id)
	if inv.IntegrationID != want || inv.TransferredToAccounting != zuora.TransferYes || inv.IntegrationStatus != zuora.StatusSyncComplete || inv.SyncDate == "" {
		t.Fatalf("Zuora invoice %+v, want IntegrationId %s, TTA Yes, Sync Complete, a sync date", inv.NSFields, want)
	}
	if n := nsInvoiceCount(t, a); n != before {
		t.Fatalf("NetSuite invoices %d -> %d: the old connector's record was duplicated", before, n)
	}
}

// Rule: an invoice left Processing with IntegrationId__NS set (NetSuite
// numbered the record itself, so no tranId matches) is linked by that id.
func TestCutover_ProcessingInvoiceMatchedByIntegrationID(t *testing.T) {
	f := generated(t, oldTenantSpec)
	a := recordSyncTenant(t, f)
	id := fixture.OldConnectorInvoiceID(f, fixture.OldProcessingID)
	want := oldNetSuiteID(t, f, id)
	before := nsInvoiceCount(t, a)
	step := syncToEnd(t, a, id, settings.Default())
	if step.Outcome != workflows.OutcomeSynced || !strings.Contains(step.Reason, "IntegrationId__NS") {
		t.Fatalf("outcome %s %q, want synced by linking through IntegrationId__NS", step.Outcome, step.Reason)
	}
	if inv := zuoraInvoice(t, a, id); inv.IntegrationID != want || inv.TransferredToAccounting != zuora.TransferYes {
		t.Fatalf("Zuora invoice %+v, want linked to %s", inv.NSFields, want)
	}
	if n := nsInvoiceCount(t, a); n != before {
		t.Fatalf("NetSuite invoices %d -> %d", before, n)
	}
}

// Rule: the old connector's Error (NetSuite refused it: nothing there) is
// synced as any invoice, once: a second sync finds it complete.
func TestCutover_ErrorInvoiceNotFoundIsSyncedOnce(t *testing.T) {
	f := generated(t, oldTenantSpec)
	a := recordSyncTenant(t, f)
	ctx := context.Background()
	id := fixture.OldConnectorInvoiceID(f, fixture.OldError)
	before := nsInvoiceCount(t, a)
	if step := syncToEnd(t, a, id, settings.Default()); step.Outcome != workflows.OutcomeSynced || step.Reason != "" {
		t.Fatalf("outcome %s %q, want synced by this connector", step.Outcome, step.Reason)
	}
	if step := syncToEnd(t, a, id, settings.Default()); step.Outcome != workflows.OutcomeSkipped {
		t.Fatalf("second sync: %s %q, want skipped (already Yes)", step.Outcome, step.Reason)
	}
	rows, err := a.NetSuite.QueryAll(ctx, "SELECT id FROM transaction WHERE externalid = "+netsuite.Quote(netsuite.InvoiceExternalID(id))+" ORDER BY id")
	if err != nil || len(rows) != 1 {
		t.Fatalf("NetSuite records with the invoice's external id: %v %v, want one", rows, err)
	}
	if n := nsInvoiceCount(t, a); n != before+1 {
		t.Fatalf("NetSuite invoices %d -> %d, want one more", before, n)
	}
	if inv := zuoraInvoice(t, a, id); inv.IntegrationID != rows[0]["id"] || inv.TransferredToAccounting != zuora.TransferYes {
		t.Fatalf("Zuora invoice %+v", inv.NSFields)
	}
}

// Rule: a NetSuite invoice the old connector left half-made (its total is
// not Zuora's amount) is neither taken nor doubled: the invoice ends Error
// with the reason, for a person.
func TestCutover_HalfMadeOldRecordIsLeftForAPerson(t *testing.T) {
	f := generated(t, oldTenantSpec)
	a := recordSyncTenant(t, f)
	id := fixture.OldConnectorInvoiceID(f, fixture.OldPartial)
	before := nsInvoiceCount(t, a)
	step := syncToEnd(t, a, id, settings.Default())
	if step.Outcome != workflows.OutcomeError || !strings.Contains(step.Reason, "totals") || !strings.Contains(step.Reason, oldNetSuiteID(t, f, id)) {
		t.Fatalf("outcome %s %q, want Error naming the half-made record and its total", step.Outcome, step.Reason)
	}
	if inv := zuoraInvoice(t, a, id); inv.TransferredToAccounting != zuora.TransferError || inv.IntegrationID != "" {
		t.Fatalf("Zuora invoice %+v", inv.NSFields)
	}
	if n := nsInvoiceCount(t, a); n != before {
		t.Fatalf("NetSuite invoices %d -> %d", before, n)
	}
}

// Rule: a credit adjustment of an invoice the old connector synced finds its
// original through the invoice's IntegrationId__NS and applies to it.
func TestCutover_AdjustmentOfAnOldInvoiceFindsItsOriginal(t *testing.T) {
	f := generated(t, oldTenantSpec)
	a := recordSyncTenant(t, f)
	ctx := context.Background()
	s := settings.Default()
	invID := fixture.OldConnectorInvoiceID(f, fixture.OldSynced)
	orig := oldNetSuiteID(t, f, invID)
	inv := zuoraInvoice(t, a, invID)
	items, err := zuora.QueryAll[zuora.InvoiceItem](ctx, a.Zuora, "select Id, ChargeAmount from InvoiceItem where InvoiceId = "+zuora.Quote(invID))
	if err != nil || len(items) == 0 {
		t.Fatal(items, err)
	}
	item := items[len(items)-1]
	adj, err := a.Zuora.CreateObject(ctx, zuora.ObjInvoiceItemAdjustment, map[string]any{
		"AdjustmentDate": inv.InvoiceDate, "Amount": "1.00", "InvoiceId": invID, "SourceId": item.ID, "SourceType": "InvoiceDetail",
		"Type": "Credit", "ReasonCode": "Standard Adjustment", "AccountId": inv.AccountID,
	}, "old-credit-1")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := a.PrepareAdjustment(ctx, workflows.AdjustmentSyncInput{AdjustmentID: adj, Settings: s})
	if err != nil || plan.Outcome != "" || plan.OriginalID != orig || plan.RecordType != netsuite.TypeCreditMemo {
		t.Fatalf("plan %+v %v, want a credit memo on the old connector's invoice %s", plan, err, orig)
	}
	step := workflows.AdjustmentStepInput{Settings: s, Plan: plan}
	if err := a.MarkAdjustmentProcessing(ctx, step); err != nil {
		t.Fatal(err)
	}
	w, err := a.WriteAdjustment(ctx, step)
	if err != nil || w.NetSuiteID == "" || w.AppliedTo != orig {
		t.Fatalf("write %+v %v, want applied to %s", w, err, orig)
	}
}

// Rule: an account the old connector left mid-sync (status set, no
// Integration Id) is matched to the customer it made, not created again: by
// Customer ID = account number under "Use Number From Source Record" (its
// documented mapping), or by the old bundle's Zuora ID field once the
// operator names it in netsuite.fields.customerZuoraId (docs/cutover.md).
func TestCutover_CustomerLeftMidSyncMatchedNotMadeAgain(t *testing.T) {
	const bundleField = "custentity_old_bundle_zuora_id" // stands for the old bundle's field, whose id is undocumented
	for _, c := range []struct {
		name string
		edit func(s *settings.Settings)
	}{
		{"by Customer ID", func(s *settings.Settings) {}},
		{"by the configured Zuora ID field", func(s *settings.Settings) {
			s.Customer.NumberMapping = settings.DestinationAutoNumber
			s.NetSuite.Fields.CustomerZuoraID = bundleField
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := generated(t, oldTenantSpec)
			f.NetSuite.Account.CustomFields = append(f.NetSuite.Account.CustomFields, bundleField)
			var acctID, nsID string
			for _, acct := range f.Zuora.Objects["Account"] {
				if strings.HasPrefix(acct["AccountNumber"].(string), "OLD") {
					acctID, nsID = acct["Id"].(string), acct["IntegrationId__NS"].(string)
					delete(acct, "IntegrationId__NS")
					acct["IntegrationStatus__NS"] = "Syncing customer"
					break
				}
			}
			for _, cust := range f.NetSuite.Records["customer"] {
				if cust["id"] == nsID {
					cust[bundleField] = acctID
				}
			}
			s := settings.Default()
			c.edit(&s)
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
			a := recordSyncTenant(t, f)
			ctx := context.Background()
			customers := func() int {
				rows, err := a.NetSuite.QueryAll(ctx, "SELECT id FROM customer ORDER BY id")
				if err != nil {
					t.Fatal(err)
				}
				return len(rows)
			}
			before := customers()
			res, err := a.SyncCustomer(ctx, workflows.CustomerSyncInput{ID: acctID, Settings: s})
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != workflows.OutcomeSynced || res.NetSuiteID != nsID || res.Action == workflows.ActionCreated {
				t.Fatalf("result %+v, want synced to the old connector's customer %s", res, nsID)
			}
			if n := customers(); n != before {
				t.Fatalf("NetSuite customers %d -> %d", before, n)
			}
		})
	}
}

// A fresh invoice (blank status, TTA No) costs no cutover lookup; the old
// connector's in-between states do.
func TestCutover_LeftByOldConnectorStates(t *testing.T) {
	for _, c := range []struct {
		tta, status, id string
		want            bool
	}{
		{"", "", "", false}, {"No", "", "", false}, {"Processing", "Creating Invoice", "", true}, {"Error", "Error Creating Invoice", "", true},
		{"No", "Syncing customer", "", true}, {"No", "Updating Revenue Recognition", "9", true}, {"Yes", "Sync Complete", "9", false},
		{"No", "", "12", true}, {"Ignore", "Ignore", "", false},
	} {
		if got := activities.LeftByOldConnector(c.tta, zuora.NSFields{IntegrationStatus: c.status, IntegrationID: c.id}); got != c.want {
			t.Errorf("TTA %q status %q id %q: %v, want %v", c.tta, c.status, c.id, got, c.want)
		}
	}
}

// Rule: an adjustment the old connector left Processing, whose NetSuite
// credit memo it made (tranId = adjustment number, same customer), is linked
// in PrepareAdjustment: the plan is Synced, nothing is created.
func TestCutover_AdjustmentLeftProcessingLinkedToItsCreditMemo(t *testing.T) {
	f := generated(t, oldTenantSpec)
	var adjID, memo string
	for _, r := range f.Zuora.Objects["InvoiceItemAdjustment"] {
		if r["Comment"] == "old connector: processing" {
			adjID = r["Id"].(string)
		}
	}
	for _, r := range f.NetSuite.Records["creditMemo"] {
		if r["externalId"] == adjID {
			memo = r["id"].(string)
		}
	}
	if adjID == "" || memo == "" {
		t.Fatalf("the fixture has no old-connector adjustment with its credit memo (%q, %q)", adjID, memo)
	}
	a := recordSyncTenant(t, f)
	ctx := context.Background()
	memos := func() int {
		rows, err := a.NetSuite.QueryAll(ctx, "SELECT id FROM transaction WHERE type = 'CustCred' ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}
	before := memos()
	plan, err := a.PrepareAdjustment(ctx, workflows.AdjustmentSyncInput{AdjustmentID: adjID, Settings: settings.Default()})
	if err != nil || plan.Outcome != workflows.OutcomeSynced || !strings.Contains(plan.Reason, memo) || !strings.Contains(plan.Reason, "tranId") {
		t.Fatalf("plan %+v %v, want Synced, linked to credit memo %s by tranId", plan, err, memo)
	}
	var adj zuora.InvoiceItemAdjustment
	if err := a.Zuora.GetObject(ctx, zuora.ObjInvoiceItemAdjustment, adjID, &adj); err != nil {
		t.Fatal(err)
	}
	if adj.IntegrationID != memo || adj.TransferredToAccounting != zuora.TransferYes || adj.IntegrationStatus != zuora.StatusSyncComplete {
		t.Fatalf("adjustment %+v", adj.NSFields)
	}
	if n := memos(); n != before {
		t.Fatalf("NetSuite credit memos %d -> %d", before, n)
	}
}

// Delayed rev rec on the old connector's lines: its invoice lines carry its
// bundle's line "Zuora ID" field = InvoiceItem.Id (Zuora's invoice item
// field mappings). With netsuite.fields.lineKey set to that field
// (docs/cutover.md), the rev rec phase finds its delayed lines and releases
// them once the trigger date is set in Zuora, as it does this connector's.
func TestCutover_OldConnectorDelayedRevRecLineReleasedThroughItsZuoraIDLineField(t *testing.T) {
	const bundleLineField = "custcol_old_bundle_zuora_id" // stands for the old bundle's line field, whose id is undocumented
	f := generated(t, "seed=17,accounts=1,invoices=0,oldconnector=5,tax=0")
	f.NetSuite.Account.CustomFields = append(f.NetSuite.Account.CustomFields, bundleLineField)
	invID := fixture.OldConnectorInvoiceID(f, fixture.OldSynced)
	ratable := map[string]bool{}
	for _, ch := range f.Zuora.Objects["ProductRatePlanCharge"] {
		if ch["RevRecCode"] != nil && ch["RevRecStart__NS"] == "Rev Rec Trigger Date" {
			ratable[ch["Name"].(string)] = true
		}
	}
	var item fixture.Record
	for _, it := range f.Zuora.Objects["InvoiceItem"] {
		if it["InvoiceId"] == invID && ratable[it["ChargeName"].(string)] {
			item = it
		}
	}
	if item == nil {
		t.Skip("no item on a trigger-date charge in this tenant")
	}
	delete(item, "RevRecStartDate")
	var nsInv fixture.Record
	for _, r := range f.NetSuite.Records["invoice"] {
		if r["externalId"] == invID {
			nsInv = r
		}
	}
	for _, l := range nsInv["item"].(map[string]any)["items"].([]any) {
		line := l.(map[string]any)
		if line["description"] == item["ChargeName"] && line["amount"] == item["ChargeAmount"] {
			line[bundleLineField], line["deferRevRec"] = item["Id"], true
		}
	}
	a := recordSyncTenant(t, f)
	ctx := context.Background()
	s := settings.Default()
	s.Advanced.NetSuiteRevRec = true
	s.NetSuite.Fields.LineKey = bundleLineField
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	res, err := a.UpdateDelayedRevRec(ctx, workflows.RevRecInput{Settings: s, Limit: 100})
	if err != nil || res.Updated != 0 {
		t.Fatalf("before the trigger date: %+v %v, want nothing released", res, err)
	}
	if err := a.Zuora.UpdateObject(ctx, zuora.ObjInvoiceItem, item["Id"].(string), map[string]any{"RevRecStartDate": item["ServiceStartDate"]}); err != nil {
		t.Fatal(err)
	}
	res, err = a.UpdateDelayedRevRec(ctx, workflows.RevRecInput{Settings: s, Limit: 100})
	if err != nil || res.Updated != 1 {
		t.Fatalf("after the trigger date: %+v %v, want the old connector's line released", res, err)
	}
	rows, err := a.NetSuite.QueryAll(ctx, "SELECT id, deferrevrec, revrecstartdate FROM transactionline WHERE transaction = "+netsuite.Quote(nsInv["id"].(string))+
		" AND "+bundleLineField+" = "+netsuite.Quote(item["Id"].(string))+" ORDER BY id")
	if err != nil || len(rows) != 1 || rows[0]["deferrevrec"] != "F" || rows[0]["revrecstartdate"] == nil {
		t.Fatalf("the old connector's line after the release: %v %v", rows, err)
	}
}
