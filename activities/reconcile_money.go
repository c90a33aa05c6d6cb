package activities

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// Reconciliation of the money records (issue 16): debit memos, credit memos
// (Invoice Settlement), payments and refunds, each against its NetSuite
// record found by external id, all read in bulk per page of accounts:
// memos by the REST list filtered by account (pages of 40), payments and
// refunds by ZOQL scoped to the accounts, NetSuite by SuiteQL on the
// transaction table by external id (100 per query).

// SuiteQL transaction.type of the money records (SuiteQL Records Catalog).
const (
	reconSuitePayment = "CustPymt"
	reconSuiteRefund  = "CustRfnd"
)

// Refund is written by the refund sync (reference money-sync §5): ZOQL
// object Refund, NetSuite customerRefund, external id zuora-refund-<id>.
const (
	reconRefundObject         = "Refund"
	reconRefundFields         = "Id, RefundNumber, AccountId, Amount, RefundDate, TransferredToAccounting, IntegrationId__NS, Origin__NS"
	reconPaymentFields        = "Id, PaymentNumber, AccountId, Amount, AppliedAmount, EffectiveDate, TransferredToAccounting, IntegrationId__NS, Origin__NS"
	reconInvoicePaymentFields = "Id, PaymentId, Amount, RefundAmount"
)

func refundExternalID(zuoraRefundID string) string { return "zuora-refund-" + zuoraRefundID }

// moneyRecord is one synced Zuora money record as the reconciliation
// compares it.
type moneyRecord struct {
	recordType string // workflows.RecordDebitMemo | RecordCreditMemo | RecordPayment | RecordRefund
	id, number string
	accountID  string
	// integrationID is the NetSuite id Zuora holds (IntegrationId__NS).
	integrationID string
	externalID    string
	suiteType     string // the NetSuite transaction type it must be
	// amount is what the NetSuite record must total (positive, to the cent).
	amount decimal.Decimal
	// applied is what the NetSuite record must apply, when compared.
	applied *decimal.Decimal
	// byLines: the NetSuite amount is its lines' sum (a debit memo when
	// NetSuite computes tax: the header then includes NetSuite's tax).
	byLines bool
}

// moneyTx is a NetSuite transaction header as the reconciliation reads it.
type moneyTx struct {
	id, typ, entity string
	total           decimal.Decimal
	used            *decimal.Decimal // foreignpaymentamountused (payments, credit memos)
}

// money reconciles the money records of these accounts.
func (r *reconciler) money(ctx context.Context, accts []zuora.Account) error {
	var recs []moneyRecord
	if r.is {
		memos, err := r.memoRecords(ctx, accts)
		if err != nil {
			return err
		}
		recs = append(recs, memos...)
	}
	pays, err := r.paymentRecords(ctx, accts)
	if err != nil {
		return err
	}
	recs = append(recs, pays...)
	refunds, err := r.refundRecords(ctx, accts)
	if err != nil {
		return err
	}
	recs = append(recs, refunds...)
	sort.Slice(recs, func(i, j int) bool { return recs[i].externalID < recs[j].externalID })

	for s := 0; s < len(recs); s += reconcileChunk {
		chunk := recs[s:min(s+reconcileChunk, len(recs))]
		exts := make([]string, len(chunk))
		for i, m := range chunk {
			exts[i] = m.externalID
		}
		txs, err := r.moneyTransactions(ctx, exts)
		if err != nil {
			return err
		}
		// Line sums, only for the records compared by their lines.
		lineTxs := map[string]*reconTx{}
		for _, m := range chunk {
			if tx := txs[m.externalID]; m.byLines && tx != nil {
				lineTxs[m.externalID] = &reconTx{id: tx.id, typ: tx.typ, total: tx.total}
			}
		}
		lines, err := r.lines(ctx, lineTxs)
		if err != nil {
			return err
		}
		for _, m := range chunk {
			at := r.accounts[m.accountID]
			customer := ""
			if at != nil {
				customer = at.acct.IntegrationID
			}
			tx := txs[m.externalID]
			var lineSum *decimal.Decimal
			if tx != nil && lines[tx.id] != nil {
				lineSum = &lines[tx.id].sum
			}
			diffs, zs, ns := compareMoney(m, tx, customer, lineSum)
			r.countMoney(m.recordType)
			at.add(m.recordType, zs, ns)
			for _, d := range diffs {
				if at != nil {
					d.AccountNumber, d.Currency = at.acct.AccountNumber, at.acct.Currency
				}
				r.report(d)
			}
			if len(diffs) == 0 {
				r.res.Counts.Matched++
			}
		}
		heartbeat(ctx, chunk[len(chunk)-1].externalID)
	}
	return nil
}

