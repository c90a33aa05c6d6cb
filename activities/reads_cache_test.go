package activities_test

import (
	"strings"
	"testing"

	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/workflows"
)

// The ids of NetSuite list records and tax items found by name are kept per
// worker for a few minutes: the invoices of one account after the first ask
// NetSuite for none of them again (the bench measured about 7 SuiteQL reads
// per small invoice, each 100–500 ms on a real account).
func TestSyncInvoice_ListRecordIDsFoundOnceAreNotAskedAgainByTheNextInvoices(t *testing.T) {
	f := generated(t, "seed=61,accounts=1,invoices=6,items=2-3,tax=1,negative=0")
	a, sb := sandboxTenant(t, f)
	suiteql := func() (n int) {
		for k, v := range sb.Stats("netsuite").Requests {
			if strings.Contains(k, "/query/v1/suiteql") {
				n += int(v)
			}
		}
		return n
	}
	var per []int
	for _, inv := range f.Zuora.Objects["Invoice"] {
		id := inv["Id"].(string)
		before := suiteql()
		step := syncToEnd(t, a, id, settings.Default())
		if step.Outcome != workflows.OutcomeSynced {
			t.Fatalf("invoice %s: %s %s", id, step.Outcome, step.Reason)
		}
		after := suiteql()
		per = append(per, after-before)
	}
	t.Logf("SuiteQL reads per invoice, in sync order: %v", per)
	for i := 1; i < len(per); i++ {
		if per[i] >= per[0] {
			t.Errorf("invoice %d made %d SuiteQL reads, the first %d: the list record and tax item lookups were asked again", i+1, per[i], per[0])
		}
	}
}
