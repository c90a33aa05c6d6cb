package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
)

// netsuiteTypes are the REST record types the emulator holds.
var netsuiteTypes = []string{
	netsuite.TypeCustomer, netsuite.TypeInvoice, netsuite.TypeCreditMemo, netsuite.TypeInventoryItem, netsuite.TypeNonInventory,
	netsuite.TypeServiceItem, netsuite.TypeLocation, netsuite.TypeClassification, netsuite.TypeDepartment, netsuite.TypeSubsidiary,
	netsuite.TypeProject, "currency", "account",
	netsuite.TypeCustomerPayment, netsuite.TypePaymentMethod, // netsuite_payments.go
	netsuite.TypeCustomerRefund, // netsuite_refunds.go
}

var itemTypes = map[string]string{netsuite.TypeInventoryItem: "InvtPart", netsuite.TypeNonInventory: "NonInvtPart", netsuite.TypeServiceItem: "Service"}

var transactionTypes = map[string]string{netsuite.TypeInvoice: "CustInvc", netsuite.TypeCreditMemo: "CustCred"}

// refTargets: which record types a reference field may point at.
var refTargets = map[string][]string{
	"entity": {netsuite.TypeCustomer}, "customer": {netsuite.TypeCustomer},
	"item":       {netsuite.TypeInventoryItem, netsuite.TypeNonInventory, netsuite.TypeServiceItem},
	"class":      {netsuite.TypeClassification},
	"department": {netsuite.TypeDepartment}, "location": {netsuite.TypeLocation}, "subsidiary": {netsuite.TypeSubsidiary},
	"job": {netsuite.TypeProject}, "currency": {"currency"},
	"custbody_zuora_related_transaction": {netsuite.TypeInvoice, netsuite.TypeCreditMemo},
	"doc":                                {netsuite.TypeInvoice, netsuite.TypeCreditMemo},
	"paymentMethod":                      {netsuite.TypePaymentMethod},
}

// lineSet is a transaction's item sublist, one bbolt key per line so
// appending a batch writes only the batch.
type lineSet struct {
	lines []Record
	pos   map[int]int      // line key -> index in lines
	byZID map[string][]int // custcol_zuora_item_id -> line keys
	next  int
	// rows caches each line as SuiteQL's transactionline shows it (nil:
	// not made yet), so a query over thousands of lines does not rebuild
	// them: the sandbox's own cost. Shared by queries: never modified.
	rows []Record
	// sum is the lines' amounts added up as they are added or replaced, so
	// a write appending a batch to a 5,000-line transaction does not add
	// up every line again (the sandbox's own cost, on the machine the
	// connector is measured on).
	sum decimal.Decimal
}

func newLineSet() *lineSet { return &lineSet{pos: map[int]int{}, byZID: map[string][]int{}, next: 1} }

func (ls *lineSet) add(l Record) int {
	n := lineNo(l)
	if n == 0 {
		n = ls.next
		l["line"] = json.Number(strconv.Itoa(n))
	}
	if n >= ls.next {
		ls.next = n + 1
	}
	ls.sum = ls.sum.Add(lineAmount(l))
	if i, ok := ls.pos[n]; ok {
		ls.sum = ls.sum.Sub(lineAmount(ls.lines[i]))
		ls.unindex(ls.lines[i], n)
		ls.lines[i] = l
		ls.rows[i] = nil
	} else {
		ls.pos[n] = len(ls.lines)
		ls.lines = append(ls.lines, l)
		ls.rows = append(ls.rows, nil)
	}
	if z := str(l["custcol_zuora_item_id"]); z != "" {
		ls.byZID[z] = append(ls.byZID[z], n)
	}
	return n
}

// row is line i as a transactionline row of transaction tx: the cached one,
// or made afresh (queries hold the read lock only, so they do not cache).
func (ls *lineSet) row(i int, tx string, sign decimal.Decimal) Record {
	if r := ls.rows[i]; r != nil {
		return r
	}
	return lineRow(tx, ls.lines[i], sign)
}