func (r *reconciler) countMoney(recordType string) {
	switch recordType {
	case workflows.RecordDebitMemo:
		r.res.Counts.DebitMemos++
	case workflows.RecordCreditMemo:
		r.res.Counts.CreditMemos++
	case workflows.RecordPayment:
		r.res.Counts.Payments++
	case workflows.RecordRefund:
		r.res.Counts.Refunds++
	}
}

// inRange: a synced record dated in the reconciliation's range.
func (r *reconciler) inRange(transferred, date string) bool {
	return transferred == zuora.TransferYes && date >= r.in.From && date <= r.in.To
}

// memoRecords lists the accounts' synced debit and credit memos dated in
// the range: the REST list filtered by account (memos are not ZOQL objects).
func (r *reconciler) memoRecords(ctx context.Context, accts []zuora.Account) ([]moneyRecord, error) {
	var out []moneyRecord
	standard := r.s.Advanced.UseStandardInvoiceSync
	for _, acct := range accts {
		dms, err := r.a.Zuora.ListDebitMemosOfAccount(ctx, acct.ID)
		if err != nil {
			return nil, fmt.Errorf("reading account %s's debit memos: %w", acct.AccountNumber, err)
		}
		for _, dm := range dms {
			if !r.inRange(dm.TransferredToAccounting, dm.DebitMemoDate) {
				continue
			}
			m := moneyRecord{recordType: workflows.RecordDebitMemo, id: dm.ID, number: dm.Number, accountID: acct.ID,
				integrationID: dm.IntegrationID, externalID: netsuite.DebitMemoExternalID(dm.ID), suiteType: reconSuiteInvoice, amount: dm.Amount}
			if !standard {
				// NetSuite computes the tax: its lines carry the amount before tax.
				m.amount, m.byLines = dm.Amount.Sub(dm.TaxAmount), true
			}
			out = append(out, m)
		}
		cms, err := r.a.Zuora.ListCreditMemos(ctx, acct.ID)
		if err != nil {
			return nil, fmt.Errorf("reading account %s's credit memos: %w", acct.AccountNumber, err)
		}
		for _, cm := range cms {
			if !r.inRange(cm.TransferredToAccounting, cm.CreditMemoDate) {
				continue
			}
			applied := cm.AppliedAmount
			out = append(out, moneyRecord{recordType: workflows.RecordCreditMemo, id: cm.ID, number: cm.Number, accountID: acct.ID,
				integrationID: cm.IntegrationID, externalID: netsuite.CreditMemoExternalID(cm.ID), suiteType: reconSuiteCreditMemo,
				amount: cm.Amount, applied: &applied})
		}
		heartbeat(ctx, acct.ID)
	}
	return out, nil
}

