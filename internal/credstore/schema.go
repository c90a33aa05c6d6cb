package credstore

import (
	"context"
	"database/sql"
	"fmt"
)

// schemaLock is the advisory lock every worker takes to create tables:
// PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe when two sessions run
// it at once (one fails on pg_type's unique index), and workers of a cluster
// start together.
const schemaLock = 0x636f6e6e // "conn"

// CreateSchema runs ddl under the connector's schema lock.
func CreateSchema(ctx context.Context, db *sql.DB, ddl string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, schemaLock); err != nil {
		return fmt.Errorf("schema lock: %w", err)
	}
	if _, err := tx.ExecContext(ctx, ddl); err != nil {
		return err
	}
	return tx.Commit()
}
