package workflows

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/zuora-netsuite/connector/internal/settings"
)

// Kinds of reconciliation differences, as the report and --json show them.
const (
	DiffMissing      = "missing"       // synced in Zuora, no NetSuite record
	DiffNotLinked    = "not-linked"    // Zuora says Yes but holds no NetSuite id, or another id than the record's
	DiffType         = "type"          // invoice where a credit memo belongs, or the reverse
	DiffTotal        = "total"         // NetSuite total differs from the Zuora amount
	DiffLineCount    = "lines"         // number of lines differs
	DiffLineSum      = "line-amounts"  // sum of line amounts differs
	DiffApplied      = "applied"       // credit memo applied amount differs from the adjustment
	DiffAccountTotal = "account-total" // an account's totals differ for the range
	DiffCustomer     = "customer"      // the NetSuite record belongs to another customer than the account's
)

// Reconciliation defaults: small pages keep each activity call short and its
// result small; the report keeps the first differences and counts the rest.
const (
	DefaultReconcilePageSize       = 50
	DefaultReconcileMaxDifferences = 200
	reconcilePagesPerContinue      = 200
)

// ReconcileInput asks for a reconciliation of the records synced for
// invoice (and adjustment) dates From..To, inclusive, YYYY-MM-DD.
type ReconcileInput struct {
	From     string            `json:"from"`
	To       string            `json:"to"`
	Settings settings.Settings `json:"settings"`
	// PageSize is Zuora accounts per activity call (default 50).
	PageSize int `json:"pageSize,omitempty"`
	// MaxDifferences bounds the differences the report lists (default 200);
	// the rest are counted.
	MaxDifferences int `json:"maxDifferences,omitempty"`
	// State is set by continue-as-new.
	State *ReconcileState `json:"state,omitempty"`
	// settingsDefaulted: the input had no "settings"; the workflow records
	// the defaults it uses (defaults.go), so a replay never re-derives them.
	settingsDefaulted bool
}

// UnmarshalJSON starts from the default settings, so an input written by
// hand (temporal workflow start --input '{"from":...,"to":...}') without
// "settings" compares as a default-configured sync writes.
func (in *ReconcileInput) UnmarshalJSON(b []byte) error {
	type plain ReconcileInput
	p := plain{Settings: settings.Default()}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	var probe struct {
		Settings json.RawMessage `json:"settings"`
	}
	_ = json.Unmarshal(b, &probe)
	p.settingsDefaulted = len(probe.Settings) == 0 || string(probe.Settings) == "null"
	*in = ReconcileInput(p)
	return nil
}

// Difference is one disagreement between Zuora and NetSuite. Amounts are
// decimal text to the cent, empty when not applicable.
type Difference struct {
	Kind          string `json:"kind"`
	RecordType    string `json:"recordType"` // invoice | adjustment | debitmemo | creditmemo | payment | refund | account
	ZuoraID       string `json:"zuoraId,omitempty"`
	Number        string `json:"number,omitempty"`
	AccountNumber string `json:"accountNumber,omitempty"`
	Currency      string `json:"currency,omitempty"`
	NetSuiteID    string `json:"netsuiteId,omitempty"`
	Zuora         string `json:"zuora,omitempty"`
	NetSuite      string `json:"netsuite,omitempty"`
	Detail        string `json:"detail"`
}

// CurrencyTotal is the signed total of the compared records in one currency
// (credit memos count negative), as Zuora and as NetSuite see it.
type CurrencyTotal struct {
	Currency string          `json:"currency"`
	Zuora    decimal.Decimal `json:"zuora"`
	NetSuite decimal.Decimal `json:"netsuite"`
}

// ReconcileCounts are a reconciliation's tallies.
type ReconcileCounts struct {
	Accounts    int `json:"accounts"`    // Zuora accounts looked at
	Invoices    int `json:"invoices"`    // synced invoices compared
	Adjustments int `json:"adjustments"` // synced invoice item adjustments compared
	DebitMemos  int `json:"debitMemos"`  // synced debit memos compared (Invoice Settlement)
	CreditMemos int `json:"creditMemos"` // synced credit memos compared (Invoice Settlement)
	Payments    int `json:"payments"`    // synced payments compared
	Refunds     int `json:"refunds"`     // synced refunds compared
	Matched     int `json:"matched"`     // records without any difference
	Differences int `json:"differences"` // differences found (listed or not)
}

