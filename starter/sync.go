package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/zuora-netsuite/connector/workflows"
)

func phaseNames() []string { return workflows.AllPhases }

func validPhase(p string) bool {
	for _, v := range workflows.AllPhases {
		if v == p {
			return true
		}
	}
	return false
}

// started is what `sync` prints when it does not wait.
type started struct {
	WorkflowID string `json:"workflowId"`
	RunID      string `json:"runId"`
	UI         string `json:"ui"`
}

func cmdSync(ctx context.Context, c *config, tc client.Client, args []string, stdout, stderr io.Writer) error {
	s, err := c.loadSettings()
	if err != nil {
		return usageError{err}
	}
	var run client.WorkflowRun
	switch {
	case len(args) == 0:
		id := c.WorkflowID
		if id == "" {
			id = "sync-run-" + time.Now().UTC().Format("20060102-150405")
		}
		run, err = tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID: id, TaskQueue: c.Temporal.TaskQueue,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		}, workflows.SyncRunWorkflow, workflows.SyncRunInput{Settings: s, Only: c.Only})
	case len(args) == 2:
		id, workflowType, input, rerr := workflows.RecordSync(args[0], args[1], s)
		if rerr != nil {
			return usageError{rerr}
		}
		// A second start for the same record attaches to the sync in flight.
		run, err = tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID: id, TaskQueue: c.Temporal.TaskQueue,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
			// The same search attributes and summary a run gives the record.
			TypedSearchAttributes: workflows.RecordSearchAttributes(args[0], workflows.SelectedRecord{ID: args[1]}),
			StaticSummary:         workflows.RecordSummary(args[0], workflows.SelectedRecord{ID: args[1]}),
		}, workflowType, input)
	default:
		return usageError{fmt.Errorf("sync takes no argument (a full run) or '<customer|charge|invoice|adjustment> <ID>', got %q", strings.Join(args, " "))}
	}
	if err != nil {
		return fmt.Errorf("starting the workflow: %w", err)
	}
	if waiting, err := announceStarted(c, run, "follow it: starter progress %s --wait", stdout, stderr); !waiting {
		return err
	}
	return follow(ctx, c, tc, run.GetID(), stdout, stderr)
}

// announceStarted tells the operator a workflow started: its id, how to
// follow it (hint, with %s for the id) and its UI link, or JSON. waiting is
// true when the caller is to follow it (--wait).
func announceStarted(c *config, run client.WorkflowRun, hint string, stdout, stderr io.Writer) (waiting bool, err error) {
	st := started{WorkflowID: run.GetID(), RunID: run.GetRunID(), UI: uiLink(c, run.GetID())}
	if !c.Wait {
		if c.JSON {
			return false, json.NewEncoder(stdout).Encode(st)
		}
		_, err := fmt.Fprintf(stdout, "started %s\n  "+hint+"\n  in the UI:  %s\n", st.WorkflowID, st.WorkflowID, st.UI)
		return false, err
	}
	if !c.JSON {
		fmt.Fprintf(stderr, "started %s (UI: %s)\n", st.WorkflowID, st.UI)
	}
	return true, nil
}

func cmdProgress(ctx context.Context, c *config, tc client.Client, args []string, stdout, stderr io.Writer) error {
	if len(args) != 1 {
		return usageError{errors.New("progress takes one workflow id, e.g. sync-run-20261125-101500 or invoice:<id>")}
	}
	if c.Wait {
		return follow(ctx, c, tc, args[0], stdout, stderr)
	}
	if strings.HasPrefix(args[0], "invoice:") {
		var p workflows.InvoiceProgress
		if err := query(ctx, tc, args[0], &p); err != nil {
			return err
		}
		return printJSONOr(c, stdout, p, func() { printInvoiceProgress(stdout, args[0], p) })
	}
	var p workflows.SyncRunStatus
	if err := query(ctx, tc, args[0], &p); err != nil {
		return err
	}
	return printJSONOr(c, stdout, p, func() { printRunTable(stdout, p.Progress) })
}

func query(ctx context.Context, tc client.Client, id string, out any) error {
	v, err := tc.QueryWorkflow(ctx, id, "", workflows.QueryProgress)
	if err != nil {
		return fmt.Errorf("asking %s for its progress: %w", id, err)
	}
	return v.Get(out)
}

