package activities_test

import (
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/workflows"
)

// Issue 16: whether the tenant is on Invoice Settlement is the tenant's
// fact, read from Zuora (the credit memo endpoint answers only on IS), not
// from a local file; a worker trusts its answer for 5 minutes at most.
func TestTenantFacts_InvoiceSettlementReadFromTheTenantOnlyItsYesCachedFiveMinutes(t *testing.T) {
	a, sb := sandboxTenant(t, generated(t, "seed=5,accounts=2,invoices=4"))
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	a.Now = func() time.Time { return now }
	env := activityEnv(t)
	env.RegisterActivityWithOptions(a.TenantFacts, activity.RegisterOptions{Name: workflows.ActivityTenantFacts})
	facts := func() workflows.TenantFacts {
		t.Helper()
		v, err := env.ExecuteActivity(workflows.ActivityTenantFacts)
		if err != nil {
			t.Fatal(err)
		}
		var f workflows.TenantFacts
		if err := v.Get(&f); err != nil {
			t.Fatal(err)
		}
		return f
	}
	asks := func() (n int64) {
		for k, v := range sb.Stats("zuora").Requests {
			if strings.HasPrefix(k, "GET /v1/creditmemos") {
				n += v
			}
		}
		return n
	}
	if facts().InvoiceSettlement {
		t.Fatal("a tenant without Invoice Settlement reported as on it")
	}
	// "Not yet" is never kept: the run right after Zuora finishes the
	// migration must see it (a cached "not yet" ran the adjustment phase
	// against an IS tenant in the migration end-to-end test).
	setInvoiceSettlement(t, sb, true)
	if !facts().InvoiceSettlement {
		t.Fatal("the tenant moved to Invoice Settlement; the worker still says it is not (a stale \"not yet\")")
	}
	// "On Invoice Settlement" is kept for 5 minutes: a tenant never leaves it.
	before := asks()
	now = now.Add(4 * time.Minute)
	if !facts().InvoiceSettlement || asks() != before {
		t.Fatalf("within 5 minutes of the answer the worker asked Zuora again (%d → %d)", before, asks())
	}
	now = now.Add(2 * time.Minute)
	if !facts().InvoiceSettlement || asks() != before+1 {
		t.Fatalf("after 5 minutes the worker did not ask again (%d → %d)", before, asks())
	}
}

// On an IS tenant the run's settings carry the tenant's answer, and the
// invoice selection then leaves the negative invoices out (the migration
// made them credit memos).
func TestTenantFacts_NegativeInvoicesNotSelectedOnAnInvoiceSettlementTenant(t *testing.T) {
	a, sb := sandboxTenant(t, generated(t, "seed=6,accounts=3,invoices=40,negative=0.5"))
	setInvoiceSettlement(t, sb, true)
	env := activityEnv(t)
	env.RegisterActivityWithOptions(a.TenantFacts, activity.RegisterOptions{Name: workflows.ActivityTenantFacts})
	v, err := env.ExecuteActivity(workflows.ActivityTenantFacts)
	if err != nil {
		t.Fatal(err)
	}
	var f workflows.TenantFacts
	if err := v.Get(&f); err != nil || !f.InvoiceSettlement {
		t.Fatalf("facts %+v, %v; want Invoice Settlement", f, err)
	}
	s := settings.Default()
	withIS := allPages(t, a.SelectInvoices, func() settings.Settings { s.Advanced.InvoiceSettlement = f.InvoiceSettlement; return s }(), 100)
	s.Advanced.InvoiceSettlement = false
	without := allPages(t, a.SelectInvoices, s, 100)
	if len(withIS) == 0 || len(withIS) >= len(without) {
		t.Fatalf("selected %d invoices on IS, %d without: the negative ones must be left out on IS", len(withIS), len(without))
	}
}
