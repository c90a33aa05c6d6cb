package activities

import (
	"context"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// Cutover from Zuora's own NetSuite connector (issue 17, docs/cutover.md).
// That connector marks a record Creating…/Processing before its NetSuite
// write and Sync Complete with IntegrationId__NS after it; a record it left
// in between may already have its NetSuite record. Its own error recovery
// looks in NetSuite first and completes the record when found
// (reference/zuora-connector-money-sync.md 0.3): this connector does the same
// before it creates anything, or it would make a second record next to the
// old connector's (whose external id is not ours, so our upsert misses it).

// Cutover actions: what this connector does with a record the old one left.
const (
	CutoverMatch  = "match and complete" // its NetSuite record exists: linked, nothing created
	CutoverSync   = "sync"               // no NetSuite record: synced as any other, once
	CutoverResume = "resume"             // this connector's own record exists (external id): the sync completes it
	CutoverPerson = "leave for a person" // a NetSuite record that cannot be taken as it is
)

// LeftByOldConnector tells whether a Zuora record is in a state from which
// Zuora's connector's error recovery looks for the destination record: an
// Integration Status Creating…/Updating…/Error…/Syncing…, Transferred To
// Accounting Processing or Error, or an Integration Id on a record not Sync
// Complete. A fresh record (blank status, TTA No) costs no lookup.
func LeftByOldConnector(tta string, f zuora.NSFields) bool {
	if f.IntegrationStatus == zuora.StatusSyncComplete || f.IntegrationStatus == "Ignore" {
		return false
	}
	switch {
	case tta == zuora.TransferProcessing, tta == zuora.TransferError, f.IntegrationID != "":
		return true
	}
	st := strings.ToLower(f.IntegrationStatus)
	for _, p := range []string{"creating", "updating", "syncing", "error"} {
		if strings.HasPrefix(st, p) {
			return true
		}
	}
	return false
}

// OldKey is what a Zuora record offers to find its NetSuite transaction.
type OldKey struct {
	RecordType    string // netsuite.TypeInvoice | netsuite.TypeCreditMemo: what the record becomes
	ZuoraID       string // the Zuora record id (the old connector's "Zuora ID" body field)
	IntegrationID string // IntegrationId__NS: the NetSuite internal id, when the old connector wrote it
	Number        string // the Zuora number: tranId under "Use Number From Source Record"
	Customer      string // the account's IntegrationId__NS: a tranId match must be this customer's
}

// OldMatch is the lookup's answer. Found with Problem == "" is a record to
// link; a Problem is a NetSuite record that needs a person first.
type OldMatch struct {
	Found      bool
	NetSuiteID string
	TranID     string
	By         string // which key found it: IntegrationId__NS, Zuora ID field, tranId
	Total      *decimal.Decimal
	Problem    string
}

// suiteTypes are SuiteQL's transaction type codes.
var suiteTypes = map[string]string{netsuite.TypeInvoice: "CustInvc", netsuite.TypeCreditMemo: "CustCred"}

// ours: an external id this connector gives (zuora-invoice-, zuora-iia-,
// zuora-account-, …). Those records are found by external id, never here.
func ours(externalID string) bool { return strings.HasPrefix(externalID, "zuora-") }

// FindOldTransaction looks for the NetSuite transaction Zuora's connector
// made for a Zuora record: by its IntegrationId__NS (NetSuite internal id),
// by the Zuora ID body field (settings netsuite.fields.zuoraId; the old
// connector writes the Zuora id there, and recovers by it), then by
// transaction number. A record carrying this connector's external id is not
// the old connector's. A tranId alone is weak (NetSuite numbers its own
// records too), so it must belong to the same customer and not name another
// Zuora record.
func (a *Activities) FindOldTransaction(ctx context.Context, s settings.Settings, k OldKey) (OldMatch, error) {
	field := s.NetSuite.Fields.ZuoraID
	if field == "" {
		field = settings.DefaultNetSuiteFields().ZuoraID
	}
	typ := suiteTypes[k.RecordType]
	cols := "SELECT id, type, tranid, externalid, entity, foreigntotal, " + field + " AS zuoraid FROM transaction WHERE "
	look := func(by, where string) ([]map[string]any, error) {
		rows, err := a.NetSuite.QueryAll(ctx, cols+where+" ORDER BY id")
		if err != nil {
			return nil, fmt.Errorf("looking up the NetSuite record Zuora's connector made (by %s): %w", by, err)
		}
		var out []map[string]any
		for _, r := range rows {
			if !ours(suiteCell(r, "externalid")) {
				out = append(out, r)
			}
		}
		return out, nil
	}
	match := func(by string, r map[string]any) OldMatch {
		m := OldMatch{Found: true, NetSuiteID: suiteCell(r, "id"), TranID: suiteCell(r, "tranid"), By: by}
		if t, err := decimal.NewFromString(suiteCell(r, "foreigntotal")); err == nil {
			m.Total = &t
		}
		if got := suiteCell(r, "type"); got != typ {
			m.Problem = fmt.Sprintf("NetSuite transaction %s (found by %s) is of type %s, not the %s this record becomes", m.NetSuiteID, by, got, k.RecordType)
		} else if z := suiteCell(r, "zuoraid"); z != "" && z != k.ZuoraID {
			m.Problem = fmt.Sprintf("NetSuite %s %s (found by %s) names Zuora record %s in %s, not %s", k.RecordType, m.NetSuiteID, by, z, field, k.ZuoraID)
		} else if e := suiteCell(r, "entity"); k.Customer != "" && e != "" && e != k.Customer {
			m.Problem = fmt.Sprintf("NetSuite %s %s (found by %s) belongs to customer %s, not the account's customer %s", k.RecordType, m.NetSuiteID, by, e, k.Customer)
		}
		return m
	}
	// An internal id is digits; anything else (a split invoice's list, a
	// hand-typed value) is no key, and SuiteQL would refuse it.
	if id := k.IntegrationID; id != "" && strings.Trim(id, "0123456789") == "" {
		rows, err := look("IntegrationId__NS", "id = "+netsuite.Quote(id))
		if err != nil {
			return OldMatch{}, err
		}
		if len(rows) > 0 {
			return match("IntegrationId__NS", rows[0]), nil
		}
		// Deleted in NetSuite (the documented way to undo a sync): the other keys decide.
	}
	if k.ZuoraID != "" {
		rows, err := look("Zuora ID field", field+" = "+netsuite.Quote(k.ZuoraID)+" AND type = "+netsuite.Quote(typ))
		if err != nil {
			return OldMatch{}, err
		}
		if len(rows) > 1 {
			return OldMatch{Found: true, By: "Zuora ID field", NetSuiteID: suiteCell(rows[0], "id"),
				Problem: fmt.Sprintf("%d NetSuite %s records carry Zuora id %s in %s: keep one, delete the others", len(rows), k.RecordType, k.ZuoraID, field)}, nil
		}
		if len(rows) == 1 {
			return match("Zuora ID field", rows[0]), nil
		}
	}
	if k.Number != "" {
		rows, err := look("tranId", "tranid = "+netsuite.Quote(k.Number)+" AND type = "+netsuite.Quote(typ))
		if err != nil {
			return OldMatch{}, err
		}
		for _, r := range rows {
			m := match("tranId", r)
			if z := suiteCell(r, "zuoraid"); z == "" && (k.Customer == "" || suiteCell(r, "entity") != k.Customer) {
				// Same number, nothing else tying it to this record: not taken
				// as the match, but shown, since NetSuite may refuse a second
				// record of that number.
				m.Problem = fmt.Sprintf("NetSuite %s %s has tranId %s but nothing ties it to Zuora record %s (another customer, no Zuora id)", k.RecordType, m.NetSuiteID, k.Number, k.ZuoraID)
			}
			return m, nil
		}
	}
	return OldMatch{}, nil
}

// OldInvoiceVerdict decides what this connector does with an invoice the old
// connector may have left: resume its own record, link the old connector's
// (when its total is the Zuora amount), sync it, or leave it for a person.
// Read-only: the invoice sync and `starter cutover check` both ask it.
func (a *Activities) OldInvoiceVerdict(ctx context.Context, s settings.Settings, inv zuora.Invoice, acct zuora.Account) (string, OldMatch, error) {
	mine, err := a.findByExternalID(ctx, partExternalID(inv.ID, 0))
	if err != nil {
		return "", OldMatch{}, err
	}
	if mine != "" {
		return CutoverResume, OldMatch{Found: true, NetSuiteID: mine, By: "this connector's external id"}, nil
	}
	recordType, _ := mapping.InvoiceTarget(inv)
	m, err := a.FindOldTransaction(ctx, s, OldKey{RecordType: recordType, ZuoraID: inv.ID, IntegrationID: inv.IntegrationID,
		Number: inv.InvoiceNumber, Customer: acct.IntegrationID})
	if err != nil || !m.Found {
		return CutoverSync, m, err
	}
	if m.Problem == "" {
		if want, check := expectedTotal(inv, s); check && (m.Total == nil || !m.Total.Equal(want)) {
			got := "no total"
			if m.Total != nil {
				got = m.Total.StringFixed(2)
			}
			// The old connector writes lines in batches too: a record it left
			// half-made must not be taken as the invoice.
			m.Problem = fmt.Sprintf("NetSuite %s %s (found by %s) totals %s but the Zuora invoice amounts to %s: "+
				"complete or delete it in NetSuite, then set Transferred To Accounting back to No", recordType, m.NetSuiteID, m.By, got, want.StringFixed(2))
		}
	}
	if m.Problem != "" {
		return CutoverPerson, m, nil
	}
	return CutoverMatch, m, nil
}

// adoptOldConnectorInvoice runs before anything is written for an invoice:
// one the old connector already made in NetSuite is completed with that
// record's id and nothing created; one that needs a person ends Error with
// the reason. done=false lets the sync go on (nothing found, or ours).
func (j *invoiceJob) adoptOldConnectorInvoice(ctx context.Context) (workflows.SyncInvoiceStep, bool, error) {
	if !LeftByOldConnector(j.inv.TransferredToAccounting, j.inv.NSFields) {
		return workflows.SyncInvoiceStep{}, false, nil
	}
	verdict, m, err := j.a.OldInvoiceVerdict(ctx, j.s, j.inv, j.acct)
	if err != nil {
		return workflows.SyncInvoiceStep{}, false, err
	}
	switch verdict {
	case CutoverPerson:
		step, err := j.finish(ctx, workflows.OutcomeError, "before syncing: "+m.Problem)
		return step, true, err
	case CutoverMatch:
	default:
		return workflows.SyncInvoiceStep{}, false, nil
	}
	if err := j.a.stillCurrent(ctx); err != nil {
		return workflows.SyncInvoiceStep{}, false, err
	}
	if err := j.a.Zuora.UpdateInvoice(ctx, j.inv.ID, zuora.InvoiceUpdate{
		IntegrationID: ptr(m.NetSuiteID), IntegrationStatus: ptr(zuora.StatusSyncComplete),
		TransferredToAccounting: ptr(zuora.TransferYes), SyncDate: ptr(zuoraDate(j.a.now())),
	}); err != nil {
		return workflows.SyncInvoiceStep{}, false, fmt.Errorf("writing back Sync Complete for the old connector's record: %w", err)
	}
	j.state.NetSuiteID = m.NetSuiteID
	j.a.record(workflows.RecordInvoice, workflows.OutcomeSynced)
	reason := fmt.Sprintf("linked to NetSuite %s %s that Zuora's connector made (found by %s); nothing created", j.state.RecordType, m.NetSuiteID, m.By)
	j.a.log(ctx).Info("invoice matched to the old connector's record", "invoice_id", j.inv.ID, "netsuite_id", m.NetSuiteID, "by", m.By)
	return workflows.SyncInvoiceStep{State: j.state, Outcome: workflows.OutcomeSynced, Reason: reason}, true, nil
}

// findOldCustomer is the NetSuite customer Zuora's connector made for an
// account it left before writing IntegrationId__NS back, nil when there is
// none. Keys, in order: its Zuora ID entity field (netsuite.fields.
// customerZuoraId, which names the old bundle's field only when the operator
// set it so: docs/cutover.md) = the account id; then, under "Use Number From
// Source Record", its Customer ID (entityId) = the account number (the old
// connector's documented mapping; NetSuite would refuse a second customer
// of that id anyway). A customer with this connector's external id, or whose
// Zuora ID field names another account, is never taken.
func (a *Activities) findOldCustomer(ctx context.Context, s settings.Settings, acct zuora.Account) (*netsuite.Customer, string, error) {
	if acct.IntegrationID != "" || !LeftByOldConnector("", acct.NSFields) {
		return nil, "", nil
	}
	field := orID(s.NetSuite.Fields.CustomerZuoraID, settings.DefaultNetSuiteFields().CustomerZuoraID)
	keys := [][2]string{{field, field + " = " + netsuite.Quote(acct.ID)}}
	if s.Customer.NumberMapping == settings.NumberFromSource && acct.AccountNumber != "" {
		keys = append(keys, [2]string{"Customer ID", "entityid = " + netsuite.Quote(acct.AccountNumber)})
	}
	for _, k := range keys {
		rows, err := a.NetSuite.QueryAll(ctx, "SELECT id, externalid, "+field+" AS zuoraid FROM customer WHERE "+k[1]+" ORDER BY id")
		if err != nil {
			return nil, "", fmt.Errorf("looking up the NetSuite customer Zuora's connector made (by %s): %w", k[0], err)
		}
		for _, r := range rows {
			if z := suiteCell(r, "zuoraid"); ours(suiteCell(r, "externalid")) || (z != "" && z != acct.ID) {
				continue
			}
			var c netsuite.Customer
			if err := a.NetSuite.Get(ctx, netsuite.TypeCustomer, suiteCell(r, "id"), false, &c); err != nil {
				return nil, "", fmt.Errorf("reading NetSuite customer %s: %w", suiteCell(r, "id"), err)
			}
			return &c, k[0], nil
		}
	}
	return nil, "", nil
}

// OldAdjustmentVerdict is OldInvoiceVerdict for an invoice item adjustment
// (inv: the adjusted invoice, acct: its account). recordType is what the
// adjustment becomes in NetSuite ("" when its type says neither).
func (a *Activities) OldAdjustmentVerdict(ctx context.Context, s settings.Settings, adj zuora.InvoiceItemAdjustment, inv zuora.Invoice, acct zuora.Account) (verdict string, m OldMatch, recordType string, err error) {
	target, ok := mapping.AdjustmentTarget(adj, inv.Amount.IsNegative())
	if !ok {
		return CutoverSync, OldMatch{}, "", nil // the validations say why
	}
	mine, err := a.findByExternalID(ctx, netsuite.AdjustmentExternalID(adj.ID))
	if err != nil {
		return "", OldMatch{}, target.RecordType, err
	}
	if mine != "" {
		return CutoverResume, OldMatch{Found: true, NetSuiteID: mine, By: "this connector's external id"}, target.RecordType, nil
	}
	m, err = a.FindOldTransaction(ctx, s, OldKey{RecordType: target.RecordType, ZuoraID: adj.ID, IntegrationID: adj.IntegrationID,
		Number: adj.AdjustmentNumber, Customer: acct.IntegrationID})
	if err != nil || !m.Found {
		return CutoverSync, m, target.RecordType, err
	}
	if m.Problem == "" && m.Total != nil && !m.Total.Equal(adj.Amount.Abs()) {
		m.Problem = fmt.Sprintf("NetSuite %s %s (found by %s) totals %s but the adjustment amounts to %s: complete or delete it in NetSuite, "+
			"then set Transferred To Accounting back to No", target.RecordType, m.NetSuiteID, m.By, m.Total.StringFixed(2), adj.Amount.Abs().StringFixed(2))
	}
	if m.Problem != "" {
		return CutoverPerson, m, target.RecordType, nil
	}
	return CutoverMatch, m, target.RecordType, nil
}

// adoptOldConnectorAdjustment is adoptOldConnectorInvoice for an invoice item
// adjustment, in PrepareAdjustment (before the adjustment is marked
// Processing, so its state is still the old connector's): a NetSuite record
// the old connector made for it is linked (Sync Complete, IntegrationId__NS)
// and the plan says Synced, so the workflow writes nothing else; one that
// needs a person makes the plan Error. false: go on as usual.
func (a *Activities) adoptOldConnectorAdjustment(ctx context.Context, s settings.Settings, j *adjustmentJob, plan *workflows.AdjustmentPlan) (bool, error) {
	if !LeftByOldConnector(j.adj.TransferredToAccounting, j.adj.NSFields) {
		return false, nil
	}
	verdict, m, recordType, err := a.OldAdjustmentVerdict(ctx, s, j.adj, j.inv, j.acct)
	if err != nil {
		return false, err
	}
	switch verdict {
	case CutoverPerson:
		plan.Outcome, plan.Reason = workflows.OutcomeError, "before syncing: "+m.Problem
		return true, nil
	case CutoverMatch:
	default:
		return false, nil
	}
	if err := a.stillCurrent(ctx); err != nil {
		return false, err
	}
	if err := a.Zuora.UpdateObject(ctx, zuora.ObjInvoiceItemAdjustment, j.adj.ID, map[string]any{
		"IntegrationId__NS": m.NetSuiteID, "IntegrationStatus__NS": zuora.StatusSyncComplete,
		"TransferredToAccounting": zuora.TransferYes, "SyncDate__NS": zuoraDate(a.now()),
	}); err != nil {
		return false, fmt.Errorf("writing back Sync Complete for the old connector's record: %w", err)
	}
	plan.RecordType, plan.Outcome = recordType, workflows.OutcomeSynced
	plan.Reason = fmt.Sprintf("linked to NetSuite %s %s that Zuora's connector made (found by %s); nothing created", recordType, m.NetSuiteID, m.By)
	return true, nil
}
