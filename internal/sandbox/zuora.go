package sandbox

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/zuora-netsuite/connector/internal/sandbox/query"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/sandbox/zuoramodel"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// zuoraObjects are the objects the emulator holds, with their indexed
// fields and /v1/object path. Their fields come from the object model table
// (zuoramodel), never from the connector's structs.
var zuoraObjects = map[string]struct {
	indexed []string
	path    string // /v1/object/{path}
}{
	zuora.ObjAccount:               {nil, "account"},
	zuora.ObjInvoice:               {[]string{"InvoiceNumber", "AccountId"}, "invoice"},
	zuora.ObjInvoiceItem:           {[]string{"InvoiceId"}, "invoice-item"},
	zuora.ObjTaxationItem:          {[]string{"InvoiceItemId", "InvoiceId"}, "taxation-item"},
	zuora.ObjInvoiceItemAdjustment: {[]string{"InvoiceId"}, "invoice-item-adjustment"},
	zuora.ObjSubscription:          {nil, "subscription"},
	zuora.ObjRatePlanCharge:        {nil, "rate-plan-charge"},
	zuora.ObjProduct:               {nil, "product"},
	zuora.ObjProductRatePlan:       {nil, "product-rate-plan"},
	zuora.ObjProductRatePlanCharge: {nil, "product-rate-plan-charge"},
	"ProductRatePlanChargeTier":    {[]string{"ProductRatePlanChargeId"}, ""},
	zuora.ObjPayment:               {[]string{"AccountId"}, "payment"},
	zuora.ObjPaymentRun:            {nil, ""},
	zuora.ObjInvoicePayment:        {[]string{"PaymentId", "InvoiceId"}, "invoice-payment"},
	zuora.ObjPaymentMethod:         {[]string{"AccountId"}, ""},
	zuora.ObjRefund:                {[]string{"AccountId", "PaymentId"}, "refund"},
	zuora.ObjRefundInvoicePayment:  {[]string{"RefundId", "InvoicePaymentId"}, ""},
	zuora.ObjCreditMemo:            {[]string{"accountId"}, ""},
	creditMemoItemTable:            {[]string{"creditMemoId"}, ""},
	zuora.ObjDebitMemo:             {[]string{"accountId"}, ""},
	debitMemoItemTable:             {[]string{"debitMemoId"}, ""},
	debitMemoTaxTable:              {[]string{"debitMemoItemId"}, ""},
	creditMemoPartTable:            {[]string{"creditMemoId"}, ""},
	creditMemoTaxTable:             {[]string{"creditMemoItemId"}, ""},
	paymentPartTable:               {[]string{"paymentId"}, ""},
}

const tenantTable = "_Tenant"

// schema is obj's fields on this tenant: the model table plus the custom
// fields (__c) the tenant declares. Callers hold z.mu.
func (z *zuoraAPI) schema(obj string) *zuoramodel.Schema {
	s, ok := zuoramodel.For(obj, z.tenant.CustomFields[obj])
	if !ok {
		panic("sandbox: object " + obj + " is not in the Zuora object model table")
	}
	return s
}

type zuoraToken struct {
	client  string
	expires time.Time
}

type zuoraCursor struct {
	sel     *query.Select // projects records as their page is served
	records []Record
	total   int // the whole query's row count
	used    time.Time
}

type idemEntry struct {
	hash     string // of method, URL and body
	status   int
	body     []byte
	at       time.Time
	inFlight bool
}

type zuoraAPI struct {
	cfg    Config
	state  *apiState
	mu     sync.RWMutex
	db     *db
	tables map[string]*table // object name -> table
	byPath map[string]string // kebab path -> object
	tenant fixture.TenantSettings

	authMu      sync.Mutex
	clients     map[string]string // client id -> secret
	tokens      map[string]zuoraToken
	cursors     map[string]*zuoraCursor
	idem        map[string]idemEntry
	invoiceN    int
	bigInFlight atomic.Int64 // ZOQL calls in flight (Z8 "Big Process")
}

