package itest

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/websocket"
)

// Browser is headless Chromium driven over the DevTools protocol: it opens
// a page, waits until the page's text shows what the test waits for (the
// Temporal UI is a single-page app: its content arrives after the load
// event), and takes a screenshot.
type Browser struct {
	t      testing.TB
	proc   *Process
	wsBase string
}

// ChromiumPath is Debian's chromium, or "".
func ChromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// StartBrowser starts headless Chromium; it is killed at test end.
func StartBrowser(t testing.TB) *Browser {
	t.Helper()
	bin := ChromiumPath()
	if bin == "" {
		if os.Getenv("CONNECTOR_INTEGRATION") == "required" {
			t.Fatal("the browser check needs chromium (make test installs it: apt-get install chromium)")
		}
		t.Skip("no chromium (apt-get install chromium)")
	}
	// --no-zygote/--single-process: the zygote cannot start in a container
	// without user namespaces; --no-sandbox: CI runs as root.
	p := StartProcess(t, bin, []string{"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--no-zygote", "--single-process", "--no-first-run", "--user-data-dir=" + t.TempDir(),
		"--window-size=1400,1300", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "--remote-allow-origins=http://127.0.0.1", "about:blank"})
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		sc := bufio.NewScanner(strings.NewReader(p.Output()))
		for sc.Scan() {
			if _, ws, ok := strings.Cut(sc.Text(), "DevTools listening on "); ok {
				// ws://127.0.0.1:PORT/devtools/browser/ID
				u := strings.TrimSpace(ws)
				i := strings.Index(u[len("ws://"):], "/")
				return &Browser{t: t, proc: p, wsBase: u[:len("ws://")+i]}
			}
		}
		if p.Exited() {
			t.Fatalf("chromium exited:\n%s", lastChars(p.Output(), 3000))
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("chromium did not open its DevTools port:\n%s", lastChars(p.Output(), 3000))
	return nil
}

// pageText is every text node of the page, inside shadow roots too (the
// UI shows payloads in a code editor element).
const pageText = `(function collect(n) {
	let s = '';
	if (n.shadowRoot) s += collect(n.shadowRoot);
	for (const c of n.childNodes) s += c.nodeType === 3 ? c.textContent + ' ' : collect(c);
	return s;
})(document.body || document)`

type cdpConn struct {
	ws  *websocket.Conn
	seq atomic.Int64
}

func (c *cdpConn) call(method string, params any, out any) error {
	id := c.seq.Add(1)
	if err := websocket.JSON.Send(c.ws, map[string]any{"id": id, "method": method, "params": params}); err != nil {
		return err
	}
	for {
		var msg struct {
			ID     int64           `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := websocket.JSON.Receive(c.ws, &msg); err != nil {
			return err
		}
		if msg.ID != id {
			continue // an event
		}
		if msg.Error != nil {
			return fmt.Errorf("%s: %s", method, msg.Error.Message)
		}
		if out != nil {
			return json.Unmarshal(msg.Result, out)
		}
		return nil
	}
}

// Visit opens url in a new tab, waits up to within for the page's text to
// satisfy ready, saves a screenshot to png, and returns the page's text.
func (b *Browser) Visit(url string, within time.Duration, png string, ready func(text string) bool) string {
	b.t.Helper()
	httpBase := "http" + strings.TrimPrefix(b.wsBase, "ws")
	req, _ := http.NewRequest(http.MethodPut, httpBase+"/json/new?"+url, nil)
	resp, err := HTTPClient.Do(req)
	if err != nil {
		b.t.Fatalf("chromium: new tab: %v", err)
	}
	var tab struct {
		WebSocketDebuggerURL string `json:"webSocketDebuggerUrl"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tab)
	resp.Body.Close()
	if err != nil || tab.WebSocketDebuggerURL == "" {
		b.t.Fatalf("chromium: new tab: %v", err)
	}
	ws, err := websocket.Dial(tab.WebSocketDebuggerURL, "", "http://127.0.0.1")
	if err != nil {
		b.t.Fatalf("chromium: DevTools: %v", err)
	}
	defer ws.Close()
	c := &cdpConn{ws: ws}
	text := ""
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		var r struct {
			Result struct {
				Value string `json:"value"`
			} `json:"result"`
		}
		if err := c.call("Runtime.evaluate", map[string]any{"expression": pageText, "returnByValue": true}, &r); err != nil {
			// While the page navigates (the UI redirects to its namespace's
			// list) there is briefly no execution context: not ready yet.
			if strings.Contains(err.Error(), "execution context") && time.Now().Add(time.Second).Before(deadline) {
				time.Sleep(500 * time.Millisecond)
				continue
			}
			b.t.Fatalf("chromium: reading the page: %v", err)
		}
		text = r.Result.Value
		if ready(text) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	time.Sleep(time.Second) // let the last render settle for the picture
	var shot struct {
		Data string `json:"data"`
	}
	if err := c.call("Page.captureScreenshot", map[string]any{"format": "png"}, &shot); err != nil {
		b.t.Fatalf("chromium: screenshot: %v", err)
	}
	raw, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(png, raw, 0o644); err != nil {
		b.t.Fatal(err)
	}
	return text
}
