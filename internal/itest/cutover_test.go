package itest

import (
	"context"
	"testing"
	"time"

	"github.com/zuora-netsuite/connector/activities"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// Issue 17, cutover from Zuora's own connector: a tenant and account as that
// connector leaves them (fixture oldconnector=N: synced records, invoices
// left Processing with their NetSuite invoice present, one Error with none,
// one half-made). After `cutover check` and one run: no Zuora invoice has a
// second NetSuite record, the Processing ones are linked to the records the
// old connector made, the Error one is synced once, the half-made one is
// Error for a person, none is left Processing, and no customer is made again.
func TestCutover_OneRunOverAnOldConnectorTenantMakesNoDuplicate(t *testing.T) {
	f, err := fixture.Generate("seed=17,accounts=2,invoices=5,items=1-3,negative=0,oldconnector=10")
	if err != nil {
		t.Fatal(err)
	}
	oldRecord := map[string]string{} // Zuora invoice id -> the NetSuite invoice the old connector made
	for _, r := range f.NetSuite.Records["invoice"] {
		oldRecord[str(r["externalId"])] = str(r["id"])
	}
	// Delayed rev rec lines with the old connector's line "Zuora ID" field (its
	// id undocumented: named here, and in netsuite.fields.lineKey, as the
	// runbook says); their trigger date is set in Zuora since.
	const bundleLineField = "custcol_old_bundle_zuora_id"
	f.NetSuite.Account.CustomFields = append(f.NetSuite.Account.CustomFields, bundleLineField)
	delayed := delayOldLines(f, bundleLineField)
	if len(delayed) == 0 {
		t.Fatal("no old-connector line on a charge with a rev rec code")
	}
	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := settings.Default()
	s.Advanced.NetSuiteRevRec = true
	s.NetSuite.Fields.LineKey = bundleLineField

	rep, err := e.Acts.CutoverCheck(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Counts[activities.CutoverMatch] != 6 || rep.Counts[activities.CutoverPerson] != 2 || rep.Counts[activities.CutoverSync] != 2 {
		t.Fatalf("cutover check counts %v, want 6 to match (4 invoices, 2 adjustments), 2 to sync, 2 for a person", rep.Counts)
	}
	customersBefore := nsCount(t, e, "SELECT id FROM customer ORDER BY id")
	memosBefore := nsCount(t, e, "SELECT id FROM transaction WHERE type = 'CustCred' ORDER BY id")

	res := e.RunSync(ctx, "itest-cutover-1", s, workflows.PhaseCustomers, workflows.PhaseInvoices, workflows.PhaseAdjustments, workflows.PhaseRevRec)
	t.Logf("invoices %+v customers %+v adjustments %+v revrec %+v (old delayed lines %d)", res.Progress.Invoices, res.Progress.Customers, res.Progress.Adjustments, res.Progress.RevRec, len(delayed))

	invs := e.Invoices(ctx)
	txs := e.Transactions(ctx)
	byZuora := map[string]int{} // NetSuite records per Zuora invoice, whoever made them
	for ext, list := range txs {
		id := ext
		if len(ext) > len("zuora-invoice-") && ext[:len("zuora-invoice-")] == "zuora-invoice-" {
			id = ext[len("zuora-invoice-"):]
		}
		byZuora[id] += len(list)
	}
	for id, inv := range invs {
		if byZuora[id] > 1 {
			t.Errorf("invoice %s has %d NetSuite records", inv.InvoiceNumber, byZuora[id])
		}
		if inv.TransferredToAccounting == zuora.TransferProcessing {
			t.Errorf("invoice %s left Processing (%s)", inv.InvoiceNumber, inv.IntegrationStatus)
		}
	}
	for n := range 10 {
		id := fixture.OldConnectorInvoiceID(f, n)
		inv := invs[id]
		switch n % 5 {
		case fixture.OldSynced, fixture.OldProcessing, fixture.OldProcessingID:
			if inv.IntegrationID != oldRecord[id] || inv.TransferredToAccounting != zuora.TransferYes || inv.IntegrationStatus != zuora.StatusSyncComplete {
				t.Errorf("old-connector invoice %s (%s): %s %+v, want linked to NetSuite %s", inv.InvoiceNumber, fixture.OldKindNames[n%5],
					inv.TransferredToAccounting, inv.NSFields, oldRecord[id])
			}
		case fixture.OldError:
			got := txs[netsuite.InvoiceExternalID(id)]
			if len(got) != 1 || inv.IntegrationID != got[0].ID || inv.TransferredToAccounting != zuora.TransferYes {
				t.Errorf("old connector's Error invoice %s: %+v, NetSuite %+v; want synced once by this connector", inv.InvoiceNumber, inv.NSFields, got)
			}
		case fixture.OldPartial:
			if inv.TransferredToAccounting != zuora.TransferError || inv.IntegrationID != "" {
				t.Errorf("half-made invoice %s: %s %+v, want Error for a person", inv.InvoiceNumber, inv.TransferredToAccounting, inv.NSFields)
			}
		}
	}
	// The old connector's adjustments are linked to the credit memos it made.
	adjs, err := zuora.QueryAll[zuora.InvoiceItemAdjustment](ctx, e.Zuora, "select Id, AdjustmentNumber, TransferredToAccounting, IntegrationId__NS from InvoiceItemAdjustment")
	if err != nil {
		t.Fatal(err)
	}
	for _, adj := range adjs {
		if adj.TransferredToAccounting != zuora.TransferYes || adj.IntegrationID == "" || adj.IntegrationID != oldMemo(f, adj.ID) {
			t.Errorf("adjustment %s: %s %q, want linked to the old connector's credit memo %s", adj.AdjustmentNumber, adj.TransferredToAccounting, adj.IntegrationID, oldMemo(f, adj.ID))
		}
	}
	if res.Progress.Adjustments.Synced != 2 {
		t.Errorf("adjustment counts %+v, want the 2 old ones synced (linked)", res.Progress.Adjustments)
	}
	if n := nsCount(t, e, "SELECT id FROM transaction WHERE type = 'CustCred' ORDER BY id"); n != memosBefore {
		t.Errorf("NetSuite credit memos %d -> %d: an old connector's credit memo was made again", memosBefore, n)
	}
	// The old connector's delayed lines are released.
	for item, tx := range delayed {
		rows, err := e.NetSuite.QueryAll(ctx, "SELECT id, deferrevrec FROM transactionline WHERE transaction = "+netsuite.Quote(tx)+
			" AND "+bundleLineField+" = "+netsuite.Quote(item)+" ORDER BY id")
		if err != nil || len(rows) != 1 || rows[0]["deferrevrec"] != "F" {
			t.Errorf("old connector's delayed line of item %s on NetSuite %s: %v %v, want released", item, tx, rows, err)
		}
	}
	if res.Progress.RevRec.Synced < len(delayed) {
		t.Errorf("rev rec counts %+v, want at least the %d old lines released", res.Progress.RevRec, len(delayed))
	}
	if n := nsCount(t, e, "SELECT id FROM customer ORDER BY id"); n != customersBefore {
		t.Errorf("NetSuite customers %d -> %d: the old connector's customers were made again", customersBefore, n)
	}
	if res.Progress.Invoices.Synced != 5+4+2 || res.Progress.Invoices.Errored != 2 {
		t.Errorf("invoice counts %+v, want 11 synced (5 new, 4 linked, the 2 old Errors) and 2 errored (half-made)", res.Progress.Invoices)
	}
}

func nsCount(t *testing.T, e *Env, q string) int {
	t.Helper()
	rows, err := e.NetSuite.QueryAll(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return len(rows)
}

func oldMemo(f *fixture.Fixture, adjID string) string {
	for _, r := range f.NetSuite.Records["creditMemo"] {
		if str(r["externalId"]) == adjID {
			return str(r["id"])
		}
	}
	return ""
}

// delayOldLines marks, on the NetSuite invoices the old connector synced, the
// line of each item whose charge has a rev rec code as delayed and gives it
// the old bundle's line Zuora ID field; the item's trigger date is set (as
// if set in Zuora after that sync). It returns item id -> NetSuite invoice id.
func delayOldLines(f *fixture.Fixture, field string) map[string]string {
	coded := map[string]bool{}
	for _, ch := range f.Zuora.Objects["ProductRatePlanCharge"] {
		if ch["RevRecCode"] != nil && ch["RevRecStart__NS"] == "Rev Rec Trigger Date" {
			coded[str(ch["Name"])] = true
		}
	}
	out := map[string]string{}
	for n := 0; fixture.OldConnectorInvoiceID(f, n) != ""; n++ {
		if n%5 != fixture.OldSynced {
			continue
		}
		invID := fixture.OldConnectorInvoiceID(f, n)
		for _, r := range f.NetSuite.Records["invoice"] {
			if str(r["externalId"]) != invID {
				continue
			}
			for _, it := range f.Zuora.Objects["InvoiceItem"] {
				if it["InvoiceId"] != invID || !coded[str(it["ChargeName"])] {
					continue
				}
				for _, l := range r["item"].(map[string]any)["items"].([]any) {
					line := l.(map[string]any)
					if line["description"] == it["ChargeName"] && line["amount"] == it["ChargeAmount"] && line[field] == nil {
						line[field], line["deferRevRec"] = it["Id"], true
						it["RevRecStartDate"] = it["ServiceStartDate"]
						out[str(it["Id"])] = str(r["id"])
						break
					}
				}
			}
		}
	}
	return out
}
