package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	enumspb "go.temporal.io/api/enums/v1"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/zuora-netsuite/connector/internal/credstore"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/workflows"
)

// migrateFlags are the flags of `starter migrate` (docs/migration.md).
type migrateFlags struct {
	Reason            string
	FinancePermission string
	StateDir          string
}

func (m *migrateFlags) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&m.Reason, "reason", "", "migrate override: why the blocking finding may be ignored (required)")
	fs.StringVar(&m.FinancePermission, "finance-permission", "", "migrate precheck|start: the tenant has Zuora Finance (yes|no; default: unknown, treated as yes)")
	fs.StringVar(&m.StateDir, "state-dir", "", "the worker's --state-dir, when shared: sync runs then use the connector mode the migration persisted (Invoice Settlement)")
}

const migrateUsage = "migrate precheck|start|status|approve|pause|resume|recheck|cancel|override ID --reason TEXT|oauth-secret-file PATH"

// applyConnectorState turns on IS mode in a run's settings once the
// migration persisted it in the worker's state dir.
func applyConnectorState(s *settings.Settings, dir string) error {
	if dir == "" {
		return nil
	}
	st, err := credstore.ReadState(dir)
	if err != nil {
		return err
	}
	if st.InvoiceSettlement {
		s.Advanced.InvoiceSettlement = true
	}
	return nil
}

func cmdMigrate(ctx context.Context, c *config, tc client.Client, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{errors.New("usage: starter " + migrateUsage)}
	}
	id := workflows.MigrationWorkflowID
	// Operator commands are Workflow Updates: the migration answers with what
	// it did or refuses with the reason (its validator).
	signal := func(name string, arg any) error {
		var args []any
		if arg != nil {
			args = []any{arg}
		}
		h, err := tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: id, UpdateName: name, Args: args, WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		var ans workflows.MigrationAnswer
		if err == nil {
			err = h.Get(ctx, &ans)
		}
		if err != nil {
			var nf *serviceerror.NotFound
			if errors.As(err, &nf) {
				return fmt.Errorf("no running migration (workflow %s): start it with `starter migrate start`", id)
			}
			return fmt.Errorf("%s refused by the migration: %s", name, rootMessage(err))
		}
		fmt.Fprintf(stdout, "%s (step %s): %s\n", name, ans.Step, ans.Message)
		return nil
	}
	switch args[0] {
	case "precheck":
		in, err := migrationInput(c)
		if err != nil {
			return err
		}
		wid := workflows.PrecheckWorkflowID + "-" + time.Now().UTC().Format("20060102T150405Z")
		run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: wid, TaskQueue: c.Temporal.TaskQueue}, workflows.WorkflowPrecheck, in)
		if err != nil {
			return fmt.Errorf("starting the pre-check: %w", err)
		}
		var st workflows.MigrationState
		if err := run.Get(ctx, &st); err != nil {
			return fmt.Errorf("pre-check %s: %w", wid, err)
		}
		return printMigration(stdout, wid, st, c.JSON)
	case "start":
		in, err := migrationInput(c)
		if err != nil {
			return err
		}
		// A migration already running is attached to, not started twice
		// (docs/migration.md): its state is shown, and its settings stay.
		run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: c.Temporal.TaskQueue,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING}, workflows.WorkflowMigration, in)
		if err != nil {
			return fmt.Errorf("starting the migration: %w", err)
		}
		if st, serr := migrationStatus(ctx, tc, id); serr == nil && (st.Prechecks > 0 || len(st.Steps) > 0) {
			fmt.Fprintf(stderr, "a migration is already running (run %s): attached to it; its settings are the ones it started with\n", run.GetRunID())
			return printMigration(stdout, id, st, c.JSON)
		}
		if c.JSON {
			return json.NewEncoder(stdout).Encode(map[string]string{"workflowId": run.GetID(), "runId": run.GetRunID()})
		}
		fmt.Fprintf(stdout, "migration %s started (run %s); follow it with `starter migrate status`\n", run.GetID(), run.GetRunID())
		return nil
	case "status":
		st, err := migrationStatus(ctx, tc, id)
		if err != nil {
			return err
		}
		return printMigration(stdout, id, st, c.JSON)
	case "approve":
		return signal(workflows.SignalMigrationApprove, nil)
	case "pause":
		return signal(workflows.SignalMigrationPause, nil)
	case "resume":
		return signal(workflows.SignalMigrationResume, nil)
	case "recheck":
		return signal(workflows.SignalMigrationRecheck, nil)
	case "cancel":
		return signal(workflows.SignalMigrationCancel, nil)
	case "override":
		if len(args) != 2 || strings.TrimSpace(c.Migrate.Reason) == "" {
			return usageError{errors.New("usage: starter migrate override FINDING-ID --reason \"why it may be ignored\"")}
		}
		return signal(workflows.SignalMigrationOverride, workflows.OverrideSignal{ID: args[1], Reason: c.Migrate.Reason})
	case "oauth-secret-file":
		if len(args) != 2 {
			return usageError{errors.New("usage: starter migrate oauth-secret-file PATH (a file on the worker's machine)")}
		}
		return signal(workflows.SignalMigrationSecretFile, workflows.OAuthSecretFileSignal{Path: args[1]})
	}
	return usageError{fmt.Errorf("unknown migrate command %q; usage: starter %s", args[0], migrateUsage)}
}

