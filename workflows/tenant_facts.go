package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// ActivityTenantFacts reads what the Zuora tenant itself says about features
// that change which phases run (activities/tenant_facts.go).
const ActivityTenantFacts = "TenantFacts"

// TenantFacts are features of the Zuora tenant, read from the tenant at the
// start of a run (never from local state): whether the tenant is on Invoice
// Settlement decides whether adjustments or credit/debit memos sync and
// whether negative invoices are selected, whoever started the run (CLI, UI,
// a schedule created before the migration).
type TenantFacts struct {
	InvoiceSettlement bool `json:"invoiceSettlement"`
}

// versionTenantFacts guards the TenantFacts activity at a run's start
// (docs/operations.md): a run begun by older code has no such command in its
// history and keeps the Invoice Settlement setting its input had.
const versionTenantFacts = "tenant-facts-at-run-start"

// readTenantFacts runs once per run chain: the facts are kept in the state a
// continue-as-new carries, and written into the run's settings, so every
// selection and record child of the run sees the tenant's answer.
func (r *syncRun) readTenantFacts(ctx workflow.Context) error {
	if r.state.Tenant == nil {
		if workflow.GetVersion(ctx, versionTenantFacts, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
			return nil
		}
		actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: 2 * time.Minute,
			// Retries end: a refused credential fails at once (non-retryable),
			// an outage after about half an hour.
			RetryPolicy: &temporal.RetryPolicy{
				InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 30,
			},
		})
		var facts TenantFacts
		if err := workflow.ExecuteActivity(actx, ActivityTenantFacts).Get(ctx, &facts); err != nil {
			return fmt.Errorf("reading whether the Zuora tenant is on Invoice Settlement: %w", err)
		}
		r.state.Tenant = &facts
	}
	r.in.Settings.Advanced.InvoiceSettlement = r.state.Tenant.InvoiceSettlement
	return nil
}
