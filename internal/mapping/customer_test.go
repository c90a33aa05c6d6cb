package mapping

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

func customerSettings(f func(*settings.CustomerSync)) settings.Settings {
	s := settings.Default()
	f(&s.Customer)
	return s
}

func TestCustomerMaster_OnlyCreatedOrModifiedInMasterSync(t *testing.T) {
	zm := settings.Default()
	nm := customerSettings(func(c *settings.CustomerSync) { c.Master = settings.MasterNetSuite })
	synced := zuora.Account{ID: "a", Name: "X", NSFields: zuora.NSFields{IntegrationID: "10", SyncDate: "2026-03-01T10:00:00Z"}}
	cases := []struct {
		name    string
		acct    zuora.Account
		s       settings.Settings
		select_ bool
	}{
		{"never synced (no Integration Id) is new", zuora.Account{ID: "a", Name: "X"}, zm, true},
		{"modified after its sync date", withUpdated(synced, "2026-03-01T02:10:00-08:00"), zm, true},
		{"updated only by the connector's own write-back", withUpdated(synced, "2026-03-01T02:00:01-08:00"), zm, false},
		{"not modified since", withUpdated(synced, "2026-02-01T00:00:00-08:00"), zm, false},
		{"synced without a sync date", zuora.Account{ID: "a", NSFields: zuora.NSFields{IntegrationID: "10"}}, zm, true},
		{"Sync To NetSuite No", zuora.Account{ID: "a", SyncToNetSuite: "No"}, zm, false},
		{"Sync To NetSuite Yes", zuora.Account{ID: "a", SyncToNetSuite: "Yes"}, zm, true},
		{"NetSuite is master: Zuora accounts are not sent", zuora.Account{ID: "a"}, nm, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, why := ZuoraAccountSelectable(c.acct, c.s)
			if got != c.select_ {
				t.Fatalf("selectable = %v (%s), want %v", got, why, c.select_)
			}
		})
	}
}

func withUpdated(a zuora.Account, updated string) zuora.Account { a.UpdatedDate = updated; return a }

func TestCustomerMaster_NetSuiteCustomersModifiedSinceLastSync(t *testing.T) {
	nm := customerSettings(func(c *settings.CustomerSync) { c.Master = settings.MasterNetSuite })
	linked := &zuora.Account{ID: "z1", NSFields: zuora.NSFields{IntegrationID: "101", SyncDate: "2026-03-01T10:00:00Z"}}
	cases := []struct {
		name string
		c    netsuite.Customer
		l    *zuora.Account
		s    settings.Settings
		want bool
	}{
		{"new NetSuite customer", netsuite.Customer{ID: "101"}, nil, nm, true},
		{"modified after the sync date", netsuite.Customer{ID: "101", LastModifiedDate: "2026-03-01T10:00:05Z"}, linked, nm, true},
		{"not modified since", netsuite.Customer{ID: "101", LastModifiedDate: "2026-03-01T09:59:00Z"}, linked, nm, false},
		{"no modification date after a sync", netsuite.Customer{ID: "101"}, linked, nm, false},
		{"linked but never given a sync date", netsuite.Customer{ID: "101"}, &zuora.Account{ID: "z1"}, nm, true},
		{"Zuora is master", netsuite.Customer{ID: "101"}, nil, settings.Default(), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got, why := NetSuiteCustomerSelectable(c.c, c.l, c.s); got != c.want {
				t.Fatalf("selectable = %v (%s), want %v", got, why, c.want)
			}
		})
	}
}