// lineSignOf is the sign lineSign gives the lines of a record of this type.
func lineSignOf(typ string) decimal.Decimal {
	if typ == netsuite.TypeCreditMemo {
		return decimal.NewFromInt(1)
	}
	return decimal.NewFromInt(-1)
}

func (ls *lineSet) unindex(l Record, n int) {
	z := str(l["custcol_zuora_item_id"])
	keys := ls.byZID[z]
	for i, k := range keys {
		if k == n {
			ls.byZID[z] = append(keys[:i:i], keys[i+1:]...)
			break
		}
	}
}

func lineNo(l Record) int {
	n, _ := strconv.Atoi(str(l["line"]))
	return n
}

func (ls *lineSet) total() decimal.Decimal { return ls.sum }

// lineAmount is a stored line's amount (zero when it has none).
func lineAmount(l Record) decimal.Decimal {
	a, _ := decimal.NewFromString(str(l["amount"]))
	return a
}

type netsuiteAPI struct {
	cfg     Config
	state   *apiState
	mu      sync.RWMutex
	db      *db
	records map[string]*table
	lines   map[string]*lineSet // transaction id -> lines
	applied applyIndex          // what credit memos apply to each invoice (apply.go)
	// refunded: what customer refunds take from each payment or credit memo (netsuite_refunds.go)
	refunded applyIndex
	acct     *nsAccount // the account's configuration (nsmodel.go)
	// busy: records a write is being applied to, for "Record has been
	// changed" when a second write to the same record overlaps (N10).
	busyUntil map[string]time.Time
	// pagingSeed varies the unordered SuiteQL row order per request (N4).
	pagingSeed uint64
	runRefusal string // N7: this run's refusal shape (netsuite_refusal.go)

	authMu    sync.Mutex
	nonces    map[string]time.Time
	m2mTokens map[string]time.Time
}

func newNetSuiteAPI(cfg Config) (*netsuiteAPI, error) {
	d, err := openDB(cfg, "netsuite.db")
	if err != nil {
		return nil, err
	}
	n := &netsuiteAPI{cfg: cfg, state: newAPIState("netsuite", cfg.NetSuiteFaults), db: d, nonces: map[string]time.Time{}, m2mTokens: map[string]time.Time{},
		acct: newNSAccount(fixture.NetSuiteAccount{}), busyUntil: map[string]time.Time{}}
	n.runRefusal = refusalShapes[n.state.pick(len(refusalShapes))]
	n.resetTables()
	err = d.load(func(bucket string, seq uint64, r Record) error {
		if bucket == accountBucket {
			var a fixture.NetSuiteAccount
			if err := remarshal(r, &a); err != nil {
				return fmt.Errorf("netsuite data file: account configuration: %w", err)
			}
			n.acct = newNSAccount(a)
			return nil
		}
		if tx, ok := strings.CutPrefix(bucket, "l:"); ok {
			ls := n.lines[tx]
			if ls == nil {
				ls = newLineSet()
				n.lines[tx] = ls
			}
			ls.add(r)
			return nil
		}
		t, ok := n.records[strings.TrimPrefix(bucket, "n:")]
		if !ok {
			return fmt.Errorf("netsuite data file holds unknown record type %q", bucket)
		}
		t.put(str(r["id"]), r, d, seq)
		return nil
	})
	if err != nil {
		_ = d.close()
		return nil, err
	}
	n.reindexApplied()
	return n, nil
}

func (n *netsuiteAPI) resetTables() {
	n.records = map[string]*table{}
	for _, t := range netsuiteTypes {
		n.records[t] = newTable("n:"+t, "externalId", "tranId", "itemId", "name")
	}
	n.lines = map[string]*lineSet{}
	n.applied = applyIndex{}
	n.refunded = applyIndex{}
}

func (n *netsuiteAPI) empty() bool {
	n.mu.RLock()
	defer n.mu.RUnlock()
	for _, t := range n.records {
		if t.len() > 0 {
			return false
		}
	}
	return true
}

