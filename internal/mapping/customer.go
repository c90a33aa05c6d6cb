package mapping

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// Seed rules of the customer account sync (sync-preferences), as named in
// tests and reasons.
const (
	RuleCustomerMaster        = "customer sync: only records created or modified in the master sync"
	RuleCustomerNewOnly       = "customer sync: Sync New Records Only never updates an existing record"
	RuleCustomerNumber        = "customer sync: account number mapping"
	RuleCustomerNumberUpdate  = "customer sync: account number update behavior"
	RuleDeconcatenate         = "customer sync: de-concatenate account number"
	RuleCustomerLocation      = "customer sync: Location valid in NetSuite"
	RuleCustomerClass         = "customer sync: Class valid in NetSuite"
	RuleCustomerDepartment    = "customer sync: Department valid in NetSuite"
	RuleCustomerSubsidiary    = "customer sync: Subsidiary valid in NetSuite"
	RuleCustomerCurrency      = "customer sync: Currency valid in NetSuite"
	RuleCustomerType          = "customer sync: customer type Company or Individual"
	RuleUnassignedPayments    = "customer sync: unassigned payments customer"
	RuleCustomerNameNotEmpty  = "customer sync: account name present"
	RuleCustomerLinkedAccount = "customer sync: one Zuora account per NetSuite customer"
)

// WriteBackSlack is how much later than its SyncDate__NS a record's
// UpdatedDate must be to count as modified: the connector's own write-back
// (which sets SyncDate__NS) moves Zuora's UpdatedDate too, a moment later and
// by Zuora's clock. A change made within this window of a sync waits for the
// record's next change.
const WriteBackSlack = time.Minute

// CustomerAccountFields are the Account fields the customer sync reads.
const CustomerAccountFields = "Id, AccountNumber, Name, Status, Currency, LastInvoiceDate, UpdatedDate, " +
	"IntegrationId__NS, IntegrationStatus__NS, SyncDate__NS, Class__NS, Department__NS, Location__NS, Subsidiary__NS, CustomerType__NS, SynctoNetSuite__NS"

// ModifiedSince: seed "Only Customer Accounts created or modified in the
// master application will be synced". A record never synced (no sync date)
// counts as modified; a record whose dates cannot be read too, because
// syncing it again is harmless (upserts and set values) and skipping it is not.
func ModifiedSince(updated, lastSync string) bool {
	if lastSync == "" {
		return true
	}
	u, err1 := parseZuoraTime(updated)
	l, err2 := parseZuoraTime(lastSync)
	if err1 != nil || err2 != nil {
		return true
	}
	return u.After(l.Add(WriteBackSlack))
}

// parseZuoraTime reads Zuora datetimes (RFC 3339 with the tenant's offset,
// with or without fractions) and NetSuite's (the same, in UTC).
func parseZuoraTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000-0700", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date-time", s)
}

// ZuoraAccountSelectable is the customer selection with Zuora as the master:
// seed "Only Customer Accounts created or modified in the master application
// will be synced", "Sync New Records Only: no subsequent changes will be
// synced once a record has been created", and the connector-wide rule that an
// account with Sync To NetSuite = No is never sent. An account is new when it
// has no Integration Id (it has never been synced).
func ZuoraAccountSelectable(a zuora.Account, s settings.Settings) (bool, string) {
	switch {
	case s.Customer.Master != settings.MasterZuora:
		return false, "NetSuite is the customer master"
	case !AccountSyncs(a):
		return false, fmt.Sprintf("Sync To NetSuite is %s", a.SyncToNetSuite)
	case a.IntegrationID == "":
		return true, "new"
	case s.Customer.UnassignedPaymentsCustomer != "" && a.IntegrationID == s.Customer.UnassignedPaymentsCustomer:
		return false, "its Integration Id is the unassigned payments customer, which the customer sync leaves alone"
	case s.Customer.Behavior == settings.SyncNewOnly:
		return false, "already synced and the customer sync behavior is Sync New Records Only"
	case !ModifiedSince(a.UpdatedDate, a.SyncDate):
		return false, "not modified since its last sync"
	}
	return true, "modified"
}

