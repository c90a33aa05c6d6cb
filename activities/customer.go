package activities

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// customerColumns are the NetSuite customer columns the NetSuite-master selection reads.
// lastmodifieddate is read through TO_CHAR to the second: plain, SuiteQL
// answers it in the account's date format to the minute at best (N8), too
// coarse to tell a change from the sync that just wrote the customer.
const customerColumns = `id, entityid, companyname, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD"T"HH24:MI:SS') AS lastmodifieddate, externalid, custentity_zuora_id`

// SelectCustomers returns the next page of customers created or modified in
// the customer master since their last sync, in id order after in.AfterID:
// Zuora account ids when Zuora is the master, NetSuite customer internal ids
// when NetSuite is. As in SelectInvoices, the page is cut by id from the
// whole candidate list read in this call, so the cursor never expires.
func (a *Activities) SelectCustomers(ctx context.Context, in workflows.SelectInput) (workflows.SelectResult, error) {
	ctx = nsFields(ctx, in.Settings)
	if err := a.checkUnassignedPaymentsCustomer(ctx, in.Settings); err != nil {
		return workflows.SelectResult{}, err
	}
	var recs []workflows.SelectedRecord
	notSelected := 0
	if in.Settings.Customer.Master == settings.MasterNetSuite {
		customers, err := a.netsuiteCustomers(ctx, "")
		if err != nil {
			return workflows.SelectResult{}, retryable("selecting NetSuite customers", err)
		}
		links, err := a.accountLinks(ctx)
		if err != nil {
			return workflows.SelectResult{}, retryable("selecting NetSuite customers", err)
		}
		for _, c := range customers {
			if c.ID <= in.AfterID {
				continue
			}
			linked, _ := links.of(c)
			if ok, _ := mapping.NetSuiteCustomerSelectable(c, linked, in.Settings); ok {
				recs = append(recs, workflows.SelectedRecord{ID: c.ID, Number: c.EntityID})
			} else {
				notSelected++
			}
		}
	} else {
		// The run's snapshot, read once and cut by keyset (selection.go),
		// rather than every account re-read for every page.
		return keysetPage(ctx, a.Zuora, "select "+mapping.CustomerAccountFields+" from Account", "Zuora accounts", in,
			func(acct zuora.Account) string { return acct.ID },
			func(acct zuora.Account) (workflows.SelectedRecord, bool) {
				ok, _ := mapping.ZuoraAccountSelectable(acct, in.Settings)
				return workflows.SelectedRecord{ID: acct.ID, Number: acct.AccountNumber}, ok
			})
	}
	return selectionPage(recs, notSelected, in.Limit), nil
}

// selectionPage sorts candidates by id and cuts the first page of limit.
func selectionPage(recs []workflows.SelectedRecord, notSelected, limit int) workflows.SelectResult {
	sort.Slice(recs, func(i, j int) bool { return recs[i].ID < recs[j].ID })
	if limit <= 0 {
		limit = 100
	}
	res := workflows.SelectResult{Records: recs, NotSelected: notSelected, Done: true}
	if len(recs) > limit {
		res.Records, res.Done = recs[:limit], false
	}
	return res
}

// checkUnassignedPaymentsCustomer: the seed's unassigned payments customer
// is a NetSuite customer id; a wrong one is a settings error the run reports
// before anything is written (retrying cannot fix it).
func (a *Activities) checkUnassignedPaymentsCustomer(ctx context.Context, s settings.Settings) error {
	id := s.Customer.UnassignedPaymentsCustomer
	if err := mapping.ValidateUnassignedPaymentsCustomer(id); err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), "BadSettings", nil)
	}
	if id == "" {
		return nil
	}
	rows, err := a.NetSuite.QueryAll(ctx, "SELECT id FROM customer WHERE id = "+netsuite.Quote(id)+" ORDER BY id")
	if err != nil {
		return retryable("checking the unassigned payments customer", err)
	}
	if len(rows) == 0 {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf(
			"customerSync.unassignedPaymentsCustomerId: NetSuite has no customer with internal id %s; create the customer that holds unassigned payments, or fix the setting", id),
			"BadSettings", nil)
	}
	return nil
}

