package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/zuora-netsuite/connector/internal/sandbox/query"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// ZOQL (POST /v1/action/query, /v1/action/queryMore). Sources in docs/wire.md:
// "ZOQL Limitations" (no parentheses, IN or sorting; ≤ 200 conditions; 2,000
// records a call), locators living 15 minutes, and errors in the SDK's
// FaultResponse shape {"FaultCode","FaultMessage"} (Z9).

// zoqlFault answers a refused query the way Zuora's query action does.
func (z *zuoraAPI) zoqlFault(w http.ResponseWriter, code, msg string) {
	writeJSON(w, 400, map[string]string{"FaultCode": code, "FaultMessage": msg})
}

func (z *zuoraAPI) query(w http.ResponseWriter, r *http.Request) {
	var req struct {
		QueryString string `json:"queryString"`
		Conf        struct {
			BatchSize int `json:"batchSize"`
		} `json:"conf"`
	}
	if err := decodeBody(r, &req); err != nil {
		z.zoqlFault(w, "MALFORMED_QUERY", err.Error())
		return
	}
	sel, err := query.ParseZOQL(req.QueryString)
	if err != nil {
		z.zoqlFault(w, "MALFORMED_QUERY", "You have an error in your ZOQL syntax: "+err.Error())
		return
	}
	z.mu.RLock()
	obj, t := z.tableFor(sel.From)
	if t == nil || obj == zuora.ObjCreditMemo || obj == creditMemoItemTable {
		z.mu.RUnlock()
		z.zoqlFault(w, "INVALID_TYPE", "invalid type for query: "+sel.From)
		return
	}
	if obj == zuora.ObjInvoiceItemAdjustment && z.tenant.InvoiceSettlement {
		z.mu.RUnlock()
		z.zoqlFault(w, "INVALID_TYPE", "invalid type for query: InvoiceItemAdjustment is not available when Invoice Settlement is enabled")
		return
	}
	if (obj == zuora.ObjInvoicePayment || obj == zuora.ObjRefundInvoicePayment) && z.tenant.InvoiceSettlement {
		z.mu.RUnlock()
		z.zoqlFault(w, "INVALID_TYPE", "invalid type for query: "+obj+" is not available when Invoice Settlement is enabled")
		return
	}
	sch := z.schema(obj)
	for _, c := range sel.Columns {
		if _, ok := sch.Field(c.Name); !ok {
			z.mu.RUnlock()
			z.zoqlFault(w, "INVALID_FIELD", fmt.Sprintf("invalid field for query: %s.%s", obj, c.Name))
			return
		}
	}
	for _, name := range sel.WhereFields() {
		fl, ok := sch.Field(name)
		if !ok {
			z.mu.RUnlock()
			z.zoqlFault(w, "INVALID_FIELD", fmt.Sprintf("invalid field for query: %s.%s", obj, name))
			return
		}
		if !fl.Filterable {
			z.mu.RUnlock()
			z.zoqlFault(w, "INVALID_FIELD", fmt.Sprintf("field %s.%s cannot be used in a filter", obj, fl.Name))
			return
		}
	}
	var out []Record
	for _, rec := range z.candidates(sel, t) {
		ok, err := sel.Match(rec)
		if err != nil {
			z.mu.RUnlock()
			z.zoqlFault(w, "MALFORMED_QUERY", err.Error())
			return
		}
		if ok {
			out = append(out, rec)
		}
	}
	z.mu.RUnlock()
	z.page(w, sel, out, len(out), req.Conf.BatchSize)
}

// candidates answers from an index when the WHERE pins an indexed field.
func (z *zuoraAPI) candidates(sel *query.Select, t *table) []Record {
	for _, f := range append([]string{"Id"}, t.indexed...) {
		if vals, ok := sel.Candidates(f); ok {
			if recs, ok := t.lookup(f, vals); ok {
				return recs
			}
		}
	}
	return t.all()
}

func (z *zuoraAPI) tableFor(name string) (string, *table) {
	for obj, t := range z.tables {
		if strings.EqualFold(obj, name) {
			return obj, t
		}
	}
	return "", nil
}

