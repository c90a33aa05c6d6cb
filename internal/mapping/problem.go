// Package mapping holds the rules of Zuora's NetSuite Connector (the seeds)
// as pure functions: which records are selected, what is validated, which
// statuses are written, and how Zuora records become NetSuite records.
//
// Nothing here does I/O or reads a clock: activities fetch the records and
// NetSuite lookups, call these functions, and write what they return. Each
// function names the seed sentence it implements, and each rule has a test
// named after it (mapping_test.go).
package mapping

import "fmt"

// A Problem is why a record can't sync, in words a finance user understands,
// with the seed rule it breaks. It ends on the Zuora record as
// "Error: <Reason>" and in the workflow result.
type Problem struct {
	Rule       string // the seed rule, e.g. "invoice validation: account synced"
	RecordType string // Zuora object of the offending record
	RecordID   string
	Field      string // the field to fix, when one is to blame
	Reason     string
}

func (p Problem) Error() string { return p.Reason }

func (p Problem) String() string {
	return fmt.Sprintf("%s %s: %s (%s)", p.RecordType, p.RecordID, p.Reason, p.Rule)
}
