package activities_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/activities"
	"github.com/zuora-netsuite/connector/internal/credstore"
	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// migrationTenant is a sandbox with a generated tenant and the migration's
// activities on it (credential store in a temp dir, sandbox admin on).
func migrationTenant(t *testing.T, spec string) (*activities.Migration, *sandbox.Sandbox, settings.Settings) {
	t.Helper()
	f := generated(t, spec)
	base, sb := sandboxTenant(t, f)
	z, quiet := base.Zuora, base.Logger
	cfg := sandbox.DefaultConfig() // the credentials the sandbox accepts
	store, err := credstore.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	z.UseCredentialsProvider(store)
	m := &activities.Migration{Activities: &activities.Activities{Zuora: z, Logger: quiet}, Store: store, SandboxAdminURL: sb.ZuoraURL(),
		Configured: zuora.Credentials{ClientID: cfg.Zuora.ClientID, ClientSecret: cfg.Zuora.ClientSecret}}
	s := settings.Default()
	s.Migration.OneTimeChargeID = f.Zuora.Objects[zuora.ObjProductRatePlanCharge][0]["Id"].(string)
	return m, sb, s
}

func setInvoiceSettlement(t *testing.T, sb *sandbox.Sandbox, on bool) {
	t.Helper()
	body := `{"invoiceSettlement":false}`
	if on {
		body = `{"invoiceSettlement":true}`
	}
	req, _ := http.NewRequest("PUT", sb.ZuoraURL()+"/_sandbox/tenant", strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("PUT /_sandbox/tenant: %v %v", resp, err)
	}
	resp.Body.Close()
}

