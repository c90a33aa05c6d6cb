package activities

import (
	"context"
	"fmt"
	"go.temporal.io/sdk/activity"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// reconcileChunk is how many records one NetSuite or Zuora read covers: an
// IN list NetSuite answers from its index, under ZOQL's condition limit.
var reconcileChunk = 100

// NetSuite transaction types as SuiteQL's transaction.type shows them.
const (
	reconSuiteInvoice    = "CustInvc"
	reconSuiteCreditMemo = "CustCred"
)

const (
	reconcileInvoiceFields = "Id, InvoiceNumber, AccountId, Amount, AmountWithoutTax, InvoiceDate, TransferredToAccounting, IntegrationId__NS"
	reconcileIIAFields     = "Id, AdjustmentNumber, AccountId, InvoiceId, InvoiceNumber, Type, Amount, AdjustmentDate, TransferredToAccounting, IntegrationId__NS"
)

// ReconcilePage compares the next page of Zuora accounts: every invoice and
// invoice item adjustment with Transferred To Accounting = Yes dated in the
// range against its NetSuite record (exists, linked, type, total, lines, line
// amounts, applied amount), then each account's totals. It only reads.
//
// Pages are whole accounts, so an account's totals are complete within one
// call and the workflow keeps nothing per account.
func (a *Activities) ReconcilePage(ctx context.Context, in workflows.ReconcilePageInput) (workflows.ReconcilePageResult, error) {
	ctx = nsFields(ctx, in.Settings)
	if err := workflows.ValidateReconcileRange(in.From, in.To); err != nil {
		return workflows.ReconcilePageResult{}, err
	}
	limit := in.Limit
	if limit <= 0 {
		limit = workflows.DefaultReconcilePageSize
	}
	accts, err := zuora.QueryAll[zuora.Account](ctx, a.Zuora, "select Id, AccountNumber, Currency, IntegrationId__NS from Account")
	if err != nil {
		return workflows.ReconcilePageResult{}, retryable("reading Zuora accounts", err)
	}
	sort.Slice(accts, func(i, j int) bool { return accts[i].ID < accts[j].ID })
	start := sort.Search(len(accts), func(i int) bool { return accts[i].ID > in.AfterAccountID })
	page := accts[start:min(start+limit, len(accts))]

	r := &reconciler{a: a, in: in, s: in.Settings, maxDiffs: in.MaxDifferences, accounts: map[string]*reconAccount{}, byNumber: map[string]*reconAccount{}}
	if r.maxDiffs <= 0 {
		r.maxDiffs = workflows.DefaultReconcileMaxDifferences
	}
	for i := range page {
		at := &reconAccount{acct: page[i], fig: workflows.AccountFigures{AccountID: page[i].ID, AccountNumber: page[i].AccountNumber, Currency: page[i].Currency}}
		r.accounts[page[i].ID], r.byNumber[page[i].AccountNumber] = at, at
	}
	is, err := a.Zuora.InvoiceSettlementEnabled(ctx)
	if err != nil {
		return workflows.ReconcilePageResult{}, retryable("asking Zuora whether the tenant is on Invoice Settlement", err)
	}
	r.is = is
	// A retried attempt resumes after the chunks its predecessor finished.
	done := r.resume(ctx)
	for s := 0; s < len(page); s += reconcileChunk {
		chunk := page[s:min(s+reconcileChunk, len(page))]
		if done != "" && chunk[len(chunk)-1].ID <= done {
			continue
		}
		if err := r.invoices(ctx, chunk); err != nil {
			return workflows.ReconcilePageResult{}, retryable("reconciling invoices", err)
		}
		if !r.is {
			// Invoice Settlement has no invoice item adjustments (ZOQL refuses the object).
			if err := r.adjustments(ctx, chunk); err != nil {
				return workflows.ReconcilePageResult{}, retryable("reconciling invoice item adjustments", err)
			}
		}
		if err := r.money(ctx, chunk); err != nil {
			return workflows.ReconcilePageResult{}, retryable("reconciling memos, payments and refunds", err)
		}
		heartbeat(ctx, r.progress(chunk[len(chunk)-1].ID))
	}
	r.res.Counts.Accounts = len(page)
	for _, acct := range page {
		at := r.accounts[acct.ID]
		r.accountTotal(at)
		if at.fig.Records() > 0 {
			r.res.Accounts = append(r.res.Accounts, at.fig)
		}
	}
	if len(page) > 0 {
		r.res.LastAccountID = page[len(page)-1].ID
	}
	r.res.Done = start+len(page) >= len(accts)
	return r.res, nil
}

// reconAccount is one account and its open-balance figures so far.
type reconAccount struct {
	acct zuora.Account
	fig  workflows.AccountFigures
}

// add counts a compared record in the account's figures (nil: an account
// outside the page, which cannot happen with scoped reads, counts nowhere).
func (at *reconAccount) add(recordType string, zuoraSigned, netsuiteSigned decimal.Decimal) {
	if at != nil {
		at.fig.Add(recordType, zuoraSigned, netsuiteSigned)
	}
}

type reconciler struct {
	a        *Activities
	in       workflows.ReconcilePageInput
	s        settings.Settings
	maxDiffs int
	accounts map[string]*reconAccount
	byNumber map[string]*reconAccount // the same, by account number (differences name it)
	res      workflows.ReconcilePageResult
	is       bool // the tenant is on Invoice Settlement (memos, no adjustments)
}

func (r *reconciler) report(d workflows.Difference) {
	r.res.DifferencesFound++
	r.res.Counts.Differences++
	r.res.DifferencesByType = workflows.AddTypeCount(r.res.DifferencesByType, d.RecordType, 1)
	if at := r.byNumber[d.AccountNumber]; at != nil {
		at.fig.Differences++
	}
	if len(r.res.Differences) < r.maxDiffs {
		r.res.Differences = append(r.res.Differences, d)
	}
}

// reconTx is a NetSuite transaction header as SuiteQL reports it.
type reconTx struct {
	id, typ string
	total   decimal.Decimal
}

// reconLines are a transaction's lines keyed by the Zuora item id they carry.
type reconLines struct {
	count  int
	sum    decimal.Decimal
	byZID  map[string]decimal.Decimal
	noZIDs int
}

// zuoraScope is the ZOQL filter of synced records of these accounts dated in the range.
func (r *reconciler) zuoraScope(dateField string, accts []zuora.Account) string {
	// ZOQL has no parentheses and "and" binds tighter than "or": one AND
	// term per account (4 conditions each; callers keep ≤ 200 in total).
	terms := make([]string, len(accts))
	for i, a := range accts {
		terms[i] = fmt.Sprintf("AccountId = %s and TransferredToAccounting = 'Yes' and %s >= %s and %s <= %s",
			zuora.Quote(a.ID), dateField, zuora.Quote(r.in.From), dateField, zuora.Quote(r.in.To))
	}
	return strings.Join(terms, " or ")
}

// scopedAccounts is how many accounts one scoped ZOQL names: 4 conditions
// each, within ZOQL's 200.
const scopedAccounts = 50

// scopedQuery runs prefix + zuoraScope over the accounts, 50 at a time.
func scopedQuery[T any](ctx context.Context, r *reconciler, prefix, dateField string, accts []zuora.Account) ([]T, error) {
	var out []T
	for s := 0; s < len(accts); s += scopedAccounts {
		recs, err := zuora.QueryAll[T](ctx, r.a.Zuora, prefix+r.zuoraScope(dateField, accts[s:min(s+scopedAccounts, len(accts))]))
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
	}
	return out, nil
}

func (r *reconciler) invoices(ctx context.Context, accts []zuora.Account) error {
	invs, err := scopedQuery[zuora.Invoice](ctx, r, "select "+reconcileInvoiceFields+" from Invoice where ", "InvoiceDate", accts)
	if err != nil {
		return fmt.Errorf("reading synced Zuora invoices: %w", err)
	}
	sort.Slice(invs, func(i, j int) bool { return invs[i].ID < invs[j].ID })
	for s := 0; s < len(invs); s += reconcileChunk {
		chunk := invs[s:min(s+reconcileChunk, len(invs))]
		if err := r.invoiceChunk(ctx, chunk); err != nil {
			return err
		}
		heartbeat(ctx, chunk[len(chunk)-1].ID)
	}
	return nil
}

func (r *reconciler) invoiceChunk(ctx context.Context, invs []zuora.Invoice) error {
	ids := make([]string, len(invs))
	exts := make([]string, len(invs))
	parts := map[string][]string{} // split invoices (issue 13): their parts' external ids
	for i, inv := range invs {
		ids[i], exts[i] = inv.ID, netsuite.InvoiceExternalID(inv.ID)
		if n := invoicePartCount(inv.IntegrationID); n > 1 {
			parts[inv.ID] = invoicePartExternalIDs(inv.ID, n)
			exts = append(exts, parts[inv.ID][1:]...)
		}
	}
	txs, err := r.transactions(ctx, exts)
	if err != nil {
		return err
	}
	lines, err := r.lines(ctx, txs)
	if err != nil {
		return err
	}
	expected, err := r.expectedInvoiceLines(ctx, ids)
	if err != nil {
		return err
	}
	for _, inv := range invs {
		r.res.Counts.Invoices++
		tx := txs[netsuite.InvoiceExternalID(inv.ID)]
		if p := parts[inv.ID]; p != nil {
			tx, _ = mergeInvoiceParts(p, txs, lines)
		}
		r.compareInvoice(inv, tx, lines, expected[inv.ID])
	}
	return nil
}

// transactions reads NetSuite headers by external id.
func (r *reconciler) transactions(ctx context.Context, exts []string) (map[string]*reconTx, error) {
	out := map[string]*reconTx{}
	if len(exts) == 0 {
		return out, nil
	}
	rows, err := r.a.NetSuite.QueryAll(ctx, "SELECT id, type, externalid, foreigntotal FROM transaction WHERE externalid IN ("+reconQuoteAll(exts)+") ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("reading NetSuite transactions: %w", err)
	}
	for _, row := range rows {
		t := &reconTx{id: fmt.Sprint(row["id"]), typ: fmt.Sprint(row["type"])}
		if t.total, err = decimal.NewFromString(fmt.Sprint(row["foreigntotal"])); err != nil {
			return nil, fmt.Errorf("NetSuite transaction %s: total %v is not an amount", t.id, row["foreigntotal"])
		}
		out[fmt.Sprint(row["externalid"])] = t
	}
	return out, nil
}

// lines reads the lines of these NetSuite transactions, by transaction id.
func (r *reconciler) lines(ctx context.Context, txs map[string]*reconTx) (map[string]*reconLines, error) {
	out := map[string]*reconLines{}
	var ids []string
	invoice := map[string]bool{}
	for _, t := range txs {
		ids = append(ids, t.id)
		out[t.id] = &reconLines{byZID: map[string]decimal.Decimal{}}
		invoice[t.id] = t.typ == "CustInvc"
	}
	if len(ids) == 0 {
		return out, nil
	}
	sort.Strings(ids)
	// transactionline holds the main line and tax lines too, and on an
	// invoice its item and tax lines carry the sign opposite to the header
	// (real-api-gaps N3): the main line is skipped, amounts turned back into
	// the line amounts the connector wrote.
	rows, err := r.a.NetSuite.QueryAll(ctx, "SELECT transaction, id, mainline, taxline, foreignamount, custcol_zuora_item_id FROM transactionline WHERE transaction IN ("+reconQuoteAll(ids)+") ORDER BY transaction, id")
	if err != nil {
		return nil, fmt.Errorf("reading NetSuite transaction lines: %w", err)
	}
	for _, row := range rows {
		ls := out[fmt.Sprint(row["transaction"])]
		if ls == nil {
			continue
		}
		if fmt.Sprint(row["mainline"]) == "T" {
			continue
		}
		amt, err := decimal.NewFromString(fmt.Sprint(row["foreignamount"]))
		if err != nil {
			return nil, fmt.Errorf("NetSuite transaction %v: line amount %v is not an amount", row["transaction"], row["foreignamount"])
		}
		if invoice[fmt.Sprint(row["transaction"])] {
			amt = amt.Neg()
		}
		if fmt.Sprint(row["taxline"]) == "T" && amt.IsZero() {
			// NetSuite's own tax line: nothing taxed (the connector writes
			// tax as item lines). A non-zero one is NetSuite adding tax: it
			// counts as a line without a Zuora id.
			continue
		}
		ls.count++
		ls.sum = ls.sum.Add(amt)
		if z, _ := row["custcol_zuora_item_id"].(string); z != "" {
			ls.byZID[z] = ls.byZID[z].Add(amt)
		} else {
			ls.noZIDs++
		}
	}
	return out, nil
}

// reconItem is an invoice item or taxation item with the amount its line
// carries in Zuora's sign.
type reconItem struct {
	id     string
	amount decimal.Decimal
}

// expectedInvoiceLines lists, per invoice, the items a sync writes as lines.
func (r *reconciler) expectedInvoiceLines(ctx context.Context, invoiceIDs []string) (map[string][]reconItem, error) {
	out := map[string][]reconItem{}
	items, err := zoqlByIDs[zuora.InvoiceItem](ctx, r.a.Zuora, zuora.ObjInvoiceItem, "Id, InvoiceId, ChargeAmount", "InvoiceId", invoiceIDs)
	if err != nil {
		return nil, fmt.Errorf("reading Zuora invoice items: %w", err)
	}
	for _, it := range items {
		out[it.InvoiceID] = append(out[it.InvoiceID], reconItem{id: it.ID, amount: it.ChargeAmount})
	}
	if r.s.Advanced.UseStandardInvoiceSync {
		taxes, err := zoqlByIDs[zuora.TaxationItem](ctx, r.a.Zuora, zuora.ObjTaxationItem, "Id, InvoiceId, TaxAmount", "InvoiceId", invoiceIDs)
		if err != nil {
			return nil, fmt.Errorf("reading Zuora taxation items: %w", err)
		}
		for _, t := range taxes {
			out[t.InvoiceID] = append(out[t.InvoiceID], reconItem{id: t.ID, amount: t.TaxAmount})
		}
	}
	return out, nil
}

// compareInvoice checks one synced invoice against its NetSuite record.
func (r *reconciler) compareInvoice(inv zuora.Invoice, tx *reconTx, lines map[string]*reconLines, items []reconItem) {
	at := r.accounts[inv.AccountID]
	const recordType = workflows.RecordInvoice
	base := workflows.Difference{RecordType: recordType, ZuoraID: inv.ID, Number: inv.InvoiceNumber}
	if at != nil {
		base.AccountNumber, base.Currency = at.acct.AccountNumber, at.acct.Currency
	}
	negative := inv.Amount.IsNegative()
	wantType, wantName := reconSuiteInvoice, "invoice"
	if negative {
		wantType, wantName = reconSuiteCreditMemo, "credit memo"
	}
	standard := r.s.Advanced.UseStandardInvoiceSync
	zuoraSigned := inv.Amount
	if !standard {
		zuoraSigned = inv.AmountWithoutTax // NetSuite adds its own tax: compare before tax
	}
	nsPart := decimal.Zero // what the NetSuite record adds to the account (nothing when missing)
	defer func() { at.add(recordType, zuoraSigned, nsPart) }()
	before := r.res.DifferencesFound
	defer func() {
		if r.res.DifferencesFound == before {
			r.res.Counts.Matched++
		}
	}()

	if tx == nil {
		d := base
		d.Kind, d.Zuora, d.NetSuite = workflows.DiffMissing, reconCents(inv.Amount), ""
		d.Detail = fmt.Sprintf("Zuora says the invoice was transferred (NetSuite id %q) but NetSuite has no %s with external id %s",
			inv.IntegrationID, wantName, netsuite.InvoiceExternalID(inv.ID))
		r.report(d)
		return
	}
	base.NetSuiteID = tx.id
	nsSigned := tx.total
	if tx.typ == reconSuiteCreditMemo {
		nsSigned = nsSigned.Neg()
	}
	ls := lines[tx.id]
	if ls == nil {
		ls = &reconLines{byZID: map[string]decimal.Decimal{}}
	}
	if !standard {
		nsSigned = ls.sum
		if tx.typ == reconSuiteCreditMemo {
			nsSigned = nsSigned.Neg()
		}
	}
	nsPart = nsSigned
	if inv.IntegrationID != tx.id {
		d := base
		d.Kind, d.Zuora, d.NetSuite = workflows.DiffNotLinked, inv.IntegrationID, tx.id
		d.Detail = fmt.Sprintf("the Zuora invoice's NetSuite id is %q but its NetSuite record is %s", inv.IntegrationID, tx.id)
		r.report(d)
	}
	if tx.typ != wantType {
		d := base
		d.Kind, d.Zuora, d.NetSuite = workflows.DiffType, wantType, tx.typ
		d.Detail = fmt.Sprintf("the invoice amounts to %s, so NetSuite should hold a %s, but it holds a %s", reconCents(inv.Amount), wantName, reconTypeName(tx.typ))
		r.report(d)
	}
	if standard && !tx.total.Equal(inv.Amount.Abs()) {
		d := base
		d.Kind, d.Zuora, d.NetSuite = workflows.DiffTotal, reconCents(inv.Amount.Abs()), reconCents(tx.total)
		d.Detail = fmt.Sprintf("NetSuite total %s, Zuora amount %s: off by %s", reconCents(tx.total), reconCents(inv.Amount.Abs()), reconCents(tx.total.Sub(inv.Amount.Abs())))
		r.report(d)
	}

	// Lines: those the sync writes, in NetSuite's sign (a credit memo's are negated).
	summarized := summarizedLines(ls)
	wantCount, wantSum := 0, decimal.Zero
	var missing, wrong []string
	for _, it := range items {
		amt := it.amount
		if negative {
			amt = amt.Neg()
		}
		if amt.IsZero() && !r.s.Advanced.SyncZeroAmountItems {
			continue
		}
		wantCount++
		wantSum = wantSum.Add(amt)
		if summarized {
			continue // one line per group: the sum is what compares
		}
		got, ok := ls.byZID[it.id]
		switch {
		case !ok:
			missing = append(missing, it.id)
		case !got.Equal(amt):
			wrong = append(wrong, fmt.Sprintf("%s (%s in NetSuite, %s in Zuora)", it.id, reconCents(got), reconCents(amt)))
		}
	}
	if ls.count != wantCount && !summarized {
		d := base
		d.Kind, d.Zuora, d.NetSuite = workflows.DiffLineCount, fmt.Sprint(wantCount), fmt.Sprint(ls.count)
		d.Detail = fmt.Sprintf("NetSuite has %d lines, Zuora %d items to sync", ls.count, wantCount)
		if len(missing) > 0 {
			d.Detail += "; missing the line of Zuora item " + reconFirstFew(missing)
		}
		r.report(d)
	}
	if !ls.sum.Equal(wantSum) {
		d := base
		d.Kind, d.Zuora, d.NetSuite = workflows.DiffLineSum, reconCents(wantSum), reconCents(ls.sum)
		d.Detail = fmt.Sprintf("NetSuite lines sum to %s, Zuora items to %s: off by %s", reconCents(ls.sum), reconCents(wantSum), reconCents(ls.sum.Sub(wantSum)))
		if len(wrong) > 0 {
			d.Detail += "; line amounts differ for Zuora item " + reconFirstFew(wrong)
		}
		r.report(d)
	}
}

func (r *reconciler) adjustments(ctx context.Context, accts []zuora.Account) error {
	iias, err := scopedQuery[zuora.InvoiceItemAdjustment](ctx, r, "select "+reconcileIIAFields+" from InvoiceItemAdjustment where ", "AdjustmentDate", accts)
	if err != nil {
		return fmt.Errorf("reading synced Zuora invoice item adjustments: %w", err)
	}
	sort.Slice(iias, func(i, j int) bool { return iias[i].ID < iias[j].ID })
	for s := 0; s < len(iias); s += reconcileChunk {
		chunk := iias[s:min(s+reconcileChunk, len(iias))]
		exts := make([]string, len(chunk))
		var invIDs []string
		for i, x := range chunk {
			exts[i] = netsuite.AdjustmentExternalID(x.ID)
			invIDs = append(invIDs, x.InvoiceID)
		}
		txs, err := r.transactions(ctx, exts)
		if err != nil {
			return err
		}
		// The original invoices' NetSuite ids: a credit adjustment's memo is applied to them.
		origs, err := zoqlByIDs[zuora.Invoice](ctx, r.a.Zuora, zuora.ObjInvoice, "Id, Amount, IntegrationId__NS", "Id", invIDs)
		if err != nil {
			return fmt.Errorf("reading the adjusted Zuora invoices: %w", err)
		}
		orig := map[string]zuora.Invoice{}
		for _, o := range origs {
			orig[o.ID] = o
		}
		for _, x := range chunk {
			r.res.Counts.Adjustments++
			if err := r.compareAdjustment(ctx, x, txs[netsuite.AdjustmentExternalID(x.ID)], orig[x.InvoiceID]); err != nil {
				return err
			}
		}
		heartbeat(ctx, chunk[len(chunk)-1].ID)
	}
	return nil
}

// compareAdjustment checks a synced invoice item adjustment: a Credit one is
// a NetSuite credit memo applied to the original invoice's record, a Charge
// one an invoice (seed iia-transaction-sync).
func (r *reconciler) compareAdjustment(ctx context.Context, x zuora.InvoiceItemAdjustment, tx *reconTx, orig zuora.Invoice) error {
	at := r.accounts[x.AccountID]
	const recordType = workflows.RecordAdjustment
	base := workflows.Difference{RecordType: recordType, ZuoraID: x.ID, Number: x.AdjustmentNumber}
	if at != nil {
		base.AccountNumber, base.Currency = at.acct.AccountNumber, at.acct.Currency
	}
	credit := strings.EqualFold(x.Type, "Credit")
	amount := x.Amount.Abs()
	wantType, wantName, zuoraSigned := reconSuiteInvoice, "invoice", amount
	if credit {
		wantType, wantName, zuoraSigned = reconSuiteCreditMemo, "credit memo", amount.Neg()
	}
	nsPart := decimal.Zero // what the NetSuite record adds to the account (nothing when missing)
	defer func() { at.add(recordType, zuoraSigned, nsPart) }()
	before := r.res.DifferencesFound
	defer func() {
		if r.res.DifferencesFound == before {
			r.res.Counts.Matched++
		}
	}()
	if tx == nil {
		d := base
		d.Kind, d.Zuora = workflows.DiffMissing, reconCents(zuoraSigned)
		d.Detail = fmt.Sprintf("Zuora says the %s adjustment of invoice %s was transferred (NetSuite id %q) but NetSuite has no %s with external id %s",
			strings.ToLower(x.Type), x.InvoiceNumber, x.IntegrationID, wantName, netsuite.AdjustmentExternalID(x.ID))
		r.report(d)
		return nil
	}
	base.NetSuiteID = tx.id
	nsSigned := tx.total
	if tx.typ == reconSuiteCreditMemo {
		nsSigned = nsSigned.Neg()
	}
	nsPart = nsSigned
	if x.IntegrationID != tx.id {
		d := base
		d.Kind, d.Zuora, d.NetSuite = workflows.DiffNotLinked, x.IntegrationID, tx.id
		d.Detail = fmt.Sprintf("the Zuora adjustment's NetSuite id is %q but its NetSuite record is %s", x.IntegrationID, tx.id)
		r.report(d)
	}
	if tx.typ != wantType {
		d := base
		d.Kind, d.Zuora, d.NetSuite = workflows.DiffType, wantType, tx.typ
		d.Detail = fmt.Sprintf("a %s adjustment becomes a NetSuite %s, but NetSuite holds a %s", strings.ToLower(x.Type), wantName, reconTypeName(tx.typ))
		r.report(d)
	}
	if !tx.total.Equal(amount) {
		d := base
		d.Kind, d.Zuora, d.NetSuite = workflows.DiffTotal, reconCents(amount), reconCents(tx.total)
		d.Detail = fmt.Sprintf("NetSuite total %s, Zuora adjustment %s: off by %s", reconCents(tx.total), reconCents(amount), reconCents(tx.total.Sub(amount)))
		r.report(d)
	}
	// Applied amounts (seed rules 4 and 5). Less than the adjustment can be
	// right (the sync applies only what was still open), so what is checked
	// is that it goes to the right record and never exceeds the adjustment.
	switch {
	case credit && tx.typ == reconSuiteCreditMemo && orig.IntegrationID != "" && !orig.Amount.IsNegative():
		applied, err := r.appliedByDoc(ctx, tx.id)
		if err != nil {
			return err
		}
		for _, doc := range reconSortedKeys(applied) {
			if doc != orig.IntegrationID {
				d := base
				d.Kind, d.Zuora, d.NetSuite = workflows.DiffApplied, orig.IntegrationID, doc
				d.Detail = fmt.Sprintf("credit memo %s applies %s to NetSuite transaction %s, not to invoice %s's record %s",
					tx.id, reconCents(applied[doc]), doc, x.InvoiceNumber, orig.IntegrationID)
				r.report(d)
			}
		}
		r.overApplied(base, tx.id, applied[orig.IntegrationID], amount, "credit memo "+tx.id+" applies", "to NetSuite invoice "+orig.IntegrationID)
	case !credit && orig.IntegrationID != "" && orig.Amount.IsNegative():
		// The original credit memo is applied to this adjustment's invoice.
		applied, err := r.appliedByDoc(ctx, orig.IntegrationID)
		if err != nil {
			return err
		}
		r.overApplied(base, tx.id, applied[tx.id], amount, "the original credit memo "+orig.IntegrationID+" applies", "to this invoice "+tx.id)
	}
	return nil
}

// appliedByDoc sums a credit memo's applied amounts by the document they apply to.
func (r *reconciler) appliedByDoc(ctx context.Context, creditMemoID string) (map[string]decimal.Decimal, error) {
	full, err := r.a.NetSuite.GetTransaction(ctx, netsuite.TypeCreditMemo, creditMemoID)
	if err != nil {
		return nil, fmt.Errorf("reading NetSuite credit memo %s: %w", creditMemoID, err)
	}
	out := map[string]decimal.Decimal{}
	if full.Apply != nil {
		for _, ap := range full.Apply.Items {
			if ap.Apply && ap.Doc != nil {
				out[ap.Doc.ID] = out[ap.Doc.ID].Add(ap.Amount)
			}
		}
	}
	return out, nil
}

func (r *reconciler) overApplied(base workflows.Difference, nsID string, applied, amount decimal.Decimal, who, to string) {
	if applied.LessThanOrEqual(amount) {
		return
	}
	d := base
	d.NetSuiteID = nsID
	d.Kind, d.Zuora, d.NetSuite = workflows.DiffApplied, reconCents(amount), reconCents(applied)
	d.Detail = fmt.Sprintf("%s %s %s, more than the %s adjustment", who, reconCents(applied), to, reconCents(amount))
	r.report(d)
}

func reconSortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// accountTotal reports an account whose signed totals for the range differ
// and adds them to the page's currency totals.
func (r *reconciler) accountTotal(at *reconAccount) {
	if at == nil || at.fig.Records() == 0 {
		return
	}
	cur := at.acct.Currency
	i := sort.Search(len(r.res.Totals), func(i int) bool { return r.res.Totals[i].Currency >= cur })
	if i == len(r.res.Totals) || r.res.Totals[i].Currency != cur {
		r.res.Totals = append(r.res.Totals, workflows.CurrencyTotal{})
		copy(r.res.Totals[i+1:], r.res.Totals[i:])
		r.res.Totals[i] = workflows.CurrencyTotal{Currency: cur}
	}
	f := at.fig
	r.res.Totals[i].Zuora = r.res.Totals[i].Zuora.Add(f.Zuora)
	r.res.Totals[i].NetSuite = r.res.Totals[i].NetSuite.Add(f.NetSuite)
	if f.Zuora.Equal(f.NetSuite) {
		return
	}
	// Name the record types whose sums differ: where to look first.
	var off []string
	for _, t := range f.Types {
		if !t.Zuora.Equal(t.NetSuite) {
			off = append(off, fmt.Sprintf("%s %s in Zuora, %s in NetSuite", t.RecordType, reconCents(t.Zuora), reconCents(t.NetSuite)))
		}
	}
	r.report(workflows.Difference{
		Kind: workflows.DiffAccountTotal, RecordType: "account", ZuoraID: at.acct.ID, Number: at.acct.AccountNumber,
		AccountNumber: at.acct.AccountNumber, Currency: cur, Zuora: reconCents(f.Zuora), NetSuite: reconCents(f.NetSuite),
		Detail: fmt.Sprintf("%d synced records from %s to %s total %s %s in Zuora and %s %s in NetSuite: off by %s (%s)",
			f.Records(), r.in.From, r.in.To, reconCents(f.Zuora), cur, reconCents(f.NetSuite), cur, reconCents(f.NetSuite.Sub(f.Zuora)), strings.Join(off, "; ")),
	})
}

func reconCents(d decimal.Decimal) string { return d.StringFixed(2) }

func reconTypeName(t string) string {
	switch t {
	case reconSuiteInvoice:
		return "invoice"
	case reconSuiteCreditMemo:
		return "credit memo"
	case reconSuitePayment:
		return "customer payment"
	case reconSuiteRefund:
		return "customer refund"
	}
	return t
}

func reconQuoteAll(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = netsuite.Quote(v)
	}
	return strings.Join(q, ", ")
}