func TestCustomerBehavior_SyncNewRecordsOnlyNeverUpdates(t *testing.T) {
	zNew := customerSettings(func(c *settings.CustomerSync) { c.Behavior = settings.SyncNewOnly })
	modified := zuora.Account{ID: "a", UpdatedDate: "2026-04-01T00:00:00Z", NSFields: zuora.NSFields{IntegrationID: "10", SyncDate: "2026-03-01T00:00:00Z"}}
	if ok, _ := ZuoraAccountSelectable(modified, zNew); ok {
		t.Error("a modified account that exists in NetSuite is selected under Sync New Records Only")
	}
	if ok, _ := ZuoraAccountSelectable(zuora.Account{ID: "b"}, zNew); !ok {
		t.Error("a new account is not selected under Sync New Records Only")
	}
	nNew := customerSettings(func(c *settings.CustomerSync) { c.Behavior = settings.SyncNewOnly; c.Master = settings.MasterNetSuite })
	if ok, _ := NetSuiteCustomerSelectable(netsuite.Customer{ID: "1", LastModifiedDate: "2027-01-01T00:00:00Z"}, &zuora.Account{ID: "z"}, nNew); ok {
		t.Error("a modified NetSuite customer with a Zuora account is selected under Sync New Records Only")
	}
	if ok, _ := NetSuiteCustomerSelectable(netsuite.Customer{ID: "1"}, nil, nNew); !ok {
		t.Error("a new NetSuite customer is not selected under Sync New Records Only")
	}
}

func TestCustomerSync_NewAndModifiedRecordsSync(t *testing.T) {
	s := settings.Default()
	modified := zuora.Account{ID: "a", UpdatedDate: "2026-04-01T00:00:00Z", NSFields: zuora.NSFields{IntegrationID: "10", SyncDate: "2026-03-01T00:00:00Z"}}
	if ok, _ := ZuoraAccountSelectable(modified, s); !ok {
		t.Error("a modified account is not selected under Sync New and Modified Records")
	}
}

func TestCustomerNumberMapping_UseNumberFromSource(t *testing.T) {
	a := zuora.Account{ID: "a1", AccountNumber: "A-100", Name: "Acme"}
	c := NetSuiteCustomerFromAccount(a, lookups(), nil, false, settings.Default())
	if c.EntityID != "A-100" || c.CompanyName != "Acme" {
		t.Fatalf("customer %+v: want entityId A-100, companyName Acme", c)
	}
	f := ZuoraAccountFromCustomer(netsuite.Customer{ID: "5", EntityID: "C-5", CompanyName: "Beta"}, nil, Names{}, customerSettings(func(c *settings.CustomerSync) {
		c.Master = settings.MasterNetSuite
	}))
	if f["AccountNumber"] != "C-5" || f["Name"] != "Beta" {
		t.Fatalf("account fields %v: want AccountNumber C-5, Name Beta", f)
	}
}

func TestCustomerNumberMapping_UseNameFromSource(t *testing.T) {
	s := customerSettings(func(c *settings.CustomerSync) { c.NumberMapping = settings.NameFromSource })
	c := NetSuiteCustomerFromAccount(zuora.Account{ID: "a1", AccountNumber: "A-100", Name: "Acme & Sons"}, lookups(), nil, false, s)
	if c.EntityID != "Acme & Sons" {
		t.Fatalf("entityId %q, want the account name", c.EntityID)
	}
	s.Customer.Master = settings.MasterNetSuite
	f := ZuoraAccountFromCustomer(netsuite.Customer{ID: "5", EntityID: "C-5", CompanyName: "Beta"}, nil, Names{}, s)
	if f["AccountNumber"] != "Beta" {
		t.Fatalf("AccountNumber %v, want the customer's name", f["AccountNumber"])
	}
}

func TestCustomerNumberMapping_LetDestinationAutoNumber(t *testing.T) {
	s := customerSettings(func(c *settings.CustomerSync) { c.NumberMapping = settings.DestinationAutoNumber })
	c := NetSuiteCustomerFromAccount(zuora.Account{ID: "a1", AccountNumber: "A-100", Name: "Acme"}, lookups(), nil, false, s)
	if c.EntityID != "" {
		t.Fatalf("entityId %q sent; NetSuite should number it", c.EntityID)
	}
	b, _ := json.Marshal(c)
	if strings.Contains(string(b), "entityId") {
		t.Fatalf("body %s names entityId", b)
	}
	s.Customer.Master = settings.MasterNetSuite
	f := ZuoraAccountFromCustomer(netsuite.Customer{ID: "5", EntityID: "C-5", CompanyName: "Beta"}, nil, Names{}, s)
	if _, ok := f["AccountNumber"]; ok {
		t.Fatalf("AccountNumber %v sent; Zuora should number it", f["AccountNumber"])
	}
}