// NetSuiteCustomerSelectable is the same rule with NetSuite as the master.
// linked is the Zuora account already made for the customer (nil: none).
func NetSuiteCustomerSelectable(c netsuite.Customer, linked *zuora.Account, s settings.Settings) (bool, string) {
	switch {
	case s.Customer.Master != settings.MasterNetSuite:
		return false, "Zuora is the customer master"
	case s.Customer.UnassignedPaymentsCustomer != "" && c.ID == s.Customer.UnassignedPaymentsCustomer:
		return false, "it is the unassigned payments customer, which holds payments and is not a Zuora account"
	case linked == nil:
		return true, "new"
	case s.Customer.Behavior == settings.SyncNewOnly:
		return false, "already synced and the customer sync behavior is Sync New Records Only"
	case linked.SyncDate != "" && c.LastModifiedDate == "":
		return false, "not modified since its last sync"
	case linked.SyncDate != "" && !modifiedAfter(c.LastModifiedDate, linked.SyncDate):
		return false, "not modified since its last sync"
	}
	return true, "modified"
}

// modifiedAfter compares NetSuite's lastModifiedDate with the sync date the
// connector wrote on the Zuora account. Nothing is written to NetSuite in
// this direction, so no slack is needed.
func modifiedAfter(modified, lastSync string) bool {
	m, err1 := parseZuoraTime(modified)
	l, err2 := parseZuoraTime(lastSync)
	if err1 != nil || err2 != nil {
		return true
	}
	return m.After(l)
}

// ValidateUnassignedPaymentsCustomer: seed "enter into this field the Id of
// the NetSuite customer record that you have created to store all Zuora
// unassigned payments": a NetSuite internal id, i.e. a positive number.
func ValidateUnassignedPaymentsCustomer(id string) error {
	if id == "" {
		return nil
	}
	if n, err := strconv.ParseUint(id, 10, 64); err != nil || n == 0 {
		return Problem{Rule: RuleUnassignedPayments, Field: "customerSync.unassignedPaymentsCustomerId",
			Reason: fmt.Sprintf("customerSync.unassignedPaymentsCustomerId %q is not a NetSuite customer internal id (a number)", id)}
	}
	return nil
}

// CustomerNumber is the account number the destination gets: seed "Use
// Number From Source Record", "Use Name From Source Record", "Let Destination
// Auto-Number" (empty: the destination numbers it).
func CustomerNumber(sourceNumber, sourceName string, s settings.Settings) string {
	switch s.Customer.NumberMapping {
	case settings.NameFromSource:
		return sourceName
	case settings.DestinationAutoNumber:
		return ""
	}
	return sourceNumber
}

// NumberUpdateAllowed: seed "If you selected Sync New and Modified Records,
// you can select whether the sync should also update the Customer Account
// number field"; auto-numbered destinations keep their own numbers.
func NumberUpdateAllowed(s settings.Settings) bool {
	return s.Customer.AllowNumberUpdates && s.Customer.NumberMapping != settings.DestinationAutoNumber
}

// Deconcatenate: seed "take the value of the Customer Id field from Netsuite
// up until the first space and use that value to populate the Zuora Account
// Number field".
func Deconcatenate(customerID string) string {
	customerID = strings.TrimSpace(customerID)
	if i := strings.IndexByte(customerID, ' '); i >= 0 {
		return customerID[:i]
	}
	return customerID
}

// classificationCheck: "If populated, the account's NetSuite Location /
// Class / Department / Subsidiary matches a valid NetSuite record", the same
// rule the invoice sync applies, checked before the customer is written.
func validateClassifications(recordType, id, label string, loc, class, dept, sub string, l Lookups) []Problem {
	var ps []Problem
	check := func(rule, field, what, value string, valid map[string]string) {
		if value == "" {
			return
		}
		if _, ok := valid[value]; !ok {
			ps = append(ps, Problem{Rule: rule, RecordType: recordType, RecordID: id, Field: field,
				Reason: fmt.Sprintf("%s has NetSuite %s %q, which is not a valid NetSuite %s", label, what, value, what)})
		}
	}
	check(RuleCustomerLocation, "Location__NS", "location", loc, l.Locations)
	check(RuleCustomerClass, "Class__NS", "class", class, l.Classes)
	check(RuleCustomerDepartment, "Department__NS", "department", dept, l.Departments)
	check(RuleCustomerSubsidiary, "Subsidiary__NS", "subsidiary", sub, l.Subsidiaries)
	return ps
}