func (n *netsuiteAPI) load(f fixture.NetSuite) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.db.reset(); err != nil {
		return err
	}
	n.resetTables()
	n.acct = newNSAccount(f.Account)
	acctRec := Record{}
	if err := remarshal(f.Account, &acctRec); err != nil {
		return err
	}
	types := make([]string, 0, len(f.Records))
	for t := range f.Records {
		types = append(types, t)
	}
	sort.Strings(types)
	changes := []change{{bucket: accountBucket, seq: 1, rec: acctRec}}
	for _, typ := range types {
		t, ok := n.records[typ]
		if !ok {
			return fmt.Errorf("fixture: unknown NetSuite record type %q", typ)
		}
		for i, r := range f.Records[typ] {
			id := str(r["id"])
			if _, err := strconv.ParseUint(id, 10, 64); err != nil {
				return fmt.Errorf("fixture: %s record %d: id %q is not a numeric internal id", typ, i, id)
			}
			seq, _ := strconv.ParseUint(id, 10, 64)
			if seq > n.db.seq {
				n.db.seq = seq
			}
			rec := Record{}
			for k, v := range r {
				if isCustomField(k) && !n.acct.hasCustom(k, typ, false) {
					return fmt.Errorf("fixture: %s %s has custom field %s, which netsuite.account.customFields does not declare (a real account cannot hold it)", typ, id, k)
				}
				rec[k] = v
			}
			if _, isTx := transactionTypes[typ]; isTx {
				c, err := n.setLines(typ, id, rec, sublistItems(rec["item"]), true)
				if err != nil {
					return fmt.Errorf("fixture: %s %s: %w", typ, id, err)
				}
				changes = append(changes, c...)
			}
			changes = append(changes, t.put(id, rec, n.db, seq))
		}
	}
	n.reindexApplied()
	return n.db.write(changes...)
}

func (n *netsuiteAPI) handler() http.Handler {
	mux := http.NewServeMux()
	adminRoutes(mux, n.state)
	const base = "/services/rest"
	mux.HandleFunc("POST "+base+"/auth/oauth2/v1/token", n.m2mToken)
	mux.HandleFunc("POST "+base+"/record/v1/{type}", n.auth(n.create))
	mux.HandleFunc("GET "+base+"/record/v1/{type}/{id}", n.auth(n.get))
	mux.HandleFunc("PUT "+base+"/record/v1/{type}/{id}", n.auth(n.upsert))
	mux.HandleFunc("PATCH "+base+"/record/v1/{type}/{id}", n.auth(n.patch))
	mux.HandleFunc("DELETE "+base+"/record/v1/{type}/{id}", n.auth(n.delete))
	mux.HandleFunc("POST "+base+"/query/v1/suiteql", n.auth(n.suiteql))
	mux.HandleFunc("GET "+base+"/record/v1/metadata-catalog", n.auth(n.serveCatalog))
	mux.HandleFunc("GET "+base+"/record/v1/metadata-catalog/{type}", n.auth(n.serveRecordSchema))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		nsError(w, 404, "NONEXISTENT_ID", "", fmt.Sprintf("The requested resource %s %s does not exist.", r.Method, r.URL.Path))
	})
	return n.state.withFaults(mux, faultErrors{
		rateLimited: func(w http.ResponseWriter) { n.refuse(w, "Request limit exceeded. Try again later.") },
		serverError: func(w http.ResponseWriter, status int) {
			if status != 500 {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(status)
				_, _ = fmt.Fprintf(w, "<html><head><title>%d</title></head><body>Service Unavailable</body></html>", status)
				return
			}
			nsError(w, 500, "UNEXPECTED_ERROR", "", "An unexpected error occurred. Error ID: "+newHex(6))
		},
		overLimit: func(w http.ResponseWriter) { n.refuse(w, "Concurrent request limit exceeded. Request blocked.") },
	})
}

