package activities_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/zuora-netsuite/connector/activities"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/sandbox/sbtest"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// recordSyncTenant starts a sandbox with f and returns activities on it (no Temporal).
func recordSyncTenant(t *testing.T, f *fixture.Fixture) *activities.Activities {
	t.Helper()
	a, _ := sandboxTenant(t, f)
	return a
}

// sandboxTenant is recordSyncTenant with the sandbox, for tests that inject faults.
func sandboxTenant(t *testing.T, f *fixture.Fixture) (*activities.Activities, *sandbox.Sandbox) {
	t.Helper()
	ten := sbtest.Start(t, f, 10)
	return &activities.Activities{Zuora: ten.Zuora, NetSuite: ten.NetSuite, Logger: ten.Logger}, ten.Sandbox
}

func generated(t *testing.T, spec string) *fixture.Fixture {
	t.Helper()
	f, err := fixture.Generate(spec)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// allPages reads a selection page by page, checking the keyset order.
func allPages(t *testing.T, sel func(context.Context, workflows.SelectInput) (workflows.SelectResult, error), s settings.Settings, limit int) []string {
	t.Helper()
	var ids []string
	after := ""
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("selection never finishes")
		}
		res, err := sel(context.Background(), workflows.SelectInput{Settings: s, AfterID: after, Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Records) > limit {
			t.Fatalf("page of %d records, limit %d", len(res.Records), limit)
		}
		for _, r := range res.Records {
			if r.ID <= after {
				t.Fatalf("id %s not after %s: pages are not in id order", r.ID, after)
			}
			after = r.ID
			ids = append(ids, r.ID)
		}
		if res.Done {
			return ids
		}
	}
}

func TestSelectCustomers_ZuoraMasterKeysetPagesInIDOrder(t *testing.T) {
	f := generated(t, "seed=21,accounts=25,invoices=2,charges=3")
	f.Zuora.Objects["Account"] = append(f.Zuora.Objects["Account"], fixture.Record{"Id": "zz-no", "Name": "No", "SynctoNetSuite__NS": "No"})
	a := recordSyncTenant(t, f)
	ids := allPages(t, a.SelectCustomers, settings.Default(), 10)
	if len(ids) != 25 {
		t.Fatalf("selected %d accounts, want the 25 that sync (not the Sync To NetSuite = No one)", len(ids))
	}
}

func TestSelectCustomers_NetSuiteMasterKeysetPagesInIDOrder(t *testing.T) {
	f := generated(t, "seed=22,accounts=40,invoices=2,charges=3,mixed-master=true")
	a := recordSyncTenant(t, f)
	s := settings.Default()
	s.Customer.Master = settings.MasterNetSuite
	ids := allPages(t, a.SelectCustomers, s, 7)
	// 40 customers linked to accounts never given a sync date, and 4 NetSuite-only ones.
	if len(ids) != 44 {
		t.Fatalf("selected %d NetSuite customers, want 44", len(ids))
	}
	s.Customer.Behavior = settings.SyncNewOnly
	if ids := allPages(t, a.SelectCustomers, s, 7); len(ids) != 4 {
		t.Fatalf("Sync New Records Only selected %d customers, want the 4 without a Zuora account", len(ids))
	}
}

func TestSelectCharges_KeysetPagesInIDOrder(t *testing.T) {
	a := recordSyncTenant(t, generated(t, "seed=23,accounts=2,invoices=2,charges=17"))
	if ids := allPages(t, a.SelectCharges, settings.Default(), 5); len(ids) != 17 {
		t.Fatalf("selected %d charges, want 17", len(ids))
	}
	s := settings.Default()
	s.Catalog.Behavior = settings.SyncNewOnly
	if ids := allPages(t, a.SelectCharges, s, 5); len(ids) != 0 {
		t.Fatalf("Sync New Records Only selected %d already synced charges", len(ids))
	}
}

