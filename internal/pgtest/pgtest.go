// Package pgtest starts a throwaway PostgreSQL for tests: initdb in a
// temporary directory, pg_ctl on a free loopback port, stopped by its pid at
// test end. As root (CI) it runs as the postgres user, since PostgreSQL
// refuses root. Without PostgreSQL installed the test skips, unless
// CONNECTOR_INTEGRATION=required (make test), where it fails.
package pgtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Password is the throwaway server's superuser password.
const Password = "pgtest-password"

// Server is a running throwaway PostgreSQL.
type Server struct {
	Port int
	Dir  string
}

// DSN is a URL for database db (created on first use by CreateDB).
func (s *Server) DSN(db string) string {
	return fmt.Sprintf("postgres://pgtest:%s@127.0.0.1:%d/%s?sslmode=disable", Password, s.Port, db)
}

// BinDir is the newest PostgreSQL server's bin directory, or "".
func BinDir() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		a, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		b, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return a < b
	})
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i]
		}
	}
	return ""
}

// Start starts a server with databases dbs; it stops at test end.
func Start(t testing.TB, dbs ...string) *Server {
	t.Helper()
	s := start(t, t)
	for _, db := range dbs {
		s.CreateDB(t, db)
	}
	return s
}

type cleaner interface{ Cleanup(func()) }

func start(t testing.TB, c cleaner) *Server {
	t.Helper()
	if testing.Short() {
		t.Skip("needs PostgreSQL: not with -short")
	}
	bin := BinDir()
	if bin == "" {
		if os.Getenv("CONNECTOR_INTEGRATION") == "required" {
			t.Fatal("PostgreSQL is not installed (/usr/lib/postgresql/*/bin/initdb): apt-get install postgresql")
		}
		t.Skip("PostgreSQL is not installed (apt-get install postgresql)")
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		t.Fatal(err)
	}
	c.Cleanup(func() { os.RemoveAll(dir) })
	// The postgres user must reach the directory.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte(Password+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	asPG := func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command(filepath.Join(bin, name), args...)
		if os.Getuid() == 0 {
			u, err := user.Lookup("postgres")
			if err != nil {
				t.Fatalf("running PostgreSQL as root needs the postgres user: %v", err)
			}
			uid, _ := strconv.Atoi(u.Uid)
			gid, _ := strconv.Atoi(u.Gid)
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
			_ = os.Chown(dir, uid, gid)
		}
		return cmd
	}
	if out, err := asPG("initdb", "-D", data, "-U", "pgtest", "--pwfile="+pw, "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	port := freePort(t)
	logf := filepath.Join(dir, "postgres.log")
	if out, err := asPG("pg_ctl", "-D", data, "-l", logf, "-w", "-t", "60", "-o",
		fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -c unix_socket_directories='' -c fsync=off", port), "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(logf)
		t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	s := &Server{Port: port, Dir: dir}
	c.Cleanup(func() { s.stop() })
	return s
}

var (
	sharedMu  sync.Mutex
	shared    *Server
	sharedOff func()
)

// Shared is one server for a whole test binary (initdb is the slow part),
// with a fresh database per call; TestMain calls StopShared.
func Shared(t testing.TB) (*Server, string) {
	t.Helper()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared == nil {
		st := &stopper{}
		shared = start(t, st)
		sharedOff = st.run
	}
	sharedSeq++
	db := fmt.Sprintf("t%d", sharedSeq)
	shared.CreateDB(t, db)
	return shared, db
}

var sharedSeq int

// StopShared stops the server Shared started, if any.
func StopShared() {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if sharedOff != nil {
		sharedOff()
	}
}

type stopper struct{ fns []func() }

func (s *stopper) Cleanup(f func()) { s.fns = append(s.fns, f) }
func (s *stopper) run() {
	for i := len(s.fns) - 1; i >= 0; i-- {
		s.fns[i]()
	}
}

// CreateDB creates database name.
func (s *Server) CreateDB(t testing.TB, name string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(BinDir(), "createdb"), "-h", "127.0.0.1", "-p", strconv.Itoa(s.Port), "-U", "pgtest", name)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+Password)
	if out, err := cmd.CombinedOutput(); err != nil && !strings.Contains(string(out), "already exists") {
		t.Fatalf("createdb %s: %v\n%s", name, err, out)
	}
}

// stop ends the postmaster by its pid (SIGINT: PostgreSQL's fast shutdown).
func (s *Server) stop() {
	b, err := os.ReadFile(filepath.Join(s.Dir, "data", "postmaster.pid"))
	if err != nil {
		return
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil || pid <= 1 {
		return
	}
	_ = syscall.Kill(pid, syscall.SIGINT)
	for i := 0; i < 100; i++ {
		if syscall.Kill(pid, 0) != nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
