package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
)

// One test per NetSuite row of real-api-gaps.md (N1–N10), each showing the
// sandbox behaves as the row's source says (docs/wire.md, NetSuite section).

// nsTenant is a NetSuite account with a customer (10), two items (20, 21)
// and the connector's custom fields unless acct says otherwise.
func nsTenant(acct fixture.NetSuiteAccount) *fixture.Fixture {
	if acct.CustomFields == nil {
		acct.CustomFields = fixture.ConnectorCustomFields
	}
	f := &fixture.Fixture{Zuora: fixture.Zuora{Objects: map[string][]fixture.Record{}}, NetSuite: fixture.NetSuite{Records: map[string][]fixture.Record{}, Account: acct}}
	f.NetSuite.Records["subsidiary"] = []fixture.Record{{"id": "1", "name": "Parent"}}
	f.NetSuite.Records["customer"] = []fixture.Record{{"id": "10", "entityId": "A-1", "companyName": "Acme", "subsidiary": map[string]any{"id": "1"}}}
	f.NetSuite.Records["serviceSaleItem"] = []fixture.Record{{"id": "20", "itemId": "Seat"}, {"id": "21", "itemId": "TAX"}}
	return f
}

func lines(n int, prefix string) []netsuite.Line {
	out := make([]netsuite.Line, n)
	for i := range out {
		out[i] = netsuite.Line{Item: netsuite.RefTo("20"), Amount: decimal.NewFromInt(1), ZuoraItemID: fmt.Sprintf("%s%05d", prefix, i)}
	}
	return out
}

func invoiceWith(ls []netsuite.Line) netsuite.Transaction {
	return netsuite.Transaction{Entity: netsuite.RefTo("10"), Item: &netsuite.Sublist[netsuite.Line]{Items: ls}}
}