// firstFew names up to three entries and counts the rest.
func reconFirstFew(list []string) string {
	const shown = 3
	if len(list) <= shown {
		return strings.Join(list, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(list[:shown], ", "), len(list)-shown)
}

// ReconcileProgress is a ReconcilePage call's heartbeat: the chunks of
// accounts finished, with what they found, so a retried attempt (after a
// worker crash or a heartbeat timeout) reads only the rest of the page. Its
// size is bounded: at most MaxDifferences differences and a page of accounts.
type ReconcileProgress struct {
	AfterAccountID string                              `json:"afterAccountId"` // the page it belongs to
	From           string                              `json:"from"`
	To             string                              `json:"to"`
	DoneThrough    string                              `json:"doneThrough"` // last account id of the finished chunks
	Result         workflows.ReconcilePageResult       `json:"result"`
	Accounts       map[string]workflows.AccountFigures `json:"accounts"`
}

func (r *reconciler) progress(doneThrough string) ReconcileProgress {
	p := ReconcileProgress{AfterAccountID: r.in.AfterAccountID, From: r.in.From, To: r.in.To, DoneThrough: doneThrough,
		Result: r.res, Accounts: map[string]workflows.AccountFigures{}}
	for id, a := range r.accounts {
		if a.fig.Records() > 0 || a.fig.Differences > 0 {
			p.Accounts[id] = a.fig
		}
	}
	return p
}

// resume restores the previous attempt's finished chunks (heartbeat
// details of this same page) and returns the last account id they covered.
func (r *reconciler) resume(ctx context.Context) string {
	if !activity.IsActivity(ctx) || !activity.HasHeartbeatDetails(ctx) {
		return ""
	}
	var p ReconcileProgress
	if err := activity.GetHeartbeatDetails(ctx, &p); err != nil || p.DoneThrough == "" ||
		p.AfterAccountID != r.in.AfterAccountID || p.From != r.in.From || p.To != r.in.To {
		return ""
	}
	r.res = p.Result
	for id, fig := range p.Accounts {
		if a := r.accounts[id]; a != nil {
			a.fig = fig
		}
	}
	r.a.log(ctx).Info("reconcile page resumed from the previous attempt", "done_through", p.DoneThrough)
	return p.DoneThrough
}