func TestCustomerNumberUpdate_AllowNumberUpdatesHonoured(t *testing.T) {
	a := zuora.Account{ID: "a1", AccountNumber: "A-200", Name: "Acme"}
	allow := settings.Default()
	deny := customerSettings(func(c *settings.CustomerSync) { c.AllowNumberUpdates = false })
	if c := NetSuiteCustomerFromAccount(a, lookups(), nil, true, allow); c.EntityID != "A-200" {
		t.Errorf("update with number updates allowed: entityId %q, want A-200", c.EntityID)
	}
	if c := NetSuiteCustomerFromAccount(a, lookups(), nil, true, deny); c.EntityID != "" {
		t.Errorf("update with number updates denied sends entityId %q", c.EntityID)
	}
	if c := NetSuiteCustomerFromAccount(a, lookups(), nil, false, deny); c.EntityID != "A-200" {
		t.Errorf("a new customer always gets its number; got %q", c.EntityID)
	}
	existing := &zuora.Account{ID: "z", AccountNumber: "OLD"}
	cust := netsuite.Customer{ID: "5", EntityID: "NEW", CompanyName: "Beta"}
	deny.Customer.Master = settings.MasterNetSuite
	allow.Customer.Master = settings.MasterNetSuite
	if f := ZuoraAccountFromCustomer(cust, existing, Names{}, deny); f["AccountNumber"] != nil {
		t.Errorf("Zuora update with number updates denied sends AccountNumber %v", f["AccountNumber"])
	}
	if f := ZuoraAccountFromCustomer(cust, existing, Names{}, allow); f["AccountNumber"] != "NEW" {
		t.Errorf("Zuora update with number updates allowed: AccountNumber %v, want NEW", f["AccountNumber"])
	}
}

