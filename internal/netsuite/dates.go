package netsuite

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// SuiteQL answers dates in the account's date format preference, not ISO
// (real-api-gaps N8), and date-times in that format with the time of day to
// the minute ("3/7/2026 4:05 pm"). The format can't be told from a value
// ("3/4/2026"), so it is a setting (netsuite.dateFormat, default M/D/YYYY,
// NetSuite's US default); ISO values are read in any case.

// DateFormats are the date format preferences ParseDate reads.
var DateFormats = []string{"M/D/YYYY", "D/M/YYYY", "MM/DD/YYYY", "DD/MM/YYYY", "D.M.YYYY", "DD.MM.YYYY", "YYYY/MM/DD", "YYYY-MM-DD", "DD-Mon-YYYY"}

type dateFormatKey struct{}

// WithDateFormat makes ParseDateCtx read dates in this format preference.
func WithDateFormat(ctx context.Context, format string) context.Context {
	if format == "" {
		return ctx
	}
	return context.WithValue(ctx, dateFormatKey{}, format)
}

// DateFormatOf is the format preference carried by ctx ("M/D/YYYY" if none).
func DateFormatOf(ctx context.Context) string {
	if f, _ := ctx.Value(dateFormatKey{}).(string); f != "" {
		return f
	}
	return "M/D/YYYY"
}

// goLayout turns a NetSuite date format preference into a Go layout.
func goLayout(format string) string {
	return strings.NewReplacer("YYYY", "2006", "MM", "01", "DD", "02", "Mon", "Jan", "M", "1", "D", "2").Replace(format)
}

// ParseDate reads a SuiteQL date or date-time in the account's format (or
// ISO: RFC 3339, YYYY-MM-DD). precision is how much of the time is known:
// 24h for a date, a minute for a date-time without seconds, 0 when exact.
func ParseDate(s, format string) (t time.Time, precision time.Duration, err error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, 0, nil
	}
	if t, err := time.Parse("2006-01-02T15:04:05", s); err == nil {
		return t, 0, nil // TO_CHAR(d, 'YYYY-MM-DD"T"HH24:MI:SS')
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, 24 * time.Hour, nil
	}
	layout := goLayout(format)
	for _, tod := range []struct {
		layout string
		prec   time.Duration
	}{{" 3:04:05 pm", 0}, {" 3:04 pm", time.Minute}, {" 15:04:05", 0}, {" 15:04", time.Minute}, {"", 24 * time.Hour}} {
		if t, err := time.Parse(layout+tod.layout, strings.ToLower(s)); err == nil {
			return t, tod.prec, nil
		}
	}
	return time.Time{}, 0, fmt.Errorf("NetSuite date %q is neither ISO nor in the account's date format %s (set netsuite.dateFormat to the account's Date Format preference)", s, format)
}
