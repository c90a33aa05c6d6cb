package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/zuora-netsuite/connector/workflows"
)

// CheckSearchAttributes refuses to run a worker on a namespace that lacks the
// workflows' search attributes: the server would fail every workflow task that
// starts a record's sync with them, leaving runs stuck rather than failed. The
// error lists the commands that fix it. A server that does not let this
// identity list attributes (some Cloud roles) gets a warning, not a refusal.
func CheckSearchAttributes(ctx context.Context, tc client.Client, namespace string, logger *slog.Logger) error {
	resp, err := tc.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		switch err.(type) {
		case *serviceerror.PermissionDenied, *serviceerror.Unimplemented:
			logger.Warn("cannot list search attributes; make sure they are registered", "names", workflows.SearchAttributeNames, "error", err)
			return nil
		}
		return fmt.Errorf("listing the search attributes of namespace %s: %w", namespace, err)
	}
	var missing []string
	for _, name := range workflows.SearchAttributeNames {
		if _, ok := resp.GetCustomAttributes()[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	var fix strings.Builder
	for _, name := range missing {
		fmt.Fprintf(&fix, "\n  temporal operator search-attribute create --namespace %s --name %s --type Keyword", namespace, name)
	}
	return fmt.Errorf("namespace %s lacks the search attributes %s that record workflows are started with; register them:%s",
		namespace, strings.Join(missing, ", "), fix.String())
}
