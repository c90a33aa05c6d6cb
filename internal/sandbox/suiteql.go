package sandbox

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/query"
)

// suiteql answers POST /query/v1/suiteql over views of the stored records.
func (n *netsuiteAPI) suiteql(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err1 := atoiDefault(q.Get("limit"), 1000)
	offset, err2 := atoiDefault(q.Get("offset"), 0)
	if err1 != nil || err2 != nil || limit < 1 || limit > 1000 || offset < 0 || offset%limit != 0 {
		nsError(w, 400, "INVALID_PARAMETER", "", "limit must be between 1 and 1000 and offset a non-negative multiple of limit.")
		return
	}
	var body struct {
		Q string `json:"q"`
	}
	if err := decodeBody(r, &body); err != nil {
		nsError(w, 400, "INVALID_PARAMETER", "", err.Error())
		return
	}
	text, toChar := rewriteToChar(body.Q)
	sel, err := query.ParseSuiteQL(text)
	if err != nil {
		nsError(w, 400, "INVALID_PARAMETER", "", "Invalid search query: "+err.Error())
		return
	}
	n.state.countQuery(sel.From)
	n.mu.RLock()
	rows, err := n.view(sel)
	var matched []Record
	if err == nil {
		for _, row := range rows {
			ok, merr := sel.Match(row)
			if merr != nil {
				err = merr
				break
			}
			if ok {
				matched = append(matched, row)
			}
		}
	}
	dateFormat := n.acct.DateFormat
	n.mu.RUnlock()
	if err != nil {
		nsError(w, 400, "INVALID_PARAMETER", "", "Invalid search query: "+err.Error())
		return
	}
	if sel.IsCount() {
		// One row with the counts (docs/sandbox.md).
		matched = []Record{sel.Counts(matched)}
	} else {
		// N4, hostile reading: without ORDER BY the row order is unspecified
		// and differs between page requests, so paging may repeat or skip
		// rows ("must specify a sorting order … to avoid duplicate or missing
		// results"); ties of a non-unique ORDER BY are unstable the same way.
		n.shuffle(matched)
		sel.Sort(matched)
	}
	total := len(matched)
	if total > maxSuiteQLRows && offset+limit > maxSuiteQLRows {
		// N4: a query answers at most 100,000 rows.
		nsError(w, 400, "INVALID_PARAMETER", "", fmt.Sprintf(
			"The query returns %d results, over the maximum of %d; narrow it with a WHERE condition.", total, maxSuiteQLRows))
		return
	}
	start, end := min(offset, total), min(offset+limit, total)
	items := make([]Record, 0, end-start)
	for _, row := range matched[start:end] {
		p := row
		if !sel.IsCount() {
			p = sel.Project(row)
			formatDates(p, dateFormat, toChar)
		}
		p["links"] = []any{}
		items = append(items, p)
	}
	self := func(off int) string {
		return "http://" + r.Host + r.URL.Path + "?" + url.Values{"limit": {strconv.Itoa(limit)}, "offset": {strconv.Itoa(off)}}.Encode()
	}
	links := []any{map[string]any{"rel": "self", "href": self(offset)}}
	if end < total {
		links = append(links, map[string]any{"rel": "next", "href": self(end)})
	}
	writeJSON(w, 200, map[string]any{"links": links, "count": len(items), "hasMore": end < total, "items": items, "offset": offset, "totalResults": total})
}

