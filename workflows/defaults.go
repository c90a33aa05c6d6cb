package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/zuora-netsuite/connector/internal/settings"
)

// Settings are resolved once, when a workflow starts, and recorded in its
// history: the starter fills every default into the input, and a value the
// input lacks (a hand-written `temporal workflow start --input`) is read from
// the code's defaults through a SideEffect, whose result the history keeps.
// A replay on newer worker code with other defaults then takes the recorded
// value instead of re-deriving it, and issues the same commands.

// recordedDefault is def() the first time and the recorded value on replay.
func recordedDefault[T any](ctx workflow.Context, def func() T) T {
	var v T
	if err := workflow.SideEffect(ctx, func(workflow.Context) any { return def() }).Get(&v); err != nil {
		return def() // cannot happen with the default data converter
	}
	return v
}

// defaultSettings is settings.Default(), recorded.
func defaultSettings(ctx workflow.Context) settings.Settings {
	return recordedDefault(ctx, settings.Default)
}
