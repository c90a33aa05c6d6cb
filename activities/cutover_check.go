package activities

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// `starter cutover check` (issue 17, docs/cutover.md): before the first run,
// what Zuora's own connector left and what this connector will do with each.
// Read-only, and it decides with the same functions the syncs use
// (OldInvoiceVerdict, OldAdjustmentVerdict, findOldCustomer), so the report
// says what the run will do.

// CutoverKeep is a NetSuite record the old connector synced and a Zuora
// record links to: this connector leaves it as it is (counted, not listed).
const CutoverKeep = "keep"

// CutoverUntouched is a NetSuite record with no sign of Zuora (made in
// NetSuite or by another integration): counted, not listed.
const CutoverUntouched = "not touched"

// CutoverFinding is one record the old connector left.
type CutoverFinding struct {
	System   string `json:"system"` // Zuora | NetSuite
	Object   string `json:"object"` // Invoice, InvoiceItemAdjustment, Account; invoice, creditMemo, customer
	ID       string `json:"id"`
	Number   string `json:"number,omitempty"`
	LeftAs   string `json:"leftAs"`             // Transferred To Accounting / Integration Status as found
	NetSuite string `json:"netsuite,omitempty"` // the NetSuite record it is tied to, and by what
	Action   string `json:"action"`             // CutoverMatch, CutoverSync, CutoverResume, CutoverPerson
	Detail   string `json:"detail,omitempty"`
}

// CutoverReport is the check's answer. Counts has every action, keep and
// not touched included; Findings lists all but those two.
type CutoverReport struct {
	Findings    []CutoverFinding `json:"findings"`
	Counts      map[string]int   `json:"counts"`
	NeedsPerson int              `json:"needsPerson"`
}

func (r *CutoverReport) add(f CutoverFinding) {
	r.Counts[f.Action]++
	if f.Action == CutoverPerson {
		r.NeedsPerson++
	}
	if f.Action != CutoverKeep && f.Action != CutoverUntouched {
		r.Findings = append(r.Findings, f)
	}
}

// zuoraIDShape: a Zuora object id (32 hex). The old connector documents the
// raw Zuora id as the external id of memos it makes; a NetSuite record with
// such an external id and no Zuora record linking to it is its orphan.
var zuoraIDShape = regexp.MustCompile(`^[0-9a-f]{32}$`)