// view returns the candidate rows of the query's table, from an index when
// the WHERE pins a key.
func (n *netsuiteAPI) view(sel *query.Select) ([]Record, error) {
	from := strings.ToLower(sel.From)
	switch from {
	case "transaction":
		return n.transactionRows(sel), nil
	case "transactionline":
		return n.lineRows(sel), nil
	case "item":
		var out []Record
		for _, typ := range []string{netsuite.TypeInventoryItem, netsuite.TypeNonInventory, netsuite.TypeServiceItem} {
			for _, rec := range n.candidates(sel, n.records[typ], map[string]string{"id": "id", "itemid": "itemId", "externalid": "externalId"}) {
				row := lowerRow(rec)
				row["itemtype"] = itemTypes[typ]
				out = append(out, row)
			}
		}
		return out, nil
	}
	for typ, t := range n.records {
		if strings.ToLower(typ) == from {
			if _, isTx := transactionTypes[typ]; isTx {
				break
			}
			var out []Record
			for _, rec := range n.candidates(sel, t, map[string]string{"id": "id", "externalid": "externalId", "name": "name"}) {
				out = append(out, lowerRow(rec))
			}
			return out, nil
		}
	}
	return nil, fmt.Errorf("table %q is not known (tables: transaction, transactionline, customer, item, location, classification, department, subsidiary, job, currency, account)", sel.From)
}

// candidates uses the first indexed column the WHERE pins (column -> stored field).
func (n *netsuiteAPI) candidates(sel *query.Select, t *table, keys map[string]string) []Record {
	for _, col := range []string{"id", "externalid", "itemid", "name", "tranid"} {
		field, ok := keys[col]
		if !ok {
			continue
		}
		if vals, ok := sel.Candidates(col); ok {
			if recs, ok := t.lookup(field, vals); ok {
				return recs
			}
		}
	}
	return t.all()
}

// lowerRow is a record as SuiteQL shows it: lower-case column names,
// references as their id, booleans as "T"/"F".
func lowerRow(rec Record) Record {
	row := make(Record, len(rec))
	for k, v := range rec {
		row[strings.ToLower(k)] = suiteValue(v)
	}
	return row
}

func suiteValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if id, ok := x["id"]; ok {
			return str(id)
		}
		return nil
	case bool:
		if x {
			return "T"
		}
		return "F"
	case []any:
		return nil
	}
	return v
}

// suiteMoneyTypes are the customer payment and refund as SuiteQL's
// transaction.type shows them (SuiteQL Records Catalog, transaction type
// ids CustPymt / CustRfnd). customerRefund is written by the refund sync.
var suiteMoneyTypes = map[string]string{netsuite.TypeCustomerPayment: "CustPymt", "customerRefund": "CustRfnd"}

func (n *netsuiteAPI) transactionRows(sel *query.Select) []Record {
	var out []Record
	for _, typ := range []string{netsuite.TypeInvoice, netsuite.TypeCreditMemo, netsuite.TypeCustomerPayment, "customerRefund"} {
		t := n.records[typ]
		if t == nil {
			continue
		}
		for _, rec := range n.candidates(sel, t, map[string]string{"id": "id", "externalid": "externalId", "tranid": "tranId"}) {
			row := lowerRow(rec)
			row["type"] = transactionTypes[typ]
			if row["type"] == "" || row["type"] == nil {
				row["type"] = suiteMoneyTypes[typ]
			}
			row["foreigntotal"] = rec["total"]
			row["foreignamountremaining"] = rec["amountRemaining"]
			row["recordtype"] = strings.ToLower(typ)
			if row["entity"] == nil {
				// A payment or refund names its customer "customer" in REST;
				// SuiteQL's transaction table calls every party "entity".
				row["entity"] = suiteValue(rec["customer"])
			}
			if _, money := suiteMoneyTypes[typ]; money {
				// REST body fields SuiteQL's transaction table has no column for.
				delete(row, "customer")
				delete(row, "payment")
			}
			if typ == netsuite.TypeCreditMemo || typ == netsuite.TypeCustomerPayment {
				// foreignpaymentamountused / unused: what a payment or credit
				// memo applies and leaves open, in the transaction currency
				// (prolecto "NetSuite SuiteQL A/R fields", docs/wire.md).
				used := decimal.Zero
				for _, a := range appliedDocs(sublistItems(rec["apply"])) {
					used = used.Add(a)
				}
				total, _ := decimal.NewFromString(str(rec["total"]))
				row["foreignpaymentamountused"] = json.Number(used.StringFixed(2))
				row["foreignpaymentamountunused"] = json.Number(total.Sub(used).StringFixed(2))
			}
			out = append(out, row)
		}
	}
	return out
}

