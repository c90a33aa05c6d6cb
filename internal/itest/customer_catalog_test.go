package itest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// nsCustomer and nsItem are NetSuite records as SuiteQL reports them.
type nsCustomer struct{ ID, EntityID, CompanyName, ExternalID, ZuoraID string }
type nsItem struct{ ID, ItemID, ItemType, ExternalID string }

func (e *Env) nsCustomers(ctx context.Context) []nsCustomer {
	e.T.Helper()
	rows, err := e.NetSuite.QueryAll(ctx, "SELECT id, entityid, companyname, externalid, custentity_zuora_id FROM customer")
	if err != nil {
		e.T.Fatalf("reading NetSuite customers: %v", err)
	}
	var out []nsCustomer
	for _, r := range rows {
		out = append(out, nsCustomer{ID: str(r["id"]), EntityID: str(r["entityid"]), CompanyName: str(r["companyname"]),
			ExternalID: str(r["externalid"]), ZuoraID: str(r["custentity_zuora_id"])})
	}
	return out
}

func (e *Env) nsItems(ctx context.Context) []nsItem {
	e.T.Helper()
	rows, err := e.NetSuite.QueryAll(ctx, "SELECT id, itemid, itemtype, externalid FROM item")
	if err != nil {
		e.T.Fatalf("reading NetSuite items: %v", err)
	}
	var out []nsItem
	for _, r := range rows {
		out = append(out, nsItem{ID: str(r["id"]), ItemID: str(r["itemid"]), ItemType: str(r["itemtype"]), ExternalID: str(r["externalid"])})
	}
	return out
}

func (e *Env) zAccounts(ctx context.Context) []zuora.Account {
	e.T.Helper()
	accts, err := zuora.QueryAll[zuora.Account](ctx, e.Zuora, "select Id, AccountNumber, Name, Status, Currency, LastInvoiceDate, UpdatedDate, "+
		"IntegrationId__NS, IntegrationStatus__NS, SyncDate__NS, Location__NS, Class__NS, Department__NS, Subsidiary__NS, SynctoNetSuite__NS from Account")
	if err != nil {
		e.T.Fatalf("reading Zuora accounts: %v", err)
	}
	return accts
}

func (e *Env) zCharges(ctx context.Context) []zuora.ProductRatePlanCharge {
	e.T.Helper()
	chs, err := zuora.QueryAll[zuora.ProductRatePlanCharge](ctx, e.Zuora, "select Id, Name, ItemType__NS, UpdatedDate, IntegrationId__NS, IntegrationStatus__NS, SyncDate__NS from ProductRatePlanCharge")
	if err != nil {
		e.T.Fatalf("reading Zuora charges: %v", err)
	}
	return chs
}

// checkZuoraMasterCustomers: every account that syncs is Sync Complete with
// exactly one NetSuite customer carrying its number and name, or Error with
// a reason; nothing is left half-done. It returns the errored account ids.
func (e *Env) checkZuoraMasterCustomers(ctx context.Context, s settings.Settings) (errored map[string]string) {
	e.T.Helper()
	return e.checkZuoraMasterCustomersNumbered(ctx, func(a zuora.Account) string { return mappedNumber(a, s) })
}

