package workflows

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Operator commands as Workflow Updates (docs/migration.md): each answers
// with what it did, or is refused with the reason by its validator, which
// the operator sees at once (`starter migrate approve` prints it). The
// signals of the same names stay for migrations started by older workers and
// for `temporal workflow signal`; a refused signal only leaves a note.

// MigrationAnswer is an accepted operator command's answer.
type MigrationAnswer struct {
	Step    string `json:"step"`
	Message string `json:"message"`
}

func (m *migration) answer(format string, args ...any) (MigrationAnswer, error) {
	return MigrationAnswer{Step: m.st.Step, Message: fmt.Sprintf(format, args...)}, nil
}

func (m *migration) open() error {
	if m.st.Outcome != "" {
		return fmt.Errorf("the migration has ended (%s)", m.st.Outcome)
	}
	return nil
}

// registerUpdates sets the Update handlers; the validators change nothing.
func (m *migration) registerUpdates(ctx workflow.Context) error {
	type upd struct {
		name     string
		validate any
		handle   any
	}
	updates := []upd{
		{SignalMigrationApprove,
			func() error {
				if err := m.open(); err != nil {
					return err
				}
				if !m.canApprove() {
					return fmt.Errorf("nothing to approve at step %s (waiting for: %s)", m.st.Step, orNothing(m.st.Waiting))
				}
				return nil
			},
			func(workflow.Context) (MigrationAnswer, error) {
				m.st.ApprovePending = true
				return m.answer("approved: %s", orNothing(m.st.Waiting))
			}},
		{SignalMigrationPause,
			func() error {
				if err := m.open(); err != nil {
					return err
				}
				if m.st.Paused {
					return errors.New("already paused")
				}
				return nil
			},
			func(workflow.Context) (MigrationAnswer, error) {
				m.st.Paused = true
				return m.answer("paused at step %s; the unit of work in flight finishes first", m.st.Step)
			}},
		{SignalMigrationResume,
			func() error {
				if err := m.open(); err != nil {
					return err
				}
				if !m.st.Paused && m.st.NeedsAttention == "" {
					return errors.New("not paused and nothing needs attention")
				}
				return nil
			},
			func(workflow.Context) (MigrationAnswer, error) {
				m.st.Paused = false
				m.st.ResumePending = true
				return m.answer("resumed at step %s", m.st.Step)
			}},
		{SignalMigrationCancel,
			func() error { return m.open() },
			func(workflow.Context) (MigrationAnswer, error) {
				m.st.Cancelled = true
				return m.answer("cancelling at step %s (docs/migration.md: what cancel leaves behind)", m.st.Step)
			}},
		{SignalMigrationRecheck,
			func() error {
				if err := m.open(); err != nil {
					return err
				}
				if ((m.st.Step != StepPrecheck && m.st.Step != StepSync) || m.in.DryRun) && !m.waitingForRecount() {
					return fmt.Errorf("nothing to recheck at step %s: a recheck runs the pre-check (step 1), a sync round (step 2) or a recount's step again", m.st.Step)
				}
				return nil
			},
			func(workflow.Context) (MigrationAnswer, error) {
				m.st.RecheckPending = true
				if m.waitingForRecount() {
					return m.answer("step %s runs its pages and its recount again", m.st.Step)
				}
				return m.answer("the pre-check runs again")
			}},
		{SignalMigrationOverride,
			func(o OverrideSignal) error {
				if err := m.open(); err != nil {
					return err
				}
				return m.overrideRefusal(o)
			},
			func(ctx workflow.Context, o OverrideSignal) (MigrationAnswer, error) {
				m.override(ctx, o)
				return m.answer("finding %s overridden: %s", o.ID, o.Reason)
			}},
		{SignalMigrationSecretFile,
			func(f OAuthSecretFileSignal) error {
				if err := m.open(); err != nil {
					return err
				}
				if f.Path == "" || !filepath.IsAbs(f.Path) {
					return fmt.Errorf("the secret file must be an absolute path on the worker's machine, got %q", f.Path)
				}
				return nil
			},
			func(_ workflow.Context, f OAuthSecretFileSignal) (MigrationAnswer, error) {
				m.st.SecretFile = f.Path
				m.st.ResumePending = true
				return m.answer("secret file %s will be read by the worker at the OAuth step", f.Path)
			}},
	}
	for _, u := range updates {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, u.name, u.handle, workflow.UpdateHandlerOptions{Validator: u.validate}); err != nil {
			return err
		}
	}
	return nil
}

func (m *migration) canApprove() bool {
	return m.st.Step == StepFreeze || (m.st.Step == StepOAuth && m.st.OAuth.Verified) ||
		strings.HasPrefix(m.st.Waiting, "approve")
}

// overrideRefusal is why an override cannot apply, or nil.
func (m *migration) overrideRefusal(o OverrideSignal) error {
	if strings.TrimSpace(o.Reason) == "" {
		return fmt.Errorf("override of %s: a reason is required", o.ID)
	}
	for _, f := range m.st.Findings {
		if f.ID == o.ID {
			if !f.Blocking {
				return fmt.Errorf("override of %s: it does not block", o.ID)
			}
			return nil
		}
	}
	var ids []string
	for _, f := range m.st.Findings {
		if f.Blocking {
			ids = append(ids, f.ID)
		}
	}
	return fmt.Errorf("override of %s: no such finding (blocking findings: %s)", o.ID, orNothing(strings.Join(ids, ", ")))
}

func orNothing(s string) string {
	if s == "" {
		return "nothing"
	}
	return s
}

// operatorFixable are the activity failures an operator fixes without new
// code: the migration waits for them instead of failing after half its work.
var operatorFixable = []string{"BadSecretFile", "BadSettings", "NewCredentialRefused"}

// attend runs one activity call; when it fails for a reason an operator can
// fix, the migration waits in "needs attention" (status query, the search
// attribute SyncOutcome = "needs-attention", `starter migrate status`) until
// the operator resumes it (or sends a new secret file), then tries again.
func (m *migration) attend(ctx workflow.Context, call func() error) error {
	for {
		err := call()
		if err == nil || temporal.IsCanceledError(err) || errors.Is(err, errCancelled) || !needsOperator(err) {
			return err
		}
		m.st.NeedsAttention = errorMessage(err)
		m.note("needs attention at step %s: %s", m.st.Step, m.st.NeedsAttention)
		markAttention(ctx, true)
		m.st.ResumePending = false
		_, werr := m.wait(ctx, "resume once fixed: "+m.st.NeedsAttention, 0, func() bool { return m.st.ResumePending })
		m.st.NeedsAttention, m.st.ResumePending = "", false
		markAttention(ctx, false)
		if werr != nil {
			return werr
		}
	}
}

// needsOperator: an activity failure the migration cannot get past alone —
// an operator-fixable refusal, or any fault that outlasted its retries.
func needsOperator(err error) bool {
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) && contains(operatorFixable, ae.Type()) {
		return true
	}
	var act *temporal.ActivityError
	return errors.As(err, &act)
}

// OutcomeNeedsAttention is the migration's SyncOutcome while it waits for an operator's fix.
const OutcomeNeedsAttention = "needs-attention"

func markAttention(ctx workflow.Context, on bool) {
	u := SearchOutcome.ValueUnset()
	if on {
		u = SearchOutcome.ValueSet(OutcomeNeedsAttention)
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, u); err != nil {
		workflow.GetLogger(ctx).Warn("search attribute SyncOutcome not set", "error", err)
	}
}
