package activities_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/activities"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// syncedTenant starts a sandbox with a small generated tenant and syncs every
// eligible invoice by calling the invoice activities directly (no Temporal).
func syncedTenant(t *testing.T, spec string) (*activities.Activities, []zuora.Invoice) {
	t.Helper()
	a, _ := sandboxTenant(t, generated(t, spec))
	ctx := context.Background()
	s := settings.Default()
	sel, err := a.SelectInvoices(ctx, workflows.SelectInput{Settings: s, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range sel.Records {
		state := workflows.InvoiceSyncState{}
		for {
			step, err := a.SyncInvoice(ctx, workflows.SyncInvoiceInput{InvoiceID: rec.ID, Settings: s, State: state})
			if err != nil {
				t.Fatalf("syncing %s: %v", rec.ID, err)
			}
			state = step.State
			if step.Outcome != "" {
				break
			}
		}
	}
	synced, err := zuora.QueryAll[zuora.Invoice](ctx, a.Zuora, "select Id, InvoiceNumber, AccountId, Amount, IntegrationId__NS from Invoice where TransferredToAccounting = 'Yes'")
	if err != nil {
		t.Fatal(err)
	}
	if len(synced) < 4 {
		t.Fatalf("only %d invoices synced; the test needs at least 4", len(synced))
	}
	return a, synced
}

// reconcileAll runs every page as the workflow would and collects the differences.
func reconcileAll(t *testing.T, a *activities.Activities, from, to string) (workflows.ReconcileCounts, []workflows.Difference, []workflows.CurrencyTotal) {
	t.Helper()
	in := workflows.ReconcilePageInput{From: from, To: to, Settings: settings.Default(), Limit: 2, MaxDifferences: 100}
	var counts workflows.ReconcileCounts
	var diffs []workflows.Difference
	totals := map[string]workflows.CurrencyTotal{}
	for pages := 0; ; pages++ {
		res, err := a.ReconcilePage(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		counts.Accounts += res.Counts.Accounts
		counts.Invoices += res.Counts.Invoices
		counts.Adjustments += res.Counts.Adjustments
		counts.Matched += res.Counts.Matched
		counts.Differences += res.Counts.Differences
		diffs = append(diffs, res.Differences...)
		for _, c := range res.Totals {
			tt := totals[c.Currency]
			tt.Currency, tt.Zuora, tt.NetSuite = c.Currency, tt.Zuora.Add(c.Zuora), tt.NetSuite.Add(c.NetSuite)
			totals[c.Currency] = tt
		}
		if res.Done {
			break
		}
		if pages > 100 {
			t.Fatal("reconciliation never finished")
		}
		in.AfterAccountID = res.LastAccountID
	}
	var tl []workflows.CurrencyTotal
	for _, c := range totals {
		tl = append(tl, c)
	}
	return counts, diffs, tl
}

func kindsOf(diffs []workflows.Difference, zuoraID string) map[string]workflows.Difference {
	out := map[string]workflows.Difference{}
	for _, d := range diffs {
		if d.ZuoraID == zuoraID {
			out[d.Kind] = d
		}
	}
	return out
}

func TestReconcilePage_CleanSyncHasNoDifference(t *testing.T) {
	a, synced := syncedTenant(t, "seed=11,accounts=5,invoices=14,items=1-4,negative=0.3,tax=0.5")
	counts, diffs, totals := reconcileAll(t, a, "2000-01-01", "2099-12-31")
	if counts.Differences != 0 || len(diffs) != 0 {
		t.Fatalf("clean sync: %d differences, first: %+v", counts.Differences, diffs)
	}
	if counts.Invoices != len(synced) || counts.Matched != len(synced) || counts.Accounts != 5 {
		t.Errorf("counts %+v, want %d invoices all matched over 5 accounts", counts, len(synced))
	}
	for _, c := range totals {
		if !c.Zuora.Equal(c.NetSuite) || c.Zuora.IsZero() {
			t.Errorf("currency %s: Zuora %s, NetSuite %s", c.Currency, c.Zuora, c.NetSuite)
		}
	}
	t.Logf("clean: %+v over %d currencies", counts, len(totals))
	// A range before every invoice compares nothing.
	counts, _, _ = reconcileAll(t, a, "1990-01-01", "1990-12-31")
	if counts.Invoices != 0 || counts.Differences != 0 {
		t.Errorf("empty range: %+v", counts)
	}
}

// N3: NetSuite's transactionline has a main line and a tax line per
// transaction, and on invoices item lines carry the sign opposite to the
// header. Reconciliation on those real rows still reports 0 differences.
func TestReconcilePage_N3_MainAndTaxRowsWithNetSuiteSignsNoDifference(t *testing.T) {
	a, synced := syncedTenant(t, "seed=12,accounts=3,invoices=10,items=1-4,negative=0.3,tax=0.8")
	rows, err := a.NetSuite.QueryAll(context.Background(), "SELECT transaction, id, mainline, taxline, foreignamount FROM transactionline ORDER BY transaction, id")
	if err != nil {
		t.Fatal(err)
	}
	var mains, taxes, negative int
	for _, r := range rows {
		switch {
		case r["mainline"] == "T":
			mains++
		case r["taxline"] == "T":
			taxes++
		case strings.HasPrefix(fmt.Sprint(r["foreignamount"]), "-"):
			negative++
		}
	}
	if mains != len(synced) || taxes != len(synced) || negative == 0 {
		t.Fatalf("the sandbox should answer a main and a tax row per transaction and negative invoice lines: %d main, %d tax, %d negative for %d invoices",
			mains, taxes, negative, len(synced))
	}
	counts, diffs, _ := reconcileAll(t, a, "2000-01-01", "2099-12-31")
	if counts.Differences != 0 || len(diffs) != 0 || counts.Matched != len(synced) {
		t.Fatalf("%+v, first difference %+v", counts, diffs)
	}
}

// The rule: reconciliation finds a difference planted in NetSuite
// (an amount changed, a line removed, a record deleted), each to the cent.
func TestReconcilePage_PlantedDifferencesEachReportedToTheCent(t *testing.T) {
	a, synced := syncedTenant(t, "seed=12,accounts=4,invoices=12,items=2-4,negative=0,tax=0")
	ctx := context.Background()
	changed, removed, deleted := synced[0], synced[1], synced[2]

	// An amount changed: the first line plus 0.01.
	tx, err := a.NetSuite.GetTransaction(ctx, netsuite.TypeInvoice, changed.IntegrationID)
	if err != nil {
		t.Fatal(err)
	}
	l0 := tx.Item.Items[0]
	if err := a.NetSuite.Patch(ctx, netsuite.TypeInvoice, changed.IntegrationID, map[string]any{
		"item": map[string]any{"items": []any{map[string]any{"line": l0.Line, "amount": l0.Amount.Add(decimal.RequireFromString("0.01"))}}},
	}); err != nil {
		t.Fatal(err)
	}
	// A line removed: the lines replaced by all but the last.
	tx, err = a.NetSuite.GetTransaction(ctx, netsuite.TypeInvoice, removed.IntegrationID)
	if err != nil {
		t.Fatal(err)
	}
	keep := tx.Item.Items[:len(tx.Item.Items)-1]
	gone := tx.Item.Items[len(tx.Item.Items)-1]
	if err := a.NetSuite.Patch(ctx, netsuite.TypeInvoice, removed.IntegrationID,
		netsuite.Transaction{Item: &netsuite.Sublist[netsuite.Line]{Items: keep}}, "item"); err != nil {
		t.Fatal(err)
	}
	// A record deleted.
	if err := a.NetSuite.Delete(ctx, netsuite.TypeInvoice, deleted.IntegrationID); err != nil {
		t.Fatal(err)
	}

	counts, diffs, _ := reconcileAll(t, a, "2000-01-01", "2099-12-31")
	if counts.Matched != len(synced)-3 {
		t.Errorf("matched %d of %d, want all but the 3 planted", counts.Matched, len(synced))
	}
	t.Logf("planted: %+v", counts)
	for _, d := range diffs {
		t.Logf("  %s %s %s: %s", d.Kind, d.RecordType, d.Number, d.Detail)
	}
	k := kindsOf(diffs, changed.ID)
	if d, ok := k[workflows.DiffTotal]; !ok || d.NetSuite != changed.Amount.Add(decimal.RequireFromString("0.01")).StringFixed(2) || d.Zuora != changed.Amount.StringFixed(2) {
		t.Errorf("changed amount: total difference %+v (all: %+v)", d, k)
	}
	if d, ok := k[workflows.DiffLineSum]; !ok || !strings.Contains(d.Detail, "off by 0.01") || !strings.Contains(d.Detail, l0.ZuoraItemID) {
		t.Errorf("changed amount: line-amounts difference %+v", d)
	}
	if _, ok := k[workflows.DiffLineCount]; ok {
		t.Errorf("changed amount reported as a line count difference: %+v", k)
	}
	k = kindsOf(diffs, removed.ID)
	if d, ok := k[workflows.DiffLineCount]; !ok || !strings.Contains(d.Detail, gone.ZuoraItemID) {
		t.Errorf("removed line: lines difference %+v (all %+v)", d, k)
	}
	if d, ok := k[workflows.DiffLineSum]; !ok || !strings.Contains(d.Detail, "off by "+gone.Amount.Neg().StringFixed(2)) {
		t.Errorf("removed line: line-amounts difference %+v", d)
	}
	if _, ok := k[workflows.DiffTotal]; !ok {
		t.Errorf("removed line: no total difference: %+v", k)
	}
	k = kindsOf(diffs, deleted.ID)
	if d, ok := k[workflows.DiffMissing]; !ok || d.Zuora != deleted.Amount.StringFixed(2) || len(k) != 1 {
		t.Errorf("deleted record: %+v", k)
	}
	accounts := 0
	for _, d := range diffs {
		if d.Kind == workflows.DiffAccountTotal {
			accounts++
		}
	}
	if accounts == 0 {
		t.Errorf("no account-total difference reported: %+v", diffs)
	}
}

// syncAdjustmentByHand writes the NetSuite record a synced adjustment has
// (credit memo applied to the original invoice, or invoice soft-linked to it)
// and marks the Zuora adjustment Yes, independently of the adjustment sync.
func syncAdjustmentByHand(t *testing.T, a *activities.Activities, x zuora.InvoiceItemAdjustment, applied decimal.Decimal) string {
	t.Helper()
	ctx := context.Background()
	var orig zuora.Invoice
	if err := a.Zuora.GetObject(ctx, zuora.ObjInvoice, x.InvoiceID, &orig); err != nil {
		t.Fatal(err)
	}
	otx, err := a.NetSuite.GetTransaction(ctx, netsuite.TypeInvoice, orig.IntegrationID)
	if err != nil {
		t.Fatal(err)
	}
	amount := x.Amount.Abs()
	tx := netsuite.Transaction{Entity: &netsuite.Ref{ID: otx.Entity.ID}, TranDate: x.AdjustmentDate,
		Item: &netsuite.Sublist[netsuite.Line]{Items: []netsuite.Line{{Item: &netsuite.Ref{ID: otx.Item.Items[0].Item.ID}, Amount: amount, ZuoraItemID: x.ID}}}}
	typ := netsuite.TypeInvoice
	if x.Type == "Credit" {
		typ = netsuite.TypeCreditMemo
		tx.Apply = &netsuite.Sublist[netsuite.Apply]{Items: []netsuite.Apply{{Doc: &netsuite.Ref{ID: orig.IntegrationID}, Apply: true, Amount: applied}}}
	} else {
		tx.RelatedTransaction = &netsuite.Ref{ID: orig.IntegrationID}
	}
	id, err := a.NetSuite.Upsert(ctx, typ, netsuite.AdjustmentExternalID(x.ID), tx, "item")
	if err != nil {
		t.Fatalf("creating the adjustment's NetSuite %s: %v", typ, err)
	}
	if err := a.Zuora.UpdateObject(ctx, zuora.ObjInvoiceItemAdjustment, x.ID, map[string]any{
		"TransferredToAccounting": "Yes", "IntegrationId__NS": id, "IntegrationStatus__NS": "Sync Complete"}); err != nil {
		t.Fatal(err)
	}
	return id
}

// Adjustments are compared when they have been synced (and tolerated when
// the tenant has none synced): existence, type, total, the credit memo's
// applied amount, and their part in the account totals.
func TestReconcilePage_SyncedAdjustmentsComparedAbsentOnesTolerated(t *testing.T) {
	a, synced := syncedTenant(t, "seed=13,accounts=3,invoices=10,items=2-3,negative=0,tax=0,adjustments=2")
	ctx := context.Background()
	counts, diffs, _ := reconcileAll(t, a, "2000-01-01", "2099-12-31")
	if counts.Adjustments != 0 || counts.Differences != 0 {
		t.Fatalf("adjustments not synced yet: %+v %+v", counts, diffs)
	}
	iias, err := zuora.QueryAll[zuora.InvoiceItemAdjustment](ctx, a.Zuora, "select Id, AdjustmentNumber, AccountId, InvoiceId, Type, Amount, AdjustmentDate from InvoiceItemAdjustment")
	if err != nil || len(iias) != 2 {
		t.Fatalf("adjustments: %d, %v", len(iias), err)
	}
	var credit, charge zuora.InvoiceItemAdjustment
	for _, x := range iias {
		if x.Type == "Credit" {
			credit = x
		} else {
			charge = x
		}
	}
	// A partly applied credit memo (less was open) is not a difference.
	creditID := syncAdjustmentByHand(t, a, credit, credit.Amount.Abs().Sub(decimal.RequireFromString("0.50")))
	chargeID := syncAdjustmentByHand(t, a, charge, decimal.Zero)

	counts, diffs, totals := reconcileAll(t, a, "2000-01-01", "2099-12-31")
	if counts.Adjustments != 2 || counts.Differences != 0 {
		t.Fatalf("synced adjustments: %+v %+v", counts, diffs)
	}
	for _, c := range totals {
		if !c.Zuora.Equal(c.NetSuite) {
			t.Errorf("totals with adjustments: %+v", c)
		}
	}

	// Part of the credit memo applied to another invoice; the charge adjustment's invoice deleted.
	other := ""
	for _, inv := range synced {
		if inv.ID != credit.InvoiceID {
			other = inv.IntegrationID
			break
		}
	}
	if err := a.NetSuite.Patch(ctx, netsuite.TypeCreditMemo, creditID, map[string]any{
		"apply": map[string]any{"items": []any{map[string]any{"doc": map[string]any{"id": other}, "apply": true, "amount": 0.25}}},
	}); err != nil {
		t.Fatal(err)
	}
	if err := a.NetSuite.Delete(ctx, netsuite.TypeInvoice, chargeID); err != nil {
		t.Fatal(err)
	}
	_, diffs, _ = reconcileAll(t, a, "2000-01-01", "2099-12-31")
	for _, d := range diffs {
		t.Logf("  %s %s %s: %s", d.Kind, d.RecordType, d.Number, d.Detail)
	}
	k := kindsOf(diffs, credit.ID)
	if d, ok := k[workflows.DiffApplied]; !ok || d.NetSuite != other || !strings.Contains(d.Detail, "applies 0.25") {
		t.Errorf("credit memo applied elsewhere: %+v", k)
	}
	k = kindsOf(diffs, charge.ID)
	if d, ok := k[workflows.DiffMissing]; !ok || d.RecordType != workflows.RecordAdjustment || d.Zuora != charge.Amount.Abs().StringFixed(2) {
		t.Errorf("deleted charge adjustment invoice: %+v", k)
	}
}