func (e *Env) checkZuoraMasterCustomersNumbered(ctx context.Context, wantNumber func(zuora.Account) string) (errored map[string]string) {
	e.T.Helper()
	customers := e.nsCustomers(ctx)
	byID := map[string]nsCustomer{}
	for _, c := range customers {
		byID[c.ID] = c
	}
	errored = map[string]string{}
	for _, a := range e.zAccounts(ctx) {
		if a.SyncToNetSuite == "No" {
			if a.IntegrationStatus != "" {
				e.T.Errorf("account %s has Sync To NetSuite = No but status %q", a.AccountNumber, a.IntegrationStatus)
			}
			continue
		}
		switch {
		case a.IntegrationStatus == zuora.StatusSyncComplete:
		case strings.HasPrefix(a.IntegrationStatus, "Error: ") && len(a.IntegrationStatus) > len("Error: "):
			errored[a.ID] = a.IntegrationStatus
			continue
		default:
			e.T.Errorf("account %s (%s) is neither synced nor Error: status %q", a.AccountNumber, a.ID, a.IntegrationStatus)
			continue
		}
		// Exactly one customer is this account's: the one it names, and no
		// other with its external id or Zuora id.
		mine := map[string]bool{}
		for _, c := range customers {
			if c.ExternalID == netsuite.CustomerExternalID(a.ID) || c.ZuoraID == a.ID || c.ID == a.IntegrationID {
				mine[c.ID] = true
			}
		}
		if len(mine) != 1 || !mine[a.IntegrationID] {
			e.T.Errorf("account %s: NetSuite customers %v are its, want exactly its Integration Id %s", a.AccountNumber, keys(mine), a.IntegrationID)
			continue
		}
		c := byID[a.IntegrationID]
		if want := wantNumber(a); c.EntityID != want {
			e.T.Errorf("account %s: NetSuite Customer ID %q, want %q", a.AccountNumber, c.EntityID, want)
		}
		if c.CompanyName != a.Name {
			e.T.Errorf("account %s: NetSuite company name %q, want %q", a.AccountNumber, c.CompanyName, a.Name)
		}
	}
	return errored
}