// Write-off and credit memo pages repeated (a retried activity, a restarted
// worker, a crash between two adjustments of one invoice) make nothing
// twice: each negative invoice (many items, with tax) ends written off by
// one adjustment per negative item and taxation item, none larger than its
// source, all marked not to sync, one credit memo of its amount, balance 0.
func TestMigrationActivities_ConversionRepeatedMakesOneCreditMemoPerNegativeInvoice(t *testing.T) {
	m, sb, s := migrationTenant(t, "seed=3,accounts=4,invoices=30,items=2-6,negative=0.3,tax=0.6")
	s.Migration.OnAccountAccountingCode = "On Account - IS migration"
	ctx := context.Background()
	invs, err := zuora.QueryAll[zuora.Invoice](ctx, m.Zuora, "select Id, InvoiceNumber, AccountId, Status, Amount, Balance from Invoice")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{} // invoice -> written-off amount
	for _, inv := range invs {
		if mapping.PostedNegative(inv) && inv.Balance.IsNegative() {
			want[inv.ID] = inv.Balance.Neg().StringFixed(2)
		}
	}
	if len(want) < 3 {
		t.Fatalf("only %d negative invoices generated", len(want))
	}
	if on, err := m.MigrationTenantOnInvoiceSettlement(ctx); err != nil || on {
		t.Fatalf("before the flip: on=%v err=%v", on, err)
	}
	page := func(f func(context.Context, workflows.ConvertPageInput) (workflows.ConvertPageResult, error)) workflows.ConvertPageResult {
		var total workflows.ConvertPageResult
		in := workflows.ConvertPageInput{Settings: s, Limit: 2, Date: "2026-04-01"}
		for {
			r, err := f(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			total.Done += r.Done
			total.AlreadyDone += r.AlreadyDone
			total.Errors = append(total.Errors, r.Errors...)
			if r.Finished {
				return total
			}
			in.AfterID = r.LastID
		}
	}
	// A crash after the first adjustment of an invoice was made: the page
	// reads it, makes only the others, and marks the invoice with the total.
	var crashed zuora.Invoice
	for _, inv := range invs {
		if _, ok := want[inv.ID]; ok {
			crashed = inv
			break
		}
	}
	items, err := zuora.QueryAll[zuora.InvoiceItem](ctx, m.Zuora, "select Id, ChargeAmount from InvoiceItem where InvoiceId = "+zuora.Quote(crashed.ID))
	if err != nil || len(items) < 2 {
		t.Fatal(items, err)
	}
	var first zuora.InvoiceItem
	for _, it := range items {
		if it.ChargeAmount.IsNegative() && (first.ID == "" || it.ID < first.ID) {
			first = it
		}
	}
	if _, err := m.Zuora.CreateObject(ctx, zuora.ObjInvoiceItemAdjustment, map[string]any{
		"AccountId": crashed.AccountID, "InvoiceId": crashed.ID, "SourceType": "InvoiceDetail", "SourceId": first.ID, "Type": "Charge",
		"Amount": first.ChargeAmount.Neg().StringFixed(2), "AdjustmentDate": "2026-04-01", "TransferredToAccounting": "Ignore", zuora.FieldDoNotSync: "Yes",
	}, "crash-"+crashed.ID); err != nil {
		t.Fatal(err)
	}
	vin := workflows.MigrationVerifyInput{Settings: s}
	if v, err := m.MigrationVerifyWriteOffs(ctx, vin); err != nil || v.Count != len(want) || v.Checked != len(want) {
		t.Fatalf("recount before the write-offs: %+v %v, want all %d listed", v, err, len(want))
	}
	if r := page(m.MigrationWriteOffPage); r.Done != len(want) || r.AlreadyDone != 0 || len(r.Errors) != 0 {
		t.Fatalf("write-off: %+v, want %d done (the crashed one completed)", r, len(want))
	}
	if r := page(m.MigrationWriteOffPage); r.Done != 0 || r.AlreadyDone != len(want) {
		t.Fatalf("repeated write-off: %+v, want none new and %d found", r, len(want))
	}
	// The write-offs never sync, and each stays within its source.
	adjs, err := zuora.QueryAll[zuora.InvoiceItemAdjustment](ctx, m.Zuora, "select "+mapping.AdjustmentFields+" from InvoiceItemAdjustment")
	if err != nil {
		t.Fatal(err)
	}
	sums, count, taxed := map[string]decimal.Decimal{}, map[string]int{}, 0
	for _, a := range adjs {
		if ok, _ := mapping.AdjustmentSelectable(a, s); ok || a.TransferredToAccounting != zuora.TransferIgnore || a.Type != "Charge" {
			t.Fatalf("write-off %+v: selectable=%v, want a Charge, Ignore and DoNotSync", a, ok)
		}
		sums[a.InvoiceID] = sums[a.InvoiceID].Add(a.Amount)
		count[a.InvoiceID]++
		if a.SourceType == "Tax" {
			taxed++
		}
	}
	for id, amount := range want {
		if sums[id].StringFixed(2) != amount {
			t.Errorf("invoice %s: write-offs total %s, want %s", id, sums[id].StringFixed(2), amount)
		}
	}
	if len(sums) != len(want) || count[crashed.ID] < 2 || taxed == 0 {
		t.Fatalf("write-offs on %d invoices (want %d), %d on the crashed one (want ≥ 2), %d on taxes (want > 0)", len(sums), len(want), count[crashed.ID], taxed)
	}
	if v, err := m.MigrationVerifyWriteOffs(ctx, vin); err != nil || v.Count != 0 || v.Checked != len(want) {
		t.Fatalf("recount after the write-offs: %+v %v, want none listed", v, err)
	}
	if _, err := m.MigrationCreditMemoPage(ctx, workflows.ConvertPageInput{Settings: s, Limit: 2, Date: "2026-04-01"}); err == nil {
		t.Fatal("credit memos before Invoice Settlement: want Zuora's refusal")
	}
	setInvoiceSettlement(t, sb, true)
	if on, err := m.MigrationTenantOnInvoiceSettlement(ctx); err != nil || !on {
		t.Fatalf("after the flip: on=%v err=%v", on, err)
	}
	if v, err := m.MigrationVerifyCreditMemos(ctx, vin); err != nil || v.Count != len(want) {
		t.Fatalf("memo recount before the memos: %+v %v, want all %d listed", v, err, len(want))
	}
	if r := page(m.MigrationCreditMemoPage); r.Done != len(want) || len(r.Errors) != 0 {
		t.Fatalf("credit memos: %+v, want %d", r, len(want))
	}
	if r := page(m.MigrationCreditMemoPage); r.Done != 0 || r.AlreadyDone != len(want) {
		t.Fatalf("repeated credit memos: %+v, want none new and %d found", r, len(want))
	}
	if v, err := m.MigrationVerifyCreditMemos(ctx, vin); err != nil || v.Count != 0 || v.Checked != len(want) {
		t.Fatalf("memo recount after the memos: %+v %v, want none listed", v, err)
	}
	memos := map[string]int{}
	for _, inv := range invs {
		if _, ok := want[inv.ID]; !ok {
			continue
		}
		list, err := m.Zuora.ListCreditMemos(ctx, inv.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		for _, cm := range list {
			if cm.Transaction == inv.ID {
				memos[inv.ID]++
				if cm.Amount.StringFixed(2) != want[inv.ID] {
					t.Errorf("invoice %s: memo of %s, want %s", inv.ID, cm.Amount, want[inv.ID])
				}
				// The On-Account accounting code is on the memo's item, where Zuora keeps it.
				items, err := m.Zuora.ListCreditMemoItems(ctx, cm.ID)
				if err != nil || len(items) != 1 || items[0].FinanceInformation.OnAccountAccountingCode != s.Migration.OnAccountAccountingCode {
					t.Errorf("memo %s items %+v (%v), want one with onAccountAccountingCode %q", cm.Number, items, err, s.Migration.OnAccountAccountingCode)
				}
			}
		}
		got, err := m.Zuora.GetInvoice(ctx, inv.ID)
		if err != nil || !got.Balance.IsZero() {
			t.Errorf("invoice %s balance %v (%v), want 0", inv.ID, got, err)
		}
	}
	for id := range want {
		if memos[id] != 1 {
			t.Errorf("invoice %s has %d credit memos, want 1", id, memos[id])
		}
	}
}

// The new OAuth client is made, verified and used by the same Zuora client
// without a restart; the old one is retired and refused; only ids and
// fingerprints come back.
func TestMigrationActivities_OAuthRotationWithoutRestart(t *testing.T) {
	m, sb, _ := migrationTenant(t, "seed=4,accounts=1,invoices=1,items=1,negative=0")
	ctx := context.Background()
	setInvoiceSettlement(t, sb, true)
	old := m.Zuora.ClientID()
	nc, err := m.MigrationNewOAuthClient(ctx, workflows.OAuthClientInput{})
	if err != nil || nc.ClientID == "" || nc.ClientID == old || nc.OldClientID != old || len(nc.Fingerprint) != 12 {
		t.Fatalf("new client %+v %v", nc, err)
	}
	again, err := m.MigrationNewOAuthClient(ctx, workflows.OAuthClientInput{})
	if err != nil || again.ClientID != nc.ClientID {
		t.Fatalf("a retried creation made another client: %+v %v", again, err)
	}
	if m.Zuora.ClientID() != old {
		t.Fatal("a pending client must not be in use before verification")
	}
	act, err := m.MigrationActivateOAuthClient(ctx)
	if err != nil || act.ClientID != nc.ClientID || m.Zuora.ClientID() != nc.ClientID {
		t.Fatalf("activate %+v %v; client uses %s", act, err, m.Zuora.ClientID())
	}
	ret, err := m.MigrationRetireOldOAuthClient(ctx, workflows.RetireOAuthInput{OldClientID: old})
	if err != nil || !ret.Retired || !ret.Refused {
		t.Fatalf("retire %+v %v", ret, err)
	}
	if again, err := m.MigrationRetireOldOAuthClient(ctx, workflows.RetireOAuthInput{OldClientID: old}); err != nil || !again.Refused {
		t.Fatalf("a repeated retirement %+v %v", again, err)
	}
	// The worker's client keeps working on the new credentials.
	if _, err := m.Zuora.InvoiceSettlementEnabled(ctx); err != nil {
		t.Fatalf("the rotated client fails: %v", err)
	}
	mode, err := m.MigrationSetInvoiceSettlementMode(ctx, workflows.ISModeInput{By: "test"})
	if err != nil || !mode.Persisted || !mode.CreditMemosReachable {
		t.Fatalf("IS mode %+v %v", mode, err)
	}
	if st, _ := m.Store.State(); !st.InvoiceSettlement {
		t.Fatal("IS mode not persisted")
	}
}

// Without the sandbox admin (a real tenant) the new client comes from the
// operator's secret file, and the activity says so instead of failing.
func TestMigrationActivities_RealTenantNeedsTheOperatorsSecretFile(t *testing.T) {
	m, _, _ := migrationTenant(t, "seed=4,accounts=1,invoices=1,items=1,negative=0")
	m.SandboxAdminURL = ""
	res, err := m.MigrationNewOAuthClient(context.Background(), workflows.OAuthClientInput{})
	if err != nil || !res.NeedsOperator || res.ClientID != "" {
		t.Fatalf("%+v %v, want NeedsOperator", res, err)
	}
}

// The pre-check reads every object it needs from the sandbox's wire.
func TestMigrationActivities_PrecheckReadsTheTenant(t *testing.T) {
	m, _, s := migrationTenant(t, "seed=4,accounts=3,invoices=10,items=1,negative=0.5")
	res, err := m.MigrationPrecheck(context.Background(), workflows.PrecheckInput{Settings: s})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]workflows.Finding{}
	for _, f := range res.Findings {
		byID[f.ID] = f
	}
	if len(res.Findings) != 11 || byID[mapping.FindingOneTimeCharge].Blocking || byID[mapping.FindingFinanceOnAccountAccountingCode].Count == 0 {
		t.Fatalf("findings %+v", res.Findings)
	}
}

// A real tenant's rotation: the operator's secret file (only its path in the
// activity's input) becomes the pending client, verified and activated; a
// file that is not a credentials document fails without echoing it.
func TestMigrationActivities_OperatorSecretFileIsStoredVerifiedAndActivated(t *testing.T) {
	m, sb, _ := migrationTenant(t, "seed=4,accounts=1,invoices=1,items=1,negative=0")
	ctx := context.Background()
	resp, err := http.Post(sb.ZuoraURL()+"/_sandbox/oauth-clients", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	dir := t.TempDir()
	path := dir + "/new-client.json"
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	m.SandboxAdminURL = ""
	nc, err := m.MigrationNewOAuthClient(ctx, workflows.OAuthClientInput{SecretFile: path})
	if err != nil || nc.ClientID == "" || strings.Contains(fmt.Sprint(nc), "secret") {
		t.Fatalf("%+v %v", nc, err)
	}
	if _, err := m.MigrationActivateOAuthClient(ctx); err != nil || m.Zuora.ClientID() != nc.ClientID {
		t.Fatalf("activate: %v; client %s", err, m.Zuora.ClientID())
	}
	// The old client is still there (the operator deletes it in Zuora): not refused yet.
	if r, err := m.MigrationRetireOldOAuthClient(ctx, workflows.RetireOAuthInput{OldClientID: nc.OldClientID}); err != nil || r.Refused || r.Retired {
		t.Fatalf("retire before the operator deleted it: %+v %v", r, err)
	}
	bad := dir + "/bad.json"
	_ = os.WriteFile(bad, []byte(`client_secret=hunter2-value`), 0o600)
	if _, err := m.MigrationNewOAuthClient(ctx, workflows.OAuthClientInput{SecretFile: bad}); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("bad secret file: %v", err)
	}
}