// follow shows a progress bar until the workflow ends, then its summary.
func follow(ctx context.Context, c *config, tc client.Client, id string, stdout, stderr io.Writer) error {
	run := tc.GetWorkflow(ctx, id, "")
	done := make(chan error, 1)
	isInvoice := strings.HasPrefix(id, "invoice:")
	isRecord := !isInvoice && isRecordWorkflow(id)
	var runResult workflows.SyncRunResult
	var invResult workflows.InvoiceSyncResult
	var recResult map[string]any
	go func() {
		switch {
		case isInvoice:
			done <- run.Get(ctx, &invResult)
		case isRecord:
			done <- run.Get(ctx, &recResult)
		default:
			done <- run.Get(ctx, &runResult)
		}
	}()

	var bar *progressbar.ProgressBar
	if !c.JSON {
		bar = progressbar.NewOptions(-1, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("syncing"),
			progressbar.OptionShowCount(), progressbar.OptionSetWidth(30), progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish())
	}
	// Progress queries are billable: the interval grows for long runs.
	started := time.Now()
	tick := time.NewTimer(workflows.ProgressPollInterval(0))
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if bar != nil {
				_ = bar.Finish()
			}
			if err != nil {
				return fmt.Errorf("%s failed: %w", id, err)
			}
			switch {
			case isInvoice:
				return printJSONOr(c, stdout, invResult, func() { printInvoiceResult(stdout, invResult) })
			case isRecord:
				return printJSONOr(c, stdout, recResult, func() { printRecordResult(stdout, id, recResult) })
			}
			return printJSONOr(c, stdout, runResult, func() { printRunResult(stdout, runResult) })
		case <-ctx.Done():
			return fmt.Errorf("stopped following %s; it goes on running (starter progress %s --wait)", id, id)
		case <-tick.C:
			tick.Reset(workflows.ProgressPollInterval(time.Since(started)))
			if bar == nil || isRecord {
				continue
			}
			if isInvoice {
				var p workflows.InvoiceProgress
				if query(ctx, tc, id, &p) == nil && p.TotalBatches > 0 {
					bar.ChangeMax(p.TotalBatches)
					bar.Describe(fmt.Sprintf("invoice %s: line batches", p.InvoiceNumber))
					_ = bar.Set(p.NextBatch)
				}
				continue
			}
			var p workflows.SyncRunStatus
			if query(ctx, tc, id, &p) == nil {
				cnt := p.Progress.OfPhase(p.Phase)
				if cnt.Selected > 0 {
					bar.ChangeMax(cnt.Selected)
				}
				bar.Describe(fmt.Sprintf("%s (%d errors, %d in flight)", p.Phase, cnt.Errored, p.InFlight))
				_ = bar.Set(cnt.Done())
			}
		}
	}
}

func printJSONOr(c *config, w io.Writer, v any, table func()) error {
	if c.JSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	table()
	return nil
}

func printRunTable(w io.Writer, p workflows.RunProgress) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "RECORDS\tSELECTED\tSYNCED\tERROR\tIGNORED\tSKIPPED\t")
	for _, row := range []struct {
		name string
		c    workflows.Counts
	}{ // in the order a run goes through them (workflows.AllPhases)
		{"customers", p.Customers}, {"catalog charges", p.Charges}, {"invoices", p.Invoices},
		{"debit memos", p.DebitMemos}, {"credit memos", p.CreditMemos}, {"payments", p.Payments}, {"refunds", p.Refunds},
		{"adjustments", p.Adjustments}, {"NetSuite payments", p.NetSuitePayments}, {"NetSuite refunds", p.NetSuiteRefunds}, {"rev rec updates", p.RevRec},
	} {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t\n", row.name, row.c.Selected, row.c.Synced, row.c.Errored, row.c.Ignored, row.c.Skipped)
	}
	_ = tw.Flush()
}

func printRunResult(w io.Writer, r workflows.SyncRunResult) {
	printRunTable(w, r.Progress)
	if len(r.Disabled) > 0 {
		fmt.Fprintf(w, "\nswitched off: %s\n", strings.Join(r.Disabled, ", "))
		for _, p := range r.Disabled {
			if why := r.DisabledReasons[p]; why != "" {
				fmt.Fprintf(w, "  %s: %s\n", p, why)
			}
		}
	}
	if len(r.Errors) > 0 {
		fmt.Fprintf(w, "\nrecords in Error (the reason is also on each Zuora record's Integration Status):\n")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "TYPE\tNUMBER\tZUORA ID\tREASON")
		for _, e := range r.Errors {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Type, e.Number, e.ID, e.Reason)
		}
		_ = tw.Flush()
		if r.ErrorsOmitted > 0 {
			fmt.Fprintf(w, "... and %d more\n", r.ErrorsOmitted)
		}
	}
}

func printInvoiceProgress(w io.Writer, id string, p workflows.InvoiceProgress) {
	fmt.Fprintf(w, "%s (invoice %s): %d of %d line batches in NetSuite %s %s, %d lines written\n",
		id, p.InvoiceNumber, p.NextBatch, p.TotalBatches, p.RecordType, p.NetSuiteID, p.LinesWritten)
}

func printInvoiceResult(w io.Writer, r workflows.InvoiceSyncResult) {
	fmt.Fprintf(w, "invoice %s (%s): %s", r.InvoiceNumber, r.InvoiceID, r.Outcome)
	if r.NetSuiteID != "" {
		fmt.Fprintf(w, " → NetSuite %s %s, %d lines in %d batches", r.RecordType, r.NetSuiteID, r.Lines, r.Batches)
	}
	fmt.Fprintln(w)
	if r.Reason != "" {
		fmt.Fprintf(w, "reason: %s\n", r.Reason)
	}
}

func uiLink(c *config, id string) string {
	host := "http://localhost:8233"
	return fmt.Sprintf("%s/namespaces/%s/workflows/%s", host, c.Temporal.Namespace, id)
}

// isRecordWorkflow: a customer, charge or adjustment sync (their results share
// outcome, reason and number).
func isRecordWorkflow(id string) bool {
	for _, prefix := range []string{"customer:", "charge:", "adjustment:"} {
		if strings.HasPrefix(id, prefix) {
			return true
		}
	}
	return false
}

func printRecordResult(w io.Writer, id string, r map[string]any) {
	fmt.Fprintf(w, "%s", id)
	if n, _ := r["number"].(string); n != "" {
		fmt.Fprintf(w, " (%s)", n)
	}
	fmt.Fprintf(w, ": %v", r["outcome"])
	if ns, _ := r["netsuiteId"].(string); ns != "" {
		fmt.Fprintf(w, " → NetSuite %s", ns)
	}
	fmt.Fprintln(w)
	if reason, _ := r["reason"].(string); reason != "" {
		fmt.Fprintf(w, "reason: %s\n", reason)
	}
}