func mappedNumber(a zuora.Account, s settings.Settings) string {
	if s.Customer.NumberMapping == settings.NameFromSource {
		return a.Name
	}
	return a.AccountNumber
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// checkCharges: every charge is Sync Complete with exactly one NetSuite item
// of its item type and the mapped item id, or Error with a reason.
func (e *Env) checkCharges(ctx context.Context, s settings.Settings) (errored map[string]string) {
	e.T.Helper()
	items := e.nsItems(ctx)
	errored = map[string]string{}
	want := map[string]string{"Inventory": "InvtPart", "Non Inventory": "NonInvtPart", "Service": "Service"}
	for _, ch := range e.zCharges(ctx) {
		switch {
		case ch.IntegrationStatus == zuora.StatusSyncComplete:
		case strings.HasPrefix(ch.IntegrationStatus, "Error: "):
			errored[ch.ID] = ch.IntegrationStatus
			continue
		default:
			e.T.Errorf("charge %s (%s) is neither synced nor Error: status %q", ch.Name, ch.ID, ch.IntegrationStatus)
			continue
		}
		itemID := s.Catalog.ItemIDPrefix + ch.ID
		if s.Catalog.ItemIDMapping == settings.ItemIDFromChargeName {
			itemID = ch.Name
		}
		var mine []nsItem
		for _, it := range items {
			if it.ExternalID == netsuite.ItemExternalID(ch.ID) || it.ID == ch.IntegrationID || it.ItemID == itemID {
				mine = append(mine, it)
			}
		}
		if len(mine) != 1 || mine[0].ID != ch.IntegrationID || mine[0].ItemID != itemID || mine[0].ItemType != want[ch.ItemType] {
			e.T.Errorf("charge %s (%s, %s): NetSuite items %+v, want one %s item %q with id %s", ch.Name, ch.ID, ch.ItemType, mine, want[ch.ItemType], itemID, ch.IntegrationID)
		}
	}
	return errored
}

// The seed's customer account sync in both directions and the product
// catalog sync by charge id, on a generated mixed-master tenant: Zuora master
// first, then NetSuite master; each direction run twice.
func TestCustomerCatalog_BothMastersAndChargeIDMapping(t *testing.T) {
	f, err := fixture.Generate("seed=11,accounts=16,invoices=8,charges=9,mixed-master=true")
	if err != nil {
		t.Fatal(err)
	}
	// Records the runs must handle: a new account whose name has an
	// ampersand, quotes, commas and an apostrophe (the Boomi failure); a new
	// account with a Location NetSuite lacks; an account not to sync; new
	// charges, one with no item type; the unassigned payments customer.
	ampName := `Smith & Sons, "Quoted" O'Neil`
	f.Zuora.Objects["Account"] = append(f.Zuora.Objects["Account"],
		fixture.Record{"Id": "acct-new-amp", "AccountNumber": "N0000001", "Name": ampName, "Status": "Active", "Currency": "USD",
			"Location__NS": "Boston", "CustomerType__NS": "Company"},
		fixture.Record{"Id": "acct-new-atlantis", "AccountNumber": "N0000002", "Name": "Atlantis Trading", "Status": "Active", "Currency": "USD",
			"Location__NS": "Atlantis"},
		fixture.Record{"Id": "acct-no-sync", "AccountNumber": "N0000003", "Name": "Not Synced", "Status": "Active", "Currency": "USD",
			"SynctoNetSuite__NS": "No"})
	plan := str(f.Zuora.Objects["ProductRatePlan"][0]["Id"])
	f.Zuora.Objects["ProductRatePlanCharge"] = append(f.Zuora.Objects["ProductRatePlanCharge"],
		fixture.Record{"Id": "charge-new-inv", "Name": "Hardware Kit", "ProductRatePlanId": plan, "ChargeType": "OneTime", "ItemType__NS": "Inventory",
			"AccountingCode": "Sales", "DeferredRevAccount__NS": "Deferred Revenue", "RevRecTemplateType__NS": "Standard",
			"RevRecStart__NS": "Charge Period Start", "RevRecEnd__NS": "Charge Period End"},
		fixture.Record{"Id": "charge-no-type", "Name": "Mystery", "ProductRatePlanId": plan, "ChargeType": "OneTime", "AccountingCode": "Sales"})
	f.NetSuite.Records["customer"] = append(f.NetSuite.Records["customer"],
		fixture.Record{"id": "9000", "entityId": "UNASSIGNED", "companyName": "Zuora Unassigned Payments", "subsidiary": map[string]any{"id": "1"}})
	nsOnly := 0
	for _, c := range f.NetSuite.Records["customer"] {
		if strings.HasPrefix(str(c["entityId"]), "NS") {
			nsOnly++
		}
	}

	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	s := settings.Default()
	s.Run.Window = 8
	s.Customer.UnassignedPaymentsCustomer = "9000"
	customersBefore, itemsBefore := len(e.nsCustomers(ctx)), len(e.nsItems(ctx))

	// --- Zuora master ---
	res := e.RunSync(ctx, "itest-cc-zuora-1", s, workflows.PhaseCustomers, workflows.PhaseCatalog)
	t.Logf("Zuora master run 1: customers %+v, charges %+v", res.Progress.Customers, res.Progress.Charges)
	errored := e.checkZuoraMasterCustomers(ctx, s)
	if len(errored) != 1 || !strings.Contains(errored["acct-new-atlantis"], `"Atlantis"`) {
		t.Errorf("errored accounts %v, want only acct-new-atlantis with the Location named", errored)
	}
	if res.Progress.Customers.Errored != 1 || res.Progress.Customers.Synced != res.Progress.Customers.Selected-1 {
		t.Errorf("run 1 customers %+v, want all synced but the Atlantis one", res.Progress.Customers)
	}
	if got := len(e.nsCustomers(ctx)); got != customersBefore+1 {
		t.Errorf("NetSuite has %d customers, want %d (+1 for the new account)", got, customersBefore+1)
	}
	chErr := e.checkCharges(ctx, s)
	if len(chErr) != 1 || !strings.Contains(chErr["charge-no-type"], "Item Type") {
		t.Errorf("errored charges %v, want only charge-no-type with the Item Type named", chErr)
	}
	if got := len(e.nsItems(ctx)); got != itemsBefore+1 {
		t.Errorf("NetSuite has %d items, want %d (+1 for the new inventory charge)", got, itemsBefore+1)
	}
	for _, c := range e.nsCustomers(ctx) {
		if c.ExternalID == netsuite.CustomerExternalID("acct-new-amp") && c.CompanyName != ampName {
			t.Errorf("name %q arrived as %q", ampName, c.CompanyName)
		}
		if c.ID == "9000" && (c.CompanyName != "Zuora Unassigned Payments" || c.EntityID != "UNASSIGNED") {
			t.Errorf("the unassigned payments customer was changed: %+v", c)
		}
	}

	// Location and customer type reach the customer; income and deferred
	// revenue accounts and the rev rec preferences reach the item.
	var amp netsuite.Customer
	if err := e.NetSuite.Get(ctx, netsuite.TypeCustomer, netsuite.EID(netsuite.CustomerExternalID("acct-new-amp")), false, &amp); err != nil {
		t.Fatal(err)
	}
	if amp.Location == nil || amp.Location.RefName != "Boston" || amp.IsPerson == nil || *amp.IsPerson || amp.Currency == nil || amp.Currency.ID != "1" {
		t.Errorf("new customer %+v: want location Boston, isPerson false, currency 1", amp)
	}
	var kit map[string]any
	if err := e.NetSuite.Get(ctx, netsuite.TypeInventoryItem, netsuite.EID(netsuite.ItemExternalID("charge-new-inv")), false, &kit); err != nil {
		t.Fatal(err)
	}
	for field, want := range map[string]string{"incomeAccount": "10", "deferredRevenueAccount": "11"} {
		if ref, _ := kit[field].(map[string]any); ref == nil || ref["id"] != want {
			t.Errorf("item %s = %v, want account %s", field, kit[field], want)
		}
	}
	if kit["custitem_zuora_rev_rec_start"] != "Charge Period Start" || kit["custitem_zuora_rev_rec_template_type"] != "Standard" || kit["displayName"] != "Hardware Kit" {
		t.Errorf("item %v lacks the charge's rev rec preferences or name", kit)
	}

	// Idempotency: a second run syncs nothing again and creates nothing; only
	// the errored records are tried again and stay Error.
	again := e.RunSync(ctx, "itest-cc-zuora-2", s, workflows.PhaseCustomers, workflows.PhaseCatalog)
	if again.Progress.Customers.Synced != 0 || again.Progress.Customers.Selected != 1 || again.Progress.Charges.Synced != 0 || again.Progress.Charges.Selected != 1 {
		t.Errorf("second run: customers %+v, charges %+v; want only the errored account and charge", again.Progress.Customers, again.Progress.Charges)
	}
	if got := len(e.nsCustomers(ctx)); got != customersBefore+1 {
		t.Errorf("after the second run NetSuite has %d customers, want %d", got, customersBefore+1)
	}
	if got := len(e.nsItems(ctx)); got != itemsBefore+1 {
		t.Errorf("after the second run NetSuite has %d items, want %d", got, itemsBefore+1)
	}
	e.checkZuoraMasterCustomers(ctx, s)
	e.checkCharges(ctx, s)

	// A modified account (its last sync long ago) updates its customer, never a second one.
	if err := e.Zuora.UpdateObject(ctx, zuora.ObjAccount, "acct-new-amp", map[string]any{"Name": "Smith & Daughters, Ltd", "SyncDate__NS": "2026-01-01T00:00:00Z"}); err != nil {
		t.Fatal(err)
	}
	mod := e.RunSync(ctx, "itest-cc-zuora-3", s, workflows.PhaseCustomers)
	if mod.Progress.Customers.Synced != 1 {
		t.Errorf("modified account run: %+v, want one synced", mod.Progress.Customers)
	}
	e.checkZuoraMasterCustomers(ctx, s)
	if got := len(e.nsCustomers(ctx)); got != customersBefore+1 {
		t.Errorf("after a modification NetSuite has %d customers, want %d", got, customersBefore+1)
	}

	// --- NetSuite master, de-concatenated numbers ---
	n := s
	n.Customer.Master = settings.MasterNetSuite
	n.Customer.DeconcatenateAccountNumber = true
	accountsBefore := len(e.zAccounts(ctx))
	nres := e.RunSync(ctx, "itest-cc-netsuite-1", n, workflows.PhaseCustomers)
	t.Logf("NetSuite master run 1: customers %+v", nres.Progress.Customers)
	if got := len(e.zAccounts(ctx)); got != accountsBefore+nsOnly {
		t.Errorf("Zuora has %d accounts, want %d (+%d NetSuite-only customers)", got, accountsBefore+nsOnly, nsOnly)
	}
	if nres.Progress.Customers.Errored != 0 || nres.Progress.Customers.Synced != nsOnly {
		t.Errorf("NetSuite master run: %+v, want the %d NetSuite-only customers created", nres.Progress.Customers, nsOnly)
	}
	e.checkNetSuiteMasterAccounts(ctx)

	nagain := e.RunSync(ctx, "itest-cc-netsuite-2", n, workflows.PhaseCustomers)
	if nagain.Progress.Customers.Selected != 0 {
		t.Errorf("second NetSuite master run selected %+v, want nothing", nagain.Progress.Customers)
	}
	if got := len(e.zAccounts(ctx)); got != accountsBefore+nsOnly {
		t.Errorf("after the second NetSuite master run Zuora has %d accounts, want %d", got, accountsBefore+nsOnly)
	}

	// A customer modified in NetSuite updates its Zuora account.
	time.Sleep(1100 * time.Millisecond) // NetSuite's lastModifiedDate has one-second resolution
	var target nsCustomer
	for _, c := range e.nsCustomers(ctx) {
		if strings.HasPrefix(c.EntityID, "NS") {
			target = c
		}
	}
	if err := e.NetSuite.Patch(ctx, netsuite.TypeCustomer, target.ID, map[string]any{"companyName": "Renamed in NetSuite, & Co"}); err != nil {
		t.Fatal(err)
	}
	nmod := e.RunSync(ctx, "itest-cc-netsuite-3", n, workflows.PhaseCustomers)
	if nmod.Progress.Customers.Selected != 1 || nmod.Progress.Customers.Synced != 1 {
		t.Errorf("NetSuite modification run: %+v, want the one modified customer", nmod.Progress.Customers)
	}
	e.checkNetSuiteMasterAccounts(ctx)
}

// checkNetSuiteMasterAccounts: every NetSuite customer but the unassigned
// payments one has exactly one Zuora account, named as it is; the ones made
// from NetSuite carry the de-concatenated Customer ID as account number.
func (e *Env) checkNetSuiteMasterAccounts(ctx context.Context) {
	e.T.Helper()
	accts := e.zAccounts(ctx)
	for _, c := range e.nsCustomers(ctx) {
		if c.ID == "9000" {
			for _, a := range accts {
				if a.IntegrationID == "9000" {
					e.T.Errorf("the unassigned payments customer became Zuora account %s", a.ID)
				}
			}
			continue
		}
		var mine []zuora.Account
		for _, a := range accts {
			if a.IntegrationID == c.ID {
				mine = append(mine, a)
			}
		}
		if len(mine) != 1 {
			e.T.Errorf("NetSuite customer %s (%s) has %d Zuora accounts, want 1", c.ID, c.EntityID, len(mine))
			continue
		}
		if !strings.HasPrefix(c.EntityID, "NS") {
			continue
		}
		a := mine[0]
		if want := strings.SplitN(c.EntityID, " ", 2)[0]; a.AccountNumber != want || a.Name != c.CompanyName || a.IntegrationStatus != zuora.StatusSyncComplete ||
			a.Currency != "USD" || a.Status != "Draft" || a.Subsidiary != "Parent Company" {
			e.T.Errorf("NetSuite customer %s (%s, %q): Zuora account %+v, want number %s, the same name, Sync Complete, USD, Draft, subsidiary Parent Company",
				c.ID, c.EntityID, c.CompanyName, a, want)
		}
	}
}

// Use Zuora Charge Name on a name-mapping tenant: unique names become item
// ids as they are, charges sharing a name are all Error naming each other
// and never merged, and Sync New Records Only leaves synced items alone.
func TestCustomerCatalog_ChargeNameMappingAndNewOnly(t *testing.T) {
	f, err := fixture.Generate("seed=12,accounts=4,invoices=4,charges=8,name-mapping=true")
	if err != nil {
		t.Fatal(err)
	}
	plan := str(f.Zuora.Objects["ProductRatePlan"][0]["Id"])
	for _, id := range []string{"dup-a", "dup-b"} {
		f.Zuora.Objects["ProductRatePlanCharge"] = append(f.Zuora.Objects["ProductRatePlanCharge"],
			fixture.Record{"Id": id, "Name": "Twin Charge", "ProductRatePlanId": plan, "ChargeType": "Recurring", "ItemType__NS": "Service", "AccountingCode": "Sales"})
	}
	f.Zuora.Objects["ProductRatePlanCharge"] = append(f.Zuora.Objects["ProductRatePlanCharge"],
		fixture.Record{"Id": "uniq-new", "Name": `Support, "Gold" & More`, "ProductRatePlanId": plan, "ChargeType": "Recurring",
			"ItemType__NS": "Non Inventory", "AccountingCode": "4000"})
	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s := settings.Default()
	s.Catalog.ItemIDMapping = settings.ItemIDFromChargeName
	itemsBefore := len(e.nsItems(ctx))

	res := e.RunSync(ctx, "itest-cc-names-1", s, workflows.PhaseCatalog)
	t.Logf("name mapping run: %+v", res.Progress.Charges)
	errored := e.checkCharges(ctx, s)
	if len(errored) != 2 || !strings.Contains(errored["dup-a"], "dup-b") || !strings.Contains(errored["dup-b"], "dup-a") {
		t.Errorf("errored charges %v, want dup-a and dup-b each naming the other", errored)
	}
	items := e.nsItems(ctx)
	if len(items) != itemsBefore+1 {
		t.Errorf("NetSuite has %d items, want %d (+1 for the unique new charge)", len(items), itemsBefore+1)
	}
	for _, it := range items {
		if it.ItemID == "Twin Charge" {
			t.Errorf("a NetSuite item %+v was made for a duplicated charge name", it)
		}
	}
	again := e.RunSync(ctx, "itest-cc-names-2", s, workflows.PhaseCatalog)
	if again.Progress.Charges.Synced != 0 || again.Progress.Charges.Selected != 2 || len(e.nsItems(ctx)) != itemsBefore+1 {
		t.Errorf("second run: %+v with %d items, want only the two duplicates tried again and nothing new", again.Progress.Charges, len(e.nsItems(ctx)))
	}

	// Sync New Records Only: a modified, synced charge is not sent again.
	newOnly := s
	newOnly.Catalog.Behavior = settings.SyncNewOnly
	if err := e.Zuora.UpdateObject(ctx, zuora.ObjProductRatePlanCharge, "uniq-new", map[string]any{"Description": "changed", "SyncDate__NS": "2026-01-01T00:00:00Z"}); err != nil {
		t.Fatal(err)
	}
	no := e.RunSync(ctx, "itest-cc-names-3", newOnly, workflows.PhaseCatalog)
	if no.Progress.Charges.Synced != 0 {
		t.Errorf("Sync New Records Only run synced %+v", no.Progress.Charges)
	}
	var desc string
	var it map[string]any
	if err := e.NetSuite.Get(ctx, netsuite.TypeNonInventory, netsuite.EID(netsuite.ItemExternalID("uniq-new")), false, &it); err != nil {
		t.Fatal(err)
	}
	desc = fmt.Sprint(it["salesDescription"])
	if desc == "changed" {
		t.Error("Sync New Records Only updated an existing item")
	}
	e.checkCharges(ctx, s)
}

// Exactly once under injected faults (writes that commit but lose their
// answer, 5xx, 429) on both APIs, with the other number mappings: Zuora
// master with Use Name From Source Record and number updates off, then
// NetSuite master with Let Destination Auto-Number. Afterwards, without
// faults, second runs create nothing.
func TestCustomerCatalog_InjectedFaultsCreateEachRecordOnce(t *testing.T) {
	f, err := fixture.Generate("seed=13,accounts=60,invoices=6,charges=6,mixed-master=true")
	if err != nil {
		t.Fatal(err)
	}
	newAccounts := map[string]bool{}
	for i := range 30 {
		id := fmt.Sprintf("acct-new-%02d", i)
		newAccounts[id] = true
		f.Zuora.Objects["Account"] = append(f.Zuora.Objects["Account"], fixture.Record{"Id": id, "AccountNumber": fmt.Sprintf("N%07d", i),
			"Name": fmt.Sprintf("New Customer %02d, \"Q\" & Co", i), "Status": "Active", "Currency": "USD", "Class__NS": "Retail"})
	}
	plan := str(f.Zuora.Objects["ProductRatePlan"][0]["Id"])
	for i := range 20 {
		f.Zuora.Objects["ProductRatePlanCharge"] = append(f.Zuora.Objects["ProductRatePlanCharge"], fixture.Record{"Id": fmt.Sprintf("charge-new-%02d", i),
			"Name": fmt.Sprintf("New Charge %02d", i), "ProductRatePlanId": plan, "ChargeType": "Recurring",
			"ItemType__NS": []string{"Service", "Non Inventory", "Inventory"}[i%3], "AccountingCode": "Sales"})
	}
	nsOnly := 0
	originalEntityID := map[string]string{}
	for _, c := range f.NetSuite.Records["customer"] {
		originalEntityID[str(c["id"])] = str(c["entityId"])
		if strings.HasPrefix(str(c["entityId"]), "NS") {
			nsOnly++
		}
	}
	e := New(t, f, Options{Configure: func(c *sandbox.Config) {
		c.NetSuiteFaults = sandbox.Faults{Concurrency: 10, AmbiguousRate: 0.1, ErrorRate: 0.05, RateLimitRate: 0.03}
		c.ZuoraFaults = sandbox.Faults{AmbiguousRate: 0.1, ErrorRate: 0.05, RateLimitRate: 0.02}
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	customersBefore, itemsBefore := len(e.nsCustomers(ctx)), len(e.nsItems(ctx))

	s := settings.Default()
	s.Customer.NumberMapping = settings.NameFromSource
	s.Customer.AllowNumberUpdates = false
	res := e.RunSync(ctx, "itest-cc-faults-zuora", s, workflows.PhaseCustomers, workflows.PhaseCatalog)
	t.Logf("Zuora master under faults: customers %+v, charges %+v; NetSuite faults %v, Zuora faults %v", res.Progress.Customers, res.Progress.Charges,
		e.Sandbox.Stats("netsuite").Faults, e.Sandbox.Stats("zuora").Faults)
	if e.Sandbox.Stats("netsuite").Faults["ambiguous"] == 0 || e.Sandbox.Stats("zuora").Faults["ambiguous"] == 0 {
		t.Errorf("the ambiguous faults did not fire: %v %v", e.Sandbox.Stats("netsuite").Faults, e.Sandbox.Stats("zuora").Faults)
	}
	_ = e.Sandbox.SetFaults("netsuite", sandbox.Faults{})
	_ = e.Sandbox.SetFaults("zuora", sandbox.Faults{})
	for _, re := range res.Errors {
		t.Logf("error: %s %s: %s", re.Type, re.ID, re.Reason)
	}
	// New accounts are numbered by name; existing ones keep their Customer
	// ID, number updates being off.
	errored := e.checkZuoraMasterCustomersNumbered(ctx, func(a zuora.Account) string {
		if newAccounts[a.ID] {
			return a.Name
		}
		return originalEntityID[a.IntegrationID]
	})
	chErr := e.checkCharges(ctx, s)
	if len(errored) != 0 || len(chErr) != 0 {
		t.Errorf("errors under retryable faults: accounts %v, charges %v", errored, chErr)
	}
	if got := len(e.nsCustomers(ctx)); got != customersBefore+len(newAccounts) {
		t.Errorf("NetSuite has %d customers, want %d", got, customersBefore+len(newAccounts))
	}
	if got := len(e.nsItems(ctx)); got != itemsBefore+20 {
		t.Errorf("NetSuite has %d items, want %d", got, itemsBefore+20)
	}
	again := e.RunSync(ctx, "itest-cc-faults-zuora-2", s, workflows.PhaseCustomers, workflows.PhaseCatalog)
	if again.Progress.Customers.Selected != 0 || again.Progress.Charges.Selected != 0 {
		t.Errorf("second Zuora master run selected customers %+v, charges %+v; want nothing", again.Progress.Customers, again.Progress.Charges)
	}

	n := settings.Default()
	n.Customer.Master = settings.MasterNetSuite
	n.Customer.NumberMapping = settings.DestinationAutoNumber
	accountsBefore := len(e.zAccounts(ctx))
	_ = e.Sandbox.SetFaults("zuora", sandbox.Faults{AmbiguousRate: 0.3, ErrorRate: 0.05})
	nres := e.RunSync(ctx, "itest-cc-faults-netsuite", n, workflows.PhaseCustomers)
	t.Logf("NetSuite master under faults: %+v; Zuora faults %v", nres.Progress.Customers, e.Sandbox.Stats("zuora").Faults)
	_ = e.Sandbox.SetFaults("zuora", sandbox.Faults{})
	if got := len(e.zAccounts(ctx)); got != accountsBefore+nsOnly {
		t.Errorf("Zuora has %d accounts, want %d (+%d NetSuite-only customers, each once)", got, accountsBefore+nsOnly, nsOnly)
	}
	numbers := map[string]bool{}
	for _, a := range e.zAccounts(ctx) {
		if numbers[a.AccountNumber] {
			t.Errorf("account number %s used twice", a.AccountNumber)
		}
		numbers[a.AccountNumber] = true
	}
	e.checkNetSuiteMasterAccountsAutoNumbered(ctx)
	nagain := e.RunSync(ctx, "itest-cc-faults-netsuite-2", n, workflows.PhaseCustomers)
	if nagain.Progress.Customers.Selected != 0 || len(e.zAccounts(ctx)) != accountsBefore+nsOnly {
		t.Errorf("second NetSuite master run: %+v, %d accounts; want nothing selected or created", nagain.Progress.Customers, len(e.zAccounts(ctx)))
	}
}

// checkNetSuiteMasterAccountsAutoNumbered: every NetSuite customer has one
// Zuora account; those made from NetSuite carry Zuora's own number.
func (e *Env) checkNetSuiteMasterAccountsAutoNumbered(ctx context.Context) {
	e.T.Helper()
	accts := e.zAccounts(ctx)
	for _, c := range e.nsCustomers(ctx) {
		var mine []zuora.Account
		for _, a := range accts {
			if a.IntegrationID == c.ID {
				mine = append(mine, a)
			}
		}
		if len(mine) != 1 {
			e.T.Errorf("NetSuite customer %s (%s) has %d Zuora accounts, want 1", c.ID, c.EntityID, len(mine))
			continue
		}
		if a := mine[0]; strings.HasPrefix(c.EntityID, "NS") && (a.AccountNumber == "" || strings.HasPrefix(a.AccountNumber, "NS") || a.Name != c.CompanyName) {
			e.T.Errorf("NetSuite customer %s (%s): Zuora account %q %q, want a Zuora-made number and the same name", c.ID, c.EntityID, a.AccountNumber, a.Name)
		}
	}
}
