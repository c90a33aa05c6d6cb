// Package money fixes how amounts travel: shopspring/decimal everywhere,
// written to JSON as plain numbers (as Zuora and NetSuite write them), never float64.
package money

import "github.com/shopspring/decimal"

func init() {
	// Zuora and NetSuite both send and expect JSON numbers for amounts. Decoding a
	// number into decimal.Decimal parses its text exactly, so no float is involved.
	decimal.MarshalJSONWithoutQuotes = true
}

// Zero is the zero amount.
var Zero = decimal.Zero

// Parse reads an amount written as text ("12.30", "-4"), naming what it was on failure.
func Parse(what, s string) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero, &ParseError{What: what, Value: s, Err: err}
	}
	return d, nil
}

// ParseError names the amount that could not be read.
type ParseError struct {
	What, Value string
	Err         error
}

func (e *ParseError) Error() string {
	return "amount " + e.What + " is not a decimal number: " + quote(e.Value)
}
func (e *ParseError) Unwrap() error { return e.Err }

func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return "\"" + s + "\""
}

// Cents rounds to two places, half away from zero, as both ledgers display.
func Cents(d decimal.Decimal) decimal.Decimal { return d.Round(2) }