// netsuiteCustomers reads customers by SuiteQL (all, or one id), sorted by id.
func (a *Activities) netsuiteCustomers(ctx context.Context, id string) ([]netsuite.Customer, error) {
	q := "SELECT " + customerColumns + " FROM customer"
	if id != "" {
		q += " WHERE id = " + netsuite.Quote(id)
	}
	rows, err := a.NetSuite.QueryAll(ctx, q+" ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("reading NetSuite customers: %w", err)
	}
	out := make([]netsuite.Customer, 0, len(rows))
	for _, r := range rows {
		modified, err := suiteTime(ctx, suiteCell(r, "lastmodifieddate"))
		if err != nil {
			return nil, fmt.Errorf("NetSuite customer %s: lastmodifieddate: %w", suiteCell(r, "id"), err)
		}
		out = append(out, netsuite.Customer{ID: suiteCell(r, "id"), EntityID: suiteCell(r, "entityid"), CompanyName: suiteCell(r, "companyname"),
			LastModifiedDate: modified, ExternalID: suiteCell(r, "externalid"), ZuoraID: suiteCell(r, "custentity_zuora_id")})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func suiteCell(row map[string]any, col string) string {
	v, ok := row[col]
	if !ok || v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// accountLinks index Zuora accounts by id and by the NetSuite customer id
// they are linked to (IntegrationId__NS).
type accountLinks struct {
	byID map[string]*zuora.Account
	byNS map[string][]*zuora.Account
}

func (a *Activities) accountLinks(ctx context.Context) (*accountLinks, error) {
	accts, err := zuora.QueryAll[zuora.Account](ctx, a.Zuora, "select "+mapping.CustomerAccountFields+" from Account")
	if err != nil {
		return nil, fmt.Errorf("reading Zuora accounts: %w", err)
	}
	l := &accountLinks{byID: map[string]*zuora.Account{}, byNS: map[string][]*zuora.Account{}}
	for i := range accts {
		acct := &accts[i]
		l.byID[acct.ID] = acct
		if acct.IntegrationID != "" {
			l.byNS[acct.IntegrationID] = append(l.byNS[acct.IntegrationID], acct)
		}
	}
	return l, nil
}

// of is the Zuora account of a NetSuite customer: named by the customer
// (custentity_zuora_id, or the external id the Zuora-master sync gives it),
// else the account whose Integration Id is the customer. others lists
// further accounts claiming the same customer.
func (l *accountLinks) of(c netsuite.Customer) (linked *zuora.Account, others []*zuora.Account) {
	if acct := l.byID[c.ZuoraID]; c.ZuoraID != "" && acct != nil {
		return acct, nil
	}
	if zid, ok := strings.CutPrefix(c.ExternalID, netsuite.CustomerExternalID("")); ok {
		if acct := l.byID[zid]; acct != nil {
			return acct, nil
		}
	}
	claims := l.byNS[c.ID]
	if len(claims) == 0 {
		return nil, nil
	}
	sort.Slice(claims, func(i, j int) bool { return claims[i].ID < claims[j].ID })
	return claims[0], claims[1:]
}

// SyncCustomer syncs one customer from the master to the other application.
func (a *Activities) SyncCustomer(ctx context.Context, in workflows.CustomerSyncInput) (workflows.CustomerSyncResult, error) {
	ctx = nsFields(ctx, in.Settings)
	var (
		res workflows.CustomerSyncResult
		err error
	)
	if in.Settings.Customer.Master == settings.MasterNetSuite {
		res, err = a.syncNetSuiteCustomer(ctx, in)
	} else {
		res, err = a.syncZuoraAccount(ctx, in)
	}
	res.ID, res.Master = in.ID, in.Settings.Customer.Master
	if err != nil {
		if !permanent(err) {
			return res, retryable("syncing customer "+in.ID, err)
		}
		// NetSuite or Zuora refused the record itself (e.g. a duplicate
		// Customer ID): retrying cannot help, the finance user can.
		if res, err = a.customerError(ctx, res, "the destination refused the customer: "+err.Error()); err != nil {
			return res, err
		}
	}
	if res.Outcome != workflows.OutcomeSkipped {
		a.record(workflows.RecordCustomer, res.Outcome)
	}
	return res, nil
}

// syncZuoraAccount: Zuora is the master. The NetSuite customer is found by
// the account's Integration Id or the external id zuora-account-<id>, and
// created by upsert on that external id, so a retry after a lost answer
// finds the customer it made.
func (a *Activities) syncZuoraAccount(ctx context.Context, in workflows.CustomerSyncInput) (workflows.CustomerSyncResult, error) {
	s := in.Settings
	var acct zuora.Account
	if err := a.Zuora.GetObject(ctx, zuora.ObjAccount, in.ID, &acct); err != nil {
		if zuora.IsNotFound(err) {
			return workflows.CustomerSyncResult{Outcome: workflows.OutcomeSkipped, Reason: "the account no longer exists in Zuora"}, nil
		}
		return workflows.CustomerSyncResult{}, fmt.Errorf("reading account %s: %w", in.ID, err)
	}
	res := workflows.CustomerSyncResult{ZuoraID: acct.ID, Number: acct.AccountNumber}
	if ok, why := mapping.ZuoraAccountSelectable(acct, s); !ok {
		res.Outcome, res.Reason = workflows.OutcomeSkipped, why
		return res, nil
	}
	lookups := newLookupResolver(a.NetSuite)
	if err := lookups.classifications(ctx, accountClass(acct)); err != nil {
		return res, err
	}
	currencies := map[string]string{}
	if err := lookups.resolve(ctx, "currency", "symbol", currencies, []string{acct.Currency}); err != nil {
		return res, err
	}
	if ps := mapping.ValidateZuoraAccount(acct, lookups.l, currencies); len(ps) > 0 {
		return a.customerError(ctx, res, problemText(ps))
	}

	existing, err := a.findCustomer(ctx, acct)
	if err == nil && existing == nil {
		// Issue 17: the customer Zuora's own connector made (cutover.go).
		existing, _, err = a.findOldCustomer(ctx, s, acct)
	}
	if err != nil {
		return res, err
	}
	eid := netsuite.CustomerExternalID(acct.ID)
	body := mapping.NetSuiteCustomerFromAccount(acct, lookups.l, currencies, existing != nil, s)
	switch {
	case existing == nil:
		id, err := a.NetSuite.Upsert(ctx, netsuite.TypeCustomer, eid, body)
		if err != nil {
			return res, fmt.Errorf("creating the NetSuite customer: %w", err)
		}
		res.NetSuiteID, res.Action = id, workflows.ActionCreated
	case s.Customer.Behavior == settings.SyncNewOnly:
		// Only reached when an earlier attempt made the customer and lost
		// the answer: Sync New Records Only never updates it.
		res.NetSuiteID, res.Action = existing.ID, workflows.ActionUnchanged
	case mapping.CustomerChanged(*existing, body):
		if err := a.NetSuite.Patch(ctx, netsuite.TypeCustomer, existing.ID, body); err != nil {
			return res, fmt.Errorf("updating NetSuite customer %s: %w", existing.ID, err)
		}
		res.NetSuiteID, res.Action = existing.ID, workflows.ActionUpdated
	default:
		res.NetSuiteID, res.Action = existing.ID, workflows.ActionUnchanged
	}
	// The number NetSuite shows (its own when it auto-numbers).
	var after netsuite.Customer
	if err := a.NetSuite.Get(ctx, netsuite.TypeCustomer, res.NetSuiteID, false, &after); err != nil {
		return res, fmt.Errorf("reading back NetSuite customer %s: %w", res.NetSuiteID, err)
	}
	res.Number = after.EntityID
	if err := a.Zuora.UpdateObject(ctx, zuora.ObjAccount, acct.ID, map[string]any{
		"IntegrationId__NS": res.NetSuiteID, "IntegrationStatus__NS": zuora.StatusSyncComplete, "SyncDate__NS": zuoraDate(a.now()),
	}); err != nil {
		return res, fmt.Errorf("writing back Sync Complete: %w", err)
	}
	res.Outcome = workflows.OutcomeSynced
	a.log(ctx).Info("customer synced to NetSuite", "account_id", acct.ID, "netsuite_id", res.NetSuiteID, "action", res.Action)
	return res, nil
}

// findCustomer is the account's NetSuite customer: the one its Integration
// Id names, else the one with its external id; nil when there is none.
func (a *Activities) findCustomer(ctx context.Context, acct zuora.Account) (*netsuite.Customer, error) {
	for _, key := range []string{acct.IntegrationID, netsuite.EID(netsuite.CustomerExternalID(acct.ID))} {
		if key == "" {
			continue
		}
		var c netsuite.Customer
		err := a.NetSuite.Get(ctx, netsuite.TypeCustomer, key, false, &c)
		if err == nil {
			return &c, nil
		}
		if !netsuite.IsNotFound(err) {
			return nil, fmt.Errorf("looking up the NetSuite customer: %w", err)
		}
	}
	return nil, nil
}

// syncNetSuiteCustomer: NetSuite is the master. The Zuora account is found
// by its link to the customer and created with an Idempotency-Key derived
// from the NetSuite id and with IntegrationId__NS set, so neither a retried
// call nor a later run makes a second one. Nothing is written to NetSuite.
func (a *Activities) syncNetSuiteCustomer(ctx context.Context, in workflows.CustomerSyncInput) (workflows.CustomerSyncResult, error) {
	s := in.Settings
	res := workflows.CustomerSyncResult{NetSuiteID: in.ID}
	var c netsuite.Customer
	if err := a.NetSuite.Get(ctx, netsuite.TypeCustomer, in.ID, false, &c); err != nil {
		if netsuite.IsNotFound(err) {
			return workflows.CustomerSyncResult{Outcome: workflows.OutcomeSkipped, Reason: "the customer no longer exists in NetSuite"}, nil
		}
		return res, fmt.Errorf("reading NetSuite customer %s: %w", in.ID, err)
	}
	res.Number = c.EntityID
	links, err := a.accountLinksOf(ctx, c)
	if err != nil {
		return res, err
	}
	linked, others := links.of(c)
	if linked != nil {
		res.ZuoraID = linked.ID
	}
	if len(others) > 0 {
		ids := []string{linked.ID}
		for _, o := range others {
			ids = append(ids, o.ID)
		}
		reason := fmt.Sprintf("Zuora accounts %s all have NetSuite customer %s (%s) as their Integration Id; keep it on one account only",
			strings.Join(ids, ", "), c.ID, c.EntityID)
		for _, o := range others {
			if err := a.markAccountError(ctx, o.ID, reason); err != nil {
				return res, err
			}
		}
		return a.customerError(ctx, res, reason)
	}
	if ok, why := mapping.NetSuiteCustomerSelectable(c, linked, s); !ok {
		res.Outcome, res.Reason = workflows.OutcomeSkipped, why
		return res, nil
	}
	names, err := a.listNames(ctx, c)
	if err != nil {
		return res, err
	}
	if ps := mapping.ValidateNetSuiteCustomer(c, names); len(ps) > 0 {
		return a.customerError(ctx, res, problemText(ps))
	}
	fields := mapping.ZuoraAccountFromCustomer(c, linked, names, s)
	fields["IntegrationId__NS"] = c.ID
	switch {
	case linked == nil:
		// The key and the body depend only on the NetSuite record, so a retry
		// of this call replays Zuora's first answer.
		id, err := a.Zuora.CreateObject(ctx, zuora.ObjAccount, fields, "netsuite-customer-"+c.ID)
		if err != nil {
			return res, fmt.Errorf("creating the Zuora account: %w", err)
		}
		res.ZuoraID, res.Action = id, workflows.ActionCreated
	case s.Customer.Behavior == settings.SyncNewOnly:
		res.Action = workflows.ActionUnchanged
	default:
		if err := a.Zuora.UpdateObject(ctx, zuora.ObjAccount, linked.ID, fields); err != nil {
			return res, fmt.Errorf("updating Zuora account %s: %w", linked.ID, err)
		}
		res.Action = workflows.ActionUpdated
	}
	if err := a.Zuora.UpdateObject(ctx, zuora.ObjAccount, res.ZuoraID, map[string]any{
		"IntegrationId__NS": c.ID, "IntegrationStatus__NS": zuora.StatusSyncComplete, "SyncDate__NS": zuoraDate(a.now()),
	}); err != nil {
		return res, fmt.Errorf("writing back Sync Complete: %w", err)
	}
	var after zuora.Account
	if err := a.Zuora.GetObject(ctx, zuora.ObjAccount, res.ZuoraID, &after); err != nil {
		return res, fmt.Errorf("reading back Zuora account %s: %w", res.ZuoraID, err)
	}
	res.Number, res.Outcome = after.AccountNumber, workflows.OutcomeSynced
	a.log(ctx).Info("customer synced to Zuora", "netsuite_id", c.ID, "account_id", res.ZuoraID, "action", res.Action)
	return res, nil
}

// accountLinksOf reads only the Zuora accounts a NetSuite customer may be
// linked to (by its own fields or by Integration Id).
func (a *Activities) accountLinksOf(ctx context.Context, c netsuite.Customer) (*accountLinks, error) {
	conds := []string{"IntegrationId__NS = " + zuora.Quote(c.ID)}
	if c.ZuoraID != "" {
		conds = append(conds, "Id = "+zuora.Quote(c.ZuoraID))
	}
	if zid, ok := strings.CutPrefix(c.ExternalID, netsuite.CustomerExternalID("")); ok && zid != "" {
		conds = append(conds, "Id = "+zuora.Quote(zid))
	}
	accts, err := zuora.QueryAll[zuora.Account](ctx, a.Zuora, "select "+mapping.CustomerAccountFields+" from Account where "+strings.Join(conds, " or "))
	if err != nil {
		return nil, fmt.Errorf("looking up the customer's Zuora account: %w", err)
	}
	l := &accountLinks{byID: map[string]*zuora.Account{}, byNS: map[string][]*zuora.Account{}}
	for i := range accts {
		acct := &accts[i]
		l.byID[acct.ID] = acct
		if acct.IntegrationID != "" {
			l.byNS[acct.IntegrationID] = append(l.byNS[acct.IntegrationID], acct)
		}
	}
	return l, nil
}

// listNames resolves the customer's list references (ids) to the names
// Zuora's __NS fields hold, and its currency to the currency code.
func (a *Activities) listNames(ctx context.Context, c netsuite.Customer) (mapping.Names, error) {
	n := mapping.Names{Locations: map[string]string{}, Classes: map[string]string{}, Departments: map[string]string{},
		Subsidiaries: map[string]string{}, Currencies: map[string]string{}}
	for _, q := range []struct {
		table, column string
		ref           *netsuite.Ref
		into          map[string]string
	}{
		{"location", "name", c.Location, n.Locations}, {"classification", "name", c.Class, n.Classes},
		{"department", "name", c.Department, n.Departments}, {"subsidiary", "name", c.Subsidiary, n.Subsidiaries},
		{"currency", "symbol", c.Currency, n.Currencies},
	} {
		if q.ref == nil || q.ref.ID == "" {
			continue
		}
		rows, err := a.NetSuite.QueryAll(ctx, fmt.Sprintf("SELECT id, %s FROM %s WHERE id = %s ORDER BY id", q.column, q.table, netsuite.Quote(q.ref.ID)))
		if err != nil {
			return n, fmt.Errorf("looking up NetSuite %s %s: %w", q.table, q.ref.ID, err)
		}
		for _, r := range rows {
			q.into[suiteCell(r, "id")] = suiteCell(r, q.column)
		}
	}
	return n, nil
}

// customerError ends a customer in Error: on its Zuora account when there is
// one (Integration Status "Error: <reason>"), always in the result.
func (a *Activities) customerError(ctx context.Context, res workflows.CustomerSyncResult, reason string) (workflows.CustomerSyncResult, error) {
	if res.ZuoraID != "" {
		if err := a.markAccountError(ctx, res.ZuoraID, reason); err != nil {
			return res, err
		}
	}
	res.Outcome, res.Reason = workflows.OutcomeError, reason
	a.log(ctx).Info("customer sync ended in error", "account_id", res.ZuoraID, "netsuite_id", res.NetSuiteID, "reason", reason)
	return res, nil
}

// markAccountError writes the reason on the account. Zuora accounts have no
// Transferred To Accounting; Integration Status carries it, as on invoices.
func (a *Activities) markAccountError(ctx context.Context, accountID, reason string) error {
	if err := a.Zuora.UpdateObject(ctx, zuora.ObjAccount, accountID, map[string]any{
		"IntegrationStatus__NS": statusText("Error: ", reason),
	}); err != nil {
		if zuora.IsNotFound(err) {
			return nil // deleted meanwhile: nothing left to mark
		}
		return retryable("recording the error on account "+accountID, err)
	}
	return nil
}

// MarkCustomerFailed records a customer sync whose retries ran out as Error
// on the Zuora account, so no account is left without a reason.
func (a *Activities) MarkCustomerFailed(ctx context.Context, in workflows.MarkCustomerFailedInput) error {
	a.record(workflows.RecordCustomer, workflows.OutcomeError)
	if in.Master != settings.MasterNetSuite {
		return a.markAccountError(ctx, in.ID, in.Reason)
	}
	accts, err := zuora.QueryAll[zuora.Account](ctx, a.Zuora, "select Id from Account where IntegrationId__NS = "+zuora.Quote(in.ID))
	if err != nil {
		return retryable("finding the Zuora account of NetSuite customer "+in.ID, err)
	}
	// No account yet: the customer stays new and the next run tries again;
	// the run's result carries the reason.
	for _, acct := range accts {
		if err := a.markAccountError(ctx, acct.ID, in.Reason); err != nil {
			return err
		}
	}
	return nil
}

// suiteTime reads a SuiteQL date-time (in the account's date format, N8) as
// RFC 3339 for comparison with Zuora times. A value known to the minute is
// taken as the end of that minute: a change made in the minute of the last
// sync then counts as after it (one extra sync rather than a missed one).
func suiteTime(ctx context.Context, v string) (string, error) {
	if v == "" {
		return "", nil
	}
	t, prec, err := netsuite.ParseDate(v, netsuite.DateFormatOf(ctx))
	if err != nil {
		return "", err
	}
	if prec > 0 {
		t = t.Add(prec - time.Second)
	}
	return t.UTC().Format(time.RFC3339), nil
}
