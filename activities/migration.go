package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"go.temporal.io/sdk/temporal"

	"github.com/zuora-netsuite/connector/internal/credstore"
	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// Migration holds the Invoice Settlement migration's activities (seeds
// is-migration-*). Every write is idempotent per invoice: it looks for what
// an earlier attempt made before making it, and sends an Idempotency-Key
// derived from the invoice id.
type Migration struct {
	*Activities
	// Store is the connector's credential store (the new OAuth client, IS
	// mode): a directory for one machine, PostgreSQL shared by a cluster.
	Store credstore.Backend
	// Configured is the OAuth client the worker was started with: the one the
	// rotation retires (to verify it is refused afterwards).
	Configured zuora.Credentials
	// SandboxAdminURL is the sandbox's Zuora base URL, whose admin endpoints
	// stand in for the Zuora UI (tenant settings, OAuth clients); empty on a
	// real tenant, where an operator does those by hand.
	SandboxAdminURL string
	HTTP            *http.Client
}

// Origin__NS of the credit memos the migration makes.
const migrationOrigin = "Invoice Settlement migration"

// Idempotency keys, one per invoice and kind of write.
func writeOffKey(invoiceID string) string   { return "is-migration-writeoff-" + invoiceID }
func creditMemoKey(invoiceID string) string { return "is-migration-creditmemo-" + invoiceID }

func (m *Migration) http() *http.Client {
	if m.HTTP != nil {
		return m.HTTP
	}
	return &http.Client{Timeout: time.Minute}
}

func toWorkflowFindings(fs []mapping.Finding) []workflows.Finding {
	out := make([]workflows.Finding, len(fs))
	for i, f := range fs {
		out[i] = workflows.Finding(f)
	}
	return out
}

// MigrationPrecheck reads the tenant and runs every checklist scenario.
func (m *Migration) MigrationPrecheck(ctx context.Context, in workflows.PrecheckInput) (workflows.PrecheckResult, error) {
	var d mapping.PrecheckData
	var err error
	if d.Accounts, err = zuora.QueryAll[zuora.Account](ctx, m.Zuora, "select Id, AccountNumber, Name, Status, Balance, CreditBalance from Account"); err != nil {
		return workflows.PrecheckResult{}, retryable("pre-check: reading accounts", err)
	}
	heartbeat(ctx, "accounts")
	neg, err := zuora.QueryAll[zuora.Invoice](ctx, m.Zuora, "select Id, InvoiceNumber, AccountId, Status, Amount, Balance from Invoice where Status = 'Posted' or Status = 'Draft'")
	if err != nil {
		return workflows.PrecheckResult{}, retryable("pre-check: reading invoices", err)
	}
	for _, inv := range neg {
		if inv.Amount.IsNegative() || inv.Balance.IsNegative() {
			d.Invoices = append(d.Invoices, inv)
		}
	}
	heartbeat(ctx, "invoices")
	if d.Payments, err = zuora.QueryAll[zuora.Payment](ctx, m.Zuora,
		"select Id, AccountId, Amount, Status, PaymentNumber from Payment where Status = 'Draft' or Status = 'Error' or Status = 'Canceled'"); err != nil {
		return workflows.PrecheckResult{}, retryable("pre-check: reading payments", err)
	}
	if d.PaymentRuns, err = zuora.QueryAll[zuora.PaymentRun](ctx, m.Zuora, "select Id, Status, ApplyCreditBalance, Scheduled from PaymentRun"); err != nil {
		return workflows.PrecheckResult{}, retryable("pre-check: reading payment runs", err)
	}
	d.FinancePermission = in.FinancePermission == nil || *in.FinancePermission
	if m.SandboxAdminURL != "" {
		t, err := m.sandboxTenant(ctx)
		if err != nil {
			return workflows.PrecheckResult{}, retryable("pre-check: reading the sandbox tenant", err)
		}
		d.CreditBalance, d.FinancePermission = t.CreditBalance, t.FinancePermission
	}
	if id := in.Settings.Migration.OneTimeChargeID; id != "" {
		var c zuora.ProductRatePlanCharge
		err := m.Zuora.GetObject(ctx, zuora.ObjProductRatePlanCharge, id, &c)
		switch {
		case err == nil:
			d.OneTimeChargeFound = true
		case zuora.IsNotFound(err):
		default:
			return workflows.PrecheckResult{}, retryable("pre-check: reading the one-time charge", err)
		}
	}
	return workflows.PrecheckResult{Findings: toWorkflowFindings(mapping.Precheck(d, in.Settings))}, nil
}