// ValidateZuoraAccount checks what a NetSuite customer needs before one is
// written. currencies maps Zuora currency codes to NetSuite currency ids.
func ValidateZuoraAccount(a zuora.Account, l Lookups, currencies map[string]string) []Problem {
	label := "account " + accountName(a)
	var ps []Problem
	if strings.TrimSpace(a.Name) == "" {
		ps = append(ps, Problem{Rule: RuleCustomerNameNotEmpty, RecordType: zuora.ObjAccount, RecordID: a.ID, Field: "Name",
			Reason: label + " has no name; a NetSuite customer needs a company name"})
	}
	ps = append(ps, validateClassifications(zuora.ObjAccount, a.ID, label, a.Location, a.Class, a.Department, a.Subsidiary, l)...)
	if a.Currency != "" {
		if _, ok := currencies[a.Currency]; !ok {
			ps = append(ps, Problem{Rule: RuleCustomerCurrency, RecordType: zuora.ObjAccount, RecordID: a.ID, Field: "Currency",
				Reason: fmt.Sprintf("%s has currency %s, which is not a NetSuite currency", label, a.Currency)})
		}
	}
	switch a.CustomerType {
	case "", "Company", "Individual":
	default:
		ps = append(ps, Problem{Rule: RuleCustomerType, RecordType: zuora.ObjAccount, RecordID: a.ID, Field: "CustomerType__NS",
			Reason: fmt.Sprintf("%s has NetSuite customer type %q; it must be Company or Individual", label, a.CustomerType)})
	}
	return ps
}

// NetSuiteCustomerFromAccount maps a Zuora account to the NetSuite customer
// body (Zuora master). update=true leaves the Customer ID alone unless
// number updates are allowed. Names go as they are: JSON carries quotes,
// commas and ampersands, which broke the Boomi connector's flat files.
func NetSuiteCustomerFromAccount(a zuora.Account, l Lookups, currencies map[string]string, update bool, s settings.Settings) netsuite.Customer {
	c := netsuite.Customer{CompanyName: a.Name, ZuoraID: a.ID}
	if !update || NumberUpdateAllowed(s) {
		c.EntityID = CustomerNumber(a.AccountNumber, a.Name, s)
	}
	switch a.CustomerType {
	case "Individual":
		// NetSuite asks individuals for a first and a last name.
		c.IsPerson = ptrBool(true)
		c.FirstName, c.LastName = splitPersonName(a.Name)
	case "Company":
		c.IsPerson = ptrBool(false)
	}
	c.Location = netsuite.RefTo(l.Locations[a.Location])
	c.Class = netsuite.RefTo(l.Classes[a.Class])
	c.Department = netsuite.RefTo(l.Departments[a.Department])
	c.Subsidiary = netsuite.RefTo(l.Subsidiaries[a.Subsidiary])
	if !update {
		// NetSuite does not let a customer's currency change once it has transactions.
		c.Currency = netsuite.RefTo(currencies[a.Currency])
	}
	return c
}

func ptrBool(b bool) *bool { return &b }

// splitPersonName: the last word is the last name, the rest the first name.
func splitPersonName(name string) (first, last string) {
	name = strings.TrimSpace(name)
	i := strings.LastIndexByte(name, ' ')
	if i < 0 {
		return "", name
	}
	return strings.TrimSpace(name[:i]), name[i+1:]
}

// customerName is the name a NetSuite customer shows: its company name, or
// an individual's first and last name, or its Customer ID.
func customerName(c netsuite.Customer) string {
	if c.CompanyName != "" {
		return c.CompanyName
	}
	if n := strings.TrimSpace(c.FirstName + " " + c.LastName); n != "" {
		return n
	}
	return c.EntityID
}

// Names are NetSuite list records' names by internal id (the reverse of
// Lookups), for the NetSuite-master direction.
type Names struct {
	Locations    map[string]string
	Classes      map[string]string
	Departments  map[string]string
	Subsidiaries map[string]string
	Currencies   map[string]string
}