func TestDeconcatenate_UpToTheFirstSpace(t *testing.T) {
	for in, want := range map[string]string{"A0004 Customer A0004": "A0004", "NS1": "NS1", " X-1  Y": "X-1", "": ""} {
		if got := Deconcatenate(in); got != want {
			t.Errorf("Deconcatenate(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDeconcatenate_OnlyWithoutLastInvoiceDate(t *testing.T) {
	s := customerSettings(func(c *settings.CustomerSync) {
		c.Master = settings.MasterNetSuite
		c.DeconcatenateAccountNumber = true
	})
	cust := netsuite.Customer{ID: "5", EntityID: "A0004 Acme, Inc.", CompanyName: "Acme, Inc."}
	if f := ZuoraAccountFromCustomer(cust, nil, Names{}, s); f["AccountNumber"] != "A0004" {
		t.Errorf("new account: AccountNumber %v, want A0004", f["AccountNumber"])
	}
	noInvoices := &zuora.Account{ID: "z", AccountNumber: "TEMP-1"}
	if f := ZuoraAccountFromCustomer(cust, noInvoices, Names{}, s); f["AccountNumber"] != "A0004" {
		t.Errorf("account without a last invoice date: AccountNumber %v, want A0004", f["AccountNumber"])
	}
	invoiced := &zuora.Account{ID: "z", AccountNumber: "TEMP-1", LastInvoiceDate: "2026-02-01"}
	if f := ZuoraAccountFromCustomer(cust, invoiced, Names{}, s); f["AccountNumber"] != nil {
		t.Errorf("account with a last invoice date got AccountNumber %v; it must not change", f["AccountNumber"])
	}
	off := s
	off.Customer.DeconcatenateAccountNumber = false
	if f := ZuoraAccountFromCustomer(cust, nil, Names{}, off); f["AccountNumber"] != "A0004 Acme, Inc." {
		t.Errorf("de-concatenate off: AccountNumber %v, want the whole Customer ID", f["AccountNumber"])
	}
}

func TestCustomerClassifications_CarriedBothWays(t *testing.T) {
	l := lookups()
	l.Subsidiaries = map[string]string{"Parent Company": "1"}
	a := zuora.Account{ID: "a1", AccountNumber: "A-1", Name: "Acme", Location: "Boston", Class: "Retail", Department: "Sales",
		Subsidiary: "Parent Company", CustomerType: "Individual", Currency: "USD"}
	c := NetSuiteCustomerFromAccount(a, l, map[string]string{"USD": "1"}, false, settings.Default())
	if refID(c.Location) != "1" || refID(c.Class) != "11" || refID(c.Department) != "21" || refID(c.Subsidiary) != "1" || refID(c.Currency) != "1" {
		t.Fatalf("refs not carried: %+v", c)
	}
	if c.IsPerson == nil || !*c.IsPerson {
		t.Fatal("customer type Individual is not isPerson=true")
	}
	n := Names{Locations: map[string]string{"1": "Boston"}, Classes: map[string]string{"11": "Retail"}, Departments: map[string]string{"21": "Sales"},
		Subsidiaries: map[string]string{"1": "Parent Company"}, Currencies: map[string]string{"1": "USD"}}
	f := ZuoraAccountFromCustomer(netsuite.Customer{ID: "9", EntityID: "C9", CompanyName: "Acme", Location: &netsuite.Ref{ID: "1"},
		Class: &netsuite.Ref{ID: "11"}, Department: &netsuite.Ref{ID: "21"}, Subsidiary: &netsuite.Ref{ID: "1"}, Currency: &netsuite.Ref{ID: "1"},
		IsPerson: ptrBool(false)}, nil, n, customerSettings(func(c *settings.CustomerSync) { c.Master = settings.MasterNetSuite }))
	want := map[string]any{"Location__NS": "Boston", "Class__NS": "Retail", "Department__NS": "Sales", "Subsidiary__NS": "Parent Company",
		"Currency": "USD", "CustomerType__NS": "Company"}
	for k, v := range want {
		if f[k] != v {
			t.Errorf("%s = %v, want %v", k, f[k], v)
		}
	}
}

func TestCustomerValidation_LocationNotInNetSuiteIsAnError(t *testing.T) {
	a := zuora.Account{ID: "a1", AccountNumber: "A-9", Name: "Acme", Location: "Atlantis", Class: "No Such Class", Currency: "USD"}
	ps := ValidateZuoraAccount(a, lookups(), map[string]string{"USD": "1"})
	if len(ps) != 2 || ps[0].Rule != RuleCustomerLocation || ps[1].Rule != RuleCustomerClass {
		t.Fatalf("problems %v: want Location and Class", ps)
	}
	if !strings.Contains(ps[0].Reason, `"Atlantis"`) || !strings.Contains(ps[0].Reason, "A-9") {
		t.Errorf("reason %q does not name the account and the location", ps[0].Reason)
	}
	if ps := ValidateZuoraAccount(zuora.Account{ID: "a", Name: "X", Currency: "XXX"}, lookups(), map[string]string{"USD": "1"}); len(ps) != 1 || ps[0].Rule != RuleCustomerCurrency {
		t.Errorf("unknown currency: problems %v", ps)
	}
	if ps := ValidateZuoraAccount(zuora.Account{ID: "a", Name: "X", Location: "Boston", Currency: "USD"}, lookups(), map[string]string{"USD": "1"}); len(ps) != 0 {
		t.Errorf("valid account: problems %v", ps)
	}
}

// Boomi's connector broke on quotes and commas in account names; names here
// travel as JSON strings and arrive unchanged.
func TestCustomerNames_QuotesCommasAmpersandsSurvive(t *testing.T) {
	for _, name := range []string{`O'Neil, "Ltd"`, "Smith & Sons, Inc.", `A "quoted" & 'mixed', name`, "Müller & Co. <GmbH>"} {
		c := NetSuiteCustomerFromAccount(zuora.Account{ID: "a", AccountNumber: "A-1", Name: name}, lookups(), nil, false, settings.Default())
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var back netsuite.Customer
		if err := json.Unmarshal(b, &back); err != nil || back.CompanyName != name {
			t.Errorf("name %q came back as %q (%v)", name, back.CompanyName, err)
		}
		f := ZuoraAccountFromCustomer(netsuite.Customer{ID: "1", EntityID: name, CompanyName: name}, nil, Names{},
			customerSettings(func(c *settings.CustomerSync) {
				c.Master = settings.MasterNetSuite
				c.NumberMapping = settings.NameFromSource
			}))
		if f["Name"] != name || f["AccountNumber"] != name {
			t.Errorf("Zuora fields %v lost the name %q", f, name)
		}
	}
}

func TestUnassignedPaymentsCustomer_ValidatedAndKept(t *testing.T) {
	if err := ValidateUnassignedPaymentsCustomer("123"); err != nil {
		t.Errorf("123: %v", err)
	}
	if err := ValidateUnassignedPaymentsCustomer(""); err != nil {
		t.Errorf("empty: %v", err)
	}
	for _, bad := range []string{"abc", "0", "-4", "12 3"} {
		if err := ValidateUnassignedPaymentsCustomer(bad); err == nil {
			t.Errorf("%q accepted as a NetSuite customer id", bad)
		}
	}
	s := customerSettings(func(c *settings.CustomerSync) {
		c.UnassignedPaymentsCustomer = "77"
		c.Master = settings.MasterNetSuite
	})
	if ok, _ := NetSuiteCustomerSelectable(netsuite.Customer{ID: "77"}, nil, s); ok {
		t.Error("the unassigned payments customer is synced to Zuora as an account")
	}
	s.Customer.Master = settings.MasterZuora
	acct := zuora.Account{ID: "a", UpdatedDate: "2027-01-01T00:00:00Z", NSFields: zuora.NSFields{IntegrationID: "77", SyncDate: "2026-01-01T00:00:00Z"}}
	if ok, _ := ZuoraAccountSelectable(acct, s); ok {
		t.Error("an account pointing at the unassigned payments customer would overwrite it")
	}
}

func TestCustomerChanged_UnchangedCustomerIsNotRewritten(t *testing.T) {
	want := netsuite.Customer{EntityID: "A-1", CompanyName: "Acme", Location: &netsuite.Ref{ID: "1"}, ZuoraID: "a1"}
	have := netsuite.Customer{ID: "5", EntityID: "A-1", CompanyName: "Acme", Location: &netsuite.Ref{ID: "1", RefName: "Boston"}, ZuoraID: "a1"}
	if CustomerChanged(have, want) {
		t.Error("identical customer reported as changed")
	}
	want.CompanyName = "Acme & Co"
	if !CustomerChanged(have, want) {
		t.Error("renamed customer reported as unchanged")
	}
}

func TestCustomerType_IndividualHasFirstAndLastName(t *testing.T) {
	a := zuora.Account{ID: "a1", AccountNumber: "A-1", Name: "Mary Ann O'Neil", CustomerType: "Individual", Currency: "USD"}
	c := NetSuiteCustomerFromAccount(a, lookups(), map[string]string{"USD": "1"}, false, settings.Default())
	if c.IsPerson == nil || !*c.IsPerson || c.FirstName != "Mary Ann" || c.LastName != "O'Neil" || c.CompanyName != a.Name {
		t.Fatalf("individual customer %+v", c)
	}
	if c := NetSuiteCustomerFromAccount(zuora.Account{ID: "a2", Name: "Acme", CustomerType: "Company"}, lookups(), nil, false, settings.Default()); c.FirstName != "" || c.LastName != "" {
		t.Errorf("company customer has a person's name: %+v", c)
	}
	f := ZuoraAccountFromCustomer(netsuite.Customer{ID: "9", EntityID: "C9", FirstName: "Jo", LastName: "Bloggs", IsPerson: ptrBool(true)}, nil, Names{},
		customerSettings(func(c *settings.CustomerSync) { c.Master = settings.MasterNetSuite }))
	if f["Name"] != "Jo Bloggs" || f["CustomerType__NS"] != "Individual" {
		t.Errorf("account fields %v, want Name Jo Bloggs, Individual", f)
	}
}
