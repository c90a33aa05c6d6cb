package workflows

import "time"

// ProgressPollInterval is how long `starter sync --wait` waits before its
// next progress query (QueryProgress), a run having gone on for elapsed:
// every second for the first minute, then every 5 s, every 10 s after ten
// minutes. Each query is a billable action on Temporal Cloud: at one a
// second, a 7-minute sync of a large invoice cost more in queries than the
// sync itself. The bench (internal/bench) sends its queries on this schedule.
func ProgressPollInterval(elapsed time.Duration) time.Duration {
	switch {
	case elapsed < time.Minute:
		return time.Second
	case elapsed < 10*time.Minute:
		return 5 * time.Second
	default:
		return 10 * time.Second
	}
}