type sandboxTenant struct {
	InvoiceSettlement bool `json:"invoiceSettlement"`
	CreditBalance     bool `json:"creditBalance"`
	FinancePermission bool `json:"financePermission"`
}

func (m *Migration) sandboxTenant(ctx context.Context) (sandboxTenant, error) {
	var t sandboxTenant
	req, err := http.NewRequestWithContext(ctx, "GET", m.SandboxAdminURL+"/_sandbox/tenant", nil)
	if err != nil {
		return t, err
	}
	resp, err := m.http().Do(req)
	if err != nil {
		return t, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return t, fmt.Errorf("GET /_sandbox/tenant: status %d", resp.StatusCode)
	}
	return t, json.NewDecoder(resp.Body).Decode(&t)
}

// preIS are the settings the pre-migration syncs use: whatever the settings
// file says, the tenant is not on Invoice Settlement yet.
func preIS(s settings.Settings) settings.Settings {
	s.Advanced.InvoiceSettlement = false
	return s
}

func bounded(ids []string) []string {
	if len(ids) > mapping.MaxFindingIDs {
		return ids[:mapping.MaxFindingIDs]
	}
	return ids
}

// createdAfter: Zuora datetimes carry the tenant's offset.
func createdAfter(created string, t time.Time) bool {
	if t.IsZero() {
		return false
	}
	c, err := time.Parse(time.RFC3339, created)
	return err == nil && c.After(t)
}

// MigrationCount counts the invoice item adjustments and negative invoices
// still eligible for the (pre-IS) syncs, and those created after a time.
func (m *Migration) MigrationCount(ctx context.Context, in workflows.MigrationCountInput) (workflows.MigrationCountResult, error) {
	ctx = zuora.WithFieldNames(ctx, in.Settings.ZuoraFields.Names()) // the tenant's names of the connector's custom fields
	var out workflows.MigrationCountResult
	s := preIS(in.Settings)
	adjOn := s
	adjOn.Advanced.DisableIIASync = false
	if ok, why := mapping.AdjustmentSyncEnabled(adjOn); !ok {
		out.AdjustmentSyncOff = why
	} else {
		adjs, err := zuora.QueryAll[zuora.InvoiceItemAdjustment](ctx, m.Zuora, "select Id, Status, TransferredToAccounting, AdjustmentDate, CreatedDate, "+zuora.FieldDoNotSync+" from InvoiceItemAdjustment")
		if err != nil {
			return out, retryable("counting adjustments", err)
		}
		var ids []string
		for _, a := range adjs {
			if strings.EqualFold(a.DoNotSync, "Yes") {
				continue
			}
			if createdAfter(a.CreatedDate, in.CreatedAfter) {
				out.CreatedAfterAdjustments++
			}
			if ok, _ := mapping.AdjustmentSelectable(a, adjOn); ok {
				ids = append(ids, a.ID)
			}
		}
		out.Adjustments, out.AdjustmentIDs = len(ids), bounded(uniqueSorted(ids))
	}
	heartbeat(ctx, "adjustments")
	invs, err := zuora.QueryAll[zuora.Invoice](ctx, m.Zuora, "select "+mapping.InvoiceFields+", CreatedDate from Invoice where Status = 'Posted'")
	if err != nil {
		return out, retryable("counting negative invoices", err)
	}
	var negs []zuora.Invoice
	var acctIDs []string
	for _, inv := range invs {
		if !mapping.PostedNegative(inv) {
			continue
		}
		if createdAfter(inv.CreatedDate, in.CreatedAfter) {
			out.CreatedAfterNegativeInvs++
		}
		negs = append(negs, inv)
		acctIDs = append(acctIDs, inv.AccountID)
	}
	accts, err := zoqlByIDs[zuora.Account](ctx, m.Zuora, zuora.ObjAccount, "Id, AccountNumber, Status, SynctoNetSuite__NS", "Id", acctIDs)
	if err != nil {
		return out, retryable("counting negative invoices: reading accounts", err)
	}
	byID := map[string]zuora.Account{}
	for _, a := range accts {
		byID[a.ID] = a
	}
	var ids []string
	for _, inv := range negs {
		if ok, _ := mapping.InvoiceSelectable(inv, byID[inv.AccountID], s); ok {
			ids = append(ids, inv.ID)
		}
	}
	out.NegativeInvoices, out.NegativeInvoiceIDs = len(ids), bounded(uniqueSorted(ids))
	return out, nil
}

