package activities

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// maxOrConditions keeps ZOQL WHERE clauses under Zuora's 200-condition limit.
const maxOrConditions = 150

// zoqlByIDs runs `select <fields> from <object> where <field> = id1 or ...` in
// chunks and decodes every record.
func zoqlByIDs[T any](ctx context.Context, c *zuora.Client, object, fields, field string, ids []string) ([]T, error) {
	ids = uniqueSorted(ids)
	var out []T
	for start := 0; start < len(ids); start += maxOrConditions {
		end := min(start+maxOrConditions, len(ids))
		conds := make([]string, 0, end-start)
		for _, id := range ids[start:end] {
			conds = append(conds, field+" = "+zuora.Quote(id))
		}
		q := "select " + fields + " from " + object + " where " + strings.Join(conds, " or ")
		recs, err := zuora.QueryAll[T](ctx, c, q)
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
	}
	return out, nil
}

func uniqueSorted(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// Field lists of the ZOQL reads (ZOQL has no "select *").
const (
	accountFields = "Id, AccountNumber, Name, Status, Currency, Balance, CreditBalance, LastInvoiceDate, UpdatedDate, " +
		"IntegrationId__NS, IntegrationStatus__NS, SyncDate__NS, Class__NS, Department__NS, Location__NS, Subsidiary__NS, CustomerType__NS, SynctoNetSuite__NS"
	taxFields  = "Id, InvoiceId, InvoiceItemId, Name, TaxAmount, TaxCode, TaxRate, Jurisdiction, TaxDate, AccountingCode"
	rpcFields  = "Id, Name, ProductRatePlanChargeId, ChargeType"
	prpcFields = "Id, Name, ProductRatePlanId, ChargeType, ChargeModel, AccountingCode, RevRecCode, UpdatedDate, " +
		"IntegrationId__NS, IntegrationStatus__NS, SyncDate__NS, Class__NS, Department__NS, Location__NS, Subsidiary__NS, " +
		"DeferredRevAccount__NS, RecognizedRevAccount__NS, IncludeChildren__NS, ItemType__NS, RevRecStart__NS, RevRecEnd__NS, RevRecTemplateType__NS"
	subscriptionFields = "Id, Name, AccountId, Status, TermStartDate, TermEndDate, SubscriptionEndDate, IntegrationId__NS, Project__NS"
)

// catalogCache resolves invoice items to their catalog charges and
// subscriptions, remembering what one activity call has already read.
type catalogCache struct {
	z            *zuora.Client
	ratePlan     map[string]zuora.RatePlanCharge        // subscription charge id -> charge
	charges      map[string]zuora.ProductRatePlanCharge // product rate plan charge id -> charge
	subs         map[string]zuora.Subscription
	missingRPC   map[string]bool
	missingCharg map[string]bool
	missingSub   map[string]bool
}

func newCatalogCache(z *zuora.Client) *catalogCache {
	return &catalogCache{z: z, ratePlan: map[string]zuora.RatePlanCharge{}, charges: map[string]zuora.ProductRatePlanCharge{},
		subs: map[string]zuora.Subscription{}, missingRPC: map[string]bool{}, missingCharg: map[string]bool{}, missingSub: map[string]bool{}}
}

// load reads the charges and subscriptions of items not yet cached.
func (c *catalogCache) load(ctx context.Context, items []zuora.InvoiceItem) error {
	var rpcIDs, subIDs []string
	for _, it := range items {
		if _, ok := c.ratePlan[it.RatePlanChargeID]; !ok && it.RatePlanChargeID != "" && !c.missingRPC[it.RatePlanChargeID] {
			rpcIDs = append(rpcIDs, it.RatePlanChargeID)
		}
		if _, ok := c.subs[it.SubscriptionID]; !ok && it.SubscriptionID != "" && !c.missingSub[it.SubscriptionID] {
			subIDs = append(subIDs, it.SubscriptionID)
		}
	}
	// The subscriptions do not wait for the charges: two reads at once.
	// (Every batch of a large invoice asks; most find all cached.)
	subsRead := make(chan error, 1)
	if len(subIDs) == 0 {
		subsRead <- nil
	} else {
		go func() {
			subsRead <- readInto(ctx, c.z, "subscriptions", zuora.ObjSubscription, subscriptionFields, subIDs,
				func(r zuora.Subscription) string { return r.ID }, c.subs, c.missingSub)
		}()
	}
	err := readInto(ctx, c.z, "subscription charges", zuora.ObjRatePlanCharge, rpcFields, rpcIDs,
		func(r zuora.RatePlanCharge) string { return r.ID }, c.ratePlan, c.missingRPC)
	if err == nil {
		var prpcIDs []string
		for _, id := range rpcIDs {
			if r, ok := c.ratePlan[id]; ok {
				if _, ok := c.charges[r.ProductRatePlanChargeID]; !ok {
					prpcIDs = append(prpcIDs, r.ProductRatePlanChargeID)
				}
			}
		}
		err = readInto(ctx, c.z, "product rate plan charges", zuora.ObjProductRatePlanCharge, prpcFields, prpcIDs,
			func(r zuora.ProductRatePlanCharge) string { return r.ID }, c.charges, c.missingCharg)
	}
	if subsErr := <-subsRead; err == nil {
		err = subsErr
	}
	return err
}

// readInto reads the objects with ids into found (by id) and marks the ids
// Zuora has none of missing. Each caller passes its own maps, so two can
// run at once.
func readInto[T any](ctx context.Context, z *zuora.Client, what, object, fields string, ids []string, idOf func(T) string,
	found map[string]T, missing map[string]bool) error {
	if len(ids) == 0 {
		return nil
	}
	recs, err := zoqlByIDs[T](ctx, z, object, fields, "Id", ids)
	if err != nil {
		return fmt.Errorf("reading %s: %w", what, err)
	}
	for _, r := range recs {
		found[idOf(r)] = r
	}
	for _, id := range ids {
		if _, ok := found[id]; !ok {
			missing[id] = true
		}
	}
	return nil
}

// chargeOf is the catalog charge behind an invoice item, or nil when Zuora has none.
func (c *catalogCache) chargeOf(it zuora.InvoiceItem) *zuora.ProductRatePlanCharge {
	rpc, ok := c.ratePlan[it.RatePlanChargeID]
	if !ok {
		return nil
	}
	ch, ok := c.charges[rpc.ProductRatePlanChargeID]
	if !ok {
		return nil
	}
	return &ch
}

func (c *catalogCache) subscriptionOf(it zuora.InvoiceItem) *zuora.Subscription {
	s, ok := c.subs[it.SubscriptionID]
	if !ok {
		return nil
	}
	return &s
}

// lookupResolver answers "is this name a valid NetSuite location/class/
// department, and what is its id" and "which NetSuite item is the tax item of
// this accounting code", reading NetSuite once per name per activity call.
type lookupResolver struct {
	ns      *netsuite.Client
	l       mapping.Lookups
	checked map[string]bool // table + "\x00" + name
}

func newLookupResolver(ns *netsuite.Client) *lookupResolver {
	return &lookupResolver{ns: ns, checked: map[string]bool{}, l: mapping.Lookups{
		Locations: map[string]string{}, Classes: map[string]string{}, Departments: map[string]string{},
		Subsidiaries: map[string]string{}, TaxItems: map[string]string{},
	}}
}

// names resolves names in a NetSuite list table (location, classification,
// department, subsidiary) into dst.
func (r *lookupResolver) names(ctx context.Context, table string, dst map[string]string, names ...string) error {
	return r.resolve(ctx, table, "name", dst, names)
}

// taxItems resolves accounting codes to the NetSuite items made for each tax code.
func (r *lookupResolver) taxItems(ctx context.Context, codes ...string) error {
	return r.resolve(ctx, "item", "itemid", r.l.TaxItems, codes)
}

func (r *lookupResolver) resolve(ctx context.Context, table, column string, dst map[string]string, names []string) error {
	var todo []string
	for _, n := range uniqueSorted(names) {
		if r.checked[table+"\x00"+n] {
			continue
		}
		if id, ok := knownIDs.get(r.ns, table, column, n); ok {
			dst[n], r.checked[table+"\x00"+n] = id, true
			continue
		}
		todo = append(todo, n)
	}
	for start := 0; start < len(todo); start += 500 {
		chunk := todo[start:min(start+500, len(todo))]
		quoted := make([]string, len(chunk))
		for i, n := range chunk {
			quoted[i] = netsuite.Quote(n)
		}
		rows, err := r.ns.QueryAll(ctx, fmt.Sprintf("SELECT id, %s FROM %s WHERE %s IN (%s) ORDER BY id", column, table, column, strings.Join(quoted, ", ")))
		if err != nil {
			return fmt.Errorf("looking up NetSuite %s: %w", table, err)
		}
		for _, row := range rows {
			name, _ := row[column].(string)
			dst[name] = fmt.Sprint(row["id"])
			knownIDs.put(r.ns, table, column, name, dst[name])
		}
		for _, n := range chunk {
			r.checked[table+"\x00"+n] = true
		}
	}
	return nil
}

// knownIDs keeps, per worker, the NetSuite ids of list records and tax items
// found by name (knownIDTTL), so every invoice of a run does not ask NetSuite
// again for the same location, class, department, subsidiary and tax items
// (the bench counted about 7 SuiteQL reads per small invoice, each 100–500 ms
// on a real account). Only found names are kept: a name not found yet (a tax
// item the catalog sync is about to make) is asked again. An id renamed or
// deleted in NetSuite within the TTL is refused by NetSuite on the write,
// which then ends the record in Error with NetSuite's reason; the next run
// reads it afresh.
var knownIDs = &idCache{m: map[idKey]idEntry{}}

const knownIDTTL = 5 * time.Minute

type idKey struct {
	ns                  *netsuite.Client
	table, column, name string
}

type idEntry struct {
	id string
	at time.Time
}

type idCache struct {
	mu sync.Mutex
	m  map[idKey]idEntry
}

func (c *idCache) get(ns *netsuite.Client, table, column, name string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[idKey{ns, table, column, name}]
	if !ok || time.Since(e.at) > knownIDTTL {
		return "", false
	}
	return e.id, true
}

func (c *idCache) put(ns *netsuite.Client, table, column, name, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) > 50_000 { // bounded: a tenant's list records, not its transactions
		clear(c.m)
	}
	c.m[idKey{ns, table, column, name}] = idEntry{id: id, at: time.Now()}
}