func refID(r *netsuite.Ref) string {
	if r == nil {
		return ""
	}
	return r.ID
}

// ZuoraAccountFromCustomer maps a NetSuite customer to the fields written on
// its Zuora account (NetSuite master). existing is the account already made
// for the customer (nil: a new one). Seed rules: account number mapping,
// number update behavior, and "De-concatenate account number ... only when
// the Zuora account does not have any transactions ... the connector checks
// the Zuora accounts for a Last Invoiced date"; Zuora refuses a number
// change on an account with transactions anyway, so no number change is sent
// for an account with a Last Invoice Date.
func ZuoraAccountFromCustomer(c netsuite.Customer, existing *zuora.Account, n Names, s settings.Settings) map[string]any {
	f := map[string]any{"Name": customerName(c)}
	number := CustomerNumber(c.EntityID, customerName(c), s)
	if s.Customer.DeconcatenateAccountNumber && s.Customer.NumberMapping != settings.DestinationAutoNumber {
		number = Deconcatenate(c.EntityID)
	}
	switch {
	case number == "":
	case existing == nil:
		f["AccountNumber"] = number
	case existing.LastInvoiceDate != "":
		// Zuora: the number of an account with transactions cannot change.
	case NumberUpdateAllowed(s) && existing.AccountNumber != number:
		f["AccountNumber"] = number
	}
	set := func(field, v string) {
		if v != "" || existing != nil {
			f[field] = v
		}
	}
	set("Location__NS", n.Locations[refID(c.Location)])
	set("Class__NS", n.Classes[refID(c.Class)])
	set("Department__NS", n.Departments[refID(c.Department)])
	set("Subsidiary__NS", n.Subsidiaries[refID(c.Subsidiary)])
	if c.IsPerson != nil {
		f["CustomerType__NS"] = map[bool]string{true: "Individual", false: "Company"}[*c.IsPerson]
	}
	if existing == nil {
		if cur := n.Currencies[refID(c.Currency)]; cur != "" {
			f["Currency"] = cur
		}
		// The CRUD API creates accounts as Draft; billing details (bill-to
		// contact, payment terms) are completed in Zuora before activation.
		f["Status"] = "Draft"
	}
	for k, v := range f {
		if v == "" {
			f[k] = nil // Zuora clears a field sent as null
		}
	}
	return f
}

// ValidateNetSuiteCustomer checks what a Zuora account needs.
func ValidateNetSuiteCustomer(c netsuite.Customer, n Names) []Problem {
	label := "NetSuite customer " + c.EntityID
	var ps []Problem
	if strings.TrimSpace(customerName(c)) == "" {
		ps = append(ps, Problem{Rule: RuleCustomerNameNotEmpty, RecordType: netsuite.TypeCustomer, RecordID: c.ID, Field: "companyName",
			Reason: label + " has no company name; a Zuora account needs a name"})
	}
	if id := refID(c.Currency); id != "" && n.Currencies[id] == "" {
		ps = append(ps, Problem{Rule: RuleCustomerCurrency, RecordType: netsuite.TypeCustomer, RecordID: c.ID, Field: "currency",
			Reason: fmt.Sprintf("%s has currency %s, which NetSuite does not name", label, id)})
	}
	return ps
}

// CustomerChanged reports whether writing want onto have would change
// anything NetSuite shows, so an unchanged customer is not written again.
func CustomerChanged(have, want netsuite.Customer) bool {
	ref := func(a, b *netsuite.Ref) bool { return b != nil && refID(a) != refID(b) }
	return (want.EntityID != "" && have.EntityID != want.EntityID) || have.CompanyName != want.CompanyName ||
		ref(have.Location, want.Location) || ref(have.Class, want.Class) || ref(have.Department, want.Department) ||
		ref(have.Subsidiary, want.Subsidiary) || ref(have.Currency, want.Currency) ||
		(want.IsPerson != nil && (have.IsPerson == nil || *have.IsPerson != *want.IsPerson)) || have.ZuoraID != want.ZuoraID ||
		have.FirstName != want.FirstName || have.LastName != want.LastName
}
