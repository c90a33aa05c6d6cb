package activities

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// ZOQLReads must list every field list a ZOQL query of the activities is
// built from, or `starter preflight` would not check a field the connector
// selects. The guard reads the sources: a new "select "+xFields or
// zoqlByIDs(..., xFields, ...) whose list is not in ZOQLReads fails here.
func TestZOQLReadsListsEveryFieldListTheQueriesUse(t *testing.T) {
	uses := regexp.MustCompile(`"select "\s*\+\s*([A-Za-z.]+Fields)\b|zoqlByIDs\[[^\]]+\]\([^,]+, [^,]+, [^,]+, ([A-Za-z.]+Fields)\b`)
	reads, err := os.ReadFile("zoql_reads.go")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "zoql_reads.go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range uses.FindAllStringSubmatch(string(src), -1) {
			name := m[1] + m[2]
			seen++
			if !regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\b`).Match(reads) {
				t.Errorf("%s: ZOQL field list %s is not in ZOQLReads (zoql_reads.go), so starter preflight does not check it", f, name)
			}
		}
	}
	if seen < 10 {
		t.Fatalf("found only %d ZOQL field list uses: the pattern no longer matches the sources", seen)
	}
}
