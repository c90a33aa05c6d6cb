package itest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// RunSync starts a SyncRunWorkflow on the Env's worker and waits for it.
func (e *Env) RunSync(ctx context.Context, id string, s settings.Settings, only ...string) workflows.SyncRunResult {
	e.T.Helper()
	run, err := e.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: e.TaskQueue},
		workflows.SyncRunWorkflow, workflows.SyncRunInput{Settings: s, Only: only})
	if err != nil {
		e.T.Fatalf("starting %s: %v", id, err)
	}
	var res workflows.SyncRunResult
	if err := run.Get(ctx, &res); err != nil {
		e.T.Fatalf("%s failed: %v", id, err)
	}
	return res
}

// Invoices reads every Zuora invoice through the API.
func (e *Env) Invoices(ctx context.Context) map[string]zuora.Invoice {
	e.T.Helper()
	invs, err := zuora.QueryAll[zuora.Invoice](ctx, e.Zuora,
		"select Id, InvoiceNumber, AccountId, Status, Amount, Balance, InvoiceDate, TransferredToAccounting, IntegrationId__NS, IntegrationStatus__NS, SyncDate__NS from Invoice")
	if err != nil {
		e.T.Fatalf("reading invoices: %v", err)
	}
	out := make(map[string]zuora.Invoice, len(invs))
	for _, inv := range invs {
		out[inv.ID] = inv
	}
	return out
}

// NSTransaction is a NetSuite transaction as SuiteQL reports it.
type NSTransaction struct {
	ID, Type, ExternalID, TranID string
	Total                        decimal.Decimal
	Lines                        int
}

// Transactions reads every NetSuite invoice and credit memo through SuiteQL,
// grouped by external id (a slice, so duplicates show).
func (e *Env) Transactions(ctx context.Context) map[string][]NSTransaction {
	e.T.Helper()
	rows, err := e.NetSuite.QueryAll(ctx, "SELECT id, type, externalid, tranid, foreigntotal FROM transaction WHERE type IN ('CustInvc', 'CustCred') ORDER BY id")
	if err != nil {
		e.T.Fatalf("reading NetSuite transactions: %v", err)
	}
	// Item lines only (N3: transactionline also has the main and tax lines),
	// ordered by a unique key (N4).
	lines, err := e.NetSuite.QueryAll(ctx, "SELECT transaction, id FROM transactionline WHERE mainline = 'F' AND taxline = 'F' ORDER BY transaction, id")
	if err != nil {
		e.T.Fatalf("reading NetSuite lines: %v", err)
	}
	count := map[string]int{}
	for _, l := range lines {
		count[fmt.Sprint(l["transaction"])]++
	}
	out := map[string][]NSTransaction{}
	for _, r := range rows {
		t := NSTransaction{ID: fmt.Sprint(r["id"]), Type: fmt.Sprint(r["type"]), ExternalID: str(r["externalid"]), TranID: str(r["tranid"])}
		t.Total, _ = decimal.NewFromString(fmt.Sprint(r["foreigntotal"]))
		t.Lines = count[t.ID]
		out[t.ExternalID] = append(out[t.ExternalID], t)
	}
	return out
}

