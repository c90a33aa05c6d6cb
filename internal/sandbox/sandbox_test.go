package sandbox

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

func n(s string) json.Number { return json.Number(s) }

// tinyTenant is a hand-made tenant: one account, one invoice of 250 items.
func tinyTenant() *fixture.Fixture {
	f := &fixture.Fixture{Zuora: fixture.Zuora{Objects: map[string][]fixture.Record{}}, NetSuite: fixture.NetSuite{Records: map[string][]fixture.Record{},
		Account: fixture.NetSuiteAccount{CustomFields: fixture.ConnectorCustomFields}}}
	f.Zuora.Objects[zuora.ObjAccount] = []fixture.Record{{"Id": "acc1", "AccountNumber": "A-1", "Name": `O'Brien, "Ltd"`, "IntegrationId__NS": "10"}}
	f.Zuora.Objects[zuora.ObjInvoice] = []fixture.Record{
		{"Id": "inv1", "InvoiceNumber": "INV-1", "AccountId": "acc1", "Status": "Posted", "Amount": n("250.00"), "Balance": n("250.00"), "InvoiceDate": "2026-03-01"},
		{"Id": "inv2", "InvoiceNumber": "INV-2", "AccountId": "acc1", "Status": "Draft", "Amount": n("0"), "InvoiceDate": "2026-03-01", "TransferredToAccounting": "No"},
	}
	for i := range 250 {
		id := "item" + strings.Repeat("0", 3-len(itoa(i))) + itoa(i)
		f.Zuora.Objects[zuora.ObjInvoiceItem] = append(f.Zuora.Objects[zuora.ObjInvoiceItem],
			fixture.Record{"Id": id, "InvoiceId": "inv1", "ChargeAmount": n("1.00"), "Quantity": n("1"), "RatePlanChargeId": "rpc1", "ChargeName": "Seat"})
	}
	f.Zuora.Objects[zuora.ObjTaxationItem] = []fixture.Record{{"Id": "tax1", "InvoiceId": "inv1", "InvoiceItemId": "item001", "TaxAmount": n("0.00"), "AccountingCode": "TAX"}}
	f.NetSuite.Records["customer"] = []fixture.Record{{"id": "10", "entityId": "A-1", "companyName": `O'Brien, "Ltd"`}}
	f.NetSuite.Records["serviceSaleItem"] = []fixture.Record{{"id": "20", "itemId": "Seat"}, {"id": "21", "itemId": "TAX"}}
	f.NetSuite.Records["location"] = []fixture.Record{{"id": "30", "name": "Boston"}}
	return f
}

func itoa(i int) string { return decimal.NewFromInt(int64(i)).String() }

type env struct {
	sb  *Sandbox
	cfg Config
	z   *zuora.Client
	ns  *netsuite.Client
}

