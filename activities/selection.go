package activities

import (
	"context"
	"fmt"
	"sort"

	"go.temporal.io/sdk/temporal"

	"github.com/zuora-netsuite/connector/internal/zuora"
)

// candidatesAfter reads every record a selection ZOQL returns and keeps those
// whose id sorts after the run's cursor, in id order.
//
// ZOQL has no ORDER BY and a queryMore cursor expires after 15 minutes, so a
// page is cut by id (keyset) from the whole candidate list, read fresh: a
// cursor that is just an id never expires, and a record handled earlier in
// the run is never selected again.
//
// A record that does not decode (a field of the wrong type) must not stop the
// phase: its id comes back in bad, and its own sync records the reason on it.
func candidatesAfter[T any](ctx context.Context, z *zuora.Client, zoql, what, afterID string, id func(T) string) (cands []T, bad []string, err error) {
	it := z.Query(ctx, zoql, 2000)
	for n := 0; it.Next(ctx); n++ {
		rec, err := zuora.Decode[T](it.Record())
		if err != nil {
			rid, _ := it.Record()["Id"].(string)
			if rid == "" {
				return nil, nil, temporal.NewNonRetryableApplicationError(
					fmt.Sprintf("selecting %s: Zuora returned a record without an Id: %v", what, err), "BadZuoraRecord", err)
			}
			if rid > afterID {
				bad = append(bad, rid)
			}
		} else if id(rec) > afterID {
			cands = append(cands, rec)
		}
		if n%2000 == 0 {
			heartbeat(ctx, n)
		}
	}
	if err := it.Err(); err != nil {
		return nil, nil, retryable("selecting "+what, err)
	}
	sort.Slice(cands, func(i, j int) bool { return id(cands[i]) < id(cands[j]) })
	return cands, bad, nil
}
