package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/zuora-netsuite/connector/internal/settings"
)

// InvoiceSyncInput starts (or, with State, continues) one invoice's sync.
type InvoiceSyncInput struct {
	InvoiceID string            `json:"invoiceId"`
	Settings  settings.Settings `json:"settings"`
	State     InvoiceSyncState  `json:"state"`
}

// InvoiceSyncState is where an invoice's sync stands; it is what
// continue-as-new carries and what the SyncInvoice activity resumes from.
type InvoiceSyncState struct {
	InvoiceNumber  string `json:"invoiceNumber,omitempty"`
	AccountNumber  string `json:"accountNumber,omitempty"`
	RecordType     string `json:"recordType,omitempty"` // NetSuite invoice | creditMemo, decided by the sign rule
	NetSuiteID     string `json:"netsuiteId,omitempty"` // set once the NetSuite record exists
	Items          int    `json:"items"`                // invoice items + taxation items
	TotalBatches   int    `json:"totalBatches"`         // 0 until validated
	NextBatch      int    `json:"nextBatch"`            // batches below this one are in NetSuite
	LinesWritten   int    `json:"linesWritten"`
	ContinuedAsNew int    `json:"continuedAsNew"`
	// BatchOrder is the order the invoice's items are cut into batches in:
	// BatchOrderZuoraID (items sorted by Zuora id, read through ZOQL). Empty
	// in states written by earlier code, which batched in the invoice's own
	// item order: such a sync starts its batches again in id order (lines
	// already in NetSuite are found by key and skipped), so no item is left
	// out by the change of order.
	BatchOrder string `json:"batchOrder,omitempty"`
	// Parts are the NetSuite records of an invoice split under
	// invoice.overCeiling=split (issue 13), planned before the first write;
	// empty for an invoice written as one record. Part is the one being
	// written (NetSuiteID is its record). Small: one entry per ≤ceiling lines.
	Parts []InvoicePart `json:"parts,omitempty"`
	Part  int           `json:"part,omitempty"`
	// Summarized: the invoice is written as summarized lines
	// (invoice.overCeiling=summarize); batches count summarized lines, which
	// each call recomputes from Zuora (the state never holds them).
	Summarized bool `json:"summarized,omitempty"`
	// PartCursors: each part keeps its own cursor (InvoicePart.Done), as
	// the parts are written concurrently; NextBatch is then the sum of the
	// parts' Done. False in states written before: the cursor is NextBatch
	// and the parts below it are whole (activities derive Done from it).
	PartCursors bool `json:"partCursors,omitempty"`
	// LineKeyChecked: a record of this invoice was read back with its line
	// key stored (a form that drops the key would let a retried batch
	// append its lines again). False in states written before: the next
	// call checks before it appends.
	LineKeyChecked bool `json:"lineKeyChecked,omitempty"`
}

// InvoicePart is one NetSuite record of a split invoice: the batches from
// FirstBatch up to the next part's FirstBatch.
type InvoicePart struct {
	FirstBatch int    `json:"firstBatch"`
	Lines      int    `json:"lines"`                // lines planned for it (≤ the ceiling)
	NetSuiteID string `json:"netsuiteId,omitempty"` // set once the record exists
	// Done: how many of the part's batches, from FirstBatch on, are in its
	// record (with InvoiceSyncState.PartCursors).
	Done int `json:"done,omitempty"`
}

// BatchOrderZuoraID: batch b holds items [b·size, (b+1)·size) of the
// invoice's items sorted by Zuora id.
const BatchOrderZuoraID = "zuora-id"

// SyncInvoiceInput is the SyncInvoice activity's input: do the next part of
// this invoice's sync. Every part is idempotent, so a retry after a crash or a
// lost response repeats nothing in NetSuite.
type SyncInvoiceInput struct {
	InvoiceID string            `json:"invoiceId"`
	Settings  settings.Settings `json:"settings"`
	State     InvoiceSyncState  `json:"state"`
}

// SyncInvoiceStep is what one SyncInvoice call achieved. Outcome is empty
// while lines remain; then the workflow calls again with State.
type SyncInvoiceStep struct {
	State   InvoiceSyncState `json:"state"`
	Outcome string           `json:"outcome,omitempty"`
	Reason  string           `json:"reason,omitempty"`
}

// MarkFailedInput records a sync that could not finish as Error on the Zuora record.
type MarkFailedInput struct {
	RecordType string `json:"recordType"`
	ID         string `json:"id"`
	Reason     string `json:"reason"`
}

// InvoiceSyncResult is an invoice sync's outcome.
type InvoiceSyncResult struct {
	InvoiceID     string `json:"invoiceId"`
	InvoiceNumber string `json:"invoiceNumber,omitempty"`
	AccountNumber string `json:"accountNumber,omitempty"`
	Outcome       string `json:"outcome"`
	Reason        string `json:"reason,omitempty"`
	RecordType    string `json:"recordType,omitempty"`
	NetSuiteID    string `json:"netsuiteId,omitempty"`
	Items         int    `json:"items"`
	Batches       int    `json:"batches"`
	Lines         int    `json:"lines"`
	// ContinuedAsNew counts this sync's continue-as-new generations.
	ContinuedAsNew int `json:"continuedAsNew"`
}

// InvoiceProgress answers the progress query of an invoice sync.
type InvoiceProgress struct {
	InvoiceSyncState
	Outcome string `json:"outcome,omitempty"`
}