// nsError writes NetSuite's error body.
func nsError(w http.ResponseWriter, status int, code, path, detail string) {
	title := http.StatusText(status)
	d := map[string]any{"detail": detail, "o:errorCode": code}
	if path != "" {
		d["o:errorPath"] = path
	}
	w.Header().Set("Content-Type", "application/vnd.oracle.resource+json; type=error")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"type":  "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4." + strconv.Itoa(status-399),
		"title": title, "status": status, "o:errorDetails": []any{d},
	})
}

// badRequest is a 400 naming the field path.
type badRequest struct{ code, path, detail string }

func (b *badRequest) Error() string { return b.detail }

func (n *netsuiteAPI) typeOf(w http.ResponseWriter, r *http.Request) (string, *table, bool) {
	typ := r.PathValue("type")
	for name, t := range n.records {
		if strings.EqualFold(name, typ) {
			return name, t, true
		}
	}
	nsError(w, 404, "INVALID_RCRD_TYPE", "", fmt.Sprintf("Record type '%s' does not exist.", typ))
	return "", nil, false
}

// find resolves "123" or "eid:X" to the record id.
func (n *netsuiteAPI) find(t *table, key string) (string, bool) {
	if eid, ok := strings.CutPrefix(key, "eid:"); ok {
		recs, _ := t.lookup("externalId", []string{eid})
		if len(recs) == 0 {
			return "", false
		}
		return str(recs[0]["id"]), true
	}
	_, ok := t.byID[key]
	return key, ok
}

func (n *netsuiteAPI) location(w http.ResponseWriter, r *http.Request, typ, id string) {
	w.Header().Set("Location", "http://"+r.Host+"/services/rest/record/v1/"+typ+"/"+id)
	w.WriteHeader(http.StatusNoContent)
}

// recordRequest resolves the record type and reads the JSON body of a write.
func (n *netsuiteAPI) recordRequest(w http.ResponseWriter, r *http.Request) (string, *table, Record, bool) {
	typ, t, ok := n.typeOf(w, r)
	if !ok {
		return "", nil, nil, false
	}
	var body Record
	if err := decodeBody(r, &body); err != nil {
		nsError(w, 400, "INVALID_CONTENT", "", err.Error())
		return "", nil, nil, false
	}
	return typ, t, body, true
}

