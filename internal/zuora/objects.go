package zuora

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode"
)

// objectPaths maps ZOQL object names to their /v1/object path segment.
var objectPaths = map[string]string{
	ObjAccount: "account", ObjInvoice: "invoice", ObjInvoiceItem: "invoice-item", ObjTaxationItem: "taxation-item",
	ObjInvoiceItemAdjustment: "invoice-item-adjustment", ObjSubscription: "subscription", ObjRatePlanCharge: "rate-plan-charge",
	ObjProduct: "product", ObjProductRatePlan: "product-rate-plan", ObjProductRatePlanCharge: "product-rate-plan-charge",
	ObjPayment: "payment", ObjInvoicePayment: "invoice-payment",
	ObjRefund: "refund", // refunds.go
}

func objectPath(objType string) (string, error) {
	p, ok := objectPaths[objType]
	if !ok {
		return "", fmt.Errorf("zuora: no object API for %q", objType)
	}
	return p, nil
}

// GetObject reads one object by id into out (a model type or a map).
func (c *Client) GetObject(ctx context.Context, objType, id string, out any) error {
	p, err := objectPath(objType)
	if err != nil {
		return err
	}
	if len(fieldNames(ctx)) == 0 {
		return c.do(ctx, call{method: "GET", endpoint: "GET /v1/object/" + p + "/{id}", path: "/v1/object/" + p + "/" + url.PathEscape(id), out: out})
	}
	var rec map[string]any
	if err := c.do(ctx, call{method: "GET", endpoint: "GET /v1/object/" + p + "/{id}", path: "/v1/object/" + p + "/" + url.PathEscape(id), out: &rec}); err != nil {
		return err
	}
	defaultNames(ctx, rec)
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

type saveResult struct {
	Success bool   `json:"Success"`
	ID      string `json:"Id"`
}

// UpdateObject sets fields on an object (values, so it repeats safely).
func (c *Client) UpdateObject(ctx context.Context, objType, id string, fields map[string]any) error {
	p, err := objectPath(objType)
	if err != nil {
		return err
	}
	var out saveResult
	return c.do(ctx, call{method: "PUT", endpoint: "PUT /v1/object/" + p + "/{id}", path: "/v1/object/" + p + "/" + url.PathEscape(id), body: tenantBody(ctx, fields), out: &out})
}

// CreateObject creates an object; idemKey makes a retried create return the
// first one's result instead of creating twice.
func (c *Client) CreateObject(ctx context.Context, objType string, fields map[string]any, idemKey string) (string, error) {
	p, err := objectPath(objType)
	if err != nil {
		return "", err
	}
	var out saveResult
	if err := c.do(ctx, call{method: "POST", endpoint: "POST /v1/object/" + p, path: "/v1/object/" + p, body: tenantBody(ctx, fields), out: &out, idemKey: idemKey}); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", &DecodeError{Endpoint: "POST /v1/object/" + p, Status: 200, Err: fmt.Errorf("no Id in the answer")}
	}
	return out.ID, nil
}

// InvoiceUpdate is what the connector writes back on an invoice; nil fields
// are left as they are.
type InvoiceUpdate struct {
	TransferredToAccounting *string `json:"transferredToAccounting,omitempty"`
	IntegrationID           *string `json:"IntegrationId__NS,omitempty"`
	IntegrationStatus       *string `json:"IntegrationStatus__NS,omitempty"`
	SyncDate                *string `json:"SyncDate__NS,omitempty"`
}

// UpdateInvoice writes back sync status (PUT /v1/invoices/{id}).
func (c *Client) UpdateInvoice(ctx context.Context, id string, u InvoiceUpdate) error {
	return c.do(ctx, call{method: "PUT", endpoint: "PUT /v1/invoices/{id}", path: "/v1/invoices/" + url.PathEscape(id), body: u})
}

// GetInvoice reads an invoice header by id.
func (c *Client) GetInvoice(ctx context.Context, id string) (*Invoice, error) {
	var inv Invoice
	if err := c.GetObject(ctx, ObjInvoice, id, &inv); err != nil {
		return nil, err
	}
	return &inv, nil
}

