package main

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/zuora-netsuite/connector/internal/metrics"
)

// --pprof serves Go's runtime profiles beside /metrics, and only with it;
// never the command line, which may carry a secret among the flags.
func TestHTTPMux_ProfilesOnlyWithPProf(t *testing.T) {
	get := func(mux *http.ServeMux, path string) int {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code
	}
	off := httpMux(&config{}, nil, metrics.New())
	if code := get(off, "/debug/pprof/heap?debug=1"); code != http.StatusNotFound {
		t.Errorf("without --pprof: /debug/pprof/heap answered %d", code)
	}
	if code := get(off, "/metrics"); code != http.StatusOK {
		t.Errorf("/metrics answered %d", code)
	}
	on := httpMux(&config{PProf: true}, nil, metrics.New())
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap?debug=1", "/debug/pprof/goroutine?debug=1"} {
		if code := get(on, path); code != http.StatusOK {
			t.Errorf("with --pprof: %s answered %d", path, code)
		}
	}
	if code := get(on, "/debug/pprof/cmdline"); code == http.StatusOK {
		t.Errorf("with --pprof: /debug/pprof/cmdline answered %d: the command line may hold a secret", code)
	}
	cfg, err := parseFlags([]string{"--pprof"})
	if err != nil || !cfg.PProf {
		t.Fatalf("--pprof: %v %+v", err, cfg)
	}
}