// Activity options for an invoice's steps. Retries ride out NetSuite and
// Zuora outages of about half an hour; then the invoice is marked Error with
// the reason and the next run picks it up again.
func invoiceActivityOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		// Longer than the longest single request (the clients' 2-minute
		// HTTP timeout): the activity heartbeats in the background all along
		// (activities/liveness.go), so only a dead worker misses it.
		HeartbeatTimeout: 3 * time.Minute,
		// The whole invoice: attempts and backoff end within this.
		ScheduleToCloseTimeout: 6 * time.Hour,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    2 * time.Minute,
			MaximumAttempts:    25,
		},
	}
}

// markFailedOptions retry much longer: this write is what keeps a record from
// staying in Processing without a reason.
func markFailedOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    5 * time.Minute,
			MaximumAttempts:    100,
		},
	}
}

// InvoiceSyncWorkflow syncs one Zuora invoice to a NetSuite invoice (amount ≥ 0)
// or credit memo (amount < 0): validate, mark Processing, create the header,
// add lines in batches, then write back the NetSuite id, Sync Complete and
// Transferred To Accounting = Yes. Its workflow id is InvoiceWorkflowID, so an
// invoice never syncs twice at once.
func InvoiceSyncWorkflow(ctx workflow.Context, in InvoiceSyncInput) (InvoiceSyncResult, error) {
	ensureRecordSearchAttributes(ctx, RecordInvoice, in.InvoiceID)
	state := in.State
	outcome := ""
	if err := workflow.SetQueryHandler(ctx, QueryProgress, func() (InvoiceProgress, error) {
		return InvoiceProgress{InvoiceSyncState: state, Outcome: outcome}, nil
	}); err != nil {
		return InvoiceSyncResult{}, err
	}
	ctx = workflow.WithActivityOptions(ctx, invoiceActivityOptions())

	perContinue := in.Settings.Run.BatchesPerContinue
	if perContinue <= 0 {
		perContinue = recordedDefault(ctx, func() int { return settings.Default().Run.BatchesPerContinue })
	}
	batchesAtStart := state.NextBatch

	for {
		var step SyncInvoiceStep
		err := workflow.ExecuteActivity(ctx, ActivitySyncInvoice, SyncInvoiceInput{
			InvoiceID: in.InvoiceID, Settings: in.Settings, State: state,
		}).Get(ctx, &step)
		if err != nil {
			reason := "the sync could not finish: " + errorMessage(err)
			if ctx.Err() != nil {
				reason = "the sync was cancelled before it finished"
			}
			if state.NetSuiteID != "" {
				reason += fmt.Sprintf(" (NetSuite %s %s exists with %d of %d line batches; the next run completes it)",
					state.RecordType, state.NetSuiteID, state.NextBatch, state.TotalBatches)
			}
			failCtx := cleanupContext(ctx)
			if ferr := workflow.ExecuteActivity(failCtx, ActivityMarkInvoiceFailed, MarkFailedInput{
				RecordType: RecordInvoice, ID: in.InvoiceID, Reason: reason,
			}).Get(failCtx, nil); ferr != nil {
				// Zuora is unreachable too: the invoice stays Processing, which the
				// next run selects again (the seed's error recovery).
				return InvoiceSyncResult{}, temporal.NewApplicationError(reason, "SyncFailed")
			}
			outcome = OutcomeError
			markOutcome(ctx, outcome)
			return invoiceResult(in.InvoiceID, state, OutcomeError, reason), nil
		}
		state = step.State
		if step.Outcome != "" {
			outcome = step.Outcome
			markOutcome(ctx, outcome)
			workflow.SetCurrentDetails(ctx, fmt.Sprintf("**%s** %s: %s", in.InvoiceID, state.InvoiceNumber, step.Outcome))
			return invoiceResult(in.InvoiceID, state, step.Outcome, step.Reason), nil
		}
		workflow.SetCurrentDetails(ctx, fmt.Sprintf("invoice %s: %d of %d line batches in NetSuite %s %s",
			state.InvoiceNumber, state.NextBatch, state.TotalBatches, state.RecordType, state.NetSuiteID))

		if state.NextBatch-batchesAtStart >= perContinue || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			state.ContinuedAsNew++
			return InvoiceSyncResult{}, workflow.NewContinueAsNewError(ctx, InvoiceSyncWorkflow, InvoiceSyncInput{
				InvoiceID: in.InvoiceID, Settings: in.Settings, State: state,
			})
		}
	}
}

func invoiceResult(id string, s InvoiceSyncState, outcome, reason string) InvoiceSyncResult {
	return InvoiceSyncResult{
		InvoiceID: id, InvoiceNumber: s.InvoiceNumber, AccountNumber: s.AccountNumber,
		Outcome: outcome, Reason: reason, RecordType: s.RecordType, NetSuiteID: s.NetSuiteID,
		Items: s.Items, Batches: s.NextBatch, Lines: s.LinesWritten, ContinuedAsNew: s.ContinuedAsNew,
	}
}

// errorMessage is the innermost message of an activity or child failure,
// which is what a finance user can act on.
func errorMessage(err error) string {
	var appErr *temporal.ApplicationError
	for e := err; e != nil; {
		if ae, ok := e.(*temporal.ApplicationError); ok {
			appErr = ae
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			break
		}
		e = u.Unwrap()
	}
	if appErr != nil {
		return appErr.Message()
	}
	return err.Error()
}

// cleanupContext runs the activity that records why a record could not
// finish, on a context disconnected from the workflow's: even when the
// workflow was cancelled, Error with the reason beats a record left
// Processing without one.
func cleanupContext(ctx workflow.Context) workflow.Context {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	return workflow.WithActivityOptions(dctx, markFailedOptions())
}