// writeOffField is the invoice custom field where the write-off records
// the amount it wrote off: the credit memo step runs on the IS tenant, where
// invoice item adjustments can no longer be read, and needs that amount.
const writeOffField = zuora.FieldMigrationWriteOff

// migInvoice is an invoice with the migration's marker.
type migInvoice struct {
	zuora.Invoice
	WriteOff string `json:"MigrationWriteOff__c,omitempty"` // zuora.FieldMigrationWriteOff
}

const migInvoiceFields = "Id, InvoiceNumber, AccountId, Status, Amount, Balance, " + writeOffField

// postedNegativePage is the next page of posted negative invoices after the cursor.
func (m *Migration) postedNegativePage(ctx context.Context, pass, afterID string, limit int, keep func(migInvoice) bool) ([]migInvoice, bool, error) {
	q := "select " + migInvoiceFields + " from Invoice where Status = 'Posted'"
	cands, _, _, err := candidatesAfter(ctx, m.Zuora, q, "negative invoices", pass, afterID, func(i migInvoice) string { return i.ID })
	if err != nil {
		return nil, false, err
	}
	var page []migInvoice
	for _, inv := range cands {
		if mapping.PostedNegative(inv.Invoice) && keep(inv) {
			page = append(page, inv)
			if len(page) == limit {
				return page, false, nil
			}
		}
	}
	return page, true, nil
}

// MigrationWriteOffPage writes off one page of posted negative invoices
// with invoice item adjustments, one per negative item and taxation item
// (migration_writeoff.go), marked Transferred To Accounting = Ignore and
// DoNotSync__c = Yes so no sync ever sends them to NetSuite (seed: "The new
// NetSuite connector won't synchronize IIA generated during the migration
// stage"), then records the total on the invoice (MigrationWriteOff__c).
// Per invoice: marked → done before; otherwise the adjustments still
// missing are made (earlier ones, from a crash in between, are read first
// and count) and the invoice is marked with the total of all of them.
func (m *Migration) MigrationWriteOffPage(ctx context.Context, in workflows.ConvertPageInput) (workflows.ConvertPageResult, error) {
	ctx = zuora.WithFieldNames(ctx, in.Settings.ZuoraFields.Names()) // the tenant's names of the connector's custom fields
	var out workflows.ConvertPageResult
	page, finished, err := m.postedNegativePage(ctx, in.Pass, in.AfterID, in.Limit, func(migInvoice) bool { return true })
	if err != nil {
		return out, err
	}
	out.Finished = finished
	if len(page) == 0 {
		return out, nil
	}
	var unmarked []string
	for _, inv := range page {
		if inv.WriteOff == "" {
			unmarked = append(unmarked, inv.ID)
		}
	}
	adjs, err := m.invoiceAdjustments(ctx, unmarked)
	if err != nil {
		return out, retryable("write-off: reading the invoices' adjustments", err)
	}
	for _, inv := range page {
		out.LastID = inv.ID
		heartbeat(ctx, inv.ID)
		if inv.WriteOff != "" {
			out.AlreadyDone++
			continue
		}
		total := writtenOff(adjs[inv.ID])
		made := decimal.Zero
		if inv.Balance.IsNegative() {
			made, err = m.writeOffItems(ctx, inv.Invoice, adjs[inv.ID], in)
			total = total.Add(made)
			if err != nil {
				if !permanent(err) {
					return out, retryable("write-off of invoice "+inv.InvoiceNumber, err)
				}
				out.Errors = append(out.Errors, workflows.RecordError{Type: workflows.RecordInvoice, ID: inv.ID, Number: inv.InvoiceNumber,
					Reason: "write-off not completed (" + total.StringFixed(2) + " written off so far): " + err.Error()})
				continue
			}
		}
		if !total.IsPositive() {
			out.Skipped++ // nothing left to convert: its credit was used up before the migration
			continue
		}
		if err := m.Zuora.UpdateObject(ctx, zuora.ObjInvoice, inv.ID, map[string]any{writeOffField: total.StringFixed(2)}); err != nil {
			return out, retryable("write-off: marking invoice "+inv.InvoiceNumber, err)
		}
		if made.IsPositive() {
			out.Done++
		} else {
			out.AlreadyDone++
		}
	}
	return out, nil
}