func migrationInput(c *config) (workflows.MigrationInput, error) {
	s, err := c.loadSettings()
	if err != nil {
		return workflows.MigrationInput{}, err
	}
	in := workflows.MigrationInput{Settings: s}
	switch strings.ToLower(c.Migrate.FinancePermission) {
	case "":
	case "yes", "true":
		yes := true
		in.FinancePermission = &yes
	case "no", "false":
		no := false
		in.FinancePermission = &no
	default:
		return in, usageError{fmt.Errorf("--finance-permission %q: want yes or no", c.Migrate.FinancePermission)}
	}
	return in, nil
}

// migrationStatus queries a running migration, or reads a closed one's result.
func migrationStatus(ctx context.Context, tc client.Client, id string) (workflows.MigrationState, error) {
	var st workflows.MigrationState
	desc, err := tc.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return st, fmt.Errorf("no migration (workflow %s) yet: start it with `starter migrate start`", id)
		}
		return st, err
	}
	if desc.WorkflowExecutionInfo.GetCloseTime() != nil {
		err := tc.GetWorkflow(ctx, id, "").Get(ctx, &st)
		return st, err
	}
	// A worker that just died holds the query on its sticky queue until the
	// server gives up on it (about 10 s); then another worker answers.
	qctx, cancel := context.WithTimeout(ctx, 45*time.Second)
	defer cancel()
	v, err := tc.QueryWorkflow(qctx, id, "", workflows.QueryMigrationStatus)
	if err != nil {
		return st, fmt.Errorf("querying %s (is a worker running?): %w", id, err)
	}
	return st, v.Get(&st)
}

// printMigration prints the migration's state: JSON, or the step, what it
// waits for, per-step counts and the findings table.
func printMigration(w io.Writer, id string, st workflows.MigrationState, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			WorkflowID string `json:"workflowId"`
			workflows.MigrationState
		}{id, st})
	}
	fmt.Fprintf(w, "migration %s\n", id)
	if st.Outcome != "" {
		fmt.Fprintf(w, "outcome:  %s\n", st.Outcome)
	}
	fmt.Fprintf(w, "step:     %s", st.Step)
	if st.Paused {
		fmt.Fprint(w, " (paused)")
	}
	fmt.Fprintln(w)
	if st.NeedsAttention != "" {
		fmt.Fprintf(w, "NEEDS ATTENTION: %s\n  fix it, then `starter migrate resume` (or send the corrected secret file)\n", st.NeedsAttention)
	}
	if st.Waiting != "" {
		fmt.Fprintf(w, "waiting:  %s\n", st.Waiting)
	}
	for _, s := range st.Steps {
		fmt.Fprintf(w, "  %-24s %-9s %s\n", s.Step, s.Status, s.Detail)
	}
	if st.Outcome != workflows.MigrationDryRun {
		fmt.Fprintf(w, "counts:   sync rounds %d (invoices %d synced, %d errored; adjustments %d synced, %d errored); write-offs %d (+%d found); credit memos %d (+%d found); IS checks %d\n",
			st.Sync.Rounds, st.Sync.Invoices.Synced, st.Sync.Invoices.Errored, st.Sync.Adjustments.Synced, st.Sync.Adjustments.Errored,
			st.WriteOff.Done, st.WriteOff.AlreadyDone, st.CreditMemos.Done, st.CreditMemos.AlreadyDone, st.WaitIS.Polls)
	}
	if st.OAuth.NewClientID != "" {
		fmt.Fprintf(w, "oauth:    new client %s (fingerprint %s) verified=%v; old client %s retired=%v refused=%v\n",
			st.OAuth.NewClientID, st.OAuth.NewFingerprint, st.OAuth.Verified, st.OAuth.OldClientID, st.OAuth.OldRetired, st.OAuth.OldRefused)
	}
	if len(st.Findings) > 0 {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "FINDING\tBLOCKING\tCOUNT\tRECORDS\tTITLE")
		for _, f := range st.Findings {
			block := "no"
			if f.Blocking {
				block = "YES"
				for _, o := range st.Overrides {
					if o.ID == f.ID {
						block = "overridden"
					}
				}
			}
			recs := strings.Join(f.Records[:min(len(f.Records), 3)], " ")
			if f.Count > 3 {
				recs += fmt.Sprintf(" … (+%d)", f.Count-3)
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", f.ID, block, f.Count, recs, f.Title)
		}
		_ = tw.Flush()
		fmt.Fprintln(w, "\nactions:")
		for _, f := range st.Findings {
			if f.Count > 0 {
				fmt.Fprintf(w, "  %s: %s\n", f.ID, f.Action)
			}
		}
	}
	for _, o := range st.Overrides {
		fmt.Fprintf(w, "override: %s at %s: %s\n", o.ID, o.At.UTC().Format(time.RFC3339), o.Reason)
	}
	for _, n := range st.Notes {
		fmt.Fprintf(w, "note:     %s\n", n)
	}
	return nil
}

// rootMessage is the innermost message of an error chain (an update's
// refusal arrives wrapped).
func rootMessage(err error) string {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err.Error()
		}
		err = u
	}
}
