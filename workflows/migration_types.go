package workflows

import (
	"time"

	"github.com/zuora-netsuite/connector/internal/settings"
)

// Invoice Settlement migration (seeds is-migration-prepare-data and
// is-migration-validate-transactions; docs/migration.md).

// MigrationWorkflowID is the migration's workflow id: one per namespace, so a
// second start attaches to the first instead of running twice.
const MigrationWorkflowID = "invoice-settlement-migration"

// PrecheckWorkflowID is the dry run's workflow id prefix.
const PrecheckWorkflowID = "invoice-settlement-precheck"

// Steps of the migration, in order. The write-off runs before the wait for
// Invoice Settlement because Zuora refuses invoice item adjustments on an IS
// tenant, and credit memos exist only on one (docs/migration.md).
const (
	StepPrecheck    = "precheck"
	StepSync        = "sync"
	StepFreeze      = "freeze"
	StepWriteOff    = "write-off"
	StepWaitIS      = "wait-invoice-settlement"
	StepCreditMemos = "credit-memos"
	StepOAuth       = "rotate-oauth"
	StepISMode      = "is-mode"
	StepDone        = "done"
)

// MigrationSteps is the order a migration begun by earlier code goes through.
var MigrationSteps = []string{StepPrecheck, StepSync, StepFreeze, StepWriteOff, StepWaitIS, StepCreditMemos, StepOAuth, StepISMode}

// MigrationStepsSeedOrder is the seed's order (is-migration-prepare-data
// 4–7: IS confirmed → new OAuth client → connector credentials updated → IS
// objects): the wait for IS reads no IS object with the old client, and the
// credit memos are made by the new one.
var MigrationStepsSeedOrder = []string{StepPrecheck, StepSync, StepFreeze, StepWriteOff, StepWaitIS, StepOAuth, StepCreditMemos, StepISMode}

// Migration outcomes.
const (
	MigrationCompleted = "completed"
	MigrationCancelled = "cancelled"
	MigrationDryRun    = "dry-run"
)

// Finding is one pre-check scenario (mapping.Finding on the wire).
type Finding struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Count    int      `json:"count"`
	Records  []string `json:"records,omitempty"`
	Action   string   `json:"action"`
	Blocking bool     `json:"blocking"`
}

