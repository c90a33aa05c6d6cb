package zuora

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/shopspring/decimal"
)

// Credit memos exist only on tenants with Invoice Settlement; the migration
// (issue 5) makes them. Current REST, camelCase bodies.

// CreditMemoCharge is one charge line of a credit memo made from charges.
type CreditMemoCharge struct {
	ChargeID string          `json:"chargeId"` // product rate plan charge
	Amount   decimal.Decimal `json:"amount"`
	Comment  string          `json:"comment,omitempty"`
	// FinanceInformation is the memo item's accounting codes
	// (charges[].financeInformation in the credit memo OpenAPI).
	FinanceInformation *CreditMemoFinance `json:"financeInformation,omitempty"`
}

// CreditMemoFromCharge is POST /v1/creditmemos: a credit memo from charges.
type CreditMemoFromCharge struct {
	AccountID     string             `json:"accountId"`
	Charges       []CreditMemoCharge `json:"charges"`
	EffectiveDate string             `json:"effectiveDate,omitempty"`
	ReasonCode    string             `json:"reasonCode,omitempty"`
	Comment       string             `json:"comment,omitempty"`
	AutoPost      bool               `json:"autoPost"`
	Origin        string             `json:"Origin__NS,omitempty"`
	Transaction   string             `json:"Transaction__NS,omitempty"`
}

// CreditMemoVersion is the zuora-version a credit memo from charges is sent
// with: charges[].amount exists from 224.0; below it (and without the header,
// which means 186.0) Zuora ignores the field and the memo takes the charge's
// catalog price (credit memo OpenAPI, zuora-version notes).
const CreditMemoVersion = "224.0"

// CreateCreditMemo makes a credit memo from charges; idemKey makes a retried
// call return the first one's memo instead of making a second. The memo
// Zuora made is checked against the intended total: a memo of another amount
// is an AmountMismatchError (not retried; the memo exists and needs a person).
func (c *Client) CreateCreditMemo(ctx context.Context, in CreditMemoFromCharge, idemKey string) (*CreditMemo, error) {
	var out CreditMemo
	if err := c.do(ctx, call{method: "POST", endpoint: "POST /v1/creditmemos", path: "/v1/creditmemos", body: in, out: &out, idemKey: idemKey,
		headers: map[string]string{"zuora-version": CreditMemoVersion}}); err != nil {
		return nil, err
	}
	if out.ID == "" {
		return nil, &DecodeError{Endpoint: "POST /v1/creditmemos", Status: 200, Err: fmt.Errorf("no id in the answer")}
	}
	want := decimal.Zero
	for _, ch := range in.Charges {
		want = want.Add(ch.Amount)
	}
	if !out.Amount.Equal(want) {
		return &out, &AmountMismatchError{Object: ObjCreditMemo, ID: out.ID, Number: out.Number, Want: want, Got: out.Amount}
	}
	return &out, nil
}

// AmountMismatchError: Zuora made a record of another amount than the one
// sent (e.g. a field it ignored). The record exists; retrying would make
// another, so it is final and names both amounts.
type AmountMismatchError struct {
	Object, ID, Number string
	Want, Got          decimal.Decimal
}

func (e *AmountMismatchError) Error() string {
	return fmt.Sprintf("Zuora made %s %s (%s) for %s instead of %s: check it and reverse it in Zuora",
		e.Object, e.Number, e.ID, e.Got.StringFixed(2), e.Want.StringFixed(2))
}

// GetCreditMemo reads a credit memo by id or number.
func (c *Client) GetCreditMemo(ctx context.Context, key string) (*CreditMemo, error) {
	var out CreditMemo
	if err := c.do(ctx, call{method: "GET", endpoint: "GET /v1/creditmemos/{key}", path: "/v1/creditmemos/" + url.PathEscape(key), out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreditMemoUpdate is what the connector writes on a credit memo.
type CreditMemoUpdate struct {
	TransferredToAccounting *string `json:"transferredToAccounting,omitempty"`
	IntegrationID           *string `json:"IntegrationId__NS,omitempty"`
	IntegrationStatus       *string `json:"IntegrationStatus__NS,omitempty"`
	SyncDate                *string `json:"SyncDate__NS,omitempty"`
}

// UpdateCreditMemo writes fields of a credit memo.
func (c *Client) UpdateCreditMemo(ctx context.Context, key string, u CreditMemoUpdate) error {
	return c.do(ctx, call{method: "PUT", endpoint: "PUT /v1/creditmemos/{key}", path: "/v1/creditmemos/" + url.PathEscape(key), body: u})
}

// CreditMemoPageSize is the list endpoint's largest page.
const CreditMemoPageSize = 40

// ListCreditMemos returns every credit memo of an account, paging by 40.
func (c *Client) ListCreditMemos(ctx context.Context, accountID string) ([]CreditMemo, error) {
	return listAllV1[CreditMemo](ctx, c, "GET /v1/creditmemos", "/v1/creditmemos", "creditmemos", url.Values{"accountId": {accountID}}, CreditMemoPageSize)
}

// ListCreditMemosPage reads one page (1-based) of the tenant's credit memos
// of a status ("" = any); more is true while a nextPage follows.
func (c *Client) ListCreditMemosPage(ctx context.Context, status string, page int) (memos []CreditMemo, more bool, err error) {
	var out struct {
		CreditMemos []CreditMemo `json:"creditmemos"`
		NextPage    string       `json:"nextPage"`
	}
	q := url.Values{"page": {strconv.Itoa(page)}, "pageSize": {strconv.Itoa(CreditMemoPageSize)}}
	if status != "" {
		q.Set("status", status)
	}
	if err := c.do(ctx, call{method: "GET", endpoint: "GET /v1/creditmemos", path: "/v1/creditmemos", query: q, out: &out}); err != nil {
		return nil, false, err
	}
	return out.CreditMemos, out.NextPage != "" && len(out.CreditMemos) > 0, nil
}
