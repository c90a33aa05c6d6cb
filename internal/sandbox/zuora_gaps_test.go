package sandbox

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// One test per Zuora row of real-api-gaps.md (Z1–Z9): the sandbox behaves
// as the source says (docs/wire.md), and the client right under it.

// raw sends an authenticated request to the Zuora emulator.
func (e *env) raw(t *testing.T, method, path, body string, hdr map[string]string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.PostForm(e.sb.ZuoraURL()+"/oauth/token", map[string][]string{"grant_type": {"client_credentials"},
		"client_id": {e.cfg.Zuora.ClientID}, "client_secret": {e.cfg.Zuora.ClientSecret}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	req, _ := http.NewRequest(method, e.sb.ZuoraURL()+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestZuora_Z1_V1ListsPageAt40WithNextPage(t *testing.T) {
	e := start(t, t.TempDir(), tinyTenant())
	next, seen, pages := "/v1/invoices/inv1/items?page=1&pageSize=200", 0, 0
	for next != "" {
		status, _, body := e.raw(t, "GET", next, "", nil)
		var page struct {
			InvoiceItems []map[string]any `json:"invoiceItems"`
			NextPage     string           `json:"nextPage"`
		}
		if status != 200 || json.Unmarshal([]byte(body), &page) != nil {
			t.Fatalf("%s: %d %s", next, status, body)
		}
		if len(page.InvoiceItems) > 40 {
			t.Fatalf("a v1 list page holds at most 40 rows (larger pageSize is treated as 40), got %d", len(page.InvoiceItems))
		}
		seen += len(page.InvoiceItems)
		pages++
		next = page.NextPage
	}
	if seen != 250 || pages != 7 {
		t.Errorf("following nextPage read %d items in %d pages, want 250 in 7", seen, pages)
	}
}

// The connector under Z1: an invoice of 1,000 items read whole, whatever
// page size it asks for.
func TestConnector_Z1_ThousandItemInvoiceReadWhole(t *testing.T) {
	f := tinyTenant()
	for i := 250; i < 1000; i++ {
		f.Zuora.Objects[zuora.ObjInvoiceItem] = append(f.Zuora.Objects[zuora.ObjInvoiceItem],
			fixture.Record{"Id": "item" + itoa(i), "InvoiceId": "inv1", "ChargeAmount": n("1.00"), "Quantity": n("1"), "RatePlanChargeId": "rpc1"})
	}
	f.Zuora.Objects[zuora.ObjInvoice][0]["Amount"], f.Zuora.Objects[zuora.ObjInvoice][0]["Balance"] = n("1000.00"), n("1000.00")
	e := start(t, t.TempDir(), f)
	ctx := context.Background()
	all, err := e.z.GetInvoiceItems(ctx, "inv1", 1, 1000)
	if err != nil || len(all) != 1000 {
		t.Fatalf("whole invoice: %v, %d items", err, len(all))
	}
	seen := map[string]bool{}
	for p := 1; ; p++ {
		items, err := e.z.GetInvoiceItems(ctx, "inv1", p, 100)
		if err != nil {
			t.Fatal(err)
		}
		for i, it := range items {
			if it.ID != all[(p-1)*100+i].ID {
				t.Fatalf("page %d row %d is %s, want %s", p, i, it.ID, all[(p-1)*100+i].ID)
			}
			seen[it.ID] = true
		}
		if len(items) < 100 {
			break
		}
	}
	if len(seen) != 1000 {
		t.Errorf("batches of 100 read %d distinct items, want 1000", len(seen))
	}
}

func TestZuora_Z2_ZOQLRefusesParenthesesInOrderByAndOver200Conditions(t *testing.T) {
	e := start(t, t.TempDir(), tinyTenant())
	over := "select Id from Invoice where " + strings.Repeat("Id = 'x' or ", 200) + "Id = 'y'"
	for _, q := range []string{
		"select Id from Invoice where Status = 'Posted' and (TransferredToAccounting = null or TransferredToAccounting = 'No')",
		"select Id from Invoice where Id in ('inv1', 'inv2')",
		"select Id from Invoice order by Id",
		over,
	} {
		b, _ := json.Marshal(map[string]string{"queryString": q})
		status, _, body := e.raw(t, "POST", "/v1/action/query", string(b), nil)
		if status != 400 || !strings.Contains(body, `"FaultCode":"MALFORMED_QUERY"`) {
			t.Errorf("%.80s…: %d %s, want 400 MALFORMED_QUERY", q, status, body)
		}
	}
	// "and" binds tighter than "or": the connector's form is accepted.
	invs, err := zuora.QueryAll[zuora.Invoice](context.Background(), e.z,
		"select Id from Invoice where Status = 'Posted' and TransferredToAccounting = null or Status = 'Posted' and TransferredToAccounting = 'No'")
	if err != nil || len(invs) != 1 {
		t.Errorf("or of ands: %v %v", err, invs)
	}
}

func TestZuora_Z3_FieldsTheModelLacksAreRefused(t *testing.T) {
	e := start(t, t.TempDir(), tinyTenant())
	ctx := context.Background()
	for q, field := range map[string]string{
		"select Id, SubscriptionId from RatePlanCharge":   "RatePlanCharge.SubscriptionId",
		"select Id, RevRecTriggerDate from InvoiceItem":   "InvoiceItem.RevRecTriggerDate",
		"select Id, ChargeType from InvoiceItem":          "InvoiceItem.ChargeType",
		"select Id from InvoiceItem where ChargeType = 1": "InvoiceItem.ChargeType",
	} {
		_, err := zuora.QueryAll[map[string]any](ctx, e.z, q)
		if err == nil || !strings.Contains(err.Error(), "INVALID_FIELD") || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: %v, want INVALID_FIELD naming %s", q, err, field)
		}
	}
	// What the model has is accepted: the trigger date is RevRecStartDate.
	if _, err := zuora.QueryAll[map[string]any](ctx, e.z, "select Id, RevRecStartDate, RevRecTriggerCondition, SubscriptionId, ProcessingType from InvoiceItem where InvoiceId = 'inv1'"); err != nil {
		t.Error(err)
	}
}

func TestZuora_Z4_NoNSFieldOutsideThePackageAndCustomFieldsOnlyWhenDeclared(t *testing.T) {
	f := tinyTenant()
	f.Zuora.Settings.CustomFields = map[string][]string{"Invoice": {"MigrationWriteOff__c"}}
	e := start(t, t.TempDir(), f)
	ctx := context.Background()
	for obj, field := range map[string]string{zuora.ObjInvoice: "MigrationWriteOff__NS", zuora.ObjInvoiceItemAdjustment: "DoNotSync__NS", zuora.ObjAccount: "MigrationWriteOff__c"} {
		err := e.z.UpdateObject(ctx, obj, "x", map[string]any{field: "Yes"})
		if err == nil || !strings.Contains(err.Error(), "INVALID_FIELD") {
			t.Errorf("%s.%s written: %v", obj, field, err)
		}
		if _, err := zuora.QueryAll[map[string]any](ctx, e.z, "select Id, "+field+" from "+obj); err == nil {
			t.Errorf("%s.%s queried", obj, field)
		}
	}
	if err := e.z.UpdateObject(ctx, zuora.ObjInvoice, "inv1", map[string]any{"MigrationWriteOff__c": "12.00", "IntegrationStatus__NS": "x"}); err != nil {
		t.Errorf("declared custom field and package field: %v", err)
	}
}

func TestZuora_Z5_CreditMemoAmountNeedsZuoraVersion224(t *testing.T) {
	f := tinyTenant()
	f.Zuora.Settings.InvoiceSettlement = true
	f.Zuora.Objects[zuora.ObjProductRatePlanCharge] = []fixture.Record{{"Id": "prpc1", "Name": "Migration", "ProductRatePlanId": "x"}}
	f.Zuora.Objects["ProductRatePlanChargeTier"] = []fixture.Record{{"Id": "t1", "ProductRatePlanChargeId": "prpc1", "Price": n("99.00")}}
	e := start(t, t.TempDir(), f)
	body := `{"accountId":"acc1","charges":[{"chargeId":"prpc1","amount":12.50}],"autoPost":true}`
	amount := func(hdr map[string]string, body string) string {
		status, _, out := e.raw(t, "POST", "/v1/creditmemos", body, hdr)
		var cm struct {
			Amount json.Number `json:"amount"`
		}
		if status != 200 || json.Unmarshal([]byte(out), &cm) != nil {
			t.Fatalf("%d %s", status, out)
		}
		return cm.Amount.String()
	}
	if got := amount(nil, body); got != "99.00" {
		t.Errorf("without zuora-version the amount must be ignored (charge price 99.00), got %s", got)
	}
	if got := amount(map[string]string{"zuora-version": "223.0"}, body); got != "99.00" {
		t.Errorf("below 224.0 the amount must be ignored, got %s", got)
	}
	if got := amount(map[string]string{"zuora-version": "196.0"}, `{"accountId":"acc1","charges":[{"chargeId":"prpc1","memoItemAmount":7.25}],"autoPost":true}`); got != "7.25" {
		t.Errorf("below 224.0 memoItemAmount is the amount, got %s", got)
	}
	if got := amount(map[string]string{"zuora-version": "224.0"}, body); got != "12.50" {
		t.Errorf("from 224.0 the amount is honoured, got %s", got)
	}
	// The connector sends the header, and checks the amount it got.
	cm, err := e.z.CreateCreditMemo(context.Background(), zuora.CreditMemoFromCharge{AccountID: "acc1", AutoPost: true,
		Charges: []zuora.CreditMemoCharge{{ChargeID: "prpc1", Amount: decimal.RequireFromString("12.50")}}}, "")
	if err != nil || !cm.Amount.Equal(decimal.RequireFromString("12.5")) {
		t.Errorf("connector credit memo: %v %+v", err, cm)
	}
}

func TestZuora_Z6_LockCodesAnswerSuccessFalseAndAreRetried(t *testing.T) {
	e := start(t, t.TempDir(), tinyTenant())
	_ = e.sb.SetFaults("zuora", Faults{ZuoraLimits: ZuoraLimits{LockRate: 1}})
	status, _, body := e.raw(t, "PUT", "/v1/invoices/inv1", `{"transferredToAccounting":"Processing"}`, nil)
	var out struct {
		Success bool `json:"success"`
		Reasons []struct {
			Code string `json:"code"`
		} `json:"reasons"`
	}
	if status != 200 || json.Unmarshal([]byte(body), &out) != nil || out.Success || len(out.Reasons) != 1 || !zuora.IsTransientCode(out.Reasons[0].Code) {
		t.Fatalf("lock fault: %d %s", status, body)
	}
	// The client classifies it retryable and retries it (MaxRetries 1: 2 tries).
	p := "Processing"
	err := e.z.UpdateInvoice(context.Background(), "inv1", zuora.InvoiceUpdate{TransferredToAccounting: &p})
	if err == nil || !zuora.IsRetryable(err) {
		t.Fatalf("lock code must be a retryable error: %v", err)
	}
	if got := e.sb.Stats("zuora").Requests["PUT /v1/invoices/inv1 200"]; got != 3 {
		t.Errorf("PUT attempts %d, want 3 (one raw, the client's try and its retry)", got)
	}
	_ = e.sb.SetFaults("zuora", Faults{})
	if err := e.z.UpdateInvoice(context.Background(), "inv1", zuora.InvoiceUpdate{TransferredToAccounting: &p}); err != nil {
		t.Fatal(err)
	}
}

func TestZuora_Z7_IdempotencyReplaysFailuresFor24hAnd409InFlight(t *testing.T) {
	f := tinyTenant()
	f.Zuora.Objects[zuora.ObjProductRatePlanCharge] = []fixture.Record{{"Id": "prpc1", "Name": "Migration", "ProductRatePlanId": "x"}}
	e := start(t, t.TempDir(), f)
	key := map[string]string{"Idempotency-Key": "k-1", "zuora-version": "224.0"}
	body := `{"accountId":"acc1","charges":[{"chargeId":"prpc1","amount":5}],"autoPost":true}`
	first, _, b1 := e.raw(t, "POST", "/v1/creditmemos", body, key)
	if first != 400 {
		t.Fatalf("without Invoice Settlement: %d %s", first, b1)
	}
	resp, _ := http.DefaultClient.Do(mustReq(t, "PUT", e.sb.ZuoraURL()+"/_sandbox/tenant", `{"invoiceSettlement":true}`))
	resp.Body.Close()
	again, _, b2 := e.raw(t, "POST", "/v1/creditmemos", body, key)
	if again != 400 || b2 != b1 {
		t.Errorf("the saved failure must be replayed for 24 h: %d %s", again, b2)
	}
	if st, _, _ := e.raw(t, "POST", "/v1/creditmemos", strings.Replace(body, "5", "6", 1), key); st != 422 {
		t.Errorf("same key, another body: %d, want 422", st)
	}
	// A lock failure is saved under its key too.
	_ = e.sb.SetFaults("zuora", Faults{ZuoraLimits: ZuoraLimits{LockRate: 1}})
	k2 := map[string]string{"Idempotency-Key": "k-2", "zuora-version": "224.0"}
	_, _, l1 := e.raw(t, "POST", "/v1/creditmemos", body, k2)
	_ = e.sb.SetFaults("zuora", Faults{})
	if _, _, l2 := e.raw(t, "POST", "/v1/creditmemos", body, k2); l2 != l1 || !strings.Contains(l2, `"success":false`) {
		t.Errorf("lock failure not replayed: %s then %s", l1, l2)
	}
	// In flight: the first holds the tenant (the emulator's lock), the second gets 409.
	e.sb.zuora.mu.Lock()
	k3 := map[string]string{"Idempotency-Key": "k-3", "zuora-version": "224.0"}
	done := make(chan int)
	go func() { st, _, _ := e.raw(t, "POST", "/v1/creditmemos", body, k3); done <- st }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		e.sb.zuora.authMu.Lock()
		_, in := e.sb.zuora.idem["k-3"]
		e.sb.zuora.authMu.Unlock()
		if in || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	st, _, _ := e.raw(t, "POST", "/v1/creditmemos", body, k3)
	e.sb.zuora.mu.Unlock()
	if st != 409 {
		t.Errorf("repeat while the first is in flight: %d, want 409", st)
	}
	if st := <-done; st != 200 {
		t.Errorf("the first request: %d", st)
	}
}

func TestZuora_Z8_BigProcessConcurrency20With429RetryAfter(t *testing.T) {
	e := start(t, t.TempDir(), tinyTenant())
	_ = e.sb.SetFaults("zuora", Faults{ZuoraLimits: ZuoraLimits{BigProcessRetryAfter: Duration(7 * time.Second)}})
	e.sb.zuora.mu.Lock() // queries wait on the tenant: 20 in flight, the 21st is refused
	var wg sync.WaitGroup
	results := make(chan string, 25)
	for range 21 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, h, _ := e.raw(t, "POST", "/v1/action/query", `{"queryString":"select Id from Invoice"}`, nil)
			if st == 429 {
				results <- "429 " + h.Get("Retry-After")
			}
		}()
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(results) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	e.sb.zuora.mu.Unlock()
	wg.Wait()
	close(results)
	var refused []string
	for r := range results {
		refused = append(refused, r)
	}
	if len(refused) != 1 || refused[0] != "429 7" {
		t.Errorf("21 concurrent ZOQL calls: refused %v, want one 429 with Retry-After 7", refused)
	}
	// The default is the documented maximum, 120 s.
	if (ZuoraLimits{}).BigProcessRetryAfter != 0 {
		t.Fatal("zero value must mean the default")
	}
}

func TestZuora_Z9_ZOQLErrorsInFaultShape(t *testing.T) {
	e := start(t, t.TempDir(), tinyTenant())
	status, _, body := e.raw(t, "POST", "/v1/action/query", `{"queryString":"select Id, Foo from Invoice"}`, nil)
	var fault map[string]string
	if status != 400 || json.Unmarshal([]byte(body), &fault) != nil || fault["FaultCode"] != "INVALID_FIELD" ||
		fault["FaultMessage"] != "invalid field for query: Invoice.Foo" {
		t.Errorf("%d %s", status, body)
	}
	_, err := zuora.QueryAll[zuora.Invoice](context.Background(), e.z, "select Id, Foo from Invoice")
	if err == nil || !strings.Contains(err.Error(), "INVALID_FIELD: invalid field for query: Invoice.Foo") || zuora.IsRetryable(err) {
		t.Errorf("the client must show the reason and not retry: %v", err)
	}
}

// ZOQL's size is the whole query's row count on every page.
func TestZuora_QuerySizeIsTheWholeCountOnEveryPage(t *testing.T) {
	e := start(t, t.TempDir(), tinyTenant())
	ctx := context.Background()
	r, err := e.z.QueryPage(ctx, "select Id from InvoiceItem where InvoiceId = 'inv1'", 100)
	if err != nil || r.Size != 250 || len(r.Records) != 100 {
		t.Fatalf("first page: %v size %d", err, r.Size)
	}
	r, err = e.z.QueryMore(ctx, r.QueryLocator, 100)
	if err != nil || r.Size != 250 || len(r.Records) != 100 {
		t.Fatalf("second page: %v size %d", err, r.Size)
	}
}

func TestZuora_DescribeIsXMLFromTheObjectModel(t *testing.T) {
	f := tinyTenant()
	f.Zuora.Settings.CustomFields = fixture.ZuoraConnectorCustomFields()
	e := start(t, t.TempDir(), f)
	status, h, body := e.raw(t, "GET", "/v1/describe/InvoiceItemAdjustment", "", nil)
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/xml") || !strings.Contains(body, "<object>") {
		t.Fatalf("%d %s %.200s", status, h.Get("Content-Type"), body)
	}
	for _, want := range []string{"<name>AdjustmentDate</name>", "<name>IntegrationId__NS</name>", "<name>DoNotSync__c</name>"} {
		if !strings.Contains(body, want) {
			t.Errorf("describe lacks %s", want)
		}
	}
	_, _, item := e.raw(t, "GET", "/v1/describe/InvoiceItem", "", nil)
	if strings.Contains(item, "<name>ChargeType</name>") || !strings.Contains(item, "<name>RevRecStartDate</name>") {
		t.Error("InvoiceItem describe must follow the object model")
	}
}

// Z4, the connector under it: its own custom fields are settings; under a
// tenant's names (zuora.WithFieldNames) queries and writes name the tenant's
// field, and records decode into the model types as under the defaults.
func TestConnector_Z4_CustomFieldNamesFromSettings(t *testing.T) {
	f := tinyTenant()
	f.Zuora.Objects[zuora.ObjInvoiceItemAdjustment] = []fixture.Record{{"Id": "iia1", "InvoiceId": "inv1", "Amount": n("1.00"), "Status": "Processed", "NoNetSuite__c": "Yes"}}
	f.Zuora.Settings.CustomFields = map[string][]string{"InvoiceItemAdjustment": {"NoNetSuite__c"}, "Invoice": {"WrittenOff__c"}}
	e := start(t, t.TempDir(), f)
	s := settings.Default()
	s.ZuoraFields.DoNotSync, s.ZuoraFields.MigrationWriteOff = "NoNetSuite__c", "WrittenOff__c"
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx := zuora.WithFieldNames(context.Background(), s.ZuoraFields.Names())
	adjs, err := zuora.QueryAll[zuora.InvoiceItemAdjustment](ctx, e.z, "select Id, "+zuora.FieldDoNotSync+" from InvoiceItemAdjustment where "+zuora.FieldDoNotSync+" = 'Yes'")
	if err != nil || len(adjs) != 1 || adjs[0].DoNotSync != "Yes" {
		t.Fatalf("query under the tenant's name: %v %+v", err, adjs)
	}
	if err := e.z.UpdateObject(ctx, zuora.ObjInvoice, "inv1", map[string]any{zuora.FieldMigrationWriteOff: "3.00"}); err != nil {
		t.Fatalf("write under the tenant's name: %v", err)
	}
	// Without the setting, the default names do not exist on this tenant.
	if err := e.z.UpdateObject(context.Background(), zuora.ObjInvoice, "inv1", map[string]any{zuora.FieldMigrationWriteOff: "3.00"}); err == nil {
		t.Error("the default name must be refused on a tenant without it")
	}
	s.ZuoraFields.DoNotSync = "DoNotSync__NS"
	if s.Validate() == nil {
		t.Error("a __NS name for a field the connector adds must be refused by settings validation")
	}
}