// CutoverCheck lists what the old connector left: Zuora invoices and
// adjustments in Processing or Error (Posted/Processed only: the others are
// never selected), accounts mid-sync without an Integration Id (when Zuora
// is the customer master), and NetSuite invoices, credit memos and
// customers that carry a Zuora id but no external id of this connector and
// that no Zuora record links to.
func (a *Activities) CutoverCheck(ctx context.Context, s settings.Settings) (CutoverReport, error) {
	ctx = nsFields(ctx, s)
	ctx = zuora.WithFieldNames(ctx, s.ZuoraFields.Names())
	rep := CutoverReport{Counts: map[string]int{}, Findings: []CutoverFinding{}}
	pending := map[string]bool{} // NetSuite ids a Zuora-side finding already names
	accounts := map[string]*zuora.Account{}
	account := func(id string) (*zuora.Account, error) {
		if acct, ok := accounts[id]; ok {
			return acct, nil
		}
		var acct zuora.Account
		if err := a.Zuora.GetObject(ctx, zuora.ObjAccount, id, &acct); err != nil {
			if zuora.IsNotFound(err) {
				accounts[id] = nil
				return nil, nil
			}
			return nil, fmt.Errorf("reading account %s: %w", id, err)
		}
		accounts[id] = &acct
		return &acct, nil
	}
	state := func(tta string, f zuora.NSFields) string {
		out := "TTA " + orID(tta, "No")
		if f.IntegrationStatus != "" {
			out += ", " + f.IntegrationStatus
		}
		if f.IntegrationID != "" {
			out += ", IntegrationId__NS " + f.IntegrationID
		}
		return out
	}
	tied := func(m OldMatch) string {
		if !m.Found {
			return ""
		}
		pending[m.NetSuiteID] = true
		return m.NetSuiteID + " (by " + m.By + ")"
	}

	invs, err := zuora.QueryAll[zuora.Invoice](ctx, a.Zuora, "select "+mapping.InvoiceFields+
		" from Invoice where TransferredToAccounting = 'Processing' or TransferredToAccounting = 'Error'")
	if err != nil {
		return rep, fmt.Errorf("reading invoices in Processing or Error: %w", err)
	}
	sort.Slice(invs, func(i, j int) bool { return invs[i].ID < invs[j].ID })
	for _, inv := range invs {
		if inv.Status != "Posted" {
			continue
		}
		f := CutoverFinding{System: "Zuora", Object: "Invoice", ID: inv.ID, Number: inv.InvoiceNumber, LeftAs: state(inv.TransferredToAccounting, inv.NSFields)}
		acct, err := account(inv.AccountID)
		if err != nil {
			return rep, err
		}
		if acct == nil {
			f.Action, f.Detail = CutoverSync, "its account is missing in Zuora: the sync records the reason"
			rep.add(f)
			continue
		}
		verdict, m, err := a.OldInvoiceVerdict(ctx, s, inv, *acct)
		if err != nil {
			return rep, err
		}
		f.Action, f.NetSuite, f.Detail = verdict, tied(m), verdictDetail(verdict, m)
		rep.add(f)
	}

	if ok, _ := mapping.AdjustmentSyncEnabled(s); ok {
		adjs, err := zuora.QueryAll[zuora.InvoiceItemAdjustment](ctx, a.Zuora, "select "+mapping.AdjustmentFields+
			" from InvoiceItemAdjustment where TransferredToAccounting = 'Processing' or TransferredToAccounting = 'Error'")
		if err != nil {
			return rep, fmt.Errorf("reading invoice item adjustments in Processing or Error: %w", err)
		}
		sort.Slice(adjs, func(i, j int) bool { return adjs[i].ID < adjs[j].ID })
		for _, adj := range adjs {
			if adj.Status != "Processed" {
				continue
			}
			f := CutoverFinding{System: "Zuora", Object: "InvoiceItemAdjustment", ID: adj.ID, Number: adj.AdjustmentNumber,
				LeftAs: state(adj.TransferredToAccounting, adj.NSFields)}
			var inv zuora.Invoice
			if err := a.Zuora.GetObject(ctx, zuora.ObjInvoice, adj.InvoiceID, &inv); err != nil {
				if !zuora.IsNotFound(err) {
					return rep, fmt.Errorf("reading invoice %s: %w", adj.InvoiceID, err)
				}
				f.Action, f.Detail = CutoverSync, "its invoice is missing in Zuora: the sync records the reason"
				rep.add(f)
				continue
			}
			acct, err := account(orID(adj.AccountID, inv.AccountID))
			if err != nil {
				return rep, err
			}
			if acct == nil {
				acct = &zuora.Account{}
			}
			verdict, m, _, err := a.OldAdjustmentVerdict(ctx, s, adj, inv, *acct)
			if err != nil {
				return rep, err
			}
			f.Action, f.NetSuite, f.Detail = verdict, tied(m), verdictDetail(verdict, m)
			rep.add(f)
		}
	}

	zuoraMaster := s.Customer.Master != settings.MasterNetSuite
	accts, err := zuora.QueryAll[zuora.Account](ctx, a.Zuora, "select Id, AccountNumber, IntegrationId__NS, IntegrationStatus__NS from Account")
	if err != nil {
		return rep, fmt.Errorf("reading accounts: %w", err)
	}
	linkedCustomers := map[string]bool{}
	for _, acct := range accts {
		if acct.IntegrationID != "" {
			linkedCustomers[acct.IntegrationID] = true
			continue
		}
		if !zuoraMaster || !LeftByOldConnector("", acct.NSFields) {
			continue
		}
		f := CutoverFinding{System: "Zuora", Object: "Account", ID: acct.ID, Number: acct.AccountNumber, LeftAs: state("", acct.NSFields)}
		c, by, err := a.findOldCustomer(ctx, s, acct)
		if err != nil {
			return rep, err
		}
		if c != nil {
			pending[c.ID] = true
			f.Action, f.NetSuite = CutoverMatch, c.ID+" (by "+by+")"
			f.Detail = "the customer sync links it and updates it as Zuora master; nothing created"
		} else {
			f.Action, f.Detail = CutoverSync, "no NetSuite customer names it: the customer sync creates it once"
		}
		rep.add(f)
	}

	if err := a.netsuiteLeftovers(ctx, s, &rep, pending, linkedCustomers, zuoraMaster); err != nil {
		return rep, err
	}
	return rep, nil
}

