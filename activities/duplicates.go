package activities

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/zuora-netsuite/connector/internal/netsuite"
)

// duplicateLines returns the Zuora item ids that appear on more than one
// line of the NetSuite transaction, sorted.
func (a *Activities) duplicateLines(ctx context.Context, nsID string) ([]string, error) {
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
