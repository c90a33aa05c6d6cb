package activities

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/zuora-netsuite/connector/internal/netsuite"
)

// duplicateLines returns the Zuora item ids that appear on more than one
// line of the NetSuite transaction, sorted. It counts first: a record of
// thousands of lines (a part of a split invoice holds up to the ceiling's
// 5,000) is then checked in one request instead of a page per thousand
// lines (SuiteQL answers at most 1,000 rows a page, N4), and its lines are
// read only to name the doubled ones.
func (a *Activities) duplicateLines(ctx context.Context, nsID string) ([]string, error) {
	doubled, err := a.lineKeysDoubled(ctx, nsID)
	if err != nil || !doubled {
		return nil, err
	}
	return a.doubledLines(ctx, nsID)
}

// doubledLines reads the transaction's lines (a page per 1,000) and returns
// the Zuora item ids on more than one of them, sorted.
func (a *Activities) doubledLines(ctx context.Context, nsID string) ([]string, error) {
	rows, err := a.NetSuite.QueryAll(ctx, "SELECT custcol_zuora_item_id FROM transactionline WHERE transaction = "+netsuite.Quote(nsID)+" ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("reading the lines of NetSuite transaction %s for doubled lines: %w", nsID, err)
	}
	seen := make(map[string]int, len(rows))
	var dups []string
	for _, r := range rows {
		raw := r["custcol_zuora_item_id"]
		v := fmt.Sprint(raw)
		if raw == nil || v == "" {
			continue // the header line and lines NetSuite adds itself
		}
		seen[v]++
		if seen[v] == 2 {
			dups = append(dups, v)
		}
	}
	sort.Strings(dups)
	return dups, nil
}

// lineKeysDoubled: some Zuora item id is on more than one line of these
// transactions (one, or the parts of a split invoice, where an item on two
// parts is doubled too), i.e. their lines with a key outnumber their
// distinct keys.
func (a *Activities) lineKeysDoubled(ctx context.Context, nsIDs ...string) (bool, error) {
	c, err := a.lineKeyCounts(ctx, nsIDs...)
	return c.keyed > c.distinct, err
}

// keyCounts are the lines of some transactions that have a Zuora item id
// (keyed), their distinct ids, and how many of the transactions hold one.
type keyCounts struct{ keyed, distinct, records int }

// lineKeyCounts counts the keyed lines of these transactions, in one query.
func (a *Activities) lineKeyCounts(ctx context.Context, nsIDs ...string) (keyCounts, error) {
	quoted := make([]string, len(nsIDs))
	for i, id := range nsIDs {
		quoted[i] = netsuite.Quote(id)
	}
	where := "transaction = " + strings.Join(quoted, "")
	if len(nsIDs) > 1 {
		where = "transaction IN (" + strings.Join(quoted, ", ") + ")"
	}
	what := "NetSuite transaction " + strings.Join(nsIDs, ", ")
	rows, err := a.NetSuite.QueryAll(ctx, "SELECT COUNT(*) AS keyedlines, COUNT(DISTINCT custcol_zuora_item_id) AS distinctkeys, "+
		"COUNT(DISTINCT transaction) AS keyedrecords FROM transactionline WHERE "+where+" AND custcol_zuora_item_id IS NOT NULL")
	if err != nil {
		return keyCounts{}, fmt.Errorf("counting the lines of %s for doubled lines: %w", what, err)
	}
	if len(rows) != 1 {
		return keyCounts{}, fmt.Errorf("counting the lines of %s for doubled lines: %d rows answered, want 1", what, len(rows))
	}
	var c keyCounts
	var err1, err2, err3 error
	c.keyed, err1 = countColumn(rows[0], "keyedlines")
	c.distinct, err2 = countColumn(rows[0], "distinctkeys")
	c.records, err3 = countColumn(rows[0], "keyedrecords")
	if err := errors.Join(err1, err2, err3); err != nil {
		return keyCounts{}, fmt.Errorf("counting the lines of %s for doubled lines: %w", what, err)
	}
	return c, nil
}

// countColumn reads a SuiteQL count, answered as a JSON number or a string.
func countColumn(row map[string]any, col string) (int, error) {
	v, ok := row[col]
	if !ok || v == nil {
		return 0, fmt.Errorf("the answer has no %s column", col)
	}
	n, err := strconv.Atoi(strings.TrimSpace(fmt.Sprint(v)))
	if err != nil {
		return 0, fmt.Errorf("column %s is %q, not a count", col, fmt.Sprint(v))
	}
	return n, nil
}

// duplicateReason is the Error text of an invoice whose NetSuite record has a
// Zuora item on two lines: what, where, and how to fix it.
func duplicateReason(recordType, nsID string, dups []string) string {
	shown := dups
	if len(shown) > 5 {
		shown = shown[:5]
	}
	more := ""
	if len(dups) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(dups)-len(shown))
	}
	return fmt.Sprintf("NetSuite %s %s has Zuora items on more than one line (%s%s), written by two overlapping attempts; "+
		"delete the extra lines in NetSuite, then set Transferred To Accounting back to No", recordType, nsID, strings.Join(shown, ", "), more)
}
