package zuora

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// pagedFake serves records through query/queryMore, size records a page
// (the locator after the records, as Zuora's examples place it); asked, if
// given, is told each queryMore's locator.
func pagedFake(t *testing.T, records []string, size int, asked ...func(locator string)) *Client {
	_, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		start := 0
		if r.URL.Path == "/v1/action/queryMore" {
			var body struct {
				QueryLocator string `json:"queryLocator"`
			}
			require.NoError(t, json.NewDecoder(r.Body).Decode(&body))
			for _, f := range asked {
				f(body.QueryLocator)
			}
			_, _ = fmt.Sscanf(body.QueryLocator, "at%d", &start)
		}
		end := min(start+size, len(records))
		more := ""
		if end < len(records) {
			more = fmt.Sprintf(`,"queryLocator":"at%d"`, end)
		}
		_, _ = fmt.Fprintf(w, `{"records":[%s],"size":%d,"done":%t%s}`, joinJSON(records[start:end]), len(records), end == len(records), more)
	})
	return c
}

func joinJSON(recs []string) string {
	out := ""
	for i, r := range recs {
		if i > 0 {
			out += ","
		}
		out += r
	}
	return out
}

func rowsOf[T any](t *testing.T, ctx context.Context, c *Client, required ...string) ([]T, error) {
	t.Helper()
	var out []T
	rows := QueryRows[T](c, "InvoiceItem", "select Id from InvoiceItem", 2, required...)
	for rows.Next(ctx) {
		out = append(out, rows.Row())
	}
	return out, rows.Err()
}

// The typed page decoder gives the same records as the map path
// (QueryAll: record → map → JSON → struct), decimals with their scale.
func TestQueryRowsDecodeAsQueryAll(t *testing.T) {
	recs := []string{
		`{"Id":"it1","InvoiceId":"inv","ChargeAmount":12.50,"Quantity":"3","UnitPrice":4.1666666666666666666666667,"ChargeName":"Seats","ProcessingType":"Charge","IntegrationId__NS":"7"}`,
		`{"Id":"it2","InvoiceId":"inv","ChargeAmount":-0.000001,"Quantity":1,"UnitPrice":123456789012345678901234567890.12,"ServiceStartDate":"2026-01-01","Extra":{"a":[1,2]}}`,
		`{"Id":"it3","InvoiceId":"inv","ChargeAmount":0,"Quantity":null}`,
	}
	c := pagedFake(t, recs, 2)
	ctx := context.Background()
	got, err := rowsOf[InvoiceItem](t, ctx, c, "Id", "ChargeAmount")
	require.NoError(t, err)
	want, err := QueryAll[InvoiceItem](ctx, c, "select Id from InvoiceItem")
	require.NoError(t, err)
	require.Len(t, got, 3)
	require.Equal(t, fmt.Sprintf("%+v", want), fmt.Sprintf("%+v", got))
	require.Equal(t, int32(-2), got[0].ChargeAmount.Exponent(), "12.50 keeps its scale")
	require.Equal(t, "123456789012345678901234567890.12", got[1].UnitPrice.String())
}

// A record missing a required field, or with it null, is refused naming the
// record and the field, and not retried (a retry reads the same record).
func TestQueryRowsRefuseAMissingRequiredFieldByName(t *testing.T) {
	ctx := context.Background()
	for name, rec := range map[string]string{"missing": `{"Id":"it2","Quantity":1}`, "null": `{"Id":"it2","ChargeAmount":null}`} {
		t.Run(name, func(t *testing.T) {
			c := pagedFake(t, []string{`{"Id":"it1","ChargeAmount":1}`, rec}, 2)
			_, err := rowsOf[InvoiceItem](t, ctx, c, "Id", "ChargeAmount")
			var bad *BadRecordError
			require.ErrorAs(t, err, &bad)
			require.ErrorContains(t, err, "Zuora InvoiceItem it2: field ChargeAmount is missing")
			require.False(t, IsRetryable(err))
		})
	}
	c := pagedFake(t, []string{`{"ChargeAmount":1}`}, 2)
	_, err := rowsOf[InvoiceItem](t, ctx, c, "Id", "ChargeAmount")
	require.ErrorContains(t, err, "field Id is missing")
}

