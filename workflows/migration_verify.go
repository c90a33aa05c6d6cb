package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"
)

// The recounts (issue 17, "nothing missed"): after the write-offs and before
// Invoice Settlement, every posted negative invoice is written off; after the
// credit memos, every written-off invoice has exactly one memo of its amount.
// A miss is a blocking finding listing the invoices: the operator fixes them
// and re-checks (the step runs again, picking up what appeared since), or
// overrides with a reason. Added after histories were recorded, so behind
// GetVersion: a migration begun by earlier code replays unchanged.
const (
	versionRecount = "is-migration-recount"

	findingNotWrittenOff      = "negative-invoices-not-written-off"
	findingCreditMemoMismatch = "written-off-invoices-without-one-credit-memo"
)

func (m *migration) recountOn(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, versionRecount, workflow.DefaultVersion, 1) == 1
}

// recount runs a recount activity until it finds nothing, or the operator
// overrides its finding; on a recheck, redo runs the step's pages again.
func (m *migration) recount(ctx workflow.Context, activity, findingID, title, action string, redo func() error) (MigrationVerifyResult, error) {
	for {
		var res MigrationVerifyResult
		if err := m.exec(ctx, 30*time.Minute, activity, &res, MigrationVerifyInput{Settings: m.in.Settings}); err != nil {
			return res, err
		}
		records := make([]string, len(res.IDs))
		for i, id := range res.IDs {
			records[i] = id
			if i < len(res.Reasons) && res.Reasons[i] != "" {
				records[i] = id + " (" + res.Reasons[i] + ")"
			}
		}
		m.setSyncFinding(findingID, title, res.Count, records, action)
		if res.Count == 0 || m.overridden(findingID) {
			return res, nil
		}
		m.st.RecheckPending = false
		if _, err := m.wait(ctx, "recheck or override of "+findingID, 0, func() bool {
			return m.st.RecheckPending || m.overridden(findingID)
		}); err != nil {
			return res, err
		}
		if !m.st.RecheckPending {
			return res, nil // overridden
		}
		m.st.RecheckPending = false
		m.st.Cursor = ""
		if err := redo(); err != nil {
			return res, err
		}
	}
}

func (m *migration) recountWriteOffs(ctx workflow.Context) (string, error) {
	res, err := m.recount(ctx, ActivityMigrationVerifyWriteOffs, findingNotWrittenOff, "Posted negative invoices not written off",
		"Each listed invoice still has a negative balance: see its error in the write-off step (or a negative invoice created after the freeze), fix it, then re-check; Invoice Settlement must not be enabled before.",
		func() error { return m.pages(ctx, ActivityMigrationWriteOffPage, &m.st.WriteOff) })
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("; recount: %d posted negative invoices, %d not written off", res.Checked, res.Count), nil
}

func (m *migration) recountCreditMemos(ctx workflow.Context) (string, error) {
	res, err := m.recount(ctx, ActivityMigrationVerifyCreditMemos, findingCreditMemoMismatch, "Written-off invoices without exactly one credit memo of their amount",
		"Each listed invoice has no credit memo of the migration, more than one, or one of another amount: cancel the wrong memos in Zuora, then re-check (the step makes the missing ones).",
		func() error { return m.pages(ctx, ActivityMigrationCreditMemos, &m.st.CreditMemos) })
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("; recount: %d written-off invoices, %d without exactly one memo of their amount", res.Checked, res.Count), nil
}

// waitingForRecount: a recount's finding holds the step (a recheck is due).
func (m *migration) waitingForRecount() bool {
	return m.st.Waiting == "recheck or override of "+findingNotWrittenOff || m.st.Waiting == "recheck or override of "+findingCreditMemoMismatch
}