// ReconcileState is what a reconciliation carries across continue-as-new:
// counts, the first differences and per-currency totals, never the records.
type ReconcileState struct {
	AfterAccountID     string           `json:"afterAccountId,omitempty"`
	Counts             ReconcileCounts  `json:"counts"`
	Differences        []Difference     `json:"differences,omitempty"`
	DifferencesOmitted int              `json:"differencesOmitted,omitempty"`
	Totals             []CurrencyTotal  `json:"totals,omitempty"`
	Pages              int              `json:"pages"`
	ContinuedAsNew     int              `json:"continuedAsNew"`
	DifferencesByType  []TypeCount      `json:"differencesByType,omitempty"`
	Accounts           []AccountFigures `json:"accounts,omitempty"`
	AccountsOmitted    int              `json:"accountsOmitted,omitempty"`
}

// ReconcilePageInput is one activity call: the next Limit Zuora accounts
// after AfterAccountID (in id order), compared in full.
type ReconcilePageInput struct {
	From           string            `json:"from"`
	To             string            `json:"to"`
	Settings       settings.Settings `json:"settings"`
	AfterAccountID string            `json:"afterAccountId,omitempty"`
	Limit          int               `json:"limit"`
	MaxDifferences int               `json:"maxDifferences"`
}

// ReconcilePageResult is one page's outcome: counts, at most MaxDifferences
// differences (DifferencesFound counts all), and the page's currency totals.
type ReconcilePageResult struct {
	Counts           ReconcileCounts `json:"counts"`
	Differences      []Difference    `json:"differences,omitempty"`
	DifferencesFound int             `json:"differencesFound"`
	Totals           []CurrencyTotal `json:"totals,omitempty"`
	LastAccountID    string          `json:"lastAccountId,omitempty"`
	Done             bool            `json:"done"`
	// DifferencesByType counts all the page's differences by record type.
	DifferencesByType []TypeCount `json:"differencesByType,omitempty"`
	// Accounts are the figures of the page's accounts that have synced records.
	Accounts []AccountFigures `json:"accounts,omitempty"`
}

// ReconcileStatus answers the progress query of a reconciliation.
type ReconcileStatus struct {
	From   string          `json:"from"`
	To     string          `json:"to"`
	Pages  int             `json:"pages"`
	Counts ReconcileCounts `json:"counts"`
	Done   bool            `json:"done"`
}

// ReconcileResult is the report.
type ReconcileResult struct {
	From               string          `json:"from"`
	To                 string          `json:"to"`
	Counts             ReconcileCounts `json:"counts"`
	Differences        []Difference    `json:"differences,omitempty"`
	DifferencesOmitted int             `json:"differencesOmitted,omitempty"`
	Totals             []CurrencyTotal `json:"totals,omitempty"`
	ContinuedAsNew     int             `json:"continuedAsNew"`
	// DifferencesByType counts the differences by record type (account = account totals).
	DifferencesByType []TypeCount `json:"differencesByType,omitempty"`
	// Accounts are per-account figures: every account's with a difference,
	// then others while the report has room (MaxDifferences); AccountsOmitted counts the rest.
	Accounts        []AccountFigures `json:"accounts,omitempty"`
	AccountsOmitted int              `json:"accountsOmitted,omitempty"`
}

// TypeCount is a number of differences of one record type.
type TypeCount struct {
	RecordType string `json:"recordType"`
	Count      int    `json:"count"`
}

// TypeFigures are one record type's part of an account's open balance: how
// many synced records and their signed sum in Zuora and in NetSuite.
type TypeFigures struct {
	RecordType string          `json:"recordType"`
	Records    int             `json:"records"`
	Zuora      decimal.Decimal `json:"zuora"`
	NetSuite   decimal.Decimal `json:"netsuite"`
}

// AccountFigures are one account's open balance over the synced records of
// the range, as Zuora and as NetSuite have them: invoices + debit memos −
// credit memos − payments + refunds (and, without Invoice Settlement,
// invoice item adjustments: charge +, credit −), by record type.
type AccountFigures struct {
	AccountID     string          `json:"accountId"`
	AccountNumber string          `json:"accountNumber"`
	Currency      string          `json:"currency"`
	Zuora         decimal.Decimal `json:"zuora"`
	NetSuite      decimal.Decimal `json:"netsuite"`
	Differences   int             `json:"differences"` // the account's differences (its records' and its total's)
	Types         []TypeFigures   `json:"types"`
}

// OpenBalanceSign is how a record type counts in an account's open balance:
// +1 for what the customer owes (invoice, debit memo, refund paid out), −1
// for what settles it (credit memo, payment); invoices and adjustments carry
// their own sign (a negative invoice, a credit adjustment) and count +1.
func OpenBalanceSign(recordType string) int {
	switch recordType {
	case RecordCreditMemo, RecordPayment:
		return -1
	}
	return 1
}