func reasonCode(s settings.Settings) string {
	if s.Migration.ReasonCode != "" {
		return s.Migration.ReasonCode
	}
	return "AR Mig - negative invoice"
}

func onAccountCode(s settings.Settings) string {
	if strings.TrimSpace(s.Migration.OnAccountAccountingCode) != "" {
		return s.Migration.OnAccountAccountingCode
	}
	return "Accounts Receivable"
}

// MigrationTenantOnInvoiceSettlement asks whether the IS endpoints answer.
func (m *Migration) MigrationTenantOnInvoiceSettlement(ctx context.Context) (bool, error) {
	ok, err := m.Zuora.InvoiceSettlementEnabled(ctx)
	if err != nil {
		return false, retryable("checking Invoice Settlement", err)
	}
	return ok, nil
}

// MigrationCreditMemoPage makes, for one page of written-off invoices (id
// after the cursor), one credit memo each from the configured one-time
// charge for the written-off amount. An existing memo of the migration for
// the invoice (Transaction__NS = invoice id) is looked for first, so a retry
// or a restart never makes a second one; the Idempotency-Key covers an
// answer lost in between.
func (m *Migration) MigrationCreditMemoPage(ctx context.Context, in workflows.ConvertPageInput) (workflows.ConvertPageResult, error) {
	ctx = zuora.WithFieldNames(ctx, in.Settings.ZuoraFields.Names()) // the tenant's names of the connector's custom fields
	var out workflows.ConvertPageResult
	if in.Settings.Migration.OneTimeChargeID == "" {
		return out, temporal.NewNonRetryableApplicationError("settings migration.oneTimeChargeId is not set: no credit memo can be made", "BadSettings", nil)
	}
	page, finished, err := m.postedNegativePage(ctx, in.Pass, in.AfterID, in.Limit, func(i migInvoice) bool { return i.WriteOff != "" })
	if err != nil {
		return out, err
	}
	out.Finished = finished
	memos := map[string][]zuora.CreditMemo{} // by account, read once per page
	for _, inv := range page {
		out.LastID = inv.ID
		heartbeat(ctx, inv.ID)
		amount, err := decimal.NewFromString(inv.WriteOff)
		if err != nil || !amount.IsPositive() {
			out.Skipped++
			continue
		}
		list, ok := memos[inv.AccountID]
		if !ok {
			if list, err = m.Zuora.ListCreditMemos(ctx, inv.AccountID); err != nil {
				return out, retryable("credit memos: listing account "+inv.AccountID, err)
			}
			memos[inv.AccountID] = list
		}
		if cm := migrationMemo(list, inv.ID); cm != nil {
			if !cm.Amount.Equal(amount) {
				// A memo of another amount (made without its amount honoured):
				// not done, and not to be made again; a person reverses it.
				out.Errors = append(out.Errors, workflows.RecordError{Type: workflows.RecordInvoice, ID: inv.ID, Number: inv.InvoiceNumber,
					Reason: (&zuora.AmountMismatchError{Object: zuora.ObjCreditMemo, ID: cm.ID, Number: cm.Number, Want: amount, Got: cm.Amount}).Error()})
				continue
			}
			out.AlreadyDone++
			continue
		}
		cm, err := m.Zuora.CreateCreditMemo(ctx, zuora.CreditMemoFromCharge{
			AccountID: inv.AccountID,
			// The checklist's On-Account accounting code goes on the memo
			// item, in the field Zuora keeps it (credit memo OpenAPI).
			Charges: []zuora.CreditMemoCharge{{ChargeID: in.Settings.Migration.OneTimeChargeID, Amount: amount,
				FinanceInformation: &zuora.CreditMemoFinance{OnAccountAccountingCode: onAccountCode(in.Settings)}}},
			EffectiveDate: in.Date, ReasonCode: reasonCode(in.Settings), AutoPost: true,
			Comment: "Invoice Settlement migration: negative invoice " + inv.InvoiceNumber + " converted",
			Origin:  migrationOrigin, Transaction: inv.ID,
		}, creditMemoKey(inv.ID))
		if err != nil {
			if !permanent(err) {
				return out, retryable("credit memo for invoice "+inv.InvoiceNumber, err)
			}
			var mismatch *zuora.AmountMismatchError
			reason := "credit memo refused by Zuora: " + err.Error()
			if errors.As(err, &mismatch) {
				reason = err.Error()
				memos[inv.AccountID] = append(list, *cm)
			}
			out.Errors = append(out.Errors, workflows.RecordError{Type: workflows.RecordInvoice, ID: inv.ID, Number: inv.InvoiceNumber, Reason: reason})
			continue
		}
		memos[inv.AccountID] = append(list, *cm)
		out.Done++
	}
	return out, nil
}