func (n *netsuiteAPI) create(w http.ResponseWriter, r *http.Request) {
	typ, t, body, ok := n.recordRequest(w, r)
	if !ok {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	id, err := n.write(typ, t, "", body, false, nil)
	if err != nil {
		n.writeError(w, err)
		return
	}
	n.location(w, r, typ, id)
}

func (n *netsuiteAPI) upsert(w http.ResponseWriter, r *http.Request) {
	typ, t, body, ok := n.recordRequest(w, r)
	if !ok {
		return
	}
	eid, isEID := strings.CutPrefix(r.PathValue("id"), "eid:")
	if !isEID || eid == "" {
		nsError(w, 400, "INVALID_REQUEST", "", "PUT (upsert) needs an external id: /record/v1/"+typ+"/eid:<externalId>")
		return
	}
	replace := replaceParam(r)
	n.mu.Lock()
	defer n.mu.Unlock()
	body["externalId"] = eid
	existing, found := n.find(t, "eid:"+eid)
	if !found {
		existing = ""
	} else if !n.claim(w, r, typ, existing) {
		return
	}
	// N2: an upsert that updates merges like PATCH: sublists it names in
	// ?replace= are replaced, other (non-keyed) lines are appended.
	id, err := n.write(typ, t, existing, body, false, replace)
	if err != nil {
		n.writeError(w, err)
		return
	}
	n.location(w, r, typ, id)
}

func (n *netsuiteAPI) patch(w http.ResponseWriter, r *http.Request) {
	typ, t, body, ok := n.recordRequest(w, r)
	if !ok {
		return
	}
	replace := replaceParam(r)
	n.mu.Lock()
	defer n.mu.Unlock()
	id, found := n.find(t, r.PathValue("id"))
	if !found {
		nsError(w, 404, "NONEXISTENT_ID", "", fmt.Sprintf("The record instance %s of type %s does not exist.", r.PathValue("id"), typ))
		return
	}
	if !n.claim(w, r, typ, id) {
		return
	}
	if _, err := n.write(typ, t, id, body, false, replace); err != nil {
		n.writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// replaceParam reads ?replace=item,apply (the sublists a write replaces).
func replaceParam(r *http.Request) map[string]bool {
	replace := map[string]bool{}
	for _, s := range strings.Split(r.URL.Query().Get("replace"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			replace[s] = true
		}
	}
	return replace
}

// claim marks a record as being written until this write's answer is due
// (the write latency). A second write that arrives before then is refused
// as NetSuite refuses concurrent edits of one record (N10: "Record has been
// changed", NetSweet/netsuite utilities.rb retries it). Called under n.mu.
func (n *netsuiteAPI) claim(w http.ResponseWriter, r *http.Request, typ, id string) bool {
	key := typ + "/" + id
	now := time.Now()
	if until, ok := n.busyUntil[key]; (ok && now.Before(until)) || n.state.roll(n.state.getFaults().RecordChangedRate) {
		n.state.injectedFault("recordChanged")
		nsError(w, 400, "RCRD_HAS_BEEN_CHANGED", "", "Record has been changed")
		return false
	}
	// Busy until this write's answer is sent (a little before, so a writer
	// that sends its next write on the answer is never refused).
	if at, ok := r.Context().Value(answerAtKey{}).(time.Time); ok && at.Sub(now) > time.Millisecond {
		n.busyUntil[key] = at.Add(-time.Millisecond)
		if len(n.busyUntil) > 10000 {
			for k, u := range n.busyUntil {
				if now.After(u) {
					delete(n.busyUntil, k)
				}
			}
		}
	}
	return true
}

func (n *netsuiteAPI) delete(w http.ResponseWriter, r *http.Request) {
	typ, t, ok := n.typeOf(w, r)
	if !ok {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	id, found := n.find(t, r.PathValue("id"))
	if !found {
		nsError(w, 404, "NONEXISTENT_ID", "", fmt.Sprintf("The record instance %s of type %s does not exist.", r.PathValue("id"), typ))
		return
	}
	var changes []change
	if typ == netsuite.TypeCreditMemo || typ == netsuite.TypeCustomerPayment {
		changes = n.unindexApply(id, t.byID[id])
	}
	if typ == netsuite.TypeCustomerRefund {
		changes = n.unindexRefund(id, t.byID[id])
	}
	c, _ := t.remove(id)
	changes = append(changes, c)
	if ls, ok := n.lines[id]; ok {
		for _, l := range ls.lines {
			changes = append(changes, change{bucket: "l:" + id, seq: uint64(lineNo(l))})
		}
		delete(n.lines, id)
	}
	if err := n.db.write(changes...); err != nil {
		nsError(w, 500, "UNEXPECTED_ERROR", "", err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (n *netsuiteAPI) writeError(w http.ResponseWriter, err error) {
	if b, ok := err.(*badRequest); ok {
		nsError(w, 400, b.code, b.path, b.detail)
		return
	}
	nsError(w, 500, "UNEXPECTED_ERROR", "", err.Error())
}

// write creates (id "") or updates a record. upsert=true: sublists given
// replace the record's; otherwise (PATCH) rows with a line key update that
// line, rows without are appended, and replace names sublists to replace.
func (n *netsuiteAPI) write(typ string, t *table, id string, body Record, upsert bool, replace map[string]bool) (string, error) {
	_, isTx := transactionTypes[typ]
	var items []Record
	hasItems := false
	if isTx {
		if v, ok := body["item"]; ok {
			hasItems = true
			items = sublistItems(v)
			if items == nil && v != nil {
				return "", &badRequest{"INVALID_FLD_VALUE", "item", "item must be a sublist: {\"items\": [...]}"}
			}
			delete(body, "item")
		}
	}
	var applyRows, refundRows []Record
	var hasApply, hasRefundApply bool
	var err error
	if typ == netsuite.TypeCustomerRefund {
		refundRows, hasRefundApply, err = n.takeRefundApply(body)
	} else {
		applyRows, hasApply, err = n.takeApply(typ, body)
	}
	if err != nil {
		return "", err
	}
	n.acct.dropUndeclared(typ, body, false)
	n.acct.dropLockedNumber(typ, body)
	if err := n.acct.checkFields(typ, body, ""); err != nil {
		return "", err
	}
	if err := n.checkRefs(body, ""); err != nil {
		return "", err
	}
	for i, l := range items {
		n.acct.dropUndeclared(typ, l, true)
		if err := n.acct.checkFields(typ, l, fmt.Sprintf("item.items[%d].", i)); err != nil {
			return "", err
		}
		if err := n.checkRefs(l, fmt.Sprintf("item.items[%d].", i)); err != nil {
			return "", err
		}
		if _, err := decimal.NewFromString(str(l["amount"])); err != nil && (id == "" || lineNo(l) == 0) {
			return "", &badRequest{"INVALID_FLD_VALUE", fmt.Sprintf("item.items[%d].amount", i), fmt.Sprintf("Invalid amount %v: a line needs a numeric amount.", l["amount"])}
		}
	}
	now := time.Now().UTC().Format("2006-01-02T15:04:05Z")
	var rec Record
	creating := id == ""
	if creating {
		id = strconv.FormatUint(n.db.next(), 10)
		rec = Record{"id": id, "dateCreated": now}
	} else {
		old := t.byID[id]
		rec = make(Record, len(old)+len(body))
		for k, v := range old {
			rec[k] = v
		}
	}
	for k, v := range body {
		if k == "id" || k == "links" || k == "total" || k == "amountRemaining" {
			continue
		}
		rec[k] = v
	}
	if err := n.checkRequired(typ, rec); err != nil {
		return "", err
	}
	rec["lastModifiedDate"] = now
	if eid := str(rec["externalId"]); eid != "" {
		if recs, _ := t.lookup("externalId", []string{eid}); len(recs) > 0 && str(recs[0]["id"]) != id {
			return "", &badRequest{"DUP_RCRD", "externalId", fmt.Sprintf("A record with external id %s already exists.", eid)}
		}
	}
	if isTx {
		prefix := map[string]string{netsuite.TypeInvoice: "INV", netsuite.TypeCreditMemo: "CM"}[typ]
		if str(rec["tranId"]) == "" {
			rec["tranId"] = prefix + id
		} else if recs, _ := t.lookup("tranId", []string{str(rec["tranId"])}); len(recs) > 0 && str(recs[0]["id"]) != id {
			return "", &badRequest{"DUP_RCRD", "tranId", fmt.Sprintf("This record already exists: transaction number %s is used by %s %s.", rec["tranId"], typ, recs[0]["id"])}
		}
	}
	if typ == netsuite.TypeCustomer && str(rec["entityId"]) == "" {
		rec["entityId"] = "CUST" + id
	}
	var commitApply func() []change
	var payment decimal.Decimal
	if typ == netsuite.TypeCustomerPayment {
		if payment, err = paymentTotal(rec); err != nil {
			return "", err
		}
		if hasApply {
			// Refunded money is gone from the payment: it cannot be applied again.
			if err := checkPaymentApply(mergeApply(sublistItems(rec["apply"]), applyRows, creating || upsert || replace["apply"]), payment, n.refunded.total(id)); err != nil {
				return "", err
			}
		}
	}
	var commitRefund func() []change
	if typ == netsuite.TypeCustomerRefund && (creating || hasRefundApply) {
		if commitRefund, err = n.checkRefund(id, rec, mergeApply(sublistItems(rec["apply"]), refundRows, creating || upsert || replace["apply"])); err != nil {
			return "", err
		}
	}
	if hasApply {
		total := n.prospectiveTotal(id, items, hasItems, creating || upsert || replace["item"])
		if typ == netsuite.TypeCustomerPayment {
			total = payment
		}
		if typ == netsuite.TypeCreditMemo {
			total = total.Sub(n.refunded.total(id)) // refunded credit is gone
		}
		if commitApply, err = n.checkApply(id, rec, mergeApply(sublistItems(rec["apply"]), applyRows, creating || upsert || replace["apply"]), total); err != nil {
			return "", err
		}
	}
	if isTx && hasItems {
		if err := n.checkCeiling(typ, id, items, creating || upsert || replace["item"]); err != nil {
			return "", err
		}
	}
	var changes []change
	if isTx {
		if creating || hasItems {
			c, err := n.setLines(typ, id, rec, items, creating || upsert || replace["item"])
			if err != nil {
				return "", err
			}
			changes = append(changes, c...)
		} else {
			n.setTotal(typ, id, rec)
		}
	}
	if commitApply != nil {
		// Checked before the lines changed; the totals now see the new rows.
		changes = append(changes, commitApply()...)
		n.setTotal(typ, id, rec)
	}
	if typ == netsuite.TypeCustomerPayment {
		n.setPaymentTotals(rec, payment)
	}
	if commitRefund != nil {
		changes = append(changes, commitRefund()...)
	}
	changes = append(changes, t.put(id, rec, n.db, 0))
	return id, n.db.write(changes...)
}

// checkCeiling refuses a write that would leave a transaction with more
// lines than the account's ceiling, before anything changes (N1: "the limit
// is 5,000 lines per transaction" for CSV import and SOAP; REST is not named,
// hostile reading: the same limit). Line keys that update a line add none.
func (n *netsuiteAPI) checkCeiling(typ, id string, rows []Record, replaceAll bool) error {
	count := 0
	if ls := n.lines[id]; ls != nil && !replaceAll {
		count = len(ls.lines)
	}
	for _, r := range rows {
		if lineNo(r) == 0 || replaceAll {
			count++
		}
	}
	if count > n.acct.LineCeiling {
		return &badRequest{"USER_ERROR", "item", fmt.Sprintf(
			"You have exceeded the maximum number of lines (%d) allowed on a transaction: this %s would have %d lines.", n.acct.LineCeiling, typ, count)}
	}
	return nil
}

// setLines replaces or appends/updates the transaction's lines and its total.
func (n *netsuiteAPI) setLines(typ, id string, header Record, rows []Record, replaceAll bool) ([]change, error) {
	ls := n.lines[id]
	var changes []change
	if ls == nil || replaceAll {
		if ls != nil {
			for _, l := range ls.lines {
				changes = append(changes, change{bucket: "l:" + id, seq: uint64(lineNo(l))})
			}
		}
		ls = newLineSet()
		n.lines[id] = ls
	}
	for i, row := range rows {
		l := Record{}
		if k := lineNo(row); k > 0 && !replaceAll {
			i0, ok := ls.pos[k]
			if !ok {
				return nil, &badRequest{"INVALID_FLD_VALUE", fmt.Sprintf("item.items[%d].line", i), fmt.Sprintf("There is no line %d on %s %s.", k, typ, id)}
			}
			for kk, v := range ls.lines[i0] {
				l[kk] = v
			}
		} else {
			delete(row, "line")
		}
		for k, v := range row {
			l[k] = v
		}
		if l["item"] == nil {
			return nil, &badRequest{"USER_ERROR", fmt.Sprintf("item.items[%d].item", i), "Please enter value(s) for: Item"}
		}
		k := ls.add(l)
		changes = append(changes, change{bucket: "l:" + id, seq: uint64(k), rec: l})
		// Made as the line is written (under the write lock), so a query
		// over the record's lines later only reads them.
		ls.rows[ls.pos[k]] = lineRow(id, l, lineSignOf(typ))
	}
	n.setTotalFrom(header, ls)
	return changes, nil
}

func (n *netsuiteAPI) setTotal(typ, id string, rec Record) {
	if ls := n.lines[id]; ls != nil {
		n.setTotalFrom(rec, ls)
	}
}

func (n *netsuiteAPI) setTotalFrom(rec Record, ls *lineSet) {
	total := ls.total()
	rec["total"] = json.Number(total.StringFixed(2))
	rec["amountRemaining"] = json.Number(n.remaining(rec, total).StringFixed(2))
}

// remarshal converts between JSON shapes (a stored Record and a struct).
func remarshal(from, to any) error {
	b, err := json.Marshal(from)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, to)
}

// accountBucket holds the account configuration of the loaded fixture.
const accountBucket = "m:account"

func sublistItems(v any) []Record {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	raw, ok := m["items"].([]any)
	if !ok {
		return nil
	}
	out := make([]Record, 0, len(raw))
	for _, x := range raw {
		r, ok := x.(map[string]any)
		if !ok {
			return nil
		}
		out = append(out, r)
	}
	return out
}

// checkRefs refuses references to records that do not exist, naming the path.
func (n *netsuiteAPI) checkRefs(rec Record, prefix string) error {
	for field, targets := range refTargets {
		v, ok := rec[field]
		if !ok || v == nil {
			continue
		}
		ref, ok := v.(map[string]any)
		if !ok {
			return &badRequest{"INVALID_FLD_VALUE", prefix + field, fmt.Sprintf("Invalid value for %s: a reference is {\"id\": \"...\"}.", field)}
		}
		id, eid := str(ref["id"]), str(ref["externalId"])
		found := false
		for _, tt := range targets {
			t := n.records[tt]
			if id != "" {
				if _, ok := t.byID[id]; ok {
					found = true
				}
			} else if eid != "" {
				if recs, _ := t.lookup("externalId", []string{eid}); len(recs) > 0 {
					ref["id"] = str(recs[0]["id"])
					found = true
				}
			}
			if found {
				break
			}
		}
		if !found {
			return &badRequest{"INVALID_KEY_OR_REF", prefix + field, fmt.Sprintf("Invalid %s reference key %s%s.", field, id, eid)}
		}
	}
	return nil
}

func (n *netsuiteAPI) get(w http.ResponseWriter, r *http.Request) {
	typ, t, ok := n.typeOf(w, r)
	if !ok {
		return
	}
	n.mu.RLock()
	defer n.mu.RUnlock()
	id, found := n.find(t, r.PathValue("id"))
	if !found {
		nsError(w, 404, "NONEXISTENT_ID", "", fmt.Sprintf("The record instance %s of type %s does not exist.", r.PathValue("id"), typ))
		return
	}
	self := "http://" + r.Host + "/services/rest/record/v1/" + typ + "/" + id
	out := Record{"links": []any{map[string]any{"rel": "self", "href": self}}}
	for k, v := range t.byID[id] {
		out[k] = n.withRefName(k, v)
	}
	if _, isTx := transactionTypes[typ]; isTx {
		if r.URL.Query().Get("expandSubResources") == "true" {
			var items []any
			if ls := n.lines[id]; ls != nil {
				for _, l := range ls.lines {
					row := Record{}
					for k, v := range l {
						row[k] = n.withRefName(k, v)
					}
					items = append(items, row)
				}
			}
			if items == nil {
				items = []any{}
			}
			out["item"] = map[string]any{"links": []any{map[string]any{"rel": "self", "href": self + "/item"}}, "items": items, "totalResults": len(items)}
		} else {
			out["item"] = map[string]any{"links": []any{map[string]any{"rel": "self", "href": self + "/item"}}}
		}
		n.expandApply(out, self, r.URL.Query().Get("expandSubResources") == "true")
	}
	writeJSON(w, 200, out)
}

// withRefName adds refName to a reference, as NetSuite's GET does.
func (n *netsuiteAPI) withRefName(field string, v any) any {
	targets, ok := refTargets[field]
	ref, isMap := v.(map[string]any)
	if !ok || !isMap {
		return v
	}
	out := map[string]any{}
	for k, x := range ref {
		out[k] = x
	}
	for _, tt := range targets {
		if rec, ok := n.records[tt].byID[str(ref["id"])]; ok {
			for _, f := range []string{"name", "itemId", "companyName", "entityId", "tranId"} {
				if s := str(rec[f]); s != "" {
					out["refName"] = s
					break
				}
			}
			break
		}
	}
	return out
}