func (n *netsuiteAPI) lineRows(sel *query.Select) []Record {
	txIDs, pinned := sel.Candidates("transaction")
	if !pinned {
		for _, typ := range []string{netsuite.TypeInvoice, netsuite.TypeCreditMemo} {
			for _, rec := range n.records[typ].all() {
				txIDs = append(txIDs, str(rec["id"]))
			}
		}
	}
	zids, byZID := sel.Candidates("custcol_zuora_item_id")
	var out []Record
	for _, tx := range txIDs {
		ls := n.lines[tx]
		if ls == nil {
			continue
		}
		header, sign := n.lineSign(tx)
		if byZID {
			for _, z := range zids {
				for _, k := range ls.byZID[z] {
					out = append(out, ls.row(ls.pos[k], tx, sign))
				}
			}
			continue
		}
		if header != nil {
			out = append(out, n.mainAndTaxRows(tx, header, ls, sign)...)
		}
		for i := range ls.lines {
			out = append(out, ls.row(i, tx, sign))
		}
	}
	return out
}

func lineRow(tx string, l Record, sign decimal.Decimal) Record {
	row := lowerRow(l)
	row["transaction"] = tx
	row["id"] = l["line"]
	row["linesequencenumber"] = l["line"]
	amt := lineAmount(l)
	row["foreignamount"] = json.Number(amt.Mul(sign).StringFixed(2))
	row["mainline"], row["taxline"] = "F", "F"
	if _, ok := row["deferrevrec"]; !ok {
		row["deferrevrec"] = "F"
	}
	return row
}

// mainAndTaxRows are the rows NetSuite's transactionline has beside the item
// lines (N3): the main line (mainline = 'T', id 0) carrying the header
// amount with the header's sign, and the tax line (taxline = 'T') carrying
// NetSuite's own tax, 0.00 here since the connector writes tax as item lines
// and no line is taxable (hostile reading: the row exists anyway). On an
// invoice the header (AR) is positive and item and tax lines negative; on a
// credit memo the reverse (public SuiteQL examples: "case when mainline='T'
// then foreignamount else foreignamount * -1 end").
func (n *netsuiteAPI) mainAndTaxRows(tx string, header Record, ls *lineSet, sign decimal.Decimal) []Record {
	total, _ := decimal.NewFromString(str(header["total"]))
	lastLine := 0
	for _, l := range ls.lines {
		lastLine = max(lastLine, lineNo(l))
	}
	return []Record{
		{"transaction": tx, "id": json.Number("0"), "linesequencenumber": json.Number("0"), "mainline": "T", "taxline": "F",
			"foreignamount": json.Number(total.Mul(sign.Neg()).StringFixed(2)), "deferrevrec": "F"},
		{"transaction": tx, "id": json.Number(strconv.Itoa(lastLine + 1)), "linesequencenumber": json.Number(strconv.Itoa(lastLine + 1)),
			"mainline": "F", "taxline": "T", "foreignamount": json.Number(decimal.Zero.Mul(sign).StringFixed(2)), "deferrevrec": "F"},
	}
}

// lineSign is the sign of item lines in transactionline: negative on an
// invoice, positive on a credit memo (N3).
func (n *netsuiteAPI) lineSign(tx string) (Record, decimal.Decimal) {
	if h := n.records[netsuite.TypeCreditMemo].byID[tx]; h != nil {
		return h, decimal.NewFromInt(1)
	}
	return n.records[netsuite.TypeInvoice].byID[tx], decimal.NewFromInt(-1)
}

// maxSuiteQLRows is the most rows one SuiteQL query answers (N4).
const maxSuiteQLRows = 100000

// shuffle puts rows in an order that differs from one request to the next.
func (n *netsuiteAPI) shuffle(rows []Record) {
	seed := atomic.AddUint64(&n.pagingSeed, 1)
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	r.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
}

