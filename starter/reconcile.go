package main

import (
	"context"
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

// cmdReconcile starts a reconciliation (`reconcile --from --to`) or shows
// one's report (`reconcile show <WORKFLOW-ID>`).
func cmdReconcile(ctx context.Context, c *config, tc client.Client, args []string, stdout, stderr io.Writer) error {
	if len(args) == 2 && args[0] == "show" {
		return followReconcile(ctx, c, tc, args[1], stdout, stderr)
	}
	if len(args) != 0 {
		return usageError{fmt.Errorf("reconcile takes --from and --to, or 'show <WORKFLOW-ID>', got %q", strings.Join(args, " "))}
	}
	if c.Ops.From == "" || c.Ops.To == "" {
		return usageError{errors.New("reconcile needs --from and --to (invoice dates, YYYY-MM-DD), e.g. --from 2026-01-01 --to 2026-12-31")}
	}
	if err := workflows.ValidateReconcileRange(c.Ops.From, c.Ops.To); err != nil {
		return usageError{err}
	}
	s, err := c.loadSettings()
	if err != nil {
		return usageError{err}
	}
	id := c.WorkflowID
	if id == "" {
		id = fmt.Sprintf("reconcile-%s-%s-%s", c.Ops.From, c.Ops.To, time.Now().UTC().Format("20060102-150405"))
	}
	run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: id, TaskQueue: c.Temporal.TaskQueue, WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
	}, workflows.WorkflowReconcile, workflows.ReconcileInput{From: c.Ops.From, To: c.Ops.To, Settings: s})
	if err != nil {
		return fmt.Errorf("starting the reconciliation: %w", err)
	}
	if waiting, err := announceStarted(c, run, "its report: starter reconcile show %s", stdout, stderr); !waiting {
		return err
	}
	return followReconcile(ctx, c, tc, run.GetID(), stdout, stderr)
}

// followReconcile shows a spinner with the running counts until the
// reconciliation ends, then its report.
func followReconcile(ctx context.Context, c *config, tc client.Client, id string, stdout, stderr io.Writer) error {
	run := tc.GetWorkflow(ctx, id, "")
	done := make(chan error, 1)
	var res workflows.ReconcileResult
	go func() { done <- run.Get(ctx, &res) }()
	var bar *progressbar.ProgressBar
	if !c.JSON {
		bar = progressbar.NewOptions(-1, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("reconciling"),
			progressbar.OptionSpinnerType(14), progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish())
	}
	tick := time.NewTicker(time.Second)
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
			return printJSONOr(c, stdout, res, func() { printReconcileReport(stdout, res) })
		case <-ctx.Done():
			return fmt.Errorf("stopped following %s; it goes on running (starter reconcile show %s)", id, id)
		case <-tick.C:
			if bar == nil {
				continue
			}
			var p workflows.ReconcileStatus
			if query(ctx, tc, id, &p) == nil {
				bar.Describe(fmt.Sprintf("reconciling %s..%s: %d accounts, %d invoices, %d adjustments, %d memos, %d payments, %d refunds, %d differences",
					p.From, p.To, p.Counts.Accounts, p.Counts.Invoices, p.Counts.Adjustments, p.Counts.DebitMemos+p.Counts.CreditMemos,
					p.Counts.Payments, p.Counts.Refunds, p.Counts.Differences))
				_ = bar.Add(1)
			}
		}
	}
}

func printReconcileReport(w io.Writer, r workflows.ReconcileResult) {
	n := r.Counts
	fmt.Fprintf(w, "reconciliation %s..%s: %d accounts; %d invoices, %d adjustments, %d debit memos, %d credit memos, %d payments and %d refunds compared; %d match, %d differences\n",
		r.From, r.To, n.Accounts, n.Invoices, n.Adjustments, n.DebitMemos, n.CreditMemos, n.Payments, n.Refunds, n.Matched, n.Differences)
	if len(r.DifferencesByType) > 0 {
		parts := make([]string, len(r.DifferencesByType))
		for i, c := range r.DifferencesByType {
			parts[i] = fmt.Sprintf("%s %d", c.RecordType, c.Count)
		}
		fmt.Fprintf(w, "differences by record type: %s\n", strings.Join(parts, ", "))
	}
	if r.Clean() {
		fmt.Fprintln(w, "Zuora and NetSuite agree to the cent.")
	} else {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "DIFFERENCE\tTYPE\tNUMBER\tACCOUNT\tNETSUITE ID\tZUORA\tNETSUITE\tDETAIL")
		for _, d := range r.Differences {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.Kind, d.RecordType, dash(d.Number), dash(d.AccountNumber),
				dash(d.NetSuiteID), dash(d.Zuora), dash(d.NetSuite), oneLine(d.Detail))
		}
		_ = tw.Flush()
		if r.DifferencesOmitted > 0 {
			fmt.Fprintf(w, "... and %d more differences not listed (the report keeps the first %d)\n", r.DifferencesOmitted, len(r.Differences))
		}
	}
	if len(r.Accounts) > 0 {
		// Each account's open balance (invoices + debit memos − credit memos −
		// payments + refunds) in both systems, and the record types behind it.
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ACCOUNT\tCURRENCY\tRECORDS\tZUORA\tNETSUITE\tDIFFERENCE\tBY TYPE (ZUORA/NETSUITE)")
		for _, a := range r.Accounts {
			parts := make([]string, len(a.Types))
			for i, t := range a.Types {
				parts[i] = fmt.Sprintf("%s %d: %s/%s", t.RecordType, t.Records, t.Zuora.StringFixed(2), t.NetSuite.StringFixed(2))
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", a.AccountNumber, a.Currency, a.Records(), a.Zuora.StringFixed(2),
				a.NetSuite.StringFixed(2), a.NetSuite.Sub(a.Zuora).StringFixed(2), strings.Join(parts, "; "))
		}
		_ = tw.Flush()
		if r.AccountsOmitted > 0 {
			fmt.Fprintf(w, "... and %d more accounts not listed\n", r.AccountsOmitted)
		}
	}
	if len(r.Totals) > 0 {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "CURRENCY\tZUORA\tNETSUITE\tDIFFERENCE\t")
		for _, t := range r.Totals {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", t.Currency, t.Zuora.StringFixed(2), t.NetSuite.StringFixed(2), t.NetSuite.Sub(t.Zuora).StringFixed(2))
		}
		_ = tw.Flush()
	}
}
