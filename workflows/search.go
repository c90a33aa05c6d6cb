package workflows

import (
	"strings"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Search attributes: operators find a record's sync in the Temporal UI and
// CLI by them, e.g. failed invoice syncs of one account:
//
//	ZuoraRecordType = "invoice" AND ZuoraAccountNumber = "A-00012" AND SyncOutcome = "error"
//
// Every record workflow gets the first four when its run starts it (free on
// Temporal Cloud). SyncOutcome is upserted only when a record ends in a state
// that needs a person (error, ignored): an upsert is a billable action, and a
// clean sync is the common case, visible as ExecutionStatus = "Completed"
// without SyncOutcome. Register them on a cluster with
// `temporal operator search-attribute create --name <Name> --type Keyword`.
var (
	SearchRecordType    = temporal.NewSearchAttributeKeyKeyword("ZuoraRecordType")
	SearchZuoraID       = temporal.NewSearchAttributeKeyKeyword("ZuoraId")
	SearchZuoraNumber   = temporal.NewSearchAttributeKeyKeyword("ZuoraNumber")
	SearchAccountNumber = temporal.NewSearchAttributeKeyKeyword("ZuoraAccountNumber")
	SearchOutcome       = temporal.NewSearchAttributeKeyKeyword("SyncOutcome")
)

// SearchAttributeNames are every search attribute the workflows use, for a
// dev server's or a cluster's registration (all Keyword).
var SearchAttributeNames = []string{"ZuoraRecordType", "ZuoraId", "ZuoraNumber", "ZuoraAccountNumber", "SyncOutcome"}

// DevServerSearchAttributes registers every attribute on a dev server
// started by testsuite.StartDevServer (tests and the benchmark).
func DevServerSearchAttributes() temporal.SearchAttributes {
	var updates []temporal.SearchAttributeUpdate
	for _, name := range SearchAttributeNames {
		updates = append(updates, temporal.NewSearchAttributeKeyKeyword(name).ValueSet(""))
	}
	return temporal.NewSearchAttributes(updates...)
}

// recordSearchAttributes are set when a run starts a record's workflow.
func recordSearchAttributes(recordType string, rec SelectedRecord) temporal.SearchAttributes {
	updates := []temporal.SearchAttributeUpdate{SearchRecordType.ValueSet(recordType), SearchZuoraID.ValueSet(rec.ID)}
	if rec.Number != "" {
		updates = append(updates, SearchZuoraNumber.ValueSet(rec.Number))
	}
	if rec.AccountNumber != "" {
		updates = append(updates, SearchAccountNumber.ValueSet(rec.AccountNumber))
	}
	return temporal.NewSearchAttributes(updates...)
}

// markOutcome records an outcome that needs attention in the workflow's
// search attributes; a clean sync costs nothing. (A server without the
// attributes would fail the workflow task, which is why the worker refuses to
// start until they are registered: app.CheckSearchAttributes.)
func markOutcome(ctx workflow.Context, outcome string) {
	if outcome != OutcomeError && outcome != OutcomeIgnored {
		return
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, SearchOutcome.ValueSet(outcome)); err != nil {
		workflow.GetLogger(ctx).Warn("search attribute SyncOutcome not set", "outcome", outcome, "error", err)
	}
}

// versionRecordSearchAttributes guards the upsert below (docs/operations.md):
// a record workflow started before it replays without it.
const versionRecordSearchAttributes = "record-search-attributes-at-start"

// ensureRecordSearchAttributes gives a record workflow started outside a run
// (the starter's "sync <type> <id>", `temporal workflow start`) the type and
// id a run sets at start, so the same UI filters find it. A workflow a run
// started has them already and costs nothing more.
func ensureRecordSearchAttributes(ctx workflow.Context, recordType, id string) {
	if id == "" {
		return
	}
	if _, ok := workflow.GetTypedSearchAttributes(ctx).GetKeyword(SearchRecordType); ok {
		return
	}
	if workflow.GetVersion(ctx, versionRecordSearchAttributes, workflow.DefaultVersion, 1) != 1 {
		return
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, SearchRecordType.ValueSet(recordType), SearchZuoraID.ValueSet(id)); err != nil {
		workflow.GetLogger(ctx).Warn("search attributes not set", "record_type", recordType, "id", id, "error", err)
	}
}

// RecordSummary is a record workflow's static summary, the line the Temporal
// UI and `temporal workflow list` show for it: "invoice INV00012 · account
// A00001 · Zuora 2c92…" (whatever of it is known when it starts).
func RecordSummary(recordType string, rec SelectedRecord) string {
	parts := []string{recordType}
	if rec.Number != "" {
		parts = append(parts, rec.Number)
	}
	if rec.AccountNumber != "" {
		parts = append(parts, "account "+rec.AccountNumber)
	}
	parts = append(parts, "Zuora "+rec.ID)
	return strings.Join(parts, " · ")
}

// RecordSearchAttributes are the search attributes a record workflow starts
// with, in a run or alone (the starter's "sync <type> <id>").
func RecordSearchAttributes(recordType string, rec SelectedRecord) temporal.SearchAttributes {
	return recordSearchAttributes(recordType, rec)
}