// accountLookups resolves the account's classifications (and those of
// charges when lines take them from charges).
func (r *lookupResolver) classifications(ctx context.Context, holders ...classified) error {
	var locs, classes, depts, subs []string
	for _, h := range holders {
		l, c, d, s := h.classification()
		locs, classes, depts, subs = appendNonEmpty(locs, l), appendNonEmpty(classes, c), appendNonEmpty(depts, d), appendNonEmpty(subs, s)
	}
	if err := r.names(ctx, "location", r.l.Locations, locs...); err != nil {
		return err
	}
	if err := r.names(ctx, "classification", r.l.Classes, classes...); err != nil {
		return err
	}
	if err := r.names(ctx, "department", r.l.Departments, depts...); err != nil {
		return err
	}
	return r.names(ctx, "subsidiary", r.l.Subsidiaries, subs...)
}

type classified interface {
	classification() (location, class, department, subsidiary string)
}

type accountClass zuora.Account

func (a accountClass) classification() (string, string, string, string) {
	return a.Location, a.Class, a.Department, a.Subsidiary
}

type chargeClass zuora.ProductRatePlanCharge

func (c chargeClass) classification() (string, string, string, string) {
	return c.Location, c.Class, c.Department, c.Subsidiary
}

func appendNonEmpty(list []string, s string) []string {
	if s == "" {
		return list
	}
	return append(list, s)
}

// withPaymentMethodByName is §1.6 of the reference: Zuora's connector finds
// the NetSuite payment method named exactly as the Zuora payment-method type
// (ACH, Check, CreditCard, ...). paymentSync.methods and defaultMethod come
// first; only a type neither names is looked up by name, and when NetSuite has
// a payment method of that name the returned settings map the type to it (the
// mapping then names no problem). Otherwise s is returned as it is and the
// mapping ends the record in Error naming the type.
func (r *lookupResolver) withPaymentMethodByName(ctx context.Context, s settings.Settings, zuoraType string) (settings.Settings, error) {
	if zuoraType == "" || s.Payments.MethodFor(zuoraType) != "" {
		return s, nil
	}
	found := map[string]string{}
	if err := r.names(ctx, "paymentmethod", found, zuoraType); err != nil {
		return s, err
	}
	id := found[zuoraType]
	if id == "" {
		return s, nil
	}
	methods := make(map[string]string, len(s.Payments.Methods)+1)
	for k, v := range s.Payments.Methods {
		methods[k] = v
	}
	methods[zuoraType] = id
	s.Payments.Methods = methods
	return s, nil
}