type itemsPage struct {
	InvoiceItems []map[string]any `json:"invoiceItems"`
	NextPage     string           `json:"nextPage"`
}

// restItemNames maps the items endpoint's camelCase names that do not
// follow "ZOQL name with a lower-case first letter".
var restItemNames = map[string]string{
	"id": "Id", "chargeId": "RatePlanChargeId", "unitOfMeasure": "UOM", "invoiceId": "InvoiceId",
	"subscriptionId": "SubscriptionId", "sku": "SKU", "uom": "UOM", "revRecStartDate": "RevRecStartDate",
}

// V1PageSize is the most rows a v1 GET list returns (developer.zuora.com
// "Pagination": "The maximum is 40; larger values are treated as 40"); more
// rows are signalled by nextPage, never by a full page.
const V1PageSize = 40

// GetInvoiceItems reads items [(page-1)*pageSize, page*pageSize) of an
// invoice, in the invoice's order, whatever pageSize: it reads the v1 pages
// of 40 that cover the range and follows nextPage, so a page is short only
// at the invoice's end.
func (c *Client) GetInvoiceItems(ctx context.Context, invoiceKey string, page, pageSize int) ([]InvoiceItem, error) {
	if page < 1 || pageSize < 1 {
		return nil, fmt.Errorf("zuora: invoice items page %d of size %d: both must be ≥ 1", page, pageSize)
	}
	offset := (page - 1) * pageSize
	v1 := offset/V1PageSize + 1
	skip := offset % V1PageSize
	items := make([]InvoiceItem, 0, pageSize)
	for len(items) < pageSize {
		got, more, err := c.invoiceItemsV1(ctx, invoiceKey, v1)
		if err != nil {
			return nil, err
		}
		if skip > 0 {
			got = got[min(skip, len(got)):]
			skip = 0
		}
		items = append(items, got[:min(len(got), pageSize-len(items))]...)
		if !more {
			break
		}
		v1++
	}
	return items, nil
}

// invoiceItemsV1 reads one v1 page (40 rows) and whether nextPage says more follow.
func (c *Client) invoiceItemsV1(ctx context.Context, invoiceKey string, page int) ([]InvoiceItem, bool, error) {
	var out itemsPage
	q := url.Values{"page": {strconv.Itoa(page)}, "pageSize": {strconv.Itoa(V1PageSize)}}
	if err := c.do(ctx, call{method: "GET", endpoint: "GET /v1/invoices/{id}/items", path: "/v1/invoices/" + url.PathEscape(invoiceKey) + "/items", query: q, out: &out}); err != nil {
		return nil, false, err
	}
	items := make([]InvoiceItem, 0, len(out.InvoiceItems))
	for _, raw := range out.InvoiceItems {
		rec := make(map[string]any, len(raw))
		for k, v := range raw {
			rec[pascal(k)] = v
		}
		if _, ok := rec["InvoiceId"]; !ok {
			rec["InvoiceId"] = invoiceKey
		}
		// An item without its id or amount would become an unkeyed or zero
		// line in the ledger: refuse it, naming the item and the field.
		for _, field := range []string{"Id", "ChargeAmount"} {
			if v, ok := rec[field]; !ok || v == nil {
				return nil, false, &BadRecordError{Object: ObjInvoiceItem, ID: fmt.Sprint(rec["Id"]), Field: field,
					Problem: fmt.Sprintf("is missing (invoice %s, items page %d)", invoiceKey, page)}
			}
		}
		it, err := Decode[InvoiceItem](rec)
		if err != nil {
			return nil, false, fmt.Errorf("invoice %s items page %d: %w", invoiceKey, page, err)
		}
		items = append(items, it)
	}
	return items, out.NextPage != "", nil
}

func pascal(k string) string {
	if v, ok := restItemNames[k]; ok {
		return v
	}
	if strings.HasSuffix(k, "__NS") || strings.HasSuffix(k, "__c") || k == "" {
		return k
	}
	r := []rune(k)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
