package activities_test

import (
	"context"
	"strings"
	"testing"

	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// Reference money-sync §1.1 on a generated tenant: every Processed payment
// pending transfer on a synced account is selected once (keyset pages);
// one already transferred, one cancelled before the sync and one before the
// payment cutover date are not.
func TestSelectPayments_ProcessedPendingOnSyncedAccountsOncePerRun(t *testing.T) {
	f := generated(t, "seed=7,accounts=4,invoices=30,negative=0,payments=12")
	pays := f.Zuora.Objects["Payment"]
	if len(pays) != 12 {
		t.Fatalf("generated %d payments, want 12", len(pays))
	}
	pays[0]["TransferredToAccounting"] = "Yes"
	pays[1]["Status"] = "Canceled"
	a, _ := sandboxTenant(t, f)
	s := settings.Default()
	ids := allPages(t, a.SelectPayments, s, 5)
	if len(ids) != 10 {
		t.Fatalf("selected %d payments, want 10 (12 less one transferred, one cancelled): %v", len(ids), ids)
	}
	for _, id := range ids {
		if id == pays[0]["Id"] || id == pays[1]["Id"] {
			t.Fatalf("%s selected", id)
		}
	}
	latest := ""
	for _, p := range pays[2:] {
		if d := p["EffectiveDate"].(string); d > latest {
			latest = d
		}
	}
	s.Advanced.PaymentCutoverDate = latest
	after := allPages(t, a.SelectPayments, s, 5)
	if len(after) == 0 || len(after) >= len(ids) {
		t.Fatalf("with the cutover date %s: %d selected of %d", latest, len(after), len(ids))
	}
}

// Without Invoice Settlement the applications are InvoicePayment records;
// on an IS tenant the sandbox refuses that object as it refuses invoice item
// adjustments (docs/wire.md), so the payment parts must be read instead.
func TestInvoicePayments_ReadWithoutISRefusedOnIS(t *testing.T) {
	a, sb := sandboxTenant(t, generated(t, "seed=8,accounts=2,invoices=6,negative=0,payments=3"))
	ctx := context.Background()
	type ip struct {
		ID        string `json:"Id"`
		PaymentID string `json:"PaymentId"`
		InvoiceID string `json:"InvoiceId"`
	}
	got, err := zuora.QueryAll[ip](ctx, a.Zuora, "select Id, PaymentId, InvoiceId, Amount from InvoicePayment")
	if err != nil || len(got) < 3 {
		t.Fatalf("invoice payments %v, %v; want one per application", got, err)
	}
	setInvoiceSettlement(t, sb, true)
	if _, err := zuora.QueryAll[ip](ctx, a.Zuora, "select Id from InvoicePayment"); err == nil || !strings.Contains(err.Error(), "INVALID_TYPE") {
		t.Fatalf("InvoicePayment on an IS tenant: %v, want INVALID_TYPE", err)
	}
}
