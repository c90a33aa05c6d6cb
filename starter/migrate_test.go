package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/zuora-netsuite/connector/internal/credstore"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/workflows"
)

func TestMigratePrintsFindingsAsATableAndAsJSON(t *testing.T) {
	st := workflows.MigrationState{Step: workflows.StepPrecheck, Waiting: "recheck or override of blocking findings",
		Findings: []workflows.Finding{
			{ID: "draft-payments", Title: "Draft payments", Count: 7, Records: []string{"P1", "P2", "P3", "P4", "P5", "P6", "P7"}, Blocking: true, Action: "Process or delete each draft payment"},
			{ID: "error-payments", Title: "Error payments (not migrated)", Count: 0, Action: "export"},
			{ID: "canceled-accounts-credit-balance", Title: "Canceled accounts with credit balance", Count: 1, Records: []string{"A9"}, Blocking: true, Action: "Reactivate"},
		},
		Overrides: []workflows.Override{{ID: "canceled-accounts-credit-balance", Reason: "refunded by hand"}}}
	var out bytes.Buffer
	if err := printMigration(&out, "m", st, false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"FINDING", "draft-payments", "YES", "P1 P2 P3 … (+4)", "overridden", "refunded by hand",
		"draft-payments: Process or delete each draft payment", "waiting:  recheck"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "error-payments: export") {
		t.Error("an empty finding's action is listed")
	}
	out.Reset()
	if err := printMigration(&out, "m", st, true); err != nil {
		t.Fatal(err)
	}
	var back struct {
		WorkflowID string              `json:"workflowId"`
		Findings   []workflows.Finding `json:"findings"`
	}
	if err := json.Unmarshal(out.Bytes(), &back); err != nil || back.WorkflowID != "m" || len(back.Findings) != 3 || back.Findings[0].Count != 7 {
		t.Fatalf("JSON %s: %+v %v", out.String(), back, err)
	}
}

func TestMigrateStateDirTurnsOnISModeForLaterRuns(t *testing.T) {
	dir := t.TempDir()
	s := settings.Default()
	if err := applyConnectorState(&s, dir); err != nil || s.Advanced.InvoiceSettlement {
		t.Fatalf("no state yet: IS=%v err=%v", s.Advanced.InvoiceSettlement, err)
	}
	store, _ := credstore.Open(dir)
	if err := store.SetState(credstore.State{InvoiceSettlement: true}); err != nil {
		t.Fatal(err)
	}
	if err := applyConnectorState(&s, dir); err != nil || !s.Advanced.InvoiceSettlement {
		t.Fatalf("after the migration: IS=%v err=%v", s.Advanced.InvoiceSettlement, err)
	}
}

func TestMigrateOverrideNeedsAReason(t *testing.T) {
	c := &config{}
	err := cmdMigrate(t.Context(), c, nil, []string{"override", "draft-payments"}, &bytes.Buffer{}, &bytes.Buffer{})
	var ue usageError
	if err == nil || !strings.Contains(err.Error(), "--reason") || !asUsage(err, &ue) {
		t.Fatalf("override without reason: %v", err)
	}
}

func asUsage(err error, ue *usageError) bool {
	u, ok := err.(usageError)
	*ue = u
	return ok
}
