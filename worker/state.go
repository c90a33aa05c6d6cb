package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.uber.org/fx"

	"github.com/zuora-netsuite/connector/internal/credstore"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/nslimit"
)

// sharedState is what the workers of one connector must agree on: the
// credential store (the Zuora OAuth client a migration rotated to) and the
// NetSuite account's concurrency limit. With --state-store postgres://...
// both live in PostgreSQL and every worker sees the same; without it the
// store is --state-dir on this machine and the limit a per-process share.
type sharedState struct {
	Store   credstore.Backend
	Limiter netsuite.Limiter // nil: the per-process C/N share
	Where   string           // for the startup log, without a password
}

func newSharedState(lc fx.Lifecycle, c *config, logger *slog.Logger) (*sharedState, error) {
	if c.StateStore == "" {
		store, err := credstore.Open(c.StateDir)
		if err != nil {
			return nil, err
		}
		return &sharedState{Store: store, Where: "directory " + c.StateDir}, nil
	}
	where := credstore.RedactDSN(c.StateStore)
	cdc, err := c.Temporal.Encryption.Codec(c.Temporal.Address)
	if err != nil {
		return nil, err
	}
	if cdc == nil {
		return nil, fmt.Errorf("--state-store %s keeps the Zuora OAuth secret encrypted with the payload encryption keys: give --encryption-key-file (docs/operations.md)", where)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := credstore.OpenDB(ctx, c.StateStore)
	if err != nil {
		return nil, fmt.Errorf("--state-store: %w", err)
	}
	store, err := credstore.NewPGStore(ctx, db, cdc.DataConverter())
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("--state-store %s: %w", where, err)
	}
	lim, err := nslimit.NewPostgres(ctx, db, c.StateStore, c.APIs.NetSuiteAccount, c.APIs.NetSuiteConcurrency,
		nslimit.PostgresOptions{LeaseTTL: c.NetSuiteLeaseTTL, Logger: logger})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("--state-store %s: %w", where, err)
	}
	// Stopped after the worker (fx stops in reverse order): no request is
	// left holding a slot when the leases are given back.
	lc.Append(fx.StopHook(func() error { err := lim.Close(); db.Close(); return err }))
	return &sharedState{Store: store, Limiter: lim, Where: "postgres " + where}, nil
}
