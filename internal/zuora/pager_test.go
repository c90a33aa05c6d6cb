package zuora

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The page after this one is asked for from the locator in this page's
// answer, before the page is decoded and read: here, while the reader holds
// the first record of page 1, pages 2 and 3 are asked for (the locator
// comes after 2,000 bytes of records, as Zuora's examples place it), and no
// more: at most pagesAhead pages are fetched ahead of the one being read.
func TestPagerAsksForThePageAfterBeforeDecodingAndNoFurtherAhead(t *testing.T) {
	const perPage, pages = 50, 6
	records := make([]string, perPage*pages)
	for i := range records {
		records[i] = fmt.Sprintf(`{"Id":"it%04d","Name":"%040d"}`, i, i)
	}
	var mu sync.Mutex
	var asked []string
	c := pagedFake(t, records, perPage, func(locator string) {
		mu.Lock()
		asked = append(asked, locator)
		mu.Unlock()
	})
	ctx := context.Background()
	rows := QueryRows[struct{ ID string }](c, "InvoiceItem", "select Id, Name from InvoiceItem", perPage)
	require.True(t, rows.Next(ctx))
	askedNow := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), asked...)
	}
	require.Eventually(t, func() bool { return len(askedNow()) == 2 }, 5*time.Second, 5*time.Millisecond,
		"pages 2 and 3 asked for while page 1 is read: %v", askedNow())
	time.Sleep(100 * time.Millisecond)
	require.Equal(t, []string{"at50", "at100"}, askedNow(), "no page further ahead")
	n := 1
	for rows.Next(ctx) {
		n++
	}
	require.NoError(t, rows.Err())
	require.Equal(t, perPage*pages, n, "every record once")
	require.Len(t, askedNow(), pages-1, "each page asked for once")
}

// A locator read from an answer before it is decoded is used only if the
// decoded page confirms it. Here the first page names two locators (JSON
// with a duplicate key: a quick read takes the first, the decoder the
// last); the early fetch of the decoy is dropped, its records never handed
// out, and the chain goes on from the decoded locator.
func TestPagerDropsAnEarlyLocatorTheDecodedPageDoesNotConfirm(t *testing.T) {
	_, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/action/query" {
			_, _ = fmt.Fprint(w, `{"done":false,"queryLocator":"decoy","records":[{"Id":"a"},{"Id":"b"}],"size":4,"queryLocator":"real"}`)
			return
		}
		var body struct {
			QueryLocator string `json:"queryLocator"`
		}
		require.NoError(t, json.NewDecoder(r.Body).Decode(&body))
		switch body.QueryLocator {
		case "real":
			_, _ = fmt.Fprint(w, `{"done":true,"records":[{"Id":"c"},{"Id":"d"}],"size":4}`)
		default:
			_, _ = fmt.Fprint(w, `{"done":true,"records":[{"Id":"decoy-1"}],"size":4}`)
		}
	})
	var ids []string
	rows := QueryRows[struct{ ID string }](c, "InvoiceItem", "select Id from InvoiceItem", 2)
	for rows.Next(context.Background()) {
		ids = append(ids, rows.Row().ID)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{"a", "b", "c", "d"}, ids)
}