// dateColumns are the SuiteQL columns NetSuite answers as dates.
var dateColumns = map[string]bool{"trandate": true, "duedate": true, "revrecstartdate": true, "revrecenddate": true,
	"lastmodifieddate": true, "datecreated": true, "startdate": true, "enddate": true, "custcol_zuora_service_start": true, "custcol_zuora_service_end": true}

// formatDates renders date columns in the account's date format preference
// (N8: "dates follow the account's date format preference unless formatted
// with TO_CHAR", salto-io/salto PR 3308). Date-times keep hours and minutes
// in NetSuite's default time format ("h:mm am"); hostile reading: seconds
// are not shown.
func formatDates(row Record, format string, toChar map[string]string) {
	for k, v := range row {
		if !dateColumns[k] && toChar[k] == "" {
			continue
		}
		s, ok := v.(string)
		if !ok {
			continue
		}
		if f := toChar[k]; f != "" {
			if t, err := time.Parse(time.RFC3339, s); err == nil {
				row[k] = t.Format(f)
			} else if t, err := time.Parse("2006-01-02", s); err == nil {
				row[k] = t.Format(f)
			}
			continue
		}
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			row[k] = accountDate(t, format) + " " + strings.ToLower(t.Format("3:04 PM"))
		} else if t, err := time.Parse("2006-01-02", s); err == nil {
			row[k] = accountDate(t, format)
		}
	}
}

// accountDate writes a date in one of NetSuite's date format preferences.
func accountDate(t time.Time, format string) string {
	r := strings.NewReplacer("YYYY", "2006", "MM", "01", "DD", "02", "M", "1", "D", "2")
	return t.Format(r.Replace(format))
}

// toCharCall is TO_CHAR(column, 'format') [AS alias] in a select list.
var toCharCall = regexp.MustCompile(`(?i)to_char\s*\(\s*([a-z_][a-z0-9_]*)\s*,\s*'([^']*)'\s*\)(\s+as\s+([a-z_][a-z0-9_]*))?`)

// rewriteToChar supports SuiteQL's TO_CHAR on date columns, the documented
// way to read a date in a format of one's choosing (N8): the call becomes
// its column (aliased as written, expr<n> otherwise, as NetSuite names an
// unaliased expression), and the answer column -> Go layout to format it in.
// Oracle format elements read: YYYY MM DD HH24 HH MI SS AM "literal".
func rewriteToChar(q string) (string, map[string]string) {
	layouts := map[string]string{}
	n := 0
	out := toCharCall.ReplaceAllStringFunc(q, func(m string) string {
		sub := toCharCall.FindStringSubmatch(m)
		n++
		alias := strings.ToLower(sub[4])
		if alias == "" {
			alias = "expr" + strconv.Itoa(n)
		}
		layouts[alias] = oracleLayout(sub[2])
		return sub[1] + " AS " + alias
	})
	return out, layouts
}

func oracleLayout(f string) string {
	var b strings.Builder
	for i := 0; i < len(f); {
		rest := strings.ToUpper(f[i:])
		switch {
		case f[i] == '"':
			j := strings.IndexByte(f[i+1:], '"')
			if j < 0 {
				j = len(f) - i - 1
			}
			b.WriteString(f[i+1 : i+1+j])
			i += j + 2
			continue
		case strings.HasPrefix(rest, "YYYY"):
			b.WriteString("2006")
			i += 4
		case strings.HasPrefix(rest, "HH24"):
			b.WriteString("15")
			i += 4
		case strings.HasPrefix(rest, "HH"):
			b.WriteString("03")
			i += 2
		case strings.HasPrefix(rest, "MM"):
			b.WriteString("01")
			i += 2
		case strings.HasPrefix(rest, "DD"):
			b.WriteString("02")
			i += 2
		case strings.HasPrefix(rest, "MI"):
			b.WriteString("04")
			i += 2
		case strings.HasPrefix(rest, "SS"):
			b.WriteString("05")
			i += 2
		case strings.HasPrefix(rest, "AM"), strings.HasPrefix(rest, "PM"):
			b.WriteString("PM")
			i += 2
		default:
			b.WriteByte(f[i])
			i++
		}
	}
	return b.String()
}
