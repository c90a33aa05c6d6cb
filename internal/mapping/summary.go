package mapping

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/netsuite"
)

// Summary groups an invoice's NetSuite lines for invoice.overCeiling=
// summarize (issue 13): one line per group of lines NetSuite books alike, so
// the summarized invoice's GL and revenue are what the unsummarized one
// would have booked. Lines are added in any number of calls; Lines gives
// the groups in a stable order (by group key), whatever order they came in.
type Summary struct {
	groups map[string]*summaryGroup
}

type summaryGroup struct {
	line  netsuite.Line
	count int
}

// NewSummary is an empty summary.
func NewSummary() *Summary { return &Summary{groups: map[string]*summaryGroup{}} }

// summaryKeyPrefix marks a summarized line's key in the line-key column:
// a hash of its group, where an unsummarized line carries a Zuora id.
const summaryKeyPrefix = "zsum-"

// GroupKey is everything NetSuite books on a line apart from its amount and
// quantity: the item (a charge's or a tax code's), the rev rec start and end
// dates and delay flag, the project, class, department, location and
// taxability. Lines with the same key post to the same accounts, revenue
// schedule and segments.
func GroupKey(l netsuite.Line) string {
	ref := func(r *netsuite.Ref) string {
		if r == nil {
			return ""
		}
		return r.ID + "|" + r.ExternalID
	}
	flag := func(b *bool) string {
		if b == nil {
			return ""
		}
		return fmt.Sprint(*b)
	}
	return strings.Join([]string{ref(l.Item), l.RevRecStartDate, l.RevRecEndDate, flag(l.DeferRevRec), ref(l.Job),
		ref(l.Class), ref(l.Department), ref(l.Location), flag(l.IsTaxable)}, "\x1f")
}

// SummaryLineKey is the line key of a group's summarized line: stable across
// runs (a hash of the group key), so a retried batch finds the line it wrote
// instead of appending it again. 32 characters, like a Zuora id.
func SummaryLineKey(groupKey string) string {
	sum := sha256.Sum256([]byte(groupKey))
	return summaryKeyPrefix + hex.EncodeToString(sum[:])[:32-len(summaryKeyPrefix)]
}

// IsSummaryLineKey tells a summarized line's key from a Zuora id.
func IsSummaryLineKey(key string) bool { return strings.HasPrefix(key, summaryKeyPrefix) }

// Add adds lines to their groups: amounts and quantities summed exactly,
// service dates widened to the group's first start and last end.
func (s *Summary) Add(lines ...netsuite.Line) {
	for _, l := range lines {
		key := GroupKey(l)
		g := s.groups[key]
		if g == nil {
			first := l
			if l.Quantity != nil {
				q := *l.Quantity
				first.Quantity = &q
			}
			first.ZuoraItemID = SummaryLineKey(key)
			s.groups[key] = &summaryGroup{line: first, count: 1}
			continue
		}
		g.count++
		g.line.Amount = g.line.Amount.Add(l.Amount)
		if l.Quantity != nil {
			if g.line.Quantity == nil {
				g.line.Quantity = ptr(decimal.Zero)
			}
			*g.line.Quantity = g.line.Quantity.Add(*l.Quantity)
		}
		// The description kept is the smallest, so it does not depend on
		// the order lines came in.
		if l.Description < g.line.Description {
			g.line.Description = l.Description
		}
		if l.ServiceStart != "" && (g.line.ServiceStart == "" || l.ServiceStart < g.line.ServiceStart) {
			g.line.ServiceStart = l.ServiceStart
		}
		if l.ServiceEnd > g.line.ServiceEnd {
			g.line.ServiceEnd = l.ServiceEnd
		}
	}
}

// Len is the number of summarized lines.
func (s *Summary) Len() int { return len(s.groups) }

// Lines are the summarized lines in group key order, each description
// saying how many lines of the Zuora invoice it stands for.
func (s *Summary) Lines() []netsuite.Line {
	keys := make([]string, 0, len(s.groups))
	for k := range s.groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]netsuite.Line, len(keys))
	for i, k := range keys {
		g := s.groups[k]
		out[i] = g.line
		out[i].Description = fmt.Sprintf("%s (summary of %d Zuora lines)", g.line.Description, g.count)
	}
	return out
}