func start(t *testing.T, dir string, f *fixture.Fixture) *env {
	t.Helper()
	cfg := DefaultConfig()
	cfg.ZuoraAddr, cfg.NetSuiteAddr, cfg.DataDir = "127.0.0.1:0", "127.0.0.1:0", dir
	sb, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if f != nil {
		if err := sb.Load(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := sb.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	z, err := zuora.New(zuora.Config{BaseURL: sb.ZuoraURL(), ClientID: cfg.Zuora.ClientID, ClientSecret: cfg.Zuora.ClientSecret, MaxRetries: 1, MaxBackoff: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ns, err := netsuite.New(netsuite.Config{BaseURL: sb.NetSuiteURL(), Account: cfg.NetSuite.Account, MaxRetries: 1,
		TBA: &netsuite.TBACredentials{ConsumerKey: cfg.NetSuite.ConsumerKey, ConsumerSecret: cfg.NetSuite.ConsumerSecret, TokenID: cfg.NetSuite.TokenID, TokenSecret: cfg.NetSuite.TokenSecret}})
	if err != nil {
		t.Fatal(err)
	}
	return &env{sb: sb, cfg: cfg, z: z, ns: ns}
}

func TestZuoraWire(t *testing.T) {
	e := start(t, t.TempDir(), tinyTenant())
	ctx := context.Background()

	// Token: wrong secret is refused in OAuth's shape.
	resp, err := http.PostForm(e.sb.ZuoraURL()+"/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {e.cfg.Zuora.ClientID}, "client_secret": {"nope"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.Contains(string(body), "invalid_client") {
		t.Errorf("wrong secret: %d %s", resp.StatusCode, body)
	}
	// No token: 401 with Zuora's body and header.
	resp, _ = http.Post(e.sb.ZuoraURL()+"/v1/action/query", "application/json", strings.NewReader(`{"queryString":"select Id from Invoice"}`))
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.Contains(string(body), "Authentication error") || resp.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("no token: %d %s", resp.StatusCode, body)
	}

	// ZOQL with null test, paging to the end through queryMore.
	invs, err := zuora.QueryAll[zuora.Invoice](ctx, e.z, "select Id, Amount, TransferredToAccounting from Invoice where Status = 'Posted' and TransferredToAccounting = null or Status = 'Posted' and TransferredToAccounting = 'No'")
	if err != nil || len(invs) != 1 || invs[0].ID != "inv1" || !invs[0].Amount.Equal(decimal.NewFromInt(250)) {
		t.Fatalf("selection: %v %+v", err, invs)
	}
	it := e.z.Query(ctx, "select Id from InvoiceItem where InvoiceId = 'inv1'", 100)
	count := 0
	for it.Next(ctx) {
		count++
	}
	if it.Err() != nil || count != 250 {
		t.Errorf("queryMore paging: %d records, %v", count, it.Err())
	}
	// Bad ZOQL names what is wrong.
	if _, err := zuora.QueryAll[zuora.Invoice](ctx, e.z, "select Nope from Invoice"); err == nil || !strings.Contains(err.Error(), "invalid field for query: Invoice.Nope") {
		t.Errorf("bad field: %v", err)
	}

	// Items endpoint pages in creation order with camelCase keys mapped back.
	items, err := e.z.GetInvoiceItems(ctx, "inv1", 3, 100)
	if err != nil || len(items) != 50 || items[0].ID != "item200" || items[0].RatePlanChargeID != "rpc1" {
		t.Fatalf("items page 3: %v, %d items, first %+v", err, len(items), items)
	}

	// Tokens expire (here: all at once, as after a tenant's token revocation):
	// the client refreshes once on the 401 and the call succeeds.
	resp, err = http.Post(e.sb.ZuoraURL()+"/_sandbox/expire-tokens", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, err := e.z.GetInvoice(ctx, "inv1"); err != nil {
		t.Fatalf("after token expiry the client must refresh and succeed: %v", err)
	}
	if got := e.sb.Stats("zuora").Requests["POST /oauth/token 200"]; got != 2 {
		t.Errorf("tokens minted: %d, want 2 (the first, and one refresh after expiry)", got)
	}

	// Status write-back and enum check.
	if err := e.z.UpdateInvoice(ctx, "inv1", zuora.InvoiceUpdate{TransferredToAccounting: ptr("Processing"), IntegrationStatus: ptr("Creating Invoice")}); err != nil {
		t.Fatal(err)
	}
	inv, err := e.z.GetInvoice(ctx, "inv1")
	if err != nil || inv.TransferredToAccounting != "Processing" || inv.IntegrationStatus != "Creating Invoice" || inv.UpdatedDate == "" {
		t.Errorf("after update: %v %+v", err, inv)
	}
	if err := e.z.UpdateInvoice(ctx, "inv1", zuora.InvoiceUpdate{TransferredToAccounting: ptr("Maybe")}); err == nil || zuora.IsRetryable(err) {
		t.Errorf("a bad enum value must be a non-retryable error, got %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestNetSuiteWire(t *testing.T) {
	dir := t.TempDir()
	e := start(t, dir, tinyTenant())
	ctx := context.Background()
	tx := netsuite.Transaction{ExternalID: "zuora-invoice-inv1", TranID: "INV-1", Entity: netsuite.RefTo("10"),
		Item: &netsuite.Sublist[netsuite.Line]{Items: []netsuite.Line{{Item: netsuite.RefTo("20"), Amount: decimal.RequireFromString("1.00"), ZuoraItemID: "item000"}}}}
	id1, err := e.ns.Upsert(ctx, netsuite.TypeInvoice, "zuora-invoice-inv1", tx)
	if err != nil {
		t.Fatal(err)
	}
	// Repeated with ?replace=item: an upsert of an existing record appends
	// non-keyed lines otherwise (real-api-gaps N2).
	id2, err := e.ns.Upsert(ctx, netsuite.TypeInvoice, "zuora-invoice-inv1", tx, "item")
	if err != nil || id1 != id2 {
		t.Fatalf("upsert by external id twice: %s, %s, %v", id1, id2, err)
	}
	// Append lines (PATCH without line keys) and read the total back.
	more := map[string]any{"item": netsuite.Sublist[netsuite.Line]{Items: []netsuite.Line{
		{Item: netsuite.RefTo("20"), Amount: decimal.RequireFromString("2.50"), ZuoraItemID: "item001"},
		{Item: netsuite.RefTo("21"), Amount: decimal.RequireFromString("0.25"), ZuoraItemID: "tax1"}}}}
	if err := e.ns.Patch(ctx, netsuite.TypeInvoice, id1, more); err != nil {
		t.Fatal(err)
	}
	got, err := e.ns.GetTransaction(ctx, netsuite.TypeInvoice, id1)
	if err != nil || got.Total == nil || got.Total.String() != "3.75" || len(got.Item.Items) != 3 || got.Item.Items[2].Line != 3 {
		t.Fatalf("after append: %v %+v", err, got)
	}
	rows, err := e.ns.QueryAll(ctx, "SELECT custcol_zuora_item_id, id FROM transactionline WHERE transaction = "+netsuite.Quote(id1)+" AND custcol_zuora_item_id IN ('item001', 'tax1', 'zzz')")
	if err != nil || len(rows) != 2 {
		t.Fatalf("lines by zuora id: %v %v", err, rows)
	}
	rows, err = e.ns.QueryAll(ctx, "SELECT id, tranid, foreigntotal FROM transaction WHERE externalid = 'zuora-invoice-inv1'")
	if err != nil || len(rows) != 1 || rows[0]["tranid"] != "INV-1" {
		t.Fatalf("transaction by external id: %v %v", err, rows)
	}
	// A reference to a missing item is a 400 naming the path, not retryable.
	bad := netsuite.Transaction{Entity: netsuite.RefTo("10"), Item: &netsuite.Sublist[netsuite.Line]{Items: []netsuite.Line{{Item: netsuite.RefTo("999"), ZuoraItemID: "x"}}}}
	_, err = e.ns.Create(ctx, netsuite.TypeInvoice, bad)
	var ae *netsuite.APIError
	if err == nil || netsuite.IsRetryable(err) || !strings.Contains(err.Error(), "item.items[0].item") {
		t.Errorf("bad reference: %v (%T %v)", err, err, ae)
	}
	// The same tranId on another invoice is a duplicate.
	dup := tx
	dup.ExternalID = "other"
	if _, err := e.ns.Upsert(ctx, netsuite.TypeInvoice, "other", dup); err == nil || !strings.Contains(err.Error(), "DUP_RCRD") {
		t.Errorf("duplicate tranId: %v", err)
	}
	// SuiteQL paging: limit 1 over 3 item lines (the main and tax line rows
	// of transactionline left out, N3).
	page, err := e.ns.QueryPage(ctx, "SELECT id FROM transactionline WHERE mainline = 'F' AND taxline = 'F' ORDER BY id", 1, 1)
	if err != nil || !page.HasMore || page.TotalResults != 3 || len(page.Items) != 1 {
		t.Errorf("paging: %v %+v", err, page)
	}

	// A tampered signature is refused in NetSuite's shape.
	req, _ := http.NewRequest("GET", e.sb.NetSuiteURL()+"/record/v1/invoice/"+id1, nil)
	req.Header.Set("Authorization", `OAuth realm="1234567_SB1", oauth_consumer_key="sandbox-consumer-key", oauth_token="sandbox-token-id", oauth_signature_method="HMAC-SHA256", oauth_timestamp="`+itoa(int(time.Now().Unix()))+`", oauth_nonce="abc", oauth_version="1.0", oauth_signature="AAAA"`)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.Contains(string(body), "INVALID_LOGIN") {
		t.Errorf("tampered signature: %d %s", resp.StatusCode, body)
	}

	// Restart on the same data dir keeps every record and line.
	_ = e.sb.Close()
	e2 := start(t, dir, nil)
	got, err = e2.ns.GetTransaction(ctx, netsuite.TypeInvoice, netsuite.EID("zuora-invoice-inv1"))
	if err != nil || got.Total.String() != "3.75" || len(got.Item.Items) != 3 {
		t.Fatalf("after restart: %v %+v", err, got)
	}
	invs, err := zuora.QueryAll[zuora.Invoice](ctx, e2.z, "select Id from Invoice")
	if err != nil || len(invs) != 2 {
		t.Fatalf("zuora after restart: %v %d", err, len(invs))
	}
}

func TestFaults(t *testing.T) {
	e := start(t, t.TempDir(), tinyTenant())
	ctx := context.Background()
	// Ambiguous write: the record is created, the client sees no answer.
	if err := e.sb.SetFaults("netsuite", Faults{AmbiguousRate: 1}); err != nil {
		t.Fatal(err)
	}
	_, err := e.ns.Create(ctx, netsuite.TypeLocation, map[string]any{"name": "Paris", "externalId": "loc-paris"})
	if err == nil || !netsuite.IsRetryable(err) {
		t.Fatalf("ambiguous write: want a retryable error, got %v", err)
	}
	_ = e.sb.SetFaults("netsuite", Faults{})
	rows, err := e.ns.QueryAll(ctx, "SELECT id FROM location WHERE externalid = 'loc-paris'")
	if err != nil || len(rows) != 1 {
		t.Fatalf("the ambiguous write must have committed exactly once: %v %v", err, rows)
	}
	// Over the concurrency limit: 429, retryable.
	_ = e.sb.SetFaults("netsuite", Faults{Concurrency: 1, ReadLatency: Duration(200 * time.Millisecond)})
	patient, err := netsuite.New(netsuite.Config{BaseURL: e.sb.NetSuiteURL(), Account: e.cfg.NetSuite.Account, MaxRetries: 8,
		TBA: &netsuite.TBACredentials{ConsumerKey: e.cfg.NetSuite.ConsumerKey, ConsumerSecret: e.cfg.NetSuite.ConsumerSecret, TokenID: e.cfg.NetSuite.TokenID, TokenSecret: e.cfg.NetSuite.TokenSecret}})
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 3)
	for range 3 {
		go func() {
			var out map[string]any
			errs <- patient.Get(ctx, netsuite.TypeLocation, "30", false, &out)
		}()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Errorf("the client retries 429s: %v", err)
		}
	}
	if e.sb.Stats("netsuite").Faults["concurrency"] == 0 {
		t.Error("no request was refused over the concurrency limit")
	}
	// Malformed bodies are retryable errors, never panics.
	_ = e.sb.SetFaults("zuora", Faults{MalformedRate: 1})
	if _, err := zuora.QueryAll[zuora.Invoice](ctx, e.z, "select Id from Invoice"); err == nil {
		t.Error("malformed answers must be errors")
	}
}

func TestZuoraCreditMemos(t *testing.T) {
	f := tinyTenant()
	f.Zuora.Objects[zuora.ObjProductRatePlanCharge] = []fixture.Record{{"Id": "prpc1", "Name": "Migration", "ProductRatePlanId": "x"}}
	e := start(t, t.TempDir(), f)
	ctx := context.Background()
	in := zuora.CreditMemoFromCharge{AccountID: "acc1", Charges: []zuora.CreditMemoCharge{{ChargeID: "prpc1", Amount: decimal.RequireFromString("12.50")}},
		EffectiveDate: "2026-03-01", ReasonCode: "AR Mig - negative invoice", AutoPost: true, Origin: "IS migration", Transaction: "inv1"}
	if _, err := e.z.CreateCreditMemo(ctx, in, "k1"); err == nil || zuora.IsRetryable(err) || !strings.Contains(err.Error(), "Invoice Settlement is not enabled") {
		t.Fatalf("without Invoice Settlement: %v", err)
	}
	resp, err := http.DefaultClient.Do(mustReq(t, "PUT", e.sb.ZuoraURL()+"/_sandbox/tenant", `{"invoiceSettlement":true}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cm, err := e.z.CreateCreditMemo(ctx, in, "k2")
	if err != nil || cm.Status != "Posted" || !cm.Amount.Equal(decimal.RequireFromString("12.5")) || cm.Origin != "IS migration" {
		t.Fatalf("create: %v %+v", err, cm)
	}
	// Replay under one Idempotency-Key: TestZuora_Z7_... (the client sends a
	// fresh key suffix per call, so a saved failure is never replayed).
	yes := "Yes"
	if err := e.z.UpdateCreditMemo(ctx, cm.Number, zuora.CreditMemoUpdate{TransferredToAccounting: &yes}); err != nil {
		t.Fatal(err)
	}
	list, err := e.z.ListCreditMemos(ctx, "acc1")
	if err != nil || len(list) != 1 || list[0].TransferredToAccounting != "Yes" {
		t.Fatalf("list: %v %+v", err, list)
	}
	// IIA creation is refused on an Invoice Settlement tenant, and ZOQL on IIAs fails.
	if _, err := e.z.CreateObject(ctx, zuora.ObjInvoiceItemAdjustment, map[string]any{"InvoiceId": "inv1", "Amount": 1, "Type": "Credit"}, "k3"); err == nil {
		t.Error("IIA creation must be refused under Invoice Settlement")
	}
}

func mustReq(t *testing.T, method, url, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return req
}