// A field of the wrong type is refused naming the record and the field, as
// Decode does.
func TestQueryRowsNameAWronglyTypedField(t *testing.T) {
	c := pagedFake(t, []string{`{"Id":"it1","ChargeAmount":1}`, `{"Id":"it9","ChargeAmount":"twelve"}`}, 2)
	_, err := rowsOf[InvoiceItem](t, context.Background(), c, "Id", "ChargeAmount")
	require.ErrorContains(t, err, "it9")
	require.ErrorContains(t, err, "ChargeAmount")
	c = pagedFake(t, []string{`{"Id":"it1","ChargeName":["x"],"ChargeAmount":1}`}, 2)
	_, err = rowsOf[InvoiceItem](t, context.Background(), c)
	require.ErrorContains(t, err, "it1")
	require.ErrorContains(t, err, "ChargeName")
}

// A tenant's own name for a connector field comes back under the default
// name, as through QueryIterator.
func TestQueryRowsTenantFieldNames(t *testing.T) {
	c := pagedFake(t, []string{`{"Id":"a1","Amount":1,"Type":"Charge","DNS__c":"Yes"}`}, 2)
	ctx := WithFieldNames(context.Background(), map[string]string{FieldDoNotSync: "DNS__c"})
	got, err := rowsOf[InvoiceItemAdjustment](t, ctx, c, "Id")
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, "Yes", got[0].DoNotSync)
}

// As QueryIterator: a queryMore whose answer is lost may use up its
// locator; the query runs again and every record is handed out once.
func TestQueryRowsLostLocatorRestartsAndHandsOutEachRecordOnce(t *testing.T) {
	const total = 5000
	var queries, lost atomic.Int32
	used := map[string]bool{}
	mu := make(chan struct{}, 1)
	_, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		mu <- struct{}{}
		defer func() { <-mu }()
		var body struct {
			QueryLocator string                  `json:"queryLocator"`
			Conf         struct{ BatchSize int } `json:"conf"`
		}
		require.NoError(t, json.NewDecoder(r.Body).Decode(&body))
		start, run := 0, 0
		if r.URL.Path == "/v1/action/queryMore" {
			if used[body.QueryLocator] {
				w.WriteHeader(400)
				_, _ = fmt.Fprintf(w, `{"FaultCode":"INVALID_QUERY_LOCATOR","FaultMessage":"invalid queryLocator %s"}`, body.QueryLocator)
				return
			}
			used[body.QueryLocator] = true
			_, _ = fmt.Sscanf(body.QueryLocator, "run%d-%d", &run, &start)
		} else {
			run = int(queries.Add(1))
		}
		end := min(start+body.Conf.BatchSize, total)
		recs := []map[string]any{}
		for i := start; i < end; i++ {
			n := i
			if run%2 == 0 { // the second run returns the rows in another order
				n = total - 1 - i
			}
			recs = append(recs, map[string]any{"Id": fmt.Sprintf("8a8aa0%026x", n), "ChargeAmount": 1})
		}
		resp := map[string]any{"records": recs, "size": total, "done": end == total}
		if end < total {
			resp["queryLocator"] = fmt.Sprintf("run%d-%d", run, end)
		}
		if r.URL.Path == "/v1/action/queryMore" && run == 1 && start == 2000 && lost.Add(1) == 1 {
			hj, ok := w.(http.Hijacker)
			require.True(t, ok)
			conn, _, err := hj.Hijack()
			require.NoError(t, err)
			_ = conn.Close()
			return
		}
		_ = json.NewEncoder(w).Encode(resp)
	})
	rows := QueryRows[InvoiceItem](c, "InvoiceItem", "select Id, ChargeAmount from InvoiceItem", MaxBatchSize, "Id", "ChargeAmount")
	ids := map[string]bool{}
	for rows.Next(context.Background()) {
		id := rows.Row().ID
		require.False(t, ids[id], "record %s handed out twice", id)
		ids[id] = true
	}
	require.NoError(t, rows.Err())
	require.Equal(t, int32(2), queries.Load(), "the query ran again after the lost locator")
	require.Len(t, ids, total, "every record handed out")
}