// page answers one page; size is the whole query's row count on every page
// (not the page's, nor what is left).
//
// The matched records are projected page by page, as each page is served
// (a query of 100,000 items would otherwise project them all before its
// first answer): a page shows its records as they are when it is read.
func (z *zuoraAPI) page(w http.ResponseWriter, sel *query.Select, recs []Record, total, batch int) {
	if batch <= 0 || batch > 2000 {
		batch = 2000
	}
	n := min(batch, len(recs))
	loc := ""
	if n < len(recs) {
		loc = newHex(16)
		z.authMu.Lock()
		z.expireCursors()
		z.cursors[loc] = &zuoraCursor{sel: sel, records: recs[n:], total: total, used: time.Now()}
		z.authMu.Unlock()
	}
	z.mu.RLock()
	body := zoqlPage(sel, recs[:n], total, loc)
	z.mu.RUnlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(200)
	_, _ = w.Write(body)
}

// zoqlPage is {"records": [...], "size", "done", "queryLocator"} with each
// record projected on the query's columns, the same JSON values writeJSON
// would write, without encoding/json's reflection over 2,000 maps a page:
// that is the sandbox's own cost, which the bench would otherwise count
// against the connector.
func zoqlPage(sel *query.Select, recs []Record, total int, loc string) []byte {
	buf := make([]byte, 0, 256*len(recs)+64)
	buf = append(buf, `{"done":`...)
	buf = strconv.AppendBool(buf, loc == "")
	if loc != "" {
		buf = append(buf, `,"queryLocator":`...)
		buf = appendJSONValue(buf, loc)
	}
	buf = append(buf, `,"records":[`...)
	for i, rec := range recs {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '{')
		first := true
		sel.EachProjected(rec, func(key string, v any) {
			if !first {
				buf = append(buf, ',')
			}
			first = false
			buf = appendJSONValue(buf, key)
			buf = append(buf, ':')
			buf = appendJSONValue(buf, v)
		})
		buf = append(buf, '}')
	}
	buf = append(buf, `],"size":`...)
	buf = strconv.AppendInt(buf, int64(total), 10)
	return append(buf, "}\n"...)
}

// appendJSONValue appends v as JSON: plain strings, numbers, booleans and
// null directly, anything else (or a string that needs escaping) through
// encoding/json.
func appendJSONValue(buf []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(buf, "null"...)
	case bool:
		return strconv.AppendBool(buf, x)
	case json.Number:
		if x != "" {
			return append(buf, x...)
		}
	case string:
		if plainJSONString(x) {
			buf = append(buf, '"')
			buf = append(buf, x...)
			return append(buf, '"')
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return append(buf, "null"...)
	}
	return append(buf, b...)
}

// plainJSONString: printable ASCII that JSON takes as it is.
func plainJSONString(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

func nonNil(r []Record) []Record {
	if r == nil {
		return []Record{}
	}
	return r
}

func (z *zuoraAPI) expireCursors() {
	for k, c := range z.cursors {
		if time.Since(c.used) > 15*time.Minute {
			delete(z.cursors, k)
		}
	}
}

func (z *zuoraAPI) queryMore(w http.ResponseWriter, r *http.Request) {
	var req struct {
		QueryLocator string `json:"queryLocator"`
		Conf         struct {
			BatchSize int `json:"batchSize"`
		} `json:"conf"`
	}
	if err := decodeBody(r, &req); err != nil {
		z.zoqlFault(w, "MALFORMED_QUERY", err.Error())
		return
	}
	z.authMu.Lock()
	c, ok := z.cursors[req.QueryLocator]
	if ok {
		delete(z.cursors, req.QueryLocator)
	}
	z.authMu.Unlock()
	if !ok {
		z.zoqlFault(w, "INVALID_QUERY_LOCATOR", fmt.Sprintf("invalid queryLocator %q: unknown or expired (locators live 15 minutes)", req.QueryLocator))
		return
	}
	z.page(w, c.sel, c.records, c.total, req.Conf.BatchSize)
}