// migrationMemo is the migration's live credit memo for the invoice, if any.
func migrationMemo(list []zuora.CreditMemo, invoiceID string) *zuora.CreditMemo {
	for i, cm := range list {
		if cm.Transaction == invoiceID && cm.Origin == migrationOrigin && cm.Status != "Canceled" {
			return &list[i]
		}
	}
	return nil
}

func (m *Migration) store() (credstore.Backend, error) {
	if m.Store == nil {
		return nil, temporal.NewNonRetryableApplicationError("the worker has no credential store (start it with --state-dir)", "NoCredentialStore", nil)
	}
	return m.Store, nil
}

// MigrationNewOAuthClient gets the new OAuth client into the credential
// store as pending: from the operator's secret file, or (sandbox) from the
// admin endpoint standing in for the Zuora UI. Only the id and a fingerprint
// leave the worker.
func (m *Migration) MigrationNewOAuthClient(ctx context.Context, in workflows.OAuthClientInput) (workflows.OAuthClientResult, error) {
	st, err := m.store()
	if err != nil {
		return workflows.OAuthClientResult{}, err
	}
	old := m.Zuora.ClientID()
	if c, ok, err := st.Pending(); err != nil {
		return workflows.OAuthClientResult{}, temporal.NewNonRetryableApplicationError(err.Error(), "CredentialStore", nil)
	} else if ok && in.SecretFile == "" {
		// An earlier attempt made it: reuse it rather than make another.
		return workflows.OAuthClientResult{ClientID: c.ClientID, Fingerprint: credstore.Fingerprint(c), OldClientID: old}, nil
	}
	var c zuora.Credentials
	switch {
	case in.SecretFile != "":
		if c, err = credstore.ReadSecretFile(in.SecretFile); err != nil {
			return workflows.OAuthClientResult{}, temporal.NewNonRetryableApplicationError(err.Error(), "BadSecretFile", nil)
		}
	case m.SandboxAdminURL != "":
		if c, err = m.sandboxNewClient(ctx); err != nil {
			return workflows.OAuthClientResult{}, retryable("creating the OAuth client", err)
		}
	default:
		return workflows.OAuthClientResult{NeedsOperator: true, OldClientID: old}, nil
	}
	if err := st.SetPending(c, "Invoice Settlement migration"); err != nil {
		return workflows.OAuthClientResult{}, err
	}
	m.log(ctx).Info("migration: new Zuora OAuth client stored", "client_id", c.ClientID, "fingerprint", credstore.Fingerprint(c))
	return workflows.OAuthClientResult{ClientID: c.ClientID, Fingerprint: credstore.Fingerprint(c), OldClientID: old}, nil
}

