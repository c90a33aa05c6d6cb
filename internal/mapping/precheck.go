package mapping

import (
	"fmt"
	"sort"
	"strings"

	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// The Invoice Settlement migration's pre-check: the checklist of seed
// is-migration-validate-transactions, one finding per scenario, plus the
// migration's own configuration (the one-time charge its credit memos use).

// Finding ids: stable, an operator types them in `migrate override ID`.
const (
	FindingDraftAccountsCreditBalance     = "draft-accounts-credit-balance"
	FindingCanceledAccountsCreditBalance  = "canceled-accounts-credit-balance"
	FindingDraftAccountsNegativeInvoices  = "draft-accounts-negative-invoices"
	FindingInactiveAccountsNegativeInvs   = "inactive-accounts-negative-invoices"
	FindingDraftInvoicesNegativeBalance   = "draft-invoices-negative-balance"
	FindingDraftPayments                  = "draft-payments"
	FindingErrorPayments                  = "error-payments"
	FindingCanceledPayments               = "canceled-payments"
	FindingPaymentRunsApplyCreditBalance  = "payment-runs-apply-credit-balance"
	FindingFinanceOnAccountAccountingCode = "finance-on-account-accounting-code"
	FindingOneTimeCharge                  = "migration-one-time-charge"
	// Raised by the migration itself after its sync step, not by the pre-check.
	FindingUnsyncedAdjustments      = "unsynced-adjustments"
	FindingUnsyncedNegativeInvoices = "unsynced-negative-invoices"
)

// MaxFindingIDs bounds the record ids a finding lists; Count has them all.
const MaxFindingIDs = 100

// Finding is one checklist scenario's result.
type Finding struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Count    int      `json:"count"`
	Records  []string `json:"records,omitempty"` // the first MaxFindingIDs record ids, in id order
	Action   string   `json:"action"`
	Blocking bool     `json:"blocking"`
}

// PrecheckData is what the pre-check reads from the tenant.
type PrecheckData struct {
	Accounts    []zuora.Account
	Invoices    []zuora.Invoice // Posted invoices with a negative amount, and Draft invoices with a negative balance
	Payments    []zuora.Payment // Draft, Error and Canceled payments
	PaymentRuns []zuora.PaymentRun
	// CreditBalance: the tenant has the Credit Balance feature; when the
	// sandbox or the operator does not say, an account holding a credit
	// balance shows it is on.
	CreditBalance bool
	// FinancePermission: the tenant has Zuora Finance.
	FinancePermission bool
	// OneTimeChargeFound: settings.Migration.OneTimeChargeID names an
	// existing product rate plan charge.
	OneTimeChargeFound bool
}

