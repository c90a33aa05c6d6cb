package mapping

import (
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func findingByID(t *testing.T, fs []Finding, id string) Finding {
	t.Helper()
	for _, f := range fs {
		if f.ID == id {
			return f
		}
	}
	t.Fatalf("no finding %s in %+v", id, fs)
	return Finding{}
}

// cleanData is a tenant with nothing to report (one active account, a
// positive posted invoice, a processed payment, a run without credit balance).
func cleanData() PrecheckData {
	return PrecheckData{
		Accounts:           []zuora.Account{{ID: "A1", Status: "Active", CreditBalance: dec("0")}},
		Invoices:           []zuora.Invoice{{ID: "I1", AccountID: "A1", Status: "Posted", Amount: dec("10"), Balance: dec("10")}},
		Payments:           []zuora.Payment{{ID: "P1", AccountID: "A1", Status: "Processed"}},
		PaymentRuns:        []zuora.PaymentRun{{ID: "R1", Status: "Pending", Scheduled: true}},
		OneTimeChargeFound: true,
	}
}

func migrationSettings() settings.Settings {
	s := settings.Default()
	s.Migration.OneTimeChargeID = "PRC-ONE"
	return s
}

func TestPrecheckScenarios(t *testing.T) {
	cases := []struct {
		name     string
		id       string
		change   func(d *PrecheckData, s *settings.Settings)
		want     []string
		blocking bool
	}{
		{"any draft accounts with credit balance", FindingDraftAccountsCreditBalance, func(d *PrecheckData, _ *settings.Settings) {
			d.Accounts = append(d.Accounts, zuora.Account{ID: "A2", Status: "Draft", CreditBalance: dec("5")},
				zuora.Account{ID: "A3", Status: "Draft", CreditBalance: dec("0")})
		}, []string{"A2"}, true},
		{"any canceled accounts with credit balance", FindingCanceledAccountsCreditBalance, func(d *PrecheckData, _ *settings.Settings) {
			d.Accounts = append(d.Accounts, zuora.Account{ID: "A4", Status: "Canceled", CreditBalance: dec("1.50")},
				zuora.Account{ID: "A5", Status: "Active", CreditBalance: dec("9")})
		}, []string{"A4"}, true},
		{"any draft accounts with posted negative invoices", FindingDraftAccountsNegativeInvoices, func(d *PrecheckData, _ *settings.Settings) {
			d.Accounts = append(d.Accounts, zuora.Account{ID: "A6", Status: "Draft"})
			d.Invoices = append(d.Invoices, zuora.Invoice{ID: "I6", AccountID: "A6", Status: "Posted", Amount: dec("-3"), Balance: dec("-3")},
				zuora.Invoice{ID: "I7", AccountID: "A6", Status: "Posted", Amount: dec("-4"), Balance: dec("-4")})
		}, []string{"A6"}, true},
		{"any inactive accounts with posted negative invoices", FindingInactiveAccountsNegativeInvs, func(d *PrecheckData, _ *settings.Settings) {
			d.Accounts = append(d.Accounts, zuora.Account{ID: "A7", Status: "Canceled"})
			d.Invoices = append(d.Invoices, zuora.Invoice{ID: "I8", AccountID: "A7", Status: "Posted", Amount: dec("-3"), Balance: dec("-3")})
		}, []string{"A7"}, true},
		{"any draft invoices with a negative balance", FindingDraftInvoicesNegativeBalance, func(d *PrecheckData, _ *settings.Settings) {
			d.Invoices = append(d.Invoices, zuora.Invoice{ID: "I9", AccountID: "A1", Status: "Draft", Amount: dec("-2"), Balance: dec("-2")},
				zuora.Invoice{ID: "I10", AccountID: "A1", Status: "Draft", Amount: dec("2"), Balance: dec("2")})
		}, []string{"I9"}, true},
		{"draft payments", FindingDraftPayments, func(d *PrecheckData, _ *settings.Settings) {
			d.Payments = append(d.Payments, zuora.Payment{ID: "P2", Status: "Draft"})
		}, []string{"P2"}, true},
		{"error payments are not migrated: listed for export, not blocking", FindingErrorPayments, func(d *PrecheckData, _ *settings.Settings) {
			d.Payments = append(d.Payments, zuora.Payment{ID: "P3", Status: "Error"})
		}, []string{"P3"}, false},
		{"canceled payments are not migrated: listed, not blocking", FindingCanceledPayments, func(d *PrecheckData, _ *settings.Settings) {
			d.Payments = append(d.Payments, zuora.Payment{ID: "P4", Status: "Canceled"})
		}, []string{"P4"}, false},
		{"any scheduled payment runs with the option to apply credit balance before attempting payments", FindingPaymentRunsApplyCreditBalance, func(d *PrecheckData, _ *settings.Settings) {
			d.PaymentRuns = append(d.PaymentRuns, zuora.PaymentRun{ID: "R2", Status: "Pending", Scheduled: true, ApplyCreditBalance: true},
				zuora.PaymentRun{ID: "R3", Status: "Completed", Scheduled: true, ApplyCreditBalance: true},
				zuora.PaymentRun{ID: "R4", Status: "Pending", Scheduled: false, ApplyCreditBalance: true})
		}, []string{"R2"}, true},
		{"tenant with the Finance permission and posted negative invoices or credit balance", FindingFinanceOnAccountAccountingCode, func(d *PrecheckData, _ *settings.Settings) {
			d.FinancePermission = true
			d.Accounts = append(d.Accounts, zuora.Account{ID: "A8", Status: "Active", CreditBalance: dec("7")})
			d.Invoices = append(d.Invoices, zuora.Invoice{ID: "I11", AccountID: "A1", Status: "Posted", Amount: dec("-1"), Balance: dec("-1")})
		}, []string{"A8", "I11"}, false},
		{"the finance finding is empty without the Finance permission", FindingFinanceOnAccountAccountingCode, func(d *PrecheckData, _ *settings.Settings) {
			d.Accounts = append(d.Accounts, zuora.Account{ID: "A8", Status: "Active", CreditBalance: dec("7")})
		}, nil, false},
		{"conversion needs the configured one-time charge", FindingOneTimeCharge, func(d *PrecheckData, s *settings.Settings) {
			s.Migration.OneTimeChargeID = ""
			d.Invoices = append(d.Invoices, zuora.Invoice{ID: "I12", AccountID: "A1", Status: "Posted", Amount: dec("-1"), Balance: dec("-1")})
		}, []string{"(not set)"}, true},
		{"a one-time charge that does not exist blocks", FindingOneTimeCharge, func(d *PrecheckData, s *settings.Settings) {
			d.OneTimeChargeFound = false
			d.Invoices = append(d.Invoices, zuora.Invoice{ID: "I12", AccountID: "A1", Status: "Posted", Amount: dec("-1"), Balance: dec("-1")})
		}, []string{"PRC-ONE"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, s := cleanData(), migrationSettings()
			tc.change(&d, &s)
			f := findingByID(t, Precheck(d, s), tc.id)
			if f.Count != len(tc.want) || strings.Join(f.Records, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("%s: count %d records %v, want %v", tc.id, f.Count, f.Records, tc.want)
			}
			if f.Blocking != tc.blocking {
				t.Fatalf("%s: blocking %v, want %v", tc.id, f.Blocking, tc.blocking)
			}
			if f.Action == "" || f.Title == "" {
				t.Fatalf("%s: no title or action: %+v", tc.id, f)
			}
		})
	}
}

func TestPrecheckCleanTenantHasNoBlockingFinding(t *testing.T) {
	fs := Precheck(cleanData(), migrationSettings())
	if len(fs) != 11 {
		t.Fatalf("%d findings, want every scenario (11): %+v", len(fs), fs)
	}
	for _, f := range fs {
		if f.Count != 0 || f.Blocking {
			t.Errorf("clean tenant: %s has count %d blocking %v", f.ID, f.Count, f.Blocking)
		}
	}
}

func TestPrecheckFindingListsAtMost100IDsButCountsAll(t *testing.T) {
	d := cleanData()
	for i := range 150 {
		d.Payments = append(d.Payments, zuora.Payment{ID: fmt.Sprintf("P%03d", i), Status: "Draft"})
	}
	f := findingByID(t, Precheck(d, migrationSettings()), FindingDraftPayments)
	if f.Count != 150 || len(f.Records) != MaxFindingIDs || f.Records[0] != "P000" {
		t.Fatalf("count %d, %d records (first %q); want 150, 100, P000", f.Count, len(f.Records), f.Records[0])
	}
}

func TestPrecheckOnAccountAccountingCodeDefaultsToAccountsReceivable(t *testing.T) {
	d := cleanData()
	d.FinancePermission = true
	s := migrationSettings()
	s.Migration.OnAccountAccountingCode = ""
	f := findingByID(t, Precheck(d, s), FindingFinanceOnAccountAccountingCode)
	if !strings.Contains(f.Action, `"Accounts Receivable"`) {
		t.Fatalf("action %q does not name Accounts Receivable", f.Action)
	}
	s.Migration.OnAccountAccountingCode = "On Account 1200"
	f = findingByID(t, Precheck(d, s), FindingFinanceOnAccountAccountingCode)
	if !strings.Contains(f.Action, `"On Account 1200"`) {
		t.Fatalf("action %q does not name the configured code", f.Action)
	}
}

func TestInvoiceSelectableInISModeSkipsNegativeInvoices(t *testing.T) {
	s := settings.Default()
	acct := zuora.Account{ID: "A1", AccountNumber: "A-1"}
	neg := zuora.Invoice{ID: "I1", AccountID: "A1", Status: "Posted", Amount: dec("-5"), Balance: dec("-5")}
	pos := zuora.Invoice{ID: "I2", AccountID: "A1", Status: "Posted", Amount: dec("5"), Balance: dec("5")}
	if ok, why := InvoiceSelectable(neg, acct, s); !ok {
		t.Fatalf("before IS a negative invoice syncs; got %q", why)
	}
	s.Advanced.InvoiceSettlement = true
	if ok, why := InvoiceSelectable(neg, acct, s); ok || !strings.Contains(why, "Invoice Settlement") {
		t.Fatalf("IS mode: negative invoice selectable=%v (%q); want skipped naming Invoice Settlement", ok, why)
	}
	if ok, why := InvoiceSelectable(pos, acct, s); !ok {
		t.Fatalf("IS mode: a positive invoice still syncs; got %q", why)
	}
}
