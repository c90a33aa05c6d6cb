package activities

import (
	"context"
	"fmt"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
)

// Issue 13, invoice.overCeiling=summarize: an invoice over the line ceiling
// is written as one line per group of lines NetSuite books alike
// (mapping.Summary). The summary is planned in prepare, before the first
// write; the state only says the sync is Summarized, and each call
// recomputes the summarized lines from Zuora (same items, same groups, same
// order), so the state never holds items. Each summarized line carries its
// group's hash in the line-key column: a retried batch finds the lines it
// wrote and adds none twice.

// planSummary summarizes the invoice and, when the summary is within the
// ceiling, makes this sync a Summarized one. Otherwise it returns the
// fallback policy (invoice.summaryFallback) and a note for the Ignore reason.
func (j *invoiceJob) planSummary(ctx context.Context) (policy, note string, err error) {
	lines, err := j.summarize(ctx)
	if err != nil {
		return "", "", err
	}
	if len(lines) <= j.s.Invoice.LineCeiling {
		j.state.Summarized = true
		j.summary = lines
		return settings.OverCeilingSummarize, "", nil
	}
	policy = j.s.Invoice.SummaryFallback
	if policy == "" {
		policy = settings.OverCeilingIgnore
	}
	return policy, fmt.Sprintf("; even summarized (invoice.overCeiling=summarize) it has %d lines", len(lines)), nil
}

// summarize reads every batch of the invoice and groups its lines.
func (j *invoiceJob) summarize(ctx context.Context) ([]netsuite.Line, error) {
	sum := mapping.NewSummary()
	for b := 0; ; b++ {
		lb, err := j.loadBatch(ctx, b)
		if err != nil {
			return nil, err
		}
		if len(lb.items) == 0 {
			break
		}
		lines, err := j.lines(ctx, lb)
		if err != nil {
			return nil, err
		}
		sum.Add(lines...)
		if len(lb.items) < j.s.Run.BatchSize {
			break
		}
		if len(lb.items) == j.s.Run.BatchSize {
			for ahead := 1; ahead <= validationReadAhead; ahead++ {
				j.prefetch(ctx, b+ahead)
			}
		}
	}
	return sum.Lines(), nil
}

// summaryBatch is batch b of the summarized lines.
func (j *invoiceJob) summaryBatch(ctx context.Context, b int) ([]netsuite.Line, error) {
	if j.summary == nil {
		lines, err := j.summarize(ctx)
		if err != nil {
			return nil, err
		}
		j.summary = lines
	}
	size := j.s.Run.BatchSize
	if b*size >= len(j.summary) {
		return nil, nil
	}
	return j.summary[b*size : min((b+1)*size, len(j.summary))], nil
}
