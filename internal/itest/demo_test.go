package itest

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/workflows"
)

// demoSettings are docs/demo-settings.json, the settings make demo runs with.
func demoSettings(t testing.TB) settings.Settings {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	s, err := settings.Load(filepath.Join(filepath.Dir(file), "..", "..", "docs", "demo-settings.json"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// What each validation's reason tells a finance user to do; the demo's Error
// cases name the mapping rule they break.
var reasonByRule = map[string]string{
	mapping.RuleAccountSynced:   "sync the customer account first",
	mapping.RuleChargeSynced:    "sync the product catalog first",
	mapping.RuleTaxCodeSynced:   "it has no accounting code",
	mapping.RuleTaxItemExists:   "which does not exist in NetSuite",
	mapping.RuleVariableProject: "has no NetSuite Project",
	mapping.RuleAccountLocation: "which is not a valid NetSuite location",
	mapping.RuleAccountClass:    "which is not a valid NetSuite class",
	mapping.RuleAccountDept:     "which is not a valid NetSuite department",
}

// The demo tenant is the product's showcase: every invoice case of
// fixture.DemoCases (one per seed rule) ends as the case says, in Zuora, in
// NetSuite, in the run's result and in the search attributes an operator
// filters on.
func TestDemoTenant_EveryInvoiceCaseEndsAsTheSeedSays(t *testing.T) {
	f := fixture.Demo()
	before := map[string]string{}
	for _, inv := range f.Zuora.Objects["Invoice"] {
		before[str(inv["Id"])] = str(inv["TransferredToAccounting"])
	}
	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	res := e.RunSync(ctx, "itest-demo-run", demoSettings(t), workflows.PhaseInvoices)
	t.Logf("run: %+v", res.Progress.Invoices)

	invoices := e.Invoices(ctx)
	txns := e.Transactions(ctx)
	runErrors := map[string]string{}
	for _, re := range res.Errors {
		runErrors[re.ID] = re.Reason
	}
	want := map[string]int{}
	for _, c := range fixture.DemoCases {
		if c.AdjustmentID != "" {
			continue // the adjustment sync's cases (adjustment tests)
		}
		inv, ok := invoices[c.InvoiceID]
		if !ok {
			t.Errorf("%s (%s): invoice missing from Zuora", c.InvoiceNumber, c.Rule)
			continue
		}
		ns := txns[netsuite.InvoiceExternalID(c.InvoiceID)]
		status := inv.TransferredToAccounting
		switch c.Expect {
		case fixture.ExpectYes:
			want[c.InvoiceID] = 1
			if status != "Yes" || inv.IntegrationID == "" || inv.IntegrationStatus != "Sync Complete" {
				t.Errorf("%s (%s): Transferred %q, id %q, status %q; want Yes, a NetSuite id, Sync Complete",
					c.InvoiceNumber, c.Rule, status, inv.IntegrationID, inv.IntegrationStatus)
			}
			if len(ns) != 1 || ns[0].ID != inv.IntegrationID {
				t.Errorf("%s (%s): NetSuite records %+v, want exactly the one Zuora names (%s)", c.InvoiceNumber, c.Rule, ns, inv.IntegrationID)
			}
		case fixture.ExpectError:
			want[c.InvoiceID] = 1
			hint, known := reasonByRule[c.Reason]
			if !known {
				t.Errorf("%s: demo case names %q, not a rule of internal/mapping", c.InvoiceNumber, c.Reason)
			}
			if status != "Error" || !strings.Contains(inv.IntegrationStatus, hint) {
				t.Errorf("%s (%s): Transferred %q, status %q; want Error with a reason containing %q", c.InvoiceNumber, c.Rule, status, inv.IntegrationStatus, hint)
			}
			if !strings.Contains(runErrors[c.InvoiceID], hint) {
				t.Errorf("%s (%s): run result reason %q lacks %q", c.InvoiceNumber, c.Rule, runErrors[c.InvoiceID], hint)
			}
			if len(ns) != 0 {
				t.Errorf("%s (%s): a failed validation made NetSuite records %+v", c.InvoiceNumber, c.Rule, ns)
			}
		case fixture.ExpectIgnore:
			want[c.InvoiceID] = 1
			if status != "Ignore" || len(ns) != 0 {
				t.Errorf("%s (%s): Transferred %q, NetSuite %+v; want Ignore and nothing in NetSuite", c.InvoiceNumber, c.Rule, status, ns)
			}
		case fixture.ExpectNotSelected:
			if status != before[c.InvoiceID] || (len(ns) != 0 && status != "Yes") {
				t.Errorf("%s (%s): not to be selected, but Transferred went %q -> %q, NetSuite %+v", c.InvoiceNumber, c.Rule, before[c.InvoiceID], status, ns)
			}
		default:
			t.Errorf("%s: unknown expectation %q", c.InvoiceNumber, c.Expect)
		}
	}
	if res.Progress.Invoices.Selected != len(want) {
		t.Errorf("run selected %d invoices; the demo cases make %d eligible", res.Progress.Invoices.Selected, len(want))
	}

	// The operator's filters: every errored invoice is found by outcome, and
	// one by its number and account.
	countWhere := func(query string) int {
		deadline := time.Now().Add(30 * time.Second)
		for {
			resp, err := e.Temporal.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: query})
			if err != nil {
				t.Fatalf("visibility query %q: %v", query, err)
			}
			if n := int(resp.GetCount()); n > 0 || time.Now().After(deadline) {
				return n
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
	scope := fmt.Sprintf("TaskQueue = %q AND ZuoraRecordType = %q", e.TaskQueue, workflows.RecordInvoice)
	if n := countWhere(scope + ` AND SyncOutcome = "error"`); n != res.Progress.Invoices.Errored {
		t.Errorf("search SyncOutcome = error finds %d invoice syncs; the run errored %d", n, res.Progress.Invoices.Errored)
	}
	if n := countWhere(scope + ` AND ZuoraNumber = "INV-D020" AND ZuoraAccountNumber = "A-HOOLI" AND SyncOutcome = "error"`); n != 1 {
		t.Errorf("search by number and account finds %d syncs of INV-D020, want 1", n)
	}
}
