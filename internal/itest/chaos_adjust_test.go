package itest

import (
	"context"
	"sort"
	"strings"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// AdjustmentCheck checks Zuora invoice item adjustments against their
// NetSuite credit memos and invoices (checkSyncedAdjustment: one record by
// external id, type, total, one line, applied or linked to the original as
// the seed's rules 4 and 5 say). No adjustment is left Processing or
// Creating.
type AdjustmentCheck struct {
	Eligible map[string]bool // adjustment ids
}

func (AdjustmentCheck) Name() string { return "adjustments" }

func (c AdjustmentCheck) Check(ctx context.Context, e *Env) Figures {
	e.T.Helper()
	fig := Figures{Type: c.Name(), Eligible: len(c.Eligible)}
	adjs := e.adjustments(ctx)
	invoices := e.Invoices(ctx)
	txns := e.Transactions(ctx)
	for ext, list := range txns {
		if strings.HasPrefix(ext, "zuora-iia-") && len(list) > 1 {
			fig.Duplicates += len(list) - 1
			e.T.Errorf("NetSuite has %d records with external id %s", len(list), ext)
		}
	}
	for _, a := range adjs {
		if a.TransferredToAccounting == zuora.TransferProcessing || strings.HasPrefix(a.IntegrationStatus, "Creating") {
			fig.Stuck++
			e.T.Errorf("adjustment %s left %s / %s", a.AdjustmentNumber, a.TransferredToAccounting, a.IntegrationStatus)
		}
	}
	ids := make([]string, 0, len(c.Eligible))
	for id := range c.Eligible {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		a, ok := adjs[id]
		if !ok {
			fig.Lost++
			e.T.Errorf("eligible adjustment %s is gone from Zuora", id)
			continue
		}
		switch a.TransferredToAccounting {
		case zuora.TransferYes:
			if len(txns[netsuite.AdjustmentExternalID(id)]) == 0 {
				fig.Lost++
				e.T.Errorf("adjustment %s is Yes but not in NetSuite", a.AdjustmentNumber)
				continue
			}
			if _, ok := e.checkSyncedAdjustment(ctx, a, invoices[a.InvoiceID], txns); ok {
				fig.Synced++
			} else {
				fig.Mismatched++
			}
		case zuora.TransferError:
			fig.Errored++
			if !strings.HasPrefix(a.IntegrationStatus, "Error: ") || len(a.IntegrationStatus) < 15 {
				e.T.Errorf("adjustment %s is Error without a reason: %q", a.AdjustmentNumber, a.IntegrationStatus)
			}
		case zuora.TransferIgnore:
			fig.Ignored++
		case zuora.TransferProcessing:
		default:
			fig.Lost++
			e.T.Errorf("eligible adjustment %s left %q (%q)", a.AdjustmentNumber, a.TransferredToAccounting, a.IntegrationStatus)
		}
	}
	return fig
}

// eligibleAdjustments: the generator puts Processed adjustments on clean
// invoices only, so under the default settings every one must sync.
func eligibleAdjustments(f *fixture.Fixture) map[string]bool {
	out := map[string]bool{}
	for _, a := range f.Zuora.Objects[zuora.ObjInvoiceItemAdjustment] {
		if str(a["Status"]) == "Processed" {
			out[str(a["Id"])] = true
		}
	}
	return out
}