// Add counts one record of a type with its signed amounts (already in the
// open balance's sign) in the account's figures, keeping Types sorted.
func (f *AccountFigures) Add(recordType string, zuora, netsuite decimal.Decimal) {
	f.Zuora = f.Zuora.Add(zuora)
	f.NetSuite = f.NetSuite.Add(netsuite)
	i := sort.Search(len(f.Types), func(i int) bool { return f.Types[i].RecordType >= recordType })
	if i == len(f.Types) || f.Types[i].RecordType != recordType {
		f.Types = append(f.Types, TypeFigures{})
		copy(f.Types[i+1:], f.Types[i:])
		f.Types[i] = TypeFigures{RecordType: recordType}
	}
	f.Types[i].Records++
	f.Types[i].Zuora = f.Types[i].Zuora.Add(zuora)
	f.Types[i].NetSuite = f.Types[i].NetSuite.Add(netsuite)
}

// Records is how many synced records the figures cover.
func (f AccountFigures) Records() int {
	n := 0
	for _, t := range f.Types {
		n += t.Records
	}
	return n
}

// AddTypeCount adds n differences of a record type to a sorted list.
func AddTypeCount(list []TypeCount, recordType string, n int) []TypeCount {
	i := sort.Search(len(list), func(i int) bool { return list[i].RecordType >= recordType })
	if i == len(list) || list[i].RecordType != recordType {
		list = append(list, TypeCount{})
		copy(list[i+1:], list[i:])
		list[i] = TypeCount{RecordType: recordType}
	}
	list[i].Count += n
	return list
}

// Clean reports whether the books agree for the range.
func (r ReconcileResult) Clean() bool { return r.Counts.Differences == 0 }

// ValidateReconcileRange checks a date range as the workflow and the starter accept it.
func ValidateReconcileRange(from, to string) error {
	f, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return fmt.Errorf("from date %q: want YYYY-MM-DD", from)
	}
	t, err := time.Parse(time.DateOnly, to)
	if err != nil {
		return fmt.Errorf("to date %q: want YYYY-MM-DD", to)
	}
	if t.Before(f) {
		return fmt.Errorf("the range %s..%s ends before it starts", from, to)
	}
	return nil
}

func reconcileActivityOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		HeartbeatTimeout:    3 * time.Minute, // above the clients' 2-minute request timeout
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 2 * time.Minute, MaximumAttempts: 25,
		},
	}
}

// ReconcileWorkflow compares, account page by account page, every Zuora
// invoice and invoice item adjustment synced for the date range with its
// NetSuite record, and the totals per account and currency. It reads nothing
// itself: each page is an activity that returns counts and a bounded list of
// differences, so the history stays small however many records there are.
func ReconcileWorkflow(ctx workflow.Context, in ReconcileInput) (ReconcileResult, error) {
	if err := ValidateReconcileRange(in.From, in.To); err != nil {
		return ReconcileResult{}, temporal.NewNonRetryableApplicationError(err.Error(), "BadInput", nil)
	}
	if in.settingsDefaulted {
		in.Settings = defaultSettings(ctx)
	}
	pageSize := in.PageSize
	if pageSize <= 0 {
		pageSize = DefaultReconcilePageSize
	}
	maxDiffs := in.MaxDifferences
	if maxDiffs <= 0 {
		maxDiffs = DefaultReconcileMaxDifferences
	}
	var st ReconcileState
	if in.State != nil {
		st = *in.State
	}
	done := false
	if err := workflow.SetQueryHandler(ctx, QueryProgress, func() (ReconcileStatus, error) {
		return ReconcileStatus{From: in.From, To: in.To, Pages: st.Pages, Counts: st.Counts, Done: done}, nil
	}); err != nil {
		return ReconcileResult{}, err
	}
	actx := workflow.WithActivityOptions(ctx, reconcileActivityOptions())
	for pages := 0; ; pages++ {
		if pages >= reconcilePagesPerContinue || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			st.ContinuedAsNew++
			next := in
			next.State = &st
			return ReconcileResult{}, workflow.NewContinueAsNewError(ctx, ReconcileWorkflow, next)
		}
		var page ReconcilePageResult
		if err := workflow.ExecuteActivity(actx, ActivityReconcilePage, ReconcilePageInput{
			From: in.From, To: in.To, Settings: in.Settings, AfterAccountID: st.AfterAccountID,
			Limit: pageSize, MaxDifferences: maxDiffs,
		}).Get(ctx, &page); err != nil {
			return ReconcileResult{}, fmt.Errorf("reconciling accounts after %q: %w", st.AfterAccountID, err)
		}
		st.merge(page, maxDiffs)
		workflow.SetCurrentDetails(ctx, fmt.Sprintf("reconciling %s..%s: %d accounts, %d invoices, %d adjustments, %d debit memos, %d credit memos, %d payments, %d refunds, %d differences",
			in.From, in.To, st.Counts.Accounts, st.Counts.Invoices, st.Counts.Adjustments, st.Counts.DebitMemos, st.Counts.CreditMemos,
			st.Counts.Payments, st.Counts.Refunds, st.Counts.Differences))
		if page.Done {
			done = true
			return ReconcileResult{
				From: in.From, To: in.To, Counts: st.Counts, Differences: st.Differences,
				DifferencesOmitted: st.DifferencesOmitted, Totals: st.Totals, ContinuedAsNew: st.ContinuedAsNew,
				DifferencesByType: st.DifferencesByType, Accounts: st.Accounts, AccountsOmitted: st.AccountsOmitted,
			}, nil
		}
	}
}