// paymentRecords lists the accounts' synced payments with an effective date
// in the range. Without Invoice Settlement each is applied to invoices
// (InvoicePayment, read in bulk, less what was refunded); on Invoice Settlement its parts are not
// compared (their endpoint is not in this build), only its amount.
func (r *reconciler) paymentRecords(ctx context.Context, accts []zuora.Account) ([]moneyRecord, error) {
	pays, err := scopedQuery[zuora.Payment](ctx, r, "select "+reconPaymentFields+" from Payment where ", "EffectiveDate", accts)
	if err != nil {
		return nil, fmt.Errorf("reading synced Zuora payments: %w", err)
	}
	applied := map[string]decimal.Decimal{}
	if !r.is && len(pays) > 0 {
		ids := make([]string, len(pays))
		for i, p := range pays {
			ids[i] = p.ID
		}
		ips, err := zoqlByIDs[reconInvoicePayment](ctx, r.a.Zuora, zuora.ObjInvoicePayment, reconInvoicePaymentFields, "PaymentId", ids)
		if err != nil {
			return nil, fmt.Errorf("reading the payments' invoice applications: %w", err)
		}
		applied = appliedByPayment(ips)
	}
	out := make([]moneyRecord, 0, len(pays))
	for _, p := range pays {
		m := moneyRecord{recordType: workflows.RecordPayment, id: p.ID, number: p.PaymentNumber, accountID: p.AccountID,
			integrationID: p.IntegrationID, externalID: netsuite.PaymentExternalID(p.ID), suiteType: reconSuitePayment, amount: p.Amount}
		if key, ok := madeInNetSuite(p.Origin, p.IntegrationID); ok {
			m.externalID = key
		}
		if !r.is {
			a := applied[p.ID]
			m.applied = &a
		}
		out = append(out, m)
	}
	return out, nil
}

// reconInvoicePayment is a payment's application to an invoice (ZOQL
// InvoicePayment, tenants without Invoice Settlement).
type reconInvoicePayment struct {
	PaymentID    string          `json:"PaymentId"`
	Amount       decimal.Decimal `json:"Amount"`
	RefundAmount decimal.Decimal `json:"RefundAmount"`
}

// appliedByPayment is what each payment's NetSuite record must apply: a
// refund unapplies what it refunds from the NetSuite payment (reference
// money-sync §4), so what stays applied is Amount − RefundAmount.
func appliedByPayment(ips []reconInvoicePayment) map[string]decimal.Decimal {
	out := map[string]decimal.Decimal{}
	for _, ip := range ips {
		out[ip.PaymentID] = out[ip.PaymentID].Add(ip.Amount.Sub(ip.RefundAmount))
	}
	return out
}

// refundRecords lists the accounts' synced refunds dated in the range. A
// tenant without the refund sync's fields, or a build whose Zuora has no
// Refund object, has no synced refunds: ZOQL's INVALID_TYPE / INVALID_FIELD
// naming Refund reads as none.
func (r *reconciler) refundRecords(ctx context.Context, accts []zuora.Account) ([]moneyRecord, error) {
	type refund struct {
		ID                      string          `json:"Id"`
		RefundNumber            string          `json:"RefundNumber"`
		AccountID               string          `json:"AccountId"`
		Amount                  decimal.Decimal `json:"Amount"`
		TransferredToAccounting string          `json:"TransferredToAccounting"`
		IntegrationID           string          `json:"IntegrationId__NS"`
		Origin                  string          `json:"Origin__NS"`
	}
	refs, err := scopedQuery[refund](ctx, r, "select "+reconRefundFields+" from "+reconRefundObject+" where ", "RefundDate", accts)
	if noRefunds(err) {
		r.a.log(ctx).Info("no refunds to reconcile: Zuora has no Refund object with the NetSuite fields", "error", err)
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading synced Zuora refunds: %w", err)
	}
	out := make([]moneyRecord, 0, len(refs))
	for _, x := range refs {
		m := moneyRecord{recordType: workflows.RecordRefund, id: x.ID, number: x.RefundNumber, accountID: x.AccountID,
			integrationID: x.IntegrationID, externalID: refundExternalID(x.ID), suiteType: reconSuiteRefund, amount: x.Amount}
		if key, ok := madeInNetSuite(x.Origin, x.IntegrationID); ok {
			m.externalID = key
		}
		out = append(out, m)
	}
	return out, nil
}