// netsuiteLeftovers: NetSuite records without this connector's external id.
// Linked from Zuora: kept. Named by a finding above: already listed. With a
// Zuora id (its Zuora ID field, or an external id of that shape) but no
// link: the old connector's orphan, for a person (this connector will never
// sync into it, and its Zuora record may be synced again next to it).
// Anything else was not made from Zuora and is not touched.
func (a *Activities) netsuiteLeftovers(ctx context.Context, s settings.Settings, rep *CutoverReport, pending, linkedCustomers map[string]bool, zuoraMaster bool) error {
	linked := map[string]bool{}
	for _, q := range []string{"select Id, IntegrationId__NS from Invoice where TransferredToAccounting = 'Yes'",
		"select Id, IntegrationId__NS from InvoiceItemAdjustment where TransferredToAccounting = 'Yes'"} {
		if strings.Contains(q, "InvoiceItemAdjustment") {
			if ok, _ := mapping.AdjustmentSyncEnabled(s); !ok {
				continue
			}
		}
		recs, err := zuora.QueryAll[zuora.Invoice](ctx, a.Zuora, q)
		if err != nil {
			return fmt.Errorf("reading synced Zuora records: %w", err)
		}
		for _, r := range recs {
			for _, id := range strings.Split(r.IntegrationID, ",") {
				linked[strings.TrimSpace(id)] = true
			}
		}
	}
	field := orID(s.NetSuite.Fields.ZuoraID, settings.DefaultNetSuiteFields().ZuoraID)
	rows, err := a.NetSuite.QueryAll(ctx, "SELECT id, type, tranid, externalid, "+field+" AS zuoraid FROM transaction WHERE type IN ('CustInvc', 'CustCred') ORDER BY id")
	if err != nil {
		return fmt.Errorf("reading NetSuite invoices and credit memos: %w", err)
	}
	for _, r := range rows {
		id, ext, zid := suiteCell(r, "id"), suiteCell(r, "externalid"), suiteCell(r, "zuoraid")
		if ours(ext) || pending[id] {
			continue
		}
		object := netsuite.TypeInvoice
		if suiteCell(r, "type") == "CustCred" {
			object = netsuite.TypeCreditMemo
		}
		f := CutoverFinding{System: "NetSuite", Object: object, ID: id, Number: suiteCell(r, "tranid"), LeftAs: "external id " + orID(ext, "none")}
		switch {
		case linked[id]:
			f.Action = CutoverKeep
		case zid != "" || zuoraIDShape.MatchString(ext):
			f.Action = CutoverPerson
			f.Detail = fmt.Sprintf("carries Zuora id %s but no Zuora record links to it: Zuora's connector made it and never wrote back. "+
				"Link it (IntegrationId__NS on the Zuora record) or delete it before the first run", orID(zid, ext))
		default:
			f.Action = CutoverUntouched
		}
		rep.add(f)
	}
	if !zuoraMaster {
		return nil // NetSuite-made customers are the norm there
	}
	cfield := orID(s.NetSuite.Fields.CustomerZuoraID, settings.DefaultNetSuiteFields().CustomerZuoraID)
	rows, err = a.NetSuite.QueryAll(ctx, "SELECT id, entityid, externalid, "+cfield+" AS zuoraid FROM customer ORDER BY id")
	if err != nil {
		return fmt.Errorf("reading NetSuite customers: %w", err)
	}
	for _, r := range rows {
		id, ext, zid := suiteCell(r, "id"), suiteCell(r, "externalid"), suiteCell(r, "zuoraid")
		if ours(ext) || pending[id] {
			continue
		}
		f := CutoverFinding{System: "NetSuite", Object: netsuite.TypeCustomer, ID: id, Number: suiteCell(r, "entityid"), LeftAs: "external id " + orID(ext, "none")}
		switch {
		case linkedCustomers[id]:
			f.Action = CutoverKeep
		case zid != "" || zuoraIDShape.MatchString(ext):
			f.Action = CutoverPerson
			f.Detail = fmt.Sprintf("carries Zuora account id %s but no account links to it: set the account's IntegrationId__NS to %s, or delete it", orID(zid, ext), id)
		default:
			f.Action = CutoverUntouched
		}
		rep.add(f)
	}
	return nil
}

func verdictDetail(verdict string, m OldMatch) string {
	switch verdict {
	case CutoverMatch:
		return "linked to that record, Sync Complete and Transferred To Accounting Yes; nothing created"
	case CutoverResume:
		return "this connector's own record: the sync completes its lines and writes back"
	case CutoverPerson:
		return m.Problem
	}
	return "no NetSuite record made for it: synced once by the first run"
}