func itemLines(t *testing.T, e *env, id string) []map[string]any {
	t.Helper()
	rows, err := e.ns.QueryAll(context.Background(), "SELECT id, custcol_zuora_item_id, foreignamount FROM transactionline WHERE transaction = "+
		netsuite.Quote(id)+" AND mainline = 'F' AND taxline = 'F' ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func wantNSError(t *testing.T, err error, status int, code, detail string) *netsuite.APIError {
	t.Helper()
	ae, ok := err.(*netsuite.APIError)
	if !ok || ae.Status != status || ae.Code != code || !strings.Contains(ae.Detail, detail) {
		t.Fatalf("want %d %s %q, got %v", status, code, detail, err)
	}
	return ae
}

// A transaction needs its customer (NetSuite: "Please enter value(s) for:
// Customer"), also after a PATCH: "entity": null clears it, and is refused.
func TestNetSuite_N9_TransactionWithoutCustomerRefusedAlsoByPatch(t *testing.T) {
	e := start(t, t.TempDir(), nsTenant(fixture.NetSuiteAccount{}))
	ctx := context.Background()
	_, err := e.ns.Create(ctx, netsuite.TypeInvoice, map[string]any{"item": map[string]any{"items": []any{map[string]any{"item": map[string]any{"id": "20"}, "amount": 1}}}})
	wantNSError(t, err, 400, "USER_ERROR", "Please enter value(s) for: Customer")
	id, err := e.ns.Upsert(ctx, netsuite.TypeInvoice, "inv-a", invoiceWith(lines(2, "a")))
	if err != nil {
		t.Fatal(err)
	}
	err = e.ns.Patch(ctx, netsuite.TypeInvoice, id, map[string]any{"entity": nil, "item": map[string]any{"items": []any{map[string]any{"item": map[string]any{"id": "20"}, "amount": 1}}}})
	wantNSError(t, err, 400, "USER_ERROR", "Customer")
	got, err := e.ns.GetTransaction(ctx, netsuite.TypeInvoice, id)
	if err != nil || got.Entity == nil || got.Entity.ID != "10" || len(itemLines(t, e, id)) != 2 {
		t.Fatalf("the refused PATCH changed the invoice: %v %+v", err, got)
	}
	// The client's Transaction leaves entity out when it is not set.
	if b, _ := json.Marshal(netsuite.Transaction{Item: &netsuite.Sublist[netsuite.Line]{}}); strings.Contains(string(b), "entity") {
		t.Errorf("a Transaction without Entity must not send entity: %s", b)
	}
}

// OneWorld: a customer needs a subsidiary; a transaction takes its
// customer's; an isPerson customer needs first and last name.
func TestNetSuite_N9_OneWorldSubsidiaryAndPersonNamesRequired(t *testing.T) {
	e := start(t, t.TempDir(), nsTenant(fixture.NetSuiteAccount{OneWorld: true}))
	ctx := context.Background()
	_, err := e.ns.Upsert(ctx, netsuite.TypeCustomer, "c1", netsuite.Customer{CompanyName: "NoSub"})
	wantNSError(t, err, 400, "USER_ERROR", "Please enter value(s) for: Subsidiary")
	_, err = e.ns.Upsert(ctx, netsuite.TypeCustomer, "c2", netsuite.Customer{IsPerson: ptr(true), LastName: "Doe", Subsidiary: netsuite.RefTo("1")})
	wantNSError(t, err, 400, "USER_ERROR", "First Name")
	if _, err := e.ns.Upsert(ctx, netsuite.TypeCustomer, "c3", netsuite.Customer{IsPerson: ptr(true), FirstName: "Jane", LastName: "Doe", Subsidiary: netsuite.RefTo("1")}); err != nil {
		t.Fatal(err)
	}
	id, err := e.ns.Upsert(ctx, netsuite.TypeInvoice, "inv-ow", invoiceWith(lines(1, "ow")))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := e.ns.Get(ctx, netsuite.TypeInvoice, id, false, &got); err != nil || fmt.Sprint(got["subsidiary"].(map[string]any)["id"]) != "1" {
		t.Fatalf("invoice subsidiary sourced from the customer: %v %v", err, got["subsidiary"])
	}
}

// N1: at most the ceiling's lines per transaction; the write that would
// pass it is refused and the lines already there stay.
func TestNetSuite_N1_LineCeilingRefusesTheWriteAndKeepsWhatWasThere(t *testing.T) {
	e := start(t, t.TempDir(), nsTenant(fixture.NetSuiteAccount{LineCeiling: 250}))
	ctx := context.Background()
	id, err := e.ns.Upsert(ctx, netsuite.TypeInvoice, "inv-1", invoiceWith(lines(200, "a")))
	if err != nil {
		t.Fatal(err)
	}
	err = e.ns.Patch(ctx, netsuite.TypeInvoice, id, netsuite.Transaction{Item: &netsuite.Sublist[netsuite.Line]{Items: lines(51, "b")}})
	wantNSError(t, err, 400, "USER_ERROR", "maximum number of lines (250)")
	if n := len(itemLines(t, e, id)); n != 200 {
		t.Fatalf("the refused write changed the lines: %d, want 200", n)
	}
	if err := e.ns.Patch(ctx, netsuite.TypeInvoice, id, netsuite.Transaction{Item: &netsuite.Sublist[netsuite.Line]{Items: lines(50, "b")}}); err != nil {
		t.Fatalf("up to the ceiling is fine: %v", err)
	}
	if _, err := e.ns.Upsert(ctx, netsuite.TypeInvoice, "inv-2", invoiceWith(lines(251, "c"))); err == nil {
		t.Fatal("a create over the ceiling must be refused")
	}
	// The default ceiling is 5,000 (NetSuite's web services limit).
	if a := newNSAccount(fixture.NetSuiteAccount{}); a.LineCeiling != 5000 {
		t.Errorf("default ceiling %d", a.LineCeiling)
	}
}

// N2: PUT (upsert) on an existing record appends non-keyed lines unless
// ?replace= names the sublist.
func TestNetSuite_N2_PutUpsertAppendsNonKeyedLinesWithoutReplace(t *testing.T) {
	e := start(t, t.TempDir(), nsTenant(fixture.NetSuiteAccount{}))
	ctx := context.Background()
	tx := invoiceWith(lines(3, "a"))
	id, err := e.ns.Upsert(ctx, netsuite.TypeInvoice, "inv-1", tx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.ns.Upsert(ctx, netsuite.TypeInvoice, "inv-1", tx); err != nil {
		t.Fatal(err)
	}
	if n := len(itemLines(t, e, id)); n != 6 {
		t.Fatalf("a repeated PUT without replace: %d lines, want 6 (appended)", n)
	}
	if _, err := e.ns.Upsert(ctx, netsuite.TypeInvoice, "inv-1", tx, "item"); err != nil {
		t.Fatal(err)
	}
	if n := len(itemLines(t, e, id)); n != 3 {
		t.Fatalf("PUT ?replace=item: %d lines, want 3", n)
	}
}

// N3: transactionline has the main line and a tax line besides the item
// lines; on an invoice item and tax amounts carry the sign opposite to the
// header, on a credit memo the reverse.
func TestNetSuite_N3_TransactionLineHasMainAndTaxRowsWithNetSuiteSigns(t *testing.T) {
	e := start(t, t.TempDir(), nsTenant(fixture.NetSuiteAccount{}))
	ctx := context.Background()
	inv, err := e.ns.Upsert(ctx, netsuite.TypeInvoice, "inv-1", invoiceWith(lines(2, "a")))
	if err != nil {
		t.Fatal(err)
	}
	cm, err := e.ns.Upsert(ctx, netsuite.TypeCreditMemo, "cm-1", invoiceWith(lines(1, "c")))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id             string
		main, item     string
		items, taxRows int
	}{{inv, "2.00", "-1.00", 2, 1}, {cm, "-1.00", "1.00", 1, 1}} {
		rows, err := e.ns.QueryAll(ctx, "SELECT id, mainline, taxline, foreignamount FROM transactionline WHERE transaction = "+netsuite.Quote(c.id)+" ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		var mains, taxes, items int
		for _, r := range rows {
			switch {
			case r["mainline"] == "T":
				mains++
				if fmt.Sprint(r["foreignamount"]) != c.main {
					t.Errorf("%s main line %v, want %s", c.id, r["foreignamount"], c.main)
				}
			case r["taxline"] == "T":
				taxes++
			default:
				items++
				if fmt.Sprint(r["foreignamount"]) != c.item {
					t.Errorf("%s item line %v, want %s", c.id, r["foreignamount"], c.item)
				}
			}
		}
		if mains != 1 || taxes != c.taxRows || items != c.items {
			t.Errorf("%s: %d main, %d tax, %d item rows; want 1, %d, %d", c.id, mains, taxes, items, c.taxRows, c.items)
		}
	}
}

// N4: at most 1,000 rows a page; without ORDER BY the order differs between
// page requests (rows repeat or go missing); over 100,000 rows the query fails.
func TestNetSuite_N4_PagesAtMost1000UnorderedPagingUnstableAndRowCap(t *testing.T) {
	f := nsTenant(fixture.NetSuiteAccount{})
	for i := 0; i < 60; i++ {
		f.NetSuite.Records["location"] = append(f.NetSuite.Records["location"], fixture.Record{"id": fmt.Sprint(100 + i), "name": fmt.Sprintf("L%02d", i)})
	}
	e := start(t, t.TempDir(), f)
	ctx := context.Background()
	if _, err := e.ns.QueryPage(ctx, "SELECT id FROM location", 1001, 0); err == nil {
		t.Error("a page over 1,000 rows must be refused")
	}
	read := func(q string) (seen map[string]int) {
		seen = map[string]int{}
		for off := 0; off < 60; off += 10 {
			p, err := e.ns.QueryPage(ctx, q, 10, off)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range p.Items {
				seen[fmt.Sprint(r["id"])]++
			}
		}
		return seen
	}
	if seen := read("SELECT id FROM location ORDER BY id"); len(seen) != 60 {
		t.Errorf("ordered paging must see every row once: %d distinct", len(seen))
	}
	if seen := read("SELECT id FROM location"); len(seen) == 60 {
		t.Errorf("unordered paging saw every row exactly once; the hostile reading repeats or skips rows")
	}
	// The 100,000-row cap, on an account whose invoice holds 100,001 lines.
	big := nsTenant(fixture.NetSuiteAccount{LineCeiling: 200000})
	items := make([]any, 100001)
	for i := range items {
		items[i] = map[string]any{"item": map[string]any{"id": "20"}, "amount": json.Number("1")}
	}
	big.NetSuite.Records["invoice"] = []fixture.Record{{"id": "500", "entity": map[string]any{"id": "10"}, "item": map[string]any{"items": items}}}
	e2 := start(t, t.TempDir(), big)
	if _, err := e2.ns.QueryPage(ctx, "SELECT id FROM transactionline ORDER BY id", 1000, 99000); err != nil {
		t.Fatalf("the 100th page is answered: %v", err)
	}
	_, err := e2.ns.QueryPage(ctx, "SELECT id FROM transactionline ORDER BY id", 1000, 100000)
	wantNSError(t, err, 400, "INVALID_PARAMETER", "maximum of 100000")
}

// N5: isTaxable (legacy tax) is refused unless the account uses legacy tax.
func TestNetSuite_N5_IsTaxableRefusedUnlessLegacyTax(t *testing.T) {
	ctx := context.Background()
	tx := invoiceWith(lines(1, "a"))
	tx.Item.Items[0].IsTaxable = ptr(false)
	e := start(t, t.TempDir(), nsTenant(fixture.NetSuiteAccount{}))
	_, err := e.ns.Upsert(ctx, netsuite.TypeInvoice, "inv-1", tx)
	wantNSError(t, err, 400, "INVALID_FLD", "legacy tax")
	legacy := start(t, t.TempDir(), nsTenant(fixture.NetSuiteAccount{LegacyTax: true}))
	if _, err := legacy.ns.Upsert(ctx, netsuite.TypeInvoice, "inv-1", tx); err != nil {
		t.Fatalf("legacy-tax account: %v", err)
	}
}

// N6: a custom field the account does not have is dropped without an error.
func TestNetSuite_N6_UndeclaredCustomFieldDroppedSilently(t *testing.T) {
	e := start(t, t.TempDir(), nsTenant(fixture.NetSuiteAccount{CustomFields: []string{"custbody_zuora_id"}}))
	ctx := context.Background()
	tx := invoiceWith(lines(2, "a"))
	tx.ZuoraID = "z1"
	id, err := e.ns.Upsert(ctx, netsuite.TypeInvoice, "inv-1", tx)
	if err != nil {
		t.Fatalf("an undeclared custom field is not an error: %v", err)
	}
	got, err := e.ns.GetTransaction(ctx, netsuite.TypeInvoice, id)
	if err != nil || got.ZuoraID != "z1" {
		t.Fatalf("the declared custbody field is kept: %v %+v", err, got)
	}
	for _, l := range got.Item.Items {
		if l.ZuoraItemID != "" {
			t.Errorf("custcol_zuora_item_id was stored on an account without it: %+v", l)
		}
	}
	// A fixture cannot hold a field its account does not have.
	f := nsTenant(fixture.NetSuiteAccount{CustomFields: []string{}})
	f.NetSuite.Records["customer"][0]["custentity_zuora_id"] = "A"
	sb, _ := New(Config{ZuoraAddr: "127.0.0.1:0", NetSuiteAddr: "127.0.0.1:0", DataDir: t.TempDir(), Zuora: DefaultConfig().Zuora, NetSuite: DefaultConfig().NetSuite})
	if sb != nil {
		defer sb.Close()
		if err := sb.Load(f); err == nil || !strings.Contains(err.Error(), "custentity_zuora_id") {
			t.Errorf("fixture with an undeclared custom field: %v", err)
		}
	}
}

// N7: the three refusal shapes, each retryable for the client.
func TestNetSuite_N7_AllThreeRefusalShapesAndEachRetryable(t *testing.T) {
	e := start(t, t.TempDir(), nsTenant(fixture.NetSuiteAccount{}))
	ctx := context.Background()
	for _, c := range []struct {
		shape  string
		status int
		code   string
	}{{Refusal429, 429, "CONCURRENCY_LIMIT_EXCEEDED"}, {RefusalRequestLimit, 400, "SSS_REQUEST_LIMIT_EXCEEDED"}, {RefusalInvalidLogin, 401, "INVALID_LOGIN"}} {
		// A success first: the 401 is retryable only for a client whose
		// credentials just worked.
		if _, err := e.ns.QueryPage(ctx, "SELECT id FROM customer ORDER BY id", 10, 0); err != nil {
			t.Fatal(err)
		}
		if err := e.sb.SetFaults("netsuite", Faults{RateLimitRate: 1, RefusalShape: c.shape, RefusalWait: Duration(10 * time.Millisecond)}); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err := e.ns.QueryPage(ctx, "SELECT id FROM customer ORDER BY id", 10, 0)
		ae := wantNSError(t, err, c.status, c.code, "")
		if !ae.Retryable {
			t.Errorf("%s: the client must classify the refusal retryable: %v", c.shape, err)
		}
		if c.shape == RefusalInvalidLogin && time.Since(start) < 10*time.Millisecond {
			t.Errorf("the 401 comes after a wait")
		}
		_ = e.sb.SetFaults("netsuite", Faults{})
	}
	if err := (Faults{RefusalShape: "418"}).Validate(); err == nil {
		t.Error("an unknown refusal shape must be refused")
	}
	// Without a setting each run meets one shape, chosen at start.
	if s := e.sb.ns.runRefusal; s != Refusal429 && s != RefusalRequestLimit && s != RefusalInvalidLogin {
		t.Errorf("run refusal shape %q", s)
	}
}

// N8: SuiteQL answers dates in the account's date format preference.
func TestNetSuite_N8_SuiteQLDatesInAccountFormat(t *testing.T) {
	for _, c := range []struct{ format, want string }{{"", "3/7/2026"}, {"DD.MM.YYYY", "07.03.2026"}, {"D/M/YYYY", "7/3/2026"}} {
		f := nsTenant(fixture.NetSuiteAccount{DateFormat: c.format})
		f.NetSuite.Records["invoice"] = []fixture.Record{{"id": "500", "entity": map[string]any{"id": "10"}, "tranDate": "2026-03-07",
			"lastModifiedDate": "2026-03-07T16:05:09Z", "item": map[string]any{"items": []any{map[string]any{"item": map[string]any{"id": "20"}, "amount": json.Number("1")}}}}}
		e := start(t, t.TempDir(), f)
		rows, err := e.ns.QueryAll(context.Background(), "SELECT trandate, lastmodifieddate FROM transaction WHERE id = 500 ORDER BY id")
		if err != nil || len(rows) != 1 {
			t.Fatal(err, rows)
		}
		if rows[0]["trandate"] != c.want || rows[0]["lastmodifieddate"] != c.want+" 4:05 pm" {
			t.Errorf("format %q: %v", c.format, rows[0])
		}
	}
}

// N10: two writes to one record at once: the second is refused with
// "Record has been changed", which the client classifies retryable.
func TestNetSuite_N10_ConcurrentWritesToOneRecordRecordChanged(t *testing.T) {
	e := start(t, t.TempDir(), nsTenant(fixture.NetSuiteAccount{}))
	ctx := context.Background()
	id, err := e.ns.Upsert(ctx, netsuite.TypeInvoice, "inv-1", invoiceWith(lines(1, "a")))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sb.SetFaults("netsuite", Faults{WriteLatency: Duration(300 * time.Millisecond)}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i == 1 {
				time.Sleep(50 * time.Millisecond)
			}
			errs[i] = e.ns.Patch(ctx, netsuite.TypeInvoice, id, map[string]any{"memo": fmt.Sprint("writer ", i)})
		}()
	}
	wg.Wait()
	// The second writer was refused while the first was in flight, and the
	// client's retry (the refusal is classified retryable) then went through.
	st := e.sb.Stats("netsuite")
	if errs[0] != nil || errs[1] != nil || st.Faults["recordChanged"] < 1 || st.Requests["PATCH /services/rest/record/v1/{type}/{id} 400"] < 1 {
		t.Fatalf("writers %v, %v; stats %+v", errs[0], errs[1], st)
	}
	// One writer sending its next write on each answer is never refused.
	before := st.Faults["recordChanged"]
	for i := 0; i < 5; i++ {
		if err := e.ns.Patch(ctx, netsuite.TypeInvoice, id, map[string]any{"memo": fmt.Sprint("sequential ", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if after := e.sb.Stats("netsuite").Faults["recordChanged"]; after != before {
		t.Errorf("sequential writes were refused as concurrent: %d -> %d", before, after)
	}
}

// recordChangedRate: an update refused "Record has been changed" writes
// nothing (the memo is the earlier one), and the client's retry of the
// refusal then goes through.
func TestNetSuite_N10_RecordChangedRateRefusesAnUpdateWritingNothing(t *testing.T) {
	e := start(t, t.TempDir(), nsTenant(fixture.NetSuiteAccount{}))
	ctx := context.Background()
	id, err := e.ns.Upsert(ctx, netsuite.TypeInvoice, "inv-1", invoiceWith(lines(1, "a")))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sb.SetFaults("netsuite", Faults{RecordChangedRate: 1}); err != nil {
		t.Fatal(err)
	}
	err = e.ns.Patch(ctx, netsuite.TypeInvoice, id, map[string]any{"memo": "refused"})
	var ae *netsuite.APIError
	if !errors.As(err, &ae) || ae.Code != "RCRD_HAS_BEEN_CHANGED" || !netsuite.IsRetryable(err) {
		t.Fatalf("update under recordChangedRate 1: %v, want a retryable RCRD_HAS_BEEN_CHANGED", err)
	}
	_ = e.sb.SetFaults("netsuite", Faults{})
	var tx netsuite.Transaction
	if err := e.ns.Get(ctx, netsuite.TypeInvoice, id, false, &tx); err != nil || tx.Memo == "refused" {
		t.Fatalf("the refused update was written: memo %q (%v)", tx.Memo, err)
	}
	if err := e.sb.SetFaults("netsuite", Faults{RecordChangedRate: 0.5}); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if err := e.ns.Patch(ctx, netsuite.TypeInvoice, id, map[string]any{"memo": fmt.Sprint("retried ", i)}); err != nil && !netsuite.IsRetryable(err) {
			t.Fatalf("update %d: %v", i, err)
		}
	}
	if e.sb.Stats("netsuite").Faults["recordChanged"] < 2 {
		t.Error("no update was refused at rate 0.5")
	}
}

// SELECT COUNT(*) answers one row with the count (docs/sandbox.md).
func TestNetSuite_CountAnswersOneRow(t *testing.T) {
	e := start(t, t.TempDir(), nsTenant(fixture.NetSuiteAccount{}))
	ctx := context.Background()
	rows, err := e.ns.QueryAll(ctx, "SELECT COUNT(*) FROM item")
	if err != nil || len(rows) != 1 || fmt.Sprint(rows[0]["expr1"]) != "2" {
		t.Fatalf("count: %v %v", err, rows)
	}
	rows, err = e.ns.QueryAll(ctx, "SELECT COUNT(*) AS n FROM customer")
	if err != nil || len(rows) != 1 || fmt.Sprint(rows[0]["n"]) != "1" {
		t.Fatalf("count with alias: %v %v", err, rows)
	}
}

// The metadata catalog lists the model's record types; a type's JSON schema
// has its fields, required ones, and only the account's custom fields.
func TestNetSuite_MetadataCatalogFromTheRecordModel(t *testing.T) {
	e := start(t, t.TempDir(), nsTenant(fixture.NetSuiteAccount{CustomFields: []string{"custbody_zuora_id", "custcol_zuora_item_id"}}))
	ctx := context.Background()
	var list struct {
		Items []struct {
			Name string `json:"name"`
		} `json:"items"`
	}
	get := func(typ string, out any) {
		if err := e.ns.Metadata(ctx, typ, out); err != nil {
			t.Fatal(err)
		}
	}
	get("", &list)
	names := map[string]bool{}
	for _, it := range list.Items {
		names[it.Name] = true
	}
	if !names["invoice"] || !names["customer"] || !names["creditMemo"] {
		t.Fatalf("catalog: %v", names)
	}
	var schema struct {
		Properties map[string]map[string]any `json:"properties"`
		Required   []string                  `json:"required"`
	}
	get("invoice", &schema)
	if schema.Properties["custbody_zuora_id"]["x-ns-custom-field"] != true || schema.Properties["custentity_zuora_id"] != nil ||
		schema.Properties["isTaxable"] != nil || fmt.Sprint(schema.Required) != "[entity]" {
		t.Errorf("invoice schema: required %v, properties %v", schema.Required, schema.Properties)
	}
	item := schema.Properties["item"]["properties"].(map[string]any)["items"].(map[string]any)["items"].(map[string]any)["properties"].(map[string]any)
	if item["custcol_zuora_item_id"] == nil || item["custcol_zuora_service_start"] != nil {
		t.Errorf("invoice line schema: %v", item)
	}
}

// N8: TO_CHAR reads a date in a format of one's choosing, to the second.
func TestNetSuite_N8_ToCharGivesTheFullTimestamp(t *testing.T) {
	f := nsTenant(fixture.NetSuiteAccount{})
	f.NetSuite.Records["customer"][0]["lastModifiedDate"] = "2026-03-07T16:05:09Z"
	e := start(t, t.TempDir(), f)
	rows, err := e.ns.QueryAll(context.Background(), `SELECT id, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD"T"HH24:MI:SS') AS lastmodifieddate, lastmodifieddate AS plain FROM customer ORDER BY id`)
	if err != nil || len(rows) != 1 || rows[0]["lastmodifieddate"] != "2026-03-07T16:05:09" {
		t.Fatalf("%v %v", err, rows)
	}
}