// noRefunds: ZOQL refused the refund query for want of the object or its fields.
func noRefunds(err error) bool {
	var ae *zuora.APIError
	if err == nil || !errors.As(err, &ae) {
		return false
	}
	return (ae.Code == "INVALID_TYPE" || ae.Code == "INVALID_FIELD") && strings.Contains(ae.Message, reconRefundObject)
}

// reconNetSuiteIDKey keys a record made from NetSuite by the NetSuite
// internal id Zuora holds, in place of an external id.
const reconNetSuiteIDKey = "netsuite-id:"

// madeInNetSuite: a Zuora payment or refund the NetSuite → Zuora syncs made
// (Origin NETSUITE) has no external id of ours in NetSuite; its NetSuite
// record is the one its IntegrationId__NS names, looked up by internal id.
func madeInNetSuite(origin, integrationID string) (string, bool) {
	if !strings.EqualFold(origin, mapping.OriginNetSuite) || integrationID == "" || strings.Trim(integrationID, "0123456789") != "" {
		return "", false
	}
	return reconNetSuiteIDKey + integrationID, true
}

// moneyTransactions reads NetSuite headers by external id (or, for keys
// reconNetSuiteIDKey + id, by internal id), with the customer and what a
// payment or credit memo applies.
func (r *reconciler) moneyTransactions(ctx context.Context, exts []string) (map[string]*moneyTx, error) {
	out := map[string]*moneyTx{}
	var byExt, byID []string
	for _, x := range exts {
		if id, ok := strings.CutPrefix(x, reconNetSuiteIDKey); ok {
			byID = append(byID, id)
		} else {
			byExt = append(byExt, x)
		}
	}
	const cols = "SELECT id, type, externalid, entity, foreigntotal, foreignpaymentamountused FROM transaction WHERE "
	var rows []map[string]any
	if len(byExt) > 0 {
		got, err := r.a.NetSuite.QueryAll(ctx, cols+"externalid IN ("+reconQuoteAll(byExt)+") ORDER BY id")
		if err != nil {
			return nil, fmt.Errorf("reading NetSuite transactions: %w", err)
		}
		rows = append(rows, got...)
	}
	if len(byID) > 0 {
		got, err := r.a.NetSuite.QueryAll(ctx, cols+"id IN ("+strings.Join(byID, ", ")+") ORDER BY id")
		if err != nil {
			return nil, fmt.Errorf("reading NetSuite transactions: %w", err)
		}
		for _, row := range got {
			row["externalid"] = reconNetSuiteIDKey + fmt.Sprint(row["id"])
		}
		rows = append(rows, got...)
	}
	var err error
	for _, row := range rows {
		t := &moneyTx{id: fmt.Sprint(row["id"]), typ: fmt.Sprint(row["type"])}
		if e := row["entity"]; e != nil {
			t.entity = fmt.Sprint(e)
		}
		if t.total, err = decimal.NewFromString(fmt.Sprint(row["foreigntotal"])); err != nil {
			return nil, fmt.Errorf("NetSuite transaction %s: total %v is not an amount", t.id, row["foreigntotal"])
		}
		// The sign of a payment's or credit memo's total in SuiteQL is
		// not documented: the amount compares as its absolute value.
		t.total = t.total.Abs()
		if u := row["foreignpaymentamountused"]; u != nil && fmt.Sprint(u) != "" {
			used, err := decimal.NewFromString(fmt.Sprint(u))
			if err != nil {
				return nil, fmt.Errorf("NetSuite transaction %s: applied amount %v is not an amount", t.id, u)
			}
			used = used.Abs()
			t.used = &used
		}
		out[fmt.Sprint(row["externalid"])] = t
	}
	return out, nil
}