func newZuoraAPI(cfg Config) (*zuoraAPI, error) {
	d, err := openDB(cfg, "zuora.db")
	if err != nil {
		return nil, err
	}
	z := &zuoraAPI{cfg: cfg, state: newAPIState("zuora", cfg.ZuoraFaults), db: d, tables: map[string]*table{},
		byPath: map[string]string{}, clients: map[string]string{cfg.Zuora.ClientID: cfg.Zuora.ClientSecret},
		tokens: map[string]zuoraToken{}, cursors: map[string]*zuoraCursor{}, idem: map[string]idemEntry{}}
	z.resetTables()
	for obj, o := range zuoraObjects {
		if o.path != "" {
			z.byPath[o.path] = obj
		}
	}
	err = d.load(func(bucket string, seq uint64, r Record) error {
		obj := strings.TrimPrefix(bucket, "z:")
		if obj == tenantTable {
			b, _ := json.Marshal(r)
			return json.Unmarshal(b, &z.tenant)
		}
		t, ok := z.tables[obj]
		if !ok {
			return fmt.Errorf("zuora data file holds unknown object %q", obj)
		}
		t.put(str(r[idField(obj)]), r, d, seq)
		return nil
	})
	if err != nil {
		_ = d.close()
		return nil, err
	}
	return z, nil
}

func idField(obj string) string {
	if obj == zuora.ObjCreditMemo || obj == zuora.ObjDebitMemo || obj == debitMemoItemTable || obj == debitMemoTaxTable || obj == creditMemoPartTable || obj == creditMemoTaxTable || obj == paymentPartTable {
		return "id"
	}
	return "Id"
}

func (z *zuoraAPI) resetTables() {
	z.tables = map[string]*table{}
	for obj, o := range zuoraObjects {
		z.tables[obj] = newTable("z:"+obj, o.indexed...)
	}
}

func (z *zuoraAPI) empty() bool {
	z.mu.RLock()
	defer z.mu.RUnlock()
	for _, t := range z.tables {
		if t.len() > 0 {
			return false
		}
	}
	return true
}

// load replaces the tenant.
func (z *zuoraAPI) load(f fixture.Zuora) error {
	z.mu.Lock()
	defer z.mu.Unlock()
	if err := z.db.reset(); err != nil {
		return err
	}
	z.resetTables()
	z.tenant = f.Settings
	names := make([]string, 0, len(f.Objects))
	for obj := range f.Objects {
		names = append(names, obj)
	}
	sort.Strings(names)
	var changes []change
	for _, obj := range names {
		t, ok := z.tables[obj]
		if !ok {
			return fmt.Errorf("fixture: unknown Zuora object %q", obj)
		}
		for i, r := range f.Objects[obj] {
			id := str(r[idField(obj)])
			if id == "" {
				return fmt.Errorf("fixture: %s record %d has no %s", obj, i, idField(obj))
			}
			changes = append(changes, t.put(id, r, z.db, 0))
			if len(changes) >= 20000 {
				if err := z.db.write(changes...); err != nil {
					return err
				}
				changes = changes[:0]
			}
		}
	}
	changes = append(changes, z.tenantChange())
	return z.db.write(changes...)
}

func (z *zuoraAPI) tenantChange() change {
	b, _ := json.Marshal(z.tenant)
	var r Record
	_ = json.Unmarshal(b, &r)
	return change{bucket: "z:" + tenantTable, seq: 1, rec: r}
}

