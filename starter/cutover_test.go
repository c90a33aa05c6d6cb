package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/zuora-netsuite/connector/activities"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/sandbox/sbtest"
)

// cutoverTenant: one invoice of each old-connector kind (fixture
// oldconnector.go), plus a NetSuite invoice the old connector made for an
// invoice a person set back to No by hand (Zuora warns this duplicates): an
// orphan only a person can resolve.
func cutoverTenant(t *testing.T) []string {
	t.Helper()
	f, err := fixture.Generate("seed=17,accounts=1,invoices=0,oldconnector=5")
	if err != nil {
		t.Fatal(err)
	}
	synced := fixture.OldConnectorInvoiceID(f, fixture.OldSynced)
	for _, inv := range f.NetSuite.Records["invoice"] {
		if inv["externalId"] == synced {
			orphan := fixture.Record{}
			for k, v := range inv {
				orphan[k] = v
			}
			orphan["id"], orphan["externalId"], orphan["tranId"] = "9100", "8a8aa002000000000000000000000abc", "INV-ORPHAN"
			f.NetSuite.Records["invoice"] = append(f.NetSuite.Records["invoice"], orphan)
			break
		}
	}
	ten := sbtest.Start(t, f, 4)
	c := ten.Config
	return []string{"check", "--zuora-url", ten.Sandbox.ZuoraURL(), "--zuora-client-id", c.Zuora.ClientID, "--zuora-client-secret", c.Zuora.ClientSecret,
		"--netsuite-url", ten.Sandbox.NetSuiteURL(), "--netsuite-account", c.NetSuite.Account, "--netsuite-consumer-key", c.NetSuite.ConsumerKey,
		"--netsuite-consumer-secret", c.NetSuite.ConsumerSecret, "--netsuite-token-id", c.NetSuite.TokenID, "--netsuite-token-secret", c.NetSuite.TokenSecret}
}

// The check lists every record the old connector left with what the first
// run does with it, as a table, and exits 1 because two need a person (the
// half-made NetSuite invoice, the orphan).
func TestCutoverCheck_TableListsEachLeftRecordAndExitsOneForAPerson(t *testing.T) {
	args := cutoverTenant(t)
	var out, errOut strings.Builder
	code := cutoverMain(args, &out, &errOut)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (a person is needed); stderr %s\n%s", code, errOut.String(), out.String())
	}
	text := out.String()
	for _, want := range []string{
		"ACTION", "match and complete  Zuora", "(by tranId)", "InvoiceItemAdjustment", "IIA-OLD00001", "(by IntegrationId__NS)",
		"sync                Zuora", "TTA Error, Error Creating Invoice",
		"leave for a person  Zuora", "totals",
		"leave for a person  NetSuite", "9100", "no Zuora record links to it",
		"keep 6", "2 record(s) need a person",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
}

func TestCutoverCheck_JSONCountsEachAction(t *testing.T) {
	args := append(cutoverTenant(t), "--json")
	var out, errOut strings.Builder
	if code := cutoverMain(args, &out, &errOut); code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", code, errOut.String())
	}
	var rep activities.CutoverReport
	if err := json.Unmarshal([]byte(out.String()), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	want := map[string]int{activities.CutoverMatch: 3 /* 2 invoices, 1 adjustment */, activities.CutoverSync: 1, activities.CutoverPerson: 2, activities.CutoverKeep: 6 /* the synced invoice and the 5 customers */}
	for k, n := range want {
		if rep.Counts[k] != n {
			t.Errorf("count %q = %d, want %d (counts %v)", k, rep.Counts[k], n, rep.Counts)
		}
	}
	if rep.NeedsPerson != 2 || len(rep.Findings) != 6 {
		t.Fatalf("needsPerson %d, %d findings; want 2 and 6: %+v", rep.NeedsPerson, len(rep.Findings), rep.Findings)
	}
}

func TestCutoverCheck_WithoutSubcommandIsUsage(t *testing.T) {
	var out, errOut strings.Builder
	if code := cutoverMain(nil, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "check") {
		t.Fatalf("exit %d %q, want 2 naming the check subcommand", code, errOut.String())
	}
}
