package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"
)

// The seed's order (issue 17): Invoice Settlement confirmed → new OAuth
// client → connector credentials updated → IS objects. Earlier code read IS
// objects with the old client (the wait for IS listed credit memos, and the
// credit memos were made before the rotation); a client that predates IS
// may not see them. A migration begun by that code keeps its order when it
// had already passed the wait for IS; GetVersion keeps its replay unchanged.
const versionSeedOrder = "is-migration-seed-order"

// decideOrder picks the order once per migration (kept in the state across
// continue-as-new).
func (m *migration) decideOrder(ctx workflow.Context) {
	if m.st.SeedOrderDecided {
		return
	}
	m.st.SeedOrderDecided = true
	if workflow.GetVersion(ctx, versionSeedOrder, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	// Past the wait for IS in the earlier order (credit memos made with the
	// old client, or the rotation under way): finish in that order.
	m.st.SeedOrder = stepIndex(MigrationSteps, m.st.Step) <= stepIndex(MigrationSteps, StepWaitIS)
}

func (m *migration) order() []string {
	if m.st.SeedOrder {
		return MigrationStepsSeedOrder
	}
	return MigrationSteps
}

func stepIndex(steps []string, step string) int {
	for i, s := range steps {
		if s == step {
			return i
		}
	}
	return len(steps)
}

// waitISConfirmed is the wait for Invoice Settlement in the seed's order:
// it reads no IS object. The sandbox's tenant settings (the Zuora UI's
// stand-in) are polled on durable timers; on a real tenant the operator,
// who had Zuora enable IS, confirms it with approve.
func (m *migration) waitISConfirmed(ctx workflow.Context) (string, error) {
	delay := m.in.PollInitial
	for polls := 0; ; polls++ {
		if err := m.checkpoint(ctx); err != nil {
			return "", err
		}
		var res ConfirmISResult
		if err := m.exec(ctx, 5*time.Minute, ActivityMigrationConfirmIS, &res); err != nil {
			return "", err
		}
		m.st.WaitIS.Polls++
		if res.On {
			m.st.WaitIS.EnabledAt = workflow.Now(ctx)
			return fmt.Sprintf("tenant on Invoice Settlement after %d checks of its settings (no IS object read before the new OAuth client)", m.st.WaitIS.Polls), nil
		}
		if res.NeedsOperator {
			m.st.ApprovePending = false
			if _, err := m.wait(ctx, "approve: confirm the tenant is on Invoice Settlement (Zuora finished its migration)", 0,
				func() bool { return m.st.ApprovePending }); err != nil {
				return "", err
			}
			m.st.ApprovePending = false
			m.st.WaitIS.EnabledAt = workflow.Now(ctx)
			return "tenant on Invoice Settlement, confirmed by the operator", nil
		}
		if polls >= 500 {
			return "", m.continueAsNew(ctx) // bounds history when the wait lasts weeks
		}
		if _, err := m.wait(ctx, fmt.Sprintf("the tenant to be on Invoice Settlement (next check in %s)", delay), delay,
			func() bool { return false }); err != nil {
			return "", err
		}
		delay = min(delay*2, m.in.PollMax)
	}
}