func (z *zuoraAPI) handler() http.Handler {
	mux := http.NewServeMux()
	adminRoutes(mux, z.state)
	mux.HandleFunc("PUT /_sandbox/tenant", z.putTenant)
	mux.HandleFunc("GET /_sandbox/tenant", func(w http.ResponseWriter, r *http.Request) {
		z.mu.RLock()
		defer z.mu.RUnlock()
		writeJSON(w, 200, z.tenant)
	})
	mux.HandleFunc("POST /_sandbox/oauth-clients", z.createClient)
	mux.HandleFunc("DELETE /_sandbox/oauth-clients/{id}", z.deleteClient)
	mux.HandleFunc("POST /_sandbox/expire-tokens", func(w http.ResponseWriter, r *http.Request) {
		z.authMu.Lock()
		n := len(z.tokens)
		z.tokens = map[string]zuoraToken{}
		z.authMu.Unlock()
		writeJSON(w, 200, map[string]int{"expired": n})
	})
	mux.HandleFunc("POST /oauth/token", z.token)
	mux.HandleFunc("POST /v1/action/query", z.auth(z.query))
	mux.HandleFunc("POST /v1/action/queryMore", z.auth(z.queryMore))
	mux.HandleFunc("GET /v1/object/{type}/{id}", z.auth(z.getObject))
	mux.HandleFunc("PUT /v1/object/{type}/{id}", z.auth(z.putObject))
	mux.HandleFunc("POST /v1/object/{type}", z.auth(z.idempotent(z.createObject)))
	mux.HandleFunc("GET /v1/describe/{object}", z.auth(z.describe))
	mux.HandleFunc("GET /v1/invoices/{key}", z.auth(z.getInvoice))
	mux.HandleFunc("PUT /v1/invoices/{key}", z.auth(z.putInvoice))
	mux.HandleFunc("GET /v1/invoices/{key}/items", z.auth(z.invoiceItems))
	mux.HandleFunc("GET /v1/invoices/{key}/items/{item}/taxation-items", z.auth(z.taxationItems))
	z.creditMemoRoutes(mux)
	z.debitMemoRoutes(mux)
	z.paymentRoutes(mux)
	z.paymentISRoutes(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		z.restError(w, 404, "50000040", fmt.Sprintf("no such resource: %s %s", r.Method, r.URL.Path))
	})
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Zuora-Request-Id", newUUID())
		if t := r.Header.Get("Zuora-Track-Id"); t != "" {
			w.Header().Set("Zuora-Track-Id", t)
		}
		if z.lockFault(w, r) {
			return
		}
		mux.ServeHTTP(w, r)
	})
	return z.bigProcess(z.state.withFaults(inner, faultErrors{
		rateLimited: func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "1")
			w.Header().Set("RateLimit-Reset", "1")
			writeJSON(w, 429, map[string]string{"code": "REQUEST_EXCEEDED_LIMIT",
				"message": "Your total number of concurrent requests have exceeded the limit allowed by the system. Please resubmit your request later."})
		},
		serverError: func(w http.ResponseWriter, status int) {
			if status == 502 {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(status)
				_, _ = w.Write([]byte("<html><body><h1>502 Bad Gateway</h1></body></html>"))
				return
			}
			writeJSON(w, status, map[string]string{"message": "An internal error occurred. Please try again later."})
		},
		overLimit: func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, 429, map[string]string{"code": "REQUEST_EXCEEDED_LIMIT",
				"message": "Your total number of concurrent requests have exceeded the limit allowed by the system. Please resubmit your request later."})
		},
	}))
}

// ---- errors ----

func (z *zuoraAPI) objectError(w http.ResponseWriter, status int, msg string) {
	z.objectErrorCode(w, status, "INVALID_VALUE", msg)
}

func (z *zuoraAPI) objectErrorCode(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"Success": false, "Errors": []map[string]string{{"Code": code, "Message": msg}}})
}

func (z *zuoraAPI) restError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"success": false, "processId": newHex(8), "requestId": newUUID(),
		"reasons": []map[string]any{{"code": code, "message": msg}}})
}

// ---- auth ----

func (z *zuoraAPI) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, 400, map[string]string{"error": "invalid_request", "error_description": err.Error()})
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		writeJSON(w, 400, map[string]string{"error": "unsupported_grant_type", "error_description": "grant_type must be client_credentials"})
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	z.authMu.Lock()
	defer z.authMu.Unlock()
	if want, ok := z.clients[id]; !ok || want != secret || id == "" {
		writeJSON(w, 401, map[string]string{"error": "invalid_client", "error_description": "Invalid client credentials"})
		return
	}
	ttl := time.Duration(z.state.getFaults().TokenTTL)
	if ttl <= 0 {
		ttl = time.Hour
	}
	tok := newHex(16)
	z.tokens[tok] = zuoraToken{client: id, expires: time.Now().Add(ttl)}
	writeJSON(w, 200, map[string]any{"access_token": tok, "token_type": "bearer", "expires_in": int(ttl.Seconds()) - 1, "scope": "entity.1 platform.write service.usage.delete tenant.1 user.1", "jti": newHex(8)})
}

