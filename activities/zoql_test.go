package activities_test

import (
	"context"
	"strings"
	"testing"

	"go.temporal.io/sdk/testsuite"

	"github.com/zuora-netsuite/connector/activities"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// Every ZOQL the connector sends names only fields of Zuora's object model
// and uses no parentheses or IN (Z2, Z3, Z4): the strict sandbox accepts them
// all; a field it lacks is refused with FaultCode INVALID_FIELD (Z9).
func TestConnectorZOQL_AllAcceptedByTheObjectModel(t *testing.T) {
	a := recordSyncTenant(t, generated(t, "invoices=5,accounts=2,adjustments=2"))
	ctx := context.Background()
	for _, q := range activities.ConnectorZOQL() {
		if _, err := zuora.QueryAll[map[string]any](ctx, a.Zuora, q); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
	_, err := zuora.QueryAll[map[string]any](ctx, a.Zuora, "select Id, RevRecTriggerDate from InvoiceItem")
	if err == nil || !strings.Contains(err.Error(), "INVALID_FIELD") {
		t.Errorf("a field the model lacks: %v", err)
	}
}

// Selection at scale: a run over N candidate invoices reads them in at most
// 2·N/2,000 Zuora calls (ZOQL query + queryMore + the accounts), whatever
// the page size; before, every page re-read the whole list.
func TestSelectInvoices_ZuoraCallsForABacklogAtMostTwiceNOver2000(t *testing.T) {
	const n = 6000
	a, sb := sandboxTenant(t, generated(t, "invoices=6000,accounts=30,items=1-1,tax=0"))
	var env testsuite.WorkflowTestSuite
	act := env.NewTestActivityEnvironment()
	act.RegisterActivity(a.SelectInvoices)
	before := sb.Stats("zuora").Requests
	s := settings.Default()
	selected := selectThroughActivity(t, act, a.SelectInvoices, workflows.SelectInput{Settings: s, Limit: 100}, n)
	after := sb.Stats("zuora").Requests
	calls := 0
	for k, v := range after {
		if strings.HasPrefix(k, "POST /v1/action/query") || strings.HasPrefix(k, "GET ") {
			calls += int(v - before[k])
		}
	}
	if selected < n*9/10 {
		t.Fatalf("selected %d of %d", selected, n)
	}
	if limit := 2 * n / 2000; calls > limit {
		t.Errorf("selection of %d invoices made %d Zuora calls, want ≤ %d", n, calls, limit)
	}
	t.Logf("%d invoices selected in %d Zuora calls", selected, calls)
}
