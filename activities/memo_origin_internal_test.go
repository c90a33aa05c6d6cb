package activities

import (
	"testing"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
)

// The credit memo sync recognizes the migration's memos by the origin the
// migration writes (and the generator copies): the three must agree, or the
// migration's memos would be synced a second time.
func TestCreditMemoSelection_MigrationOriginIsTheMigrations(t *testing.T) {
	if migrationOrigin != mapping.MigrationCreditMemoOrigin || fixture.MigrationMemoOrigin != migrationOrigin {
		t.Fatalf("migration %q, credit memo sync %q, generator %q", migrationOrigin, mapping.MigrationCreditMemoOrigin, fixture.MigrationMemoOrigin)
	}
}