// compareMoney checks one synced money record against its NetSuite record
// (nil: none with its external id): found, linked (Zuora holds its id), of
// the right type and customer, its amount to the cent and what it applies.
// lineSum is the record's line sum when read. It returns the differences and
// the record's part of the account's open balance in Zuora and in NetSuite.
func compareMoney(m moneyRecord, tx *moneyTx, customer string, lineSum *decimal.Decimal) (diffs []workflows.Difference, zuoraSigned, netsuiteSigned decimal.Decimal) {
	sign := decimal.NewFromInt(int64(workflows.OpenBalanceSign(m.recordType)))
	zuoraSigned = m.amount.Mul(sign)
	base := workflows.Difference{RecordType: m.recordType, ZuoraID: m.id, Number: m.number}
	what := reconRecordName(m.recordType)
	if tx == nil {
		d := base
		d.Kind, d.Zuora = workflows.DiffMissing, reconCents(m.amount)
		d.Detail = fmt.Sprintf("Zuora says the %s was transferred (NetSuite id %q) but NetSuite has no %s with external id %s",
			what, m.integrationID, reconTypeName(m.suiteType), m.externalID)
		return append(diffs, d), zuoraSigned, decimal.Zero
	}
	base.NetSuiteID = tx.id
	got := tx.total
	if m.byLines && lineSum != nil {
		got = *lineSum
	}
	netsuiteSigned = got.Mul(sign)
	if m.integrationID != tx.id {
		d := base
		d.Kind, d.Zuora, d.NetSuite = workflows.DiffNotLinked, m.integrationID, tx.id
		d.Detail = fmt.Sprintf("the Zuora %s's NetSuite id is %q but its NetSuite record is %s", what, m.integrationID, tx.id)
		diffs = append(diffs, d)
	}
	if tx.typ != m.suiteType {
		d := base
		d.Kind, d.Zuora, d.NetSuite = workflows.DiffType, m.suiteType, tx.typ
		d.Detail = fmt.Sprintf("a Zuora %s becomes a NetSuite %s, but NetSuite holds a %s", what, reconTypeName(m.suiteType), reconTypeName(tx.typ))
		diffs = append(diffs, d)
	}
	if customer != "" && tx.entity != "" && tx.entity != customer {
		d := base
		d.Kind, d.Zuora, d.NetSuite = workflows.DiffCustomer, customer, tx.entity
		d.Detail = fmt.Sprintf("NetSuite record %s belongs to customer %s, the Zuora account's customer is %s", tx.id, tx.entity, customer)
		diffs = append(diffs, d)
	}
	if !got.Equal(m.amount) {
		d := base
		d.Kind, d.Zuora, d.NetSuite = workflows.DiffTotal, reconCents(m.amount), reconCents(got)
		d.Detail = fmt.Sprintf("NetSuite %s %s, Zuora %s %s: off by %s", reconTypeName(tx.typ), reconCents(got), what, reconCents(m.amount), reconCents(got.Sub(m.amount)))
		diffs = append(diffs, d)
	}
	if m.applied != nil {
		used := decimal.Zero
		if tx.used != nil {
			used = *tx.used
		}
		if !used.Equal(*m.applied) {
			d := base
			d.Kind, d.Zuora, d.NetSuite = workflows.DiffApplied, reconCents(*m.applied), reconCents(used)
			d.Detail = fmt.Sprintf("NetSuite %s %s applies %s, the Zuora %s %s: off by %s", reconTypeName(tx.typ), tx.id, reconCents(used),
				what, reconCents(*m.applied), reconCents(used.Sub(*m.applied)))
			diffs = append(diffs, d)
		}
	}
	return diffs, zuoraSigned, netsuiteSigned
}

func reconRecordName(recordType string) string {
	switch recordType {
	case workflows.RecordDebitMemo:
		return "debit memo"
	case workflows.RecordCreditMemo:
		return "credit memo"
	}
	return recordType
}
