package activities

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

const invoiceItemFields = "Id, InvoiceId, ChargeAmount, ChargeName, ChargeDate, Quantity, UnitPrice, UOM, SKU, ProductName, " +
	"ServiceStartDate, ServiceEndDate, RatePlanChargeId, SubscriptionId, AccountingCode, ProcessingType, RevRecCode, RevRecStartDate"

// UpdateDelayedRevRec implements the seed's "once the Revenue Recognition
// Date is set in Zuora, NetSuite Connector will update the appropriate
// NetSuite transaction lines (Delay Rev Rec false, start and end dates)".
// NetSuite is the list of lines still delayed: each page reads the next
// delayed lines after the cursor, asks Zuora whether their trigger date is set
// now, and updates those lines in place (by line key, so it repeats safely).
func (a *Activities) UpdateDelayedRevRec(ctx context.Context, in workflows.RevRecInput) (workflows.RevRecResult, error) {
	ctx = nsFields(ctx, in.Settings)
	limit := max(in.Limit, 1)
	where := "deferrevrec = 'T' AND custcol_zuora_item_id IS NOT NULL"
	if t, l, ok := parseLineCursor(in.AfterID); ok {
		where += fmt.Sprintf(" AND (transaction > %d OR (transaction = %d AND id > %d))", t, t, l)
	}
	page, err := a.NetSuite.QueryPage(ctx, "SELECT transaction, id, custcol_zuora_item_id FROM transactionline WHERE "+where+" ORDER BY transaction, id", limit, 0)
	if err != nil {
		return workflows.RevRecResult{}, retryable("reading delayed rev rec lines", err)
	}
	res := workflows.RevRecResult{Done: !page.HasMore}
	if len(page.Items) == 0 {
		res.Done = true
		return res, nil
	}
	type lineRef struct{ tx, line int64 }
	byItem := map[string][]lineRef{}
	var itemIDs, txIDs []string
	for _, row := range page.Items {
		tx, _ := strconv.ParseInt(fmt.Sprint(row["transaction"]), 10, 64)
		ln, _ := strconv.ParseInt(fmt.Sprint(row["id"]), 10, 64)
		zid := fmt.Sprint(row["custcol_zuora_item_id"])
		byItem[zid] = append(byItem[zid], lineRef{tx, ln})
		itemIDs = append(itemIDs, zid)
		txIDs = append(txIDs, strconv.FormatInt(tx, 10))
		res.LastID = fmt.Sprintf("%d:%d", tx, ln)
	}
	txTypes, err := a.transactionTypes(ctx, txIDs)
	if err != nil {
		return workflows.RevRecResult{}, retryable("reading transaction types", err)
	}
	items, err := zoqlByIDs[zuora.InvoiceItem](ctx, a.Zuora, zuora.ObjInvoiceItem, invoiceItemFields, "Id", itemIDs)
	if err != nil {
		return workflows.RevRecResult{}, retryable("reading invoice items", err)
	}
	catalog := newCatalogCache(a.Zuora)
	if err := catalog.load(ctx, items); err != nil {
		return workflows.RevRecResult{}, retryable("reading charges", err)
	}
	for _, it := range items {
		ch := catalog.chargeOf(it)
		if ch == nil {
			continue
		}
		src := mapping.LineSource{Item: it, Charge: *ch, Subscription: catalog.subscriptionOf(it)}
		for _, ref := range byItem[it.ID] {
			updated, changed := mapping.RevRecUpdate(src, in.Settings, netsuite.Line{ZuoraItemID: it.ID, DeferRevRec: ptr(true)})
			if !changed {
				continue
			}
			recordType := txTypes[ref.tx]
			body := map[string]any{"item": map[string]any{"items": []map[string]any{{
				"line": ref.line, "deferRevRec": false,
				"revRecStartDate": updated.RevRecStartDate, "revRecEndDate": updated.RevRecEndDate,
			}}}}
			if err := a.NetSuite.Patch(ctx, recordType, strconv.FormatInt(ref.tx, 10), body); err != nil {
				if permanent(err) {
					res.Errors = append(res.Errors, workflows.RecordError{Type: workflows.RecordRevRec, ID: it.ID,
						Reason: fmt.Sprintf("updating revenue recognition on NetSuite %s %d line %d: %v", recordType, ref.tx, ref.line, err)})
					continue
				}
				return workflows.RevRecResult{}, retryable("updating revenue recognition", err)
			}
			res.Updated++
		}
		heartbeat(ctx, res.LastID)
	}
	return res, nil
}

func (a *Activities) transactionTypes(ctx context.Context, ids []string) (map[int64]string, error) {
	ids = uniqueSorted(ids)
	rows, err := a.NetSuite.QueryAll(ctx, "SELECT id, type FROM transaction WHERE id IN ("+strings.Join(ids, ", ")+") ORDER BY id")
	if err != nil {
		return nil, err
	}
	out := map[int64]string{}
	for _, r := range rows {
		id, _ := strconv.ParseInt(fmt.Sprint(r["id"]), 10, 64)
		if fmt.Sprint(r["type"]) == "CustCred" {
			out[id] = netsuite.TypeCreditMemo
		} else {
			out[id] = netsuite.TypeInvoice
		}
	}
	return out, nil
}

func parseLineCursor(s string) (tx, line int64, ok bool) {
	a, b, found := strings.Cut(s, ":")
	if !found {
		return 0, 0, false
	}
	tx, err1 := strconv.ParseInt(a, 10, 64)
	line, err2 := strconv.ParseInt(b, 10, 64)
	return tx, line, err1 == nil && err2 == nil
}