func (m *Migration) sandboxNewClient(ctx context.Context) (zuora.Credentials, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", m.SandboxAdminURL+"/_sandbox/oauth-clients", nil)
	if err != nil {
		return zuora.Credentials{}, err
	}
	resp, err := m.http().Do(req)
	if err != nil {
		return zuora.Credentials{}, err
	}
	defer resp.Body.Close()
	var out struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if resp.StatusCode/100 != 2 {
		return zuora.Credentials{}, fmt.Errorf("POST /_sandbox/oauth-clients: status %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.ClientID == "" || out.ClientSecret == "" {
		return zuora.Credentials{}, errors.New("POST /_sandbox/oauth-clients: no client in the answer")
	}
	return zuora.Credentials{ClientID: out.ClientID, ClientSecret: out.ClientSecret}, nil
}

// MigrationActivateOAuthClient verifies the pending client by minting a
// token with it, makes it the active one, and checks the worker's own Zuora
// client now uses it (no restart: the client reads the store at token time).
func (m *Migration) MigrationActivateOAuthClient(ctx context.Context) (workflows.OAuthClientResult, error) {
	st, err := m.store()
	if err != nil {
		return workflows.OAuthClientResult{}, err
	}
	if c, ok, err := st.Pending(); err != nil {
		return workflows.OAuthClientResult{}, temporal.NewNonRetryableApplicationError(err.Error(), "CredentialStore", nil)
	} else if ok {
		probe, err := m.Zuora.WithCredentials(c)
		if err != nil {
			return workflows.OAuthClientResult{}, temporal.NewNonRetryableApplicationError(err.Error(), "CredentialStore", nil)
		}
		if err := probe.VerifyCredentials(ctx); err != nil {
			var ae *zuora.AuthError
			if errors.As(err, &ae) {
				return workflows.OAuthClientResult{}, temporal.NewNonRetryableApplicationError(
					"the new OAuth client "+c.ClientID+" cannot mint a token: "+err.Error(), "NewCredentialRefused", nil)
			}
			return workflows.OAuthClientResult{}, retryable("verifying the new OAuth client", err)
		}
	}
	c, err := st.Activate()
	if err != nil {
		return workflows.OAuthClientResult{}, temporal.NewNonRetryableApplicationError(err.Error(), "CredentialStore", nil)
	}
	m.Zuora.UseCredentialsProvider(st)
	if err := m.Zuora.VerifyCredentials(ctx); err != nil {
		return workflows.OAuthClientResult{}, retryable("minting a token with the new OAuth client", err)
	}
	if got := m.Zuora.ClientID(); got != c.ClientID {
		return workflows.OAuthClientResult{}, fmt.Errorf("the worker's Zuora client uses %s, not the new client %s", got, c.ClientID)
	}
	return workflows.OAuthClientResult{ClientID: c.ClientID, Fingerprint: credstore.Fingerprint(c)}, nil
}

// MigrationRetireOldOAuthClient retires the old client (sandbox: its admin
// endpoint; a real tenant: the operator, in the Zuora UI) and checks that it
// is refused when it asks for a token.
func (m *Migration) MigrationRetireOldOAuthClient(ctx context.Context, in workflows.RetireOAuthInput) (workflows.RetireOAuthResult, error) {
	var out workflows.RetireOAuthResult
	if m.SandboxAdminURL != "" && in.OldClientID != "" {
		req, err := http.NewRequestWithContext(ctx, "DELETE", m.SandboxAdminURL+"/_sandbox/oauth-clients/"+in.OldClientID, nil)
		if err != nil {
			return out, err
		}
		resp, err := m.http().Do(req)
		if err != nil {
			return out, retryable("retiring the old OAuth client", err)
		}
		resp.Body.Close()
		if resp.StatusCode/100 != 2 && resp.StatusCode != 404 { // 404: retired by an earlier attempt
			return out, retryable("retiring the old OAuth client", fmt.Errorf("status %d", resp.StatusCode))
		}
		out.Retired = true
	}
	if m.Configured.ClientID == "" || m.Configured.ClientID != in.OldClientID {
		// Not the worker's configured client: nothing here can test it.
		return out, nil
	}
	probe, err := m.Zuora.WithCredentials(m.Configured)
	if err != nil {
		return out, err
	}
	err = probe.VerifyCredentials(ctx)
	var ae *zuora.AuthError
	switch {
	case errors.As(err, &ae):
		out.Refused = true
	case err != nil:
		return out, retryable("checking the old OAuth client is refused", err)
	}
	return out, nil
}

// MigrationSetInvoiceSettlementMode persists IS mode for later runs (the
// starter applies it to their settings; the adjustment phase then stops and
// the invoice phase skips negative invoices) and checks the IS objects answer.
func (m *Migration) MigrationSetInvoiceSettlementMode(ctx context.Context, in workflows.ISModeInput) (workflows.ISModeCounts, error) {
	st, err := m.store()
	if err != nil {
		return workflows.ISModeCounts{}, err
	}
	cur, err := st.State()
	if err != nil {
		return workflows.ISModeCounts{}, temporal.NewNonRetryableApplicationError(err.Error(), "CredentialStore", nil)
	}
	if !cur.InvoiceSettlement {
		if err := st.SetState(credstore.State{InvoiceSettlement: true, Since: m.now().UTC(), By: in.By}); err != nil {
			return workflows.ISModeCounts{}, err
		}
	}
	ok, err := m.Zuora.InvoiceSettlementEnabled(ctx)
	if err != nil {
		return workflows.ISModeCounts{}, retryable("listing credit memos", err)
	}
	return workflows.ISModeCounts{Persisted: true, CreditMemosReachable: ok}, nil
}