func (z *zuoraAPI) auth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		z.authMu.Lock()
		t, known := z.tokens[tok]
		_, clientOK := z.clients[t.client]
		z.authMu.Unlock()
		if !ok || !known || !clientOK || time.Now().After(t.expires) {
			w.Header().Set("WWW-Authenticate", "Basic realm=Zuora API, ZSession realm=Zuora API, Bearer realm=Zuora API")
			writeJSON(w, 401, map[string]string{"message": "Authentication error"})
			return
		}
		next(w, r)
	}
}

func (z *zuoraAPI) createClient(w http.ResponseWriter, r *http.Request) {
	id, secret := "client-"+newHex(8), newHex(16)
	z.authMu.Lock()
	z.clients[id] = secret
	z.authMu.Unlock()
	writeJSON(w, 201, map[string]string{"client_id": id, "client_secret": secret})
}

func (z *zuoraAPI) deleteClient(w http.ResponseWriter, r *http.Request) {
	z.authMu.Lock()
	defer z.authMu.Unlock()
	id := r.PathValue("id")
	if _, ok := z.clients[id]; !ok {
		writeJSON(w, 404, map[string]string{"error": "no such client " + id})
		return
	}
	delete(z.clients, id)
	w.WriteHeader(204)
}

func (z *zuoraAPI) putTenant(w http.ResponseWriter, r *http.Request) {
	z.mu.Lock()
	defer z.mu.Unlock()
	t := z.tenant
	if err := decodeBody(r, &t); err != nil {
		writeJSON(w, 400, map[string]string{"error": err.Error()})
		return
	}
	z.tenant = t
	if err := z.db.write(z.tenantChange()); err != nil {
		writeJSON(w, 500, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, 200, t)
}

// ---- objects ----

func (z *zuoraAPI) objectOf(w http.ResponseWriter, r *http.Request) (string, bool) {
	obj, ok := z.byPath[r.PathValue("type")]
	if !ok {
		z.objectError(w, 404, fmt.Sprintf("no object type %q", r.PathValue("type")))
	}
	return obj, ok
}

func (z *zuoraAPI) getObject(w http.ResponseWriter, r *http.Request) {
	obj, ok := z.objectOf(w, r)
	if !ok {
		return
	}
	z.mu.RLock()
	rec, found := z.tables[obj].byID[r.PathValue("id")]
	z.mu.RUnlock()
	if !found {
		writeJSON(w, 404, map[string]any{"done": true, "records": []any{}, "size": 0})
		return
	}
	writeJSON(w, 200, rec)
}

// checkFields refuses fields the object does not have on this tenant (the
// model table plus declared __c fields) and bad enum values; it returns the
// fields under their canonical names. camel: REST bodies name fields with a
// lower-case first letter.
func (z *zuoraAPI) checkFields(obj string, body Record, camel bool) (Record, error) {
	z.mu.RLock()
	sch := z.schema(obj)
	z.mu.RUnlock()
	out := Record{}
	for k, v := range body {
		name := k
		if camel && k != "" && !strings.HasSuffix(k, "__NS") && !strings.HasSuffix(k, "__c") {
			name = strings.ToUpper(k[:1]) + k[1:]
		}
		fl, ok := sch.Field(name)
		if !ok && camel {
			fl, ok = sch.Field(k)
		}
		if !ok || strings.EqualFold(fl.Name, "id") {
			return nil, &fieldError{obj: obj, field: k}
		}
		if strings.EqualFold(fl.Name, "TransferredToAccounting") {
			switch v {
			case nil, "No", "Processing", "Yes", "Error", "Ignore":
			default:
				return nil, fmt.Errorf("invalid value %v for field TransferredToAccounting (allowed: No, Processing, Yes, Error, Ignore)", v)
			}
		}
		out[fl.Name] = v
	}
	return out, nil
}

// fieldError is a write naming a field the object does not have.
type fieldError struct{ obj, field string }

func (e *fieldError) Error() string { return fmt.Sprintf("invalid field for %s: %s", e.obj, e.field) }

func (z *zuoraAPI) update(obj, id string, fields Record) (Record, error) {
	t := z.tables[obj]
	old, ok := t.byID[id]
	if !ok {
		return nil, errNotFound
	}
	rec := make(Record, len(old)+len(fields)+1)
	for k, v := range old {
		rec[k] = v
	}
	for k, v := range fields {
		if v == nil {
			delete(rec, k)
		} else {
			rec[k] = v
		}
	}
	rec["UpdatedDate"] = zuoraNow()
	return rec, z.db.write(t.put(id, rec, z.db, 0))
}

var errNotFound = fmt.Errorf("not found")

// objectWrite resolves the object type and reads and checks a write's fields.
func (z *zuoraAPI) objectWrite(w http.ResponseWriter, r *http.Request) (string, Record, bool) {
	obj, ok := z.objectOf(w, r)
	if !ok {
		return "", nil, false
	}
	var body Record
	if err := decodeBody(r, &body); err != nil {
		z.objectError(w, 400, err.Error())
		return "", nil, false
	}
	fields, err := z.checkFields(obj, body, false)
	var fe *fieldError
	if errors.As(err, &fe) {
		z.objectErrorCode(w, 400, "INVALID_FIELD", err.Error())
		return "", nil, false
	}
	if err != nil {
		z.objectError(w, 400, err.Error())
		return "", nil, false
	}
	return obj, fields, true
}

func (z *zuoraAPI) putObject(w http.ResponseWriter, r *http.Request) {
	obj, fields, ok := z.objectWrite(w, r)
	if !ok {
		return
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	id := r.PathValue("id")
	if _, ok := fields["AccountNumber"]; ok && obj == zuora.ObjAccount {
		if err := z.numberAccount(fields, id); err != nil {
			z.objectError(w, 400, err.Error())
			return
		}
	}
	var extra []change
	if old, ok := z.tables[obj].byID[id]; ok && obj == zuora.ObjPayment {
		next := make(Record, len(old)+len(fields))
		for k, v := range old {
			next[k] = v
		}
		for k, v := range fields {
			next[k] = v
		}
		c, err := z.paymentStatusChange(old, next)
		if err != nil {
			z.objectError(w, 400, err.Error())
			return
		}
		extra = c
		for _, k := range []string{"AppliedAmount", "UnappliedAmount"} {
			if next[k] != old[k] {
				fields[k] = next[k]
			}
		}
	}
	if len(extra) > 0 {
		if err := z.db.write(extra...); err != nil {
			z.objectError(w, 500, err.Error())
			return
		}
	}
	if _, err := z.update(obj, id, fields); err != nil {
		if err == errNotFound {
			z.objectError(w, 404, fmt.Sprintf("%s %s does not exist", obj, id))
			return
		}
		z.objectError(w, 500, err.Error())
		return
	}
	writeJSON(w, 200, map[string]any{"Success": true, "Id": id})
}

func (z *zuoraAPI) createObject(w http.ResponseWriter, r *http.Request) {
	obj, fields, ok := z.objectWrite(w, r)
	if !ok {
		return
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	var changes []change
	if obj == zuora.ObjInvoiceItemAdjustment {
		if z.tenant.InvoiceSettlement {
			z.objectError(w, 400, "invoice item adjustments cannot be created when Invoice Settlement is enabled; use credit and debit memos")
			return
		}
		c, err := z.adjustInvoice(fields)
		if err != nil {
			z.objectError(w, 400, err.Error())
			return
		}
		changes = append(changes, c)
	}
	if obj == zuora.ObjAccount {
		if err := z.numberAccount(fields, ""); err != nil {
			z.objectError(w, 400, err.Error())
			return
		}
	}
	if obj == zuora.ObjPayment {
		if err := z.createPayment(fields); err != nil {
			z.objectError(w, 400, err.Error())
			return
		}
	}
	if obj == zuora.ObjInvoicePayment {
		if err := z.createInvoicePayment(fields); err != nil {
			z.objectError(w, 400, err.Error())
			return
		}
	}
	if obj == zuora.ObjRefund {
		c, err := z.createRefund(fields)
		if err != nil {
			z.objectError(w, 400, err.Error())
			return
		}
		changes = append(changes, c...)
	}
	id := newHex(16)
	fields["Id"] = id
	now := zuoraNow()
	fields["CreatedDate"], fields["UpdatedDate"] = now, now
	if obj == zuora.ObjInvoiceItemAdjustment {
		if _, ok := fields["Status"]; !ok {
			fields["Status"] = "Processed"
		}
		fields["AdjustmentNumber"] = fmt.Sprintf("IIA-%08d", z.tables[obj].len()+1)
	}
	changes = append(changes, z.tables[obj].put(id, fields, z.db, 0))
	if err := z.db.write(changes...); err != nil {
		z.objectError(w, 500, err.Error())
		return
	}
	writeJSON(w, 200, map[string]any{"Success": true, "Id": id})
}

// adjustInvoice applies an adjustment to its invoice's balance: Credit lowers it, Charge raises it.
func (z *zuoraAPI) adjustInvoice(adj Record) (change, error) {
	invID := str(adj["InvoiceId"])
	inv, ok := z.tables[zuora.ObjInvoice].byID[invID]
	if !ok {
		return change{}, fmt.Errorf("InvoiceId %q is not an invoice", invID)
	}
	amount, err := decimal.NewFromString(str(adj["Amount"]))
	if err != nil || !amount.IsPositive() {
		return change{}, fmt.Errorf("Amount %v must be a positive number", adj["Amount"])
	}
	if err := z.adjustableLeft(adj, invID, amount); err != nil {
		return change{}, err
	}
	balance, _ := decimal.NewFromString(str(inv["Balance"]))
	switch adj["Type"] {
	case "Credit":
		balance = balance.Sub(amount)
	case "Charge":
		balance = balance.Add(amount)
	default:
		return change{}, fmt.Errorf("Type %v must be Credit or Charge", adj["Type"])
	}
	rec := make(Record, len(inv))
	for k, v := range inv {
		rec[k] = v
	}
	rec["Balance"] = json.Number(balance.StringFixed(2))
	rec["UpdatedDate"] = zuoraNow()
	return z.tables[zuora.ObjInvoice].put(invID, rec, z.db, 0), nil
}

// ---- current REST: invoices ----

func (z *zuoraAPI) invoiceByKey(key string) (Record, bool) {
	t := z.tables[zuora.ObjInvoice]
	if rec, ok := t.byID[key]; ok {
		return rec, true
	}
	if recs, _ := t.lookup("InvoiceNumber", []string{key}); len(recs) > 0 {
		return recs[0], true
	}
	return nil, false
}

// camel renames a ZOQL record for the REST endpoints.
func camel(rec Record, rename map[string]string) Record {
	out := make(Record, len(rec))
	for k, v := range rec {
		switch {
		case rename[k] != "":
			out[rename[k]] = v
		case strings.HasSuffix(k, "__NS") || strings.HasSuffix(k, "__c") || k == "":
			out[k] = v
		default:
			out[strings.ToLower(k[:1])+k[1:]] = v
		}
	}
	return out
}

var itemRename = map[string]string{"RatePlanChargeId": "chargeId", "UOM": "unitOfMeasure", "SKU": "sku"}

func (z *zuoraAPI) getInvoice(w http.ResponseWriter, r *http.Request) {
	z.mu.RLock()
	inv, ok := z.invoiceByKey(r.PathValue("key"))
	z.mu.RUnlock()
	if !ok {
		z.restError(w, 404, "50000040", "Cannot find entity by key: '"+r.PathValue("key")+"'.")
		return
	}
	out := camel(inv, nil)
	out["success"] = true
	writeJSON(w, 200, out)
}

func (z *zuoraAPI) putInvoice(w http.ResponseWriter, r *http.Request) {
	var body Record
	if err := decodeBody(r, &body); err != nil {
		z.restError(w, 400, "50000020", err.Error())
		return
	}
	fields, err := z.checkFields(zuora.ObjInvoice, body, true)
	if err != nil {
		z.restError(w, 400, "50000020", err.Error())
		return
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	inv, ok := z.invoiceByKey(r.PathValue("key"))
	if !ok {
		z.restError(w, 404, "50000040", "Cannot find entity by key: '"+r.PathValue("key")+"'.")
		return
	}
	id := str(inv["Id"])
	if _, err := z.update(zuora.ObjInvoice, id, fields); err != nil {
		z.restError(w, 500, "50000000", err.Error())
		return
	}
	writeJSON(w, 200, map[string]any{"success": true, "id": id})
}

// v1PageSize is Z1 (developer.zuora.com "Pagination": for v1 GET lists
// "The maximum is 40; larger values are treated as 40"); 20 is the default.
const v1PageSize = 40

// v1Page reads page and pageSize of a v1 GET list: a pageSize over 40 is
// treated as 40, not refused.
func v1Page(r *http.Request) (page, size int, err error) {
	page, err1 := atoiDefault(r.URL.Query().Get("page"), 1)
	size, err2 := atoiDefault(r.URL.Query().Get("pageSize"), 20)
	if err1 != nil || err2 != nil || page < 1 || size < 1 {
		return 0, 0, fmt.Errorf("page must be ≥ 1 and pageSize ≥ 1")
	}
	return page, min(size, v1PageSize), nil
}

// nextPageURL is the nextPage a v1 list carries when more rows follow.
func nextPageURL(r *http.Request, page, size int) string {
	q := r.URL.Query()
	q.Set("page", strconv.Itoa(page+1))
	q.Set("pageSize", strconv.Itoa(size))
	return r.URL.Path + "?" + q.Encode()
}

func (z *zuoraAPI) invoiceItems(w http.ResponseWriter, r *http.Request) {
	z.serveV1List(w, r, v1List{key: "invoiceItems",
		rows: func(w http.ResponseWriter, r *http.Request) ([]Record, bool) {
			return z.childRows(w, r, z.invoiceByKey, "Id", zuora.ObjInvoiceItem, "InvoiceId")
		},
		answer: func(_ *http.Request, it Record) Record { return camel(it, itemRename) }})
}

func (z *zuoraAPI) taxationItems(w http.ResponseWriter, r *http.Request) {
	z.serveV1List(w, r, v1List{key: "data",
		rows: func(_ http.ResponseWriter, r *http.Request) ([]Record, bool) {
			taxes, _ := z.tables[zuora.ObjTaxationItem].lookup("InvoiceItemId", []string{r.PathValue("item")})
			return taxes, true
		},
		answer: func(_ *http.Request, t Record) Record { return camel(t, nil) }})
}

// ---- helpers ----

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	default:
		return fmt.Sprint(x)
	}
}

func atoiDefault(s string, def int) (int, error) {
	if s == "" {
		return def, nil
	}
	return strconv.Atoi(s)
}

func newHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func newUUID() string {
	h := newHex(16)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// zuoraNow is a datetime as a US tenant writes it.
func zuoraNow() string {
	return time.Now().In(time.FixedZone("PST", -8*3600)).Format("2006-01-02T15:04:05-07:00")
}

// readAll reads the body and puts it back for the next reader.
func readAll(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("reading the request body: %w", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b, nil
}

// numberAccount gives a new account without AccountNumber the tenant's next
// number (A00000001, ...) and refuses a number another account has, as Zuora
// does. exceptID is the account being updated.
func (z *zuoraAPI) numberAccount(fields Record, exceptID string) error {
	t := z.tables[zuora.ObjAccount]
	taken := func(n string) bool {
		for _, a := range t.all() {
			if str(a["AccountNumber"]) == n && str(a["Id"]) != exceptID {
				return true
			}
		}
		return false
	}
	if n := str(fields["AccountNumber"]); n != "" {
		if taken(n) {
			return fmt.Errorf("account number %s already exists", n)
		}
		return nil
	}
	if exceptID != "" {
		return fmt.Errorf("AccountNumber cannot be cleared")
	}
	for i := t.len() + 1; ; i++ {
		if n := fmt.Sprintf("A%08d", i); !taken(n) {
			fields["AccountNumber"] = n
			return nil
		}
	}
}
