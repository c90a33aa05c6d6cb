package activities_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/stretchr/testify/require"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/zuora-netsuite/connector/activities"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
	"go.temporal.io/sdk/temporal"
)

// The connector right under the hostile NetSuite sandbox (real-api-gaps
// N1–N10): one test per promise of issue 12's NetSuite half.

// syncToEnd calls SyncInvoice until it ends (as the workflow does),
// retrying failed calls; it returns the final step.
func syncToEnd(t *testing.T, a *activities.Activities, id string, s settings.Settings) workflows.SyncInvoiceStep {
	t.Helper()
	state := workflows.InvoiceSyncState{}
	for calls := 0; calls < 50; calls++ {
		step, err := a.SyncInvoice(context.Background(), workflows.SyncInvoiceInput{InvoiceID: id, Settings: s, State: state})
		if err != nil {
			continue
		}
		if step.Outcome != "" {
			return step
		}
		state = step.State
	}
	t.Fatal("not ended in 50 calls")
	return workflows.SyncInvoiceStep{}
}

func nsItemLines(t *testing.T, a *activities.Activities, nsID string) []map[string]any {
	t.Helper()
	rows, err := a.NetSuite.QueryAll(context.Background(), "SELECT id, custcol_zuora_item_id FROM transactionline WHERE transaction = "+
		netsuite.Quote(nsID)+" AND mainline = 'F' AND taxline = 'F' ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// Every synced invoice, whatever its size, is on its account's customer:
// the PATCH of every later batch must not send "entity": null (which
// NetSuite, and the sandbox, refuse as a transaction without customer).
func TestSyncInvoice_OverHundredItemsStaysOnItsCustomer(t *testing.T) {
	f := generated(t, "seed=31,accounts=1,invoices=0,large=250,large-count=1,tax=0.5")
	a, _ := sandboxTenant(t, f)
	id, _ := f.Zuora.Objects["Invoice"][0]["Id"].(string)
	customer := fmt.Sprint(f.Zuora.Objects["Account"][0]["IntegrationId__NS"])
	step := syncToEnd(t, a, id, settings.Default())
	if step.Outcome != workflows.OutcomeSynced || step.State.TotalBatches < 3 {
		t.Fatalf("outcome %s (%s) in %d batches; want synced in 3", step.Outcome, step.Reason, step.State.TotalBatches)
	}
	tx, err := a.NetSuite.GetTransaction(context.Background(), step.State.RecordType, step.State.NetSuiteID)
	if err != nil || tx.Entity == nil || tx.Entity.ID != customer {
		t.Fatalf("NetSuite %s %s is on customer %+v, want %s (%v)", step.State.RecordType, step.State.NetSuiteID, tx.Entity, customer, err)
	}
}

// The first write (PUT by external id with the first batch) repeated after
// its answer was lost must not append the batch again (N2: without
// ?replace=item an upsert of an existing record appends its lines).
func TestSyncInvoice_RepeatedFirstPutDoesNotDoubleLines(t *testing.T) {
	f := generated(t, "seed=32,accounts=1,invoices=0,large=150,large-count=1,tax=0")
	a, sb := sandboxTenant(t, f)
	id, _ := f.Zuora.Objects["Invoice"][0]["Id"].(string)
	s := settings.Default()
	// Every write commits and loses its answer: the client repeats the PUT
	// in the call, then the call fails.
	if err := sb.SetFaults("netsuite", sandbox.Faults{AmbiguousRate: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SyncInvoice(context.Background(), workflows.SyncInvoiceInput{InvoiceID: id, Settings: s}); err == nil {
		t.Fatal("a call whose every write lost its answer should fail")
	}
	if st := sb.Stats("netsuite"); st.Requests["PUT /services/rest/record/v1/{type}/{id} 0"] < 2 {
		t.Fatalf("the PUT was not repeated: %+v", st.Requests)
	}
	_ = sb.SetFaults("netsuite", sandbox.Faults{})
	step := syncToEnd(t, a, id, s)
	if step.Outcome != workflows.OutcomeSynced {
		t.Fatalf("outcome %s: %s", step.Outcome, step.Reason)
	}
	rows := nsItemLines(t, a, step.State.NetSuiteID)
	seen := map[string]int{}
	for _, r := range rows {
		seen[fmt.Sprint(r["custcol_zuora_item_id"])]++
	}
	for z, n := range seen {
		if n != 1 {
			t.Errorf("line %s written %d times", z, n)
		}
	}
	if len(rows) != 150 && len(seen) != len(rows) {
		t.Errorf("%d lines for %d items", len(rows), len(seen))
	}
}

// N6: an account without the line key field drops it silently; the sync
// stops with a clear Error instead of appending on every retry, and leaves
// no half-written invoice: whether the key is found missing by the read-back
// after the first create (more batches follow), by the count before done (a
// create wrote the whole invoice), or while a split's other parts were
// being made (each removed too).
// keylessCases are the shapes the line key checks are tried on.
var keylessCases = []struct {
	name    string
	items   int
	ceiling int // 0: the default (no split)
}{
	{"one batch, made whole by its create", 40, 0},
	{"two batches", 150, 0},
	{"split into three parts", 250, 100},
}

// dropLineKeyField takes the line key off the NetSuite account's custom
// fields: NetSuite then drops it from every line without a word (N6).
func dropLineKeyField(f *fixture.Fixture) {
	var without []string
	for _, c := range fixture.ConnectorCustomFields {
		if c != "custcol_zuora_item_id" {
			without = append(without, c)
		}
	}
	f.NetSuite.Account.CustomFields = without
}

// linesUnreadable answers 503 to every SuiteQL read of transaction lines
// while fail is set.
func linesUnreadable(fail *atomic.Bool) roundTripFunc {
	return func(r *http.Request) (*http.Response, error) {
		if fail.Load() && strings.HasSuffix(r.URL.Path, "/query/v1/suiteql") && r.Body != nil {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			if bytes.Contains(body, []byte("FROM transactionline")) {
				return unavailable(r), nil
			}
		}
		return http.DefaultTransport.RoundTrip(r)
	}
}

// keylessInvoice is a tenant of one invoice of items whose NetSuite account
// drops the line key (N6), with settings splitting it at ceiling (0: not).
func keylessInvoice(t *testing.T, seed, items, ceiling int) (*activities.Activities, *sandbox.Sandbox, string, settings.Settings) {
	t.Helper()
	f := generated(t, fmt.Sprintf("seed=%d,accounts=1,invoices=0,large=%d,large-count=1,tax=0", seed, items))
	dropLineKeyField(f)
	a, sb := sandboxTenant(t, f)
	id, _ := f.Zuora.Objects["Invoice"][0]["Id"].(string)
	s := settings.Default()
	if ceiling > 0 {
		s.Invoice.LineCeiling, s.Invoice.OverCeiling = ceiling, settings.OverCeilingSplit
	}
	return a, sb, id, s
}

func TestSyncInvoice_N6_LineKeyNotStoredEndsErrorNamingTheField(t *testing.T) {
	for _, tc := range keylessCases {
		t.Run(tc.name, func(t *testing.T) {
			a, _, id, s := keylessInvoice(t, 33, tc.items, tc.ceiling)
			step := syncToEnd(t, a, id, s)
			if step.Outcome != workflows.OutcomeError || !strings.Contains(step.Reason, "custcol_zuora_item_id is not stored by NetSuite") {
				t.Fatalf("outcome %s: %s", step.Outcome, step.Reason)
			}
			if strings.Contains(step.Reason, "exists with") || strings.Contains(step.Reason, "could not be deleted") {
				t.Errorf("the reason speaks of a record left behind: %s", step.Reason)
			}
			// The fixture holds this invoice only: any transaction is one it made.
			rows, err := a.NetSuite.QueryAll(context.Background(), "SELECT id, externalid FROM transaction ORDER BY id")
			if err != nil || len(rows) != 0 {
				t.Fatalf("the records made should be gone: %v %v", err, rows)
			}
		})
	}
}

// Issue 13, policy ignore: an invoice over the line ceiling (items plus
// taxation items) ends Ignore with the count and the ceiling, and nothing
// is written to NetSuite.
func TestSyncInvoice_OverLineCeilingIgnoredBeforeAnyWrite(t *testing.T) {
	f := generated(t, "seed=34,accounts=1,invoices=0,large=150,large-count=1,tax=0")
	a, sb := sandboxTenant(t, f)
	id, _ := f.Zuora.Objects["Invoice"][0]["Id"].(string)
	s := settings.Default()
	s.Invoice.LineCeiling = 120
	step := syncToEnd(t, a, id, s)
	if step.Outcome != workflows.OutcomeIgnored || !strings.Contains(step.Reason, "line ceiling of 120") {
		t.Fatalf("outcome %s: %s", step.Outcome, step.Reason)
	}
	for k, n := range sb.Stats("netsuite").Requests {
		if (strings.HasPrefix(k, "PUT ") || strings.HasPrefix(k, "PATCH ") || strings.HasPrefix(k, "POST /services/rest/record")) && n > 0 {
			t.Errorf("a NetSuite write was made: %s x%d", k, n)
		}
	}
	// At the ceiling it syncs.
	s.Invoice.LineCeiling = 150
	f2 := generated(t, "seed=34,accounts=1,invoices=0,large=150,large-count=1,tax=0")
	a2, _ := sandboxTenant(t, f2)
	if step := syncToEnd(t, a2, id, s); step.Outcome != workflows.OutcomeSynced {
		t.Fatalf("at the ceiling: %s %s", step.Outcome, step.Reason)
	}
}

// The connector's custom field ids are settings: an account whose install
// named the line key otherwise syncs with netsuite.fields.lineKey set, its
// lines keyed by that field.
func TestSyncInvoice_CustomFieldIDsFromSettings(t *testing.T) {
	f := generated(t, "seed=35,accounts=1,invoices=0,large=150,large-count=1,tax=0.3")
	var fields []string
	for _, c := range fixture.ConnectorCustomFields {
		if c == "custcol_zuora_item_id" {
			c = "custcol_acme_zuora_line"
		}
		fields = append(fields, c)
	}
	f.NetSuite.Account.CustomFields = fields
	a, _ := sandboxTenant(t, f)
	id, _ := f.Zuora.Objects["Invoice"][0]["Id"].(string)
	s := settings.Default()
	s.NetSuite.Fields.LineKey = "custcol_acme_zuora_line"
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	step := syncToEnd(t, a, id, s)
	if step.Outcome != workflows.OutcomeSynced {
		t.Fatalf("outcome %s: %s", step.Outcome, step.Reason)
	}
	rows, err := a.NetSuite.QueryAll(context.Background(), "SELECT id, custcol_acme_zuora_line FROM transactionline WHERE transaction = "+
		netsuite.Quote(step.State.NetSuiteID)+" AND mainline = 'F' AND taxline = 'F' ORDER BY id")
	if err != nil || len(rows) == 0 {
		t.Fatal(err, len(rows))
	}
	for _, r := range rows {
		if r["custcol_acme_zuora_line"] == nil {
			t.Fatalf("a line without the account's line key: %v", r)
		}
	}
	// The default name on this account is dropped: the check stops the sync.
	a2, _ := sandboxTenant(t, f)
	if step := syncToEnd(t, a2, id, settings.Default()); step.Outcome != workflows.OutcomeError {
		t.Fatalf("with the default line key id: %s %s", step.Outcome, step.Reason)
	}
}

// N6 across calls: a call that made the invoice's records but could not
// read the line key back (every read of lines failed) hands its progress
// back; the next call, which made nothing, checks the key on the record it
// would append to or, when the create wrote the whole invoice, by the count
// before done. Either way the invoice ends Error naming the field and the
// records, which it leaves as they are (it did not make them); it is never
// marked done with unkeyed lines.
func TestSyncInvoice_N6_LineKeyCheckedByTheCallAfterOneThatCouldNotRead(t *testing.T) {
	for _, tc := range keylessCases {
		t.Run(tc.name, func(t *testing.T) {
			a, sb, id, s := keylessInvoice(t, 36, tc.items, tc.ceiling)
			var readsFail atomic.Bool
			readsFail.Store(true)
			a.NetSuite = netsuiteVia(t, sb, linesUnreadable(&readsFail))
			ctx := context.Background()
			step, err := a.SyncInvoice(ctx, workflows.SyncInvoiceInput{InvoiceID: id, Settings: s, State: workflows.InvoiceSyncState{}})
			require.NoError(t, err, "the first call hands its progress back")
			require.NotEmpty(t, step.State.NetSuiteID, "the first call made the invoice's record")
			require.Empty(t, step.Outcome)
			readsFail.Store(false)
			state := step.State
			for calls := 0; step.Outcome == "" && calls < 20; calls++ {
				if step, err = a.SyncInvoice(ctx, workflows.SyncInvoiceInput{InvoiceID: id, Settings: s, State: state}); err == nil {
					state = step.State
				}
			}
			require.Equal(t, workflows.OutcomeError, step.Outcome, step.Reason)
			require.Contains(t, step.Reason, "custcol_zuora_item_id is not stored by NetSuite")
			// Made by the first call, not this one: left as they are, and named.
			rows, err := a.NetSuite.QueryAll(ctx, "SELECT id, externalid FROM transaction ORDER BY id")
			require.NoError(t, err)
			require.NotEmpty(t, rows)
			require.Contains(t, step.Reason, "is left as it is")
			for _, r := range rows {
				require.Contains(t, step.Reason, fmt.Sprint(r["id"]), "every record left is named")
			}
		})
	}
}

// N6 for memos: an attempt that made a debit memo's NetSuite invoice but
// could not read its line key back fails; the next attempt finds the record
// and, before appending to it, counts its keyed lines: none, so it stops
// with the field and the record named instead of adding the first batch
// again. It did not make the record, so it leaves it.
func TestDebitMemoSync_N6_RecordAnEarlierAttemptMadeIsCheckedForItsLineKey(t *testing.T) {
	f := generated(t, "seed=3,accounts=4,invoices=2,is=true,debitmemos=12,tax=1")
	dropLineKeyField(f)
	a, sb := sandboxTenant(t, f)
	var readsFail atomic.Bool
	readsFail.Store(true)
	a.NetSuite = netsuiteVia(t, sb, linesUnreadable(&readsFail))
	ctx := context.Background()
	s := isSettings()
	s.Run.BatchSize = 2 // later batches to append
	sel, err := a.SelectDebitMemos(ctx, workflows.SelectInput{Settings: s, Limit: 100})
	require.NoError(t, err)
	require.NotEmpty(t, sel.Records)
	id := sel.Records[0].ID
	plan, err := a.PrepareDebitMemo(ctx, workflows.DebitMemoSyncInput{DebitMemoID: id, Settings: s})
	require.NoError(t, err)
	require.Empty(t, plan.Outcome)
	step := workflows.DebitMemoStepInput{Settings: s, Plan: plan}
	require.NoError(t, a.MarkDebitMemoProcessing(ctx, step))
	_, err = a.WriteDebitMemo(ctx, step)
	require.Error(t, err, "the first attempt cannot read its record's lines")
	ext := "SELECT id FROM transaction WHERE externalid = " + netsuite.Quote(netsuite.DebitMemoExternalID(id)) + " ORDER BY id"
	rows, err := a.NetSuite.QueryAll(ctx, ext)
	require.NoError(t, err)
	require.Len(t, rows, 1, "the first attempt made the record")
	readsFail.Store(false)
	_, err = a.WriteDebitMemo(ctx, step)
	require.ErrorContains(t, err, "custcol_zuora_item_id is not stored by NetSuite")
	require.ErrorContains(t, err, fmt.Sprintf("%v, made before this attempt, is left as it is", rows[0]["id"]))
	after, err := a.NetSuite.QueryAll(ctx, ext)
	require.NoError(t, err)
	require.Len(t, after, 1, "a record this attempt did not make is not deleted")
}

// staleAfter is an AttemptFence that says this attempt is current until
// *after is set, and stale from then on: Temporal started a newer attempt.
type staleAfter struct{ after *atomic.Bool }

func (f staleAfter) StillCurrent(context.Context) error {
	if f.after.Load() {
		return temporal.NewApplicationError("attempt 2 runs, this is attempt 1", activities.ErrStaleAttempt)
	}
	return nil
}

// N6 with overlapping attempts: an attempt that made a record, finds its
// line key not stored and meanwhile became stale (Temporal runs a newer
// attempt) deletes nothing and marks nothing: the newer attempt may be
// using that record, and it decides. The stale attempt only stops.
func TestSyncInvoice_N6_AStaleAttemptDeletesNothingWhenTheKeyIsNotStored(t *testing.T) {
	for _, tc := range keylessCases {
		t.Run(tc.name, func(t *testing.T) {
			a, sb, id, s := keylessInvoice(t, 37, tc.items, tc.ceiling)
			var created atomic.Bool
			a.NetSuite = netsuiteVia(t, sb, roundTripFunc(func(r *http.Request) (*http.Response, error) {
				resp, err := http.DefaultTransport.RoundTrip(r)
				if err == nil && r.Method == http.MethodPut && resp.StatusCode < 300 {
					created.Store(true) // a record is made: a newer attempt starts now
				}
				return resp, err
			}))
			a.Fence = staleAfter{&created}
			_, err := a.SyncInvoice(context.Background(), workflows.SyncInvoiceInput{InvoiceID: id, Settings: s})
			var stale *temporal.ApplicationError
			if !errors.As(err, &stale) || stale.Type() != activities.ErrStaleAttempt {
				t.Fatalf("the stale attempt ended %v; want it to stop as stale", err)
			}
			if !created.Load() {
				t.Fatal("no record was made: the test did not reach the key check")
			}
			st := sb.Stats("netsuite")
			for k, n := range st.Requests {
				if strings.HasPrefix(k, "DELETE ") && n > 0 {
					t.Errorf("the stale attempt deleted: %s x%d", k, n)
				}
			}
			rows, err := a.NetSuite.QueryAll(context.Background(), "SELECT id FROM transaction ORDER BY id")
			if err != nil || len(rows) == 0 {
				t.Fatalf("the records the stale attempt made should be left to the newer attempt: %v %v", err, rows)
			}
			var inv zuora.Invoice
			if err := a.Zuora.GetObject(context.Background(), zuora.ObjInvoice, id, &inv); err != nil {
				t.Fatal(err)
			}
			if inv.TransferredToAccounting == zuora.TransferError {
				t.Errorf("the stale attempt marked the invoice Error")
			}
		})
	}
}