func str(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// CheckInvoiceInvariants asserts the books: every invoice the run selected is
// Yes (in NetSuite exactly once, total equal to Zuora's amount to the cent),
// Error with a reason, or Ignore; none is left Processing.
func (e *Env) CheckInvoiceInvariants(ctx context.Context, eligible map[string]bool) (synced, errored, ignored int) {
	e.T.Helper()
	invs := e.Invoices(ctx)
	txs := e.Transactions(ctx)
	lines := e.expectedLines(ctx)
	for ext, list := range txs {
		if len(list) > 1 {
			e.T.Errorf("NetSuite has %d records with external id %s (duplicates)", len(list), ext)
		}
	}
	for id := range eligible {
		inv, ok := invs[id]
		if !ok {
			e.T.Errorf("eligible invoice %s is gone from Zuora", id)
			continue
		}
		switch inv.TransferredToAccounting {
		case zuora.TransferYes:
			synced++
			list := txs[netsuite.InvoiceExternalID(id)]
			if len(list) != 1 {
				e.T.Errorf("invoice %s (%s) is Yes but NetSuite has %d records for it", inv.InvoiceNumber, id, len(list))
				continue
			}
			// Over the line ceiling (issue 13): split parts, or one summarized record.
			if e.checkOverCeiling(inv, txs, lines[id]) {
				continue
			}
			if list[0].ID != inv.IntegrationID {
				e.T.Errorf("invoice %s: IntegrationId__NS %q, NetSuite id %q", inv.InvoiceNumber, inv.IntegrationID, list[0].ID)
			}
			if want := lines[id]; list[0].Lines != want {
				e.T.Errorf("invoice %s: NetSuite has %d lines, Zuora has %d non-zero items and taxation items", inv.InvoiceNumber, list[0].Lines, want)
			}
			if !list[0].Total.Equal(inv.Amount.Abs()) {
				e.T.Errorf("invoice %s: NetSuite total %s, Zuora amount %s", inv.InvoiceNumber, list[0].Total, inv.Amount)
			}
			wantType := "CustInvc"
			if inv.Amount.IsNegative() {
				wantType = "CustCred"
			}
			if list[0].Type != wantType {
				e.T.Errorf("invoice %s (amount %s) became a %s, want %s", inv.InvoiceNumber, inv.Amount, list[0].Type, wantType)
			}
			if inv.IntegrationStatus != zuora.StatusSyncComplete || inv.SyncDate == "" {
				e.T.Errorf("invoice %s: Integration Status %q, Sync Date %q", inv.InvoiceNumber, inv.IntegrationStatus, inv.SyncDate)
			}
		case zuora.TransferError:
			errored++
			if !strings.HasPrefix(inv.IntegrationStatus, "Error: ") || len(inv.IntegrationStatus) < 15 {
				e.T.Errorf("invoice %s is Error without a reason: %q", inv.InvoiceNumber, inv.IntegrationStatus)
			}
		case zuora.TransferIgnore:
			ignored++
		default:
			e.T.Errorf("invoice %s left %q (Integration Status %q)", inv.InvoiceNumber, inv.TransferredToAccounting, inv.IntegrationStatus)
		}
	}
	return synced, errored, ignored
}

// expectedLines counts, per invoice, the lines a sync under the default
// settings writes: one per non-zero invoice item and taxation item.
func (e *Env) expectedLines(ctx context.Context) map[string]int {
	e.T.Helper()
	out := map[string]int{}
	items, err := zuora.QueryAll[zuora.InvoiceItem](ctx, e.Zuora, "select Id, InvoiceId, ChargeAmount from InvoiceItem")
	if err != nil {
		e.T.Fatalf("reading invoice items: %v", err)
	}
	for _, it := range items {
		if !it.ChargeAmount.IsZero() {
			out[it.InvoiceID]++
		}
	}
	taxes, err := zuora.QueryAll[zuora.TaxationItem](ctx, e.Zuora, "select Id, InvoiceId, TaxAmount from TaxationItem")
	if err != nil {
		e.T.Fatalf("reading taxation items: %v", err)
	}
	for _, t := range taxes {
		if !t.TaxAmount.IsZero() {
			out[t.InvoiceID]++
		}
	}
	return out
}

// MaxHistoryLength is the longest history among the workflows started since t.
func (e *Env) MaxHistoryLength(ctx context.Context, since time.Time) (int64, string) {
	e.T.Helper()
	var longest int64
	var which string
	var token []byte
	for {
		resp, err := e.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query:         fmt.Sprintf("TaskQueue = '%s' AND StartTime >= '%s'", e.TaskQueue, since.UTC().Format(time.RFC3339)),
			NextPageToken: token,
		})
		if err != nil {
			e.T.Fatalf("listing workflows: %v", err)
		}
		for _, ex := range resp.Executions {
			if ex.HistoryLength > longest {
				longest, which = ex.HistoryLength, ex.Execution.WorkflowId
			}
			if ex.Status == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
				continue
			}
		}
		if token = resp.NextPageToken; len(token) == 0 {
			return longest, which
		}
	}
}

// sandboxLineCeiling is the NetSuite line ceiling the itests' sandbox
// account has (real-api-gaps N1; fixture netsuite.account.lineCeiling unset).
const sandboxLineCeiling = 5000

// checkOverCeiling checks an invoice synced over the line ceiling (issue
// 13) and tells whether it was one: under split, its parts (external ids
// zuora-invoice-<id>, -p2, …) each within the ceiling, together holding
// every Zuora line once and totalling Zuora's amount, their ids in
// IntegrationId__NS; under summarize, one record within the ceiling,
// totalling Zuora's amount.
func (e *Env) checkOverCeiling(inv zuora.Invoice, txs map[string][]NSTransaction, want int) bool {
	e.T.Helper()
	if want <= sandboxLineCeiling {
		return false
	}
	base := netsuite.InvoiceExternalID(inv.ID)
	parts := []NSTransaction{txs[base][0]}
	for k := 2; len(txs[fmt.Sprintf("%s-p%d", base, k)]) > 0; k++ {
		list := txs[fmt.Sprintf("%s-p%d", base, k)]
		if len(list) != 1 {
			e.T.Errorf("invoice %s: NetSuite has %d records for part %d", inv.InvoiceNumber, len(list), k)
		}
		parts = append(parts, list[0])
	}
	ids, total, count := []string{}, decimal.Zero, 0
	for k, p := range parts {
		if p.Lines > sandboxLineCeiling {
			e.T.Errorf("invoice %s: NetSuite %s has %d lines, over the ceiling", inv.InvoiceNumber, p.ID, p.Lines)
		}
		if len(parts) > 1 && p.TranID != fmt.Sprintf("%s-%d", inv.InvoiceNumber, k+1) {
			e.T.Errorf("invoice %s: part %d is numbered %q", inv.InvoiceNumber, k+1, p.TranID)
		}
		ids = append(ids, p.ID)
		total = total.Add(p.Total)
		count += p.Lines
	}
	if len(parts) > 1 && count != want {
		e.T.Errorf("invoice %s: its %d parts hold %d lines, Zuora has %d", inv.InvoiceNumber, len(parts), count, want)
	}
	if strings.Join(ids, ",") != inv.IntegrationID {
		e.T.Errorf("invoice %s: IntegrationId__NS %q, NetSuite ids %v", inv.InvoiceNumber, inv.IntegrationID, ids)
	}
	if !total.Equal(inv.Amount.Abs()) {
		e.T.Errorf("invoice %s: NetSuite total %s over %d records, Zuora amount %s", inv.InvoiceNumber, total, len(parts), inv.Amount)
	}
	return true
}
