package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/zuora-netsuite/connector/workflows"
)

// errorTypes are the record types --type accepts.
var errorTypes = []string{workflows.RecordInvoice, workflows.RecordAdjustment, workflows.RecordCustomer, workflows.RecordCharge,
	workflows.RecordDebitMemo, workflows.RecordCreditMemo, workflows.RecordRefund}

// errorRow is a record whose latest sync ended in Error.
type errorRow struct {
	Type          string     `json:"type"`
	ZuoraID       string     `json:"zuoraId"`
	Number        string     `json:"number,omitempty"`
	AccountNumber string     `json:"accountNumber,omitempty"`
	Reason        string     `json:"reason"`
	WorkflowID    string     `json:"workflowId"`
	RunID         string     `json:"runId"`
	Closed        *time.Time `json:"closed,omitempty"`
}

// recordOutcome is the part of every record workflow's result `errors` reads.
type recordOutcome struct {
	Outcome       string `json:"outcome"`
	Reason        string `json:"reason"`
	Number        string `json:"number"`
	InvoiceNumber string `json:"invoiceNumber"`
	AccountNumber string `json:"accountNumber"`
}

// errorsQuery is the visibility query behind `errors`: the search attributes
// the record workflows set (workflows/search.go), on the starter's task
// queue. Values are validated before
// they get here, so the quoting cannot be broken out of.
func errorsQuery(recordType, account, taskQueue string) string {
	q := fmt.Sprintf("%s = %q AND TaskQueue = %q", workflows.SearchOutcome.GetName(), workflows.OutcomeError, taskQueue)
	if recordType != "" {
		q += fmt.Sprintf(" AND %s = %q", workflows.SearchRecordType.GetName(), recordType)
	}
	if account != "" {
		q += fmt.Sprintf(" AND %s = %q", workflows.SearchAccountNumber.GetName(), account)
	}
	return q
}

func validErrorFilters(recordType, account string) error {
	if recordType != "" && !contains(errorTypes, recordType) {
		return fmt.Errorf("--type %q: want one of %s", recordType, strings.Join(errorTypes, ", "))
	}
	if strings.ContainsAny(account, "\"'\\\n") {
		return fmt.Errorf("--account %q: an account number has no quotes, backslashes or line breaks", account)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func cmdErrors(ctx context.Context, c *config, tc client.Client, args []string, stdout, _ io.Writer) error {
	if len(args) != 0 {
		return usageError{fmt.Errorf("errors takes no argument (filter with --type and --account), got %q", strings.Join(args, " "))}
	}
	if err := validErrorFilters(c.Ops.Type, c.Ops.Account); err != nil {
		return usageError{err}
	}
	limit := c.Ops.Limit
	if limit == 0 {
		limit = 100
	}
	if limit < 0 {
		return usageError{fmt.Errorf("--limit %d: must be positive", limit)}
	}
	// Only finished syncs carry a result; a re-run of the same record has the
	// same workflow id, and only its latest run counts.
	seen := map[string]bool{}
	execs, err := listExecutions(ctx, c, tc, errorsQuery(c.Ops.Type, c.Ops.Account, c.Temporal.TaskQueue), limit, func(ex *workflowpb.WorkflowExecutionInfo) bool {
		id := ex.GetExecution().GetWorkflowId()
		if ex.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED || seen[id] {
			return false
		}
		seen[id] = true
		return latestRun(ctx, tc, id) == ex.GetExecution().GetRunId()
	})
	if err != nil {
		return err
	}
	rows := make([]errorRow, 0, len(execs))
	for _, ex := range execs {
		rows = append(rows, errorOf(ctx, tc, ex))
	}
	return printJSONOr(c, stdout, rows, func() { printErrorsTable(stdout, rows, c.Ops) })
}

// latestRun is the run id of the workflow id's newest execution ("" if unknown).
func latestRun(ctx context.Context, tc client.Client, id string) string {
	cctx, cancel := context.WithTimeout(ctx, rpcTimeout)
	defer cancel()
	d, err := tc.DescribeWorkflowExecution(cctx, id, "")
	if err != nil {
		return ""
	}
	return d.GetWorkflowExecutionInfo().GetExecution().GetRunId()
}

func errorOf(ctx context.Context, tc client.Client, ex *workflowpb.WorkflowExecutionInfo) errorRow {
	sa := ex.GetSearchAttributes()
	row := errorRow{
		Type: keyword(sa, workflows.SearchRecordType.GetName()), ZuoraID: keyword(sa, workflows.SearchZuoraID.GetName()),
		Number: keyword(sa, workflows.SearchZuoraNumber.GetName()), AccountNumber: keyword(sa, workflows.SearchAccountNumber.GetName()),
		WorkflowID: ex.GetExecution().GetWorkflowId(), RunID: ex.GetExecution().GetRunId(),
	}
	if ct := ex.GetCloseTime(); ct != nil {
		t := ct.AsTime().UTC()
		row.Closed = &t
	}
	cctx, cancel := context.WithTimeout(ctx, rpcTimeout)
	defer cancel()
	var out recordOutcome
	if err := tc.GetWorkflow(cctx, row.WorkflowID, row.RunID).Get(cctx, &out); err != nil {
		row.Reason = "(the workflow's result could not be read: " + err.Error() + ")"
		return row
	}
	row.Reason = out.Reason
	if row.Number == "" {
		row.Number = firstNonEmpty(out.Number, out.InvoiceNumber)
	}
	if row.AccountNumber == "" {
		row.AccountNumber = out.AccountNumber
	}
	return row
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// keyword decodes a Keyword search attribute ("" when absent).
func keyword(sa *commonpb.SearchAttributes, name string) string {
	p, ok := sa.GetIndexedFields()[name]
	if !ok {
		return ""
	}
	var s string
	if err := converter.GetDefaultDataConverter().FromPayload(p, &s); err != nil {
		return ""
	}
	return s
}

func printErrorsTable(w io.Writer, rows []errorRow, o opsFlags) {
	if len(rows) == 0 {
		what := "no record is in Error"
		if o.Type != "" {
			what = "no " + o.Type + " is in Error"
		}
		if o.Account != "" {
			what += " for account " + o.Account
		}
		fmt.Fprintln(w, what)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TYPE\tNUMBER\tACCOUNT\tZUORA ID\tREASON")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Type, dash(r.Number), dash(r.AccountNumber), r.ZuoraID, oneLine(r.Reason))
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "\n%d records in Error; the reason is also on each Zuora record's Integration Status. Fix the cause, then the next sync run retries them.\n", len(rows))
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// oneLine keeps a reason on its table row.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