// merge adds a page to the state, keeping at most maxDiffs differences and
// the currency totals sorted (deterministic, no map iteration).
func (st *ReconcileState) merge(p ReconcilePageResult, maxDiffs int) {
	st.Pages++
	if p.LastAccountID != "" {
		st.AfterAccountID = p.LastAccountID
	}
	st.Counts.Accounts += p.Counts.Accounts
	st.Counts.Invoices += p.Counts.Invoices
	st.Counts.Adjustments += p.Counts.Adjustments
	st.Counts.DebitMemos += p.Counts.DebitMemos
	st.Counts.CreditMemos += p.Counts.CreditMemos
	st.Counts.Payments += p.Counts.Payments
	st.Counts.Refunds += p.Counts.Refunds
	st.Counts.Matched += p.Counts.Matched
	found := max(p.DifferencesFound, len(p.Differences))
	st.Counts.Differences += found
	for _, d := range p.Differences {
		if len(st.Differences) < maxDiffs {
			st.Differences = append(st.Differences, d)
		} else {
			st.DifferencesOmitted++
		}
	}
	st.DifferencesOmitted += found - len(p.Differences)
	for _, c := range p.DifferencesByType {
		st.DifferencesByType = AddTypeCount(st.DifferencesByType, c.RecordType, c.Count)
	}
	for _, a := range p.Accounts {
		st.keepAccount(a, maxDiffs)
	}
	for _, t := range p.Totals {
		i := sort.Search(len(st.Totals), func(i int) bool { return st.Totals[i].Currency >= t.Currency })
		if i < len(st.Totals) && st.Totals[i].Currency == t.Currency {
			st.Totals[i].Zuora = st.Totals[i].Zuora.Add(t.Zuora)
			st.Totals[i].NetSuite = st.Totals[i].NetSuite.Add(t.NetSuite)
			continue
		}
		st.Totals = append(st.Totals, CurrencyTotal{})
		copy(st.Totals[i+1:], st.Totals[i:])
		st.Totals[i] = t
	}
}

// keepAccount keeps at most maxAccounts account figures: an account with a
// difference takes the place of a clean one when the list is full.
func (st *ReconcileState) keepAccount(a AccountFigures, maxAccounts int) {
	if len(st.Accounts) < maxAccounts {
		st.Accounts = append(st.Accounts, a)
		return
	}
	st.AccountsOmitted++
	if a.Differences == 0 {
		return
	}
	for i := range st.Accounts {
		if st.Accounts[i].Differences == 0 {
			st.Accounts = append(st.Accounts[:i], st.Accounts[i+1:]...)
			st.Accounts = append(st.Accounts, a)
			return
		}
	}
}

// ReconcileAfterSyncID is the workflow id of the reconciliation a sync run
// starts when settings run.reconcileAfterSync is on.
func ReconcileAfterSyncID(syncRunID string) string { return "reconcile-after-" + syncRunID }

// reconcileAfterSync starts a reconciliation of the open accounting periods
// (invoice dates from the first of the previous month to today, UTC) as an
// abandoned child: the run's result does not wait for it, and its report is
// the child's result. A failure to start it is logged, never fails the run.
func reconcileAfterSync(ctx workflow.Context, s settings.Settings) {
	now := workflow.Now(ctx).UTC()
	from := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, time.UTC)
	info := workflow.GetInfo(ctx)
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            ReconcileAfterSyncID(info.WorkflowExecution.ID),
		TaskQueue:             info.TaskQueueName,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
	})
	f := workflow.ExecuteChildWorkflow(cctx, WorkflowReconcile, ReconcileInput{
		From: from.Format(time.DateOnly), To: now.Format(time.DateOnly), Settings: s,
	})
	if err := f.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("the reconciliation after this sync run did not start", "error", err)
	}
}