// Precheck runs every scenario; every finding is returned, also those with
// a count of 0, so the report shows what was checked.
func Precheck(d PrecheckData, s settings.Settings) []Finding {
	accounts := map[string]zuora.Account{}
	creditBalance := d.CreditBalance
	for _, a := range d.Accounts {
		accounts[a.ID] = a
		if a.CreditBalance.IsPositive() {
			creditBalance = true
		}
	}
	var draftCB, canceledCB, draftNeg, inactiveNeg, draftInvNeg, draftPay, errorPay, canceledPay, runs, withCredit []string
	if creditBalance {
		for _, a := range d.Accounts {
			if !a.CreditBalance.IsPositive() {
				continue
			}
			withCredit = append(withCredit, a.ID)
			switch a.Status {
			case "Draft":
				draftCB = append(draftCB, a.ID)
			case "Canceled":
				canceledCB = append(canceledCB, a.ID)
			}
		}
	}
	negDraftAcct, negInactiveAcct := map[string]bool{}, map[string]bool{}
	var postedNegative []string
	for _, inv := range d.Invoices {
		switch {
		case PostedNegative(inv):
			postedNegative = append(postedNegative, inv.ID)
			switch accounts[inv.AccountID].Status {
			case "Draft":
				negDraftAcct[inv.AccountID] = true
			case "Canceled":
				negInactiveAcct[inv.AccountID] = true
			}
		case inv.Status == "Draft" && inv.Balance.IsNegative():
			draftInvNeg = append(draftInvNeg, inv.ID)
		}
	}
	draftNeg, inactiveNeg = keys(negDraftAcct), keys(negInactiveAcct)
	for _, p := range d.Payments {
		switch p.Status {
		case "Draft":
			draftPay = append(draftPay, p.ID)
		case "Error":
			errorPay = append(errorPay, p.ID)
		case "Canceled":
			canceledPay = append(canceledPay, p.ID)
		}
	}
	for _, r := range d.PaymentRuns {
		if PaymentRunAppliesCreditBalance(r) {
			runs = append(runs, r.ID)
		}
	}
	code := s.Migration.OnAccountAccountingCode
	if strings.TrimSpace(code) == "" {
		code = "Accounts Receivable"
	}
	var finance []string
	if d.FinancePermission {
		finance = append(append(finance, postedNegative...), withCredit...)
	}
	out := []Finding{
		finding(FindingDraftAccountsCreditBalance, "Draft accounts with credit balance", draftCB, true,
			"Activate each account (or refund or transfer its credit balance) so no draft account holds a credit balance; then re-check."),
		finding(FindingCanceledAccountsCreditBalance, "Canceled accounts with credit balance", canceledCB, true,
			"Reactivate each account for the migration (or refund its credit balance) so its credit balance can become a credit memo; then re-check."),
		finding(FindingDraftAccountsNegativeInvoices, "Draft accounts with posted negative invoices", draftNeg, true,
			"Activate each account so its negative invoices can be converted to credit memos; then re-check."),
		finding(FindingInactiveAccountsNegativeInvs, "Inactive accounts with posted negative invoices", inactiveNeg, true,
			"Reactivate each account for the migration so its negative invoices can be converted to credit memos (cancel it again afterwards); then re-check."),
		finding(FindingDraftInvoicesNegativeBalance, "Draft invoices with a negative balance", draftInvNeg, true,
			"Post or cancel each draft invoice; then re-check."),
		finding(FindingDraftPayments, "Draft payments", draftPay, true,
			"Process or delete each draft payment; then re-check."),
		finding(FindingErrorPayments, "Error payments (not migrated)", errorPay, false,
			"Zuora does not migrate error payments: export them with the Invoice Payment data source and keep the export."),
		finding(FindingCanceledPayments, "Canceled payments (not migrated)", canceledPay, false,
			"Zuora does not migrate canceled payments; their links to invoices stay in the Invoice Payment data source."),
		finding(FindingPaymentRunsApplyCreditBalance, "Scheduled payment runs that apply credit balance before attempting payment", runs, true,
			"Clear 'Apply Credit Balance to the invoice before attempting payment' on each scheduled run (credit balance becomes credit memos in the migration; apply credit memos instead); then re-check."),
		finding(FindingFinanceOnAccountAccountingCode, "Finance permission with posted negative invoices or credit balance", finance, false,
			fmt.Sprintf("Credit memos made by the migration carry the On-Account accounting code %q on their item (charges[].financeInformation.onAccountAccountingCode of POST /v1/creditmemos; settings migration.onAccountAccountingCode, Accounts Receivable by default). The code must exist in Zuora Finance; change the setting before the migration if that is wrong.", code)),
	}
	// The conversion step needs the one-time charge; without it nothing can be converted.
	var missing []string
	if len(postedNegative) > 0 && (strings.TrimSpace(s.Migration.OneTimeChargeID) == "" || !d.OneTimeChargeFound) {
		missing = []string{s.Migration.OneTimeChargeID}
		if s.Migration.OneTimeChargeID == "" {
			missing = []string{"(not set)"}
		}
	}
	out = append(out, finding(FindingOneTimeCharge, "One-time charge for conversion credit memos", missing, true,
		"Set settings migration.oneTimeChargeId to an existing one-time product rate plan charge: each negative invoice becomes a credit memo from it."))
	return out
}

// PostedNegative: seed "posted negative invoices".
func PostedNegative(inv zuora.Invoice) bool {
	return inv.Status == "Posted" && inv.Amount.IsNegative()
}

// PaymentRunAppliesCreditBalance: seed "scheduled payment runs with the
// option to apply credit balance before attempting payments"; a run that has
// completed or was canceled is not scheduled any more.
func PaymentRunAppliesCreditBalance(r zuora.PaymentRun) bool {
	switch r.Status {
	case "Completed", "Canceled", "Error":
		return false
	}
	return r.Scheduled && r.ApplyCreditBalance
}

func finding(id, title string, ids []string, blocking bool, action string) Finding {
	sort.Strings(ids)
	f := Finding{ID: id, Title: title, Count: len(ids), Action: action, Blocking: blocking && len(ids) > 0}
	if len(ids) > MaxFindingIDs {
		ids = ids[:MaxFindingIDs]
	}
	f.Records = ids
	return f
}

// NewFinding makes a finding outside the checklist (the migration's own checks).
func NewFinding(id, title string, ids []string, blocking bool, action string) Finding {
	return finding(id, title, append([]string(nil), ids...), blocking, action)
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
