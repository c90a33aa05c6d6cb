package activities

import (
	"context"
	"fmt"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
)

// writeWithLines makes sure a NetSuite transaction with this header's
// external id exists and has every one of these lines, in batches of
// run.batchSize, the way an invoice's lines are written: the record is made
// with its first batch (an upsert that replaces its item sublist, so a
// repeated PUT does not append it again, real-api-gaps N2), its line key is
// checked to be stored (N6; on a record an earlier attempt made, by a count
// of its keyed lines), and each later batch adds only the lines the
// record does not have yet (keyed by the Zuora item id). Every step repeats
// safely; it returns the record's internal id.
func (a *Activities) writeWithLines(ctx context.Context, recordType string, header netsuite.Transaction, lines []netsuite.Line, s settings.Settings) (string, error) {
	size := s.Run.BatchSize
	if size <= 0 {
		size = settings.Default().Run.BatchSize
	}
	id, err := a.findByExternalID(ctx, header.ExternalID)
	if err != nil {
		return "", err
	}
	first := 0
	if id == "" {
		first = min(size, len(lines))
		if err := a.stillCurrent(ctx); err != nil {
			return "", err
		}
		tx := header
		tx.Item = &netsuite.Sublist[netsuite.Line]{Items: lines[:first]}
		if id, err = a.NetSuite.Upsert(ctx, recordType, header.ExternalID, tx, "item"); err != nil {
			return "", fmt.Errorf("creating the NetSuite %s: %w", recordType, err)
		}
		if err := a.checkLineKeyStored(ctx, recordType, id, lines[:first], s); err != nil {
			return "", err
		}
	} else if len(lines) > 0 {
		// Made by an earlier attempt, which may have ended before it read
		// its line key back: the connector makes records with keyed lines,
		// so one with none was made on a form that drops the key (N6), and
		// appending to it would add a retried batch twice.
		if err := a.checkSomeLineKeyed(ctx, recordType, id, s); err != nil {
			return "", err
		}
	}
	for start := first; start < len(lines); start += size {
		batch := lines[start:min(start+size, len(lines))]
		keys := make([]string, len(batch))
		for i, l := range batch {
			keys[i] = l.ZuoraItemID
		}
		present, err := a.linesPresent(ctx, id, keys)
		if err != nil {
			return "", err
		}
		var missing []netsuite.Line
		for _, l := range batch {
			if !present[l.ZuoraItemID] {
				missing = append(missing, l)
			}
		}
		if len(missing) == 0 {
			continue
		}
		if err := a.stillCurrent(ctx); err != nil {
			return "", err
		}
		if err := a.NetSuite.Patch(ctx, recordType, id, netsuite.Transaction{Item: &netsuite.Sublist[netsuite.Line]{Items: missing}}); err != nil {
			return "", fmt.Errorf("adding %d lines to NetSuite %s %s: %w", len(missing), recordType, id, err)
		}
	}
	return id, nil
}
