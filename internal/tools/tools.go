//go:build tools

// Package tools pins the project's dependencies in go.mod before every
// package that uses them exists, so parallel work does not race on go.mod.
package tools

import (
	_ "github.com/dghubble/oauth1"
	_ "github.com/golang-jwt/jwt/v5"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/schollz/progressbar/v3"
	_ "github.com/shopspring/decimal"
	_ "github.com/spf13/pflag"
	_ "github.com/stretchr/testify/require"
	_ "github.com/uber-go/tally/v4/prometheus"
	_ "go.etcd.io/bbolt"
	_ "go.temporal.io/api/workflowservice/v1"
	_ "go.temporal.io/sdk/client"
	_ "go.temporal.io/sdk/contrib/tally"
	_ "go.temporal.io/sdk/testsuite"
	_ "go.uber.org/fx"
	_ "golang.org/x/oauth2/clientcredentials"
	_ "pgregory.net/rapid"
)
