package itest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// Seed, Delayed Revenue Recognition Logic: a charge with a rev rec code and no
// trigger date syncs with Delay Rev Rec = true; once the trigger date is set
// in Zuora, the next run sets Delay Rev Rec to false and the start and end
// dates on that NetSuite line, and only on it.
func TestRevRec_DelayedLineUpdatedWhenTheTriggerDateIsSet(t *testing.T) {
	f, err := fixture.Generate("seed=31,accounts=2,invoices=8,items=6-6,tax=0,negative=0")
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s := settings.Default()
	s.Advanced.NetSuiteRevRec = true
	e.RunSync(ctx, "itest-revrec-1", s, workflows.PhaseInvoices)

	delayed, err := e.NetSuite.QueryAll(ctx, "SELECT transaction, id, custcol_zuora_item_id FROM transactionline WHERE deferrevrec = 'T' ORDER BY transaction, id")
	if err != nil {
		t.Fatal(err)
	}
	if len(delayed) < 2 {
		t.Fatalf("the tenant should have delayed lines (rev rec code, no trigger date), found %d", len(delayed))
	}
	// NetSuite ids follow the order invoices happened to sync in, so pick a
	// delayed line whose charge takes its start date from Zuora (not from
	// NetSuite's template, which leaves the date empty).
	startPref := map[string]string{}
	for _, c := range f.Zuora.Objects[zuora.ObjProductRatePlanCharge] {
		startPref[str(c["Id"])] = str(c["RevRecStart__NS"])
	}
	chargeOfRPC := map[string]string{}
	for _, rpc := range f.Zuora.Objects[zuora.ObjRatePlanCharge] {
		chargeOfRPC[str(rpc["Id"])] = str(rpc["ProductRatePlanChargeId"])
	}
	itemPref := map[string]string{}
	for _, it := range f.Zuora.Objects[zuora.ObjInvoiceItem] {
		itemPref[str(it["Id"])] = startPref[chargeOfRPC[str(it["RatePlanChargeId"])]]
	}
	pick := -1
	for i, d := range delayed {
		if p := itemPref[fmt.Sprint(d["custcol_zuora_item_id"])]; p != "" && p != "Use NetSuite Rev Rec Template" {
			pick = i
			break
		}
	}
	if pick < 0 {
		t.Fatalf("no delayed line takes its start date from Zuora: %v", delayed)
	}
	target := fmt.Sprint(delayed[pick]["custcol_zuora_item_id"])
	var item zuora.InvoiceItem
	if err := e.Zuora.GetObject(ctx, zuora.ObjInvoiceItem, target, &item); err != nil {
		t.Fatal(err)
	}
	trigger := item.ServiceStartDate // on the service start: the start date is the service start or the trigger date, the same day
	if err := e.Zuora.UpdateObject(ctx, zuora.ObjInvoiceItem, target, map[string]any{"RevRecStartDate": trigger}); err != nil {
		t.Fatal(err)
	}
	res := e.RunSync(ctx, "itest-revrec-2", s, workflows.PhaseRevRec)
	if res.Progress.RevRec.Synced != 1 {
		t.Errorf("rev rec phase: %+v, want exactly the one line updated", res.Progress.RevRec)
	}
	tx, err := e.NetSuite.GetTransaction(ctx, netsuite.TypeInvoice, fmt.Sprint(delayed[pick]["transaction"]))
	if err != nil {
		tx, err = e.NetSuite.GetTransaction(ctx, netsuite.TypeCreditMemo, fmt.Sprint(delayed[pick]["transaction"]))
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range tx.Item.Items {
		if l.ZuoraItemID != target {
			continue
		}
		if l.DeferRevRec == nil || *l.DeferRevRec || l.RevRecStartDate != trigger {
			t.Errorf("updated line: deferRevRec %v, start %q (want false, %s)", l.DeferRevRec, l.RevRecStartDate, trigger)
		}
	}
	still, err := e.NetSuite.QueryAll(ctx, "SELECT transaction, id FROM transactionline WHERE deferrevrec = 'T' ORDER BY transaction, id")
	if err != nil || len(still) != len(delayed)-1 {
		t.Errorf("the other delayed lines stay delayed: %d of %d (%v)", len(still), len(delayed), err)
	}
}