// Override is an operator's decision to go on despite a blocking finding.
type Override struct {
	ID     string    `json:"id"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// OverrideSignal is the override signal's payload.
type OverrideSignal struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// OAuthSecretFileSignal names, on the worker's machine, the file an operator
// wrote with the new OAuth client ({"client_id","client_secret"}); only the
// path travels through Temporal.
type OAuthSecretFileSignal struct {
	Path string `json:"path"`
}

// MigrationInput starts the migration (or, with DryRun, only its pre-check).
type MigrationInput struct {
	Settings settings.Settings `json:"settings"`
	DryRun   bool              `json:"dryRun,omitempty"`
	// FinancePermission: the operator's answer for a real tenant (the sandbox
	// reports its own); nil = unknown, treated as yes so the accounting code is shown.
	FinancePermission *bool `json:"financePermission,omitempty"`
	// PollInitial and PollMax bound the back-off while waiting for Invoice
	// Settlement (defaults 1 minute and 1 hour).
	PollInitial time.Duration `json:"pollInitial,omitempty"`
	PollMax     time.Duration `json:"pollMax,omitempty"`
	// PageSize: invoices per conversion activity (default 50);
	// PagesPerContinue: pages before continuing as new (default 100).
	PageSize         int `json:"pageSize,omitempty"`
	PagesPerContinue int `json:"pagesPerContinue,omitempty"`
	// State is set by continue-as-new.
	State *MigrationState `json:"state,omitempty"`
}

// StepOutcome is one finished (or skipped) step.
type StepOutcome struct {
	Step   string    `json:"step"`
	Status string    `json:"status"` // done | skipped | cancelled
	Detail string    `json:"detail,omitempty"`
	At     time.Time `json:"at"`
}

// SyncStepCounts are the sync step's tallies over all its rounds.
type SyncStepCounts struct {
	Rounds                    int      `json:"rounds"`
	Adjustments               Counts   `json:"adjustments"`
	Invoices                  Counts   `json:"invoices"`
	Disabled                  []string `json:"disabled,omitempty"`
	RemainingAdjustments      int      `json:"remainingAdjustments"`
	RemainingNegativeInvoices int      `json:"remainingNegativeInvoices"`
}

// FreezeCounts: what appeared after the freeze.
type FreezeCounts struct {
	At                          time.Time `json:"at,omitempty"`
	ApprovedAt                  time.Time `json:"approvedAt,omitempty"`
	CreatedAfterAdjustments     int       `json:"createdAfterAdjustments"`
	CreatedAfterNegativeInvoice int       `json:"createdAfterNegativeInvoices"`
	Rounds                      int       `json:"rounds"`
}

// ConvertCounts are a conversion step's tallies.
type ConvertCounts struct {
	Done        int           `json:"done"`        // made by this migration now
	AlreadyDone int           `json:"alreadyDone"` // found made (a retry, a restart)
	Skipped     int           `json:"skipped"`     // nothing to convert (zero balance)
	Errored     int           `json:"errored"`
	Errors      []RecordError `json:"errors,omitempty"`
	Pages       int           `json:"pages"`
}

// WaitISCounts: the wait for Invoice Settlement.
type WaitISCounts struct {
	Polls     int       `json:"polls"`
	EnabledAt time.Time `json:"enabledAt,omitempty"`
}

// OAuthCounts: the OAuth rotation, by client id and fingerprint only.
type OAuthCounts struct {
	NewClientID    string `json:"newClientId,omitempty"`
	NewFingerprint string `json:"newFingerprint,omitempty"`
	Verified       bool   `json:"verified"`
	OldClientID    string `json:"oldClientId,omitempty"`
	OldRetired     bool   `json:"oldRetired"`
	OldRefused     bool   `json:"oldRefused"`
}

// ISModeCounts: the connector's switch to Invoice Settlement mode.
type ISModeCounts struct {
	Persisted            bool `json:"persisted"`
	CreditMemosReachable bool `json:"creditMemosReachable"`
}

// MigrationState is the migration's whole state: carried across
// continue-as-new, answered by the status query, returned as the result.
type MigrationState struct {
	Outcome   string `json:"outcome,omitempty"`
	Step      string `json:"step"`
	Waiting   string `json:"waiting,omitempty"` // what the migration waits for, if anything
	Paused    bool   `json:"paused"`
	Cancelled bool   `json:"cancelled"`
	// NeedsAttention: a failure an operator can fix (a mistyped secret file
	// path, a missing one-time charge) stopped the step; it waits, with this
	// reason, for the fix and `starter migrate resume` (or a new secret
	// file). Also the search attribute SyncOutcome = "needs-attention".
	NeedsAttention string `json:"needsAttention,omitempty"`
	// SeedOrder: the steps run in the seed's order (MigrationStepsSeedOrder:
	// the OAuth rotation before anything reads IS objects), decided once per
	// migration (SeedOrderDecided) and kept across continue-as-new.
	SeedOrder        bool       `json:"seedOrder,omitempty"`
	SeedOrderDecided bool       `json:"seedOrderDecided,omitempty"`
	Findings         []Finding  `json:"findings,omitempty"`
	Overrides        []Override `json:"overrides,omitempty"`
	Prechecks        int        `json:"prechecks"`

	Sync        SyncStepCounts `json:"sync"`
	Freeze      FreezeCounts   `json:"freeze"`
	WriteOff    ConvertCounts  `json:"writeOff"`
	WaitIS      WaitISCounts   `json:"waitInvoiceSettlement"`
	CreditMemos ConvertCounts  `json:"creditMemos"`
	OAuth       OAuthCounts    `json:"oauth"`
	ISMode      ISModeCounts   `json:"isMode"`

	Steps []StepOutcome `json:"steps,omitempty"`
	Notes []string      `json:"notes,omitempty"`

	// Internal cursors and pending operator input.
	Cursor string `json:"cursor,omitempty"`
	// Pass names the current pass over the invoices (ConvertPageInput.Pass).
	Pass           string `json:"pass,omitempty"`
	PagesSinceCAN  int    `json:"pagesSinceContinue,omitempty"`
	ApprovePending bool   `json:"approvePending,omitempty"`
	RecheckPending bool   `json:"recheckPending,omitempty"`
	ResumePending  bool   `json:"resumePending,omitempty"`
	SecretFile     string `json:"secretFile,omitempty"` // a path, never the secret
	ContinuedAsNew int    `json:"continuedAsNew"`
}

// Activity inputs and results of the migration.

// PrecheckInput asks for the pre-check report.
type PrecheckInput struct {
	Settings          settings.Settings `json:"settings"`
	FinancePermission *bool             `json:"financePermission,omitempty"`
}

// PrecheckResult is the pre-check report.
type PrecheckResult struct {
	Findings []Finding `json:"findings"`
}

// MigrationCountInput asks what is left to sync (and, with CreatedAfter,
// what appeared after the freeze).
type MigrationCountInput struct {
	Settings     settings.Settings `json:"settings"`
	CreatedAfter time.Time         `json:"createdAfter,omitempty"`
}

// MigrationCountResult: eligible records left, by kind (ids bounded to 100).
type MigrationCountResult struct {
	Adjustments              int      `json:"adjustments"`
	AdjustmentIDs            []string `json:"adjustmentIds,omitempty"`
	NegativeInvoices         int      `json:"negativeInvoices"`
	NegativeInvoiceIDs       []string `json:"negativeInvoiceIds,omitempty"`
	AdjustmentSyncOff        string   `json:"adjustmentSyncOff,omitempty"` // why adjustments are not counted
	CreatedAfterAdjustments  int      `json:"createdAfterAdjustments"`
	CreatedAfterNegativeInvs int      `json:"createdAfterNegativeInvoices"`
}

// ConvertPageInput is one page of a conversion step.
type ConvertPageInput struct {
	Settings settings.Settings `json:"settings"`
	AfterID  string            `json:"afterId,omitempty"`
	Limit    int               `json:"limit"`
	// Date is the freeze date: every write of the conversion carries it, so a
	// retried request has the same body as the first (idempotency keys).
	Date string `json:"date"`
	// Pass names this pass over the invoices (a step, or its re-run after a
	// recheck): the worker's snapshot of the candidates is per pass.
	Pass string `json:"pass,omitempty"`
}

// ConvertPageResult is one page's outcome.
type ConvertPageResult struct {
	Done        int           `json:"done"`
	AlreadyDone int           `json:"alreadyDone"`
	Skipped     int           `json:"skipped"`
	Errors      []RecordError `json:"errors,omitempty"`
	LastID      string        `json:"lastId,omitempty"`
	Finished    bool          `json:"finished"`
}

// OAuthClientInput asks for the new OAuth client: from the operator's secret
// file when SecretFile is set, else from the sandbox's admin endpoint.
type OAuthClientInput struct {
	SecretFile string `json:"secretFile,omitempty"`
}

// OAuthClientResult names the new client; never its secret.
type OAuthClientResult struct {
	ClientID      string `json:"clientId,omitempty"`
	Fingerprint   string `json:"fingerprint,omitempty"`
	NeedsOperator bool   `json:"needsOperator,omitempty"` // real tenant: send the oauth-secret-file signal
	OldClientID   string `json:"oldClientId,omitempty"`
}

// RetireOAuthInput names the old client.
type RetireOAuthInput struct {
	OldClientID string `json:"oldClientId"`
}

// RetireOAuthResult: retired (sandbox) and refused when it mints a token.
type RetireOAuthResult struct {
	Retired bool `json:"retired"`
	Refused bool `json:"refused"`
}

// ISModeInput switches the connector to IS mode.
type ISModeInput struct {
	By string `json:"by"`
}

// Activities of the recounts (migration_verify.go).
const (
	ActivityMigrationVerifyWriteOffs   = "MigrationVerifyWriteOffs"
	ActivityMigrationVerifyCreditMemos = "MigrationVerifyCreditMemos"
)

// MigrationVerifyInput asks for a recount.
type MigrationVerifyInput struct {
	Settings settings.Settings `json:"settings"`
}

// MigrationVerifyResult lists what a recount found wrong (ids bounded to
// 100, each with why in Reasons, same order).
type MigrationVerifyResult struct {
	Checked int      `json:"checked"`
	Count   int      `json:"count"`
	IDs     []string `json:"ids,omitempty"`
	Reasons []string `json:"reasons,omitempty"`
}

// ActivityMigrationConfirmIS asks, without reading any IS object, whether
// the tenant is on Invoice Settlement (seed order).
const ActivityMigrationConfirmIS = "MigrationConfirmInvoiceSettlement"

// ConfirmISResult: On from the sandbox's tenant (the Zuora UI's stand-in);
// on a real tenant NeedsOperator: the operator confirms with approve.
type ConfirmISResult struct {
	On            bool `json:"on"`
	NeedsOperator bool `json:"needsOperator,omitempty"`
}
