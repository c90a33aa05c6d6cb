package itest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// Failures visible at a glance: the list the Temporal UI shows with the
// saved view docs/operations.md ships (query SyncOutcome = "error", columns
// ZuoraNumber and Summary) finds every invoice in Error by its number, and
// every record workflow carries its static summary (type, number, account).
// Read with `temporal workflow list`, the same query the UI sends.
func TestUIList_EveryErroredInvoiceFoundByNumberWithTheSavedViewQuery(t *testing.T) {
	f, err := fixture.Generate("seed=61,accounts=4,invoices=25,items=1-4,tax=0.3,broken=3")
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s := settings.Default()
	res := e.RunSync(ctx, "itest-ui-list", s, workflows.PhaseInvoices)
	want := map[string]bool{}
	for _, inv := range e.Invoices(ctx) {
		if inv.TransferredToAccounting == zuora.TransferError {
			want[inv.InvoiceNumber] = true
		}
	}
	if len(want) == 0 || res.Progress.Invoices.Errored != len(want) {
		t.Fatalf("want invoices in Error to look for: run %+v, Zuora %d", res.Progress.Invoices, len(want))
	}

	cli, err := filepath.Abs(TemporalCLI())
	if err != nil {
		t.Fatal(err)
	}
	list := func(query string) []map[string]any {
		cmd := exec.CommandContext(ctx, cli, "workflow", "list", "--query", query, "--output", "json")
		cmd.Env = append(os.Environ(), "TEMPORAL_ADDRESS="+DevServer(t).FrontendHostPort(), "TEMPORAL_NAMESPACE=default")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("temporal workflow list --query %s: %v", query, err)
		}
		var rows []map[string]any
		if err := json.Unmarshal(out, &rows); err != nil {
			t.Fatalf("temporal workflow list output: %v: %s", err, out)
		}
		return rows
	}
	// Visibility is eventually consistent: wait for the last upsert.
	var rows []map[string]any
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(300 * time.Millisecond) {
		rows = list(fmt.Sprintf(`TaskQueue = %q AND ZuoraRecordType = "invoice" AND SyncOutcome = "error"`, e.TaskQueue))
		if len(rows) >= len(want) || time.Now().After(deadline) {
			break
		}
	}
	found := map[string]bool{}
	for _, r := range rows {
		found[searchAttribute(r, "ZuoraNumber")] = true
	}
	for n := range want {
		if !found[n] {
			t.Errorf("invoice %s is in Error but the saved view's list does not show it by number", n)
		}
	}
	if len(rows) != len(want) {
		t.Errorf("the saved view lists %d workflows, %d invoices are in Error", len(rows), len(want))
	}
	// Every invoice workflow carries its summary (the UI shows it; the CLI in describe).
	for _, r := range rows {
		id := str(r["execution"].(map[string]any)["workflowId"])
		cmd := exec.CommandContext(ctx, cli, "workflow", "describe", "--workflow-id", id, "--output", "json")
		cmd.Env = append(os.Environ(), "TEMPORAL_ADDRESS="+DevServer(t).FrontendHostPort(), "TEMPORAL_NAMESPACE=default")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("temporal workflow describe %s: %v", id, err)
		}
		n := searchAttribute(r, "ZuoraNumber")
		if !strings.Contains(string(out), "invoice · "+n+" · account ") {
			t.Errorf("workflow %s has no static summary naming invoice %s and its account", id, n)
		}
	}
}

// searchAttribute decodes one Keyword search attribute of a listed workflow
// (the CLI prints payloads as base64 JSON).
func searchAttribute(row map[string]any, name string) string {
	sa, _ := row["searchAttributes"].(map[string]any)
	fields, _ := sa["indexedFields"].(map[string]any)
	p, _ := fields[name].(map[string]any)
	raw, err := base64.StdEncoding.DecodeString(str(p["data"]))
	if err != nil {
		return ""
	}
	var v string
	_ = json.Unmarshal(raw, &v)
	return v
}