func TestUnassignedPaymentsCustomer_BadSettingStopsTheCustomersPhase(t *testing.T) {
	a := recordSyncTenant(t, generated(t, "seed=24,accounts=2,invoices=2,charges=2"))
	for _, id := range []string{"abc", "99999"} {
		s := settings.Default()
		s.Customer.UnassignedPaymentsCustomer = id
		_, err := a.SelectCustomers(context.Background(), workflows.SelectInput{Settings: s, Limit: 10})
		var appErr *temporal.ApplicationError
		if !errors.As(err, &appErr) || !appErr.NonRetryable() || !strings.Contains(err.Error(), "unassignedPaymentsCustomerId") {
			t.Errorf("setting %q: %v, want a non-retryable error naming the setting", id, err)
		}
	}
}

// An earlier attempt made the NetSuite customer and lost the answer before
// the write-back: the retry finds it by external id instead of making another.
func TestSyncCustomer_CustomerMadeByALostAttemptIsFoundNotDuplicated(t *testing.T) {
	f := generated(t, "seed=25,accounts=2,invoices=2,charges=2")
	f.Zuora.Objects["Account"] = append(f.Zuora.Objects["Account"], fixture.Record{"Id": "acct-lost", "AccountNumber": "L-1", "Name": "Lost & Found", "Currency": "USD"})
	f.NetSuite.Records["customer"] = append(f.NetSuite.Records["customer"], fixture.Record{"id": "7000", "entityId": "L-1", "companyName": "Lost & Found",
		"externalId": netsuite.CustomerExternalID("acct-lost")})
	a := recordSyncTenant(t, f)
	ctx := context.Background()
	res, err := a.SyncCustomer(ctx, workflows.CustomerSyncInput{ID: "acct-lost", Settings: settings.Default()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != workflows.OutcomeSynced || res.NetSuiteID != "7000" || res.Action == workflows.ActionCreated {
		t.Fatalf("result %+v, want synced to the existing customer 7000", res)
	}
	var acct zuora.Account
	if err := a.Zuora.GetObject(ctx, zuora.ObjAccount, "acct-lost", &acct); err != nil {
		t.Fatal(err)
	}
	if acct.IntegrationID != "7000" || acct.IntegrationStatus != zuora.StatusSyncComplete || acct.SyncDate == "" {
		t.Fatalf("write-back %+v", acct.NSFields)
	}
	rows, err := a.NetSuite.QueryAll(ctx, "SELECT id FROM customer WHERE companyname = 'Lost & Found'")
	if err != nil || len(rows) != 1 {
		t.Fatalf("customers named Lost & Found: %v %v, want one", rows, err)
	}
}

// NetSuite master: an account made by a lost attempt (it carries the
// customer's id as Integration Id) is updated, not made again.
func TestSyncCustomer_ZuoraAccountMadeByALostAttemptIsFoundNotDuplicated(t *testing.T) {
	f := generated(t, "seed=26,accounts=2,invoices=2,charges=2")
	f.NetSuite.Records["customer"] = append(f.NetSuite.Records["customer"], fixture.Record{"id": "7100", "entityId": "NSX-1 Widget Co", "companyName": "Widget Co",
		"currency": map[string]any{"id": "1"}})
	f.Zuora.Objects["Account"] = append(f.Zuora.Objects["Account"], fixture.Record{"Id": "acct-made", "AccountNumber": "NSX-1", "Name": "Widget Co", "IntegrationId__NS": "7100"})
	a := recordSyncTenant(t, f)
	ctx := context.Background()
	s := settings.Default()
	s.Customer.Master = settings.MasterNetSuite
	s.Customer.DeconcatenateAccountNumber = true
	res, err := a.SyncCustomer(ctx, workflows.CustomerSyncInput{ID: "7100", Settings: s})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != workflows.OutcomeSynced || res.ZuoraID != "acct-made" || res.Action != workflows.ActionUpdated || res.Number != "NSX-1" {
		t.Fatalf("result %+v, want the existing account acct-made updated", res)
	}
	accts, err := zuora.QueryAll[zuora.Account](ctx, a.Zuora, "select Id from Account where IntegrationId__NS = '7100'")
	if err != nil || len(accts) != 1 {
		t.Fatalf("accounts of customer 7100: %v %v, want one", accts, err)
	}
}

// A charge whose item a lost attempt made is linked to it, not given a second item.
func TestSyncCharge_ItemMadeByALostAttemptIsFoundNotDuplicated(t *testing.T) {
	f := generated(t, "seed=27,accounts=2,invoices=2,charges=2")
	plan := f.Zuora.Objects["ProductRatePlan"][0]["Id"]
	f.Zuora.Objects["ProductRatePlanCharge"] = append(f.Zuora.Objects["ProductRatePlanCharge"], fixture.Record{"Id": "ch-lost", "Name": "Lost Charge",
		"ProductRatePlanId": plan, "ItemType__NS": "Service", "AccountingCode": "Sales"})
	f.NetSuite.Records["serviceSaleItem"] = append(f.NetSuite.Records["serviceSaleItem"], fixture.Record{"id": "7200", "itemId": "Zuora Charge ch-lost",
		"externalId": netsuite.ItemExternalID("ch-lost")})
	a := recordSyncTenant(t, f)
	ctx := context.Background()
	res, err := a.SyncCharge(ctx, workflows.CatalogSyncInput{ChargeID: "ch-lost", Settings: settings.Default()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != workflows.OutcomeSynced || res.NetSuiteID != "7200" || res.Number != "Zuora Charge ch-lost" {
		t.Fatalf("result %+v, want synced to the existing item 7200", res)
	}
	rows, err := a.NetSuite.QueryAll(ctx, "SELECT id FROM item WHERE itemid = 'Zuora Charge ch-lost'")
	if err != nil || len(rows) != 1 {
		t.Fatalf("items: %v %v, want one", rows, err)
	}
}

// The Item Type must not change after sync: a charge whose type moved from
// Service to Inventory ends in Error and its Service item stays as it was.
func TestSyncCharge_ItemTypeChangedAfterSyncIsAnError(t *testing.T) {
	f := generated(t, "seed=28,accounts=2,invoices=2,charges=2")
	plan := f.Zuora.Objects["ProductRatePlan"][0]["Id"]
	f.Zuora.Objects["ProductRatePlanCharge"] = append(f.Zuora.Objects["ProductRatePlanCharge"], fixture.Record{"Id": "ch-moved", "Name": "Moved",
		"ProductRatePlanId": plan, "ItemType__NS": "Inventory", "AccountingCode": "Sales", "IntegrationId__NS": "7300"})
	f.NetSuite.Records["serviceSaleItem"] = append(f.NetSuite.Records["serviceSaleItem"], fixture.Record{"id": "7300", "itemId": "Zuora Charge ch-moved",
		"externalId": netsuite.ItemExternalID("ch-moved")})
	a := recordSyncTenant(t, f)
	ctx := context.Background()
	res, err := a.SyncCharge(ctx, workflows.CatalogSyncInput{ChargeID: "ch-moved", Settings: settings.Default()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != workflows.OutcomeError || !strings.Contains(res.Reason, "Item Type must not change") {
		t.Fatalf("result %+v, want Error about the item type", res)
	}
	var ch zuora.ProductRatePlanCharge
	if err := a.Zuora.GetObject(ctx, zuora.ObjProductRatePlanCharge, "ch-moved", &ch); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ch.IntegrationStatus, "Error: ") || !strings.Contains(ch.IntegrationStatus, "Item Type") {
		t.Fatalf("charge status %q", ch.IntegrationStatus)
	}
}

// Customer and catalog selection at scale, as invoices: the run's accounts
// (charges) are read once and pages cut by keyset, so a phase over N
// accounts costs about N/2,000 Zuora calls, not one full read per page.
func TestSelectCustomersAndCharges_ZuoraCallsForAPhaseAboutNOver2000NotOneFullReadPerPage(t *testing.T) {
	const n = 5000
	a, sb := sandboxTenant(t, generated(t, "seed=24,accounts=5000,invoices=0,charges=2500"))
	var suite testsuite.WorkflowTestSuite
	act := suite.NewTestActivityEnvironment()
	act.RegisterActivity(a.SelectCustomers)
	act.RegisterActivity(a.SelectCharges)
	zoqlCalls := func() int {
		c := 0
		for k, v := range sb.Stats("zuora").Requests {
			if strings.HasPrefix(k, "POST /v1/action/query") {
				c += int(v)
			}
		}
		return c
	}
	for _, c := range []struct {
		what string
		fn   any
		want int
	}{{"accounts", a.SelectCustomers, n}, {"charges", a.SelectCharges, 2500}} {
		before := zoqlCalls()
		selected := selectThroughActivity(t, act, c.fn, workflows.SelectInput{Settings: settings.Default(), Limit: 100}, c.want)
		calls := zoqlCalls() - before
		if selected != c.want {
			t.Errorf("%s: selected %d, want %d", c.what, selected, c.want)
		}
		if limit := c.want/2000 + 2; calls > limit {
			t.Errorf("%s: selecting %d made %d ZOQL calls, want ≤ %d (one read of the phase, not one per page)", c.what, c.want, calls, limit)
		}
		t.Logf("%s: %d selected in %d ZOQL calls", c.what, selected, calls)
	}
}

// selectThroughActivity runs a selection activity page by page (each page
// after the last record of the one before) and returns how many it selected.
func selectThroughActivity(t *testing.T, act *testsuite.TestActivityEnvironment, fn any, in workflows.SelectInput, maxPages int) int {
	t.Helper()
	selected := 0
	for pages := 0; ; pages++ {
		if pages > maxPages {
			t.Fatal("selection never finishes")
		}
		v, err := act.ExecuteActivity(fn, in)
		if err != nil {
			t.Fatal(err)
		}
		var res workflows.SelectResult
		if err := v.Get(&res); err != nil {
			t.Fatal(err)
		}
		selected += len(res.Records)
		if res.Done || len(res.Records) == 0 {
			return selected
		}
		in.AfterID = res.Records[len(res.Records)-1].ID
	}
}

// An account Zuora answers with a field of the wrong type is selected by its
// id (its own sync records why it cannot be read), never dropped from the run.
func TestSelectCustomers_UndecodableAccountIsSelectedNotDropped(t *testing.T) {
	f := generated(t, "seed=25,accounts=12,invoices=2,charges=3")
	a, sb := sandboxTenant(t, f)
	bad := f.Zuora.Objects["Account"][5]["Id"].(string)
	if err := sb.SetFaults("zuora", sandbox.Faults{Corrupt: []sandbox.Corruption{{ID: bad, Field: "Name", Mode: "wrongType"}}}); err != nil {
		t.Fatal(err)
	}
	ids := allPages(t, a.SelectCustomers, settings.Default(), 5)
	found := false
	for _, id := range ids {
		found = found || id == bad
	}
	if len(ids) != 12 || !found {
		t.Fatalf("selected %d accounts (undecodable %s among them: %v), want all 12", len(ids), bad, found)
	}
	if st := sb.Stats("zuora").Faults; st["wrongType"] == 0 {
		t.Fatalf("no wrong-typed field was served: %v", st)
	}
	// Its own sync then says what is wrong (Error with a reason naming the
	// field, or a non-retryable failure the workflow records as such).
	res, err := a.SyncCustomer(context.Background(), workflows.CustomerSyncInput{ID: bad, Settings: settings.Default()})
	var app *temporal.ApplicationError
	switch {
	case err == nil && res.Outcome == workflows.OutcomeError && strings.Contains(res.Reason, "Name"):
	case errors.As(err, &app) && app.NonRetryable() && strings.Contains(err.Error(), "Name"):
	default:
		t.Fatalf("syncing the undecodable account: %+v, %v; want Error naming the field Name", res, err)
	}
}
