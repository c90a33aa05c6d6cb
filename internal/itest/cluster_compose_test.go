package itest

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/zuora-netsuite/connector/workflows"
)

// clusterEnv reads internal/deploy/cluster.env, the settings make cluster uses.
func clusterEnv(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot(), "internal", "deploy", "cluster.env"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("cluster.env: %q is not NAME=value", line)
		}
		out[k] = strings.Trim(v, `"`)
	}
	return out
}

type composeFile struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Environment map[string]string `yaml:"environment"`
		Command     []string          `yaml:"command"`
		Deploy      struct {
			Replicas int `yaml:"replicas"`
		} `yaml:"deploy"`
	} `yaml:"services"`
}

// docker-compose.yml cannot run here (no Docker engine); make cluster is its
// tested twin. This keeps the two describing the same shape: the same
// database plugin, user, password and database names, Temporal and UI
// versions, history shards, namespace, search attributes, worker count,
// NetSuite limit, and a shared encrypted state store for the workers.
func TestClusterCompose_SameSettingsAsMakeCluster(t *testing.T) {
	env := clusterEnv(t)
	b, err := os.ReadFile(filepath.Join(repoRoot(), "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	svc := func(name string) (string, map[string]string, []string, int) {
		s, ok := c.Services[name]
		if !ok {
			t.Fatalf("docker-compose.yml has no service %s", name)
		}
		return s.Image, s.Environment, s.Command, s.Deploy.Replicas
	}
	eq := func(what, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s: docker-compose.yml has %q, make cluster (cluster.env) %q", what, got, want)
		}
	}
	_, pg, _, _ := svc("postgresql")
	eq("PostgreSQL user", pg["POSTGRES_USER"], env["CLUSTER_PG_USER"])
	eq("PostgreSQL password", pg["POSTGRES_PASSWORD"], env["CLUSTER_PG_PASSWORD"])
	eq("connector database", pg["POSTGRES_DB"], env["CLUSTER_CONNECTOR_DB"])

	img, tmp, _, _ := svc("temporal")
	eq("Temporal server version", strings.TrimPrefix(img, "temporalio/auto-setup:"), env["CLUSTER_TEMPORAL_VERSION"])
	eq("database plugin", tmp["DB"], env["CLUSTER_DB_PLUGIN"])
	eq("Temporal database", tmp["DBNAME"], env["CLUSTER_TEMPORAL_DB"])
	eq("visibility database", tmp["VISIBILITY_DBNAME"], env["CLUSTER_VISIBILITY_DB"])
	eq("history shards", tmp["NUM_HISTORY_SHARDS"], env["CLUSTER_HISTORY_SHARDS"])
	eq("Temporal's database user", tmp["POSTGRES_USER"], env["CLUSTER_PG_USER"])
	eq("Temporal's database password", tmp["POSTGRES_PWD"], env["CLUSTER_PG_PASSWORD"])
	eq("namespace", tmp["DEFAULT_NAMESPACE"], env["CLUSTER_NAMESPACE"])

	_, _, cmd, _ := svc("temporal-admin-tools")
	registered := strings.Join(cmd, " ")
	for _, name := range strings.Fields(env["CLUSTER_SEARCH_ATTRIBUTES"]) {
		if !strings.Contains(registered, "--name "+name+" --type Keyword") {
			t.Errorf("docker-compose.yml does not register search attribute %s", name)
		}
	}
	if !strings.Contains(registered, "--namespace "+env["CLUSTER_NAMESPACE"]) {
		t.Errorf("docker-compose.yml registers the search attributes outside namespace %s", env["CLUSTER_NAMESPACE"])
	}
	for _, name := range workflows.SearchAttributeNames {
		if !strings.Contains(" "+env["CLUSTER_SEARCH_ATTRIBUTES"]+" ", " "+name+" ") {
			t.Errorf("cluster.env lacks search attribute %s that the workflows set", name)
		}
	}

	img, _, _, _ = svc("temporal-ui")
	eq("UI version", strings.TrimPrefix(img, "temporalio/ui:"), env["CLUSTER_UI_VERSION"])

	_, wk, _, replicas := svc("worker")
	eq("workers", strconv.Itoa(replicas), env["CLUSTER_WORKERS"])
	eq("NetSuite limit", wk["CONNECTOR_NETSUITE_CONCURRENCY"], env["CLUSTER_NETSUITE_CONCURRENCY"])
	eq("worker encryption", wk["CONNECTOR_ENCRYPTION"], "on")
	store := wk["CONNECTOR_STATE_STORE"]
	if !strings.HasPrefix(store, "postgres://"+env["CLUSTER_PG_USER"]+"@postgresql:5432/"+env["CLUSTER_CONNECTOR_DB"]+"?") {
		t.Errorf("worker state store %q: want the connector database on the postgresql service", store)
	}
	eq("worker database password", wk["PGPASSWORD"], env["CLUSTER_PG_PASSWORD"])

	// cluster.sh gives its workers the same store and limit.
	script, err := os.ReadFile(filepath.Join(repoRoot(), "internal", "deploy", "cluster.sh"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"CONNECTOR_STATE_STORE=postgres://$CLUSTER_PG_USER@127.0.0.1:$PG_PORT/$CLUSTER_CONNECTOR_DB?sslmode=disable",
		"CONNECTOR_NETSUITE_CONCURRENCY=$CLUSTER_NETSUITE_CONCURRENCY", "CONNECTOR_ENCRYPTION=on",
		"numHistoryShards: $CLUSTER_HISTORY_SHARDS", `pluginName: "$CLUSTER_DB_PLUGIN"`,
	} {
		if !strings.Contains(string(script), want) {
			t.Errorf("cluster.sh no longer has %q", want)
		}
	}
}
